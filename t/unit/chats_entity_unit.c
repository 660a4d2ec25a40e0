/* Unit tests of the per-entity engine (issue 19): a second def,
 * ChatTopic's (chats_topic_def), through what ChatSession's goes through
 * -- the SQL builder's row layout and statements, the planner's writes,
 * checks and rights rule, the template, $select, the view with its
 * FieldProperties, and XML typing -- without PostgreSQL. Prints TAP. */
#include <stdlib.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "chats_entity.h"
#include "chats_entity_xml.h"
#include "chats_json.h"
#include "chats_plan.h"
#include "chats_render.h"
#include "chats_routes.h"
#include "tap.h"

static chats_doc_t *json(tap_t *t, const char *s)
{
    chats_doc_t *d = NULL;

    if (chats_json_parse(&d, s, strlen(s), NULL, t->p) != NULL) {
        printf("# bad JSON in the test: %s\n", s);
        exit(2);
    }
    return d;
}

static const chats_check_t *check(const chats_plan_t *pl, int i)
{
    return i < pl->checks->nelts
        ? &APR_ARRAY_IDX(pl->checks, i, chats_check_t) : NULL;
}

static int has(const char *s, const char *part)
{
    return s && strstr(s, part) != NULL;
}

static const char *param(const chats_plan_t *pl, int n)
{
    return APR_ARRAY_IDX(pl->params, n - 1, chats_param_t).value;
}

/* A session plan of a JSON Patch (id 844), finished. */
static chats_plan_t *patch(tap_t *t, const char *ops,
                           const chats_caller_t *caller)
{
    chats_plan_in_t in;
    chats_plan_t *pl;
    apr_array_header_t *a;

    memset(&in, 0, sizeof(in));
    in.entity = &chats_session_def;
    in.kind = CHATS_PLAN_UPDATE;
    in.id = 844;
    in.caller = caller;
    pl = chats_plan_make(t->p, &in);
    if (chats_patch_read(&a, json(t, ops), CHATS_PATCH_CASEI
                         | CHATS_PATCH_SLASH_OPT, t->p) != NULL) {
        printf("# bad patch in the test: %s\n", ops);
        exit(2);
    }
    chats_plan_ops(pl, a, 0);
    chats_plan_finish(pl);
    return pl;
}

/* A plan of kind over chats_topic_def, topic 7. */
static chats_plan_t *topic_plan(tap_t *t, chats_plan_kind_e kind,
                                const chats_caller_t *caller,
                                const chats_precond_t *pc)
{
    chats_plan_in_t in;

    memset(&in, 0, sizeof(in));
    in.entity = &chats_topic_def;
    in.kind = kind;
    in.id = 7;
    in.caller = caller;
    in.precond = pc;
    return chats_plan_make(t->p, &in);
}

static chats_plan_t *topic_patch(tap_t *t, const char *ops,
                                 const chats_caller_t *caller)
{
    chats_plan_t *pl = topic_plan(t, CHATS_PLAN_UPDATE, caller, NULL);
    apr_array_header_t *a;

    if (chats_patch_read(&a, json(t, ops), CHATS_PATCH_CASEI
                         | CHATS_PATCH_SLASH_OPT, t->p) != NULL) {
        printf("# bad patch in the test: %s\n", ops);
        exit(2);
    }
    chats_plan_ops(pl, a, 0);
    chats_plan_finish(pl);
    return pl;
}

static void test_topic_sql(tap_t *t)
{
    const chats_entity_sql_t *ts = chats_entity_sql_build(t->p,
                                                          &chats_topic_def);

    is_str(t, ts->get[CHATS_READ_UTC].name, "chats_topic_get",
           "topic: its statements are named after its def");
    ok(t, has(ts->get[CHATS_READ_UTC].sql, " FROM chat_topic cs WHERE "
              "cs.id = $1::int4")
       && has(ts->get[CHATS_READ_ZONED].sql, "cs.id = $2::int4"),
       "... GET reads chat_topic by its key");
    ok(t, has(ts->list[0], "cs.id AS " CHATS_SQL_ROW)
       && has(ts->list[0], "cs.widget_rating_text")
       && has(ts->list[0], "cs.version")
       && !has(ts->list[0], "customer_alias"),
       "... its row layout is its own fields, then the validators");
    ok(t, ts->ncols[0] == chats_schema_nslots(&chats_topic_def) - 3 + 2,
       "... a column per field (a group's: per member) and two "
       "validators");
    ok(t, chats_sql_entity(chats_sql_build(t->p), &chats_topic_def)
          != NULL
       && chats_sql_entity(chats_sql_build(t->p), &chats_session_def)
          != NULL,
       "the module's statements have both entities'");
}

