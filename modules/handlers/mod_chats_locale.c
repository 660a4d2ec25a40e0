/* Languages and string resources; the rules are in mod_chats_locale.h. */
#include <apr_hash.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <stdlib.h>

#include "chats_header_syntax.h"
#include "mod_chats_locale.h"

#define SR_OPEN       "[SR_"
#define SR_OPEN_LEN   4
#define MAX_RANGES    8           /* language ranges taken from a header */
#define MAX_LOOKUP    24

/* Per id, the text in the first of the languages ($2, in order) that has
 * it. */
static const chats_stmt_t stmt_sr = {
    "chats_string_resources",
    "SELECT DISTINCT ON (s.id) s.id, s.text FROM string_resource s"
    " WHERE s.id = ANY (CAST($1 AS text[]))"
    "   AND s.lang = ANY (CAST($2 AS text[]))"
    " ORDER BY s.id, array_position(CAST($2 AS text[]), s.lang)",
    CHATS_RETRY_SAFE, 0, NULL, NULL, NULL   /* reads only */
};

static const struct {
    const char *lang;
    const char *alias[2];
} lang_aliases[] = {
    { "no", { "nb", NULL } },
    { "nb", { "no", NULL } },
    { "nn", { "nb", "no" } },
};

#define NELTS(a) (sizeof(a) / sizeof((a)[0]))

/* [A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})* */
static char *lower(apr_pool_t *p, const char *s)
{
    char *l = apr_pstrdup(p, s), *c;

    for (c = l; *c; c++) {
        *c = apr_tolower(*c);
    }
    return l;
}

/* The value means "no translation". */
static int is_off(const char *v)
{
    return !*v || !strcmp(v, "*") || !strcasecmp(v, "x") || !strcmp(v, "-");
}

typedef struct {
    const char *tag;
    int q;
    int order;
} lang_range_t;

static int range_cmp(const void *a, const void *b)
{
    const lang_range_t *x = a, *y = b;

    return x->q != y->q ? y->q - x->q : x->order - y->order;
}

/* Language ranges of a header value, best first. */
static int parse_ranges(apr_pool_t *p, const char *value, lang_range_t *out)
{
    char *copy = apr_pstrdup(p, value), *item, *last, *semi, *param, *pl;
    int n = 0, order = 0;

    for (item = apr_strtok(copy, ",", &last); item && n < MAX_RANGES;
         item = apr_strtok(NULL, ",", &last), order++) {
        int q = 1000;

        if ((semi = strchr(item, ';')) != NULL) {
            *semi++ = '\0';
            for (param = apr_strtok(semi, ";", &pl); param;
                 param = apr_strtok(NULL, ";", &pl)) {
                apr_collapse_spaces(param, param);
                if (!strncasecmp(param, "q=", 2)) {
                    q = chats_qvalue_parse(param + 2);
                }
            }
        }
        apr_collapse_spaces(item, item);
        if (q <= 0 || !chats_lang_tag_is_valid(item)) {
            continue;                    /* "*", q=0, malformed */
        }
        out[n].tag = lower(p, item);
        out[n].q = q;
        out[n].order = order;
        n++;
    }
    qsort(out, n, sizeof(*out), range_cmp);
    return n;
}

static void add_lang(apr_array_header_t *a, const char *lang)
{
    int i;

    if (a->nelts >= MAX_LOOKUP) {
        return;
    }
    for (i = 0; i < a->nelts; i++) {
        if (!strcmp(APR_ARRAY_IDX(a, i, const char *), lang)) {
            return;
        }
    }
    APR_ARRAY_PUSH(a, const char *) = lang;
}

