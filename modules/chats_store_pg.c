/* The store on PostgreSQL: mod_dbd pools the connections; our statements
 * run through libpq on the pooled connection. apr_dbd's own prepared
 * statements die with the server process that held them and mod_dbd never
 * prepares them again (notes/toolchain.md), so we prepare per connection
 * ourselves and again whenever the backend changed. */
#include <apr_strings.h>
#include <libpq-fe.h>
#include <string.h>

#include "chats_entity.h"
#include "chats_sql.h"
#include "chats_store.h"

APR_OPTIONAL_FN_TYPE(ap_dbd_acquire) *chats_dbd_acquire_fn = NULL;

struct chats_store_t {
    request_rec *r;
    ap_dbd_t *dbd;
    PGconn *conn;
    const chats_sql_t *sql;
};

/* Per pooled connection: the backend our statements were prepared on. */
typedef struct {
    int backend_pid;
} chats_pgconn_state_t;

#define STATE_KEY "chats-pgconn-state"

enum { STMT_SELECT, STMT_UPDATE, STMT_PASSWORD, STMT_COUNT };
static const char *const stmt_names[STMT_COUNT] = {
    "chats_select", "chats_update", "chats_password"
};

static const char *stmt_sql(const chats_sql_t *sql, int stmt)
{
    return stmt == STMT_SELECT ? sql->select
         : stmt == STMT_UPDATE ? sql->update : sql->password;
}

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

static chats_err_t *db_down(chats_store_t *st, const char *what)
{
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, st->r, CHATS_LOGNO(10)
                  "PostgreSQL unavailable (%s): %s", what,
                  st->conn ? PQerrorMessage(st->conn) : "no connection");
    return chats_err_make(st->r->pool, CHATS_E_DB_DOWN, NULL,
                          "the database is unavailable, try again later");
}

static chats_pgconn_state_t *conn_state(chats_store_t *st)
{
    void *data = NULL;
    chats_pgconn_state_t *cs;

    apr_pool_userdata_get(&data, STATE_KEY, st->dbd->pool);
    if (!data) {
        cs = apr_pcalloc(st->dbd->pool, sizeof(*cs));
        apr_pool_userdata_setn(cs, STATE_KEY, NULL, st->dbd->pool);
        data = cs;
    }
    return data;
}

/* Prepare every statement unless this backend already has them. */
static chats_err_t *ensure_prepared(chats_store_t *st, int force)
{
    chats_pgconn_state_t *cs = conn_state(st);
    int pid = PQbackendPID(st->conn), i;
    PGresult *res;

    if (!force && pid != 0 && pid == cs->backend_pid) {
        return NULL;
    }
    cs->backend_pid = 0;
    for (i = 0; i < STMT_COUNT; i++) {
        const char *state;

        res = pooled(st->r->pool, PQprepare(st->conn, stmt_names[i],
                                            stmt_sql(st->sql, i), 0, NULL));
        state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
        /* 42P05: this backend has it already (a forced re-check) */
        if (!res || (PQresultStatus(res) != PGRES_COMMAND_OK
                     && !(state && !strcmp(state, "42P05")))) {
            if (PQstatus(st->conn) != CONNECTION_OK) {
                return db_down(st, "prepare");
            }
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, st->r, CHATS_LOGNO(11)
                          "preparing %s failed: %s", stmt_names[i],
                          PQerrorMessage(st->conn));
            return chats_err_make(st->r->pool, CHATS_E_INTERNAL, NULL,
                                  "the database schema does not match");
        }
    }
    cs->backend_pid = pid;
    return NULL;
}

chats_err_t *chats_store_open(chats_store_t **pst, request_rec *r)
{
    chats_store_t *st = apr_pcalloc(r->pool, sizeof(*st));

    st->r = r;
    st->sql = chats_srv_conf(r->server)->sql;
    if (!chats_dbd_acquire_fn || !st->sql) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, CHATS_LOGNO(12)
                      "mod_dbd is not loaded or not configured");
        return chats_err_make(r->pool, CHATS_E_INTERNAL, NULL,
                              "the server is not configured for a database");
    }
    st->dbd = chats_dbd_acquire_fn(r);
    if (!st->dbd) {
        return db_down(st, "no pooled connection");
    }
    st->conn = apr_dbd_native_handle(st->dbd->driver, st->dbd->handle);
    if (PQstatus(st->conn) != CONNECTION_OK) {
        PQreset(st->conn);
        if (PQstatus(st->conn) != CONNECTION_OK) {
            return db_down(st, "reset");
        }
    }
    *pst = st;
    return ensure_prepared(st, 0);
}

static int is_connection_error(PGconn *conn, const char *state)
{
    return PQstatus(conn) != CONNECTION_OK
        || (state && (!strncmp(state, "08", 2) || !strncmp(state, "57P", 3)));
}

