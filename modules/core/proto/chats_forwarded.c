/* Trusted proxies and the headers they add (chats_forwarded.h). Every
 * proxy appends to what its client sent, so a header's rightmost entries
 * are the trustworthy ones: a client-sent X-Forwarded-Host stays at the
 * left, past the first untrusted hop, where the walk never reaches. */
#include <arpa/inet.h>
#include <string.h>

#include <apr_escape.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "chats_forwarded.h"

struct chats_fwd_trust_t {
    apr_array_header_t *nets;   /* apr_ipsubnet_t * */
    int any;                    /* "On": every peer, one hop */
};

/* Longest value taken from a header: a host name is at most 255. */
#define FWD_MAX_VALUE 255

chats_fwd_trust_t *chats_fwd_trust_make(apr_pool_t *p)
{
    chats_fwd_trust_t *t = apr_pcalloc(p, sizeof(*t));

    t->nets = apr_array_make(p, 2, sizeof(apr_ipsubnet_t *));
    return t;
}

/* 1 if s is an IPv4 or IPv6 literal, strictly (no "1.2.3", no names). */
static int is_ip_literal(const char *s)
{
    unsigned char buf[16];

    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

const char *chats_fwd_trust_add(chats_fwd_trust_t *t, const char *arg,
                                apr_pool_t *p)
{
    char *ip = apr_pstrdup(p, arg), *mask = strchr(ip, '/');
    apr_ipsubnet_t *net;
    apr_status_t rv;

    if (!strcasecmp(arg, "On")) {
        t->any = 1;
        return NULL;
    }
    if (mask) {
        *mask++ = '\0';
    }
    /* Names are refused: a proxy is trusted by the address it connects
     * from, which a DNS answer at start-up would only guess. */
    if (!is_ip_literal(ip)) {
        return apr_psprintf(p, "'%s' is not an IP address or subnet "
                            "(e.g. 10.0.0.0/8, 192.0.2.7, ::1)", arg);
    }
    rv = apr_ipsubnet_create(&net, ip, mask, p);
    if (rv != APR_SUCCESS) {
        return apr_psprintf(p, "'%s' is not a valid subnet (%pm)", arg, &rv);
    }
    APR_ARRAY_PUSH(t->nets, apr_ipsubnet_t *) = net;
    return NULL;
}

int chats_fwd_trust_any(const chats_fwd_trust_t *t)
{
    return t && (t->any || t->nets->nelts > 0);
}

static int in_nets(const chats_fwd_trust_t *t, apr_sockaddr_t *sa)
{
    int i;

    for (i = 0; i < t->nets->nelts; i++) {
        if (apr_ipsubnet_test(APR_ARRAY_IDX(t->nets, i, apr_ipsubnet_t *),
                              sa)) {
            return 1;
        }
    }
    return 0;
}

int chats_fwd_trust_peer(const chats_fwd_trust_t *t, apr_sockaddr_t *sa)
{
    return t && sa && (t->any || in_nets(t, sa));
}

/* The address in a node: "[v6]:port", "[v6]", "v4:port", "v4", "v6". */
static const char *node_address(const char *node, apr_pool_t *p)
{
    const char *colon;

    if (*node == '[') {
        const char *close = strchr(node, ']');

        if (!close || (close[1] != '\0' && close[1] != ':')) {
            return NULL;
        }
        return apr_pstrmemdup(p, node + 1, (apr_size_t)(close - node - 1));
    }
    colon = strchr(node, ':');
    if (colon && !strchr(colon + 1, ':')) {
        return apr_pstrmemdup(p, node, (apr_size_t)(colon - node));
    }
    return node;
}

int chats_fwd_trust_node(const chats_fwd_trust_t *t, const char *node,
                         apr_pool_t *p)
{
    const char *ip;
    apr_sockaddr_t *sa;

    if (!t || t->nets->nelts == 0 || !node
        || (ip = node_address(node, p)) == NULL || !is_ip_literal(ip)) {
        return 0;
    }
    /* A numeric literal: resolved without any lookup. */
    if (apr_sockaddr_info_get(&sa, ip, APR_UNSPEC, 0, 0, p) != APR_SUCCESS) {
        return 0;
    }
    return in_nets(t, sa);
}

/* ------------------------------------------------------------ values */

/* "1".."65535", digits only. */
static int port_is_valid(const char *s)
{
    long v = 0;
    const char *c;

    if (!*s || strlen(s) > 5) {
        return 0;
    }
    for (c = s; *c; c++) {
        if (!apr_isdigit(*c)) {
            return 0;
        }
        v = v * 10 + (*c - '0');
    }
    return v >= 1 && v <= 65535;
}

/* "[v6]" followed by nothing or ":port". */
static int bracket_host_is_valid(const char *s)
{
    const char *close = strchr(s, ']');
    unsigned char buf[16];
    char v6[INET6_ADDRSTRLEN + 1];
    apr_size_t n;

    if (!close || (n = (apr_size_t)(close - s - 1)) == 0 || n >= sizeof(v6)) {
        return 0;
    }
    memcpy(v6, s + 1, n);
    v6[n] = '\0';
    if (inet_pton(AF_INET6, v6, buf) != 1) {
        return 0;
    }
    return close[1] == '\0' || (close[1] == ':' && port_is_valid(close + 2));
}

int chats_fwd_host_is_valid(const char *s)
{
    const char *c;

    if (!s || !*s || strlen(s) > FWD_MAX_VALUE) {
        return 0;
    }
    if (*s == '[') {
        return bracket_host_is_valid(s);
    }
    /* A reg-name or IPv4 of letters, digits, '-' and '.': no userinfo,
     * no path, nothing a URL would read as more than a host. */
    for (c = s; *c && *c != ':'; c++) {
        if (!apr_isalnum(*c) && *c != '-' && *c != '.') {
            return 0;
        }
    }
    if (c == s || *s == '.' || *s == '-') {
        return 0;
    }
    return *c == '\0' || port_is_valid(c + 1);
}

/* Hex digit value, or -1. */
static int hexval(char c)
{
    return apr_isdigit(c) ? c - '0'
         : (c >= 'a' && c <= 'f') ? c - 'a' + 10
         : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
}

int chats_fwd_prefix_is_valid(const char *s)
{
    const char *c, *seg;

    if (!s || *s != '/' || strlen(s) > FWD_MAX_VALUE) {
        return 0;
    }
    for (c = s, seg = s + 1; *c; c++) {
        if (*c == '/') {
            apr_size_t n = (apr_size_t)(c - seg);

            /* "//", "/./", "/../": a path that a client or a proxy
             * would normalise into something else. */
            if (c != s && (n == 0 || (n == 1 && seg[0] == '.')
                           || (n == 2 && seg[0] == '.' && seg[1] == '.'))) {
                return 0;
            }
            seg = c + 1;
        }
        else if (*c == '%') {
            int hi = hexval(c[1]), lo = hi < 0 ? -1 : hexval(c[2]), v;

            if (lo < 0) {
                return 0;
            }
            v = hi * 16 + lo;
            /* An escaped '/', '.', '\' or control would smuggle in what
             * the plain characters cannot. */
            if (v < 0x20 || v >= 0x7f || v == '/' || v == '.' || v == '\\') {
                return 0;
            }
            c += 2;
        }
        else if (!apr_isalnum(*c) && !strchr("-._~", *c)) {
            return 0;
        }
    }
    return !((c - seg == 1 && seg[0] == '.')
             || (c - seg == 2 && seg[0] == '.' && seg[1] == '.'));
}

/* ------------------------------------------------------------ lists */

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* A comma-separated list, each item trimmed; empty items kept, so that
 * positions still count hops. NULL s: an empty list. */
static apr_array_header_t *split_list(const char *s, apr_pool_t *p)
{
    apr_array_header_t *a = apr_array_make(p, 4, sizeof(const char *));

    while (s) {
        const char *comma = strchr(s, ',');
        apr_size_t n = comma ? (apr_size_t)(comma - s) : strlen(s);

        while (n > 0 && is_ows(*s)) {
            s++;
            n--;
        }
        while (n > 0 && is_ows(s[n - 1])) {
            n--;
        }
        APR_ARRAY_PUSH(a, const char *) = apr_pstrmemdup(p, s, n);
        s = comma ? comma + 1 : NULL;
    }
    return a;
}

/* RFC 9110 tchar. */
static int is_tchar(char c)
{
    return apr_isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* One Forwarded element: the parameters we read. */
typedef struct {
    const char *for_;
    const char *host;
    const char *proto;
} fwd_elt_t;

/* token or quoted-string at *ps; the value (unquoted) in p, or NULL. */
static const char *fwd_value(const char **ps, apr_pool_t *p)
{
    const char *s = *ps;
    char *out, *o;

    if (*s != '"') {
        const char *start = s;

        while (is_tchar(*s)) {
            s++;
        }
        *ps = s;
        return s == start ? NULL
                          : apr_pstrmemdup(p, start, (apr_size_t)(s - start));
    }
    o = out = apr_palloc(p, strlen(s));
    for (s++; *s != '"'; s++) {
        if (*s == '\\') {
            s++;
        }
        /* qdtext and quoted-pair: HTAB, SP, VCHAR, obs-text */
        if (*s == '\0' || (*s != '\t' && (unsigned char)*s < 0x20)
            || *s == 0x7f) {
            return NULL;
        }
        *o++ = *s;
    }
    *o = '\0';
    *ps = s + 1;
    return out;
}

/* Store value under its parameter; a repeated one is an error (RFC 7239
 * section 4: each at most once per element). */
static int fwd_param(fwd_elt_t *e, const char *name, apr_size_t n,
                     const char *value)
{
    const char **slot = (n == 3 && !strncasecmp(name, "for", 3)) ? &e->for_
                      : (n == 4 && !strncasecmp(name, "host", 4)) ? &e->host
                      : (n == 5 && !strncasecmp(name, "proto", 5)) ? &e->proto
                      : NULL;

    if (!slot) {
        return 1;                       /* by= and extensions: not ours */
    }
    if (*slot) {
        return 0;
    }
    *slot = value;
    return 1;
}

/* The elements of a Forwarded value (lines joined by ','), empty ones
 * skipped; NULL if it does not parse. */
static apr_array_header_t *fwd_parse(const char *s, apr_pool_t *p)
{
    apr_array_header_t *a = apr_array_make(p, 4, sizeof(fwd_elt_t));
    fwd_elt_t *e = NULL;

    for (;;) {
        const char *name = s, *value;
        apr_size_t n;

        while (is_ows(*s)) {
            s++;
        }
        if (*s == ',' || *s == '\0') {
            e = NULL;
            if (*s++ == '\0') {
                return a;
            }
            continue;
        }
        if (*s == ';') {
            s++;
            continue;
        }
        for (name = s; is_tchar(*s); s++) {
        }
        n = (apr_size_t)(s - name);
        if (n == 0 || *s++ != '=' || (value = fwd_value(&s, p)) == NULL) {
            return NULL;
        }
        if (!e) {
            e = apr_array_push(a);
            memset(e, 0, sizeof(*e));
        }
        if (!fwd_param(e, name, n, value)) {
            return NULL;
        }
        while (is_ows(*s)) {
            s++;
        }
        if (*s != ';' && *s != ',' && *s != '\0') {
            return NULL;
        }
    }
}

/* ------------------------------------------------------------ the walk */

static const char *take_proto(const char *v)
{
    return !v ? NULL : !strcasecmp(v, "https") ? "https"
         : !strcasecmp(v, "http") ? "http" : NULL;
}

typedef enum { FWD_PROTO, FWD_HOST, FWD_PORT, FWD_PREFIX } fwd_kind_e;

static const char *const fwd_kind_name[] = { "proto", "host", "port",
                                             "prefix" };

/* A lower-cased copy of a valid host, else NULL. */
static const char *take_host(const char *v, apr_pool_t *p)
{
    char *h, *c;

    if (!chats_fwd_host_is_valid(v)) {
        return NULL;
    }
    h = apr_pstrdup(p, v);
    for (c = h; *c; c++) {
        *c = (char)apr_tolower(*c);
    }
    return h;
}

/* "/crm/" and "/crm" are the same prefix; "/" is none. */
static const char *take_prefix(const char *v, apr_pool_t *p)
{
    apr_size_t n = strlen(v);

    return chats_fwd_prefix_is_valid(v)
        ? apr_pstrmemdup(p, v, v[n - 1] == '/' ? n - 1 : n) : NULL;
}

/* v checked as a kind: the value to use, or NULL (then out->ignored). */
static const char *checked(chats_fwd_t *out, fwd_kind_e kind, const char *v,
                           apr_pool_t *p)
{
    const char *ok;

    if (!v) {
        return NULL;
    }
    ok = kind == FWD_PROTO ? take_proto(v)
       : kind == FWD_HOST ? take_host(v, p)
       : kind == FWD_PORT ? (port_is_valid(v) ? v : NULL)
       : take_prefix(v, p);
    if (!ok && !out->ignored) {
        /* Logged, never reflected: escaped and cut short. */
        out->ignored = apr_psprintf(p, "%s '%.64s' is not valid",
                                    fwd_kind_name[kind],
                                    apr_pescape_echo(p, v, 0));
    }
    return ok;
}

/* Of a list, the leftmost of the entries the last `hops` hops added. */
static const char *leftmost_trusted(const char *header, int hops,
                                    apr_pool_t *p)
{
    apr_array_header_t *a;

    if (!header || hops <= 0) {
        return NULL;
    }
    a = split_list(header, p);
    return APR_ARRAY_IDX(a, a->nelts > hops ? a->nelts - hops : 0,
                         const char *);
}

/* X-Forwarded-For names each hop's client: one trusted address there
 * means the entries of one more hop can be believed. */
static void resolve_x(const chats_fwd_trust_t *t, const chats_fwd_in_t *in,
                      chats_fwd_t *out, apr_pool_t *p)
{
    apr_array_header_t *xff = split_list(in->xf_for, p);
    int i;

    out->hops = 1;
    for (i = in->xf_for ? xff->nelts - 1 : -1;
         i >= 0 && chats_fwd_trust_node(t, APR_ARRAY_IDX(xff, i,
                                                         const char *), p);
         i--) {
        out->hops++;
    }
    out->proto = checked(out, FWD_PROTO,
                         leftmost_trusted(in->xf_proto, out->hops, p), p);
    out->host = checked(out, FWD_HOST,
                        leftmost_trusted(in->xf_host, out->hops, p), p);
    out->port = checked(out, FWD_PORT,
                        leftmost_trusted(in->xf_port, out->hops, p), p);
}

static void resolve_forwarded(const chats_fwd_trust_t *t,
                              const chats_fwd_in_t *in, chats_fwd_t *out,
                              apr_pool_t *p)
{
    apr_array_header_t *a = in->forwarded ? fwd_parse(in->forwarded, p)
                                          : NULL;
    const fwd_elt_t *e;
    const char *host = NULL, *proto = NULL;
    int i, j;

    out->hops = 1;
    if (!a) {
        if (in->forwarded) {
            out->ignored = "Forwarded does not parse (RFC 7239)";
        }
        return;
    }
    if (a->nelts == 0) {
        return;
    }
    e = (const fwd_elt_t *)a->elts;
    for (i = a->nelts - 1; i > 0 && chats_fwd_trust_node(t, e[i].for_, p);
         i--) {
    }
    out->hops = a->nelts - i;
    /* The outermost trusted proxy knows the client-facing URL best. */
    for (j = a->nelts - 1; j >= i; j--) {
        host = e[j].host ? e[j].host : host;
        proto = e[j].proto ? e[j].proto : proto;
    }
    out->proto = checked(out, FWD_PROTO, proto, p);
    out->host = checked(out, FWD_HOST, host, p);
}

void chats_fwd_resolve(const chats_fwd_trust_t *t, chats_fwd_scheme_e scheme,
                       int peer_trusted, const chats_fwd_in_t *in,
                       chats_fwd_t *out, apr_pool_t *p)
{
    memset(out, 0, sizeof(*out));
    if (!peer_trusted || !t) {
        return;
    }
    if (scheme == CHATS_FWD_FORWARDED) {
        resolve_forwarded(t, in, out, p);
    }
    else {
        resolve_x(t, in, out, p);
    }
    out->prefix = checked(out, FWD_PREFIX,
                          leftmost_trusted(in->xf_prefix, out->hops, p), p);
}

/* host without its ":port" ("[v6]:p" keeps its brackets). */
static const char *host_only(const char *host, apr_pool_t *p)
{
    const char *end = *host == '[' ? strchr(host, ']') : NULL;
    const char *colon = strchr(end ? end : host, ':');

    return colon ? apr_pstrmemdup(p, host, (apr_size_t)(colon - host))
                 : host;
}

const char *chats_fwd_base_url(const chats_fwd_t *f, const char *own_scheme,
                               const char *own_host, unsigned own_port,
                               apr_pool_t *p)
{
    const char *scheme = f->proto ? f->proto : own_scheme;
    const char *host = f->host ? f->host : own_host, *port = NULL;
    const char *dflt = !strcasecmp(scheme, "https") ? "443"
                     : !strcasecmp(scheme, "http") ? "80" : "";

    if (f->port) {
        port = f->port;
        host = host_only(host, p);
    }
    else if (!f->host && !f->proto && own_port) {
        port = apr_psprintf(p, "%u", own_port);
    }
    else if (f->host && strcmp(host_only(host, p), host)) {
        port = strrchr(host, ':') + 1;
        host = host_only(host, p);
    }
    return apr_pstrcat(p, scheme, "://", host,
                       port && strcmp(port, dflt) ? ":" : "",
                       port && strcmp(port, dflt) ? port : "",
                       f->prefix ? f->prefix : "", NULL);
}
