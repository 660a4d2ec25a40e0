/* libFuzzer target: what trusted proxies forward (core/chats_forwarded.c):
 * ChatSessionTrustProxy arguments, node addresses, RFC 7239 Forwarded,
 * the X-Forwarded-* lists, the walk across trusted hops and the base URL
 * made of what it took.
 *
 * Input: up to six NUL-separated parts: Forwarded, X-Forwarded-For,
 * -Host, -Proto, -Port, -Prefix (a missing part: the header is absent).
 * The whole input is also tried as a trust-list argument and as a node.
 *
 * Invariants: whatever is taken is valid (host, proto http|https, port
 * 1-65535, prefix a checked path without a trailing '/'); hops stay
 * within the entries there are; the base URL is scheme://authority and
 * prefix, with no byte a URL would read as more (no space, controls,
 * '@', '?', '#', '\\', quotes). */
#include <strings.h>

#include <apr_lib.h>

#include "chats_forwarded.h"
#include "fuzz.h"

static void check_out(const chats_fwd_t *f, const char *url, int max_hops)
{
    const char *c;

    FUZZ_ASSERT(!f->host || chats_fwd_host_is_valid(f->host),
                "an invalid host taken");
    FUZZ_ASSERT(!f->proto || !strcmp(f->proto, "http")
                || !strcmp(f->proto, "https"), "a proto not http(s)");
    FUZZ_ASSERT(!f->port || (strlen(f->port) <= 5 && atoi(f->port) >= 1
                             && atoi(f->port) <= 65535), "a bad port taken");
    FUZZ_ASSERT(!f->prefix || !*f->prefix
                || (chats_fwd_prefix_is_valid(f->prefix)
                    && f->prefix[strlen(f->prefix) - 1] != '/'),
                "a bad prefix taken");
    FUZZ_ASSERT(f->hops >= 1 && f->hops <= max_hops, "hops out of range");
    FUZZ_ASSERT(!strncmp(url, "http://", 7) || !strncmp(url, "https://", 8),
                "a base URL with another scheme");
    for (c = url; *c; c++) {
        FUZZ_ASSERT((unsigned char)*c > 0x20 && (unsigned char)*c < 0x7f
                    && !strchr("@?#\\\"'<>`{}|^", *c),
                    "a base URL byte that would change its meaning");
    }
}

/* Entries a list can hold: commas + 1 (Forwarded's elements likewise). */
static int entries(const char *s)
{
    int n = 1;

    for (; s && *s; s++) {
        n += *s == ',';
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    const char *s = fuzz_strz(p, data, size), *parts[6] = { NULL };
    static const char *const trusted[] = { "127.0.0.1", "10.0.0.0/8",
                                           "2001:db8::/32", NULL };
    chats_fwd_trust_t *t = chats_fwd_trust_make(p), *u;
    chats_fwd_in_t in;
    chats_fwd_t f;
    size_t at = 0;
    int i, scheme;

    for (i = 0; trusted[i]; i++) {
        FUZZ_ASSERT(chats_fwd_trust_add(t, trusted[i], p) == NULL,
                    "a valid trust argument refused");
    }
    u = chats_fwd_trust_make(p);
    chats_fwd_trust_add(u, s, p);
    chats_fwd_trust_node(t, s, p);
    chats_fwd_host_is_valid(s);
    chats_fwd_prefix_is_valid(s);
    for (i = 0; i < 6 && at <= size; i++) {
        parts[i] = s + at;
        at += strlen(s + at) + 1;
    }
    in.forwarded = parts[0];
    in.xf_for = parts[1];
    in.xf_host = parts[2];
    in.xf_proto = parts[3];
    in.xf_port = parts[4];
    in.xf_prefix = parts[5];
    for (scheme = 0; scheme < 2; scheme++) {
        int max = scheme ? entries(in.forwarded) : entries(in.xf_for) + 1;

        chats_fwd_resolve(t, scheme, 1, &in, &f, p);
        check_out(&f, chats_fwd_base_url(&f, "http", "backend", 8080, p),
                  max);
        chats_fwd_resolve(t, scheme, 0, &in, &f, p);
        FUZZ_ASSERT(!f.host && !f.proto && !f.port && !f.prefix,
                    "an untrusted peer's header taken");
    }
    apr_pool_destroy(p);
    return 0;
}
