/* Per-process cache of verified credentials (see chats_authcache.h).
 *
 * A fixed, set-associative table: a key's set is chosen by its first
 * bytes (an HMAC output is uniform), and an insert into a full set evicts
 * the entry of that set that expires first. So memory is allocated once,
 * when the child starts, and a flood of distinct credentials can only
 * evict entries, never grow the process. One mutex guards the table for
 * the worker/event MPMs; the HMAC is computed outside it. */
#include <string.h>

#include <apr_strings.h>
#include <apr_general.h>
#if APR_HAS_THREADS
#include <apr_thread_mutex.h>
#endif

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "chats_authcache.h"

#define CHATS_AUTHCACHE_WAYS     8    /* entries per set */
#define CHATS_AUTHCACHE_HKEY_LEN 32   /* HMAC key, as long as the output */

typedef struct {
    unsigned char key[CHATS_AUTHCACHE_KEY_LEN];
    apr_time_t stored;                /* when granted                   */
    apr_time_t expires;               /* 0 = free slot                  */
    char user[CHATS_AUTHCACHE_USER_MAX];
    char prov[CHATS_AUTHCACHE_PROV_MAX];
    chats_caller_t caller;            /* a plain value: copied whole    */
} chats_authcache_slot_t;

struct chats_authcache_t {
    chats_authcache_slot_t *slots;    /* nsets * CHATS_AUTHCACHE_WAYS   */
    apr_size_t nsets;
    EVP_MAC *mac;                     /* HMAC, fetched once             */
    unsigned char hkey[CHATS_AUTHCACHE_HKEY_LEN];
#if APR_HAS_THREADS
    apr_thread_mutex_t *mutex;
#endif
};

static apr_status_t authcache_cleanup(void *data)
{
    chats_authcache_t *c = data;

    OPENSSL_cleanse(c->hkey, sizeof(c->hkey));
    EVP_MAC_free(c->mac);
    c->mac = NULL;
    return APR_SUCCESS;
}

apr_status_t chats_authcache_create(chats_authcache_t **pc,
                                    apr_size_t nslots, apr_pool_t *p)
{
    chats_authcache_t *c = apr_pcalloc(p, sizeof(*c));
    apr_status_t rv;

    *pc = NULL;
    c->nsets = (nslots + CHATS_AUTHCACHE_WAYS - 1) / CHATS_AUTHCACHE_WAYS;
    if (c->nsets == 0) {
        c->nsets = 1;
    }
    c->slots = apr_pcalloc(p, c->nsets * CHATS_AUTHCACHE_WAYS
                              * sizeof(*c->slots));
    rv = apr_generate_random_bytes(c->hkey, sizeof(c->hkey));
    if (rv != APR_SUCCESS) {
        return rv;
    }
#if APR_HAS_THREADS
    rv = apr_thread_mutex_create(&c->mutex, APR_THREAD_MUTEX_DEFAULT, p);
    if (rv != APR_SUCCESS) {
        return rv;
    }
#endif
    c->mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
    apr_pool_cleanup_register(p, c, authcache_cleanup,
                              apr_pool_cleanup_null);
    if (c->mac == NULL) {
        return APR_EGENERAL;
    }
    *pc = c;
    return APR_SUCCESS;
}

apr_status_t chats_authcache_key(const chats_authcache_t *c,
                                 const chats_authcache_part_t *parts,
                                 int nparts, unsigned char *key)
{
    char digest[] = "SHA256";
    OSSL_PARAM params[2];
    EVP_MAC_CTX *ctx;
    size_t outl = 0;
    int i, ok;

    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                 digest, 0);
    params[1] = OSSL_PARAM_construct_end();
    ctx = EVP_MAC_CTX_new(c->mac);
    ok = ctx && EVP_MAC_init(ctx, c->hkey, sizeof(c->hkey), params);
    for (i = 0; ok && i < nparts; i++) {
        /* A length prefix keeps ("ab","c") and ("a","bc") apart. */
        unsigned char len8[8];
        apr_uint64_t n = parts[i].len;
        int b;

        for (b = 7; b >= 0; b--, n >>= 8) {
            len8[b] = (unsigned char)(n & 0xff);
        }
        ok = EVP_MAC_update(ctx, len8, sizeof(len8))
             && (parts[i].len == 0
                 || EVP_MAC_update(ctx, parts[i].data, parts[i].len));
    }
    ok = ok && EVP_MAC_final(ctx, key, &outl, CHATS_AUTHCACHE_KEY_LEN)
            && outl == CHATS_AUTHCACHE_KEY_LEN;
    EVP_MAC_CTX_free(ctx);
    return ok ? APR_SUCCESS : APR_EGENERAL;
}

