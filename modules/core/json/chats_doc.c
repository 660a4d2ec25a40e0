/* A JSON value tree in an APR pool. Core file: APR and yajl only.
 *
 * Nothing here frees: nodes live as long as their pool. Removing a member
 * or element just unlinks it. Functions given a node of the wrong type
 * behave as if it were empty, so callers can probe without checks. */
#include <string.h>

#include <apr_strings.h>
#include <yajl/yajl_gen.h>

#include "chats_doc.h"
#include "chats_doc_index.h"
#include "chats_name.h"

#define CHATS_DOC_INIT_ITEMS 4

static chats_doc_t *doc_new(apr_pool_t *p, chats_jtype_e type)
{
    chats_doc_t *d = apr_pcalloc(p, sizeof(*d));

    d->type = type;
    return d;
}

chats_doc_t *chats_doc_null(apr_pool_t *p)
{
    return doc_new(p, CHATS_J_NULL);
}

chats_doc_t *chats_doc_bool(apr_pool_t *p, int b)
{
    chats_doc_t *d = doc_new(p, CHATS_J_BOOL);

    d->b = b ? 1 : 0;
    return d;
}

chats_doc_t *chats_doc_number(apr_pool_t *p, const char *text, apr_size_t len)
{
    chats_doc_t *d = doc_new(p, CHATS_J_NUMBER);

    d->s = apr_pstrmemdup(p, text, len);
    d->len = len;
    return d;
}

chats_doc_t *chats_doc_int(apr_pool_t *p, long long v)
{
    char *s = apr_psprintf(p, "%" APR_INT64_T_FMT, (apr_int64_t)v);

    return chats_doc_number(p, s, strlen(s));
}

chats_doc_t *chats_doc_string(apr_pool_t *p, const char *s, apr_size_t len)
{
    chats_doc_t *d = doc_new(p, CHATS_J_STRING);

    d->s = apr_pstrmemdup(p, s, len);
    d->len = len;
    return d;
}

chats_doc_t *chats_doc_strz(apr_pool_t *p, const char *s)
{
    return chats_doc_string(p, s, strlen(s));
}

chats_doc_t *chats_doc_array(apr_pool_t *p)
{
    chats_doc_t *d = doc_new(p, CHATS_J_ARRAY);

    d->items = apr_array_make(p, CHATS_DOC_INIT_ITEMS, sizeof(chats_doc_t *));
    return d;
}

chats_doc_t *chats_doc_object(apr_pool_t *p)
{
    chats_doc_t *d = doc_new(p, CHATS_J_OBJECT);

    d->items = apr_array_make(p, CHATS_DOC_INIT_ITEMS,
                              sizeof(chats_member_t));
    return d;
}

/* Recursion depth is bounded by the parser's depth limit for parsed
 * documents; trees built by code are as deep as their builder makes them. */
chats_doc_t *chats_doc_copy(apr_pool_t *p, const chats_doc_t *d)
{
    chats_doc_t *c;
    int i;

    if (!d) {
        return NULL;
    }
    switch (d->type) {
    case CHATS_J_ARRAY:
        c = chats_doc_array(p);
        for (i = 0; i < d->items->nelts; i++) {
            chats_doc_array_push(c, chats_doc_copy(p,
                                 APR_ARRAY_IDX(d->items, i, chats_doc_t *)));
        }
        return c;
    case CHATS_J_OBJECT:
        c = chats_doc_object(p);
        for (i = 0; i < d->items->nelts; i++) {
            chats_member_t *m = &APR_ARRAY_IDX(d->items, i, chats_member_t);
            chats_member_t *n = apr_array_push(c->items);

            n->name = apr_pstrmemdup(p, m->name, m->name_len);
            n->name_len = m->name_len;
            n->value = chats_doc_copy(p, m->value);
        }
        return c;
    default:
        c = doc_new(p, d->type);
        c->b = d->b;
        c->len = d->len;
        c->s = d->s ? apr_pstrmemdup(p, d->s, d->len) : NULL;
        return c;
    }
}

