/* Unit tests of the webhook SSRF policy (issue 20, design §7,
 * modules/core/webhook/chats_netallow.c): the class of every special
 * range at its edges and one past them (IPv4 and IPv6, mapped, NAT64,
 * 6to4, Teredo, IPv4-compatible), the parser of ChatSessionWebhookAllow's
 * arguments, the decision table (scheme x list x address) with its
 * reasons, and the save-time check of a TargetUrl. The expected classes
 * are written out here from IANA's special-purpose registries, not
 * computed from the code's tables. No network. Prints TAP. */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <apr_strings.h>

#include "chats_netallow.h"
#include "tap.h"

typedef struct {
    const char *ip;
    chats_addr_class_e cls;
} class_case_t;

#define PUB CHATS_ADDR_PUBLIC
#define UNS CHATS_ADDR_UNSPECIFIED
#define LOO CHATS_ADDR_LOOPBACK
#define PRI CHATS_ADDR_PRIVATE
#define SHA CHATS_ADDR_SHARED
#define LNK CHATS_ADDR_LINK_LOCAL
#define MUL CHATS_ADDR_MULTICAST
#define BRO CHATS_ADDR_BROADCAST
#define DOC CHATS_ADDR_DOCUMENTATION
#define BEN CHATS_ADDR_BENCHMARK
#define PRO CHATS_ADDR_PROTOCOL
#define RES CHATS_ADDR_RESERVED
#define TER CHATS_ADDR_TEREDO

/* Each range: the address before it, its first, its last, the one after. */
static const class_case_t v4_cases[] = {
    { "0.0.0.0", UNS }, { "0.255.255.255", UNS }, { "1.0.0.0", PUB },
    { "9.255.255.255", PUB }, { "10.0.0.0", PRI }, { "10.255.255.255", PRI },
    { "11.0.0.0", PUB },
    { "100.63.255.255", PUB }, { "100.64.0.0", SHA },
    { "100.127.255.255", SHA }, { "100.128.0.0", PUB },
    { "126.255.255.255", PUB }, { "127.0.0.0", LOO }, { "127.0.0.1", LOO },
    { "127.255.255.255", LOO }, { "128.0.0.0", PUB },
    { "169.253.255.255", PUB }, { "169.254.0.0", LNK },
    { "169.254.169.254", LNK }, { "169.254.255.255", LNK },
    { "169.255.0.0", PUB },
    { "172.15.255.255", PUB }, { "172.16.0.0", PRI },
    { "172.31.255.255", PRI }, { "172.32.0.0", PUB },
    { "191.255.255.255", PUB }, { "192.0.0.0", PRO }, { "192.0.0.255", PRO },
    { "192.0.1.0", PUB }, { "192.0.1.255", PUB }, { "192.0.2.0", DOC },
    { "192.0.2.255", DOC }, { "192.0.3.0", PUB },
    { "192.88.98.255", PUB }, { "192.88.99.0", PRO },
    { "192.88.99.255", PRO }, { "192.88.100.0", PUB },
    { "192.167.255.255", PUB }, { "192.168.0.0", PRI },
    { "192.168.255.255", PRI }, { "192.169.0.0", PUB },
    { "198.17.255.255", PUB }, { "198.18.0.0", BEN },
    { "198.19.255.255", BEN }, { "198.20.0.0", PUB },
    { "198.51.99.255", PUB }, { "198.51.100.0", DOC },
    { "198.51.100.255", DOC }, { "198.51.101.0", PUB },
    { "203.0.112.255", PUB }, { "203.0.113.0", DOC },
    { "203.0.113.255", DOC }, { "203.0.114.0", PUB },
    { "223.255.255.255", PUB }, { "224.0.0.0", MUL },
    { "239.255.255.255", MUL }, { "240.0.0.0", RES },
    { "255.255.255.254", RES }, { "255.255.255.255", BRO },
    { "8.8.8.8", PUB }, { "1.1.1.1", PUB },
};

