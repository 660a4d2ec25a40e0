/* Unit tests of the trusted-proxy walk (core/chats_forwarded.c): the trust
 * list, RFC 7239 Forwarded and X-Forwarded-* taken only from trusted hops
 * and only when valid, and the base URL made of them. Prints TAP. */
#include <apr_general.h>
#include <apr_strings.h>

#include "chats_forwarded.h"
#include "tap.h"

static chats_fwd_trust_t *trust(tap_t *t, const char *const *args)
{
    chats_fwd_trust_t *tr = chats_fwd_trust_make(t->p);

    for (; *args; args++) {
        const char *err = chats_fwd_trust_add(tr, *args, t->p);

        if (err) {
            printf("# trust_add(%s): %s\n", *args, err);
        }
    }
    return tr;
}

static apr_sockaddr_t *addr(tap_t *t, const char *ip)
{
    apr_sockaddr_t *sa = NULL;

    apr_sockaddr_info_get(&sa, ip, APR_UNSPEC, 0, 0, t->p);
    return sa;
}

static void test_trust_list(tap_t *t)
{
    static const char *const args[] = { "10.0.0.0/8", "192.0.2.7", "::1",
                                        "2001:db8::/32",
                                        "172.16.0.0/255.240.0.0", NULL };
    chats_fwd_trust_t *tr = trust(t, args);

    ok(t, chats_fwd_trust_add(tr, "proxy.example", t->p) != NULL,
       "a host name is refused");
    ok(t, chats_fwd_trust_add(tr, "10.0.0.0/33", t->p) != NULL,
       "a bad mask is refused");
    ok(t, chats_fwd_trust_add(tr, "1.2.3", t->p) != NULL,
       "a short IPv4 is refused");
    ok(t, chats_fwd_trust_peer(tr, addr(t, "10.1.2.3")), "10/8 holds 10.1.2.3");
    ok(t, chats_fwd_trust_peer(tr, addr(t, "192.0.2.7")), "an address");
    ok(t, !chats_fwd_trust_peer(tr, addr(t, "192.0.2.8")), "its neighbour not");
    ok(t, chats_fwd_trust_peer(tr, addr(t, "::1")), "::1");
    ok(t, chats_fwd_trust_peer(tr, addr(t, "172.31.255.1")), "a dotted mask");
    ok(t, chats_fwd_trust_node(tr, "[2001:db8::5]:4711", t->p),
       "a bracketed IPv6 node with a port");
    ok(t, chats_fwd_trust_node(tr, "10.9.9.9:8080", t->p),
       "an IPv4 node with a port");
    ok(t, chats_fwd_trust_node(tr, "2001:db8::9", t->p), "a bare IPv6 node");
    ok(t, !chats_fwd_trust_node(tr, "unknown", t->p), "unknown is not trusted");
    ok(t, !chats_fwd_trust_node(tr, "_hidden", t->p),
       "an obfuscated node is not trusted");
    ok(t, !chats_fwd_trust_node(tr, "localhost", t->p), "a name is not trusted");
    ok(t, !chats_fwd_trust_node(tr, NULL, t->p), "no for= is not trusted");
    ok(t, !chats_fwd_trust_any(chats_fwd_trust_make(t->p)),
       "an empty list trusts nobody");
}

static chats_fwd_t resolve(tap_t *t, const char *const *args,
                           chats_fwd_scheme_e scheme, int peer,
                           const chats_fwd_in_t *in)
{
    chats_fwd_t f;

    chats_fwd_resolve(trust(t, args), scheme, peer, in, &f, t->p);
    return f;
}

