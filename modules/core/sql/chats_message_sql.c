/* The messages' statements (design: POST/GET Messages, Transcript): fixed
 * texts, every value a bound parameter, prepared per connection under
 * their names like the session's own. */
#include "chats_message_sql.h"

/* The session row's bookkeeping and the insert in one statement: one
 * transaction, so the row, the message and its NOTIFY commit together.
 * The message id is taken in the UPDATE's SET, i.e. under the session's
 * row lock, so per session ids are commit-ordered and "after=N" never
 * skips a late commit. Every SET expression reads the old row (no order
 * among them), hence has_text_message rather than a test of the new id.
 * Status moves only between the two active states: a customer writing
 * while InQueue stays queued [D-15]. */
#define POST_SQL(OWNER) "WITH " POST_CTES(OWNER)
#define POST_CTES(OWNER) \
    "u AS (" \
    " UPDATE chat_session cs" \
    "    SET last_message_id = nextval('chat_message_id_seq')," \
    "        has_text_message = cs.has_text_message OR $2 IN (1, 2)," \
    "        first_message = CASE WHEN $2 IN (1, 2) AND NOT cs.has_text_message" \
    "                             THEN left($3, 1024) ELSE cs.first_message END," \
    "        last_message = CASE WHEN $2 IN (1, 2) THEN left($3, 1024)" \
    "                            ELSE cs.last_message END," \
    "        status = CASE WHEN cs.status IN (5, 6) AND $2 = 2 THEN 5" \
    "                      WHEN cs.status IN (5, 6) AND $2 = 1 THEN 6" \
    "                      ELSE cs.status END," \
    "        idle = now(), " CHATS_SQL_BUMP \
    "  WHERE cs.id = $1" OWNER \
    " RETURNING cs.id, cs.last_message_id)," \
    "m AS (" \
    " INSERT INTO chat_message (id, chat_session_id, type, message, author," \
    "                           read_by_customer, special_type," \
    "                           special_param, when_posted)" \
    " SELECT u.last_message_id, u.id, $2, $3, $4, $5, $6, $7, now() FROM u" \
    " RETURNING *)" \
    "SELECT " CHATS_MESSAGE_COLS("m") " FROM m"

/* Keyed (README "Retrying writes safely"): the key's CTEs first, from
 * the message written (m), and no write when the caller's key is live. */
#define KEY_A "$8::int4"
#define KEY_K "$9::text"
#define POST_KEYED_SQL(OWNER) \
    "WITH RECURSIVE " \
    CHATS_SQL_IDEM_CTES(KEY_A, KEY_K, "$10::text", "$11::int2", "m") ", " \
    POST_CTES(OWNER " AND " CHATS_SQL_IDEM_UNUSED(KEY_A, KEY_K))

/* A session's messages after an id: the session's row tells a missing
 * session (no row) from one without messages (one row of NULLs). */
#define LIST_SQL(EXTRA, AFTER, LIMIT) \
    "SELECT " CHATS_MESSAGE_COLS("m") EXTRA \
    "  FROM chat_session cs" \
    "  LEFT JOIN LATERAL (SELECT * FROM chat_message x" \
    "                      WHERE x.chat_session_id = cs.id" AFTER \
    "                      ORDER BY x.id" LIMIT ") m ON true" \
    " WHERE cs.id = $1 ORDER BY m.id"

static const chats_ptype_e post_types[] = {
    CHATS_P_INT4, CHATS_P_INT2, CHATS_P_TEXT, CHATS_P_TEXT, CHATS_P_INT2,
    CHATS_P_INT2, CHATS_P_TEXT, CHATS_P_INT4
};
static const chats_ptype_e keyed_types[] = {
    CHATS_P_INT4, CHATS_P_INT2, CHATS_P_TEXT, CHATS_P_TEXT, CHATS_P_INT2,
    CHATS_P_INT2, CHATS_P_TEXT, CHATS_P_INT4, CHATS_P_TEXT, CHATS_P_TEXT,
    CHATS_P_INT2
};
static const chats_ptype_e id_types[] = { CHATS_P_INT4 };
static const chats_ptype_e list_types[] = { CHATS_P_INT4, CHATS_P_INT4 };
static const chats_ptype_e transcript_types[] = { CHATS_P_INT4, CHATS_P_TEXT };

/* A message row is read from its first column (CHATS_MESSAGE_COLS: the
 * id) on; the session's diagnosis by its owner. */
