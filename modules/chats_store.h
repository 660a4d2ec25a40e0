/* The store: chat sessions and associates in PostgreSQL, through the
 * connection mod_dbd pools for the request and libpq statements that we
 * prepare ourselves (see ARCHITECTURE.md for why not apr_dbd's). */
#ifndef CHATS_STORE_H
#define CHATS_STORE_H

#include "chats_private.h"

typedef struct chats_store_t chats_store_t;

/** One chat_session row as text, in the column order of chats_sql.c
 * (NULL = SQL NULL), with its version and updated_at. */
typedef struct {
    const char **values;
    int ncols;
    apr_int64_t version;
    apr_time_t updated_at;       /**< whole seconds, as apr_time_t */
} chats_row_t;

/** Acquire the request's pooled connection (held until r ends) and make
 * sure our statements are prepared on it. CHATS_E_DB_DOWN when
 * PostgreSQL cannot be reached. */
chats_err_t *chats_store_open(chats_store_t **pst, request_rec *r);

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

/** The password hash of the associate with this login name (NULL if
 * the associate has none): CHATS_E_NOT_FOUND if there is no associate. */
chats_err_t *chats_store_password_hash(chats_store_t *st, const char *login,
                                       const char **phash);

#endif