/* ---- number equality ------------------------------------------------ */

/* A JSON number seen as D x 10^e, D the digit string without leading or
 * trailing zeros. Comparing that form is exact for any size and precision
 * and independent of the C locale (strtod's decimal point is not). */
typedef struct {
    int neg;
    const char *d1, *d2;      /* integer and fraction digits */
    apr_size_t n1, n2;
    long long e;
} num_form_t;

static char num_digit(const num_form_t *f, apr_size_t i)
{
    return i < f->n1 ? f->d1[i] : f->d2[i - f->n1];
}

static long long num_exponent(const char *s, const char *end)
{
    long long e = 0;
    int neg = 0;

    if (s < end && (*s == '+' || *s == '-')) {
        neg = (*s++ == '-');
    }
    for (; s < end && *s >= '0' && *s <= '9'; s++) {
        /* Saturate: beyond this no two distinct exponents are realistic. */
        if (e < 1000000000000LL) {
            e = e * 10 + (*s - '0');
        }
    }
    return neg ? -e : e;
}

static void num_normalize(num_form_t *f, const char *s, apr_size_t len)
{
    const char *end = s + len;

    memset(f, 0, sizeof(*f));
    if (s < end && *s == '-') {
        f->neg = 1;
        s++;
    }
    for (f->d1 = s; s < end && *s >= '0' && *s <= '9'; s++) {
        f->n1++;
    }
    f->d2 = s;
    if (s < end && *s == '.') {
        for (f->d2 = ++s; s < end && *s >= '0' && *s <= '9'; s++) {
            f->n2++;
        }
    }
    if (s < end && (*s == 'e' || *s == 'E')) {
        f->e = num_exponent(s + 1, end);
    }
    f->e -= (long long)f->n2;
    while (f->n1 + f->n2 > 0 && num_digit(f, 0) == '0') {
        if (f->n1) {
            f->d1++, f->n1--;
        }
        else {
            f->d2++, f->n2--;
        }
    }
    while (f->n1 + f->n2 > 0 && num_digit(f, f->n1 + f->n2 - 1) == '0') {
        if (f->n2) {
            f->n2--;
        }
        else {
            f->n1--;
        }
        f->e++;
    }
}

static int num_equal(const chats_doc_t *a, const chats_doc_t *b)
{
    num_form_t x, y;
    apr_size_t i, n;

    num_normalize(&x, a->s, a->len);
    num_normalize(&y, b->s, b->len);
    n = x.n1 + x.n2;
    if (n != y.n1 + y.n2) {
        return 0;
    }
    if (n == 0) {
        return 1;                 /* 0 == -0 == 0.0e5 */
    }
    if (x.neg != y.neg || x.e != y.e) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (num_digit(&x, i) != num_digit(&y, i)) {
            return 0;
        }
    }
    return 1;
}

/* ---- equality --------------------------------------------------------- */

static int obj_equal(const chats_doc_t *a, const chats_doc_t *b)
{
    int i;

    if (a->items->nelts != b->items->nelts) {
        return 0;
    }
    for (i = 0; i < a->items->nelts; i++) {
        chats_member_t *m = &APR_ARRAY_IDX(a->items, i, chats_member_t);
        chats_doc_t *v = chats_doc_object_get(b, m->name, m->name_len, 0);

        if (!v || !chats_doc_equal(m->value, v)) {
            return 0;
        }
    }
    return 1;
}

int chats_doc_equal(const chats_doc_t *a, const chats_doc_t *b)
{
    int i;

    if (!a || !b || a->type != b->type) {
        return a == b;
    }
    switch (a->type) {
    case CHATS_J_NULL:
        return 1;
    case CHATS_J_BOOL:
        return a->b == b->b;
    case CHATS_J_NUMBER:
        return num_equal(a, b);
    case CHATS_J_STRING:
        return a->len == b->len && !memcmp(a->s, b->s, a->len);
    case CHATS_J_ARRAY:
        if (a->items->nelts != b->items->nelts) {
            return 0;
        }
        for (i = 0; i < a->items->nelts; i++) {
            if (!chats_doc_equal(APR_ARRAY_IDX(a->items, i, chats_doc_t *),
                                 APR_ARRAY_IDX(b->items, i, chats_doc_t *))) {
                return 0;
            }
        }
        return 1;
    case CHATS_J_OBJECT:
        return obj_equal(a, b);
    }
    return 0;
}