static const class_case_t v6_cases[] = {
    { "::", UNS }, { "::1", LOO }, { "::2", RES },
    /* IPv4-compatible (::a.b.c.d): refused whatever it carries */
    { "::a00:1", RES }, { "::808:808", RES },
    /* IPv4-mapped: the IPv4 address's class */
    { "::ffff:127.0.0.1", LOO }, { "::ffff:10.0.0.1", PRI },
    { "::ffff:169.254.169.254", LNK }, { "::ffff:8.8.8.8", PUB },
    { "::ffff:255.255.255.255", BRO },
    { "::fffe:808:808", RES }, { "::1:0:0:0", RES },
    /* NAT64 well-known prefix: the embedded address's class */
    { "64:ff9b::7f00:1", LOO }, { "64:ff9b::a9fe:a9fe", LNK },
    { "64:ff9b::a00:1", PRI }, { "64:ff9b::808:808", PUB },
    { "64:ff9b::1:0:0", RES }, { "64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff", RES },
    { "64:ff9b:1::1", PRI }, { "64:ff9b:1:ffff:ffff:ffff:ffff:ffff", PRI },
    { "100::", RES }, { "100::ffff:ffff:ffff:ffff", RES },
    { "1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", RES }, { "2000::", PUB },
    { "2001::", TER }, { "2001:0:ffff:ffff:ffff:ffff:ffff:ffff", TER },
    { "2001:1::", PUB }, { "2001:1:ffff:ffff:ffff:ffff:ffff:ffff", PUB },
    { "2001:2::", BEN }, { "2001:2:0:ffff:ffff:ffff:ffff:ffff", BEN },
    { "2001:2:1::", PUB },
    { "2001:f:ffff:ffff:ffff:ffff:ffff:ffff", PUB }, { "2001:10::", RES },
    { "2001:2f:ffff:ffff:ffff:ffff:ffff:ffff", RES }, { "2001:30::", PUB },
    { "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", PUB }, { "2001:db8::", DOC },
    { "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", DOC }, { "2001:db9::", PUB },
    { "2001:4860:4860::8888", PUB },
    /* 6to4: the relay's IPv4 address after 2002: */
    { "2002:7f00:1::", LOO }, { "2002:a00:1::1", PRI },
    { "2002:e000:1::", MUL }, { "2002:808:808::1", PUB },
    { "2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff", PUB }, { "2003::", PUB },
    { "3ffe:ffff::", PUB }, { "3fff::", DOC },
    { "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", DOC }, { "3fff:1000::", PUB },
    { "3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", PUB }, { "4000::", RES },
    { "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", RES }, { "fc00::", PRI },
    { "fd00::1", PRI }, { "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", PRI },
    { "fe00::", RES }, { "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", RES },
    { "fe80::", LNK }, { "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", LNK },
    { "fec0::", RES }, { "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", RES },
    { "ff00::", MUL }, { "ff02::1", MUL },
    { "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", MUL },
};

/* ip as a socket address in ss (v4 or v6); its length, 0 if no address. */
static apr_size_t sa_of(const char *ip, struct sockaddr_storage *ss)
{
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

    memset(ss, 0, sizeof(*ss));
    if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        return sizeof(*s4);
    }
    if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        return sizeof(*s6);
    }
    return 0;
}

static void check_classes(tap_t *t, const class_case_t *c, int n,
                          const char *fam)
{
    struct sockaddr_storage ss;
    int i, bad = 0;

    for (i = 0; i < n; i++) {
        apr_size_t len = sa_of(c[i].ip, &ss);
        chats_addr_class_e got =
            chats_netallow_classify((struct sockaddr *)&ss, len);

        if (len == 0 || got != c[i].cls) {
            printf("# %s: class %d (%s), want %d (%s)\n", c[i].ip, got,
                   chats_netallow_class_name(got), c[i].cls,
                   chats_netallow_class_name(c[i].cls));
            bad++;
        }
    }
    ok(t, bad == 0, apr_psprintf(t->p, "classify: %d %s addresses at every "
                                 "range's edges, and one past them", n, fam));
}

