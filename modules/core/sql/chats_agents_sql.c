/* The ChatTopic family's statements (chats_agents_sql.h). The templates
 * read like the SQL they become; the builder replaces
 *   {AGENT}, {PRESENCE}, {ITEM}  by the shape's select list over "cs",
 *   {ta.Field}, {p.Field}, {i.Field}
 *                 by the column of ChatTopicAgent's, ChatPresence's,
 *                 MDOListItem's field (chats_shape_schema.c),
 *   {Field}, {=Name}  by the session's facts (chats_sql_tpl.h),
 *   $x            by the parameter x (letters below), cast to its type,
 * so that no column name or parameter number has a second home. */
#include <apr_strings.h>
#include <apr_tables.h>
#include <string.h>

#include "chats_action_sql.h"
#include "chats_agents_sql.h"
#include "chats_name.h"
#include "chats_shape_schema.h"
#include "chats_sql_tpl.h"

/* The topic exists; the caller reads it (the read level, or one of its
 * members: design note §6); the caller writes it (admin, or one of its
 * managers). */
#define TOPIC "EXISTS (SELECT 1 FROM chat_topic WHERE id = $t)"
#define MEMBER(cond) \
    "EXISTS (SELECT 1 FROM chat_topic_member m WHERE m.topic_id = $t" \
    " AND m.associate_id = $a" cond ")"
#define READER "($rd OR " MEMBER("") ")"
#define WRITER "($ad OR " MEMBER(" AND m.manager") ")"

/* The associate {username} names (TransferTo's rule), and the one the
 * body's User names: AssociateId when above 0, else Name (a login). */
#define NAMED \
    "(SELECT a.associate_id FROM associate a WHERE " \
    CHATS_SQL_LOGIN_OR_ID("$un") " ORDER BY a.name = $un DESC LIMIT 1)"
#define BODY_USER(ID, LOGIN) \
    "(SELECT a.associate_id FROM associate a WHERE NOT a.deleted AND" \
    " CASE WHEN " ID " > 0 THEN a.associate_id = " ID \
    " ELSE a.name = " LOGIN " END)"
#define NO_BODY_USER "($ui = 0 AND $ul IS NULL)"

#define ROLES "{ta.CanListen}, {ta.CanRespond}, {ta.CanManage}, {ta.CanNotify}"
#define UPSERT \
    " ON CONFLICT (associate_id, topic_id) DO UPDATE SET" \
    " {ta.CanListen} = excluded.{ta.CanListen}," \
    " {ta.CanRespond} = excluded.{ta.CanRespond}," \
    " {ta.CanManage} = excluded.{ta.CanManage}," \
    " {ta.CanNotify} = excluded.{ta.CanNotify} RETURNING *"
#define INSERT "INSERT INTO chat_topic_member ({ta.TopicId}, {ta.User}, " \
    ROLES ")"

/* "Chat users" (design note §3): the associates in use that are members
 * of a topic or may own sessions; present: their chat_presence row
 * says so (none: away). Active sessions as the actions count them. */
#define CHAT_USER \
    "NOT a.deleted AND (EXISTS (SELECT 1 FROM chat_topic_member m" \
    " WHERE m.associate_id = a.associate_id) OR EXISTS (SELECT 1 FROM" \
    " chat_session_right r WHERE r.associate_id = a.associate_id AND" \
    " r.level IN ('update_own', 'update_all', 'admin')))"
#define PRESENT \
    "coalesce((SELECT p.present FROM chat_presence p" \
    " WHERE p.associate_id = a.associate_id), false)"
#define ANY_MEMBER \
    "($rd OR EXISTS (SELECT 1 FROM chat_topic_member m" \
    " WHERE m.associate_id = $a))"

static const char *const list_cols[] = { "topic", "allowed", CHATS_SQL_ROW,
                                         NULL };
static const char *const get_cols[] = { "topic", "allowed", "uid",
                                        CHATS_SQL_ROW, NULL };
static const char *const update_cols[] = { "topic", "allowed", "uid",
                                           "same", CHATS_SQL_ROW, NULL };
static const char *const delete_cols[] = { "topic", "allowed", "uid",
                                           "gone", NULL };
static const char *const set_cols[] = { "topic", "allowed", "unknown",
                                        "dup", CHATS_SQL_ROW, NULL };
static const char *const open_cols[] = { "topic", "allowed", "open", NULL };
static const char *const presence_cols[] = { "allowed", CHATS_SQL_ROW,
                                             NULL };
static const char *const items_cols[] = { "allowed", "group_id",
                                          "group_name", CHATS_SQL_ROW,
                                          NULL };

#define RD CHATS_RETRY_SAFE
#define WR CHATS_RETRY_NEVER

