/* The messages' statements (design: POST/GET Messages, Transcript):
 * templates over the field tables (chats_sql_tpl.h: {Field} a session
 * column, {m.Field} a message column, {=Name}, {type.Name},
 * {len.Field}; {MSG} the message's select list over "m"), built once
 * at start-up, every value a bound parameter, prepared per connection
 * under their names like the session's own. */
#include <apr_strings.h>
#include <apr_tables.h>
#include <string.h>

#include "chats_message_sql.h"
#include "chats_sql_tpl.h"

/* A message that counts as the conversation's text (FirstMessage,
 * LastMessage): to the customer or to the user; $2 is its Type. */
#define TEXT "$2 IN ({type.ToCustomer}, {type.ToUser})"
#define ACTIVE "cs.{Status} IN ({=CustomerLast}, {=UserLast})"

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
    "        has_text_message = cs.has_text_message OR " TEXT "," \
    "        {FirstMessage} = CASE WHEN " TEXT \
    " AND NOT cs.has_text_message" \
    "                             THEN left($3, {len.FirstMessage})" \
    " ELSE cs.{FirstMessage} END," \
    "        {LastMessage} = CASE WHEN " TEXT \
    " THEN left($3, {len.LastMessage})" \
    "                            ELSE cs.{LastMessage} END," \
    "        {Status} = CASE WHEN " ACTIVE " AND $2 = {type.ToUser}" \
    " THEN {=CustomerLast}" \
    "                      WHEN " ACTIVE " AND $2 = {type.ToCustomer}" \
    " THEN {=UserLast}" \
    "                      ELSE cs.{Status} END," \
    "        {WhenIdle} = now(), " CHATS_SQL_BUMP_BY("$8") \
    "  WHERE cs.id = $1" OWNER \
    " RETURNING cs.id, cs.last_message_id)," \
    "m AS (" \
    " INSERT INTO chat_message ({m.ChatMessageId}, {m.ChatSessionId}," \
    " {m.Type}, {m.Message}, {m.Author}, {m.ReadByCustomer}," \
    " {m.SpecialType}, {m.SpecialParam}, {m.WhenPosted})" \
    " SELECT u.last_message_id, u.id, $2, $3, $4, $5, $6, $7, now() FROM u" \
    " RETURNING *)" \
    "SELECT {MSG} FROM m"

#define OWN " AND cs.{User} = $8"

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
    "SELECT {MSG}" EXTRA \
    "  FROM chat_session cs" \
    "  LEFT JOIN LATERAL (SELECT * FROM chat_message x" \
    "                      WHERE x.{m.ChatSessionId} = cs.id" AFTER \
    "                      ORDER BY x.{m.ChatMessageId}" LIMIT ") m ON true" \
    " WHERE cs.id = $1 ORDER BY m.{m.ChatMessageId}"

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

/* The post writes (never run twice); the others only read. The result
 * columns are set when built: a message row is read from its first
 * column (the id) on, by that column's name; the diagnosis by the
 * owner's. */