static chats_authcache_slot_t *authcache_set(chats_authcache_t *c,
                                             const unsigned char *key)
{
    apr_uint32_t h = ((apr_uint32_t)key[0] << 24)
                     | ((apr_uint32_t)key[1] << 16)
                     | ((apr_uint32_t)key[2] << 8) | (apr_uint32_t)key[3];

    return c->slots + (h % c->nsets) * CHATS_AUTHCACHE_WAYS;
}

static int authcache_lock(chats_authcache_t *c)
{
#if APR_HAS_THREADS
    return apr_thread_mutex_lock(c->mutex) == APR_SUCCESS;
#else
    (void)c;
    return 1;
#endif
}

static void authcache_unlock(chats_authcache_t *c)
{
#if APR_HAS_THREADS
    apr_thread_mutex_unlock(c->mutex);
#else
    (void)c;
#endif
}

int chats_authcache_get(chats_authcache_t *c, const unsigned char *key,
                        apr_time_t now, apr_interval_time_t ttl,
                        chats_authcache_grant_t *g, apr_pool_t *p)
{
    chats_authcache_slot_t *set;
    int i, hit = 0;

    if (ttl <= 0 || !authcache_lock(c)) {
        return 0;
    }
    set = authcache_set(c, key);
    for (i = 0; i < CHATS_AUTHCACHE_WAYS && !hit; i++) {
        chats_authcache_slot_t *e = &set[i];

        /* ttl is the asking location's: a shorter one there wins. */
        if (e->expires > now && e->stored <= now && now - e->stored < ttl
            && CRYPTO_memcmp(e->key, key, CHATS_AUTHCACHE_KEY_LEN) == 0) {
            g->user = apr_pstrdup(p, e->user);
            g->prov = apr_pstrdup(p, e->prov);
            g->caller = e->caller;
            hit = 1;
        }
    }
    authcache_unlock(c);
    return hit;
}

/* The slot a new entry for key goes to: the same key's, else a free or
 * expired one, else the one expiring first. Called with the lock held. */
static chats_authcache_slot_t *authcache_victim(chats_authcache_slot_t *set,
                                                const unsigned char *key,
                                                apr_time_t now)
{
    chats_authcache_slot_t *victim = NULL;
    int i;

    for (i = 0; i < CHATS_AUTHCACHE_WAYS; i++) {
        chats_authcache_slot_t *e = &set[i];

        if (e->expires != 0
            && CRYPTO_memcmp(e->key, key, CHATS_AUTHCACHE_KEY_LEN) == 0) {
            return e;
        }
        if (victim == NULL
            || (victim->expires > now
                && (e->expires <= now || e->expires < victim->expires))) {
            victim = e;
        }
    }
    return victim;
}

apr_status_t chats_authcache_put(chats_authcache_t *c,
                                 const unsigned char *key,
                                 const chats_authcache_grant_t *g,
                                 apr_time_t now, apr_interval_time_t ttl,
                                 apr_time_t not_after)
{
    apr_size_t ulen = strlen(g->user), plen = strlen(g->prov);
    apr_time_t expires = now + ttl;
    chats_authcache_slot_t *e;

    /* A token or ticket that expires sooner ends its entry with it. */
    if (not_after != 0 && not_after < expires) {
        expires = not_after;
    }
    if (ttl <= 0 || expires <= now) {
        return APR_EINVAL;
    }
    if (ulen >= CHATS_AUTHCACHE_USER_MAX || plen >= CHATS_AUTHCACHE_PROV_MAX) {
        return APR_ENAMETOOLONG;
    }
    if (!authcache_lock(c)) {
        return APR_EGENERAL;
    }
    e = authcache_victim(authcache_set(c, key), key, now);
    memcpy(e->key, key, CHATS_AUTHCACHE_KEY_LEN);
    memcpy(e->user, g->user, ulen + 1);
    memcpy(e->prov, g->prov, plen + 1);
    e->caller = g->caller;
    e->stored = now;
    e->expires = expires;
    authcache_unlock(c);
    return APR_SUCCESS;
}