typedef struct {
    chats_asql_e which;
    const char *name;
    const char *args;            /* parameter letters, in $ order */
    chats_retry_e retry;
    const char *const *cols;
    const char *tpl;
} def_t;

static const def_t defs[] = {
    { CHATS_ASQL_LIST, "list", "t a rd", RD, list_cols,
      "WITH h AS (SELECT " TOPIC " AS topic, " READER " AS allowed)"
      " SELECT h.topic, h.allowed, {AGENT} FROM h"
      " LEFT JOIN chat_topic_member cs ON h.topic AND h.allowed"
      " AND cs.{ta.TopicId} = $t ORDER BY cs.{ta.User}" },
    { CHATS_ASQL_GET, "get", "t a rd un", RD, get_cols,
      "WITH h AS (SELECT " TOPIC " AS topic, " READER " AS allowed, "
      NAMED " AS uid)"
      " SELECT h.topic, h.allowed, h.uid, {AGENT} FROM h"
      " LEFT JOIN chat_topic_member cs ON h.topic AND h.allowed"
      " AND cs.{ta.TopicId} = $t AND cs.{ta.User} = h.uid" },
    { CHATS_ASQL_ADD, "add", "t a ad ui ul cl cr cm cn", WR, get_cols,
      "WITH h AS (SELECT " TOPIC " AS topic, " WRITER " AS allowed, "
      BODY_USER("$ui", "$ul") " AS uid),"
      " u AS (" INSERT " SELECT $t, h.uid, $cl, $cr, $cm, $cn FROM h"
      " WHERE h.topic AND h.allowed AND h.uid IS NOT NULL" UPSERT ")"
      " SELECT h.topic, h.allowed, h.uid, {AGENT} FROM h"
      " LEFT JOIN u cs ON true" },
    { CHATS_ASQL_UPDATE, "update", "t a ad un ui ul cl cr cm cn", WR,
      update_cols,
      "WITH h AS (SELECT " TOPIC " AS topic, " WRITER " AS allowed, "
      NAMED " AS uid, " NO_BODY_USER " OR " BODY_USER("$ui", "$ul")
      " IS NOT DISTINCT FROM " NAMED " AS same),"
      " u AS (UPDATE chat_topic_member cs SET {ta.CanListen} = $cl,"
      " {ta.CanRespond} = $cr, {ta.CanManage} = $cm, {ta.CanNotify} = $cn"
      " FROM h WHERE cs.{ta.TopicId} = $t AND cs.{ta.User} = h.uid"
      " AND h.topic AND h.allowed AND h.same RETURNING cs.*)"
      " SELECT h.topic, h.allowed, h.uid, h.same, {AGENT} FROM h"
      " LEFT JOIN u cs ON true" },
    { CHATS_ASQL_DELETE, "delete", "t a ad un", WR, delete_cols,
      "WITH h AS (SELECT " TOPIC " AS topic, " WRITER " AS allowed, "
      NAMED " AS uid),"
      " u AS (DELETE FROM chat_topic_member cs USING h"
      " WHERE cs.{ta.TopicId} = $t AND cs.{ta.User} = h.uid AND h.topic"
      " AND h.allowed RETURNING cs.{ta.User})"
      " SELECT h.topic, h.allowed, h.uid, u.{ta.User} AS gone FROM h"
      " LEFT JOIN u ON true" },
    /* One statement: the rows not in the list go, the others are
     * written; both only when every element names an associate in use,
     * once. An empty list removes every agent. */
    { CHATS_ASQL_SET, "set", "t a ad j", WR, set_cols,
      "WITH x AS (SELECT * FROM jsonb_to_recordset($j::jsonb) AS x(n int4,"
      " id int4, login text, listen boolean, respond boolean,"
      " manage boolean, notify boolean)),"
      " r AS (SELECT x.*, " BODY_USER("x.id", "x.login") " AS uid FROM x),"
      " h AS (SELECT " TOPIC " AS topic, " WRITER " AS allowed,"
      " (SELECT min(r.n) FROM r WHERE r.uid IS NULL) AS unknown,"
      " (SELECT min(r2.n) FROM r r2 WHERE EXISTS (SELECT 1 FROM r r1"
      " WHERE r1.uid = r2.uid AND r1.n < r2.n)) AS dup),"
      " ok AS (SELECT h.topic AND h.allowed AND h.unknown IS NULL"
      " AND h.dup IS NULL AS go FROM h),"
      " d AS (DELETE FROM chat_topic_member m USING ok WHERE ok.go"
      " AND m.{ta.TopicId} = $t"
      " AND m.{ta.User} <> ALL (ARRAY(SELECT r.uid FROM r)) RETURNING 1),"
      " u AS (" INSERT " SELECT $t, r.uid, r.listen, r.respond, r.manage,"
      " r.notify FROM r, ok WHERE ok.go" UPSERT ")"
      " SELECT h.topic, h.allowed, h.unknown, h.dup, {AGENT} FROM h"
      " LEFT JOIN u cs ON true ORDER BY cs.{ta.User}" },
    { CHATS_ASQL_IS_OPEN, "is_open", "t a rd z", RD, open_cols,
      "WITH h AS (SELECT " TOPIC " AS topic, " READER " AS allowed)"
      " SELECT h.topic, h.allowed, CASE WHEN h.topic AND h.allowed"
      " THEN chats_topic_is_open($t, now(), $z) END AS open FROM h" },
    { CHATS_ASQL_PRESENCE, "presence", "a rd", RD, presence_cols,
      "WITH h AS (SELECT " ANY_MEMBER " AS allowed)"
      " SELECT h.allowed, {PRESENCE} FROM h LEFT JOIN"
      " (SELECT a.associate_id AS {p.UserId},"
      " a.full_name AS {p.DisplayName},"
      " (SELECT count(*) FROM chat_session s WHERE s.{User} ="
      " a.associate_id AND s.{Status} IN ({=CustomerLast}, {=UserLast}))"
      "::int4 AS {p.OngoingChats}, " PRESENT " AS {p.Present},"
      " ARRAY(SELECT m.topic_id FROM chat_topic_member m"
      " WHERE m.associate_id = a.associate_id ORDER BY m.topic_id)"
      " AS {p.ChatTopics} FROM associate a WHERE " CHAT_USER ") cs"
      " ON h.allowed ORDER BY cs.{p.UserId}" },
    { CHATS_ASQL_USER_AGENTS, "user_agents", "a rd op", RD, items_cols,
      "WITH h AS (SELECT " ANY_MEMBER " AS allowed)"
      " SELECT h.allowed, cs.group_id, cs.group_name, {ITEM} FROM h"
      " LEFT JOIN (SELECT a.associate_id AS {i.Id}, a.full_name AS {i.Name},"
      " a.tooltip AS {i.ToolTip}, false AS {i.Deleted},"
      " a.rank::int4 AS {i.Rank}, 'associate'::text AS {i.Type},"
      " ''::text AS {i.IconHint}, 0 AS {i.ColorBlock},"
      " a.name AS {i.ExtraInfo}, ''::text AS {i.StyleHint},"
      " a.full_name AS {i.FullName}, a.group_idx AS group_id,"
      " coalesce((SELECT g.name FROM user_group g WHERE g.id ="
      " a.group_idx), 'Group ' || a.group_idx) AS group_name"
      " FROM associate a WHERE " CHAT_USER " AND (NOT $op OR " PRESENT "))"
      " cs ON h.allowed ORDER BY cs.group_id, cs.{i.Name}, cs.{i.Id}" },
    { CHATS_ASQL_PRESENCE_SAVE, "presence_save", "a pr", WR, NULL,
      "INSERT INTO chat_presence (associate_id, present, updated_at)"
      " VALUES ($a, $pr, now()) ON CONFLICT (associate_id) DO UPDATE"
      " SET present = excluded.present, updated_at = now()" },
};

