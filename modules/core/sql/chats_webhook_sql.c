/* The webhooks' capture triggers (chats_webhook_sql.h), generated from
 * the session's field table: a field added there is reported in Changes
 * with no edit here.
 *
 * Names follow SuperOffice's, which come from its database columns
 * ([D] chat-events.md: "chatSession.topicId", FieldValues "TopicId",
 * "ChatbotIsactive"): Changes names a field by its column in camelCase,
 * FieldValues a column in PascalCase. chat_session's columns are
 * SuperOffice's where its docs name them; the three that are not are in
 * so_columns below. */
#include <apr_strings.h>
#include <string.h>

#include "chats_message_schema.h"
#include "chats_schema.h"
#include "chats_sql.h"
#include "chats_strbuf.h"
#include "chats_webhook_sql.h"

/* SuperOffice's column where chat_session's differs (the message event's
 * Changes list names them). */
static const struct {
    const char *column;
    const char *so;
} so_columns[] = {
    { "name", "customer_name" },
    { "email", "customer_email" },
    { "phone", "customer_phone" },
};

/* FieldValues: "the non-sensitive data from the record" [D], these
 * columns of the session. The outbox keeps them compactly, numbers as an
 * int4[] and texts as a text[], in this order: building the JSON object
 * in the writing statement cost as much as a quarter of the write
 * (bench/RESULTS.md); the deliverer builds it (chats_webhook_payload). */
static const chats_webhook_value_t field_value_columns[] = {
    { "alert_level", CHATS_WHV_INT },
    { "chatbot_isactive", CHATS_WHV_BOOL },
    { "consented", CHATS_WHV_BOOL },
    { "contact_id", CHATS_WHV_KEY },
    { "customer_alias", CHATS_WHV_TEXT },
    { "customer_id", CHATS_WHV_KEY },
    { "project_id", CHATS_WHV_KEY },
    { "rating", CHATS_WHV_INT },
    { "sale_id", CHATS_WHV_KEY },
    { "status", CHATS_WHV_INT },
    { "ticket_id", CHATS_WHV_KEY },
    { "topic_id", CHATS_WHV_KEY },
    { "user_id", CHATS_WHV_KEY },
};
#define N_VALUES (sizeof(field_value_columns) / sizeof(*field_value_columns))

const chats_webhook_value_t *chats_webhook_values(int *pn)
{
    *pn = (int)N_VALUES;
    return field_value_columns;
}

/* The message event's Changes, SuperOffice's fixed list [D]. */
#define MESSAGE_CHANGES \
    "[\"chatSession.topicId\", \"chatSession.userId\"," \
    " \"chatSession.customerId\", \"chatSession.customerName\"," \
    " \"chatSession.customerEmail\", \"chatSession.companyName\"," \
    " \"chatSession.customerPhone\", \"chatMessage.sessionId\"," \
    " \"chatMessage.id\", \"chatMessage.message\", \"chatMessage.type\"," \
    " \"chatMessage.specialType\", \"chatMessage.specialParam\"," \
    " \"chatMessage.author\"]"

static const char *so_column(const char *column)
{
    apr_size_t i;

    for (i = 0; i < sizeof(so_columns) / sizeof(so_columns[0]); i++) {
        if (!strcmp(so_columns[i].column, column)) {
            return so_columns[i].so;
        }
    }
    return column;
}

/* snake_case to camelCase (upper: PascalCase). */
static const char *camel(apr_pool_t *p, const char *column, int upper)
{
    char *out = apr_palloc(p, strlen(column) + 1), *o = out;
    const char *c;

    for (c = column; *c; c++) {
        if (*c == '_') {
            upper = 1;
            continue;
        }
        *o++ = upper && *c >= 'a' && *c <= 'z' ? (char)(*c - 'a' + 'A') : *c;
        upper = 0;
    }
    *o = '\0';
    return out;
}

const char *chats_webhook_value_name(apr_pool_t *p,
                                     const chats_webhook_value_t *v)
{
    return camel(p, v->column, 1);
}

static const char *session_column(const char *api_name)
{
    const chats_field_t *f = chats_schema_find(&chats_session_def, api_name,
                                               strlen(api_name));
    return f ? f->column : NULL;
}

/* The outbox's field_ints and field_texts of FieldValues over the row
 * R ("ARRAY[...]::int4[], ARRAY[...]::text[]"); extra_int, if not
 * NULL, ends the numbers (a message event's MessageId). */