/* ---- arrays ----------------------------------------------------------- */

int chats_doc_array_len(const chats_doc_t *a)
{
    return (a && a->type == CHATS_J_ARRAY) ? a->items->nelts : 0;
}

chats_doc_t *chats_doc_array_get(const chats_doc_t *a, int i)
{
    if (i < 0 || i >= chats_doc_array_len(a)) {
        return NULL;
    }
    return APR_ARRAY_IDX(a->items, i, chats_doc_t *);
}

void chats_doc_array_insert(chats_doc_t *a, int i, chats_doc_t *v)
{
    int n = chats_doc_array_len(a);
    chats_doc_t **base;

    if (!a || a->type != CHATS_J_ARRAY || i < 0 || i > n) {
        return;
    }
    apr_array_push(a->items);
    base = (chats_doc_t **)a->items->elts;
    memmove(base + i + 1, base + i, (apr_size_t)(n - i) * sizeof(*base));
    base[i] = v;
}

void chats_doc_array_set(chats_doc_t *a, int i, chats_doc_t *v)
{
    if (i >= 0 && i < chats_doc_array_len(a)) {
        APR_ARRAY_IDX(a->items, i, chats_doc_t *) = v;
    }
}

void chats_doc_array_remove(chats_doc_t *a, int i)
{
    int n = chats_doc_array_len(a);
    chats_doc_t **base;

    if (i < 0 || i >= n) {
        return;
    }
    base = (chats_doc_t **)a->items->elts;
    memmove(base + i, base + i + 1, (apr_size_t)(n - i - 1) * sizeof(*base));
    a->items->nelts--;
}

void chats_doc_array_push(chats_doc_t *a, chats_doc_t *v)
{
    if (a && a->type == CHATS_J_ARRAY) {
        APR_ARRAY_PUSH(a->items, chats_doc_t *) = v;
    }
}

/* ---- objects ---------------------------------------------------------- */

int chats_doc_object_len(const chats_doc_t *o)
{
    return (o && o->type == CHATS_J_OBJECT) ? o->items->nelts : 0;
}

chats_member_t *chats_doc_object_at(const chats_doc_t *o, int i)
{
    if (i < 0 || i >= chats_doc_object_len(o)) {
        return NULL;
    }
    return &APR_ARRAY_IDX(o->items, i, chats_member_t);
}

int chats_doc_object_find(const chats_doc_t *o, const char *name,
                          apr_size_t len, int casei)
{
    int i, n = chats_doc_object_len(o);

    if (n >= CHATS_DOC_INDEX_AT) {
        return chats_doc_index_find(o, name, len, casei);
    }
    /* An exact match wins over an earlier case-folded one, so "id" finds
     * "id" even when "Id" comes first. */
    for (i = 0; i < n; i++) {
        chats_member_t *m = &APR_ARRAY_IDX(o->items, i, chats_member_t);

        if (chats_name_eq(m->name, m->name_len, name, len, 0)) {
            return i;
        }
    }
    for (i = 0; casei && i < n; i++) {
        chats_member_t *m = &APR_ARRAY_IDX(o->items, i, chats_member_t);

        if (chats_name_eq(m->name, m->name_len, name, len, 1)) {
            return i;
        }
    }
    return -1;
}

chats_doc_t *chats_doc_object_get(const chats_doc_t *o, const char *name,
                                  apr_size_t len, int casei)
{
    int i = chats_doc_object_find(o, name, len, casei);

    return i < 0 ? NULL : APR_ARRAY_IDX(o->items, i, chats_member_t).value;
}

