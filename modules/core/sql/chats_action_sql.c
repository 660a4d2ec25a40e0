/* The agent's actions as SQL (chats_action_sql.h). The templates below
 * read like the SQL they become; the builder replaces the field tables'
 * names ({Field}, {=Name}, {type.Name}, {special.Name}: chats_sql_tpl.h)
 * and
 *   {ROW}     by the select list a session is read with (chats_sql.c),
 *   $x        by the statement's parameter x, numbered after the zone:
 *             a = caller's associate, n = caller's login, i = session,
 *             to = toAssociate, t = topic; and in the keyed forms of the
 *             writes (Idempotency-Key) k = the key, f = the request's
 *             fingerprint, s = the answer's status;
 *   {UNUSED}  by the keyed forms' guard: the caller has no live key k.
 * so no column name, enum value or parameter number has a second home. */
#include <apr_strings.h>
#include <apr_tables.h>
#include <string.h>

#include "chats_action_sql.h"
#include "chats_sql_tpl.h"

/* "Active": the sessions an agent is chatting in, whose Rank numbers
 * must differ [D-11]. */
#define ACTIVE "({=CustomerLast}, {=UserLast})"

/* The lowest Rank >= 1 that none of the agent's other active sessions
 * has (cs: the session being taken). Read from the statement's
 * snapshot: CHATS_ACT_LOCK before it keeps one agent's statements apart. */
#define RANK \
    "(SELECT min(k) FROM generate_series(1, 1 + (SELECT count(*)" \
    " FROM chat_session o WHERE o.{User} = $a AND o.{Status} IN " ACTIVE \
    " AND o.id <> cs.id)) k WHERE NOT EXISTS (SELECT 1 FROM chat_session o" \
    " WHERE o.{User} = $a AND o.{Status} IN " ACTIVE \
    " AND o.{Rank} = k AND o.id <> cs.id))"

/* The topics the agent may answer. */
#define MY_TOPICS \
    "(SELECT m.topic_id FROM chat_topic_member m" \
    " WHERE m.associate_id = $a AND m.can_respond)"

/* The associate toAssociate names: a login, or a decimal id; a login
 * wins. */
#define TO_MATCH CHATS_SQL_LOGIN_OR_ID("$to")

/* Taking a queued session (p: its id, locked): the agent's, active,
 * ranked, with a Welcome message. The message id is taken under the
 * session's row lock, so a session's message ids are in commit order. */
#define TAKE \
    "u AS (UPDATE chat_session cs SET {User} = $a, {Status} = {=UserLast}," \
    " {WhenStarted} = now(), {WhenIdle} = now(), {Rank} = " RANK "," \
    " {TransferTo} = NULL," \
    " last_message_id = nextval('chat_message_id_seq')," \
    " " CHATS_SQL_BUMP_BY("$a") \
    " FROM p WHERE cs.id = p.id RETURNING cs.*)," \
    " m AS (INSERT INTO chat_message (id, chat_session_id, type," \
    " special_type, author, message) SELECT u.last_message_id, u.id," \
    " {type.Special}, {special.Welcome}, left($n, 255), '' FROM u)" \
    " SELECT {ROW} FROM u cs"

/* The writes' texts, each with a place G for the keyed form's guard
 * (KEYED below): the key's CTEs are put before them by
 * chats_sql_idem_keyed, which needs the written rows in a CTE, "u". */
#define PICKUP_FIRST(G) \
    "WITH p AS (SELECT cs.id FROM chat_session cs" \
    " WHERE cs.{Status} = {=InQueue} AND cs.{TopicId} IN " MY_TOPICS G \
    " ORDER BY cs.{WhenRequested} NULLS LAST, cs.id LIMIT 1" \
    " FOR UPDATE SKIP LOCKED), " TAKE

#define PICKUP(G) \
    "WITH p AS (SELECT cs.id FROM chat_session cs WHERE cs.id = $i" \
    " AND cs.{Status} = {=InQueue} AND cs.{TopicId} IN " MY_TOPICS G \
    " FOR UPDATE SKIP LOCKED), " TAKE

#define TRANSFER(G) \
    "WITH t AS (SELECT a.associate_id, a.name FROM associate a" \
    " WHERE " TO_MATCH " ORDER BY a.name = $to DESC LIMIT 1)," \
    " u AS (UPDATE chat_session cs SET {TransferTo} = t.associate_id," \
    " last_message_id = nextval('chat_message_id_seq')," \
    " {WhenIdle} = now(), " CHATS_SQL_BUMP_BY("$a") \
    " FROM t WHERE cs.id = $i AND cs.{User} = $a" \
    " AND t.associate_id <> $a" \
    " AND cs.{TransferTo} IS DISTINCT FROM t.associate_id" G \
    " RETURNING cs.*, t.name AS to_name)," \
    " m AS (INSERT INTO chat_message (id, chat_session_id, type," \
    " special_type, special_param, author) SELECT u.last_message_id," \
    " u.id, {type.Special}, {special.TransferedSession}, u.to_name," \
    " left($n, 255) FROM u) SELECT {ROW} FROM u cs"