static const char *field_values(apr_pool_t *p, const char *row,
                                const char *extra_int)
{
    chats_strbuf_t ints, texts;
    apr_size_t i;

    chats_strbuf_init(&ints, p, 512);
    chats_strbuf_init(&texts, p, 64);
    for (i = 0; i < N_VALUES; i++) {
        const chats_webhook_value_t *v = &field_value_columns[i];
        chats_strbuf_t *b = v->kind == CHATS_WHV_TEXT ? &texts : &ints;
        const char *col = apr_pstrcat(p, row, ".", v->column, NULL);

        chats_strbuf_puts(b, b->len ? ", " : "");
        chats_strbuf_puts(b, v->kind == CHATS_WHV_KEY
                             ? apr_pstrcat(p, "coalesce(", col, ", 0)", NULL)
                             : v->kind == CHATS_WHV_BOOL
                             ? apr_pstrcat(p, col, "::int4", NULL) : col);
    }
    if (extra_int) {
        chats_strbuf_puts(&ints, ", ");
        chats_strbuf_puts(&ints, extra_int);
    }
    return apr_pstrcat(p, "ARRAY[", ints.buf, "]::int4[], ARRAY[",
                       texts.buf, "]::text[]", NULL);
}

/* Does Changes name f? A stored field, but the key and the derived
 * ones. The k-th such field of the table is bit k of webhook_changes. */
static int reported(const chats_field_t *f)
{
    return f->column && !(f->flags & (CHATS_FF_KEY | CHATS_FF_DERIVED));
}

static const char *change_name(apr_pool_t *p, const char *column)
{
    return apr_pstrcat(p, "chatSession.", camel(p, so_column(column), 0),
                       NULL);
}

/* ARRAY[CASE WHEN NEW.c IS DISTINCT FROM OLD.c THEN 'chatSession.c'
 * END, ...]: one element per reported field, in field-table order. */
static const char *changes(apr_pool_t *p)
{
    chats_strbuf_t b;
    int i, n = chats_schema_nslots(&chats_session_def), first = 1;

    chats_strbuf_init(&b, p, 2048);
    chats_strbuf_puts(&b, "ARRAY[");
    for (i = 0; i < n; i++) {
        const chats_field_t *f = chats_schema_slot(&chats_session_def, i);

        if (!reported(f)) {
            continue;
        }
        chats_strbuf_puts(&b, apr_psprintf(p,
            "%s\n            CASE WHEN NEW.%s IS DISTINCT FROM OLD.%s"
            " THEN '%s' END", first ? "" : ",", f->column,
            f->column, change_name(p, f->column)));
        first = 0;
    }
    chats_strbuf_puts(&b, "]::text[]");
    return b.buf;
}

/* The INSERT of one event's rows: every Active webhook subscribed, all
 * with one EventId. from: what yields the event's row and its EventId
 * (TRIGGER_FROM, or the planner's written row "w"), ending where the
 * webhook's conditions follow. */
#define TRIGGER_FROM \
    "(SELECT gen_random_uuid() AS u) e, chats_webhook h WHERE", "e.u"
#define STATEMENT_FROM \
    "w JOIN chats_webhook h ON", "w." CHATS_WEBHOOK_EVENT_ID
static const char *outbox_insert(apr_pool_t *p, const char *event,
                                 const char *key, const char *chg,
                                 const char *fv, const char *actor,
                                 const char *from, const char *event_id)
{
    return apr_pstrcat(p,
        "INSERT INTO chats_webhook_outbox (id, webhook_id, event_id,"
        " event, entity, primary_key, changes, field_ints, field_texts,"
        " actor) SELECT nextval('chats_webhook_outbox_id_seq'), h.id, ",
        event_id, ", ", event, ", '" CHATS_WEBHOOK_ENTITY "', ", key, ", ",
        chg, ", ", fv, ", coalesce(", actor, ", 0) FROM ", from,
        " h.state = 1 AND h.events ? ", event, NULL);
}

