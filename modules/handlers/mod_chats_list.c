/* GET /api/v1/ChatSession: the archive list (README "The list"; core:
 * chats_list.h). Reads the query parameters, runs the page's one
 * statement and sends the envelope as JSON or XML. Glue. */
#include <apr_strings.h>

#include "http_protocol.h"

#include "chats_list.h"
#include "chats_qstring.h"
#include "mod_chats_locale.h"
#include "mod_chats_ops.h"
#include "mod_chats_proxy.h"
#include "mod_chats_rights.h"

/* The list reads $select (the router's, chats_resource_select),
 * $filter, $orderBy, $top, $skip and $format, parsed once by
 * chats_args_bind (chats_qstring.h: a repeat is 400); SuperOffice's
 * other archive parameters ($entities, $mode, $options, $context,
 * $jsonSafe, $output) and unknown ones are ignored (D-21). */

/* $format overrides Accept. */
static chats_err_t *format(chats_req_t *q, const char *v)
{
    if (!strcasecmp(v, "json") || !strcasecmp(v, "xml")) {
        q->media = chats_media_find(v[0] == 'x' || v[0] == 'X'
                                    ? CHATS_MT_XML : CHATS_MT_JSON);
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
    const char *v;
    chats_err_t *e;

    memset(in, 0, sizeof(*in));
    in->top = CHATS_LIST_TOP_DEFAULT;
    in->select = q->select;
    in->zone = chats_resource_zone(q);
    /* ChatTopic/{id}/Sessions: the list given an id is its topic's */
    in->topic = q->route && (q->route->args & CHATS_ARG_ID) ? q->id : 0;
    if ((e = chats_qstring_get(p, q->qs, CHATS_Q_FILTER, &in->filter))
        || (e = chats_qstring_get(p, q->qs, CHATS_Q_ORDERBY, &in->orderby))) {
        return e;
    }
    if ((e = chats_qstring_get(p, q->qs, CHATS_Q_TOP, &v)) != NULL
        || (v && (e = chats_list_count(p, "$top", v, CHATS_LIST_TOP_MAX,
                                       &in->top)) != NULL)) {
        return e;
    }
    if ((e = chats_qstring_get(p, q->qs, CHATS_Q_SKIP, &v)) != NULL
        || (v && (e = chats_list_count(p, "$skip", v, CHATS_LIST_SKIP_MAX,
                                       &in->skip)) != NULL)) {
        return e;
    }
    if ((e = chats_qstring_get(p, q->qs, CHATS_Q_FORMAT, &v)) != NULL
        || (v && (e = format(q, v)) != NULL)) {
        return e;
    }
    return NULL;
}

/* The collection's absolute URL, right behind a reverse proxy too (as
 * _Links: ChatSessionPublicURL, then trusted proxies' forwarding). */
static const char *collection_url(chats_req_t *q)
{
    /* a topic's sessions: ".../ChatTopic/3/Sessions" */
    return apr_pstrcat(q->r->pool, chats_proxy_base_url(q->r),
                       q->archive_url, q->route
                       && (q->route->args & CHATS_ARG_ID)
                       ? apr_psprintf(q->r->pool, "/%d%s", (int)q->id,
                                      q->route->pattern + strlen("/{id}"))
                       : "", NULL);
}

/* An empty page of a topic's sessions: 404 when the topic is unknown
 * (a statement only then). */
static chats_err_t *topic_known(chats_req_t *q, chats_store_t *st,
                                apr_int32_t topic)
{
    const chats_entity_sql_t *ts = chats_sql_entity(
        chats_srv_conf(q->r->server)->sql, &chats_topic_def);
    const char *id = apr_itoa(q->r->pool, topic);
    chats_rows_t *rows;
    chats_err_t *e;

    if (!ts) {
        return chats_err_make(q->r->pool, CHATS_E_INTERNAL, NULL,
                              "no statements for chat topics");
    }
    if ((e = chats_store_exec(st, &ts->get[CHATS_READ_UTC], 1, &id, &rows))
        != NULL) {
        return e;
    }
    return rows->nrows ? NULL
                       : chats_resource_not_found_of(q, &chats_topic_def,
                                                     topic);
}

static chats_err_t *send_page(chats_req_t *q, chats_doc_t *env,
                             const chats_locale_texts_t *texts)
{
    chats_locale_apply(texts, env, q->r->pool);
    /* a page is a view of a changing table: no validators (and, as for
     * every answer, Cache-Control: no-store, chats_http_guard) */
    return chats_resource_answer(q, env, "ChatSessionList", "the list");
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
    if (!rows->nrows && in.topic
        && (e = topic_known(q, st, in.topic)) != NULL) {
        return e;
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
        next = apr_pstrcat(r->pool, base, "?", chats_qstring_replace(
                               r->pool, r->args, "$skip", apr_psprintf(
                                   r->pool, "%" APR_INT64_T_FMT,
                                   in.skip + in.top)), NULL);
    }
    return send_page(q, chats_list_envelope(
                         r->pool, apr_pstrcat(r->pool, base, "/openapi.json"
                                              "#/components/schemas/"
                                              "ChatSessionList", NULL),
                         next, docs, chats_answer_xml(q->media)), texts);
}
