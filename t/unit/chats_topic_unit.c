/* Unit tests of the field kinds ChatTopicEntity needs (issue 19, design
 * §1 and §4.3): times of day (CHATS_F_DURATION), groups (CHATS_F_GROUP)
 * through the planner, the SQL builder, rendering, $select, XML typing
 * and OpenAPI, derived read-only fields, the pair checks, and the
 * widget's enums and flags -- with chats_topic_def, without PostgreSQL.
 * Prints TAP. */
#include <stdlib.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "chats_datetime.h"
#include "chats_entity.h"
#include "chats_entity_xml.h"
#include "chats_json.h"
#include "chats_openapi_private.h"
#include "chats_plan.h"
#include "chats_render.h"
#include "chats_topic_groups.h"
#include "tap.h"

#define TOPIC (&chats_topic_def)

static chats_doc_t *json(tap_t *t, const char *s)
{
    chats_doc_t *d = NULL;

    if (chats_json_parse(&d, s, strlen(s), NULL, t->p) != NULL) {
        printf("# bad JSON in the test: %s\n", s);
        exit(2);
    }
    return d;
}

static int has(const char *s, const char *part)
{
    return s && strstr(s, part) != NULL;
}

/* Member m of group g of the topic. */
static const chats_field_t *member(const char *g, const char *m)
{
    return chats_group_find(chats_schema_find(TOPIC, g, strlen(g)), m,
                            strlen(m));
}

/* What the plan writes into member g/m: its parameter text, "NULL" for
 * SQL NULL, or NULL when it does not write it. */
static const char *written(const chats_plan_t *pl, const char *g,
                           const char *m)
{
    const chats_pval_t *v = &pl->set[chats_schema_index(TOPIC,
                                                        member(g, m))];

    return !v->sql ? NULL : v->text ? v->text : "NULL";
}

static chats_plan_t *plan(tap_t *t, chats_plan_kind_e kind)
{
    chats_plan_in_t in;

    memset(&in, 0, sizeof(in));
    in.entity = TOPIC;
    in.kind = kind;
    in.id = 7;
    return chats_plan_make(t->p, &in);
}

/* A topic PATCH of JSON Patch ops (or, merge, of a merge patch). */
static chats_plan_t *patch_as(tap_t *t, const char *body, int merge)
{
    chats_plan_t *pl = plan(t, CHATS_PLAN_UPDATE);
    apr_array_header_t *a;

    if (merge) {
        chats_plan_merge(pl, json(t, body));
    }
    else if (chats_patch_read(&a, json(t, body), CHATS_PATCH_CASEI
                              | CHATS_PATCH_SLASH_OPT, t->p) == NULL) {
        chats_plan_ops(pl, a, 0);
    }
    else {
        printf("# bad patch in the test: %s\n", body);
        exit(2);
    }
    chats_plan_finish(pl);
    return pl;
}

#define PATCH(ops) patch_as(t, ops, 0)
#define MERGE(m) patch_as(t, m, 1)

/* The error a plan fails with here (decided without the row), or NULL. */
static const chats_err_t *failure(const chats_plan_t *pl)
{
    return pl->failed < 0 ? NULL
        : APR_ARRAY_IDX(pl->checks, pl->failed, chats_check_t).err;
}

static int fails(const chats_plan_t *pl, chats_ecode_t code,
                 const char *field)
{
    const chats_err_t *e = failure(pl);

    return e && e->code == code && e->field && !strcmp(e->field, field);
}

/* The SQL checks of a plan, joined. */
static const char *sql_checks(tap_t *t, const chats_plan_t *pl)
{
    const char *out = "";
    int i;

    for (i = 0; i < pl->checks->nelts; i++) {
        const chats_check_t *c = &APR_ARRAY_IDX(pl->checks, i, chats_check_t);

        out = apr_pstrcat(t->p, out, c->sql ? c->sql : "-", "\n", NULL);
    }
    return out;
}

/* ---- times of day ------------------------------------------------------ */

