/* The store on PostgreSQL: mod_dbd pools the connections; our statements
 * run through libpq on the pooled connection. apr_dbd's own prepared
 * statements die with the server process that held them and mod_dbd never
 * prepares them again (notes/toolchain.md), so we prepare per connection
 * ourselves, on first use, and again whenever the backend changed. */
#include <apr_atomic.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "chats_entity.h"
#include "mod_chats_metrics.h"
#include "chats_sql.h"
#include "mod_chats_store_private.h"

APR_OPTIONAL_FN_TYPE(ap_dbd_open) *chats_dbd_open_fn = NULL;
APR_OPTIONAL_FN_TYPE(ap_dbd_close) *chats_dbd_close_fn = NULL;

/* Per pooled connection: the backend our statements were prepared on,
 * and the names it knows them by, keyed by their parameter types and SQL
 * text (copied into the connection's pool): one text may be run with
 * other parameters (a write's diagnosis reads the row with the GET's
 * text, binding the write's values), and each is a statement of its own
 * to PostgreSQL. Bounded: past CHATS_MAX_NAMED shapes, a new one runs
 * unnamed, so no client can grow a backend without limit. */
typedef struct {
    int backend_pid;
    apr_hash_t *prepared;          /* types + SQL text -> statement name */
    apr_hash_t *names;             /* the statements' own names in use */
    int nnamed;
    int schema_pid;                /* the backend whose schema version
                                      was found right */
} chats_pgconn_state_t;

#define CHATS_MAX_NAMED 256
#define STORE_KEY "chats-store"

#define STATE_KEY "chats-pgconn-state"
/* Set when the request's answer starts being rendered: no statement
 * runs after it (chats_store_rendering). */
#define RENDERING_NOTE "chats-rendering"

static apr_status_t clear_result(void *res)
{
    PQclear(res);
    return APR_SUCCESS;
}

static PGresult *pooled(apr_pool_t *p, PGresult *res)
{
    if (res) {
        apr_pool_cleanup_register(p, res, clear_result,
                                  apr_pool_cleanup_null);
    }
    return res;
}

static chats_pgconn_state_t *conn_state(chats_store_t *st)
{
    void *data = NULL;
    chats_pgconn_state_t *cs;

    apr_pool_userdata_get(&data, STATE_KEY, st->dbd->pool);
    if (!data) {
        cs = apr_pcalloc(st->dbd->pool, sizeof(*cs));
        cs->prepared = apr_hash_make(st->dbd->pool);
        cs->names = apr_hash_make(st->dbd->pool);
        apr_pool_userdata_setn(cs, STATE_KEY, NULL, st->dbd->pool);
        data = cs;
    }
    return data;
}

/* PostgreSQL's type OIDs (pg_type.dat) of our parameter types. */
static const Oid *param_oids(chats_store_t *st, int n,
                             const chats_ptype_e *types)
{
    static const Oid oids[] = {
        25,     /* CHATS_P_TEXT */
        21,     /* CHATS_P_INT2 */
        23,     /* CHATS_P_INT4 */
        20,     /* CHATS_P_INT8 */
        16,     /* CHATS_P_BOOL */
        701,    /* CHATS_P_FLOAT8 */
        1184,   /* CHATS_P_TIMESTAMPTZ */
        1114,   /* CHATS_P_TIMESTAMP */
        1016,   /* CHATS_P_INT8_ARRAY */
        3802,   /* CHATS_P_JSONB */
    };
    Oid *out;
    int i;

    if (!types) {
        return NULL;
    }
    out = apr_palloc(st->r->pool, (n + 1) * sizeof(*out));
    for (i = 0; i < n; i++) {
        out[i] = oids[types[i]];
    }
    return out;
}

/* The name stmt is prepared under on this connection, preparing it
 * first unless its backend has it already (a new backend, after a
 * reconnect, has none). *pname is NULL when the statement is to run
 * unnamed: prepared statements are off, or this connection holds as many
 * shapes as it may. */
/* The cache key of stmt with these parameter types: "oid,oid,...;" and
 * the text. */
static const char *prepared_key(apr_pool_t *p, const chats_stmt_t *stmt,
                                int ntypes, const Oid *types)
{
    char *key, *k;
    size_t len = strlen(stmt->sql);
    int i;

    ntypes = types ? ntypes : 0;
    k = key = apr_palloc(p, (apr_size_t)ntypes * 11 + len + 2);
    for (i = 0; i < ntypes; i++) {
        k += sprintf(k, "%u,", (unsigned)types[i]);
    }
    *k++ = ';';
    memcpy(k, stmt->sql, len + 1);
    return key;
}

