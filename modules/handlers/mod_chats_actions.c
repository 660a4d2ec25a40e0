/* The agent's actions (README "Agent actions"): Pickup (first / by id),
 * TransferTo, AcceptTransfer, RejectTransfer, Reset, ForCurrentUser and
 * CreateChatSessionForTopic. REST routes and the ChatAgent methods bind
 * their arguments into the request (mod_chats_agent.c) and run these same
 * functions. Each action is one statement (core/sql/chats_action_sql.c), or
 * one short transaction whose first statement locks the agent: Rank is
 * the lowest number free among the agent's sessions, and two of one
 * agent's pickups must not both see the same one free. A write that
 * returns no row is followed by one diagnosis, which tells 404, 403 and
 * the documented no-op apart. Rights are checked before anything else:
 * a refused caller's body is never read. With an Idempotency-Key a write
 * runs keyed (the key recorded by the same statement; nothing written
 * when it is live) and a repeat is answered from the key
 * (mod_chats_idempotency.h). Glue. */
#include <apr_strings.h>

#include "chats_action_sql.h"
#include "chats_entity.h"
#include "mod_chats_idempotency.h"
#include "mod_chats_metrics.h"
#include "mod_chats_ops.h"
#include "chats_render.h"
#include "mod_chats_rights.h"

#define ENTITY "ChatSessionEntity"

/* An action under way: the request, its connection and statements, and
 * the values its statements take (chats_aparam_e). */
typedef struct {
    chats_req_t *q;
    chats_store_t *st;
    const chats_action_sql_t *a;
    const char *zone;
    chats_read_e how;
    const char *vals[CHATS_AP__N];
    const chats_idem_t *idem;    /* the request's Idempotency-Key, or NULL */
    chats_locale_texts_t *texts; /* [SR_…] texts, read before rendering */
} act_t;

/* Check the right, then take the connection. */
static chats_err_t *act_start(chats_req_t *q, chats_do_e what, act_t *x)
{
    const chats_sql_t *sql = chats_srv_conf(q->r->server)->sql;
    const chats_caller_t *c;
    chats_err_t *e;

    memset(x, 0, sizeof(*x));
    if ((e = chats_rights_require(q, what)) != NULL) {
        return e;
    }
    if (!sql || !sql->act) {
        return chats_err_make(q->r->pool, CHATS_E_INTERNAL, NULL,
                              "the action statements were not built");
    }
    if ((e = chats_store_open(&x->st, q->r)) != NULL) {
        return e;
    }
    c = chats_rights_caller(q);
    x->q = q;
    x->a = sql->act;
    x->zone = chats_resource_zone(q);
    x->how = x->zone ? CHATS_READ_ZONED : CHATS_READ_UTC;
    x->vals[CHATS_AP_ASSOC] = apr_itoa(q->r->pool, c->associate_id);
    x->vals[CHATS_AP_LOGIN] = q->r->user ? q->r->user : "";
    x->vals[CHATS_AP_ID] = apr_itoa(q->r->pool, q->id);
    x->vals[CHATS_AP_TO] = q->to_associate;
    x->vals[CHATS_AP_TOPIC] = apr_itoa(q->r->pool, q->topic);
    return NULL;
}

/* The Idempotency-Key of a write (README "Retrying writes safely"): its
 * writes then run in their keyed forms. */
static chats_err_t *act_key(act_t *x)
{
    chats_idem_t *k;
    chats_err_t *e;

    if ((e = chats_idem_start(x->q, NULL, &k)) != NULL || !k) {
        return e;
    }
    x->idem = k;
    x->vals[CHATS_AP_KEY] = k->key;
    x->vals[CHATS_AP_FP] = k->fp;
    x->vals[CHATS_AP_STATUS] = k->status;
    return NULL;
}

static chats_err_t *act_exec(act_t *x, chats_act_e which,
                             chats_rows_t **prows)
{
    const chats_act_stmt_t *s = x->idem ? chats_action_stmt_keyed(
                                              x->a, which, x->how) : NULL;
    const char **values;
    chats_ptype_e *types;
    int n;

    s = s ? s : chats_action_stmt(x->a, which, x->how);
    n = chats_action_params(x->q->r->pool, s, x->zone, x->vals, &values,
                            &types);
    return chats_store_exec_typed(x->st, &s->stmt, n, values, types, prows);
}

/* The write as the second statement of a transaction whose first locks
 * the agent's associate row (FOR NO KEY UPDATE: foreign-key checks of
 * other writers are not blocked): the write's snapshot is taken after
 * the lock, so it sees the agent's previous pickup committed. Other
 * agents never wait on it. Its rows are answered only once it
 * committed: a failed COMMIT is an error, never the row. */
