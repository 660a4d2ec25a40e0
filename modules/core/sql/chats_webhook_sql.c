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
 * columns of the session (a missing foreign key is 0). */
static const char *const field_value_columns[] = {
    "alert_level", "chatbot_isactive", "consented", "contact_id",
    "customer_alias", "customer_id", "project_id", "rating", "sale_id",
    "status", "ticket_id", "topic_id", "user_id",
};

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

static const char *session_column(const char *api_name)
{
    const chats_field_t *f = chats_schema_find(&chats_session_def, api_name,
                                               strlen(api_name));
    return f ? f->column : NULL;
}

/* jsonb_build_object(...) of FieldValues over the row R. */
static const char *field_values(apr_pool_t *p, const char *row)
{
    chats_strbuf_t b;
    apr_size_t i;

    chats_strbuf_init(&b, p, 512);
    chats_strbuf_puts(&b, "jsonb_build_object(");
    for (i = 0; i < sizeof(field_value_columns) / sizeof(*field_value_columns);
         i++) {
        const char *c = field_value_columns[i];
        int fk = strlen(c) > 3 && !strcmp(c + strlen(c) - 3, "_id");

        chats_strbuf_puts(&b, apr_psprintf(p, "%s'%s', %s%s.%s%s",
                                           i ? ", " : "", camel(p, c, 1),
                                           fk ? "coalesce(" : "", row, c,
                                           fk ? ", 0)" : ""));
    }
    chats_strbuf_puts(&b, ")");
    return b.buf;
}

/* ARRAY[CASE WHEN NEW.c IS DISTINCT FROM OLD.c THEN 'chatSession.c'
 * END, ...]: one element per stored field, in field-table order. */
static const char *changes(apr_pool_t *p)
{
    chats_strbuf_t b;
    int i, n = chats_schema_nslots(&chats_session_def), first = 1;

    chats_strbuf_init(&b, p, 2048);
    chats_strbuf_puts(&b, "ARRAY[");
    for (i = 0; i < n; i++) {
        const chats_field_t *f = chats_schema_slot(&chats_session_def, i);

        if (!f->column || (f->flags & (CHATS_FF_KEY | CHATS_FF_DERIVED))) {
            continue;
        }
        chats_strbuf_puts(&b, apr_psprintf(p,
            "%s\n            CASE WHEN NEW.%s IS DISTINCT FROM OLD.%s"
            " THEN 'chatSession.%s' END", first ? "" : ",", f->column,
            f->column, camel(p, so_column(f->column), 0)));
        first = 0;
    }
    chats_strbuf_puts(&b, "]::text[]");
    return b.buf;
}

/* The INSERT of one event's rows: every Active webhook subscribed. */
static const char *outbox_insert(apr_pool_t *p, const char *event,
                                 const char *key, const char *chg,
                                 const char *fv, const char *actor)
{
    return apr_pstrcat(p,
        "    INSERT INTO chats_webhook_outbox (id, webhook_id, event_id,"
        " event,\n"
        "                                      entity, primary_key, changes,"
        " field_values, actor)\n"
        "    SELECT nextval('chats_webhook_outbox_id_seq'), h.id, e.u, ",
        event, ", '" CHATS_WEBHOOK_ENTITY "',\n           ", key, ", ", chg,
        ", ", fv, ", coalesce(", actor, ", 0)\n"
        "      FROM (SELECT gen_random_uuid() AS u) e, chats_webhook h\n"
        "     WHERE h.state = 1 AND h.events ? ", event, ";\n", NULL);
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
        outbox_insert(p, "ev", "NEW.id", "ch", field_values(p, "NEW"),
                      "NEW." CHATS_COL_UPDATED_BY),
        "    RETURN NULL;\n"
        "END $$;\n"
        "CREATE OR REPLACE TRIGGER chats_webhook_session\n"
        "    AFTER INSERT OR UPDATE ON chat_session\n"
        "    FOR EACH ROW EXECUTE FUNCTION chats_webhook_session();\n\n",
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
        outbox_insert(p, "'" CHATS_WEBHOOK_EV_MESSAGE "'",
                      apr_pstrcat(p, "NEW.", sid, NULL),
                      "'" MESSAGE_CHANGES "'",
                      apr_pstrcat(p, field_values(p, "s"),
                                  "\n           || jsonb_build_object("
                                  "'MessageId', NEW.", mid, ")", NULL),
                      "s." CHATS_COL_UPDATED_BY),
        "    RETURN NULL;\n"
        "END $$;\n"
        "CREATE OR REPLACE TRIGGER chats_webhook_message\n"
        "    AFTER INSERT ON chat_message\n"
        "    FOR EACH ROW EXECUTE FUNCTION chats_webhook_message();\n\n",
        NULL);
}

const char *chats_webhook_capture_ddl(apr_pool_t *p)
{
    return apr_pstrcat(p,
        "-- Webhooks: each change's events, captured in the statement that\n"
        "-- makes it, into chats_webhook_outbox (chats_webhook_sql.h).\n",
        session_trigger(p), message_trigger(p), NULL);
}