static void test_topic_patch(tap_t *t)
{
    const chats_entity_sql_t *ts = chats_entity_sql_build(t->p,
                                                          &chats_topic_def);
    chats_plan_t *pl;
    const char *w;

    pl = topic_patch(t, "[{\"op\":\"test\",\"path\":\"/WidgetRatingText\","
                     "\"value\":\"Rate us\"},{\"op\":\"replace\",\"path\":"
                     "\"/name\",\"value\":\"Sales\"},{\"op\":\"replace\","
                     "\"path\":\"/Language\",\"value\":{\"Id\":3}},"
                     "{\"op\":\"remove\",\"path\":\"/BotEnabled\"}]", NULL);
    w = chats_plan_write_sql(pl, ts);
    ok(t, pl->failed < 0 && chats_plan_nset(pl) == 3,
       "topic PATCH: three columns written");
    ok(t, has(w, "UPDATE chat_topic cs SET name = $")
       && has(w, "language_id = $") && has(w, "bot_enabled = $")
       && has(w, "version = cs.version + 1"),
       "... one UPDATE of chat_topic, the version moves");
    ok(t, has(w, "WHERE cs.id = $1::int4 AND")
       && has(w, "cs.widget_rating_text IS NOT DISTINCT FROM"),
       "... the test is a predicate on the topic's row");
    is_str(t, param(pl, 1), "7", "... $1 is the topic's id");
    ok(t, has(chats_plan_diag_sql(pl, ts, 0), " FROM chat_topic cs WHERE "
              "cs.id = $1::int4"), "... its diagnosis reads chat_topic");

    pl = topic_patch(t, "[{\"op\":\"replace\",\"path\":\"/CustomerName\","
                     "\"value\":\"x\"}]", NULL);
    ok(t, pl->failed == 0 && check(pl, 0)->err->code == CHATS_E_INVALID
       && !strcmp(check(pl, 0)->err->field, "CustomerName"),
       "a session's field is unknown to a topic");
    pl = patch(t, "[{\"op\":\"replace\",\"path\":\"/OpeningHoursEnabled\","
               "\"value\":true}]", NULL);
    ok(t, pl->failed == 0 && check(pl, 0)->err->code == CHATS_E_INVALID,
       "... and a topic's to a session");
    pl = topic_patch(t, "[{\"op\":\"replace\",\"path\":\"/ChatTopicId\","
                     "\"value\":8}]", NULL);
    ok(t, pl->failed == 0 && check(pl, 0)->err->code == CHATS_E_READONLY,
       "the topic's key is read-only");
}

static void test_topic_kinds(tap_t *t)
{
    const chats_entity_sql_t *ts = chats_entity_sql_build(t->p,
                                                          &chats_topic_def);
    chats_precond_t pc;
    chats_plan_t *pl;
    chats_err_t *e;
    const char *w;

    pl = topic_plan(t, CHATS_PLAN_INSERT, NULL, NULL);
    e = chats_plan_entity(pl, json(t, "{\"Name\":\"Support\","
                                      "\"TableRight\":null}"));
    w = chats_plan_write_sql(pl, ts);
    ok(t, !e && has(w, "INSERT INTO chat_topic (") && has(w, "name")
       && has(w, "RETURNING *") && !has(w, "INTO chat_session"),
       "topic POST: one INSERT into chat_topic");
    pl = topic_plan(t, CHATS_PLAN_INSERT, NULL, NULL);
    e = chats_plan_entity(pl, json(t, "[]"));
    ok(t, e && has(e->message, "ChatTopicEntity object"),
       "... a body that is no object names ChatTopicEntity");

    pl = topic_plan(t, CHATS_PLAN_DELETE, NULL, NULL);
    is_str(t, chats_plan_write_sql(pl, ts),
           "DELETE FROM chat_topic cs WHERE cs.id = $1::int4 AND (SELECT "
           "count(*) FROM chat_session s WHERE s.topic_id = cs.id) = 0 "
           "RETURNING cs.id",
           "topic DELETE: chat_topic by its key, refused while it has "
           "sessions (409, CHATS_E_IN_USE naming Sessions)");

    chats_precond_read(&pc, "\"3\"", NULL, NULL, t->p);
    pl = topic_plan(t, CHATS_PLAN_UPDATE, NULL, &pc);
    ok(t, check(pl, 0) && check(pl, 0)->err->code == CHATS_E_STALE
       && has(check(pl, 0)->err->message, "the chat topic has changed"),
       "If-Match on a topic: its own 412");
}

