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

/** One chat_session row as text, in the column order of chats_sql.c
 * (NULL = SQL NULL), with its version and updated_at. */
typedef struct {
    const char **values;
    int ncols;
    apr_int64_t version;
    apr_time_t updated_at;       /**< whole seconds, as apr_time_t */
} chats_row_t;

/** Rows of a result as text, row-major (NULL = SQL NULL), in r->pool. */
typedef struct {
    int nrows, ncols;
    int affected;                /**< rows an INSERT/UPDATE/DELETE touched */
    const char **values;
} chats_rows_t;

#define CHATS_ROWS_GET(rs, i, j) ((rs)->values[(i) * (rs)->ncols + (j)])

/** Run one of our statements (prepared on this connection on first use,
 * and again after a reconnect) with every value a bound parameter.
 * CHATS_E_DB_DOWN when PostgreSQL cannot be reached; SQL errors mapped
 * (23503 -> CHATS_E_INVALID naming the field, 22xxx -> CHATS_E_INVALID). */
chats_err_t *chats_store_exec(chats_store_t *st, const chats_stmt_t *stmt,
                              int nparams, const char *const *params,
                              chats_rows_t **prows);

/** Read one chat session: CHATS_E_NOT_FOUND if there is none. */
chats_err_t *chats_store_load(chats_store_t *st, apr_int32_t id,
                              chats_row_t **prow);

/** Write every field (params in chats_sql order) if the row still has
 * version; on success *prow is the row as written. *prow == NULL with no
 * error means the version moved (lost race) or the row is gone.
 * A foreign-key violation is CHATS_E_INVALID naming the field. */
chats_err_t *chats_store_update(chats_store_t *st, apr_int32_t id,
                                apr_int64_t version,
                                const char *const *params,
                                chats_row_t **prow);

/** Create a chat session from params (as for update); *prow is the row
 * as written, with its new id. */
chats_err_t *chats_store_insert(chats_store_t *st, const char *const *params,
                                chats_row_t **prow);

/** Delete the chat session if it still has version: *pdeleted = 1; 0 when
 * the version moved (lost race) or the row is gone. */
chats_err_t *chats_store_delete(chats_store_t *st, apr_int32_t id,
                                apr_int64_t version, int *pdeleted);

/** The password hash of the associate with this login name (NULL if
 * the associate has none): CHATS_E_NOT_FOUND if there is no associate. */
chats_err_t *chats_store_password_hash(chats_store_t *st, const char *login,
                                       const char **phash);

#endif