#define ACCEPT \
    "UPDATE chat_session cs SET {User} = $a, {TransferTo} = NULL," \
    " {Rank} = " RANK ", " CHATS_SQL_BUMP_BY("$a") \
    " WHERE cs.id = $i AND cs.{TransferTo} = $a"

#define REJECT(G) \
    "WITH u AS (UPDATE chat_session cs SET {TransferTo} = NULL," \
    " last_message_id = nextval('chat_message_id_seq')," \
    " " CHATS_SQL_BUMP_BY("$a") \
    " WHERE cs.id = $i AND cs.{TransferTo} = $a" G " RETURNING cs.*)," \
    " m AS (INSERT INTO chat_message (id, chat_session_id, type," \
    " special_type, author) SELECT u.last_message_id, u.id, {type.Special}," \
    " {special.TransferRejected}, left($n, 255) FROM u) SELECT {ROW} FROM u cs"

#define RESET(WHO) \
    "UPDATE chat_session cs SET {Status} = {=InQueue}, {User} = NULL," \
    " {TransferTo} = NULL, {Rank} = 0, {ChatbotIsActive} = false," \
    " " CHATS_SQL_BUMP_BY("$a") \
    " WHERE cs.id = $i" WHO \
    " AND (cs.{Status} <> {=InQueue} OR cs.{User} IS NOT NULL" \
    " OR cs.{TransferTo} IS NOT NULL OR cs.{ChatbotIsActive})"

/* The keyed forms' guard: nothing is written when the caller's key is
 * live (a repeat, seen by the statement's snapshot). An UPDATE that
 * returns its row directly becomes a CTE "u" (UPDATE_AS_U). */
#define KEYED " AND {UNUSED}"
#define UPDATE_AS_U(UPDATE) \
    "WITH u AS (" UPDATE KEYED " RETURNING cs.*) SELECT {ROW} FROM u cs"

/* The result columns readers use, by name (chats_sql.h). */
static const char *const row_cols[] = { CHATS_SQL_ROW, NULL };
static const char *const pickup_diag_cols[] = { "queued", "member", NULL };
static const char *const transfer_diag_cols[] = { "known", CHATS_SQL_ROW,
                                                  NULL };
static const char *const reset_diag_cols[] = { "own", CHATS_SQL_ROW, NULL };
static const char *const queue_pos_cols[] = { "pos", NULL };

/* RD: reads only, may run again on a fresh connection outside a
 * transaction (the store decides); WR: writes, never run twice. */
#define RD CHATS_RETRY_SAFE
#define WR CHATS_RETRY_NEVER

typedef struct {
    chats_act_e act;
    const char *name;
    const char *args;          /* parameter letters, in $ order */
    int row_at;                /* -1: renders no row */
    chats_retry_e retry;
    const char *const *cols;
    const char *tpl;
    const char *keyed;         /* the keyed form, NULL: none */
    const char *keyed_args;    /* its parameter letters */
} act_def_t;

