/* The methods that change a chat session: PATCH, PUT, POST, DELETE. Each
 * compiles its body into a plan (core/plan/chats_plan.h) and runs it as one
 * statement; PostgreSQL's row lock orders concurrent writers, so every
 * "test" op and precondition is evaluated against the row written. When
 * the statement writes nothing, one diagnosis names the answer. Only if
 * the row changed between those two statements does the write run again,
 * once, under SELECT ... FOR UPDATE in a transaction (the store's: its
 * statements are never re-run on another connection), answered only once
 * that committed: no retry loop. A create or the agent's Save sent with
 * an Idempotency-Key runs its write keyed: the key recorded in the same
 * statement, a repeat answered from it (mod_chats_idempotency.h). */
#include <apr_strings.h>

#include "mod_chats_body.h"
#include "mod_chats_deliver.h"
#include "mod_chats_idempotency.h"
#include "mod_chats_metrics.h"
#include "chats_plan.h"
#include "mod_chats_resource.h"
#include "mod_chats_rights.h"
#include "chats_webhook_check.h"

#define CHATS_PATCH_FLAGS (CHATS_PATCH_CASEI | CHATS_PATCH_SLASH_OPT)

static const char *const row_cols[] = { CHATS_SQL_ROW, NULL };

/* The plan's statements, declared as the store needs them: the write may
 * have committed when its connection dies, and is never run twice; the
 * diagnosis only reads. Each reads a row to render, but a DELETE's. */
typedef enum { STMT_WRITE, STMT_DIAG, STMT_LOCKED_DIAG } stmt_e;

/* A plan's write as the statement runs it: its text (keyed when the
 * request has an Idempotency-Key: the key recorded in the same
 * statement) and the key, whose parameters follow the plan's. */
typedef struct {
    const char *sql;
    const chats_idem_t *idem;
} write_t;

static chats_err_t *run(chats_req_t *q, chats_store_t *st,
                        const chats_plan_t *pl, stmt_e which,
                        const write_t *write, chats_rows_t **prows)
{
    static const char *const labels[] = {
        "write", "diagnosis", "locked diagnosis"
    };
    const chats_entity_sql_t *sql = chats_resource_sql(q);
    chats_ptype_e *types;
    const char **values;
    chats_stmt_t stmt;
    int i;

    /* The text first: building it adds the checks' parameters (the first
     * of the write and the diagnosis to be built does). */
    memset(&stmt, 0, sizeof(stmt));
    stmt.label = labels[which];
    stmt.sql = which == STMT_WRITE ? write->sql
             : chats_plan_diag_sql(pl, sql, which == STMT_LOCKED_DIAG);
    /* the key's own parameters (at most 5) follow the plan's */
    types = apr_palloc(pl->p, (pl->params->nelts + 5) * sizeof(*types));
    values = apr_palloc(pl->p, (pl->params->nelts + 5) * sizeof(*values));
    for (i = 0; i < pl->params->nelts; i++) {
        values[i] = APR_ARRAY_IDX(pl->params, i, chats_param_t).value;
        types[i] = APR_ARRAY_IDX(pl->params, i, chats_param_t).type;
    }
    if (which == STMT_WRITE && write->idem) {
        i = chats_idem_params(write->idem, values, types, i);
    }
    stmt.retry = which == STMT_WRITE ? CHATS_RETRY_NEVER : CHATS_RETRY_SAFE;
    stmt.cols = pl->in.kind == CHATS_PLAN_DELETE ? NULL : row_cols;
    return chats_store_exec_typed(st, &stmt, i, values, types, prows);
}

static chats_plan_t *plan_make(chats_req_t *q, chats_plan_kind_e kind)
{
    request_rec *r = q->r;
    chats_plan_in_t in;
    chats_precond_t *pc = apr_pcalloc(r->pool, sizeof(*pc));

    chats_precond_read(pc, apr_table_get(r->headers_in, "If-Match"),
                       apr_table_get(r->headers_in, "If-None-Match"),
                       apr_table_get(r->headers_in, "If-Unmodified-Since"),
                       r->pool);
    memset(&in, 0, sizeof(in));
    in.entity = q->entity;
    in.kind = kind;
    in.id = q->id;
    in.zone = chats_resource_zone(q);
    in.caller = chats_rights_caller(q);
    in.precond = kind == CHATS_PLAN_INSERT ? NULL : pc;
    in.check = chats_entity_value_check(q->entity);
    in.check_ctx = chats_webhook_conf(r->server).allow;
    in.triggers_capture = chats_metrics_webhooks_none();
    return chats_plan_make(r->pool, &in);
}