static const char *const msg_cols[] = { "id", NULL };
static const char *const diag_cols[] = { "user_id", NULL };

/* The post writes (never run twice); the others only read. */
static const chats_stmt_t stmts[CHATS_MSQL__N] = {
    [CHATS_MSQL_POST_ANY] = { "chats_msg_post_any", POST_SQL(""),
                              CHATS_RETRY_NEVER, 7, post_types, msg_cols,
                              NULL },
    [CHATS_MSQL_POST_OWN] = { "chats_msg_post_own",
                              POST_SQL(" AND cs.user_id = $8"),
                              CHATS_RETRY_NEVER, 8, post_types, msg_cols,
                              NULL },
    [CHATS_MSQL_DIAG] = { "chats_msg_diag",
                          "SELECT cs.user_id FROM chat_session cs"
                          " WHERE cs.id = $1",
                          CHATS_RETRY_SAFE, 1, id_types, diag_cols, NULL },
    [CHATS_MSQL_LIST] = { "chats_msg_list",
                          LIST_SQL("", " AND x.id > $2",
                                   " LIMIT " CHATS_MSG_PAGE_TEXT),
                          CHATS_RETRY_SAFE, 2, list_types, msg_cols, NULL },
    [CHATS_MSQL_TRANSCRIPT] = {
        "chats_msg_transcript",
        LIST_SQL(", to_char(m.when_posted AT TIME ZONE coalesce($2, 'UTC'),"
                 " 'YYYY-MM-DD HH24:MI:SS')", "", ""),
        CHATS_RETRY_SAFE, 2, transcript_types, msg_cols, NULL },
    [CHATS_MSQL_POST_ANY_KEYED] = { "chats_msg_post_any_keyed",
                                    POST_KEYED_SQL(""), CHATS_RETRY_NEVER,
                                    11, keyed_types, msg_cols, NULL },
    [CHATS_MSQL_POST_OWN_KEYED] = { "chats_msg_post_own_keyed",
                                    POST_KEYED_SQL(" AND cs.user_id = $8"),
                                    CHATS_RETRY_NEVER, 11, keyed_types,
                                    msg_cols, NULL },
    [CHATS_MSQL_GET] = { "chats_msg_get",
                         "SELECT " CHATS_MESSAGE_COLS("m")
                         " FROM chat_message m WHERE m.id = $1",
                         CHATS_RETRY_SAFE, 1, id_types, msg_cols, NULL },
};

const chats_stmt_t *chats_message_stmt(chats_msql_e which,
                                       const chats_ptype_e **ptypes,
                                       int *pnparams)
{
    static const struct {
        const chats_ptype_e *types;
        int n;
    } params[CHATS_MSQL__N] = {
        [CHATS_MSQL_POST_ANY] = { post_types, 7 },
        [CHATS_MSQL_POST_OWN] = { post_types, 8 },
        [CHATS_MSQL_DIAG] = { id_types, 1 },
        [CHATS_MSQL_LIST] = { list_types, 2 },
        [CHATS_MSQL_TRANSCRIPT] = { transcript_types, 2 },
        [CHATS_MSQL_POST_ANY_KEYED] = { keyed_types, 11 },
        [CHATS_MSQL_POST_OWN_KEYED] = { keyed_types, 11 },
        [CHATS_MSQL_GET] = { id_types, 1 },
    };

    *ptypes = params[which].types;
    *pnparams = params[which].n;
    return &stmts[which];
}

const char *chats_message_notify_ddl(void)
{
    return
        "-- Live consoles: every new message is announced at commit, as\n"
        "-- \"session id:message id\" on channel " CHATS_MESSAGE_CHANNEL
        " (long polling;\n"
        "-- the channel is CHATS_MESSAGE_CHANNEL, which the listener\n"
        "-- LISTENs on).\n"
        "CREATE OR REPLACE FUNCTION chats_message_notify() RETURNS trigger\n"
        "LANGUAGE plpgsql AS $$\n"
        "BEGIN\n"
        "    PERFORM pg_notify('" CHATS_MESSAGE_CHANNEL "',"
        " NEW.chat_session_id || ':' || NEW.id);\n"
        "    RETURN NULL;\n"
        "END $$;\n"
        "CREATE OR REPLACE TRIGGER chat_message_notify"
        " AFTER INSERT ON chat_message\n"
        "    FOR EACH ROW EXECUTE FUNCTION chats_message_notify();\n\n";
}