static void test_duration_parse(tap_t *t)
{
    static const struct { const char *in; int sec; } good[] = {
        { "08:00:00", 28800 }, { "08:00", 28800 }, { "8:05", 29100 },
        { "23:59:59", 86399 }, { "00:00:00", 0 }, { "PT8H", 28800 },
        { "P0D", 0 }, { "PT23H59M59S", 86399 }, { "PT17H30M", 63000 },
        { "PT0S", 0 }, { "P0DT8H", 28800 }, { "PT90M", 5400 },
    };
    static const char *const bad[] = {
        "PT24H", "1.08:00:00", "08:00:00.5", "25:00:00", "24:00:00",
        "-01:00:00", "PT-1H", "P1D", "PT", "P", "", "PT8.5H", "08:60",
        "08:00:60", "8", "080000", "PT1H1H", "PT1S1H", "P0DT", "T8H",
        "08:0", "08:00:0", " 08:00", "PT86400S", "PT99999999999H",
    };
    int i, sec, all = 1;

    for (i = 0; i < TAP_N(good); i++) {
        sec = -1;
        if (!chats_duration_parse(good[i].in, strlen(good[i].in), &sec)
            || sec != good[i].sec) {
            printf("# %s -> %d\n", good[i].in, sec);
            all = 0;
        }
    }
    ok(t, all, "durations: HH:MM:SS, HH:MM and the client's ISO 8601 "
       "(PT8H, P0D, PT23H59M59S)");
    for (all = 1, i = 0; i < TAP_N(bad); i++) {
        if (chats_duration_parse(bad[i], strlen(bad[i]), &sec)) {
            printf("# accepted %s\n", bad[i]);
            all = 0;
        }
    }
    ok(t, all, "... refused: PT24H, 1.08:00:00, 08:00:00.5, 25:00:00, "
       "fractions, days, negatives");
    is_str(t, chats_duration_format(t->p, 3723), "01:02:03",
           "... rendered HH:MM:SS, two digits each");
}

static void test_duration_coerce(tap_t *t)
{
    const chats_field_t *f = member("OpeningHours", "MonStart");
    static const char *const refused[] = {
        "28800", "-1", "8.5", "true", "\"25:00:00\"", "\"PT24H\"", "{}"
    };
    chats_doc_t *out = NULL;
    chats_err_t *e;
    int i, all = 1;

    e = chats_entity_coerce(f, json(t, "\"PT8H\""), &out, t->p);
    ok(t, !e && out && !strcmp(out->s, "08:00:00"),
       "a duration's canonical form: PT8H is 08:00:00");
    e = chats_entity_coerce(f, json(t, "null"), &out, t->p);
    ok(t, !e && !strcmp(out->s, "00:00:00"), "... null is 00:00:00");
    for (i = 0; i < TAP_N(refused); i++) {
        chats_plan_t *pl = PATCH(apr_psprintf(
            t->p, "[{\"op\":\"replace\",\"path\":\"/OpeningHours/MonStart\","
            "\"value\":%s}]", refused[i]));

        if (!fails(pl, CHATS_E_INVALID, "OpeningHours/MonStart")
            || !has(failure(pl)->message, "\"HH:MM:SS\" or an ISO 8601")) {
            printf("# %s\n", refused[i]);
            all = 0;
        }
    }
    ok(t, all, "... numbers, negatives, fractions, 25:00:00, PT24H: 400 "
       "naming OpeningHours/MonStart");
}

/* ---- groups through the planner --------------------------------------- */