/* The row, answered to a write that passed the checks (so the rights
 * rule's guard, for a topic: its TableRight is a manager's). */
static chats_err_t *as_is(chats_req_t *q, const char *const *row)
{
    chats_read_t *rd = chats_resource_read_row(q, row);

    rd->may_write = 1;
    return chats_resource_send(q, rd);
}

/* The answer to a write that committed: the row as written. */
static chats_err_t *written(chats_req_t *q, const chats_plan_t *pl,
                            const chats_rows_t *rows)
{
    request_rec *r = q->r;

    if (pl->in.kind == CHATS_PLAN_DELETE) {
        r->status = HTTP_NO_CONTENT;
        return NULL;
    }
    if (pl->in.kind == CHATS_PLAN_INSERT) {
        /* 200, as SuperOffice answers a create, and where it now lives */
        q->id = (apr_int32_t)apr_atoi64(chats_rows_get(rows, 0,
                                                       CHATS_SQL_ROW));
        chats_note_session(r, q->id);
        if (!q->agent) {       /* the agent's answer is the carrier alone */
            apr_table_setn(r->headers_out, "Location",
                           chats_resource_self_url(q, q->id));
        }
    }
    return as_is(q, chats_rows_from(rows, 0, CHATS_SQL_ROW));
}

/* A failed check is answered as it is; a denial is also logged. */
static chats_err_t *refused(chats_req_t *q, chats_err_t *e)
{
    if (e->code == CHATS_E_FORBIDDEN) {
        chats_rights_log_denial(q, e);
    }
    return e;
}

/* What the diagnosis row says: an error (the answer), or *pchanged when
 * the row changed since the write and the plan would now apply, or
 * neither: nothing to write, *prow the row to answer with. Renders
 * nothing: the caller may hold the row's lock. */
static chats_err_t *diagnosed(chats_req_t *q, const chats_plan_t *pl,
                              const chats_rows_t *rows, int *pchanged,
                              const char *const **prow)
{
    chats_err_t *e;
    int skip;

    *pchanged = 0;
    *prow = NULL;
    if (rows->nrows == 0) {
        return chats_resource_not_found(q);
    }
    switch (chats_plan_diagnose(pl, rows->values, &e, &skip)) {
    case CHATS_DIAG_FAILED:
        return refused(q, e);
    case CHATS_DIAG_NOOP:
        /* the checks are the planner's, by position; the row is ours */
        *prow = chats_rows_from(rows, 0, CHATS_SQL_ROW);
        if (!*prow || *prow != rows->values + skip) {
            return chats_err_make(q->r->pool, CHATS_E_INTERNAL, NULL,
                                  "the diagnosis read no row");
        }
        return NULL;
    case CHATS_DIAG_CHANGED:
        break;
    }
    *pchanged = 1;
    return NULL;
}


/* The fallback: diagnosis and write under the row's lock, in a
 * transaction. The answer is rendered (translations included) only once
 * it committed, and after the lock is gone. *prow: the row to answer as
 * it is when nothing is to be written (rendered by the caller). */
static chats_err_t *locked(chats_req_t *q, chats_store_t *st,
                           const chats_plan_t *pl, const write_t *write,
                           const char *const **prow)
{
    chats_rows_t *rows, *w = NULL;
    chats_err_t *e;
    int changed = 0;

    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, q->r, CHATS_LOGNO(22)
                  "%s %d changed between its write and the "
                  "diagnosis: writing under the row lock", q->entity->name,
                  (int)q->id);
    *prow = NULL;
    if ((e = chats_store_begin(st)) != NULL) {
        return e;
    }
    if ((e = run(q, st, pl, STMT_LOCKED_DIAG, NULL, &rows)) == NULL
        && (e = diagnosed(q, pl, rows, &changed, prow)) == NULL && changed
        && (e = run(q, st, pl, STMT_WRITE, write, &w)) == NULL
        && w->nrows != 1) {
        e = chats_err_make(q->r->pool, CHATS_E_INTERNAL, NULL,
                           "the locked write changed no row");
    }
    if (e || !changed) {
        chats_store_rollback(st);
        return e;
    }
    if ((e = chats_store_commit(st)) != NULL) {
        return e;
    }
    return written(q, pl, w);
}

/* The answer a key holds (a repeat, or a request with the same key that
 * committed first): its status, the session as it is now. */
