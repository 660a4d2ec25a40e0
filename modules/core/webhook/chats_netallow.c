/* The SSRF policy of webhook deliveries (chats_netallow.h says the rule).
 * Tables of special-purpose ranges from IANA's IPv4 and IPv6
 * Special-Purpose Address Registries (RFC 6890 and its updates); the
 * first row that holds an address decides its class. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "chats_netallow.h"

#define DIRECTIVE "ChatSessionWebhookAllow"
#define URL_MAX 2048

typedef struct {
    apr_uint32_t net;          /* host byte order */
    int bits;
    chats_addr_class_e cls;
} v4_range_t;

#define V4(a, b, c, d) \
    (((apr_uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))

static const v4_range_t v4_ranges[] = {
    { V4(0, 0, 0, 0), 8, CHATS_ADDR_UNSPECIFIED },
    { V4(10, 0, 0, 0), 8, CHATS_ADDR_PRIVATE },
    { V4(100, 64, 0, 0), 10, CHATS_ADDR_SHARED },
    { V4(127, 0, 0, 0), 8, CHATS_ADDR_LOOPBACK },
    { V4(169, 254, 0, 0), 16, CHATS_ADDR_LINK_LOCAL },
    { V4(172, 16, 0, 0), 12, CHATS_ADDR_PRIVATE },
    { V4(192, 0, 0, 0), 24, CHATS_ADDR_PROTOCOL },
    { V4(192, 0, 2, 0), 24, CHATS_ADDR_DOCUMENTATION },
    { V4(192, 88, 99, 0), 24, CHATS_ADDR_PROTOCOL },
    { V4(192, 168, 0, 0), 16, CHATS_ADDR_PRIVATE },
    { V4(198, 18, 0, 0), 15, CHATS_ADDR_BENCHMARK },
    { V4(198, 51, 100, 0), 24, CHATS_ADDR_DOCUMENTATION },
    { V4(203, 0, 113, 0), 24, CHATS_ADDR_DOCUMENTATION },
    { V4(224, 0, 0, 0), 4, CHATS_ADDR_MULTICAST },
    /* before 240/4, which holds it */
    { V4(255, 255, 255, 255), 32, CHATS_ADDR_BROADCAST },
    { V4(240, 0, 0, 0), 4, CHATS_ADDR_RESERVED },
};

/* An IPv6 row either gives a class or says where the IPv4 address it
 * carries starts (v4_at >= 0): that address's class is the class. */
typedef struct {
    unsigned char net[16];
    int bits;
    chats_addr_class_e cls;
    int v4_at;
} v6_range_t;

static const v6_range_t v6_ranges[] = {
    { { 0 }, 128, CHATS_ADDR_UNSPECIFIED, -1 },
    { { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, 128,
      CHATS_ADDR_LOOPBACK, -1 },
    /* ::ffff:0:0/96, IPv4-mapped (listed() compares it as v4 too) */
    { { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff }, 96, 0, 12 },
    /* ::/96, IPv4-compatible (deprecated by RFC 4291) */
    { { 0 }, 96, CHATS_ADDR_RESERVED, -1 },
    /* 64:ff9b::/96, NAT64 well-known prefix (RFC 6052) */
    { { 0, 0x64, 0xff, 0x9b }, 96, 0, 12 },
    /* 64:ff9b:1::/48, local-use NAT64 (RFC 8215) */
    { { 0, 0x64, 0xff, 0x9b, 0, 1 }, 48, CHATS_ADDR_PRIVATE, -1 },
    /* 100::/64, discard-only */
    { { 0x01, 0 }, 64, CHATS_ADDR_RESERVED, -1 },
    /* 2001:2::/48 benchmarking, before Teredo's 2001::/32 which holds it */
    { { 0x20, 0x01, 0, 0x02 }, 48, CHATS_ADDR_BENCHMARK, -1 },
    /* 2001::/32, Teredo: the peer's address is hidden in it */
    { { 0x20, 0x01, 0, 0 }, 32, CHATS_ADDR_TEREDO, -1 },
    /* 2001:10::/28 and 2001:20::/28, ORCHID and ORCHIDv2 */
    { { 0x20, 0x01, 0, 0x10 }, 28, CHATS_ADDR_RESERVED, -1 },
    { { 0x20, 0x01, 0, 0x20 }, 28, CHATS_ADDR_RESERVED, -1 },
    /* 2001:db8::/32 and 3fff::/20, documentation */
    { { 0x20, 0x01, 0x0d, 0xb8 }, 32, CHATS_ADDR_DOCUMENTATION, -1 },
    { { 0x3f, 0xff }, 20, CHATS_ADDR_DOCUMENTATION, -1 },
    /* 2002::/16, 6to4: the relay's IPv4 address follows the prefix */
    { { 0x20, 0x02 }, 16, 0, 2 },
    { { 0xfc }, 7, CHATS_ADDR_PRIVATE, -1 },
    { { 0xfe, 0x80 }, 10, CHATS_ADDR_LINK_LOCAL, -1 },
    { { 0xff }, 8, CHATS_ADDR_MULTICAST, -1 },
};

static int prefix_match(const unsigned char *a, const unsigned char *net,
                        int bits)
{
    int whole = bits / 8, rest = bits % 8;

    if (memcmp(a, net, whole)) {
        return 0;
    }
    return rest == 0
        || ((a[whole] ^ net[whole]) & (0xff << (8 - rest)) & 0xff) == 0;
}

static chats_addr_class_e classify_v4(const unsigned char *b)
{
    apr_uint32_t a = V4(b[0], b[1], b[2], b[3]);
    int i;

    for (i = 0; i < (int)(sizeof(v4_ranges) / sizeof(v4_ranges[0])); i++) {
        const v4_range_t *r = &v4_ranges[i];
        apr_uint32_t mask = r->bits ? 0xffffffffu << (32 - r->bits) : 0;

        if ((a & mask) == r->net) {
            return r->cls;
        }
    }
    return CHATS_ADDR_PUBLIC;
}

static chats_addr_class_e classify_v6(const unsigned char *b)
{
    int i;

    for (i = 0; i < (int)(sizeof(v6_ranges) / sizeof(v6_ranges[0])); i++) {
        const v6_range_t *r = &v6_ranges[i];

        if (prefix_match(b, r->net, r->bits)) {
            return r->v4_at >= 0 ? classify_v4(b + r->v4_at) : r->cls;
        }
    }
    /* Only 2000::/3 is global unicast today; the rest is unassigned or
     * special, and nothing a receiver should sit on. */
    return (b[0] & 0xe0) == 0x20 ? CHATS_ADDR_PUBLIC : CHATS_ADDR_RESERVED;
}

static int is_v4_mapped(const unsigned char *b)
{
    static const unsigned char mapped[16] = {
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
    };

    return prefix_match(b, mapped, 96);
}

/* The address bytes of sa as compared with the list: family and 4 or 16
 * bytes, a v4-mapped IPv6 address as its IPv4 address. 0: not v4/v6. */
static int addr_bytes(const struct sockaddr *sa, apr_size_t salen,
                      unsigned char *out)
{
    if (sa && sa->sa_family == AF_INET
        && salen >= sizeof(struct sockaddr_in)) {
        memcpy(out, &((const struct sockaddr_in *)sa)->sin_addr, 4);
        return AF_INET;
    }
    if (sa && sa->sa_family == AF_INET6
        && salen >= sizeof(struct sockaddr_in6)) {
        const unsigned char *b =
            ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;

        if (is_v4_mapped(b)) {
            memcpy(out, b + 12, 4);
            return AF_INET;
        }
        memcpy(out, b, 16);
        return AF_INET6;
    }
    return 0;
}

chats_addr_class_e chats_netallow_classify(const struct sockaddr *sa,
                                           apr_size_t salen)
{
    unsigned char b[16];
    int fam = addr_bytes(sa, salen, b);

    return fam == AF_INET ? classify_v4(b)
         : fam == AF_INET6 ? classify_v6(b) : CHATS_ADDR_INVALID;
}

const char *chats_netallow_class_name(chats_addr_class_e c)
{
    static const char *const names[] = {
        "public", "unspecified", "loopback", "a private address",
        "shared address space (carrier-grade NAT)", "link-local",
        "multicast", "broadcast", "a documentation address",
        "a benchmarking address", "reserved for IETF protocols",
        "reserved", "Teredo", "not an IP address"
    };

    return (int)c >= 0 && (int)c < (int)(sizeof(names) / sizeof(names[0]))
        ? names[c] : "not an IP address";
}

chats_netallow_t *chats_netallow_make(apr_pool_t *p)
{
    chats_netallow_t *a = apr_pcalloc(p, sizeof(*a));

    a->nets = apr_array_make(p, 4, sizeof(chats_netallow_net_t));
    return a;
}

int chats_netallow_listed(const chats_netallow_t *allow,
                          const struct sockaddr *sa, apr_size_t salen)
{
    unsigned char b[16];
    int fam = addr_bytes(sa, salen, b), i;

    for (i = 0; fam && allow && allow->nets && i < allow->nets->nelts; i++) {
        const chats_netallow_net_t *n =
            &APR_ARRAY_IDX(allow->nets, i, chats_netallow_net_t);

        if (n->family == fam && prefix_match(b, n->addr, n->bits)) {
            return 1;
        }
    }
    return 0;
}

/* The prefix length after '/', or -1 if it is not 1-3 digits <= max. */
static int parse_bits(const char *s, int max)
{
    int v = 0, n = 0;

    for (; *s; s++, n++) {
        if (!apr_isdigit(*s) || n == 3) {
            return -1;
        }
        v = v * 10 + (*s - '0');
    }
    return n == 0 || v > max ? -1 : v;
}

static chats_err_t *arg_err(apr_pool_t *p, const char *arg, const char *why)
{
    return chats_err_make(p, CHATS_E_INVALID, DIRECTIVE,
                          DIRECTIVE " '%s': %s", arg, why);
}

/* Text before the '/' (or all of it) into n, as a v4 or v6 address. */
static int parse_net_addr(const char *text, chats_netallow_net_t *n)
{
    memset(n, 0, sizeof(*n));
    if (inet_pton(AF_INET, text, n->addr) == 1) {
        n->family = AF_INET;
        n->bits = 32;
    }
    else if (inet_pton(AF_INET6, text, n->addr) == 1) {
        n->family = AF_INET6;
        n->bits = 128;
    }
    return n->family;
}

static int host_bits_clear(const chats_netallow_net_t *n)
{
    int i;

    for (i = n->bits; i < (n->family == AF_INET ? 32 : 128); i++) {
        if (n->addr[i / 8] & (0x80 >> (i % 8))) {
            return 0;
        }
    }
    return 1;
}

chats_err_t *chats_netallow_add(apr_pool_t *p, chats_netallow_t *allow,
                                const char *arg)
{
    chats_netallow_net_t n;
    const char *slash;
    char *addr;

    if (!strcasecmp(arg, "http")) {
        allow->http = 1;
        return NULL;
    }
    slash = strchr(arg, '/');
    addr = apr_pstrndup(p, arg, slash ? (apr_size_t)(slash - arg)
                                      : strlen(arg));
    if (!parse_net_addr(addr, &n)) {
        return arg_err(p, arg, "is not 'http', an IP address or a subnet "
                       "(10.1.2.0/24, fd00::/8)");
    }
    if (slash && (n.bits = parse_bits(slash + 1, n.bits)) < 0) {
        return arg_err(p, arg, n.family == AF_INET
                       ? "the prefix length of an IPv4 subnet is 0 to 32"
                       : "the prefix length of an IPv6 subnet is 0 to 128");
    }
    if (!host_bits_clear(&n)) {
        return arg_err(p, arg, "has address bits set past its prefix "
                       "length: give the subnet's first address");
    }
    if (n.family == AF_INET6 && n.bits >= 96 && is_v4_mapped(n.addr)) {
        memmove(n.addr, n.addr + 12, 4);
        memset(n.addr + 4, 0, 12);
        n.family = AF_INET;
        n.bits -= 96;
    }
    APR_ARRAY_PUSH(allow->nets, chats_netallow_net_t) = n;
    return NULL;
}

chats_err_t *chats_netallow_parse(apr_pool_t *p, int argc,
                                  const char *const *argv,
                                  chats_netallow_t **pallow)
{
    chats_netallow_t *a = chats_netallow_make(p);
    chats_err_t *e;
    int i;

    for (i = 0; i < argc; i++) {
        if ((e = chats_netallow_add(p, a, argv[i])) != NULL) {
            return e;
        }
    }
    *pallow = a;
    return NULL;
}

static const char *addr_text(apr_pool_t *p, const struct sockaddr *sa)
{
    char buf[INET6_ADDRSTRLEN];
    const void *a = sa->sa_family == AF_INET
        ? (const void *)&((const struct sockaddr_in *)sa)->sin_addr
        : (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr;

    return inet_ntop(sa->sa_family, a, buf, sizeof(buf))
        ? apr_pstrdup(p, buf) : "?";
}

const char *chats_netallow_check(apr_pool_t *p, const chats_netallow_t *allow,
                                 int https, const struct sockaddr *sa,
                                 apr_size_t salen)
{
    chats_addr_class_e c = chats_netallow_classify(sa, salen);
    int listed = chats_netallow_listed(allow, sa, salen);

    if (c == CHATS_ADDR_INVALID) {
        return "the address connected to is not an IPv4 or IPv6 address";
    }
    if (!https && !(allow && allow->http)) {
        return apr_psprintf(p, "%s: plain http is not allowed by "
                            DIRECTIVE " (it has no 'http')",
                            addr_text(p, sa));
    }
    if (listed || (https && c == CHATS_ADDR_PUBLIC)) {
        return NULL;
    }
    if (c == CHATS_ADDR_PUBLIC) {
        return apr_psprintf(p, "%s: plain http goes only to the subnets "
                            DIRECTIVE " lists", addr_text(p, sa));
    }
    return apr_psprintf(p, "%s is %s, not allowed by " DIRECTIVE,
                        addr_text(p, sa), chats_netallow_class_name(c));
}

/* text (an IPv6 zone cut off) as a socket address in ss; 0 if it is
 * none. numeric_forms: also what inet_aton reads ("127.1", "0x7f.1"),
 * as a resolver does for a host name of that shape. */
static int text_to_sockaddr(const char *text, int numeric_forms,
                            struct sockaddr_storage *ss, apr_size_t *plen)
{
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
    char buf[INET6_ADDRSTRLEN + 1];
    apr_size_t n = strcspn(text, "%");

    memset(ss, 0, sizeof(*ss));
    if (n >= sizeof(buf)) {
        return 0;
    }
    memcpy(buf, text, n);
    buf[n] = '\0';
    if (inet_pton(AF_INET, buf, &s4->sin_addr) == 1
        || (numeric_forms && buf[strspn(buf, "0123456789abcdefABCDEFxX.")]
                             == '\0' && inet_aton(buf, &s4->sin_addr))) {
        s4->sin_family = AF_INET;
        *plen = sizeof(*s4);
        return 1;
    }
    if (inet_pton(AF_INET6, buf, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        *plen = sizeof(*s6);
        return 1;
    }
    return 0;
}

const char *chats_netallow_check_text(apr_pool_t *p,
                                      const chats_netallow_t *allow,
                                      int https, const char *ip)
{
    struct sockaddr_storage ss;
    apr_size_t len;

    if (!ip || !text_to_sockaddr(ip, 0, &ss, &len)) {
        return apr_psprintf(p, "'%s' is not an IP address",
                            ip ? ip : "(none)");
    }
    return chats_netallow_check(p, allow, https, (struct sockaddr *)&ss, len);
}

/* ------------------------------------------------------------ TargetUrl */

static chats_err_t *url_err(apr_pool_t *p, const char *why)
{
    return chats_err_make(p, CHATS_E_INVALID, "TargetUrl", "TargetUrl %s",
                          why);
}

/* The scheme: 1 https, 0 http, -1 neither; *prest after "://". */
static int url_scheme(const char *url, const char **prest)
{
    if (!strncasecmp(url, "https://", 8)) {
        *prest = url + 8;
        return 1;
    }
    if (!strncasecmp(url, "http://", 7)) {
        *prest = url + 7;
        return 0;
    }
    return -1;
}

/* Split the authority a .. a+n into host and port; NULL or the error. */
static const char *split_authority(apr_pool_t *p, const char *a, apr_size_t n,
                                   const char **phost, int *pbracket)
{
    const char *port = NULL, *end = a + n, *c;

    *pbracket = a < end && *a == '[';
    if (*pbracket) {
        const char *close = memchr(a, ']', n);

        if (!close || (close + 1 < end && close[1] != ':')) {
            return "has an IPv6 host without its closing ']'";
        }
        *phost = apr_pstrndup(p, a + 1, close - a - 1);
        port = close + 1 < end ? close + 2 : NULL;
    }
    else {
        const char *colon = memchr(a, ':', n);

        *phost = apr_pstrndup(p, a, colon ? (apr_size_t)(colon - a) : n);
        port = colon ? colon + 1 : NULL;
        for (c = *phost; *c; c++) {
            if (!apr_isalnum(*c) && *c != '-' && *c != '.' && *c != '_') {
                return "has a host that is not a plain host name (letters, "
                       "digits, '-', '.'; an IDN in its xn-- form)";
            }
        }
    }
    if (!**phost) {
        return "has no host";
    }
    if (port && port < end) {
        int v = 0;

        for (c = port; c < end; c++) {
            if (!apr_isdigit(*c) || (v = v * 10 + (*c - '0')) > 65535) {
                return "has a port that is not a number from 1 to 65535";
            }
        }
        if (v == 0) {
            return "has a port that is not a number from 1 to 65535";
        }
    }
    return NULL;
}

/* The host's verdict: NULL (a name, or an address the rule lets
 * connect) or the error. */
static chats_err_t *url_host_check(apr_pool_t *p,
                                   const chats_netallow_t *allow, int https,
                                   const char *host, int bracket)
{
    struct sockaddr_storage ss;
    apr_size_t len, n = strlen(host);
    const char *why;

    if (bracket) {
        /* RFC 6874 zone: "%25eth0" */
        if (strchr(host, ':') == NULL
            || !text_to_sockaddr(host, 0, &ss, &len)
            || ((struct sockaddr *)&ss)->sa_family != AF_INET6) {
            return url_err(p, "has a [...] host that is not an IPv6 address");
        }
    }
    else if (!strcasecmp(host, "localhost")
             || (n > 10 && !strcasecmp(host + n - 10, ".localhost"))) {
        /* RFC 6761: resolvers (libcurl's too) answer loopback for these */
        text_to_sockaddr("127.0.0.1", 0, &ss, &len);
    }
    else if (!text_to_sockaddr(host, 1, &ss, &len)) {
        return NULL;
    }
    why = chats_netallow_check(p, allow, https, (struct sockaddr *)&ss, len);
    return why ? url_err(p, apr_pstrcat(p, "is refused: ", why, NULL)) : NULL;
}

chats_err_t *chats_netallow_url_check(apr_pool_t *p,
                                      const chats_netallow_t *allow,
                                      const char *url)
{
    const char *rest, *c, *host, *why;
    int https, bracket;
    apr_size_t n;

    if (!url || !*url) {
        return url_err(p, "is empty");
    }
    for (c = url; *c; c++) {
        if (*c <= 0x20 || *c >= 0x7f) {
            return url_err(p, "holds a space, a control character or a "
                           "non-ASCII byte (percent-encode it)");
        }
    }
    if (c - url > URL_MAX) {
        return url_err(p, "is longer than 2048 bytes");
    }
    if ((https = url_scheme(url, &rest)) < 0) {
        return url_err(p, "is not an absolute http: or https: URL");
    }
    if (strchr(url, '#')) {
        return url_err(p, "has a fragment ('#')");
    }
    n = strcspn(rest, "/?");
    if (memchr(rest, '@', n)) {
        return url_err(p, "has user information ('user@'): put credentials "
                       "in the webhook's Headers");
    }
    if ((why = split_authority(p, rest, n, &host, &bracket)) != NULL) {
        return url_err(p, why);
    }
    if (!https && !(allow && allow->http)) {
        return url_err(p, "is plain http:, which " DIRECTIVE " does not "
                       "allow (it has no 'http'): use https:");
    }
    return url_host_check(p, allow, https, host, bracket);
}