static void t_classify(tap_t *t)
{
    struct sockaddr_storage ss;
    apr_size_t len;

    check_classes(t, v4_cases, TAP_N(v4_cases), "IPv4");
    check_classes(t, v6_cases, TAP_N(v6_cases), "IPv6");
    memset(&ss, 0, sizeof(ss));
    ss.ss_family = AF_UNIX;
    ok(t, chats_netallow_classify((struct sockaddr *)&ss, sizeof(ss))
          == CHATS_ADDR_INVALID, "classify: AF_UNIX is not an IP address");
    len = sa_of("10.0.0.1", &ss);
    ok(t, chats_netallow_classify((struct sockaddr *)&ss, len - 1)
          == CHATS_ADDR_INVALID
          && chats_netallow_classify(NULL, 0) == CHATS_ADDR_INVALID,
       "classify: a short sockaddr, or none, is not an address");
}

/* The argument's verdict: "ok", or the error's message (field checked). */
static const char *add_verdict(tap_t *t, chats_netallow_t *a, const char *arg)
{
    chats_err_t *e = chats_netallow_add(t->p, a, arg);

    if (e == NULL) {
        return "ok";
    }
    if (e->code != CHATS_E_INVALID || !e->field
        || strcmp(e->field, "ChatSessionWebhookAllow") || !e->message
        || !strstr(e->message, apr_psprintf(t->p, "'%s'", arg))) {
        return "an error that does not name the directive and argument";
    }
    return e->message;
}

static void t_parse_good(tap_t *t)
{
    static const char *const good[] = {
        "http", "HTTP", "127.0.0.1", "127.0.0.0/8", "::1", "fd00::/8",
        "0.0.0.0/0", "::/0", "10.1.2.3/32", "::ffff:10.0.0.0/104",
        "2001:db8::/32", "10.0.0.0/08"
    };
    chats_netallow_t *a = chats_netallow_make(t->p);
    chats_netallow_net_t *n;
    int i, bad = 0;

    for (i = 0; i < TAP_N(good); i++) {
        const char *v = add_verdict(t, a, good[i]);

        if (strcmp(v, "ok")) {
            printf("# %s: %s\n", good[i], v);
            bad++;
        }
    }
    ok(t, bad == 0, "parse: http, addresses and subnets of both families");
    ok(t, a->http && a->nets->nelts == TAP_N(good) - 2,
       "parse: 'http' sets the flag, each other argument is one subnet");
    n = &APR_ARRAY_IDX(a->nets, 1, chats_netallow_net_t);
    ok(t, n->family == AF_INET && n->bits == 8 && n->addr[0] == 127,
       "parse: 127.0.0.0/8 is kept as given");
    n = &APR_ARRAY_IDX(a->nets, 7, chats_netallow_net_t);
    ok(t, n->family == AF_INET && n->bits == 8 && n->addr[0] == 10,
       "parse: ::ffff:10.0.0.0/104 is kept as the IPv4 10.0.0.0/8");
}