static const char *session_trigger(apr_pool_t *p)
{
    const char *status = session_column("Status");
    int cl = 0, ul = 0;
    const chats_field_t *st = chats_schema_find(&chats_session_def,
                                                "Status", 6);

    chats_enum_value(st->enums, "CustomerLast", 12, &cl);
    chats_enum_value(st->enums, "UserLast", 8, &ul);
    return apr_pstrcat(p,
        "CREATE OR REPLACE FUNCTION chats_webhook_session() RETURNS trigger\n"
        "LANGUAGE plpgsql AS $$\n"
        "DECLARE\n"
        "    ev text;\n"
        "    ch jsonb := '[]';\n"
        "BEGIN\n"
        "    IF NOT EXISTS (SELECT 1 FROM chats_webhook WHERE state = 1) THEN\n"
        "        RETURN NULL;\n"
        "    END IF;\n"
        "    IF TG_OP = 'INSERT' THEN\n"
        "        ev := '" CHATS_WEBHOOK_EV_CREATED "';\n"
        "    ELSE\n"
        "        ev := '" CHATS_WEBHOOK_EV_CHANGED "';\n"
        "        ch := to_jsonb(array_remove(", changes(p), ", NULL));\n"
        "        IF NEW.last_message_id IS DISTINCT FROM OLD.last_message_id"
        " THEN\n"
        "            ch := ch - 'chatSession.", camel(p, session_column(
                                                   "FirstMessage"), 0),
        "' - 'chatSession.", camel(p, session_column("LastMessage"), 0),
        "'\n                     - 'chatSession.",
        camel(p, session_column("WhenIdle"), 0), "';\n"
        "            IF OLD.", status, " IN (",
        apr_itoa(p, cl), ", ", apr_itoa(p, ul), ") AND NEW.", status,
        " IN (", apr_itoa(p, cl), ", ", apr_itoa(p, ul), ") THEN\n"
        "                ch := ch - 'chatSession.",
        camel(p, status, 0), "';\n"
        "            END IF;\n"
        "        END IF;\n"
        "        IF ch = '[]' THEN\n"
        "            RETURN NULL;\n"
        "        END IF;\n"
        "    END IF;\n",
        "    ", outbox_insert(p, "ev", "NEW.id", "ch",
                             field_values(p, "NEW", NULL),
                             "NEW." CHATS_COL_UPDATED_BY, TRIGGER_FROM),
        ";\n",
        "    RETURN NULL;\n"
        "END $$;\n"
        /* the planner's own writes capture in their statement
         * (chats_webhook_capture_cte) and mark the row: left alone */
        "DROP TRIGGER IF EXISTS chats_webhook_session ON chat_session;\n"
        "CREATE OR REPLACE TRIGGER chats_webhook_session_insert\n"
        "    AFTER INSERT ON chat_session FOR EACH ROW\n"
        "    WHEN (NEW." CHATS_COL_WEBHOOK_VERSION " IS NULL)\n"
        "    EXECUTE FUNCTION chats_webhook_session();\n"
        "CREATE OR REPLACE TRIGGER chats_webhook_session_update\n"
        "    AFTER UPDATE ON chat_session FOR EACH ROW\n"
        "    WHEN (NEW." CHATS_COL_WEBHOOK_VERSION " IS NOT DISTINCT FROM OLD."
        CHATS_COL_WEBHOOK_VERSION ")\n"
        "    EXECUTE FUNCTION chats_webhook_session();\n\n",
        NULL);
}

static const char *message_trigger(apr_pool_t *p)
{
    const chats_field_t *fs = chats_message_fields(NULL);
    const char *sid = fs[CHATS_MF_SESSION].column;
    const char *mid = fs[CHATS_MF_ID].column;

    return apr_pstrcat(p,
        "CREATE OR REPLACE FUNCTION chats_webhook_message() RETURNS trigger\n"
        "LANGUAGE plpgsql AS $$\n"
        "DECLARE\n"
        "    s chat_session%ROWTYPE;\n"
        "BEGIN\n"
        "    IF NOT EXISTS (SELECT 1 FROM chats_webhook WHERE state = 1\n"
        "                   AND events ? '" CHATS_WEBHOOK_EV_MESSAGE "') THEN\n"
        "        RETURN NULL;\n"
        "    END IF;\n"
        "    SELECT * INTO s FROM chat_session WHERE id = NEW.", sid, ";\n",
        "    ", outbox_insert(p, "'" CHATS_WEBHOOK_EV_MESSAGE "'",
                             apr_pstrcat(p, "NEW.", sid, NULL),
                             "'" MESSAGE_CHANGES "'",
                             field_values(p, "s", apr_pstrcat(p, "NEW.", mid,
                                                              NULL)),
                             "s." CHATS_COL_UPDATED_BY, TRIGGER_FROM),
        ";\n",
        "    RETURN NULL;\n"
        "END $$;\n"
        "CREATE OR REPLACE TRIGGER chats_webhook_message\n"
        "    AFTER INSERT ON chat_message\n"
        "    FOR EACH ROW EXECUTE FUNCTION chats_webhook_message();\n\n",
        NULL);
}

/* The outbox has no foreign key to the webhook: checking one took a
 * share lock on the webhook's row in every capturing transaction, which
 * all the writers then contended for. A deleted webhook's rows go here;
 * the few a writer may add while the delete commits are never claimed
 * (the claim joins the webhook), and the deliverer clears them
 * (CHATS_WEBHOOK_SQL_ORPHANS). */
static const char *forget_trigger(void)
{
    return
        "CREATE OR REPLACE FUNCTION chats_webhook_forget() RETURNS trigger\n"
        "LANGUAGE plpgsql AS $$\n"
        "BEGIN\n"
        "    DELETE FROM chats_webhook_outbox WHERE webhook_id = OLD.id;\n"
        "    RETURN NULL;\n"
        "END $$;\n"
        "CREATE OR REPLACE TRIGGER chats_webhook_forget\n"
        "    AFTER DELETE ON chats_webhook\n"
        "    FOR EACH ROW EXECUTE FUNCTION chats_webhook_forget();\n\n";
}