static void test_group_replace(tap_t *t)
{
    int n = chats_topic_opening_hours.nmembers;
    chats_plan_t *pl;

    pl = PATCH("[{\"op\":\"replace\",\"path\":\"/OpeningHours\",\"value\":"
               "{\"monStart\":\"PT8H\",\"MonStop\":\"17:00\","
               "\"MonEnabled\":true}}]");
    ok(t, pl->failed < 0 && chats_plan_nset(pl) == n
       && !strcmp(written(pl, "OpeningHours", "MonStart"), "28800")
       && !strcmp(written(pl, "OpeningHours", "MonStop"), "61200")
       && !strcmp(written(pl, "OpeningHours", "MonEnabled"), "true")
       && !strcmp(written(pl, "OpeningHours", "TueStart"), "0")
       && !strcmp(written(pl, "OpeningHours", "TzLocation"), "NULL")
       && !strcmp(written(pl, "OpeningHours", "UseLunchHours"), "false"),
       "replace /OpeningHours: every member set, the unnamed ones empty");
    ok(t, has(chats_plan_write_sql(pl, chats_entity_sql_build(t->p, TOPIC)),
              "mon_start = $") && !has(sql_checks(t, pl), "coalesce"),
       "... one UPDATE of the members' columns; its pairs known here");
    pl = PATCH("[{\"op\":\"remove\",\"path\":\"/OpeningHours\"}]");
    ok(t, pl->failed < 0 && chats_plan_nset(pl) == n
       && !strcmp(written(pl, "OpeningHours", "MonStart"), "0")
       && !strcmp(written(pl, "OpeningHours", "SunEnabled"), "false"),
       "remove /OpeningHours: every member reset");
    pl = MERGE("{\"OpeningHours\":null}");
    ok(t, pl->failed < 0 && chats_plan_nset(pl) == n
       && !strcmp(written(pl, "OpeningHours", "LunchStop"), "0"),
       "merge null: every member reset");
    pl = PATCH("[{\"op\":\"replace\",\"path\":\"/OpeningHours\","
               "\"value\":{\"Bogus\":1}}]");
    ok(t, fails(pl, CHATS_E_INVALID, "OpeningHours/Bogus"),
       "... an unknown member: 400 naming it");
    pl = PATCH("[{\"op\":\"replace\",\"path\":\"/OpeningHours\","
               "\"value\":\"x\"}]");
    ok(t, fails(pl, CHATS_E_INVALID, "OpeningHours")
       && has(failure(pl)->message, "ChatOpeningHours object"),
       "... no object: 400 naming the group");
}

static void test_group_members(tap_t *t)
{
    chats_plan_t *pl;

    pl = MERGE("{\"OpeningHours\":{\"MonStart\":\"08:00\","
               "\"TzLocation\":{\"TZLocationID\":261}},"
               "\"Widget\":{\"Theme\":\"modern\",\"AutoFaqCategory\":null}}");
    ok(t, pl->failed < 0 && chats_plan_nset(pl) == 4
       && !strcmp(written(pl, "OpeningHours", "MonStart"), "28800")
       && !strcmp(written(pl, "OpeningHours", "TzLocation"), "261")
       && !strcmp(written(pl, "Widget", "Theme"), "1")
       && !strcmp(written(pl, "Widget", "AutoFaqCategory"), "NULL"),
       "merge into groups: only the named members change");
    pl = PATCH("[{\"op\":\"add\",\"path\":\"/openingHours/monStart\","
               "\"value\":\"PT8H\"}]");
    ok(t, pl->failed < 0 && chats_plan_nset(pl) == 1
       && !strcmp(written(pl, "OpeningHours", "MonStart"), "28800"),
       "add /OpeningHours/MonStart: a replace of the member");
    pl = PATCH("[{\"op\":\"remove\",\"path\":\"/Widget/Font\"}]");
    ok(t, pl->failed < 0 && !strcmp(written(pl, "Widget", "Font"), ""),
       "remove of a member: its empty value");
    pl = PATCH("[{\"op\":\"replace\",\"path\":\"/OpeningHours/TzLocation/"
               "TZLocationID\",\"value\":140}]");
    ok(t, pl->failed < 0
       && !strcmp(written(pl, "OpeningHours", "TzLocation"), "140"),
       "a group's carrier: its key by path, as a top-level carrier's");
    pl = PATCH("[{\"op\":\"test\",\"path\":\"/Widget/AutoFaqCategory/Name\","
               "\"value\":\"FAQ\"}]");
    ok(t, pl->failed < 0 && has(sql_checks(t, pl), "FROM kb_category m")
       && has(sql_checks(t, pl), "cs.kb_category_id"),
       "... a test of its member reads the carrier's row");
    pl = PATCH("[{\"op\":\"replace\",\"path\":\"/Widget/Font/Size\","
               "\"value\":1}]");
    ok(t, fails(pl, CHATS_E_INVALID, "Widget/Font"),
       "... a path below a plain member: 400");
    pl = MERGE("{\"Widget\":{\"Bogus\":1}}");
    ok(t, fails(pl, CHATS_E_INVALID, "Widget/Bogus"),
       "... an unknown member in a merge: 400 naming it");
}