static chats_err_t *ensure_prepared(chats_store_t *st,
                                    const chats_stmt_t *stmt, int ntypes,
                                    const Oid *types, const char **pname)
{
    chats_pgconn_state_t *cs = conn_state(st);
    int pid = PQbackendPID(st->conn);
    const char *state, *name, *key;
    PGresult *res = NULL;
    apr_time_t t0;

    *pname = NULL;
    if (!st->env->prepared) {
        return NULL;
    }
    if (pid != cs->backend_pid) {
        apr_hash_clear(cs->prepared);
        apr_hash_clear(cs->names);
        cs->backend_pid = pid;
        cs->nnamed = 0;
    }
    key = prepared_key(st->r->pool, stmt, ntypes, types);
    if ((*pname = apr_hash_get(cs->prepared, key,
                               APR_HASH_KEY_STRING)) != NULL) {
        return NULL;
    }
    if (cs->nnamed >= CHATS_MAX_NAMED) {
        return NULL;
    }
    /* A statement's own name for its own parameters only: the same text
     * with others is another statement (chats_pgconn_state_t). */
    name = stmt->name && !apr_hash_get(cs->names, stmt->name,
                                       APR_HASH_KEY_STRING)
         ? stmt->name : apr_psprintf(st->dbd->pool, "chats_g%d", cs->nnamed);
    t0 = apr_time_now();
    res = pooled(st->r->pool, PQprepare(st->conn, name, stmt->sql,
                                        types ? ntypes : 0, types));
    chats_metrics_statement(st->r, t0, res);
    state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    /* 42P05: the backend has it already (we forgot it, it did not) */
    if (!res || (PQresultStatus(res) != PGRES_COMMAND_OK
                 && !(state && !strcmp(state, "42P05")))) {
        if (PQstatus(st->conn) != CONNECTION_OK) {
            return chats_store_db_down(st, "prepare");
        }
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, st->r, CHATS_LOGNO(11)
                      "preparing %s failed: %s", name,
                      PQerrorMessage(st->conn));
        return res ? chats_store_map_error(st, res)
                   : chats_err_make(st->r->pool, CHATS_E_INTERNAL, NULL,
                                    "database error");
    }
    apr_hash_set(cs->prepared, apr_pstrdup(st->dbd->pool, key),
                 APR_HASH_KEY_STRING, name);
    apr_hash_set(cs->names, name, APR_HASH_KEY_STRING, name);
    cs->nnamed++;
    *pname = name;
    return NULL;
}

/* Forget stmt on this connection (the server lost it: SQLSTATE 26000). */
static void forget_prepared(chats_store_t *st, const chats_stmt_t *stmt,
                            int ntypes, const Oid *types)
{
    apr_hash_set(conn_state(st)->prepared,
                 prepared_key(st->r->pool, stmt, ntypes, types),
                 APR_HASH_KEY_STRING, NULL);
}

/* Reset a connection found dead; 1 if it is alive again. */
static int reconnect(chats_store_t *st)
{
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, st->r, CHATS_LOGNO(14)
                  "connection lost, reconnecting");
    PQreset(st->conn);
    return PQstatus(st->conn) == CONNECTION_OK;
}

/* The database's schema version, once per backend: a database that
 * `chatsession-db upgrade` has not brought to CHATS_SCHEMA_VERSION would
 * fail statement by statement, with errors that name no fix. A wrong
 * version is checked again on the next request (so that an upgrade
 * needs no restart), and logged once per process. */