static void test_topic_rights(tap_t *t)
{
    chats_caller_t c;
    chats_plan_t *pl;

    memset(&c, 0, sizeof(c));
    c.level = CHATS_RIGHT_UPDATE_OWN;
    c.associate_id = 5;
    c.nreadonly = 1;
    c.readonly[0] = 6;         /* the session's CustomerName, not a topic's */
    pl = topic_patch(t, "[{\"op\":\"replace\",\"path\":\"/Description\","
                     "\"value\":\"d\"}]", &c);
    ok(t, pl->failed < 0 && pl->checks->nelts == 1
       && check(pl, 0)->err->code == CHATS_E_FORBIDDEN
       && has(check(pl, 0)->sql, "m.topic_id = cs.id AND m.associate_id = "
              "$2::int4 AND m.manager"),
       "below admin: a topic's guard is its managers (the rule's)");
    ok(t, has(check(pl, 0)->err->message, "chat topics you manage"),
       "... and a denial says so");
    pl = topic_plan(t, CHATS_PLAN_DELETE, &c, NULL);
    ok(t, check(pl, 0) && check(pl, 0)->err->code == CHATS_E_FORBIDDEN
       && has(check(pl, 0)->sql, "AND m.manager")
       && has(chats_plan_write_sql(pl, chats_entity_sql_build(
                  t->p, &chats_topic_def)), "AND m.manager"),
       "... deleting a topic too: in the DELETE's WHERE");
    c.level = CHATS_RIGHT_UPDATE_OWN;
    {
        chats_plan_in_t in;

        memset(&in, 0, sizeof(in));
        in.entity = &chats_session_def;
        in.kind = CHATS_PLAN_DELETE;
        in.id = 844;
        in.caller = &c;
        pl = chats_plan_make(t->p, &in);
        ok(t, pl->checks->nelts == 0,
           "a session's DELETE has no guard (admin or nothing, as before)");
    }
    c.level = CHATS_RIGHT_ADMIN;
    pl = topic_patch(t, "[{\"op\":\"replace\",\"path\":\"/Description\","
                     "\"value\":\"d\"}]", &c);
    ok(t, pl->failed < 0 && pl->checks->nelts == 0,
       "admin: no guard, and the session's read-only fields do not apply");
}