void chats_doc_object_set(chats_doc_t *o, const char *name, apr_size_t len,
                          chats_doc_t *v, int casei, apr_pool_t *p)
{
    int i = chats_doc_object_find(o, name, len, casei);
    chats_member_t *m;

    if (!o || o->type != CHATS_J_OBJECT) {
        return;
    }
    if (i >= 0) {
        /* The existing member keeps its spelling. */
        APR_ARRAY_IDX(o->items, i, chats_member_t).value = v;
        return;
    }
    m = apr_array_push(o->items);
    m->name = apr_pstrmemdup(p, name, len);
    m->name_len = len;
    m->value = v;
}

void chats_doc_object_add(chats_doc_t *o, const char *name, chats_doc_t *v)
{
    chats_member_t *m;

    if (!o || o->type != CHATS_J_OBJECT) {
        return;
    }
    m = apr_array_push(o->items);
    m->name = name;
    m->name_len = strlen(name);
    m->value = v;
}

int chats_doc_object_remove(chats_doc_t *o, const char *name,
                            apr_size_t len, int casei)
{
    int i = chats_doc_object_find(o, name, len, casei);
    chats_member_t *base;

    if (i < 0) {
        return 0;
    }
    base = (chats_member_t *)o->items->elts;
    memmove(base + i, base + i + 1,
            (apr_size_t)(o->items->nelts - i - 1) * sizeof(*base));
    o->items->nelts--;
    o->index = NULL;                /* members moved: rebuilt when needed */
    return 1;
}

/* ---- serialization ---------------------------------------------------- */

static yajl_gen_status gen_value(yajl_gen g, const chats_doc_t *d)
{
    yajl_gen_status st;
    int i;

    switch (d->type) {
    case CHATS_J_NULL:
        return yajl_gen_null(g);
    case CHATS_J_BOOL:
        return yajl_gen_bool(g, d->b);
    case CHATS_J_NUMBER:
        return yajl_gen_number(g, d->s, d->len);
    case CHATS_J_STRING:
        return yajl_gen_string(g, (const unsigned char *)d->s, d->len);
    case CHATS_J_ARRAY:
        st = yajl_gen_array_open(g);
        for (i = 0; st == yajl_gen_status_ok && i < d->items->nelts; i++) {
            st = gen_value(g, APR_ARRAY_IDX(d->items, i, chats_doc_t *));
        }
        return st == yajl_gen_status_ok ? yajl_gen_array_close(g) : st;
    case CHATS_J_OBJECT:
        st = yajl_gen_map_open(g);
        for (i = 0; st == yajl_gen_status_ok && i < d->items->nelts; i++) {
            chats_member_t *m = &APR_ARRAY_IDX(d->items, i, chats_member_t);

            st = yajl_gen_string(g, (const unsigned char *)m->name,
                                 m->name_len);
            if (st == yajl_gen_status_ok) {
                st = gen_value(g, m->value);
            }
        }
        return st == yajl_gen_status_ok ? yajl_gen_map_close(g) : st;
    }
    return yajl_gen_in_error_state;
}

static apr_status_t gen_cleanup(void *data)
{
    yajl_gen_free(data);
    return APR_SUCCESS;
}

/* Returns NULL when yajl_gen refuses the tree: nesting deeper than
 * YAJL_MAX_DEPTH (128), which the parser's depth limit keeps us under. */
const char *chats_doc_to_json(apr_pool_t *p, const chats_doc_t *d,
                              int pretty)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    const unsigned char *buf;
    size_t len;
    const char *out = NULL;

    if (!g) {
        return NULL;
    }
    apr_pool_cleanup_register(p, g, gen_cleanup, apr_pool_cleanup_null);
    if (pretty) {
        yajl_gen_config(g, yajl_gen_beautify, 1);
        yajl_gen_config(g, yajl_gen_indent_string, "  ");
    }
    if (d && gen_value(g, d) == yajl_gen_status_ok
        && yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok) {
        out = apr_pstrmemdup(p, (const char *)buf, len);
    }
    /* Free the generator now rather than at pool end. */
    apr_pool_cleanup_run(p, g, gen_cleanup);
    return out;
}