static void test_group_test(tap_t *t)
{
    const char *whole = "{\"TzLocation\":null,\"MonEnabled\":true,"
        "\"MonStart\":\"PT8H\",\"MonStop\":\"17:00\",\"TueEnabled\":false,"
        "\"TueStart\":\"P0D\",\"TueStop\":\"00:00:00\",\"WedEnabled\":false,"
        "\"WedStart\":null,\"WedStop\":null,\"ThuEnabled\":false,"
        "\"ThuStart\":null,\"ThuStop\":null,\"FriEnabled\":false,"
        "\"FriStart\":null,\"FriStop\":null,\"SatEnabled\":false,"
        "\"SatStart\":null,\"SatStop\":null,\"SunEnabled\":false,"
        "\"SunStart\":null,\"SunStop\":null,\"UseLunchHours\":false,"
        "\"LunchStart\":null,\"LunchStop\":null}";
    chats_plan_t *pl;

    pl = PATCH(apr_pstrcat(t->p, "[{\"op\":\"replace\",\"path\":"
                           "\"/OpeningHours\",\"value\":{\"MonEnabled\":true,"
                           "\"MonStart\":\"08:00:00\",\"MonStop\":"
                           "\"PT17H\"}},{\"op\":\"test\",\"path\":"
                           "\"/OpeningHours\",\"value\":", whole, "}]",
                           NULL));
    ok(t, pl->failed < 0 && pl->checks->nelts > 0
       && !has(sql_checks(t, pl), "cs."),
       "test /OpeningHours: the canonical group (PT8H is 08:00:00), "
       "decided here");
    pl = PATCH("[{\"op\":\"test\",\"path\":\"/OpeningHours\",\"value\":"
               "{\"MonStart\":\"08:00:00\"}}]");
    ok(t, fails(pl, CHATS_E_TEST_FAILED, "OpeningHours")
       && failure(pl)->op_index == 0,
       "... a group lacking members is not the group: 409");
    pl = PATCH(apr_pstrcat(t->p, "[{\"op\":\"test\",\"path\":"
                           "\"/OpeningHours\",\"value\":", whole, "}]",
                           NULL));
    ok(t, pl->failed < 0 && has(sql_checks(t, pl), "cs.mon_start IS NOT "
                                "DISTINCT FROM $@0")
       && has(sql_checks(t, pl), "cs.tz_location_id IS NOT DISTINCT FROM"),
       "... against the row: a predicate per member");
    pl = PATCH("[{\"op\":\"test\",\"path\":\"/OpeningHours/MonStart\","
               "\"value\":\"PT8H\"}]");
    ok(t, pl->failed < 0 && pl->checks->nelts == 1
       && !strcmp(APR_ARRAY_IDX(pl->checks, 0, chats_check_t).slot[0],
                  "28800"),
       "test of a member: its column against its seconds");
    pl = PATCH("[{\"op\":\"replace\",\"path\":\"/OpeningHours/MonStart\","
               "\"value\":\"08:00:00\"},{\"op\":\"test\",\"path\":"
               "\"/OpeningHours/MonStart\",\"value\":\"PT9H\"}]");
    ok(t, fails(pl, CHATS_E_TEST_FAILED, "OpeningHours/MonStart")
       && failure(pl)->op_index == 1,
       "... another time: 409 naming the member, at its op");
}

static void test_derived(tap_t *t)
{
    chats_plan_t *pl;
    chats_err_t *e;

    pl = PATCH("[{\"op\":\"replace\",\"path\":\"/LastAccept\",\"value\":"
               "\"2024-01-01T00:00:00Z\"}]");
    ok(t, fails(pl, CHATS_E_READONLY, "LastAccept"),
       "replace of a derived field: 400 read-only");
    pl = PATCH("[{\"op\":\"remove\",\"path\":\"/SecondsPrAccept\"}]");
    ok(t, fails(pl, CHATS_E_READONLY, "SecondsPrAccept"),
       "... remove too");
    pl = PATCH("[{\"op\":\"test\",\"path\":\"/SecondsPrAccept\","
               "\"value\":42}]");
    ok(t, pl->failed < 0 && has(sql_checks(t, pl), "avg(EXTRACT(EPOCH")
       && has(sql_checks(t, pl), "s.topic_id = cs.id"),
       "... a test compares its expression over the topic's sessions");
    pl = MERGE("{\"LastAccept\":\"2024-01-01T00:00:00.123Z\","
               "\"SecondsPrAccept\":7,\"Name\":\"n\"}");
    ok(t, pl->failed < 0 && chats_plan_nset(pl) == 1 && !pl->checks->nelts,
       "merge: echoed derived fields are ignored");
    pl = plan(t, CHATS_PLAN_UPDATE);
    e = chats_plan_entity(pl, json(t, "{\"Name\":\"n\",\"LastAccept\":"
                                      "\"2024-01-01T00:00:00Z\","
                                      "\"SecondsPrAccept\":7}"));
    chats_plan_finish(pl);
    ok(t, !e && pl->failed < 0 && chats_plan_nset(pl)
       == chats_schema_nslots(TOPIC) - 3 - 1 - 2,
       "PUT: every stored field and member set, derived ones ignored");
}