static chats_err_t *check_schema(chats_store_t *st)
{
    chats_pgconn_state_t *cs = conn_state(st);
    int pid = PQbackendPID(st->conn), version = 0;
    chats_store_proc_t *proc = st->env->proc;
    const char *state;
    PGresult *res;
    int attempt;

    if (cs->schema_pid == pid) {
        return NULL;
    }
    for (attempt = 0; ; attempt++) {
        apr_time_t t0 = apr_time_now();

        res = pooled(st->r->pool, PQexec(st->conn,
                                          CHATS_SQL_SCHEMA_VERSION));
        chats_metrics_statement(st->r, t0, res);
        state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
        if (!chats_store_conn_error(st->conn, state)) {
            break;
        }
        /* A backend gone since the pool last used this connection (a
         * PostgreSQL restart): nothing ran yet, so reconnect once. */
        if (attempt > 0 || !reconnect(st)) {
            return chats_store_db_down(st, "schema version");
        }
        pid = PQbackendPID(st->conn);
    }
    if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
        version = atoi(PQgetvalue(res, 0, 0));
    }
    else if (!state || strcmp(state, "42P01")) {     /* not "no such table" */
        return chats_store_map_error(st, res);
    }
    if (version == CHATS_SCHEMA_VERSION) {
        cs->schema_pid = pid;
        return NULL;
    }
    if (!proc || apr_atomic_cas32(&proc->schema_logged, 1, 0) == 0) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, st->r, CHATS_LOGNO(330)
                      "the database schema is version %d, this module needs "
                      "version %d: run `chatsession-db upgrade` (README, "
                      "\"Install into an existing Apache\"); logged once "
                      "per process", version, CHATS_SCHEMA_VERSION);
    }
    return chats_err_make(st->r->pool, CHATS_E_MISCONFIGURED, NULL,
                          "server misconfigured: the database schema is "
                          "version %d, this module needs version %d; the "
                          "administrator must run `chatsession-db upgrade`",
                          version, CHATS_SCHEMA_VERSION);
}

chats_store_proc_t *chats_store_proc_make(apr_pool_t *pchild)
{
    return apr_pcalloc(pchild, sizeof(chats_store_proc_t));
}

void chats_store_settle(chats_store_t *st)
{
    PGTransactionStatusType ts = PQtransactionStatus(st->conn);
    PGresult *res;

    if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, st->r, CHATS_LOGNO(413)
                      "connection going back inside a transaction: "
                      "rolled back");
        res = PQexec(st->conn, "ROLLBACK");
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            st->reset_on_close = 1;
        }
        PQclear(res);
        ts = PQtransactionStatus(st->conn);
    }
    if (ts != PQTRANS_IDLE || st->reset_on_close
        || PQstatus(st->conn) != CONNECTION_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, st->r, CHATS_LOGNO(414)
                      "connection reset before it goes back to the pool");
        PQreset(st->conn);
        st->reset_on_close = 0;
    }
}

/* Back to mod_dbd's pool: at the end of the request, or before a body
 * is read (chats_store_release). */
static apr_status_t store_close(void *data)
{
    chats_store_t *st = data;

    if (st->dbd) {
        chats_store_settle(st);
        chats_store_fault_released(st);
        chats_dbd_close_fn(st->r->server, st->dbd);
        st->dbd = NULL;
        st->conn = NULL;
    }
    return APR_SUCCESS;
}

/* The request whose pool holds the store: a subrequest's main request
 * (an internal redirect shares its pool already), so that the whole
 * request walk has one store. */
static request_rec *store_owner(request_rec *r)
{
    while (r->main) {
        r = r->main;
    }
    return r;
}

void chats_store_release(request_rec *r)
{
    chats_store_t *st = NULL;

    r = store_owner(r);
    apr_pool_userdata_get((void **)&st, STORE_KEY, r->pool);
    if (st && st->dbd) {
        apr_pool_cleanup_run(r->pool, st, store_close);
    }
}

/* The store's connection, ready for statements: reset in place if it
 * was found broken (never swapped for a second one), its schema
 * checked (once per backend). */
static chats_err_t *ready(chats_store_t *st, chats_store_t **pst)
{
    chats_err_t *e;

    if (PQstatus(st->conn) != CONNECTION_OK) {
        PQreset(st->conn);
        if (PQstatus(st->conn) != CONNECTION_OK) {
            chats_metrics_pool_failure();
            return chats_store_db_down(st, "reset");
        }
    }
    if ((e = check_schema(st)) != NULL) {
        return e;
    }
    *pst = st;
    return NULL;
}

/* The request's store, made once (in the owner's pool). */
static chats_store_t *request_store(request_rec *top)
{
    chats_store_t *st = NULL;

    apr_pool_userdata_get((void **)&st, STORE_KEY, top->pool);
    if (!st) {
        st = apr_pcalloc(top->pool, sizeof(*st));
        st->r = top;
        st->env = chats_conf_store_env(top->server);
        apr_pool_userdata_setn(st, STORE_KEY, NULL, top->pool);
    }
    return st;
}

