/* The store's errors: what a failed statement or connection means to the
 * client. SQLSTATEs decide, never message texts (they are localized),
 * and foreign keys are known by the names conf/schema.sql gives them
 * (chats_schema_fk_name: the field table's rule). */
#include <apr_strings.h>
#include <string.h>

#include "chats_entity.h"
#include "mod_chats_store_private.h"

chats_err_t *chats_store_db_down(chats_store_t *st, const char *what)
{
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, st->r, CHATS_LOGNO(10)
                  "PostgreSQL unavailable (%s): %s", what,
                  st->conn ? PQerrorMessage(st->conn) : "no connection");
    return chats_err_make(st->r->pool, CHATS_E_DB_DOWN, NULL,
                          "the database is unavailable, try again later");
}

const char *chats_store_label(const chats_stmt_t *stmt)
{
    return stmt->name ? stmt->name : stmt->label ? stmt->label : "statement";
}

int chats_store_conn_error(PGconn *conn, const char *state)
{
    return PQstatus(conn) != CONNECTION_OK
        || (state && (!strncmp(state, "08", 2) || !strncmp(state, "57P", 3)));
}

/* What a statement of ours can only meet in a database that is not the
 * one `chatsession-db upgrade` made for this module, or whose role lacks
 * its grants: retrying never helps. */
static int is_schema_mismatch(const char *state)
{
    static const char *const states[] = {
        "42P01",    /* undefined_table */
        "42883",    /* undefined_function */
        "42703",    /* undefined_column */
        "42704",    /* undefined_object (a type) */
        "42501",    /* insufficient_privilege */
    };
    size_t i;

    for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
        if (!strcmp(state, states[i])) {
            return 1;
        }
    }
    return 0;
}

/* strcmp, where NULL differs from every string. */
static int strcmp0(const char *a, const char *b)
{
    return a && b ? strcmp(a, b) : 1;
}

/* Errors a healthy database raises now and then, which the same request
 * may pass a moment later: 503, so that clients retry. A read-only
 * server (25006) is the old primary after a switchover: the connection
 * is reset when it goes back, and libpq looks for the primary. */
static chats_err_t *transient(chats_store_t *st, const char *state,
                              PGresult *res)
{
    if (!strcmp(state, "25006")) {
        st->reset_on_close = 1;
    }
    else if (strcmp(state, "40001") && strcmp(state, "40P01")) {
        return NULL;
    }
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, st->r, CHATS_LOGNO(416)
                  "statement refused, try again later (SQLSTATE %s): %s",
                  state, PQresultErrorMessage(res));
    return chats_err_make(st->r->pool, CHATS_E_DB_DOWN, NULL,
                          "the database is unavailable, try again later");
}

/* An error PostgreSQL reported, as one of ours. */
chats_err_t *chats_store_map_error(chats_store_t *st, PGresult *res)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const chats_entity_def_t *def = NULL;
    const chats_field_t *f = chats_schema_fk_field(PQresultErrorField(
                                          res, PG_DIAG_CONSTRAINT_NAME),
                                                   &def);
    apr_pool_t *p = st->r->pool;
    const char *name = f ? chats_schema_path(p, def, f) : NULL;
    chats_err_t *e;

    /* a live Idempotency-Key: the whole statement, write included, was
     * undone; the handler answers what the key holds (a repeat, or a
     * request with the same key that committed first) */
    if (state && !strcmp(state, "23505")
        && !strcmp0(PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME),
                          CHATS_IDEM_CONSTRAINT)) {
        return chats_err_make(p, CHATS_E_KEY_REUSED, "Idempotency-Key",
                              "Idempotency-Key: the key is in use");
    }
    if (state && !strcmp(state, "23503") && f) {
        /* a group's member by its path: OpeningHours/TzLocation */
        return chats_err_make(p, CHATS_E_INVALID, name,
                              "%s refers to a row that does not exist",
                              name);
    }
    if (state && !strcmp(state, "23514")
        && (f = chats_schema_check_field(PQresultErrorField(
                res, PG_DIAG_CONSTRAINT_NAME), &def)) != NULL) {
        /* a table's CHECK on a column (chats_webhook_events_ck); its
         * message is not logged: it shows the row, a secret too */
        name = chats_schema_path(p, def, f);
        return chats_err_make(p, CHATS_E_INVALID, name,
                              "%s: the value is not allowed", name);
    }
    if (state && !strncmp(state, "22", 2)) {
        return chats_err_make(p, CHATS_E_INVALID, NULL,
                              "a value was refused by the database");
    }
    if (state && (e = transient(st, state, res)) != NULL) {
        return e;
    }
    if (state && is_schema_mismatch(state)) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, st->r, CHATS_LOGNO(359)
                      "server misconfigured: the database does not have "
                      "what this module needs (SQLSTATE %s: %s): run "
                      "`chatsession-db upgrade` as the schema's owner, and "
                      "grant the module's role its rights",
                      state, PQresultErrorMessage(res));
        return chats_err_make(p, CHATS_E_MISCONFIGURED, NULL,
                              "server misconfigured: the database schema "
                              "does not match this module (SQLSTATE %s); "
                              "the administrator must run `chatsession-db "
                              "upgrade`", state);
    }
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, st->r, CHATS_LOGNO(13)
                  "statement failed (SQLSTATE %s): %s", state ? state : "-",
                  PQresultErrorMessage(res));
    return chats_err_make(p, CHATS_E_INTERNAL, NULL, "database error");
}