static void test_topic_render(tap_t *t)
{
    chats_doc_t *tpl = chats_entity_template(t->p, &chats_topic_def);
    const chats_fp_json_t *fj = chats_fp_json_build(t->p, &chats_topic_def);
    apr_array_header_t *sel = NULL;
    chats_view_opts_t o;
    chats_err_t *e;
    const char *js, *js2;

    ok(t, chats_doc_object_len(tpl) == chats_topic_def.nfields
       && chats_doc_object_at(tpl, 0)->value->type == CHATS_J_NUMBER
       && !strcmp(chats_doc_object_at(tpl, 0)->value->s, "0")
       && chats_doc_object_get(tpl, "Language", 8, 0)->type == CHATS_J_NULL,
       "topic template: every field, ChatTopicId 0, lookups null");
    e = chats_select_parse(&sel, &chats_topic_def, "name,Language/Value",
                           t->p);
    ok(t, !e && sel && sel->nelts == 2, "$select over the topic's fields");
    e = chats_select_parse(&sel, &chats_topic_def, "CustomerName", t->p);
    ok(t, e && e->code == CHATS_E_INVALID
       && !strcmp(e->field, "CustomerName"),
       "... a session's field is unknown there");

    memset(&o, 0, sizeof(o));
    o.table_mask = 1;
    js = chats_doc_to_json(t->p, chats_view_build(t->p, &chats_topic_def,
                                                  tpl, &o), 0);
    ok(t, has(js, "\"WidgetRatingText\":\"\",\"TableRight\":")
       && has(js, "\"FieldProperties\":{\"ChatTopicId\":")
       && has(js, "\"Language\":{\"FieldRight\":")
       && has(js, "SuperOffice.CRM.CustomerLanguage")
       && !has(js, "CustomerName"),
       "the topic's view: its fields, then FieldProperties of its fields");
    o.fp_json = fj;
    js2 = chats_doc_to_json(t->p, chats_view_build(t->p, &chats_topic_def,
                                                   tpl, &o), 0);
    is_str(t, js2, js, "... pre-rendered FieldProperties: the same bytes");
    o.fp_json = chats_fp_json_build(t->p, &chats_session_def);
    js2 = chats_doc_to_json(t->p, chats_view_build(t->p, &chats_topic_def,
                                                   tpl, &o), 0);
    is_str(t, js2, js, "... the session's pre-rendered ones are not used");
}

static void test_topic_xml(tap_t *t)
{
    chats_doc_t *in = json(t, "{\"WarnNewChatMinutes\":\" 15\","
                              "\"BotEnabled\":\"true\",\"Rank\":\"3\"}");
    chats_doc_t *out = NULL;
    const char *js;

    chats_xml_typed_entity(&chats_topic_def, in, &out, t->p);
    js = chats_doc_to_json(t->p, out, 0);
    is_str(t, js, "{\"WarnNewChatMinutes\":15,\"BotEnabled\":true,"
                  "\"Rank\":\"3\"}",
           "XML text typed by the topic's table (a session's field left as "
           "text)");
}

static void test_route_entity(tap_t *t)
{
    const chats_route_def_t *rows;
    int i, n, all = 1;

    rows = chats_routes(&n);
    for (i = 0; i < n; i++) {
        int topic = (rows[i].family == CHATS_FAMILY_TOPIC
                     && !strstr(rows[i].pattern, "/Sessions"))
                    || strstr(rows[i].pattern, "ChatTopic")
                    || strstr(rows[i].pattern, "OpeningHours")
                    || strstr(rows[i].pattern, "UserAgent")
                    || strstr(rows[i].pattern, "ChatPresence");

        all = all && chats_route_entity(&rows[i])
                     == (rows[i].family == CHATS_FAMILY_WEBHOOK
                         || rows[i].family == CHATS_FAMILY_WEBHOOK_AGENT
                         ? &chats_webhook_def
                         : topic ? &chats_topic_def : &chats_session_def);
    }
    ok(t, n > 0 && all, "the ChatTopic family and the agent's topic methods "
       "serve ChatTopic's def, the Webhook family Webhook's, the rest "
       "ChatSession's, and a topic's sessions ChatSession's (the request's "
       "entity comes from its route)");
}

/* A plan of kind over chats_webhook_def, webhook 9: a JSON Patch (an
 * array), a merge patch (an object), or a whole entity (body, PUT). */
static chats_plan_t *hook_plan(tap_t *t, chats_plan_kind_e kind,
                               const char *body, int whole)
{
    chats_plan_in_t in;
    chats_plan_t *pl;
    apr_array_header_t *a;
    chats_doc_t *d = json(t, body);

    memset(&in, 0, sizeof(in));
    in.entity = &chats_webhook_def;
    in.kind = kind;
    in.id = 9;
    pl = chats_plan_make(t->p, &in);
    if (whole) {
        chats_plan_entity(pl, d);
    }
    else if (d->type == CHATS_J_OBJECT) {
        chats_plan_merge(pl, d);
    }
    else if (chats_patch_read(&a, d, CHATS_PATCH_CASEI
                              | CHATS_PATCH_SLASH_OPT, t->p) == NULL) {
        chats_plan_ops(pl, a, 0);
    }
    chats_plan_finish(pl);
    return pl;
}

