/* The member index of large objects: two open-addressing tables over the
 * object's members, one by exact name and one by ASCII-folded name, each
 * holding the first member with that name, so lookups cost what
 * chats_doc_object_find's two scans promise without scanning.
 *
 * Why keyed: names come from request bodies. With a fixed hash (APR's
 * times-33) a client can send thousands of names that share one bucket
 * and make every insert walk all of them (issue 8, finding 2). SipHash-2-4
 * with 128 random bits per index leaves no colliding set to precompute,
 * and the key lives in the index itself: nothing process-wide to guard.
 * Core file: APR only. */
#include <string.h>

#include <apr_general.h>
#include <apr_time.h>

#include "chats_doc_index.h"
#include "chats_name.h"

struct chats_doc_index_t {
    apr_uint64_t key[2];
    apr_uint32_t *exact;        /* slot: member index + 1, 0 = empty */
    apr_uint32_t *folded;
    apr_uint32_t mask;          /* slots - 1, slots a power of two */
    int count;                  /* members items[0..count) are indexed */
};

/* ---- SipHash-2-4 (Aumasson & Bernstein), folding ASCII on request ----- */

#define ROTL(x, b) (apr_uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do {                                                    \
        v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);        \
        v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                           \
        v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                           \
        v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);        \
    } while (0)

static apr_uint64_t byte_at(const unsigned char *s, apr_size_t i, int fold)
{
    unsigned char c = s[i];

    if (fold && c >= 'A' && c <= 'Z') {
        c += 'a' - 'A';
    }
    return c;
}

static apr_uint64_t siphash(const apr_uint64_t k[2], const char *name,
                            apr_size_t len, int fold)
{
    const unsigned char *s = (const unsigned char *)name;
    apr_uint64_t v0 = 0x736f6d6570736575ULL ^ k[0];
    apr_uint64_t v1 = 0x646f72616e646f6dULL ^ k[1];
    apr_uint64_t v2 = 0x6c7967656e657261ULL ^ k[0];
    apr_uint64_t v3 = 0x7465646279746573ULL ^ k[1];
    apr_uint64_t m;
    apr_size_t i = 0, j;

    for (; i + 8 <= len; i += 8) {
        for (m = 0, j = 0; j < 8; j++) {
            m |= byte_at(s, i + j, fold) << (8 * j);
        }
        v3 ^= m;
        SIPROUND;
        SIPROUND;
        v0 ^= m;
    }
    for (m = (apr_uint64_t)len << 56, j = 0; i + j < len; j++) {
        m |= byte_at(s, i + j, fold) << (8 * j);
    }
    v3 ^= m;
    SIPROUND;
    SIPROUND;
    v0 ^= m;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

/* ---- the tables ------------------------------------------------------- */

static const chats_member_t *member(const chats_doc_t *o, apr_uint32_t slot)
{
    return &APR_ARRAY_IDX(o->items, (int)slot - 1, chats_member_t);
}

/* The slot holding the first member named like (name, len), or the empty
 * slot where it would go. */
static apr_uint32_t *probe(const chats_doc_t *o, apr_uint32_t *table,
                           const char *name, apr_size_t len, int fold)
{
    const struct chats_doc_index_t *ix = o->index;
    apr_uint32_t at = (apr_uint32_t)siphash(ix->key, name, len, fold);

    for (;; at++) {
        apr_uint32_t *slot = &table[at & ix->mask];
        const chats_member_t *m;

        if (!*slot) {
            return slot;
        }
        m = member(o, *slot);
        if (chats_name_eq(m->name, m->name_len, name, len, fold)) {
            return slot;
        }
    }
}

static void index_member(const chats_doc_t *o, int i)
{
    const chats_member_t *m = &APR_ARRAY_IDX(o->items, i, chats_member_t);
    apr_uint32_t *slot;

    /* Only the first of equal names is kept: the one a scan finds. */
    slot = probe(o, o->index->exact, m->name, m->name_len, 0);
    if (!*slot) {
        *slot = (apr_uint32_t)i + 1;
    }
    slot = probe(o, o->index->folded, m->name, m->name_len, 1);
    if (!*slot) {
        *slot = (apr_uint32_t)i + 1;
    }
}

static void random_key(apr_uint64_t key[2])
{
    if (apr_generate_random_bytes((unsigned char *)key,
                                  2 * sizeof(key[0])) != APR_SUCCESS) {
        /* No entropy source (not on the platforms we build for): still
         * varies per index, if guessable. */
        key[0] = (apr_uint64_t)apr_time_now();
        key[1] = (apr_uint64_t)(apr_uintptr_t)key;
    }
}

/* (Re)build the tables at a size for n members: load at most 1/2. */
static void index_build(chats_doc_t *o, int n)
{
    apr_pool_t *p = o->items->pool;
    struct chats_doc_index_t *ix = o->index;
    apr_uint32_t slots = 64;
    int i;

    if (!ix) {
        ix = o->index = apr_pcalloc(p, sizeof(*ix));
        random_key(ix->key);
    }
    while (slots < 4 * (apr_uint32_t)n) {
        slots *= 2;
    }
    ix->exact = apr_pcalloc(p, slots * sizeof(*ix->exact));
    ix->folded = apr_pcalloc(p, slots * sizeof(*ix->folded));
    ix->mask = slots - 1;
    for (i = 0; i < o->items->nelts; i++) {
        index_member(o, i);
    }
    ix->count = o->items->nelts;
}

int chats_doc_index_find(const chats_doc_t *co, const char *name,
                         apr_size_t len, int casei)
{
    /* The index is a cache of the members; it changes no member. */
    chats_doc_t *o = (chats_doc_t *)co;
    struct chats_doc_index_t *ix = o->index;
    int n = o->items->nelts;
    apr_uint32_t *slot;

    if (!ix || ix->count > n || 2 * (apr_uint32_t)n > ix->mask + 1) {
        index_build(o, n);
        ix = o->index;
    }
    for (; ix->count < n; ix->count++) {
        index_member(o, ix->count);
    }
    slot = probe(o, ix->exact, name, len, 0);
    if (!*slot && casei) {
        slot = probe(o, ix->folded, name, len, 1);
    }
    return *slot ? (int)*slot - 1 : -1;
}
