/* A JSON value tree held in an APR pool. Core header: APR only.
 *
 * Strings and member names are (ptr, len) and also NUL-terminated (a JSON
 * string may contain \u0000, so len is authoritative). Numbers keep their
 * exact source text. Objects keep member order. */
#ifndef CHATS_DOC_H
#define CHATS_DOC_H

#include <apr_pools.h>
#include <apr_tables.h>

typedef enum {
    CHATS_J_NULL, CHATS_J_BOOL, CHATS_J_NUMBER, CHATS_J_STRING,
    CHATS_J_ARRAY, CHATS_J_OBJECT
} chats_jtype_e;

typedef struct chats_doc_t chats_doc_t;

typedef struct {
    const char *name;
    apr_size_t name_len;
    chats_doc_t *value;
} chats_member_t;

struct chats_doc_t {
    chats_jtype_e type;
    int b;                        /**< BOOL                                */
    const char *s;                /**< STRING text or NUMBER source text   */
    apr_size_t len;               /**< length of s                         */
    apr_array_header_t *items;    /**< ARRAY: chats_doc_t *; OBJECT: chats_member_t */
    /** OBJECT: lookup index of a large object, made on demand (NULL
     * until then). Code that appends to items directly stays correct (the
     * index catches up); code that removes or renames members in items
     * must set it to NULL. */
    struct chats_doc_index_t *index;
};

chats_doc_t *chats_doc_null(apr_pool_t *p);
chats_doc_t *chats_doc_bool(apr_pool_t *p, int b);
/** A number from its JSON text (copied). */
chats_doc_t *chats_doc_number(apr_pool_t *p, const char *text, apr_size_t len);
chats_doc_t *chats_doc_int(apr_pool_t *p, long long v);
/** A string (copied, NUL-terminated copy). */
chats_doc_t *chats_doc_string(apr_pool_t *p, const char *s, apr_size_t len);
chats_doc_t *chats_doc_strz(apr_pool_t *p, const char *s);
chats_doc_t *chats_doc_array(apr_pool_t *p);
chats_doc_t *chats_doc_object(apr_pool_t *p);

/** Deep copy into p. */
chats_doc_t *chats_doc_copy(apr_pool_t *p, const chats_doc_t *d);

/** RFC 6902 "test" equality: same type, numbers by value, strings by
 * bytes, arrays element-wise, objects by member set (order ignored). */
int chats_doc_equal(const chats_doc_t *a, const chats_doc_t *b);

/* Arrays */
int chats_doc_array_len(const chats_doc_t *a);
chats_doc_t *chats_doc_array_get(const chats_doc_t *a, int i);
/** Insert v before index i (0 <= i <= len). */
void chats_doc_array_insert(chats_doc_t *a, int i, chats_doc_t *v);
void chats_doc_array_set(chats_doc_t *a, int i, chats_doc_t *v);
void chats_doc_array_remove(chats_doc_t *a, int i);
void chats_doc_array_push(chats_doc_t *a, chats_doc_t *v);

/* Objects; casei = match names ASCII-case-insensitively. */
int chats_doc_object_len(const chats_doc_t *o);
chats_member_t *chats_doc_object_at(const chats_doc_t *o, int i);
/** Index of the member named (name, len), or -1: the first exact match,
 * else (casei) the first match ignoring ASCII case. Expected O(1) and not
 * floodable: large objects are searched through a keyed hash
 * (chats_doc_index.c), small ones by a scan. */
int chats_doc_object_find(const chats_doc_t *o, const char *name,
                          apr_size_t len, int casei);
chats_doc_t *chats_doc_object_get(const chats_doc_t *o, const char *name,
                                  apr_size_t len, int casei);
/** Replace the value of the matching member, or append (name copied). */
void chats_doc_object_set(chats_doc_t *o, const char *name, apr_size_t len,
                          chats_doc_t *v, int casei, apr_pool_t *p);
/** Append a member without looking for one of the same name, and without
 * copying name: for objects built from names that are unique (or checked
 * by the caller) and outlive them. */
void chats_doc_object_add(chats_doc_t *o, const char *name, chats_doc_t *v);

/** Remove the matching member; returns 1 if one was removed. */
int chats_doc_object_remove(chats_doc_t *o, const char *name,
                            apr_size_t len, int casei);

/** Serialize with yajl_gen into a NUL-terminated string in p. Numbers are
 * written from their text as is. Returns NULL if yajl_gen refuses the
 * tree: nesting deeper than its YAJL_MAX_DEPTH (128). */
const char *chats_doc_to_json(apr_pool_t *p, const chats_doc_t *d,
                              int pretty);

#endif
