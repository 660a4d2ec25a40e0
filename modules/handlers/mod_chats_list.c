/* GET /api/v1/ChatSession: the archive list (README "The list"; core:
 * chats_list.h). Reads the query parameters, runs the page's one
 * statement and sends the envelope as JSON or XML. Glue. */
#include <apr_strings.h>

#include "http_protocol.h"

#include "chats_list.h"
#include "mod_chats_locale.h"
#include "mod_chats_ops.h"
#include "mod_chats_proxy.h"
#include "mod_chats_rights.h"
#include "chats_xml.h"

/* The query parameters the list reads; SuperOffice's other archive
 * parameters ($entities, $mode, $options, $context, $jsonSafe, $output)
 * and unknown ones are ignored (D-21). $select is read by the router
 * (chats_resource_select); it is here to be refused twice. */
enum { P_SELECT, P_FILTER, P_ORDERBY, P_TOP, P_SKIP, P_FORMAT, P__N };
static const char *const param_names[P__N] = {
    "$select", "$filter", "$orderBy", "$top", "$skip", "$format"
};

/* The raw value of each parameter the list reads (NULL: absent). A name
 * that does not decode cannot be ours: it is skipped, as by $select's
 * reader. */
static chats_err_t *read_params(chats_req_t *q, const char **raw)
{
    apr_pool_t *p = q->r->pool;
    char *copy = apr_pstrdup(p, q->r->args ? q->r->args : ""), *pair, *last;
    int i;

    for (i = 0; i < P__N; i++) {
        raw[i] = NULL;
    }
    for (pair = apr_strtok(copy, "&", &last); pair;
         pair = apr_strtok(NULL, "&", &last)) {
        char *eq = strchr(pair, '=');
        const char *name;

        if (eq) {
            *eq = '\0';
        }
        if (chats_list_decode(p, "", pair, &name) != NULL) {
            continue;
        }
        for (i = 0; i < P__N && strcasecmp(name, param_names[i]); i++) {
        }
        if (i == P__N) {
            continue;
        }
        if (raw[i]) {
            return chats_err_make(p, CHATS_E_INVALID, param_names[i],
                                  "%s: given more than once",
                                  param_names[i]);
        }
        raw[i] = eq ? eq + 1 : "";
    }
    return NULL;
}

/* $format overrides Accept. */
static chats_err_t *format(chats_req_t *q, const char *v)
{
    if (!strcasecmp(v, "json") || !strcasecmp(v, "xml")) {
        q->xml = (v[0] == 'x' || v[0] == 'X');
        q->content_type = q->xml ? "application/xml" : "application/json";
        return NULL;
    }
    return chats_err_make(q->r->pool, CHATS_E_INVALID, "$format",
                          "$format: '%s' is neither JSON nor XML",
                          strlen(v) > 40 ? apr_pstrndup(q->r->pool, v, 40)
                                         : v);
}

static chats_err_t *list_input(chats_req_t *q, chats_list_in_t *in)
{
    apr_pool_t *p = q->r->pool;
    const char *raw[P__N], *v;
    chats_err_t *e;

    memset(in, 0, sizeof(*in));
    in->top = CHATS_LIST_TOP_DEFAULT;
    in->select = q->select;
    in->zone = chats_resource_zone(q);
    if ((e = read_params(q, raw)) != NULL) {
        return e;
    }
    if (raw[P_FILTER]
        && (e = chats_list_decode(p, "$filter", raw[P_FILTER],
                                  &in->filter)) != NULL) {
        return e;
    }
    if (raw[P_ORDERBY]
        && (e = chats_list_decode(p, "$orderBy", raw[P_ORDERBY],
                                  &in->orderby)) != NULL) {
        return e;
    }
    if (raw[P_TOP]
        && ((e = chats_list_decode(p, "$top", raw[P_TOP], &v)) != NULL
            || (e = chats_list_count(p, "$top", v, CHATS_LIST_TOP_MAX,
                                     &in->top)) != NULL)) {
        return e;
    }
    if (raw[P_SKIP]
        && ((e = chats_list_decode(p, "$skip", raw[P_SKIP], &v)) != NULL
            || (e = chats_list_count(p, "$skip", v, CHATS_LIST_SKIP_MAX,
                                     &in->skip)) != NULL)) {
        return e;
    }
    if (raw[P_FORMAT]
        && ((e = chats_list_decode(p, "$format", raw[P_FORMAT], &v)) != NULL
            || (e = format(q, v)) != NULL)) {
        return e;
    }
    return NULL;
}

