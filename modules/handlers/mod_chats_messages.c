/* GET and POST ChatSession/{id}/Messages and POST .../Transcript, and
 * their ChatAgent twins (GetChatMessages, AddChatMessage,
 * GetChatTranscript): mod_chats_agent.c binds q->id, q->after, q->wait,
 * q->html (path, query or agent body) and the agent's message member
 * (q->arg_body) before these run. The statements and the ChatMessage
 * carrier are core's (chats_message.h). A post with an Idempotency-Key
 * records it in the same statement; a repeat answers the message posted
 * first (mod_chats_idempotency.h). Glue. */
#include <apr_strings.h>

#include "mod_chats_body.h"
#include "mod_chats_idempotency.h"
#include "chats_json.h"
#include "mod_chats_listen.h"
#include "mod_chats_ops.h"
#include "chats_message.h"
#include "chats_transcript.h"
#include "mod_chats_resource.h"
#include "mod_chats_rights.h"

/* A message row's first column (CHATS_MESSAGE_COLS): rows are read from
 * it on, by name. */
#define MSG_ROW "id"

/* Answer 200 with a message or a list of them: in XML as ChatMessage or
 * ArrayOfChatMessage (chats_message_xml). */
static chats_err_t *send_messages(chats_req_t *q, const chats_doc_t *doc)
{
    chats_answer_t a = { doc, NULL, chats_message_xml, "the answer" };

    return chats_answer(q->r, q->media, &a);
}

static chats_err_t *run(request_rec *r, chats_msql_e which,
                        const char *const *params, chats_rows_t **prows);

static chats_err_t *send_message(chats_req_t *q, const chats_rows_t *rows)
{
    return send_messages(q, chats_message_from_row(
                                q->r->pool, chats_rows_from(rows, 0,
                                                            MSG_ROW)));
}

/* The message an Idempotency-Key answered with, as it is now. */
static chats_err_t *replay(chats_req_t *q, const chats_idem_hit_t *hit)
{
    chats_rows_t *rows = NULL;
    chats_err_t *e;

    if (hit->entity
        && (e = run(q->r, CHATS_MSQL_GET, &hit->entity, &rows)) != NULL) {
        return e;
    }
    if ((e = chats_idem_replayed_entity(q, hit, "ChatMessage",
                                        rows)) != NULL) {
        return e;
    }
    return send_message(q, rows);
}

static chats_err_t *run(request_rec *r, chats_msql_e which,
                        const char *const *params, chats_rows_t **prows)
{
    const chats_ptype_e *types;
    const chats_stmt_t *stmt;
    chats_store_t *st;
    chats_err_t *e;
    int n;

    stmt = chats_message_stmt(chats_srv_conf(r->server)->sql->msg, which,
                              &types, &n);
    if ((e = chats_store_open(&st, r)) != NULL) {
        return e;
    }
    return chats_store_exec_typed(st, stmt, n, params, types, prows);
}

/* ---- GET Messages ----------------------------------------------------- */

typedef struct {
    chats_req_t *q;
    chats_rows_t *rows;          /* the last run's, or NULL */
} list_ctx_t;

/* The messages after q->after, once: also the long poll's probe (which
 * may run it again after a wake-up, on a connection taken anew). */
static chats_err_t *list_poll(void *ctx, int *pfound)
{
    list_ctx_t *lc = ctx;
    chats_req_t *q = lc->q;
    const char *params[2];
    chats_err_t *e;

    params[0] = apr_itoa(q->r->pool, q->id);
    params[1] = apr_ltoa(q->r->pool, (long)q->after);
    if ((e = run(q->r, CHATS_MSQL_LIST, params, &lc->rows)) != NULL) {
        return e;
    }
    if (lc->rows->nrows == 0) {
        return chats_resource_not_found(q);
    }
    *pfound = chats_rows_get(lc->rows, 0, MSG_ROW) != NULL;
    return NULL;
}

/* The rows' messages (a row of NULLs: none) as a ChatMessage array. */
static chats_doc_t *message_list(apr_pool_t *p, const chats_rows_t *rows)
{
    chats_doc_t *list = chats_doc_array(p);
    int i;

    for (i = 0; i < rows->nrows; i++) {
        const char *const *row = chats_rows_from(rows, i, MSG_ROW);

        if (row && row[0]) {
            chats_doc_array_push(list, chats_message_from_row(p, row));
        }
    }
    return list;
}

chats_err_t *chats_messages_get(chats_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    list_ctx_t lc = { q, NULL };
    chats_err_t *e;
    int found = 0;

    if ((e = chats_rights_require(q, CHATS_DO_READ)) != NULL) {
        return e;
    }
    /* message ids are int32: a larger one is no id [D-16] */
    if (q->after < 0 || q->after > APR_INT32_MAX) {
        return chats_err_make(p, CHATS_E_INVALID, "after", "after: expected "
                              "a message id from 0 to 2147483647");
    }
    if (q->wait > 0) {
        e = chats_listen_wait(q->r, q->id, q->after, q->wait, list_poll,
                              &lc);
    }
    if (!e && !lc.rows) {
        e = list_poll(&lc, &found);
    }
    if (e) {
        return e;
    }
    return send_messages(q, message_list(p, lc.rows));
}

/* ---- POST Messages ---------------------------------------------------- */

/* The message document: the REST body (JSON or XML), or the agent body's
 * member "message". *pxml: its values are XML text. */