static void test_x_forwarded(tap_t *t)
{
    static const char *const one[] = { "127.0.0.1", NULL };
    static const char *const two[] = { "127.0.0.1", "10.0.0.0/8", NULL };
    static const char *const on[] = { "On", NULL };
    chats_fwd_in_t in = { NULL, NULL, NULL, NULL, NULL, NULL };
    chats_fwd_t f;

    /* mod_proxy appends: the client's own value stays on the left. */
    in.xf_for = "203.0.113.9";
    in.xf_host = "evil.example, crm.example.com:8443";
    in.xf_proto = "https";
    f = resolve(t, one, CHATS_FWD_XFORWARDED, 1, &in);
    is_str(t, f.host, "crm.example.com:8443", "one hop: the proxy's host");
    is_str(t, f.proto, "https", "one hop: its proto");
    ok(t, f.hops == 1, "one hop walked");
    f = resolve(t, one, CHATS_FWD_XFORWARDED, 0, &in);
    ok(t, !f.host && !f.proto && f.hops == 0, "an untrusted peer: nothing");
    f = resolve(t, on, CHATS_FWD_XFORWARDED, 1, &in);
    is_str(t, f.host, "crm.example.com:8443", "On: only the last entry");

    /* Two proxies: the outer one (10.0.0.5) named in X-Forwarded-For. */
    in.xf_for = "198.51.100.7, 10.0.0.5";
    in.xf_host = "evil.example, Public.Example.com, inner.internal";
    in.xf_proto = "http, https, http";
    f = resolve(t, two, CHATS_FWD_XFORWARDED, 1, &in);
    is_str(t, f.host, "public.example.com", "two hops: the outer proxy's "
           "host, lower-cased");
    is_str(t, f.proto, "https", "two hops: the outer proxy's proto");
    ok(t, f.hops == 2, "two hops walked");
    f = resolve(t, one, CHATS_FWD_XFORWARDED, 1, &in);
    is_str(t, f.host, "inner.internal", "10.0.0.5 untrusted: the walk stops");

    /* A shorter list: an overwritten header (RequestHeader set). */
    in.xf_proto = "https";
    in.xf_prefix = "/crm/";
    in.xf_port = "443";
    f = resolve(t, two, CHATS_FWD_XFORWARDED, 1, &in);
    is_str(t, f.proto, "https", "a one-entry list within the hops");
    is_str(t, f.prefix, "/crm", "the prefix, without its trailing '/'");
    is_str(t, f.port, "443", "the port");

    in.xf_host = "crm.example.com/x";
    in.xf_proto = "javascript";
    in.xf_prefix = "/a/../b";
    in.xf_port = "99999";
    f = resolve(t, one, CHATS_FWD_XFORWARDED, 1, &in);
    ok(t, !f.host && !f.proto && !f.prefix && !f.port,
       "invalid values are ignored");
    ok(t, f.ignored && strstr(f.ignored, "not valid"), "and reported");

    in.forwarded = "host=evil.example;proto=https";
    in.xf_host = in.xf_proto = in.xf_prefix = in.xf_port = NULL;
    f = resolve(t, one, CHATS_FWD_XFORWARDED, 1, &in);
    ok(t, !f.host && !f.proto, "X-Forwarded mode reads no Forwarded");
}

static void test_forwarded(tap_t *t)
{
    static const char *const one[] = { "127.0.0.1", NULL };
    static const char *const two[] = { "127.0.0.1", "2001:db8::/32", NULL };
    chats_fwd_in_t in = { NULL, NULL, NULL, NULL, NULL, NULL };
    chats_fwd_t f;

    /* Each element's for= is the hop before the proxy that added it:
     * the client forged the first, 198.51.100.1 (untrusted) is the real
     * client, 2001:db8:cafe::17 the outer proxy. */
    in.forwarded = "for=192.0.2.60;proto=http;host=evil.example, "
                   "for=198.51.100.1;host=\"crm.example.com\";"
                   "proto=HTTPS;by=203.0.113.43, "
                   "for=\"[2001:db8:cafe::17]:4711\";host=inner";
    f = resolve(t, two, CHATS_FWD_FORWARDED, 1, &in);
    is_str(t, f.host, "crm.example.com", "quoted values, two trusted hops");
    is_str(t, f.proto, "https", "proto from the outer trusted element");
    ok(t, f.hops == 2, "two hops walked");
    f = resolve(t, one, CHATS_FWD_FORWARDED, 1, &in);
    is_str(t, f.host, "inner", "one trusted hop: the last element");

    /* Two header lines, as httpd joins them. */
    in.forwarded = "for=192.0.2.1;host=evil.example, for=192.0.2.1";
    f = resolve(t, two, CHATS_FWD_FORWARDED, 1, &in);
    ok(t, !f.host, "a trusted hop that sent no host= takes none from the "
       "untrusted one");
    in.forwarded = "for=\"a,b\";host=\"x;y\"";
    f = resolve(t, one, CHATS_FWD_FORWARDED, 1, &in);
    ok(t, !f.host && f.ignored, "a quoted ',' and ';' parse; the host is "
       "refused");
    in.forwarded = "for=1.2.3.4;host=a;host=b";
    f = resolve(t, one, CHATS_FWD_FORWARDED, 1, &in);
    ok(t, !f.host && f.ignored, "a repeated parameter: ignored whole");
    in.forwarded = "for=\"unterminated";
    f = resolve(t, one, CHATS_FWD_FORWARDED, 1, &in);
    ok(t, !f.host && f.ignored, "an unterminated quote: ignored whole");
    in.forwarded = "host=ok.example,,;";
    f = resolve(t, one, CHATS_FWD_FORWARDED, 1, &in);
    is_str(t, f.host, "ok.example", "empty elements are skipped");
    in.forwarded = "host=a b";
    f = resolve(t, one, CHATS_FWD_FORWARDED, 1, &in);
    ok(t, !f.host && f.ignored, "garbage after a value: ignored whole");
    in.forwarded = "proto=https;host=crm.example.com";
    in.xf_host = "evil.example";
    in.xf_prefix = "/crm";
    f = resolve(t, one, CHATS_FWD_FORWARDED, 1, &in);
    ok(t, !strcmp(f.host, "crm.example.com") && !strcmp(f.prefix, "/crm"),
       "Forwarded mode: X-Forwarded-Host ignored, the prefix read");
}