chats_err_t *chats_store_open(chats_store_t **pst, request_rec *r)
{
    request_rec *top = store_owner(r);
    chats_store_t *st = request_store(top);
    chats_err_t *e;

    /* One pooled connection per request at most, at any time: while the
     * request holds one, every open returns it (a second one from a
     * pool of DBDMax 1 would wait for the first, i.e. for ever). */
    if (st->dbd) {
        return ready(st, pst);
    }
    if (!chats_dbd_open_fn || !chats_dbd_close_fn || !st->env
        || !st->env->sql) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, CHATS_LOGNO(12)
                      "mod_dbd is not loaded or not configured");
        return chats_err_make(r->pool, CHATS_E_MISCONFIGURED, NULL,
                              "server misconfigured: no database is "
                              "configured for this server");
    }
    /* Held by this request until it ends or reads a body: not through a
     * slow client's upload (ap_dbd_acquire would hold it to the end). */
    st->dbd = chats_dbd_open_fn(top->pool, top->server);
    if (!st->dbd) {
        chats_metrics_pool_failure();
        return (e = chats_store_probe(r, st->env)) != NULL
               ? e : chats_store_db_down(st, "no pooled connection");
    }
    apr_pool_cleanup_register(top->pool, st, store_close,
                              apr_pool_cleanup_null);
    st->conn = apr_dbd_native_handle(st->dbd->driver, st->dbd->handle);
    chats_store_fault_acquired(st);
    return ready(st, pst);
}

void chats_store_rendering(request_rec *r)
{
    r = store_owner(r);
    apr_table_setn(r->notes, RENDERING_NOTE, "1");
    chats_store_fault_rendering(r);
}

/* The statement on the wire, or the fault the test build injects. */
static PGresult *send_stmt(chats_store_t *st, const chats_stmt_t *stmt,
                           const char *name, int nparams,
                           const char *const *params, const Oid *types,
                           chats_fault_e fault)
{
    if (fault == CHATS_FAULT_ERROR) {
        return chats_store_fault_error(st);
    }
    if (fault == CHATS_FAULT_DROP) {
        return chats_store_fault_drop(st, stmt, name, nparams, params,
                                      types);
    }
    /* Unnamed: parse, bind and execute travel together, so a
     * transaction pooler (PgBouncer) keeps them on one server. */
    return name ? PQexecPrepared(st->conn, name, nparams, params, NULL,
                                 NULL, 0)
                : PQexecParams(st->conn, stmt->sql, nparams, types, params,
                               NULL, NULL, 0);
}

/* Again, on a fresh connection: 1 if the new backend may take it. */
static int again(chats_store_t *st, chats_err_t **pe)
{
    if (!reconnect(st)) {
        return 0;
    }
    /* a new backend's schema is checked like any other's */
    *pe = check_schema(st);
    return 1;
}

/* Whether a statement that failed with SQLSTATE state (NULL: no answer)
 * may run once more on a fresh connection; idle: the connection was
 * outside any transaction before it ran. After a lost connection, only
 * what is declared safe to run twice (a read; a write may have committed
 * before the socket died); refused by a read-only server (25006), it did
 * not run, writes included. Inside a transaction, never: the transaction
 * is gone with its connection, and what it locked with it. */
static int may_retry(chats_store_t *st, const chats_stmt_t *stmt, int idle,
                     const char *state)
{
    if (!idle) {
        return 0;
    }
    if (chats_store_conn_error(st->conn, state)) {
        return stmt->retry == CHATS_RETRY_SAFE;
    }
    if (state && !strcmp(state, "25006")) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, st->r, CHATS_LOGNO(415)
                      "%s refused by a read-only server (the old primary?): "
                      "again on a fresh connection",
                      chats_store_label(stmt));
        return 1;
    }
    return 0;
}

