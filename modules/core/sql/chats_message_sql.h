/* The messages' statements (chats_message_sql.c) and the row they read
 * a message as. Core header: APR only. */
#ifndef CHATS_MESSAGE_SQL_H
#define CHATS_MESSAGE_SQL_H

#include "chats_message_schema.h"
#include "chats_sql.h"

/** Columns of a message row: one per field in field order, date-times as
 * microseconds since the epoch (chats_message_sql_cols). */
#define CHATS_MESSAGE_NCOLS CHATS_MF__N

/** The select list of a message row over a chat_message row called
 * alias, from the ChatMessage field table. */
const char *chats_message_sql_cols(apr_pool_t *p, const char *alias);

/** Most messages one GET Messages answers [D-16]: the caller goes on
 * with after= the last id. */
#define CHATS_MSG_PAGE 10000
#define CHATS_MSG_PAGE_TEXT "10000"

typedef enum {
    /** Post ($1 session, $2 Type, $3 Message, $4 Author, $5
     * ReadByCustomer, $6 SpecialType, $7 SpecialParam, $8 the caller's
     * associate id, 0: none): the session's LastMessage, FirstMessage,
     * Status, WhenIdle, version and writer, and the message, in one
     * statement; the message's row (no row: no session, or not the
     * caller's). _OWN: the caller must be its User. */
    CHATS_MSQL_POST_ANY, CHATS_MSQL_POST_OWN,
    /** After no row: the session's User ($1 session), or no row. */
    CHATS_MSQL_DIAG,
    /** $1 session, $2 after: message rows with ids above, in id order, at
     * most CHATS_MSG_PAGE; no row: no session; one row of NULLs: none. */
    CHATS_MSQL_LIST,
    /** $1 session, $2 zone (NULL: UTC): every message as a transcript row
     * (CHATS_TRANSCRIPT_NCOLS), rows as for LIST. */
    CHATS_MSQL_TRANSCRIPT,
    /** The posts sent with an Idempotency-Key: $1..$7 as the post, $8
     * the caller's associate (_OWN: who must be its User), $9 the key,
     * $10 the fingerprint (hex), $11 the status; the key recorded in the
     * same statement (chats_sql.h), nothing written when it is live. */
    CHATS_MSQL_POST_ANY_KEYED, CHATS_MSQL_POST_OWN_KEYED,
    /** $1 message id: its row (a keyed post's repeat), or none. */
    CHATS_MSQL_GET,
    CHATS_MSQL__N
} chats_msql_e;

/** The statements, built once from the field tables. */
typedef struct chats_message_sql_t chats_message_sql_t;

/** Build them (at start-up, in p); NULL when a template names what the
 * field tables do not have (a bug). */
const chats_message_sql_t *chats_message_sql_build(apr_pool_t *p);

/** A statement, with its parameters' types and number. */
const chats_stmt_t *chats_message_stmt(const chats_message_sql_t *m,
                                       chats_msql_e which,
                                       const chats_ptype_e **ptypes,
                                       int *pnparams);

/** The SQL script that announces every new message on
 * CHATS_MESSAGE_CHANNEL: the function chats_message_notify() and the
 * trigger chat_message_notify, both replaced when loaded again (part of
 * conf/render.sql, chats-schema --render-sql). */
const char *chats_message_notify_ddl(void);

#endif