static void test_pairs(tap_t *t)
{
    chats_plan_t *pl;
    chats_err_t *e;

    pl = PATCH("[{\"op\":\"replace\",\"path\":\"/OpeningHours/MonStart\","
               "\"value\":\"09:00\"},{\"op\":\"replace\",\"path\":"
               "\"/OpeningHours/MonStop\",\"value\":\"08:00\"}]");
    ok(t, fails(pl, CHATS_E_INVALID, "OpeningHours/MonStop")
       && !chats_plan_write_sql(pl, chats_entity_sql_build(t->p, TOPIC)),
       "stop before start: 400 naming OpeningHours/MonStop, no write");
    pl = PATCH("[{\"op\":\"replace\",\"path\":\"/OpeningHours\",\"value\":"
               "{\"SatStart\":\"10:00\",\"SatStop\":\"10:00\"}}]");
    ok(t, pl->failed < 0, "... stop == start is allowed (a closed day)");
    pl = PATCH("[{\"op\":\"replace\",\"path\":\"/OpeningHours/LunchStop\","
               "\"value\":\"11:00\"}]");
    ok(t, pl->failed < 0 && pl->checks->nelts == 1
       && has(sql_checks(t, pl), "coalesce(cs.lunch_start, 0) <= "
              "coalesce($@0, 0)")
       && !strcmp(APR_ARRAY_IDX(pl->checks, 0, chats_check_t).err->field,
                  "OpeningHours/LunchStop"),
       "... the row's other half unknown: a check in the statement, naming "
       "LunchStop");
    pl = MERGE("{\"OpeningHours\":{\"TueStart\":\"12:00\"}}");
    ok(t, pl->failed < 0 && has(sql_checks(t, pl), "coalesce($@0, 0) <= "
                                "coalesce(cs.tue_stop, 0)"),
       "... a merge's start against the row's stop, enabled or not");
    pl = plan(t, CHATS_PLAN_INSERT);
    e = chats_plan_entity(pl, json(t, "{\"OpeningHours\":{\"FriStart\":"
                                      "\"PT17H\",\"FriStop\":\"PT8H\"}}"));
    chats_plan_finish(pl);
    ok(t, !e && fails(pl, CHATS_E_INVALID, "OpeningHours/FriStop"),
       "... POST: decided on the body");
}

static void test_enums_flags(tap_t *t)
{
    chats_plan_t *pl;

    pl = PATCH("[{\"op\":\"replace\",\"path\":\"/Widget/RequiredFields\","
               "\"value\":3},{\"op\":\"test\",\"path\":\"/Widget/"
               "RequiredFields\",\"value\":\"Email, Name\"}]");
    ok(t, pl->failed < 0 && !strcmp(written(pl, "Widget", "RequiredFields"),
                                    "3"),
       "flags: a number, equal to its names");
    pl = PATCH("[{\"op\":\"replace\",\"path\":\"/Widget/OfflineFields\","
               "\"value\":\"email,PHONE\"}]");
    ok(t, pl->failed < 0 && !strcmp(written(pl, "Widget", "OfflineFields"),
                                    "9"),
       "... names in any case");
    pl = PATCH("[{\"op\":\"replace\",\"path\":\"/Widget/RequiredFields\","
               "\"value\":32}]");
    ok(t, fails(pl, CHATS_E_INVALID, "Widget/RequiredFields"),
       "... a bit out of range: 400 naming the member");
    pl = PATCH("[{\"op\":\"replace\",\"path\":\"/Widget/RequiredFields\","
               "\"value\":\"Email, Fax\"}]");
    ok(t, fails(pl, CHATS_E_INVALID, "Widget/RequiredFields"),
       "... an unknown name too");
    pl = PATCH("[{\"op\":\"replace\",\"path\":\"/Widget/Theme\","
               "\"value\":\"MODERN\"},{\"op\":\"replace\",\"path\":"
               "\"/Widget/Size\",\"value\":1}]");
    ok(t, pl->failed < 0 && !strcmp(written(pl, "Widget", "Theme"), "1")
       && !strcmp(written(pl, "Widget", "Size"), "1"),
       "enums: a name in any case, or the number");
    pl = PATCH("[{\"op\":\"replace\",\"path\":\"/Widget/Theme\","
               "\"value\":\"Fancy\"}]");
    ok(t, fails(pl, CHATS_E_INVALID, "Widget/Theme"),
       "... an unknown name: 400 naming the member");
}

