/* Where may a webhook delivery connect? (issue 20, design §7: the SSRF
 * policy). Pure functions over addresses, no DNS, no network, no httpd:
 * the transport (chats_webhook_http.c) asks them about the address it is
 * about to connect to, after DNS, and again about the one a reused
 * connection has; the Webhook resource asks chats_netallow_url_check on
 * save for a quick answer, which is not relied on.
 *
 * The rule (design §7; ChatSessionWebhookAllow's arguments are the list):
 *  - https to a public address: yes;
 *  - an address in a listed subnet: yes, over https; over plain http only
 *    when the list also holds the word "http";
 *  - plain http to a public address: never, "http" or not (a plain-text
 *    request to the internet is not what "http" is meant to open: it is
 *    for receivers on the admin's own network, which the list names);
 *  - any refused class (loopback, private, ...; chats_addr_class_e) not
 *    in a listed subnet: no.
 * IPv4-mapped addresses (::ffff:a.b.c.d) are the IPv4 address in every
 * respect. NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses are
 * classified by the IPv4 address they carry, but matched against the list
 * as themselves (the packets go to a translator, not to that v4 address).
 * Teredo (2001::/32), IPv4-compatible (::a.b.c.d) and every IPv6 address
 * outside 2000::/3 are refused. */
#ifndef CHATS_NETALLOW_H
#define CHATS_NETALLOW_H

#include <sys/socket.h>

#include <apr_pools.h>
#include <apr_tables.h>

#include "chats_err.h"

/** The classes of addresses; all but PUBLIC are refused unless listed. */
typedef enum {
    CHATS_ADDR_PUBLIC = 0,
    CHATS_ADDR_UNSPECIFIED,   /**< 0.0.0.0/8, ::/128                        */
    CHATS_ADDR_LOOPBACK,      /**< 127/8, ::1                               */
    CHATS_ADDR_PRIVATE,       /**< 10/8, 172.16/12, 192.168/16, fc00::/7    */
    CHATS_ADDR_SHARED,        /**< 100.64/10 (carrier-grade NAT)            */
    CHATS_ADDR_LINK_LOCAL,    /**< 169.254/16, fe80::/10                    */
    CHATS_ADDR_MULTICAST,     /**< 224/4, ff00::/8                          */
    CHATS_ADDR_BROADCAST,     /**< 255.255.255.255                          */
    CHATS_ADDR_DOCUMENTATION, /**< 192.0.2/24, 198.51.100/24, 203.0.113/24,
                                   2001:db8::/32, 3fff::/20                 */
    CHATS_ADDR_BENCHMARK,     /**< 198.18/15, 2001:2::/48                   */
    CHATS_ADDR_PROTOCOL,      /**< 192.0.0/24 (IETF protocol assignments),
                                   192.88.99/24 (6to4 relay)                */
    CHATS_ADDR_RESERVED,      /**< 240/4, 100::/64, ORCHID, IPv4-compatible,
                                   IPv6 outside 2000::/3                    */
    CHATS_ADDR_TEREDO,        /**< 2001::/32                                */
    CHATS_ADDR_INVALID        /**< not an IPv4 or IPv6 socket address       */
} chats_addr_class_e;

/** One listed subnet (an address is a /32 or /128). */
typedef struct {
    int family;                 /**< AF_INET or AF_INET6 */
    unsigned char addr[16];     /**< network byte order; v4 in [0..3] */
    int bits;                   /**< prefix length */
} chats_netallow_net_t;

/** The allow list: ChatSessionWebhookAllow's arguments. */
typedef struct {
    int http;                   /**< the word "http" was given */
    apr_array_header_t *nets;   /**< of chats_netallow_net_t */
} chats_netallow_t;

/** An empty list (https to public addresses only), in p. */
chats_netallow_t *chats_netallow_make(apr_pool_t *p);

/**
 * Add one argument of ChatSessionWebhookAllow to allow: "http" (any ASCII
 * case), an address ("10.1.2.3", "::1") or a subnet in CIDR form
 * ("127.0.0.0/8", "fd00::/8"; host bits must be zero). A v4-mapped IPv6
 * subnet (::ffff:a.b.c.d/n, n >= 96) is kept as the v4 subnet.
 * @return NULL, or CHATS_E_INVALID whose field is "ChatSessionWebhookAllow"
 *         and whose message names arg and says what is wrong with it
 */
chats_err_t *chats_netallow_add(apr_pool_t *p, chats_netallow_t *allow,
                                const char *arg);

/** chats_netallow_add over argv[0 .. argc), into a new list *pallow. */
chats_err_t *chats_netallow_parse(apr_pool_t *p, int argc,
                                  const char *const *argv,
                                  chats_netallow_t **pallow);

/** The class of sa (AF_INET or AF_INET6; salen is checked against it). */
chats_addr_class_e chats_netallow_classify(const struct sockaddr *sa,
                                           apr_size_t salen);

/** "loopback", "a private address", ... for reasons (static). */
const char *chats_netallow_class_name(chats_addr_class_e c);

/** Does a listed subnet hold sa? (v4-mapped compared as v4.) */
int chats_netallow_listed(const chats_netallow_t *allow,
                          const struct sockaddr *sa, apr_size_t salen);

/**
 * May a request of this scheme (https: non-zero; plain http: 0) connect
 * to sa under allow (NULL = the empty list)?
 * @return NULL when it may, else the reason in p, for LastError: "127.0.0.1
 *         is loopback, not allowed by ChatSessionWebhookAllow"
 */
const char *chats_netallow_check(apr_pool_t *p, const chats_netallow_t *allow,
                                 int https, const struct sockaddr *sa,
                                 apr_size_t salen);

/**
 * chats_netallow_check on an address's text ("10.0.0.1", "::1", an IPv6
 * zone "%eth0" ignored), as libcurl reports a connection's address.
 * Text that is no address is refused ("... is not an IP address").
 */
const char *chats_netallow_check_text(apr_pool_t *p,
                                      const chats_netallow_t *allow,
                                      int https, const char *ip);

/**
 * The save-time check of a webhook's TargetUrl: an absolute http: or
 * https: URL of printable ASCII (at most 2048 bytes), with a host, no
 * user information, no fragment, a port in 1..65535 if any; plain http
 * only when allow has "http"; a host that is an IP literal ("[::1]", and
 * the forms a resolver reads as one: "127.1", "0x7f.1") must be one the
 * rule above lets connect. A host name passes: its addresses are judged
 * when the deliverer connects.
 * @return NULL, or CHATS_E_INVALID with field "TargetUrl"
 */
chats_err_t *chats_netallow_url_check(apr_pool_t *p,
                                      const chats_netallow_t *allow,
                                      const char *url);

#endif