static const act_def_t defs[] = {
    /* inside the action's transaction, so never run again (the store
     * checks the transaction status, not the text) */
    { CHATS_ACT_LOCK, "lock", "a", -1, RD, NULL,
      "SELECT associate_id FROM associate WHERE associate_id = $a"
      " FOR NO KEY UPDATE", NULL, NULL },
    { CHATS_ACT_PICKUP_FIRST, "pickup_first", "a n", 0, WR, row_cols,
      PICKUP_FIRST(""), PICKUP_FIRST(KEYED), "a n k f s" },
    { CHATS_ACT_PICKUP, "pickup", "a n i", 0, WR, row_cols,
      PICKUP(""), PICKUP(KEYED), "a n i k f s" },
    { CHATS_ACT_PICKUP_DIAG, "pickup_diag", "a i", -1, RD, pickup_diag_cols,
      "SELECT cs.{Status} = {=InQueue} AS queued, cs.{TopicId} IN "
      MY_TOPICS " AS member FROM chat_session cs WHERE cs.id = $i",
      NULL, NULL },
    { CHATS_ACT_TRANSFER, "transfer", "a n i to", 0, WR, row_cols,
      TRANSFER(""), TRANSFER(KEYED), "a n i to k f s" },
    { CHATS_ACT_TRANSFER_DIAG, "transfer_diag", "i to", 1, RD,
      transfer_diag_cols,
      "SELECT EXISTS (SELECT 1 FROM associate a WHERE " TO_MATCH ") AS known,"
      " {ROW}"
      " FROM chat_session cs WHERE cs.id = $i", NULL, NULL },
    { CHATS_ACT_ACCEPT, "accept", "a i", 0, WR, row_cols,
      ACCEPT " RETURNING {ROW}", UPDATE_AS_U(ACCEPT), "a i k f s" },
    { CHATS_ACT_REJECT, "reject", "a n i", 0, WR, row_cols,
      REJECT(""), REJECT(KEYED), "a n i k f s" },
    { CHATS_ACT_RESET_OWN, "reset_own", "a i", 0, WR, row_cols,
      RESET(" AND cs.{User} = $a") " RETURNING {ROW}",
      UPDATE_AS_U(RESET(" AND cs.{User} = $a")), "a i k f s" },
    { CHATS_ACT_RESET_ANY, "reset_any", "i a", 0, WR, row_cols,
      RESET("") " RETURNING {ROW}", UPDATE_AS_U(RESET("")), "i a k f s" },
    { CHATS_ACT_RESET_DIAG, "reset_diag", "a i", 1, RD, reset_diag_cols,
      "SELECT cs.{User} IS NOT DISTINCT FROM $a AS own, {ROW}"
      " FROM chat_session cs WHERE cs.id = $i", NULL, NULL },
    { CHATS_ACT_GET, "get", "i", 0, RD, row_cols,
      "SELECT {ROW} FROM chat_session cs WHERE cs.id = $i", NULL, NULL },
    { CHATS_ACT_FOR_USER, "for_user", "a", 0, RD, row_cols,
      "SELECT {ROW} FROM chat_session cs WHERE cs.{TopicId} IN"
      " (SELECT m.topic_id FROM chat_topic_member m"
      " WHERE m.associate_id = $a)"
      " AND cs.{Status} NOT IN ({=Finished}, {=Deleted}, {=Closed},"
      " {=ClosedFromQueue}) ORDER BY cs.id LIMIT 1000", NULL, NULL },
    { CHATS_ACT_QUEUE_POS, "queue_pos", "t", -1, RD, queue_pos_cols,
      "SELECT 1 + count(*) AS pos FROM chat_session cs"
      " WHERE cs.{Status} = {=InQueue} AND cs.{TopicId} = $t", NULL, NULL },
};

static const chats_sql_letter_t letter_v[] = {
    { "a", CHATS_AP_ASSOC, CHATS_P_INT4 },
    { "n", CHATS_AP_LOGIN, CHATS_P_TEXT },
    { "i", CHATS_AP_ID, CHATS_P_INT4 },
    { "to", CHATS_AP_TO, CHATS_P_TEXT },
    { "t", CHATS_AP_TOPIC, CHATS_P_INT4 },
    { "k", CHATS_AP_KEY, CHATS_P_TEXT },
    { "f", CHATS_AP_FP, CHATS_P_TEXT },
    { "s", CHATS_AP_STATUS, CHATS_P_INT2 },
};

static const chats_sql_letters_t letters = {
    letter_v, (int)(sizeof(letter_v) / sizeof(letter_v[0]))
};

static chats_ptype_e ap_type(int which)
{
    return chats_sql_letter_type(&letters, which);
}

/* Parse a statement's parameter letters into s->args: 0 on an unknown
 * letter or too many. */
static int parse_args(apr_pool_t *p, const char *spec, chats_act_stmt_t *s)
{
    return chats_sql_letters_parse(p, &letters, spec, s->args, CHATS_ACT_MAXP,
                                   &s->nargs);
}

/* The statement's parameter types, declared with it: the zone first. */
static void declare_types(apr_pool_t *p, chats_act_stmt_t *s)
{
    chats_ptype_e *types = apr_palloc(p, (s->zoned + s->nargs + 1)
                                         * sizeof(*types));
    int j, k = 0;

    if (s->zoned) {
        types[k++] = CHATS_P_TEXT;
    }
    for (j = 0; j < s->nargs; j++) {
        types[k++] = ap_type(s->args[j]);
    }
    s->stmt.nparams = k;
    s->stmt.types = types;
}

static const char *dollar(apr_pool_t *p, const char *name, apr_size_t len,
                          const chats_act_stmt_t *s);

/* The references of a keyed statement's key parameters: 0 when it has
 * not all of them. */
static int idem_refs(apr_pool_t *p, const chats_act_stmt_t *s,
                     chats_idem_refs_t *r)
{
    r->assoc = dollar(p, "a", 1, s);
    r->key = dollar(p, "k", 1, s);
    r->fp = dollar(p, "f", 1, s);
    r->status = dollar(p, "s", 1, s);
    return r->assoc && r->key && r->fp && r->status;
}

/* $x: the parameter's number (after the zone) and type cast. */
static const char *dollar(apr_pool_t *p, const char *name, apr_size_t len,
                          const chats_act_stmt_t *s)
{
    return chats_sql_letter_ref(p, &letters, s->args, s->nargs, s->zoned,
                                name, len);
}