/* ---- reading and rendering -------------------------------------------- */

/* A row of the topic in the UTC layout: NULL everywhere but where set. */
static const char **row(tap_t *t, const chats_entity_sql_t *es)
{
    const char **v = apr_pcalloc(t->p, es->ncols[0] * sizeof(*v));
    const chats_field_t *f;
    int i, col = 0;

    for (i = 0; i < TOPIC->nfields; i++) {
        f = &TOPIC->fields[i];
        col += f->group ? f->group->nmembers : 1;
        if (!strcmp(f->name, "SecondsPrAccept")) {
            v[col - 1] = "42";
        }
        if (!strcmp(f->name, "OpeningHours")) {
            v[col - f->group->nmembers + 2] = "28800";       /* MonStart */
        }
        if (!strcmp(f->name, "Widget")) {
            v[col - f->group->nmembers + 4] = "3";     /* RequiredFields */
            v[col - f->group->nmembers + 11] = "1";             /* Theme */
        }
    }
    return v;
}

static void test_read_render(tap_t *t)
{
    const chats_entity_sql_t *es = chats_entity_sql_build(t->p, TOPIC);
    chats_doc_t *doc = chats_entity_from_row(t->p, TOPIC, row(t, es),
                                             CHATS_READ_UTC, 0);
    const char *js = chats_doc_to_json(t->p, doc, 0);
    apr_array_header_t *sel = NULL;
    chats_view_opts_t o;
    chats_err_t *e;

    ok(t, has(es->list[0], "cs.mon_start,cs.mon_stop")
       && has(es->list[0], "chats_carrier_tz_location(cs.tz_location_id")
       && has(es->list[1], "(SELECT max(s.when_started) FROM chat_session s"
              " WHERE s.topic_id = cs.id) AT TIME ZONE $1"),
       "the row: the members' columns, the derived fields' expressions");
    ok(t, has(js, "\"LastAccept\":null,\"SecondsPrAccept\":42,")
       && has(js, "\"OpeningHours\":{\"TzLocation\":null,\"MonEnabled\":"
              "false,\"MonStart\":\"08:00:00\",\"MonStop\":\"00:00:00\"")
       && has(js, "\"RequiredFields\":\"Email, Name\"")
       && has(js, "\"Theme\":\"Modern\"") && has(js, "\"Size\":\"Normal\"")
       && has(js, "\"OfflineFields\":\"None\""),
       "... read: groups as objects, HH:MM:SS, enums and flags by name");
    e = chats_select_parse(&sel, TOPIC, "OpeningHours/MonStart,"
                           "Widget/AutoFaqCategory/Name", t->p);
    chats_doc_object_set(chats_doc_object_get(doc, "Widget", 6, 0),
                         "AutoFaqCategory", 15, json(t, "{\"KbCategoryId\":"
                                                     "3,\"Name\":\"FAQ\"}"),
                         0, t->p);
    memset(&o, 0, sizeof(o));
    o.select = sel;
    js = chats_doc_to_json(t->p, chats_view_build(t->p, TOPIC, doc, &o), 0);
    ok(t, !e && has(js, "\"Name\":null,")
       && has(js, "\"OpeningHours\":{\"TzLocation\":null,\"MonEnabled\":"
              "null,\"MonStart\":\"08:00:00\",\"MonStop\":null")
       && has(js, "\"AutoFaqCategory\":{\"KbCategoryId\":null,\"Name\":"
              "\"FAQ\"")
       && has(js, "\"Theme\":null") && has(js, "\"BotSettings\":null"),
       "$select of members: the others null, the group object kept");
    e = chats_select_parse(&sel, TOPIC, "OpeningHours/Bogus", t->p);
    ok(t, e && !strcmp(e->field, "OpeningHours/Bogus")
       && chats_select_parse(&sel, TOPIC, "OpeningHours/MonStart/x", t->p),
       "... an unknown member: 400 naming it");
    o.select = NULL;
    o.table_mask = CHATS_TR_FULL;
    js = chats_doc_to_json(t->p, chats_view_build(t->p, TOPIC, doc, &o), 0);
    ok(t, has(js, "\"OpeningHours\":{\"FieldRight\":{\"Mask\":\"Update\"")
       && has(js, "SuperOffice.CRM.ChatOpeningHours")
       && has(js, "\"LastAccept\":{\"FieldRight\":{\"Mask\":\"Read, "
              "Nullable, UIHintReadOnly\"")
       && !has(js, "\"MonStart\":{\"FieldRight\""),
       "FieldProperties: one entry per top-level field, derived read-only");
}