static void t_parse_bad(tap_t *t)
{
    static const struct { const char *arg, *why; } bad[] = {
        { "", "is not 'http'" }, { "https", "is not 'http'" },
        { "localhost", "is not 'http'" }, { "10.0.0", "is not 'http'" },
        { "010.0.0.1", "is not 'http'" }, { "[::1]", "is not 'http'" },
        { "fe80::1%eth0", "is not 'http'" }, { "1.2.3.4 ", "is not 'http'" },
        { "10.0.0.0/8/8", "prefix length" }, { "10.0.0.0/33", "0 to 32" },
        { "::/129", "0 to 128" }, { "10.0.0.0/", "prefix length" },
        { "10.0.0.0/-1", "prefix length" }, { "10.0.0.0/1234", "0 to 32" },
        { "10.0.0.0/ 8", "prefix length" },
        { "10.0.0.1/8", "bits set past its prefix" },
        { "fd00::1/8", "bits set past its prefix" },
    };
    chats_netallow_t *a = chats_netallow_make(t->p);
    const char *argv[] = { "http", "127.0.0.0/8", "bogus", "::1" };
    chats_netallow_t *pa = NULL;
    chats_err_t *e;
    int i, wrong = 0;

    for (i = 0; i < TAP_N(bad); i++) {
        const char *v = add_verdict(t, a, bad[i].arg);

        if (!strstr(v, bad[i].why)) {
            printf("# '%s': %s\n", bad[i].arg, v);
            wrong++;
        }
    }
    ok(t, wrong == 0, "parse: bad arguments refused, the error naming "
       "the directive and the argument, and saying what is wrong");
    ok(t, a->nets->nelts == 0 && !a->http,
       "parse: a refused argument adds nothing");
    e = chats_netallow_parse(t->p, TAP_N(argv), argv, &pa);
    ok(t, e && pa == NULL && strstr(e->message, "'bogus'"),
       "parse: a list with one bad argument is refused, naming it");
    e = chats_netallow_parse(t->p, 2, argv, &pa);
    ok(t, e == NULL && pa && pa->http && pa->nets->nelts == 1,
       "parse: a good list");
}

static int listed(const chats_netallow_t *a, const char *ip)
{
    struct sockaddr_storage ss;
    apr_size_t len = sa_of(ip, &ss);

    return chats_netallow_listed(a, (struct sockaddr *)&ss, len);
}

static void t_listed(tap_t *t)
{
    const char *argv[] = {
        "http", "127.0.0.1/32", "fd00::/8", "::ffff:10.0.0.0/104", "::1"
    };
    chats_netallow_t *a = NULL;

    ok(t, chats_netallow_parse(t->p, TAP_N(argv), argv, &a) == NULL,
       "listed: the list parses");
    ok(t, listed(a, "127.0.0.1") && !listed(a, "127.0.0.2")
          && !listed(a, "127.0.0.0"), "listed: a /32 holds its address only");
    ok(t, listed(a, "::ffff:127.0.0.1"),
       "listed: a v4-mapped address matches the IPv4 entry");
    ok(t, listed(a, "10.9.9.9") && listed(a, "::ffff:10.255.0.1")
          && !listed(a, "11.0.0.0"), "listed: a v4-mapped entry is IPv4");
    ok(t, listed(a, "fd12::1") && !listed(a, "fe00::1") && listed(a, "::1")
          && !listed(a, "::2"), "listed: IPv6 subnets and addresses");
    ok(t, !listed(a, "64:ff9b::7f00:1") && !listed(a, "2002:7f00:1::"),
       "listed: NAT64 and 6to4 addresses match as themselves, not as the "
       "IPv4 address they carry");
    ok(t, !listed(NULL, "127.0.0.1"), "listed: no list holds nothing");
}

/* "yes", or the reason. */
static const char *decide(tap_t *t, const char *list, int https,
                          const char *ip)
{
    chats_netallow_t *a = NULL;
    char *copy = apr_pstrdup(t->p, list), *last, *w;
    const char *argv[8];
    int argc = 0;
    const char *why;

    for (w = apr_strtok(copy, " ", &last); w && argc < 8;
         w = apr_strtok(NULL, " ", &last)) {
        argv[argc++] = w;
    }
    if (chats_netallow_parse(t->p, argc, argv, &a)) {
        return "bad list";
    }
    why = chats_netallow_check_text(t->p, a, https, ip);
    return why ? why : "yes";
}