const char *chats_webhook_capture_ddl(apr_pool_t *p)
{
    return apr_pstrcat(p,
        "-- Webhooks: each change's events, captured in the statement that\n"
        "-- makes it, into chats_webhook_outbox (chats_webhook_sql.h).\n",
        session_trigger(p), message_trigger(p), forget_trigger(), NULL);
}

/* Bit k of webhook_changes for column (its field's rank among the
 * reported ones), or -1 when Changes never names it. */
static int change_bit(const char *column)
{
    int i, k = 0, n = chats_schema_nslots(&chats_session_def);

    for (i = 0; i < n; i++) {
        const chats_field_t *f = chats_schema_slot(&chats_session_def, i);

        if (!reported(f)) {
            continue;
        }
        if (!strcmp(f->column, column)) {
            return k;
        }
        k++;
    }
    return -1;
}

/* Does the planner's statement capture a write of these columns to def?
 * Only a session's, and only while each field Changes may name has a bit
 * of the int8 (past 62 of them, the triggers capture instead). */
static int statement_captures(const chats_entity_def_t *def, int n,
                              const char *const *columns)
{
    int i;

    if (def != &chats_session_def) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (change_bit(columns[i]) > 62) {
            return 0;
        }
    }
    return 1;
}

const char *chats_webhook_capture_set(apr_pool_t *p,
                                      const chats_entity_def_t *def, int n,
                                      const char *const *columns,
                                      const char *const *values)
{
    chats_strbuf_t b;
    int i, bit;

    if (!statement_captures(def, n, columns)) {
        return "";
    }
    chats_strbuf_init(&b, p, 256);
    for (i = 0; i < n; i++) {
        if ((bit = change_bit(columns[i])) < 0) {
            continue;
        }
        chats_strbuf_puts(&b, b.len ? " | " : "");
        chats_strbuf_puts(&b, apr_psprintf(p, "CASE WHEN cs.%s IS DISTINCT"
                                           " FROM %s THEN %" APR_INT64_T_FMT
                                           " ELSE 0 END", columns[i],
                                           values[i],
                                           (apr_int64_t)1 << bit));
    }
    return apr_pstrcat(p, ", " CHATS_COL_WEBHOOK_VERSION " = cs."
                       CHATS_COL_VERSION " + 1, " CHATS_COL_WEBHOOK_CHANGES
                       " = (", b.len ? b.buf : "0", ")::int8", NULL);
}

const char *chats_webhook_capture_returning(const chats_entity_def_t *def,
                                            int n, const char *const *columns)
{
    /* once per written row, not per webhook: every row of one event
     * carries one EventId, with no subquery to set up in the plan */
    return statement_captures(def, n, columns)
           ? ", gen_random_uuid() AS " CHATS_WEBHOOK_EVENT_ID : "";
}

const char *chats_webhook_capture_cte(apr_pool_t *p,
                                      const chats_entity_def_t *def,
                                      int created, int n,
                                      const char *const *columns)
{
    chats_strbuf_t b;
    int i, bit;

    if (!statement_captures(def, n, columns)) {
        return "";
    }
    chats_strbuf_init(&b, p, 256);
    for (i = 0; !created && i < n; i++) {
        if ((bit = change_bit(columns[i])) < 0) {
            continue;
        }
        chats_strbuf_puts(&b, apr_psprintf(p, "%sCASE WHEN w."
                                           CHATS_COL_WEBHOOK_CHANGES " & %"
                                           APR_INT64_T_FMT " <> 0 THEN '%s'"
                                           " END", b.len ? ", " : "",
                                           (apr_int64_t)1 << bit,
                                           change_name(p, columns[i])));
    }
    return apr_pstrcat(p, ", " CHATS_WEBHOOK_CTE " AS (", outbox_insert(
        p, created ? "'" CHATS_WEBHOOK_EV_CREATED "'"
                   : "'" CHATS_WEBHOOK_EV_CHANGED "'",
        apr_pstrcat(p, "w.", def->key_column, NULL),
        created || !b.len ? "'[]'::jsonb"
                          : apr_pstrcat(p, "to_jsonb(array_remove(ARRAY[",
                                        b.buf, "]::text[], NULL))", NULL),
        field_values(p, "w", NULL), "w." CHATS_COL_UPDATED_BY,
        STATEMENT_FROM),
        created ? "" : " AND w." CHATS_COL_WEBHOOK_CHANGES " <> 0", ")",
        NULL);
}
