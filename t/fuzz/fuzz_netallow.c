/* libFuzzer target: the webhook SSRF policy (core/webhook/chats_netallow.c)
 * and the LastError escaping (core/webhook/chats_webhook_retry.c).
 *
 * Input: byte 0 is flags (bit 0: the scheme is https), then NUL-separated
 * parts: up to 6 arguments of ChatSessionWebhookAllow, a TargetUrl, an
 * address text, and the rest (bytes a receiver could send back).
 *
 * Invariants: an argument the parser takes makes a subnet of a known
 * family, its prefix in range and no host bit set (or sets 'http'); a
 * refused one adds nothing and the error names the directive. A TargetUrl
 * accepted is printable ASCII, http: or https:, with no '#' and no
 * user information; one refused names TargetUrl. An address's decision
 * is the same twice, is "yes" for https to a public address, and an
 * IPv4 address has the class of its IPv4-mapped and NAT64 forms. The
 * escaped text is valid UTF-8 without control characters, and no longer
 * than 4 bytes per byte taken plus "...". */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <strings.h>

#include "chats_netallow.h"
#include "chats_webhook_retry.h"
#include "fuzz.h"

#define NARGS 6

static void check_args(apr_pool_t *p, chats_netallow_t *a,
                       const char *const *args)
{
    int i;

    for (i = 0; i < NARGS; i++) {
        int before = a->nets->nelts;
        chats_err_t *e = chats_netallow_add(p, a, args[i]);

        if (e) {
            FUZZ_ASSERT(a->nets->nelts == before && e->field
                        && !strcmp(e->field, "ChatSessionWebhookAllow"),
                        "a refused argument added something, or unnamed");
            continue;
        }
        if (a->nets->nelts > before) {
            const chats_netallow_net_t *n = &APR_ARRAY_IDX(a->nets,
                a->nets->nelts - 1, chats_netallow_net_t);
            int max = n->family == AF_INET ? 32 : 128, b;

            FUZZ_ASSERT(n->family == AF_INET || n->family == AF_INET6,
                        "a subnet of no family");
            FUZZ_ASSERT(n->bits >= 0 && n->bits <= max,
                        "a prefix out of range");
            for (b = n->bits; b < max; b++) {
                FUZZ_ASSERT(!(n->addr[b / 8] & (0x80 >> (b % 8))),
                            "a subnet with host bits set");
            }
        }
        else {
            FUZZ_ASSERT(a->http && !strcasecmp(args[i], "http"),
                        "an argument taken that made nothing");
        }
    }
}

static void check_url(apr_pool_t *p, const chats_netallow_t *a,
                      const char *url)
{
    chats_err_t *e = chats_netallow_url_check(p, a, url);
    const char *c, *rest;

    if (e) {
        FUZZ_ASSERT(e->field && !strcmp(e->field, "TargetUrl")
                    && !strncmp(e->message, "TargetUrl ", 10),
                    "a TargetUrl error that does not name it");
        return;
    }
    for (c = url; *c; c++) {
        FUZZ_ASSERT(*c > 0x20 && *c < 0x7f, "a URL with a byte not printable");
    }
    FUZZ_ASSERT(!strncasecmp(url, "https://", 8)
                || (!strncasecmp(url, "http://", 7) && a->http),
                "a URL accepted that is not https (or http when allowed)");
    rest = strstr(url, "//") + 2;
    FUZZ_ASSERT(!strchr(url, '#'), "a URL with a fragment accepted");
    FUZZ_ASSERT(!memchr(rest, '@', strcspn(rest, "/?")),
                "a URL with user information accepted");
}

/* The class of 4 bytes as IPv4, as ::ffff:a.b.c.d, as 64:ff9b::a.b.c.d. */
static void check_forms(const unsigned char *v4)
{
    struct sockaddr_in s4;
    struct sockaddr_in6 s6;
    chats_addr_class_e c;

    memset(&s4, 0, sizeof(s4));
    memset(&s6, 0, sizeof(s6));
    s4.sin_family = AF_INET;
    memcpy(&s4.sin_addr, v4, 4);
    c = chats_netallow_classify((struct sockaddr *)&s4, sizeof(s4));
    s6.sin6_family = AF_INET6;
    s6.sin6_addr.s6_addr[10] = s6.sin6_addr.s6_addr[11] = 0xff;
    memcpy(s6.sin6_addr.s6_addr + 12, v4, 4);
    FUZZ_ASSERT(chats_netallow_classify((struct sockaddr *)&s6, sizeof(s6))
                == c, "a v4-mapped address classed unlike its IPv4");
    memset(s6.sin6_addr.s6_addr, 0, 12);
    s6.sin6_addr.s6_addr[1] = 0x64;
    s6.sin6_addr.s6_addr[2] = 0xff;
    s6.sin6_addr.s6_addr[3] = 0x9b;
    FUZZ_ASSERT(chats_netallow_classify((struct sockaddr *)&s6, sizeof(s6))
                == c, "a NAT64 address classed unlike its IPv4");
}

static void check_ip(apr_pool_t *p, const chats_netallow_t *a, int https,
                     const char *ip)
{
    const char *w1 = chats_netallow_check_text(p, a, https, ip);
    const char *w2 = chats_netallow_check_text(p, a, https, ip);
    struct sockaddr_in s4;

    FUZZ_ASSERT((w1 == NULL) == (w2 == NULL)
                && (!w1 || !strcmp(w1, w2)), "a decision not repeatable");
    memset(&s4, 0, sizeof(s4));
    s4.sin_family = AF_INET;
    if (inet_pton(AF_INET, ip, &s4.sin_addr) == 1) {
        check_forms((const unsigned char *)&s4.sin_addr);
        if (https && chats_netallow_classify((struct sockaddr *)&s4,
                                             sizeof(s4)) == CHATS_ADDR_PUBLIC) {
            FUZZ_ASSERT(w1 == NULL, "https to a public address refused");
        }
    }
}

static void check_escape(apr_pool_t *p, const char *s, size_t n)
{
    const char *out = chats_webhook_escape(p, s, n, 300);
    size_t len = strlen(out), i;

    FUZZ_ASSERT(len <= (n < 300 ? n : 300) * 4 + 3, "escaped text too long");
    FUZZ_ASSERT(chats_utf8_valid(out, len), "escaped text not UTF-8");
    for (i = 0; i < len; i++) {
        FUZZ_ASSERT((unsigned char)out[i] >= 0x20 && out[i] != 0x7f,
                    "a control character escaped through");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    const char *s, *parts[NARGS + 3];
    chats_netallow_t *a;
    size_t at = 0, n, rest;
    int i;

    if (size < 1) {
        apr_pool_destroy(p);
        return 0;
    }
    s = fuzz_strz(p, data + 1, size - 1);
    n = size - 1;
    for (i = 0; i < NARGS + 2; i++) {
        parts[i] = at <= n ? s + at : "";
        at += strlen(parts[i]) + 1;
    }
    /* the rest, NULs and all */
    rest = at <= n ? n - at : 0;
    parts[NARGS + 2] = at <= n ? s + at : "";
    a = chats_netallow_make(p);
    check_args(p, a, parts);
    check_url(p, a, parts[NARGS]);
    check_ip(p, a, data[0] & 1, parts[NARGS + 1]);
    check_escape(p, parts[NARGS + 2], rest);
    apr_pool_destroy(p);
    return 0;
}