static const char *const good_hosts[] = { "a", "crm.example.com:8443",
    "192.0.2.1", "[2001:db8::1]", "[::1]:80", NULL };
static const char *const bad_hosts[] = { "", "a b", "user@evil",
    "evil/x", "a:0", "a:65536", "a:", "[::1", "[zz]", "[::1]x",
    ".a", "a\r\nX: y", "evil.example#", NULL };
static const char *const good_prefixes[] = { "/", "/crm", "/crm/",
    "/a/b-c_d~e.f", "/%41", NULL };
static const char *const bad_prefixes[] = { "", "crm", "//evil", "/..",
    "/a/../b", "/a/./b", "/%2e%2e", "/%2F", "/%0d%0a", "/a b", "/a\"",
    "/a?b", "/a#b", "/a%", "/a%4", NULL };

/* Each value of a list is valid (or not) by its check; the ones that
 * are not as expected are printed. */
static const struct {
    int (*valid)(const char *s);
    const char *const *values;
    int want;
    const char *desc;
} value_lists[] = {
    { chats_fwd_host_is_valid, good_hosts, 1, "valid hosts" },
    { chats_fwd_host_is_valid, bad_hosts, 0, "invalid hosts refused" },
    { chats_fwd_prefix_is_valid, good_prefixes, 1, "valid prefixes" },
    { chats_fwd_prefix_is_valid, bad_prefixes, 0,
      "invalid prefixes refused" },
};

static void test_values(tap_t *t)
{
    const char *const *s;
    int i, all;

    for (i = 0; i < TAP_N(value_lists); i++) {
        for (all = 1, s = value_lists[i].values; *s; s++) {
            if (!value_lists[i].valid(*s) != !value_lists[i].want) {
                printf("# %s: %s\n", value_lists[i].want ? "refused"
                                                         : "accepted", *s);
                all = 0;
            }
        }
        ok(t, all, value_lists[i].desc);
    }
}

static void test_base_url(tap_t *t)
{
    chats_fwd_t f;

    memset(&f, 0, sizeof(f));
    is_str(t, chats_fwd_base_url(&f, "http", "backend", 8080, t->p),
           "http://backend:8080", "nothing forwarded: the request's own");
    f.proto = "https";
    f.host = "crm.example.com:443";
    f.prefix = "/crm";
    is_str(t, chats_fwd_base_url(&f, "http", "backend", 8080, t->p),
           "https://crm.example.com/crm", "the scheme's default port dropped");
    f.port = "8443";
    is_str(t, chats_fwd_base_url(&f, "http", "backend", 8080, t->p),
           "https://crm.example.com:8443/crm", "a forwarded port replaces");
    f.host = "[2001:db8::1]:80";
    f.port = NULL;
    is_str(t, chats_fwd_base_url(&f, "http", "backend", 8080, t->p),
           "https://[2001:db8::1]:80/crm", "an IPv6 host keeps its port");
    f.host = NULL;
    is_str(t, chats_fwd_base_url(&f, "http", "backend", 8080, t->p),
           "https://backend/crm", "a forwarded proto alone: no backend port");
}

static const tap_test_fn tests[] = {
    test_trust_list, test_x_forwarded, test_forwarded, test_values,
    test_base_url, NULL
};

const tap_suite_t tap_suite = { NULL, tests, NULL };
