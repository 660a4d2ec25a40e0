/* What trusted reverse proxies tell us about the client-facing URL: the
 * trust list (ChatSessionTrustProxy), RFC 7239 Forwarded and the
 * X-Forwarded-* lists, walked from the right so that only entries added
 * by trusted hops count, and validated before anything is taken. Core
 * header: APR only, so t/unit and t/fuzz link it. */
#ifndef CHATS_FORWARDED_H
#define CHATS_FORWARDED_H

#include <apr_network_io.h>
#include <apr_pools.h>

typedef struct chats_fwd_trust_t chats_fwd_trust_t;

/** An empty list: nobody is trusted. */
chats_fwd_trust_t *chats_fwd_trust_make(apr_pool_t *p);

/** Add one directive argument: an IPv4 or IPv6 address, or a subnet
 * ("10.0.0.0/8", "10.0.0.0/255.0.0.0", "2001:db8::/32"), or "On" (any
 * peer, one hop). Returns NULL, or why arg is refused (allocated in p). */
const char *chats_fwd_trust_add(chats_fwd_trust_t *t, const char *arg,
                                apr_pool_t *p);

/** 1 if the list trusts some peer (not empty). */
int chats_fwd_trust_any(const chats_fwd_trust_t *t);

/** 1 if the TCP peer sa is a trusted proxy. */
int chats_fwd_trust_peer(const chats_fwd_trust_t *t, apr_sockaddr_t *sa);

/** 1 if node, as a proxy wrote it into X-Forwarded-For or a Forwarded
 * for= ("192.0.2.1", "192.0.2.1:80", "2001:db8::1", "[2001:db8::1]:80"),
 * is a numeric address the list holds ("On" walks no further: 0).
 * Names, "unknown" and obfuscated identifiers are never trusted. */
int chats_fwd_trust_node(const chats_fwd_trust_t *t, const char *node,
                         apr_pool_t *p);

/** Which headers the trusted proxies write (ChatSessionProxyHeaders). */
typedef enum {
    CHATS_FWD_XFORWARDED = 0,   /**< X-Forwarded-For/-Host/-Proto/-Port */
    CHATS_FWD_FORWARDED = 1     /**< RFC 7239 Forwarded                 */
} chats_fwd_scheme_e;

/** The request's header values; a header sent on several lines comes
 * joined by ", " in the order received (NULL: absent). */
typedef struct {
    const char *forwarded;
    const char *xf_for, *xf_host, *xf_proto, *xf_port, *xf_prefix;
} chats_fwd_in_t;

/** What the trusted hops said, each valid or NULL. */
typedef struct {
    const char *proto;          /**< "http" or "https"                  */
    const char *host;           /**< host[:port], lower-cased           */
    const char *port;           /**< X-Forwarded-Port: 1-65535          */
    const char *prefix;         /**< "/crm" (no trailing '/'), or ""    */
    int hops;                   /**< trusted hops walked (0: none)      */
    const char *ignored;        /**< first value refused, and why (for
                                     the debug log), or NULL            */
} chats_fwd_t;

/**
 * Walk the headers of scheme from the right: the peer (peer_trusted) adds
 * the last entry; each entry whose hop address (X-Forwarded-For, or the
 * element's for=) is trusted lets the walk take one more to its left.
 * Of each header, the leftmost entry a trusted hop added is taken:
 * X-Forwarded-Prefix with either scheme (RFC 7239 has no prefix), the
 * other X-Forwarded-* only with CHATS_FWD_XFORWARDED, Forwarded only
 * with CHATS_FWD_FORWARDED. A Forwarded that does not parse is ignored
 * whole; an invalid value is ignored (out->ignored says which).
 */
void chats_fwd_resolve(const chats_fwd_trust_t *t, chats_fwd_scheme_e scheme,
                       int peer_trusted, const chats_fwd_in_t *in,
                       chats_fwd_t *out, apr_pool_t *p);

/** Validators, exposed for the tests: 1 if valid. */
int chats_fwd_host_is_valid(const char *s);
int chats_fwd_prefix_is_valid(const char *s);

/**
 * The client-facing base URL, scheme://authority[prefix], without a
 * trailing '/'. The forwarded host (with a forwarded port replacing its
 * own) wins over own_host; a port that is the scheme's default is left
 * out. own_host is the request's server name, own_port its port, used
 * when no host was forwarded (own_port only when no proto was either).
 */
const char *chats_fwd_base_url(const chats_fwd_t *f, const char *own_scheme,
                               const char *own_host, unsigned own_port,
                               apr_pool_t *p);

#endif