static void t_decision(tap_t *t)
{
    /* list, scheme, address, want: "yes" or a reason's start */
    static const struct {
        const char *list; int https; const char *ip, *want;
    } cases[] = {
        { "", 1, "8.8.8.8", "yes" },
        { "http", 1, "2001:4860:4860::8888", "yes" },
        { "", 1, "127.0.0.1", "127.0.0.1 is loopback, not allowed by "
          "ChatSessionWebhookAllow" },
        { "http", 1, "127.0.0.1", "127.0.0.1 is loopback" },
        { "127.0.0.0/8", 1, "127.0.0.1", "yes" },
        { "http 127.0.0.0/8", 1, "127.0.0.1", "yes" },
        { "127.0.0.0/8", 1, "10.0.0.1", "10.0.0.1 is a private address" },
        { "", 0, "8.8.8.8", "8.8.8.8: plain http is not allowed" },
        { "http", 0, "8.8.8.8", "8.8.8.8: plain http goes only to the "
          "subnets ChatSessionWebhookAllow lists" },
        { "8.8.8.0/24", 0, "8.8.8.8", "8.8.8.8: plain http is not allowed" },
        { "http 8.8.8.0/24", 0, "8.8.8.8", "yes" },
        { "127.0.0.0/8", 0, "127.0.0.1", "127.0.0.1: plain http is not" },
        { "http", 0, "127.0.0.1", "127.0.0.1 is loopback" },
        { "http 127.0.0.0/8", 0, "127.0.0.1", "yes" },
        { "http 127.0.0.2/32", 0, "127.0.0.1", "127.0.0.1 is loopback" },
        { "http 127.0.0.0/8", 0, "::1", "::1 is loopback" },
        { "http 127.0.0.0/8", 0, "::ffff:127.0.0.9", "yes" },
        { "http ::1", 0, "::1", "yes" },
        { "", 1, "64:ff9b::a9fe:a9fe", "64:ff9b::a9fe:a9fe is link-local" },
        { "64:ff9b::/96", 1, "64:ff9b::a9fe:a9fe", "yes" },
        { "", 1, "2001::1", "2001::1 is Teredo" },
        { "", 1, "fe80::1%eth0", "fe80::1 is link-local" },
        { "", 1, "not-an-ip", "'not-an-ip' is not an IP address" },
        { "0.0.0.0/0", 1, "10.0.0.1", "yes" },
    };
    int i, bad = 0;

    for (i = 0; i < TAP_N(cases); i++) {
        const char *got = decide(t, cases[i].list, cases[i].https,
                                 cases[i].ip);

        if (strncmp(got, cases[i].want, strlen(cases[i].want))
            || (!strcmp(cases[i].want, "yes") && strcmp(got, "yes"))) {
            printf("# [%s] %s %s: got '%s', want '%s'\n", cases[i].list,
                   cases[i].https ? "https" : "http", cases[i].ip, got,
                   cases[i].want);
            bad++;
        }
    }
    ok(t, bad == 0, apr_psprintf(t->p, "decision: %d cases of list x scheme "
                                 "x address, with their reasons",
                                 TAP_N(cases)));
}

/* "ok", or the error's message, checked to name TargetUrl. */
static const char *url_verdict(tap_t *t, const chats_netallow_t *a,
                               const char *url)
{
    chats_err_t *e = chats_netallow_url_check(t->p, a, url);

    if (e == NULL) {
        return "ok";
    }
    if (e->code != CHATS_E_INVALID || !e->field
        || strcmp(e->field, "TargetUrl") || !e->message
        || strncmp(e->message, "TargetUrl ", 10)) {
        return "an error that does not name TargetUrl";
    }
    return e->message;
}

static int url_table(tap_t *t, const chats_netallow_t *a,
                     const char *const (*c)[2], int n)
{
    int i, bad = 0;

    for (i = 0; i < n; i++) {
        const char *got = url_verdict(t, a, c[i][0]);

        if (!strstr(got, c[i][1])) {
            printf("# %s: got '%s', want '%s'\n", c[i][0], got, c[i][1]);
            bad++;
        }
    }
    return bad;
}