static chats_err_t *replay(chats_req_t *q, chats_store_t *st,
                           const chats_plan_t *pl,
                           const chats_idem_hit_t *hit)
{
    const chats_entity_sql_t *sql = chats_resource_sql(q);
    const char *params[2];
    chats_rows_t *rows = NULL;
    chats_err_t *e;
    int n = 0;

    if (pl->in.zone) {
        params[n++] = pl->in.zone;
    }
    params[n++] = hit->entity;
    if (hit->entity
        && (e = chats_store_exec(st, &sql->get[pl->in.zone
                                               ? CHATS_READ_ZONED
                                               : CHATS_READ_UTC],
                                 n, params, &rows)) != NULL) {
        return e;
    }
    if ((e = chats_idem_replayed_entity(q, hit, q->entity->name,
                                        rows)) != NULL) {
        return e;
    }
    return written(q, pl, rows);
}

/* With a key, what wrote nothing: the key's answer when it has one (a
 * repeat), else NULL and *phit unset: diagnose. */
static chats_err_t *unwritten_key(chats_req_t *q, const write_t *write,
                                  chats_err_t *e, chats_idem_hit_t *phit)
{
    memset(phit, 0, sizeof(*phit));
    if (!write->idem) {
        return e;
    }
    if (chats_idem_taken(e)) {
        return chats_idem_after_taken(q, write->idem, phit);
    }
    return e ? e : chats_idem_lookup(q, write->idem, phit);
}

/* The session as it is, answered to a write that changed nothing: with
 * a key, recorded first, so that a repeat gets it too. */
static chats_err_t *answer_as_is(chats_req_t *q, chats_store_t *st,
                                 const chats_plan_t *pl,
                                 const write_t *write,
                                 const char *const *row)
{
    chats_idem_hit_t hit;
    chats_err_t *e;

    if (write->idem) {
        if ((e = chats_idem_record(q, write->idem, row[0], &hit)) != NULL) {
            return e;
        }
        if (hit.found) {
            return replay(q, st, pl, &hit);
        }
    }
    return as_is(q, row);
}

/* The write's statement: the plan's, keyed when the request has a key
 * (its parameters after the plan's). */
static chats_err_t *write_make(chats_req_t *q, const chats_plan_t *pl,
                               const chats_idem_t *k, write_t *write)
{
    chats_idem_refs_t refs;

    write->idem = k;
    write->sql = chats_plan_write_sql(pl, chats_resource_sql(q));
    if (k && write->sql) {
        chats_sql_idem_refs(pl->p, pl->params->nelts + 1, &refs);
        if (!(write->sql = chats_sql_idem_keyed(pl->p, write->sql, &refs,
                                                "w"))) {
            return chats_err_make(q->r->pool, CHATS_E_INTERNAL, NULL,
                                  "the write cannot take a key");
        }
    }
    return NULL;
}

static chats_err_t *run_plan(chats_req_t *q, chats_plan_t *pl,
                             const chats_idem_t *k)
{
    const char *const *row;
    chats_idem_hit_t hit;
    chats_store_t *st;
    chats_rows_t *rows;
    chats_err_t *e = NULL;
    write_t write;
    int changed;

    if ((e = write_make(q, pl, k, &write)) != NULL) {
        return e;
    }
    if (pl->in.kind == CHATS_PLAN_INSERT && !write.sql) {
        /* a new session has no row to diagnose: checks were decided */
        return refused(q, APR_ARRAY_IDX(pl->checks, pl->failed,
                                        chats_check_t).err);
    }
    if ((e = chats_store_open(&st, q->r)) != NULL) {
        return e;
    }
    /* one statement, committed on its own: answered once it returned */
    if (write.sql) {
        e = run(q, st, pl, STMT_WRITE, &write, &rows);
        if (!e && rows->nrows == 1) {
            return written(q, pl, rows);
        }
    }
    if ((e = unwritten_key(q, &write, e, &hit)) != NULL || hit.found) {
        return e ? e : replay(q, st, pl, &hit);
    }
    if ((e = run(q, st, pl, STMT_DIAG, NULL, &rows)) != NULL
        || (e = diagnosed(q, pl, rows, &changed, &row)) != NULL) {
        return e;
    }
    if (changed) {
        e = locked(q, st, pl, &write, &row);
        if (chats_idem_taken(e)
            && !(e = unwritten_key(q, &write, e, &hit)) && hit.found) {
            return replay(q, st, pl, &hit);
        }
        if (e || !row) {
            return e;
        }
    }
    return answer_as_is(q, st, pl, &write, row);
}

/* The body as a document (offset-less date-times in it stay as they
 * are: the plan reads them in the request's zone). */