static chats_err_t *locked_exec(act_t *x, chats_act_e which,
                                chats_rows_t **prows)
{
    chats_rows_t *rows;
    chats_err_t *e;

    if ((e = chats_store_begin(x->st)) != NULL) {
        return e;
    }
    if ((e = act_exec(x, CHATS_ACT_LOCK, &rows)) == NULL
        && (e = act_exec(x, which, prows)) == NULL) {
        return chats_store_commit(x->st);
    }
    /* the pooled connection must not go back inside a failed
     * transaction */
    chats_store_rollback(x->st);
    return e;
}

/* A row of rows (the statement's CHATS_SQL_ROW on). */
static const char *const *row_of(const chats_rows_t *rows, int i)
{
    return chats_rows_from(rows, i, CHATS_SQL_ROW);
}

/* "Nothing to pick up": JSON null, or the entity element marked nil
 * (README "Agent actions", D-1). */
static chats_err_t *send_null(chats_req_t *q)
{
    return chats_resource_answer(q, chats_doc_null(q->r->pool), ENTITY,
                                 "the answer");
}

/* The view of a row as the actions answer it: the entity without _Links
 * and without $select (the action routes take none), with TableRight and
 * FieldProperties for this caller. */
static chats_doc_t *row_view(act_t *x, const char *const *cols,
                             chats_read_t **prd)
{
    chats_req_t *q = x->q;
    chats_read_t *rd = chats_resource_read_row(q, cols);
    chats_view_opts_t o;

    memset(&o, 0, sizeof(o));
    o.table_mask = chats_rights_table_mask(q, rd->doc, 0);
    o.readonly = chats_rights_readonly(q, rd->doc, 0);
    *prd = rd;
    return chats_view_build(q->r->pool, q->entity, rd->doc, &o);
}

/* [SR_...] resource texts: one statement for the whole answer, only
 * when a string holds one, and before rendering starts (the n values
 * read); rendering then reads nothing. */
static chats_err_t *translations(act_t *x, const char *const *values, int n)
{
    chats_err_t *e;

    e = chats_locale_load(x->q->r, x->q->loc, values, n, &x->texts);
    chats_store_rendering(x->q->r);
    return e;
}

/* One session: the entity, with its validators. */
static chats_err_t *send_row(act_t *x, const char *const *cols)
{
    request_rec *r = x->q->r;
    chats_read_t *rd;
    chats_doc_t *view;
    chats_err_t *e;

    if ((e = translations(x, cols, chats_resource_sql(x->q)
                                       ->ncols[x->how])) != NULL) {
        return e;
    }
    view = row_view(x, cols, &rd);
    chats_locale_apply(x->texts, view, r->pool);
    chats_note_session(r, rd->id);
    chats_answer_validators(r, rd->version, rd->updated_at);
    return chats_resource_answer(x->q, view, ENTITY, "the answer");
}

static chats_err_t *denied(chats_req_t *q, const char *why)
{
    chats_err_t *e = chats_err_make(q->r->pool, CHATS_E_FORBIDDEN, NULL,
                                    "%s", why);

    chats_rights_log_denial(q, e);
    return e;
}

/* Run an action's write, alone or in the agent's lock. With a key,
 * hit->found when the key answers already: a repeat (its keyed write
 * wrote nothing), or a request with the same key that committed first
 * (this one's write was undone with its key); answer with replay(). */
static chats_err_t *act_write(act_t *x, chats_act_e which, int lock,
                              chats_rows_t **prows, chats_idem_hit_t *hit)
{
    chats_err_t *e = lock ? locked_exec(x, which, prows)
                          : act_exec(x, which, prows);

    memset(hit, 0, sizeof(*hit));
    if (!x->idem) {
        return e;
    }
    if (chats_idem_taken(e)) {
        return chats_idem_after_taken(x->q, x->idem, hit);
    }
    if (e || (*prows)->nrows == 1) {
        return e;
    }
    /* nothing written: the key's answer, if it has one, comes before
     * what the diagnosis would say of the session as it is now */
    return chats_idem_lookup(x->q, x->idem, hit);
}

/* The answer the key holds: its status, the session as it is now. */
static chats_err_t *replay(act_t *x, const chats_idem_hit_t *hit)
{
    chats_rows_t *rows;
    chats_err_t *e;

    if (!hit->entity) {
        chats_idem_replayed(x->q, hit);
        return send_null(x->q);
    }
    x->vals[CHATS_AP_ID] = hit->entity;
    if ((e = act_exec(x, CHATS_ACT_GET, &rows)) != NULL
        || (e = chats_idem_replayed_entity(x->q, hit, "ChatSession",
                                           rows)) != NULL) {
        return e;
    }
    return send_row(x, row_of(rows, 0));
}

/* An answer of an action that wrote nothing (the session as it is, or
 * null): with a key, recorded first, so that a repeat gets it too. */