chats_err_t *chats_locale_from_request(request_rec *r,
                                       const chats_locale_t **ploc)
{
    chats_locale_t *loc = apr_pcalloc(r->pool, sizeof(*loc));
    const char *value = apr_table_get(r->headers_in, "SO-Language");
    const char *culture = apr_table_get(r->headers_in, "SO-Culture");
    lang_range_t ranges[MAX_RANGES];
    apr_array_header_t *langs;
    char *v, *lit;
    int i, j, n;

    *ploc = loc;
    if (!value) {
        value = apr_table_get(r->headers_in, "Accept-Language");
    }
    if (!value) {
        return NULL;
    }
    v = apr_pstrdup(r->pool, value);
    apr_collapse_spaces(v, v);
    if (is_off(v) || (n = parse_ranges(r->pool, value, ranges)) == 0) {
        return NULL;
    }
    langs = apr_array_make(r->pool, MAX_LOOKUP, sizeof(const char *));
    for (i = 0; i < n; i++) {
        const char *tag = ranges[i].tag, *dash = strchr(tag, '-');
        const char *primary = dash ? apr_pstrndup(r->pool, tag, dash - tag)
                                   : tag;
        apr_size_t k;

        add_lang(langs, tag);
        add_lang(langs, primary);
        for (k = 0; k < NELTS(lang_aliases); k++) {
            if (!strcmp(primary, lang_aliases[k].lang)) {
                for (j = 0; j < 2 && lang_aliases[k].alias[j]; j++) {
                    add_lang(langs, lang_aliases[k].alias[j]);
                }
            }
        }
    }
    add_lang(langs, lower(r->pool, chats_conf_language(chats_dir_conf(r))));
    lit = apr_pstrdup(r->pool, "{");
    for (i = 0; i < langs->nelts; i++) {
        /* tags are [a-z0-9-]: quoted only so that "null" stays a tag */
        lit = apr_pstrcat(r->pool, lit, i ? ",\"" : "\"",
                          APR_ARRAY_IDX(langs, i, const char *), "\"", NULL);
    }
    loc->lookup = apr_pstrcat(r->pool, lit, "}", NULL);
    loc->nlookup = langs->nelts;
    loc->language = ranges[0].tag;
    loc->culture = loc->language;
    if (culture) {
        v = apr_pstrdup(r->pool, culture);
        apr_collapse_spaces(v, v);
        if (chats_lang_tag_is_valid(v)) {
            loc->culture = v;
        }
    }
    ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r, CHATS_LOGNO(310)
                  "language %s (lookup %s), culture %s", loc->language,
                  loc->lookup, loc->culture);
    return NULL;
}

/* ---- translation ------------------------------------------------------- */

/* Length of the id of a token starting at s ("[SR_" ... "]"), the id
 * being what lies between the brackets; 0 if s starts no token. */
static apr_size_t token_id_len(const char *s, const char *end)
{
    const char *c;

    if (end - s < SR_OPEN_LEN + 2 || memcmp(s, SR_OPEN, SR_OPEN_LEN)) {
        return 0;
    }
    for (c = s + SR_OPEN_LEN; c < end && (apr_isalnum(*c) || *c == '_'); c++) {
    }
    if (c == s + SR_OPEN_LEN || c == end || *c != ']') {
        return 0;
    }
    return (apr_size_t)(c - s - 1);
}

/* The ids of the tokens in s (len bytes) go to ids; whether there is
 * one. */
static int ids_in(const char *s, apr_size_t len, apr_hash_t *ids,
                  apr_pool_t *p)
{
    const char *end = s + len;
    apr_size_t n;
    int found = 0;

    for (; s < end; s++) {
        if (*s == '[' && (n = token_id_len(s, end)) > 0) {
            if (ids) {
                apr_hash_set(ids, apr_pstrmemdup(p, s + 1, n), n, "");
            }
            found = 1;
            s += n + 1;
        }
    }
    return found;
}

/* Every string value of d holding a token: to fn (member names are not
 * values). */
static void each_token_string(const chats_doc_t *d, int depth,
                              void (*fn)(const chats_doc_t *, void *),
                              void *ctx)
{
    int i;

    if (!d || depth > 64) {
        return;
    }
    switch (d->type) {
    case CHATS_J_STRING:
        if (ids_in(d->s, d->len, NULL, NULL)) {
            fn(d, ctx);
        }
        break;
    case CHATS_J_ARRAY:
        for (i = 0; i < chats_doc_array_len(d); i++) {
            each_token_string(chats_doc_array_get(d, i), depth + 1, fn, ctx);
        }
        break;
    case CHATS_J_OBJECT:
        for (i = 0; i < chats_doc_object_len(d); i++) {
            each_token_string(chats_doc_object_at(d, i)->value, depth + 1,
                              fn, ctx);
        }
        break;
    default:
        break;
    }
}