static const chats_stmt_t tpls[CHATS_MSQL__N] = {
    [CHATS_MSQL_POST_ANY] = { "chats_msg_post_any", POST_SQL(""),
                              CHATS_RETRY_NEVER, 8, post_types, NULL,
                              NULL },
    [CHATS_MSQL_POST_OWN] = { "chats_msg_post_own", POST_SQL(OWN),
                              CHATS_RETRY_NEVER, 8, post_types, NULL,
                              NULL },
    [CHATS_MSQL_DIAG] = { "chats_msg_diag",
                          "SELECT cs.{User} FROM chat_session cs"
                          " WHERE cs.id = $1",
                          CHATS_RETRY_SAFE, 1, id_types, NULL, NULL },
    [CHATS_MSQL_LIST] = { "chats_msg_list",
                          LIST_SQL("", " AND x.{m.ChatMessageId} > $2",
                                   " LIMIT " CHATS_MSG_PAGE_TEXT),
                          CHATS_RETRY_SAFE, 2, list_types, NULL, NULL },
    [CHATS_MSQL_TRANSCRIPT] = {
        "chats_msg_transcript",
        LIST_SQL(", to_char(m.{m.WhenPosted} AT TIME ZONE"
                 " coalesce($2, 'UTC'), 'YYYY-MM-DD HH24:MI:SS')", "", ""),
        CHATS_RETRY_SAFE, 2, transcript_types, NULL, NULL },
    [CHATS_MSQL_POST_ANY_KEYED] = { "chats_msg_post_any_keyed",
                                    POST_KEYED_SQL(""), CHATS_RETRY_NEVER,
                                    11, keyed_types, NULL, NULL },
    [CHATS_MSQL_POST_OWN_KEYED] = { "chats_msg_post_own_keyed",
                                    POST_KEYED_SQL(OWN), CHATS_RETRY_NEVER,
                                    11, keyed_types, NULL, NULL },
    [CHATS_MSQL_GET] = { "chats_msg_get",
                         "SELECT {MSG} FROM chat_message m"
                         " WHERE m.{m.ChatMessageId} = $1",
                         CHATS_RETRY_SAFE, 1, id_types, NULL, NULL },
};

struct chats_message_sql_t {
    chats_stmt_t s[CHATS_MSQL__N];
};

const char *chats_message_sql_cols(apr_pool_t *p, const char *alias)
{
    apr_array_header_t *cols = apr_array_make(p, CHATS_MF__N,
                                              sizeof(const char *));
    const chats_field_t *f;
    int i, n;

    f = chats_message_fields(&n);
    for (i = 0; i < n; i++) {
        const char *c = apr_pstrcat(p, alias, ".", f[i].column, NULL);

        APR_ARRAY_PUSH(cols, const char *) = f[i].type == CHATS_F_DATETIME
            ? apr_pstrcat(p, "(EXTRACT(EPOCH FROM ", c, ") * 1000000)::int8",
                          NULL)
            : c;
    }
    return apr_array_pstrcat(p, cols, ',');
}

/* {MSG}: the message's select list over "m". */
static const char *msg_ref(apr_pool_t *p, void *ctx, char kind,
                           const char *name, apr_size_t len)
{
    (void)ctx;
    return kind == '{' && len == 3 && !strncmp(name, "MSG", 3)
           ? chats_message_sql_cols(p, "m") : NULL;
}

/* A NULL-terminated list of one column name. */
static const char *const *one_col(apr_pool_t *p, const char *name)
{
    const char **cols = apr_pcalloc(p, 2 * sizeof(*cols));

    cols[0] = name;
    return cols;
}

const chats_message_sql_t *chats_message_sql_build(apr_pool_t *p)
{
    chats_message_sql_t *m = apr_pcalloc(p, sizeof(*m));
    const chats_field_t *f = chats_message_fields(NULL);
    const char *const *msg_cols = one_col(p, f[CHATS_MF_ID].column);
    int k;

    for (k = 0; k < CHATS_MSQL__N; k++) {
        m->s[k] = tpls[k];
        m->s[k].sql = chats_sql_tpl_expand(p, tpls[k].sql, msg_ref, NULL);
        if (!m->s[k].sql) {
            return NULL;                  /* a name that stands for nothing */
        }
        m->s[k].cols = k == CHATS_MSQL_DIAG
                       ? one_col(p, chats_schema_owner(
                                        &chats_session_def)->column)
                       : msg_cols;
    }
    return m;
}

const chats_stmt_t *chats_message_stmt(const chats_message_sql_t *m,
                                       chats_msql_e which,
                                       const chats_ptype_e **ptypes,
                                       int *pnparams)
{
    *ptypes = m->s[which].types;
    *pnparams = m->s[which].nparams;
    return &m->s[which];
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