static chats_err_t *message_doc(chats_req_t *q, const chats_doc_t **pdoc,
                                int *pxml)
{
    request_rec *r = q->r;
    chats_media_e media;
    chats_doc_t *body;
    chats_err_t *e;

    *pxml = 0;
    if (q->agent) {
        /* the binder read the body: its member "message" */
        if (!q->arg_body || q->arg_body->type == CHATS_J_NULL) {
            return chats_err_make(r->pool, CHATS_E_INVALID, "message",
                                  "message: the ChatMessage to add is "
                                  "missing");
        }
        *pdoc = q->arg_body;
        return NULL;
    }
    /* A slow upload must not hold one of DBDMax connections meanwhile. */
    chats_store_release(r);
    if ((e = chats_body_media(r, &media)) != NULL) {
        return e;
    }
    if (media != CHATS_MEDIA_JSON && media != CHATS_MEDIA_XML) {
        return chats_err_make(r->pool, CHATS_E_MEDIA, NULL,
                              "a ChatMessage is %s",
                              chats_media_list(r->pool, CHATS_MF_PATCH
                                               | CHATS_MF_ALIAS, 0,
                                               " or "));
    }
    if ((e = chats_body_read(r, q->entity, media,
                             chats_conf_max_body(chats_dir_conf(r)),
                             &body)) != NULL) {
        return e;
    }
    chats_http_body_read(r);
    *pdoc = body;
    *pxml = (media == CHATS_MEDIA_XML);
    return NULL;
}

/* No row came back: no such session, or (update_own) not the caller's. */
static chats_err_t *post_refused(chats_req_t *q)
{
    const char *params[1];
    chats_rows_t *rows;
    chats_err_t *e;

    params[0] = apr_itoa(q->r->pool, q->id);
    if ((e = run(q->r, CHATS_MSQL_DIAG, params, &rows)) != NULL) {
        return e;
    }
    if (rows->nrows == 0) {
        return chats_resource_not_found(q);
    }
    e = chats_err_make(q->r->pool, CHATS_E_FORBIDDEN, NULL,
                       "you may add messages to your own chat sessions "
                       "only");
    chats_rights_log_denial(q, e);
    return e;
}

/* Post the message (keyed: the key recorded in the same statement); the
 * key's answer instead in *phit when it has one. */
static chats_err_t *post(chats_req_t *q, const chats_message_in_t *m,
                         const chats_idem_t *k, chats_rows_t **prows,
                         chats_idem_hit_t *phit)
{
    request_rec *r = q->r;
    const chats_caller_t *c = chats_rights_caller(q);
    int own = c->level < CHATS_RIGHT_UPDATE_ALL;
    const char *params[11];
    chats_err_t *e;

    memset(phit, 0, sizeof(*phit));
    params[0] = apr_itoa(r->pool, q->id);
    params[1] = apr_itoa(r->pool, m->type);
    params[2] = m->message;
    params[3] = m->author ? m->author : (r->user ? r->user : "");
    params[4] = apr_itoa(r->pool, m->read_by_customer);
    params[5] = apr_itoa(r->pool, m->special_type);
    params[6] = m->special_param;
    params[7] = apr_itoa(r->pool, c->associate_id);
    if (!k) {
        return run(r, own ? CHATS_MSQL_POST_OWN : CHATS_MSQL_POST_ANY,
                   params, prows);
    }
    /* $8, the caller, is the key's associate too */
    params[8] = k->key;
    params[9] = k->fp;
    params[10] = k->status;
    e = run(r, own ? CHATS_MSQL_POST_OWN_KEYED : CHATS_MSQL_POST_ANY_KEYED,
            params, prows);
    if (chats_idem_taken(e)) {
        return chats_idem_after_taken(q, k, phit);
    }
    /* nothing written: a repeat, or the diagnosis tells */
    return e || (*prows)->nrows == 1 ? e : chats_idem_lookup(q, k, phit);
}

chats_err_t *chats_messages_post(chats_req_t *q)
{
    request_rec *r = q->r;
    const chats_doc_t *doc = NULL;
    chats_message_in_t m;
    chats_idem_hit_t hit;
    chats_rows_t *rows;
    chats_idem_t *k;
    chats_err_t *e;
    int xml = 0;

    /* A caller who may not write is refused before the body is read. */
    if ((e = chats_rights_require(q, CHATS_DO_UPDATE)) != NULL
        || (e = message_doc(q, &doc, &xml)) != NULL
        || (e = chats_message_from_doc(doc, xml, &m, r->pool)) != NULL
        || (e = chats_idem_start(q, doc, &k)) != NULL
        || (e = post(q, &m, k, &rows, &hit)) != NULL) {
        return e;
    }
    if (hit.found) {
        return replay(q, &hit);
    }
    if (rows->nrows != 1) {
        return post_refused(q);
    }
    return send_message(q, rows);
}

/* ---- Transcript ------------------------------------------------------- */

chats_err_t *chats_transcript_post(chats_req_t *q)
{
    request_rec *r = q->r;
    const char *params[2], *text;
    chats_rows_t *rows;
    chats_err_t *e;
    int n;

    if ((e = chats_rights_require(q, CHATS_DO_READ)) != NULL) {
        return e;
    }
    if (!q->agent) {
        /* the official client sends a body (null) to a body-less call */
        if (ap_discard_request_body(r) != OK) {
            return chats_err_make(r->pool, CHATS_E_INVALID, NULL,
                                  "the request body could not be read");
        }
        chats_http_body_read(r);
    }
    params[0] = apr_itoa(r->pool, q->id);
    params[1] = chats_resource_zone(q);
    if ((e = run(r, CHATS_MSQL_TRANSCRIPT, params, &rows)) != NULL) {
        return e;
    }
    if (rows->nrows == 0) {
        return chats_resource_not_found(q);
    }
    n = chats_rows_get(rows, 0, MSG_ROW) ? rows->nrows : 0;
    text = chats_transcript(r->pool, chats_rows_from(rows, 0, MSG_ROW), n,
                            q->html);
    return chats_resource_answer(q, chats_doc_strz(r->pool, text), "string",
                                 "the answer");
}