#define NDEFS (sizeof(defs) / sizeof(defs[0]))

static const chats_sql_letter_t letter_v[] = {
    { "a", CHATS_AGP_ASSOC, CHATS_P_INT4 },
    { "rd", CHATS_AGP_READS, CHATS_P_BOOL },
    { "ad", CHATS_AGP_ADMIN, CHATS_P_BOOL },
    { "t", CHATS_AGP_TOPIC, CHATS_P_INT4 },
    { "un", CHATS_AGP_USERNAME, CHATS_P_TEXT },
    { "ui", CHATS_AGP_USER_ID, CHATS_P_INT4 },
    { "ul", CHATS_AGP_USER_LOGIN, CHATS_P_TEXT },
    { "cl", CHATS_AGP_LISTEN, CHATS_P_BOOL },
    { "cr", CHATS_AGP_RESPOND, CHATS_P_BOOL },
    { "cm", CHATS_AGP_MANAGE, CHATS_P_BOOL },
    { "cn", CHATS_AGP_NOTIFY, CHATS_P_BOOL },
    { "j", CHATS_AGP_LIST, CHATS_P_TEXT },
    { "z", CHATS_AGP_ZONE, CHATS_P_TEXT },
    { "op", CHATS_AGP_ONLY_PRESENT, CHATS_P_BOOL },
    { "pr", CHATS_AGP_PRESENT, CHATS_P_BOOL },
};

static const chats_sql_letters_t letters = {
    letter_v, (int)(sizeof(letter_v) / sizeof(letter_v[0]))
};
#define MAXP 12

typedef struct {
    chats_stmt_t stmt;
    int nargs;
    int args[MAXP];              /* chats_agparam_e */
} astmt_t;

struct chats_agents_sql_t {
    astmt_t s[CHATS_ASQL__N];
};