/* An error PostgreSQL reported, as one of ours. */
static chats_err_t *map_error(chats_store_t *st, PGresult *res)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
    const char *prefix = "chat_session_", *suffix = "_fkey";
    apr_pool_t *p = st->r->pool;

    if (state && !strcmp(state, "23503") && constraint
        && !strncmp(constraint, prefix, strlen(prefix))
        && strlen(constraint) > strlen(prefix) + strlen(suffix)) {
        const char *col = apr_pstrndup(p, constraint + strlen(prefix),
                                       strlen(constraint) - strlen(prefix)
                                       - strlen(suffix));
        const chats_field_t *f = chats_entity_field_by_column(col);

        if (f) {
            return chats_err_make(p, CHATS_E_INVALID, f->name,
                                  "%s refers to a row that does not exist",
                                  f->name);
        }
    }
    if (state && !strncmp(state, "22", 2)) {
        return chats_err_make(p, CHATS_E_INVALID, NULL,
                              "a value was refused by the database");
    }
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, st->r, CHATS_LOGNO(13)
                  "statement failed (SQLSTATE %s): %s", state ? state : "-",
                  PQresultErrorMessage(res));
    return chats_err_make(p, CHATS_E_INTERNAL, NULL, "database error");
}

/* Run a prepared statement; one retry after a re-prepare (SQLSTATE 26000)
 * or a reconnect (a PostgreSQL restart shows first as a dead socket). */
static chats_err_t *run(chats_store_t *st, int stmt, int nparams,
                        const char *const *params, PGresult **pres)
{
    PGresult *res;
    const char *state;
    chats_err_t *e;
    int attempt;

    for (attempt = 0; attempt < 2; attempt++) {
        res = pooled(st->r->pool,
                     PQexecPrepared(st->conn, stmt_names[stmt], nparams,
                                    params, NULL, NULL, 0));
        if (res && PQresultStatus(res) == PGRES_TUPLES_OK) {
            *pres = res;
            return NULL;
        }
        state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
        if (attempt == 0 && is_connection_error(st->conn, state)) {
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, st->r,
                          CHATS_LOGNO(14) "connection lost, reconnecting");
            PQreset(st->conn);
            if (PQstatus(st->conn) != CONNECTION_OK) {
                return db_down(st, "reconnect");
            }
        }
        else if (attempt == 0 && state && !strcmp(state, "26000")) {
            /* statement gone (e.g. DISCARD ALL by a pooler): prepare again */
        }
        else if (is_connection_error(st->conn, state)) {
            return db_down(st, stmt_names[stmt]);
        }
        else {
            return map_error(st, res);
        }
        if ((e = ensure_prepared(st, 1)) != NULL) {
            return e;
        }
    }
    return db_down(st, stmt_names[stmt]);
}

static chats_row_t *row_of(chats_store_t *st, PGresult *res)
{
    chats_row_t *row = apr_pcalloc(st->r->pool, sizeof(*row));
    int i, n = PQnfields(res);

    row->ncols = n;
    row->values = apr_pcalloc(st->r->pool, n * sizeof(*row->values));
    for (i = 0; i < n; i++) {
        row->values[i] = PQgetisnull(res, 0, i) ? NULL
            : apr_pstrdup(st->r->pool, PQgetvalue(res, 0, i));
    }
    row->version = apr_atoi64(row->values[n - 2]);
    row->updated_at = apr_time_from_sec(apr_atoi64(row->values[n - 1]));
    return row;
}

chats_err_t *chats_store_load(chats_store_t *st, apr_int32_t id,
                              chats_row_t **prow)
{
    const char *params[1];
    PGresult *res;
    chats_err_t *e;

    params[0] = apr_itoa(st->r->pool, id);
    if ((e = run(st, STMT_SELECT, 1, params, &res)) != NULL) {
        return e;
    }
    if (PQntuples(res) != 1) {
        return chats_err_make(st->r->pool, CHATS_E_NOT_FOUND, NULL,
                              "ChatSession id %d not found", (int)id);
    }
    *prow = row_of(st, res);
    return NULL;
}

chats_err_t *chats_store_update(chats_store_t *st, apr_int32_t id,
                                apr_int64_t version,
                                const char *const *params,
                                chats_row_t **prow)
{
    int n = st->sql->nparams + 2;
    const char **all = apr_pcalloc(st->r->pool, n * sizeof(*all));
    PGresult *res;
    chats_err_t *e;

    all[0] = apr_itoa(st->r->pool, id);
    all[1] = apr_psprintf(st->r->pool, "%" APR_INT64_T_FMT, version);
    memcpy(all + 2, params, st->sql->nparams * sizeof(*all));
    *prow = NULL;
    if ((e = run(st, STMT_UPDATE, n, all, &res)) != NULL) {
        return e;
    }
    if (PQntuples(res) == 1) {
        *prow = row_of(st, res);
    }
    return NULL;
}

chats_err_t *chats_store_password_hash(chats_store_t *st, const char *login,
                                       const char **phash)
{
    PGresult *res;
    chats_err_t *e;

    if ((e = run(st, STMT_PASSWORD, 1, &login, &res)) != NULL) {
        return e;
    }
    if (PQntuples(res) != 1) {
        return chats_err_make(st->r->pool, CHATS_E_NOT_FOUND, NULL,
                              "no such associate");
    }
    *phash = PQgetisnull(res, 0, 0) ? NULL
           : apr_pstrdup(st->r->pool, PQgetvalue(res, 0, 0));
    return NULL;
}