chats_err_t *chats_store_run(chats_store_t *st, const chats_stmt_t *stmt,
                             int nparams, const char *const *params,
                             const Oid *types, PGresult **pres)
{
    PGresult *res = NULL;
    const char *state, *name;
    chats_fault_e fault;
    chats_err_t *e = NULL;
    apr_time_t t0;
    int attempt, idle;

    if (apr_table_get(st->r->notes, RENDERING_NOTE)) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, st->r, CHATS_LOGNO(510)
                      "%s runs while the answer is rendered: rendering "
                      "must read nothing (a bug)", chats_store_label(stmt));
    }
    for (attempt = 0; attempt < 2; attempt++) {
        idle = PQtransactionStatus(st->conn) == PQTRANS_IDLE;
        fault = attempt ? CHATS_FAULT_NONE
                        : chats_store_fault_next(st, stmt);
        if (fault == CHATS_FAULT_TERMINATE) {
            chats_store_fault_terminate(st);
        }
        if ((e = ensure_prepared(st, stmt, nparams, types, &name)) != NULL) {
            /* nothing ran yet: safe for writes too, outside a
             * transaction */
            if (attempt == 0 && idle && e->code == CHATS_E_DB_DOWN
                && PQstatus(st->conn) != CONNECTION_OK && again(st, &e)) {
                if (e) {
                    return e;
                }
                continue;
            }
            return e;
        }
        t0 = apr_time_now();
        res = pooled(st->r->pool, send_stmt(st, stmt, name, nparams, params,
                                            types, fault));
        chats_metrics_statement(st->r, t0, res);
        if (res && (PQresultStatus(res) == PGRES_TUPLES_OK
                    || PQresultStatus(res) == PGRES_COMMAND_OK)) {
            *pres = res;
            return NULL;
        }
        state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
        if (attempt == 0 && may_retry(st, stmt, idle, state)) {
            if (!again(st, &e)) {
                break;
            }
            if (e) {
                return e;
            }
            continue;
        }
        if (chats_store_conn_error(st->conn, state)) {
            break;             /* reset when it goes back (store_close) */
        }
        if (attempt == 0 && idle && state && !strcmp(state, "26000")) {
            /* gone from the backend (DISCARD ALL by a pooler): again */
            forget_prepared(st, stmt, nparams, types);
            continue;
        }
        return chats_store_map_error(st, res);
    }
    return chats_store_db_down(st, chats_store_label(stmt));
}

chats_err_t *chats_store_exec(chats_store_t *st, const chats_stmt_t *stmt,
                              int nparams, const char *const *params,
                              chats_rows_t **prows)
{
    return chats_store_exec_typed(st, stmt, nparams, params, NULL, prows);
}

/* A result lacking a column its statement declares: a programming
 * error, caught here rather than read as NULL. */
static chats_err_t *check_cols(chats_store_t *st, const chats_stmt_t *stmt,
                               const chats_rows_t *rows)
{
    const char *const *c;

    for (c = stmt->cols; c && *c; c++) {
        if (chats_rows_col(rows, *c) < 0) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, st->r, CHATS_LOGNO(418)
                          "%s returned no column %s",
                          chats_store_label(stmt), *c);
            return chats_err_make(st->r->pool, CHATS_E_INTERNAL, NULL,
                                  "database error");
        }
    }
    return NULL;
}

chats_err_t *chats_store_exec_typed(chats_store_t *st,
                                    const chats_stmt_t *stmt, int nparams,
                                    const char *const *params,
                                    const chats_ptype_e *types,
                                    chats_rows_t **prows)
{
    chats_rows_t *rows = apr_pcalloc(st->r->pool, sizeof(*rows));
    PGresult *res = NULL;
    chats_err_t *e;
    int i, j;

    if (!types && stmt->types && nparams == stmt->nparams) {
        types = stmt->types;
    }
    if ((e = chats_store_run(st, stmt, nparams, params,
                             param_oids(st, nparams, types), &res)) != NULL) {
        return e;
    }
    rows->nrows = PQntuples(res);
    rows->ncols = PQnfields(res);
    rows->affected = atoi(PQcmdTuples(res));
    rows->values = apr_pcalloc(st->r->pool, ((apr_size_t)rows->nrows
                                             * rows->ncols + 1)
                                            * sizeof(*rows->values));
    rows->names = apr_pcalloc(st->r->pool, (rows->ncols + 1)
                                           * sizeof(*rows->names));
    for (j = 0; j < rows->ncols; j++) {
        rows->names[j] = apr_pstrdup(st->r->pool, PQfname(res, j));
    }
    for (i = 0; i < rows->nrows; i++) {
        for (j = 0; j < rows->ncols; j++) {
            rows->values[i * rows->ncols + j] = PQgetisnull(res, i, j) ? NULL
                : apr_pstrdup(st->r->pool, PQgetvalue(res, i, j));
        }
    }
    *prows = rows;
    return check_cols(st, stmt, rows);
}