static chats_err_t *unwritten(act_t *x, const char *const *row)
{
    chats_idem_hit_t hit;
    chats_err_t *e;

    if (x->idem) {
        if ((e = chats_idem_record(x->q, x->idem, row ? row[0] : NULL,
                                   &hit)) != NULL) {
            return e;
        }
        if (hit.found) {
            return replay(x, &hit);
        }
    }
    return row ? send_row(x, row) : send_null(x->q);
}

/* What every write answers first: the key's earlier answer, the row it
 * wrote, or, when it wrote none, 404 if the diagnosis finds no session.
 * Otherwise *pd is the diagnosis' row, for the action to judge (a
 * refusal, or the documented no-op); *pd NULL: answered (or e). */
static chats_err_t *after_write(act_t *x, const chats_idem_hit_t *hit,
                                const chats_rows_t *rows, chats_act_e diag,
                                chats_rows_t **pd)
{
    chats_err_t *e;

    *pd = NULL;
    if (hit->found) {
        return replay(x, hit);
    }
    if (rows->nrows == 1) {
        return send_row(x, row_of(rows, 0));
    }
    if ((e = act_exec(x, diag, pd)) == NULL && (*pd)->nrows != 1) {
        e = chats_resource_not_found(x->q);
    }
    if (e) {
        *pd = NULL;
    }
    return e;
}

/* Start a writing action: the right, the connection, the key. */
static chats_err_t *act_begin(chats_req_t *q, act_t *x)
{
    chats_err_t *e;

    if ((e = act_start(q, CHATS_DO_ACT, x)) != NULL) {
        return e;
    }
    return act_key(x);
}

chats_err_t *chats_action_pickup_first(chats_req_t *q)
{
    chats_idem_hit_t hit;
    chats_rows_t *rows;
    chats_err_t *e;
    act_t x;

    if ((e = act_begin(q, &x)) != NULL
        || (e = act_write(&x, CHATS_ACT_PICKUP_FIRST, 1, &rows,
                          &hit)) != NULL) {
        return e;
    }
    if (hit.found) {
        return replay(&x, &hit);
    }
    /* nothing queued in the agent's topics, or every queued session is
     * being taken by someone else right now */
    return rows->nrows == 1 ? send_row(&x, row_of(rows, 0))
                            : unwritten(&x, NULL);
}

chats_err_t *chats_action_pickup(chats_req_t *q)
{
    chats_idem_hit_t hit;
    chats_rows_t *rows, *d;
    chats_err_t *e;
    act_t x;

    if ((e = act_begin(q, &x)) != NULL
        || (e = act_write(&x, CHATS_ACT_PICKUP, 1, &rows, &hit)) != NULL
        || (e = after_write(&x, &hit, rows, CHATS_ACT_PICKUP_DIAG,
                            &d)) != NULL || !d) {
        return e;
    }
    if (!chats_rows_true(d, 0, "member")) {
        return denied(q, "you may pick up only sessions of topics where "
                         "you can respond");
    }
    /* not queued, or just taken by another agent */
    return unwritten(&x, NULL);
}

chats_err_t *chats_action_transfer(chats_req_t *q)
{
    chats_idem_hit_t hit;
    chats_rows_t *rows, *d;
    chats_err_t *e;
    act_t x;

    if ((e = act_begin(q, &x)) != NULL) {
        return e;
    }
    if (!q->to_associate || !*q->to_associate) {
        return chats_err_make(q->r->pool, CHATS_E_INVALID, "toAssociate",
                              "toAssociate: name the associate by login "
                              "or id");
    }
    if ((e = act_write(&x, CHATS_ACT_TRANSFER, 0, &rows, &hit)) != NULL
        || (e = after_write(&x, &hit, rows, CHATS_ACT_TRANSFER_DIAG,
                            &d)) != NULL || !d) {
        return e;
    }
    if (!chats_rows_true(d, 0, "known")) {
        return chats_err_make(q->r->pool, CHATS_E_INVALID, "toAssociate",
                              "toAssociate: no associate has that login "
                              "or id");
    }
    /* not the caller's session, to the caller, or already pending */
    return unwritten(&x, row_of(d, 0));
}

/* Accept and Reject: the write (Accept's in the agent's lock), or the
 * session as it is (the documented no-op). */
static chats_err_t *answer_transfer(chats_req_t *q, chats_act_e which,
                                   int lock)
{
    chats_idem_hit_t hit;
    chats_rows_t *rows, *d;
    chats_err_t *e;
    act_t x;

    if ((e = act_begin(q, &x)) != NULL
        || (e = act_write(&x, which, lock, &rows, &hit)) != NULL
        || (e = after_write(&x, &hit, rows, CHATS_ACT_GET, &d)) != NULL
        || !d) {
        return e;
    }
    return unwritten(&x, row_of(d, 0));
}

chats_err_t *chats_action_accept(chats_req_t *q)
{
    return answer_transfer(q, CHATS_ACT_ACCEPT, 1);
}