static int sets_secret(const chats_plan_t *pl)
{
    const chats_field_t *f = chats_schema_find(&chats_webhook_def, "Secret",
                                               6);

    return pl->set[chats_schema_index(&chats_webhook_def, f)].sql != NULL;
}

/* Webhook (issue 20): Secret is write-only, JSON fields whole, the
 * server's fields kept, CHECK constraints named by their field. */
static void test_webhook(tap_t *t)
{
    const chats_entity_sql_t *es = chats_sql_entity(chats_sql_build(t->p),
                                                    &chats_webhook_def);
    const chats_entity_def_t *def = NULL;
    apr_array_header_t *sel;
    chats_plan_t *pl;
    chats_err_t *e;
    const char *w;

    ok(t, es && !has(es->get[0].sql, "secret")
       && has(es->get[0].sql, "cs.events"), "the secret is never selected");
    pl = hook_plan(t, CHATS_PLAN_UPDATE, "[{\"op\":\"test\",\"path\":"
                   "\"/secret\",\"value\":\"x\"}]", 0);
    ok(t, pl->failed >= 0 && check(pl, pl->failed)->err->code
       == CHATS_E_INVALID && !strcmp(check(pl, pl->failed)->err->field,
                                     "Secret"), "test /Secret: 400 Secret");
    pl = hook_plan(t, CHATS_PLAN_UPDATE, "{\"Secret\":\"s\"}", 0);
    w = chats_plan_write_sql(pl, es);
    ok(t, sets_secret(pl) && has(w, "(true)") && !has(w, "cs.secret IS "),
       "a write of the secret is always a change, never a comparison");
    pl = hook_plan(t, CHATS_PLAN_UPDATE, "{\"Name\":\"n\",\"TargetUrl\":"
                   "\"https://x\",\"TotalCalls\":7}", 1);
    ok(t, pl->failed < 0 && !sets_secret(pl) && chats_plan_nset(pl) > 5,
       "PUT without Secret keeps it; a server-kept field is ignored");
    pl = hook_plan(t, CHATS_PLAN_INSERT, "{\"Events\":[\"test\"]}", 1);
    w = chats_plan_write_sql(pl, es);
    ok(t, pl->failed < 0 && has(w, "registered_by") && has(w, "::jsonb"),
       "POST: registered_by stamped, a JSON field bound as jsonb");
    pl = hook_plan(t, CHATS_PLAN_UPDATE, "[{\"op\":\"add\",\"path\":"
                   "\"/Events/-\",\"value\":\"test\"}]", 0);
    ok(t, pl->failed >= 0 && has(check(pl, pl->failed)->err->message,
                                 "replace the whole field"),
       "a path below a JSON field: 400 (for now)");
    pl = hook_plan(t, CHATS_PLAN_UPDATE, "{\"Headers\":{\"a\":1}}", 0);
    ok(t, pl->failed >= 0 && !strcmp(check(pl, pl->failed)->err->field,
                                     "Headers/a"),
       "a header value that is no string: 400 Headers/a");
    e = chats_select_parse(&sel, &chats_webhook_def, "Name,secret", t->p);
    ok(t, e && !strcmp(e->field, "Secret"), "$select=Secret: 400");
    ok(t, chats_schema_check_field("chats_webhook_events_ck", &def)
       == chats_schema_find(&chats_webhook_def, "Events", 6)
       && def == &chats_webhook_def
       && !chats_schema_check_field("chats_webhook_nope_ck", NULL)
       && !chats_schema_check_field("chats_webhook_events", NULL),
       "a CHECK constraint <table>_<column>_ck names its field");
}

static const tap_test_fn tests[] = {
    test_topic_sql, test_topic_patch, test_topic_kinds, test_topic_rights,
    test_topic_render, test_topic_xml, test_route_entity, test_webhook, NULL
};

const tap_suite_t tap_suite = { NULL, tests, NULL };