static void t_url_default(tap_t *t)
{
    static const char *const cases[][2] = {
        { "https://example.com/hook", "ok" },
        { "https://example.com:8443/a?b=c", "ok" },
        { "HTTPS://Example.COM", "ok" }, { "https://8.8.8.8/", "ok" },
        { "https://[2001:4860:4860::8888]:443/x", "ok" },
        { "https://host_with_underscore.example/", "ok" },
        { "https://example.com:/", "ok" },
        { "http://example.com/", "plain http:" },
        { "ftp://example.com/", "not an absolute http: or https: URL" },
        { "example.com/hook", "not an absolute" },
        { "https:/example.com", "not an absolute" },
        { "", "is empty" },
        { "https://user:pw@example.com/", "user information" },
        { "https://example.com/#frag", "fragment" },
        { "https:///path", "has no host" }, { "https://", "has no host" },
        { "https://:443/", "has no host" },
        { "https://exa mple.com/", "a space" },
        { "https://ex\xc3\xa4mple.com/", "non-ASCII" },
        { "https://ex%61mple.com/", "not a plain host name" },
        { "https://example.com:0/", "port" },
        { "https://example.com:65536/", "port" },
        { "https://example.com:ab/", "port" },
        { "https://example.com:80:80/", "port" },
        { "https://[::1/", "closing ']'" },
        { "https://[::1]x/", "closing ']'" },
        { "https://[1.2.3.4]/", "not an IPv6 address" },
        { "https://127.0.0.1/", "127.0.0.1 is loopback" },
        { "https://10.0.0.1:8443/", "10.0.0.1 is a private address" },
        { "https://[::1]/", "::1 is loopback" },
        { "https://[fe80::1%25eth0]/", "fe80::1 is link-local" },
        { "https://[::ffff:169.254.169.254]/", "is link-local" },
        { "https://[64:ff9b::a9fe:a9fe]/", "is link-local" },
        { "https://127.1/", "127.0.0.1 is loopback" },
        { "https://0x7f000001/", "127.0.0.1 is loopback" },
        { "https://2130706433/", "127.0.0.1 is loopback" },
        { "https://0177.0.0.1/", "127.0.0.1 is loopback" },
        { "https://localhost/", "127.0.0.1 is loopback" },
        { "https://LOCALHOST:8080/", "127.0.0.1 is loopback" },
        { "https://a.localhost/", "127.0.0.1 is loopback" },
        { "https://notlocalhost/", "ok" },
    };
    chats_netallow_t *a = chats_netallow_make(t->p);
    char *longurl = apr_pstrcat(t->p, "https://example.com/",
                                apr_psprintf(t->p, "%02030d", 0), NULL);

    ok(t, url_table(t, a, cases, TAP_N(cases)) == 0,
       apr_psprintf(t->p, "TargetUrl: %d URLs under the default (empty) "
                    "list", TAP_N(cases)));
    ok(t, strstr(url_verdict(t, a, longurl), "longer than 2048") != NULL,
       "TargetUrl: over 2048 bytes refused");
    ok(t, strcmp(url_verdict(t, a, NULL), "ok") != 0,
       "TargetUrl: none is refused");
}

static void t_url_allowed(tap_t *t)
{
    static const char *const cases[][2] = {
        { "http://127.0.0.1:8080/hook", "ok" },
        { "http://localhost:8080/", "ok" },
        { "http://receiver.internal/", "ok" },
        { "https://127.0.0.2/", "ok" },
        { "http://[::1]:8080/", "::1 is loopback" },
        { "http://8.8.8.8/", "plain http goes only to the subnets" },
        { "http://10.0.0.1/", "10.0.0.1 is a private address" },
        { "https://10.0.0.1/", "10.0.0.1 is a private address" },
        { "https://8.8.8.8/", "ok" },
    };
    const char *argv[] = { "http", "127.0.0.0/8" };
    chats_netallow_t *a = NULL;

    chats_netallow_parse(t->p, TAP_N(argv), argv, &a);
    ok(t, url_table(t, a, cases, TAP_N(cases)) == 0,
       "TargetUrl: under 'http 127.0.0.0/8', plain http to the listed "
       "subnet only; names pass (judged on connect)");
}

static const tap_test_fn tests[] = {
    t_classify, t_parse_good, t_parse_bad, t_listed, t_decision,
    t_url_default, t_url_allowed, NULL
};

const tap_suite_t tap_suite = { NULL, tests, NULL };
