/* The store: chat sessions and associates in PostgreSQL, through the
 * connection mod_dbd pools for the request and libpq statements that we
 * prepare ourselves (see ARCHITECTURE.md for why not apr_dbd's). No httpd
 * header: opening a store from a request is mod_chats_store_open.h's. */
#ifndef CHATS_STORE_H
#define CHATS_STORE_H

#include <apr_pools.h>
#include <apr_time.h>

#include "chats_err.h"
#include "chats_sql.h"

typedef struct chats_store_t chats_store_t;

/** Rows of a result as text, row-major (NULL = SQL NULL), in r->pool. */
typedef struct {
    int nrows, ncols;
    int affected;                /**< rows an INSERT/UPDATE/DELETE touched */
    const char **values;
    const char **names;          /**< the columns' names, ncols of them */
} chats_rows_t;

#define CHATS_ROWS_GET(rs, i, j) ((rs)->values[(i) * (rs)->ncols + (j)])

/** The position of the first column called name, -1 if none. */
int chats_rows_col(const chats_rows_t *rs, const char *name);

/** Row i's value of the column called name (NULL: SQL NULL, or no such
 * column or row). */
const char *chats_rows_get(const chats_rows_t *rs, int i, const char *name);

/** Row i's values from the column called name on (a row layout that
 * begins there: CHATS_SQL_ROW), NULL if no such column or row. */
const char *const *chats_rows_from(const chats_rows_t *rs, int i,
                                   const char *name);

/** Whether row i's column called name is true (t). */
int chats_rows_true(const chats_rows_t *rs, int i, const char *name);

/** Run one of our statements (prepared on this connection on first use,
 * and again after a reconnect, unless ChatSessionPreparedStatements is
 * Off) with every value a bound parameter, its types stmt->types.
 * After a lost connection it is run again on a fresh one only when it is
 * declared CHATS_RETRY_SAFE and ran outside any transaction; refused by a
 * read-only server (SQLSTATE 25006: the old primary after a switchover)
 * it did not run, and outside a transaction it is run once more on a
 * fresh connection (which libpq's target_session_attrs=read-write takes
 * to the new primary), writes included.
 * CHATS_E_DB_DOWN when PostgreSQL cannot be reached, or the statement
 * may or may not have run; SQL errors mapped (23503 -> CHATS_E_INVALID
 * naming the field, 22xxx -> CHATS_E_INVALID, 40001/40P01 ->
 * CHATS_E_DB_DOWN). A result that lacks a column of stmt->cols is
 * CHATS_E_INTERNAL. */
chats_err_t *chats_store_exec(chats_store_t *st, const chats_stmt_t *stmt,
                              int nparams, const char *const *params,
                              chats_rows_t **prows);

/** As chats_store_exec, with each parameter's type given (types[i] for
 * $i+1; NULL: stmt->types): a statement need not reference every
 * parameter then. */
chats_err_t *chats_store_exec_typed(chats_store_t *st,
                                    const chats_stmt_t *stmt, int nparams,
                                    const char *const *params,
                                    const chats_ptype_e *types,
                                    chats_rows_t **prows);

/** Begin a transaction on the request's connection. Its statements then
 * are never run again after a lost connection: the transaction is gone
 * with it (CHATS_E_DB_DOWN). */
chats_err_t *chats_store_begin(chats_store_t *st);

/** Commit the transaction: NULL only when PostgreSQL committed it.
 * Render the answer after this, never before: a COMMIT that fails (a
 * deferred check, the connection lost, a transaction an error aborted)
 * is an error (CHATS_E_DB_DOWN when the connection was lost: the commit
 * may or may not have happened; the mapped error otherwise), and the
 * transaction is rolled back. */
chats_err_t *chats_store_commit(chats_store_t *st);

/** Roll back the open transaction, if any (a no-op outside one); a
 * connection that cannot is reset, so that none goes back to the pool
 * inside a transaction. */
void chats_store_rollback(chats_store_t *st);

/** The password hash of the associate with this login name (NULL if
 * the associate has none): CHATS_E_NOT_FOUND if there is no associate. */
chats_err_t *chats_store_password_hash(chats_store_t *st, const char *login,
                                       const char **phash);

#endif
