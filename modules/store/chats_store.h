/* The store: chat sessions and associates in PostgreSQL, through the
 * connection mod_dbd pools for the request and libpq statements that we
 * prepare ourselves (see ARCHITECTURE.md for why not apr_dbd's). No httpd
 * header: opening a store from a request is chats_store_open.h's. */
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
} chats_rows_t;

#define CHATS_ROWS_GET(rs, i, j) ((rs)->values[(i) * (rs)->ncols + (j)])

/** Run one of our statements (prepared on this connection on first use,
 * and again after a reconnect, unless ChatSessionPreparedStatements is
 * Off) with every value a bound parameter.
 * CHATS_E_DB_DOWN when PostgreSQL cannot be reached; SQL errors mapped
 * (23503 -> CHATS_E_INVALID naming the field, 22xxx -> CHATS_E_INVALID). */
chats_err_t *chats_store_exec(chats_store_t *st, const chats_stmt_t *stmt,
                              int nparams, const char *const *params,
                              chats_rows_t **prows);

/** As chats_store_exec, with each parameter's type given (types[i] for
 * $i+1): a statement need not reference every parameter then. */
chats_err_t *chats_store_exec_typed(chats_store_t *st,
                                    const chats_stmt_t *stmt, int nparams,
                                    const char *const *params,
                                    const chats_ptype_e *types,
                                    chats_rows_t **prows);

/** The password hash of the associate with this login name (NULL if
 * the associate has none): CHATS_E_NOT_FOUND if there is no associate. */
chats_err_t *chats_store_password_hash(chats_store_t *st, const char *login,
                                       const char **phash);

#endif
