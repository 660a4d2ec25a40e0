/* Per-process cache of verified credentials and of what they grant, so
 * that a bcrypt check, a signature and the statements that find the
 * caller's associate and rights are paid once per credential per
 * interval, not per request. Core header: APR and OpenSSL only (no
 * httpd), so a small C driver can test it.
 *
 * Entries are found by a keyed hash (HMAC-SHA256 with a random key made
 * when the cache is created) of the caller's parts: the Authorization
 * header and whatever identifies the configuration that verified it. The
 * cache never sees a password it could keep: it stores the key, the user
 * name, the name of the provider (or scheme) that granted, the caller's
 * rights (chats_caller_t, a plain value) and the times. */
#ifndef CHATS_AUTHCACHE_H
#define CHATS_AUTHCACHE_H

#include <apr_pools.h>
#include <apr_time.h>

#include "chats_caller.h"

/* Same typedef as in mod_chats_private.h (C11 allows the repetition). */
typedef struct chats_authcache_t chats_authcache_t;

#define CHATS_AUTHCACHE_KEY_LEN   32   /**< HMAC-SHA256 output            */
#define CHATS_AUTHCACHE_USER_MAX  128  /**< longest user name kept, + NUL */
#define CHATS_AUTHCACHE_PROV_MAX  32   /**< longest provider name, + NUL  */

/** One input of the keyed hash: bytes, not necessarily a C string. */
typedef struct {
    const void *data;
    apr_size_t len;
} chats_authcache_part_t;

/**
 * Create a cache of at most nslots entries (rounded up to a multiple of
 * the set size), with its own random HMAC key and mutex, all in pool p
 * (a child's pool: the cache lives as long as the process).
 * @return APR_SUCCESS, or the status of the failing random/mutex/OpenSSL
 *         call (APR_EGENERAL for OpenSSL); *pc is NULL on failure.
 */
apr_status_t chats_authcache_create(chats_authcache_t **pc,
                                    apr_size_t nslots, apr_pool_t *p);

/**
 * Keyed hash of the parts, each one length-prefixed so that no two
 * different lists of parts hash the same input.
 * @param key receives CHATS_AUTHCACHE_KEY_LEN bytes
 * @return APR_SUCCESS, or APR_EGENERAL if OpenSSL fails
 */
apr_status_t chats_authcache_key(const chats_authcache_t *c,
                                 const chats_authcache_part_t *parts,
                                 int nparts, unsigned char *key);

/** What a credential grants: copied into and out of the cache. */
typedef struct {
    const char *user;        /**< the authenticated user name            */
    const char *prov;        /**< the provider (Basic) or scheme         */
    chats_caller_t caller;   /**< their associate and rights             */
} chats_authcache_grant_t;

/**
 * Look a key up. A hit is an entry stored less than ttl ago (and not in
 * the future: a clock set back misses) and before its own expiry.
 * @param g receives the grant; its strings are copies allocated from p
 * @return 1 on a hit, 0 on a miss (or ttl <= 0)
 */
int chats_authcache_get(chats_authcache_t *c, const unsigned char *key,
                        apr_time_t now, apr_interval_time_t ttl,
                        chats_authcache_grant_t *g, apr_pool_t *p);

/**
 * Remember that key was granted g, for ttl from now but never past
 * not_after (when the credential itself expires; 0 = no such limit).
 * The entry takes the slot of the same key, else a free or expired one
 * of its set, else the one of its set that expires first: the cache never
 * grows past its slots.
 * @return APR_SUCCESS; APR_ENAMETOOLONG if user or provider does not fit
 *         (nothing is stored); APR_EINVAL if ttl <= 0 or not_after is not
 *         after now (nothing to keep)
 */
apr_status_t chats_authcache_put(chats_authcache_t *c,
                                 const unsigned char *key,
                                 const chats_authcache_grant_t *g,
                                 apr_time_t now, apr_interval_time_t ttl,
                                 apr_time_t not_after);

#endif