/* Parse the parameter letters into s: 0 on an unknown one. */
static int parse_args(apr_pool_t *p, const char *spec, astmt_t *s)
{
    chats_ptype_e *types = apr_palloc(p, MAXP * sizeof(*types));
    int j;

    if (!chats_sql_letters_parse(p, &letters, spec, s->args, MAXP,
                                 &s->nargs)) {
        return 0;
    }
    for (j = 0; j < s->nargs; j++) {
        types[j] = chats_sql_letter_type(&letters, s->args[j]);
    }
    s->stmt.nparams = s->nargs;
    s->stmt.types = types;
    return 1;
}

/* $x: its number in s and its cast. */
static const char *dollar(apr_pool_t *p, const astmt_t *s, const char *name,
                          apr_size_t len)
{
    return chats_sql_letter_ref(p, &letters, s->args, s->nargs, 0, name,
                                len);
}

/* {pfx.Field}: the column of the shape's field. */
static const char *shape_col(const chats_entity_def_t *shape,
                             const char *name, apr_size_t len)
{
    int i, n;
    const chats_field_t *f = chats_schema_fields(shape, &n);

    for (i = 0; i < n; i++) {
        if (f[i].column
            && chats_name_eq(name, len, f[i].name, strlen(f[i].name), 0)) {
            return f[i].column;
        }
    }
    return NULL;
}

static const struct {
    const char *prefix;          /* "ta." */
    const char *list;            /* "AGENT" */
    const chats_entity_def_t *shape;
} shapes[] = {
    { "ta.", "AGENT", &chats_topic_agent_shape },
    { "p.", "PRESENCE", &chats_presence_shape },
    { "i.", "ITEM", &chats_mdo_item_shape },
};

static const char *ref(apr_pool_t *p, void *ctx, char kind,
                       const char *name, apr_size_t len)
{
    size_t k;

    if (kind == '$') {
        return dollar(p, ctx, name, len);
    }
    for (k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
        apr_size_t pl = strlen(shapes[k].prefix);

        if (len == strlen(shapes[k].list)
            && !strncmp(name, shapes[k].list, len)) {
            return chats_agents_shape_cols(p, shapes[k].shape);
        }
        if (len > pl && !strncmp(name, shapes[k].prefix, pl)) {
            return shape_col(shapes[k].shape, name + pl, len - pl);
        }
    }
    return NULL;
}

const char *chats_agents_shape_cols(apr_pool_t *p,
                                    const chats_entity_def_t *shape)
{
    int i, n;
    const chats_field_t *f = chats_schema_fields(shape, &n);
    apr_array_header_t *cols = apr_array_make(p, n, sizeof(const char *));

    for (i = 0; i < n; i++) {
        const char *c;

        if (f[i].flags & CHATS_SHF_CHILDREN) {
            continue;
        }
        c = (f[i].flags & CHATS_SHF_INT_ARRAY)
            ? apr_pstrcat(p, "array_to_json(cs.", f[i].column, ")::text",
                          NULL)
            : chats_sql_field_cols(p, &f[i], CHATS_READ_UTC);
        APR_ARRAY_PUSH(cols, const char *) = cols->nelts ? c
            : apr_pstrcat(p, c, " AS " CHATS_SQL_ROW, NULL);
    }
    return apr_array_pstrcat(p, cols, ',');
}

const chats_agents_sql_t *chats_agents_sql_build(apr_pool_t *p)
{
    chats_agents_sql_t *a = apr_pcalloc(p, sizeof(*a));
    size_t d;

    for (d = 0; d < NDEFS; d++) {
        astmt_t *s = &a->s[defs[d].which];

        if (!parse_args(p, defs[d].args, s)) {
            return NULL;
        }
        s->stmt.name = apr_pstrcat(p, "chats_topic_", defs[d].name, NULL);
        s->stmt.retry = defs[d].retry;
        s->stmt.cols = defs[d].cols;
        if (!(s->stmt.sql = chats_sql_tpl_expand(p, defs[d].tpl, ref, s))) {
            return NULL;
        }
    }
    for (d = 0; d < CHATS_ASQL__N; d++) {
        if (!a->s[d].stmt.sql) {
            return NULL;              /* a statement without a template */
        }
    }
    return a;
}

const chats_stmt_t *chats_agents_stmt(const chats_agents_sql_t *a,
                                      chats_asql_e which, apr_pool_t *p,
                                      const char *const *vals,
                                      const char ***pvalues, int *pn)
{
    const astmt_t *s = &a->s[which];
    const char **values = apr_palloc(p, (s->nargs + 1) * sizeof(*values));
    int j;

    for (j = 0; j < s->nargs; j++) {
        values[j] = vals[s->args[j]];
    }
    *pvalues = values;
    *pn = s->nargs;
    return &s->stmt;
}