static void test_xml_openapi(tap_t *t)
{
    chats_doc_t *out = NULL;
    chats_og_t o;
    const unsigned char *buf;
    size_t len;
    const char *js;

    chats_xml_typed_entity(TOPIC, json(t, "{\"OpeningHours\":{\"MonEnabled\""
                                          ":\"true\",\"MonStart\":\"08:00\","
                                          "\"TzLocation\":{\"TZLocationID\":"
                                          "\" 140\"}},\"SecondsPrAccept\":"
                                          "\"5\"}"), &out, t->p);
    is_str(t, chats_doc_to_json(t->p, out, 0),
           "{\"OpeningHours\":{\"MonEnabled\":true,\"MonStart\":\"08:00\","
           "\"TzLocation\":{\"TZLocationID\":140}},\"SecondsPrAccept\":5}",
           "XML text typed by a group's members (a duration stays text)");
    memset(&o, 0, sizeof(o));
    o.p = t->p;
    o.g = yajl_gen_alloc(NULL);
    chats_og_open(&o);
    chats_openapi_entity_schemas(&o, TOPIC);
    chats_og_close(&o);
    yajl_gen_get_buf(o.g, &buf, &len);
    js = apr_pstrmemdup(t->p, (const char *)buf, len);
    yajl_gen_free(o.g);
    ok(t, o.st == yajl_gen_status_ok
       && has(js, "\"OpeningHours\":{\"oneOf\":[{\"$ref\":\"#/components/"
              "schemas/ChatOpeningHours\"}")
       && has(js, "\"ChatWidgetSettings\":{\"type\":\"object\"")
       && has(js, "\"TimeZoneData\":{\"type\":\"object\"")
       && has(js, "(OpeningHours/TzLocation)")
       && has(js, "\"LastAccept\":{\"type\":[\"string\",\"null\"],"
              "\"format\":\"date-time\",\"readOnly\":true"),
       "OpenAPI: groups as schemas of their own, their carriers, derived "
       "read-only");
}

static void test_schema_slots(tap_t *t)
{
    int i, n = chats_schema_nslots(TOPIC), all = 1;

    for (i = 0; i < n; i++) {
        all = all && chats_schema_index(TOPIC, chats_schema_slot(TOPIC, i))
                     == i;
    }
    ok(t, n == TOPIC->nfields + chats_topic_opening_hours.nmembers
               + chats_topic_widget.nmembers + chats_topic_bot.nmembers
       && all && !chats_schema_slot(TOPIC, n)
       && chats_schema_nslots(&chats_session_def)
          == chats_session_def.nfields,
       "slots: the fields, then each group's members; a session's are its "
       "fields");
    ok(t, chats_entity_field_by_column(TOPIC, "lunch_stop")
          == member("OpeningHours", "LunchStop")
       && !strcmp(chats_schema_path(t->p, TOPIC, member("Widget", "Font")),
                  "Widget/Font")
       && !chats_schema_find(TOPIC, "MonStart", 8),
       "... a member is found by its column and named by its path, never "
       "as a field");
}

static const tap_test_fn tests[] = {
    test_duration_parse, test_duration_coerce, test_group_replace,
    test_group_members, test_group_test, test_derived, test_pairs,
    test_enums_flags, test_read_render, test_xml_openapi, test_schema_slots,
    NULL
};

const tap_suite_t tap_suite = { NULL, tests, NULL };