/* What an action's own references stand for: {ROW}, {UNUSED} and $x
 * (the field tables' facts are chats_sql_tpl.c's). */
typedef struct {
    const chats_sql_t *sql;
    chats_read_e how;
    const chats_act_stmt_t *s;
} act_ctx_t;

static const char *act_ref(apr_pool_t *p, void *ctx, char kind,
                           const char *name, apr_size_t len)
{
    act_ctx_t *c = ctx;
    chats_idem_refs_t refs;

    if (kind == '$') {
        return dollar(p, name, len, c->s);
    }
    if (len == 3 && !strncmp(name, "ROW", 3)) {
        return c->sql->session->list[c->how];
    }
    if (len == 6 && !strncmp(name, "UNUSED", 6)) {
        return idem_refs(p, c->s, &refs) ? chats_sql_idem_unused(p, &refs)
                                         : NULL;
    }
    return NULL;
}

/* The template expanded (see the top of the file); NULL on a name that
 * stands for nothing. */
static const char *expand(apr_pool_t *p, const char *tpl,
                          const chats_sql_t *sql, chats_read_e how,
                          const chats_act_stmt_t *s)
{
    act_ctx_t c;

    c.sql = sql;
    c.how = how;
    c.s = s;
    return chats_sql_tpl_expand(p, tpl, act_ref, &c);
}

/* One statement of def, read as how: its plain form (tpl, args), or
 * its keyed one, which records the key from the rows of "u". 0 when a
 * name in the template stands for nothing. */
static int build_one(apr_pool_t *p, const act_def_t *def,
                     const chats_sql_t *sql, chats_read_e how, int keyed,
                     chats_act_stmt_t *s)
{
    chats_idem_refs_t refs;

    s->zoned = how == CHATS_READ_ZONED && def->row_at >= 0;
    s->row_at = def->row_at;
    if (!parse_args(p, keyed ? def->keyed_args : def->args, s)) {
        return 0;
    }
    s->stmt.name = apr_pstrcat(p, "chats_act_", def->name,
                               keyed ? "_keyed" : "",
                               s->zoned ? "_zoned" : "", NULL);
    s->stmt.retry = def->retry;
    s->stmt.cols = def->cols;
    declare_types(p, s);
    s->stmt.sql = expand(p, keyed ? def->keyed : def->tpl, sql, how, s);
    if (s->stmt.sql && keyed) {
        s->stmt.sql = idem_refs(p, s, &refs)
                      ? chats_sql_idem_keyed(p, s->stmt.sql, &refs, "u")
                      : NULL;
    }
    return s->stmt.sql != NULL;
}

const chats_action_sql_t *chats_action_sql_build(apr_pool_t *p,
                                                 const chats_sql_t *sql)
{
    chats_action_sql_t *a = apr_pcalloc(p, sizeof(*a));
    size_t d;
    int how;

    for (d = 0; d < sizeof(defs) / sizeof(defs[0]); d++) {
        const act_def_t *def = &defs[d];

        for (how = CHATS_READ_UTC; how <= CHATS_READ_ZONED; how++) {
            if (!build_one(p, def, sql, how, 0, &a->s[def->act][how])
                || (def->keyed && !build_one(p, def, sql, how, 1,
                                             &a->keyed[def->act][how]))) {
                return NULL;
            }
        }
    }
    for (d = 0; d < CHATS_ACT__N; d++) {
        if (!a->s[d][0].stmt.sql) {
            return NULL;                  /* an action without a template */
        }
    }
    return a;
}

const chats_act_stmt_t *chats_action_stmt(const chats_action_sql_t *a,
                                          chats_act_e act, chats_read_e how)
{
    return &a->s[act][how];
}

const chats_act_stmt_t *chats_action_stmt_keyed(const chats_action_sql_t *a,
                                                chats_act_e act,
                                                chats_read_e how)
{
    return a->keyed[act][how].stmt.sql ? &a->keyed[act][how] : NULL;
}

int chats_action_params(apr_pool_t *p, const chats_act_stmt_t *s,
                        const char *zone, const char *const *vals,
                        const char ***pvalues, chats_ptype_e **ptypes)
{
    int n = s->zoned + s->nargs, k = 0, j;
    const char **values = apr_palloc(p, (n + 1) * sizeof(*values));
    chats_ptype_e *types = apr_palloc(p, (n + 1) * sizeof(*types));

    if (s->zoned) {
        values[k] = zone;
        types[k++] = CHATS_P_TEXT;
    }
    for (j = 0; j < s->nargs; j++, k++) {
        values[k] = vals[s->args[j]];
        types[k] = ap_type(s->args[j]);
    }
    *pvalues = values;
    *ptypes = types;
    return n;
}