chats_err_t *chats_action_reject(chats_req_t *q)
{
    return answer_transfer(q, CHATS_ACT_REJECT, 0);
}

chats_err_t *chats_action_reset(chats_req_t *q)
{
    const chats_caller_t *c;
    chats_idem_hit_t hit;
    chats_rows_t *rows, *d;
    chats_err_t *e;
    int any;
    act_t x;

    if ((e = act_begin(q, &x)) != NULL) {
        return e;
    }
    c = chats_rights_caller(q);
    any = c->level >= CHATS_RIGHT_UPDATE_ALL;
    if ((e = act_write(&x, any ? CHATS_ACT_RESET_ANY : CHATS_ACT_RESET_OWN,
                       0, &rows, &hit)) != NULL
        || (e = after_write(&x, &hit, rows, CHATS_ACT_RESET_DIAG,
                            &d)) != NULL || !d) {
        return e;
    }
    if (!any && !chats_rows_true(d, 0, "own")) {
        return denied(q, "you may reset only your own sessions");
    }
    /* queued already, with no User and no bot */
    return unwritten(&x, row_of(d, 0));
}

chats_err_t *chats_action_for_user(chats_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    chats_rows_t *rows;
    chats_doc_t *out, *view;
    chats_read_t *rd;
    chats_err_t *e;
    act_t x;
    int i, xml = chats_answer_xml(q->media);

    if ((e = act_start(q, CHATS_DO_MINE, &x)) != NULL
        || (e = act_exec(&x, CHATS_ACT_FOR_USER, &rows)) != NULL) {
        return e;
    }
    if ((e = translations(&x, rows->values, rows->nrows * rows->ncols))
        != NULL) {
        return e;
    }
    /* XML: .NET's ArrayOf<T>, one <ChatSessionEntity> per session */
    out = xml ? chats_doc_object(p) : chats_doc_array(p);
    for (i = 0; i < rows->nrows; i++) {
        view = row_view(&x, row_of(rows, i), &rd);
        if (xml) {
            chats_doc_object_add(out, ENTITY, view);
        }
        else {
            chats_doc_array_push(out, view);
        }
    }
    chats_locale_apply(x.texts, out, p);
    return chats_resource_answer(q, out, "ArrayOf" ENTITY, "the answer");
}

/* A queued session of the topic, created through POST's own path (the
 * planner, POST's rights): the body the agent's binder hands on is the
 * entity this builds. */
chats_err_t *chats_action_create_for_topic(chats_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    chats_doc_t *body = chats_doc_object(p);
    apr_time_exp_t t;
    chats_rows_t *rows;
    chats_err_t *e;
    act_t x;

    if (!q->agent) {           /* POST ChatTopic/{id}/Sessions */
        const char *slash = strrchr(q->archive_url, '/');

        q->topic = q->id;
        q->id = 0;
        /* the new session's Location and _Links: the ChatSession family
         * beside the topic's (".../api/v1/ChatTopic" -> ".../ChatSession") */
        q->archive_url = apr_pstrcat(q->r->pool, apr_pstrmemdup(
            q->r->pool, q->archive_url, slash ? (apr_size_t)(slash
                                                 - q->archive_url) : 0),
            chats_route_family(CHATS_FAMILY_REST)->name, NULL);
    }
    /* POST's right first: a refused caller causes no statement */
    if ((e = chats_rights_require(q, CHATS_DO_CREATE)) != NULL
        || (e = act_start(q, CHATS_DO_READ, &x)) != NULL
        || (e = act_exec(&x, CHATS_ACT_QUEUE_POS, &rows)) != NULL) {
        return e;
    }
    apr_time_exp_gmt(&t, apr_time_now());
    chats_doc_object_add(body, "TopicId", chats_doc_int(p, q->topic));
    chats_doc_object_add(body, "Status", chats_doc_strz(p, "InQueue"));
    chats_doc_object_add(body, "WhenRequested", chats_doc_strz(p,
        apr_psprintf(p, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
                     t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour,
                     t.tm_min, t.tm_sec, t.tm_usec)));
    /* informative only: a concurrent request may count the same */
    chats_doc_object_add(body, "InitialQueuePos", chats_doc_int(p,
        chats_rows_get(rows, 0, "pos")
        ? apr_atoi64(chats_rows_get(rows, 0, "pos")) : 1));
    q->arg_body = body;
    e = chats_resource_post(q);
    /* REST names the topic in its path: an unknown one is that path's 404
     * (the agent's, a body member, stays a 400 naming TopicId) */
    if (e && !q->agent && e->code == CHATS_E_INVALID && e->field
        && !strcmp(e->field, "TopicId")) {
        return chats_resource_not_found_of(q, &chats_topic_def, q->topic);
    }
    return e;
}