static chats_err_t *read_body(chats_req_t *q, chats_media_e *pmedia,
                              chats_doc_t **pbody)
{
    request_rec *r = q->r;
    chats_err_t *e;

    if (q->arg_body) {         /* the agent's binder has read it */
        *pmedia = CHATS_MEDIA_JSON;
        *pbody = (chats_doc_t *)q->arg_body;
        return NULL;
    }
    /* A slow upload must not hold one of DBDMax connections meanwhile. */
    chats_store_release(r);
    if ((e = chats_body_media(r, pmedia)) != NULL
        || (e = chats_body_read(r, q->entity, *pmedia,
                                chats_conf_max_body(chats_dir_conf(r)),
                                pbody)) != NULL) {
        return e;
    }
    chats_http_body_read(r);
    return NULL;
}

chats_err_t *chats_resource_patch(chats_req_t *q)
{
    request_rec *r = q->r;
    apr_array_header_t *ops = NULL;
    chats_media_e media;
    chats_doc_t *body;
    chats_plan_t *pl;
    chats_err_t *e;

    /* A caller who may not update is refused before the body is read. */
    if ((e = chats_rights_require(q, CHATS_DO_UPDATE)) != NULL
        || (e = read_body(q, &media, &body)) != NULL) {
        return e;
    }
    if (body->type == CHATS_J_ARRAY && media != CHATS_MEDIA_MERGE_PATCH) {
        if ((e = chats_patch_read(&ops, body, CHATS_PATCH_FLAGS,
                                  r->pool)) != NULL) {
            return e;
        }
    }
    else if (body->type != CHATS_J_OBJECT || media == CHATS_MEDIA_JSON_PATCH) {
        return chats_err_make(r->pool, CHATS_E_INVALID, NULL,
                              media == CHATS_MEDIA_JSON_PATCH
                              ? "a JSON Patch must be an array of operations"
                              : media == CHATS_MEDIA_MERGE_PATCH
                              ? "a JSON Merge Patch must be an object"
                              : "the body must be a JSON Patch array or a "
                                "JSON Merge Patch object");
    }
    pl = plan_make(q, CHATS_PLAN_UPDATE);
    if (ops) {
        chats_plan_ops(pl, ops, 0);
    }
    else {
        chats_plan_merge(pl, body);
    }
    chats_plan_finish(pl);
    return run_plan(q, pl, NULL);
}

/* PUT and POST: a whole entity. */
static chats_err_t *entity_write(chats_req_t *q, chats_do_e what,
                                 chats_plan_kind_e kind)
{
    chats_media_e media;
    chats_doc_t *body;
    chats_plan_t *pl;
    chats_idem_t *k;
    chats_err_t *e;

    if ((e = chats_rights_require(q, what)) != NULL
        || (e = read_body(q, &media, &body)) != NULL
        || (e = chats_idem_start(q, body, &k)) != NULL) {
        return e;
    }
    pl = plan_make(q, kind);
    if ((e = chats_plan_entity(pl, body)) != NULL) {
        return e;
    }
    chats_plan_finish(pl);
    return run_plan(q, pl, k);
}

chats_err_t *chats_resource_put(chats_req_t *q)
{
    return entity_write(q, CHATS_DO_UPDATE, CHATS_PLAN_UPDATE);
}

chats_err_t *chats_resource_post(chats_req_t *q)
{
    return entity_write(q, CHATS_DO_CREATE, CHATS_PLAN_INSERT);
}

/* A DELETE refused because other rows refer to the row: the answer
 * names how many. A DELETE writes no reference, so a foreign key it
 * violates (field named: the store's mapping) is another row's
 * reference to it, added after the statement's check. */
static chats_err_t *in_use(chats_req_t *q, chats_err_t *e)
{
    const chats_in_use_t *u = q->entity->in_use;
    const char *id = apr_itoa(q->r->pool, q->id);
    chats_store_t *st;
    chats_rows_t *rows;
    chats_err_t *ce;

    if (!u || !e || !(e->code == CHATS_E_IN_USE
                      || (e->code == CHATS_E_INVALID && e->field))) {
        return e;
    }
    if ((ce = chats_store_open(&st, q->r)) != NULL
        || (ce = chats_store_exec(st, &chats_resource_sql(q)->in_use, 1,
                                  &id, &rows)) != NULL) {
        return ce;
    }
    return chats_err_make(q->r->pool, CHATS_E_IN_USE, u->field,
                          "the %s %d still has %s %s: delete or move them "
                          "first", q->entity->label, (int)q->id,
                          rows->nrows ? chats_rows_get(rows, 0, "n") : "0",
                          u->what);
}

chats_err_t *chats_resource_delete(chats_req_t *q)
{
    chats_err_t *e;

    if ((e = chats_rights_require(q, CHATS_DO_DELETE)) != NULL) {
        return e;
    }
    return in_use(q, run_plan(q, plan_make(q, CHATS_PLAN_DELETE), NULL));
}