/* The collection's absolute URL, right behind a reverse proxy too (as
 * _Links: ChatSessionPublicURL, then trusted proxies' forwarding). */
static const char *collection_url(chats_req_t *q)
{
    return apr_pstrcat(q->r->pool, chats_proxy_base_url(q->r),
                       q->archive_url, NULL);
}

static chats_err_t *send_page(chats_req_t *q, chats_doc_t *env,
                             const chats_locale_texts_t *texts)
{
    request_rec *r = q->r;
    const char *out;

    chats_locale_apply(texts, env, r->pool);
    out = q->xml ? chats_xml_render(r->pool, "ChatSessionList", env)
                 : chats_doc_to_json(r->pool, env, 0);
    /* a page is a view of a changing table: no validators (and, as for
     * every answer, Cache-Control: no-store, chats_http_guard) */
    return chats_resource_send_text(q, out, "the list");
}


/* The list's statement as the store runs it: it only reads (the
 * planner's text, a SELECT), so it may run again on a fresh connection
 * outside a transaction; labelled for logs. */
static chats_err_t *list_declared(chats_list_query_t *lq)
{
    lq->stmt.retry = CHATS_RETRY_SAFE;
    lq->stmt.label = "list";
    return NULL;
}

chats_err_t *chats_list_get(chats_req_t *q)
{
    request_rec *r = q->r;
    apr_array_header_t *docs;
    chats_list_query_t *lq;
    chats_list_in_t in;
    chats_locale_texts_t *texts;
    chats_store_t *st;
    chats_rows_t *rows;
    chats_err_t *e;
    const char *next = NULL, *base;
    int i, n;

    /* read and up see every row (README "Authorization", D-18); no field
     * is hidden from a reader, so what $filter and $orderBy read
     * (lq->filter_fields) needs no check of its own */
    if ((e = chats_rights_require(q, CHATS_DO_READ)) != NULL
        || (e = list_input(q, &in)) != NULL
        || (e = chats_list_query(r->pool, &in, &lq)) != NULL
        || (e = list_declared(lq)) != NULL
        || (e = chats_store_open(&st, r)) != NULL
        || (e = chats_store_exec_typed(st, &lq->stmt, lq->nparams,
                                       lq->params, lq->types,
                                       &rows)) != NULL) {
        return e;
    }
    if (rows->nrows && rows->ncols != lq->ncols) {
        return chats_err_make(r->pool, CHATS_E_INTERNAL, NULL,
                              "the list read %d columns, not %d",
                              rows->ncols, lq->ncols);
    }
    n = rows->nrows > in.top ? (int)in.top : rows->nrows;
    /* [SR_…] resources in values, as for an entity: read before
     * rendering starts */
    if ((e = chats_locale_load(r, q->loc, rows->values, n * rows->ncols,
                               &texts)) != NULL) {
        return e;
    }
    chats_store_rendering(r);
    docs = apr_array_make(r->pool, n ? n : 1, sizeof(chats_doc_t *));
    for (i = 0; i < n; i++) {
        APR_ARRAY_PUSH(docs, chats_doc_t *) = chats_list_row(
            r->pool, lq, rows->values + (apr_size_t)i * rows->ncols,
            q->tz && q->tz->from_header);
    }
    base = collection_url(q);
    if (rows->nrows > in.top && in.skip + in.top <= CHATS_LIST_SKIP_MAX) {
        next = apr_pstrcat(r->pool, base, "?", chats_list_next_args(
                               r->pool, r->args, in.skip + in.top), NULL);
    }
    return send_page(q, chats_list_envelope(
                         r->pool, apr_pstrcat(r->pool, base, "/openapi.json"
                                              "#/components/schemas/"
                                              "ChatSessionList", NULL),
                         next, docs, q->xml), texts);
}