static void substitute(chats_doc_t *d, apr_hash_t *texts, apr_pool_t *p)
{
    const char *s = d->s, *end = d->s + d->len, *from = d->s, *text;
    struct iovec *iov;
    apr_array_header_t *parts = apr_array_make(p, 4, sizeof(struct iovec));
    apr_size_t n;
    char *out;

    for (; s < end; s++) {
        if (*s != '[' || (n = token_id_len(s, end)) == 0) {
            continue;
        }
        text = apr_hash_get(texts, s + 1, n);
        if (text) {
            iov = apr_array_push(parts);
            iov->iov_base = (void *)from;
            iov->iov_len = (apr_size_t)(s - from);
            iov = apr_array_push(parts);
            iov->iov_base = (void *)text;
            iov->iov_len = strlen(text);
            from = s + n + 2;
        }
        s += n + 1;
    }
    if (parts->nelts == 0) {
        return;
    }
    iov = apr_array_push(parts);
    iov->iov_base = (void *)from;
    iov->iov_len = (apr_size_t)(end - from);
    out = apr_pstrcatv(p, (struct iovec *)parts->elts, parts->nelts, &n);
    d->s = out;
    d->len = n;
}

/* The texts loaded for a request (chats_locale_load). */
struct chats_locale_texts_t {
    apr_hash_t *texts;           /* id -> text                          */
};

/* One statement for every distinct id; *ptexts NULL when there is no
 * id (no statement then). */
static chats_err_t *load_ids(request_rec *r, const chats_locale_t *loc,
                             apr_hash_t *ids, chats_locale_texts_t **ptexts)
{
    apr_hash_index_t *hi;
    chats_locale_texts_t *t;
    chats_store_t *st;
    chats_rows_t *rows;
    chats_err_t *e;
    const char *params[2];
    char *lit = apr_pstrdup(r->pool, "{");
    int i, first = 1;

    *ptexts = NULL;
    if (apr_hash_count(ids) == 0) {
        return NULL;
    }
    for (hi = apr_hash_first(r->pool, ids); hi; hi = apr_hash_next(hi)) {
        /* ids are [A-Za-z0-9_]: no quoting needed inside the quotes */
        lit = apr_pstrcat(r->pool, lit, first ? "\"" : ",\"",
                          (const char *)apr_hash_this_key(hi), "\"", NULL);
        first = 0;
    }
    params[0] = apr_pstrcat(r->pool, lit, "}", NULL);
    params[1] = loc->lookup;
    if ((e = chats_store_open(&st, r)) != NULL
        || (e = chats_store_exec(st, &stmt_sr, 2, params, &rows)) != NULL) {
        return e;
    }
    t = apr_pcalloc(r->pool, sizeof(*t));
    t->texts = apr_hash_make(r->pool);
    for (i = 0; i < rows->nrows; i++) {
        const char *id = CHATS_ROWS_GET(rows, i, 0);
        const char *text = CHATS_ROWS_GET(rows, i, 1);

        if (id && text) {
            apr_hash_set(t->texts, id, APR_HASH_KEY_STRING, text);
        }
    }
    *ptexts = t;
    return NULL;
}

chats_err_t *chats_locale_load(request_rec *r, const chats_locale_t *loc,
                               const char *const *values, int n,
                               chats_locale_texts_t **ptexts)
{
    apr_hash_t *ids;
    int i;

    *ptexts = NULL;
    if (!loc || !loc->language) {
        return NULL;
    }
    ids = apr_hash_make(r->pool);
    for (i = 0; i < n; i++) {
        if (values[i]) {
            ids_in(values[i], strlen(values[i]), ids, r->pool);
        }
    }
    return load_ids(r, loc, ids, ptexts);
}

/* A string's ids, into the hash ctx (r->pool's: the hash's own). */
static void add_ids(const chats_doc_t *d, void *ctx)
{
    apr_hash_t *ids = ctx;

    ids_in(d->s, d->len, ids, apr_hash_pool_get(ids));
}

chats_err_t *chats_locale_load_doc(request_rec *r, const chats_locale_t *loc,
                                   const chats_doc_t *doc,
                                   chats_locale_texts_t **ptexts)
{
    apr_hash_t *ids;

    *ptexts = NULL;
    if (!loc || !loc->language) {
        return NULL;
    }
    ids = apr_hash_make(r->pool);
    each_token_string(doc, 0, add_ids, ids);
    return load_ids(r, loc, ids, ptexts);
}

typedef struct {
    const chats_locale_texts_t *t;
    apr_pool_t *p;
} apply_ctx_t;

/* d is a string of the view chats_locale_apply was given, which is the
 * caller's to change. */
static void apply_one(const chats_doc_t *d, void *ctx)
{
    apply_ctx_t *a = ctx;

    substitute((chats_doc_t *)d, a->t->texts, a->p);
}

void chats_locale_apply(const chats_locale_texts_t *t, chats_doc_t *view,
                        apr_pool_t *p)
{
    apply_ctx_t a;

    if (t && view) {
        a.t = t;
        a.p = p;
        each_token_string(view, 0, apply_one, &a);
    }
}
