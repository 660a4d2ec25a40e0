/* Unit tests of the write planner (core/chats_plan*.c), without
 * PostgreSQL: every op kind, ops acting on earlier ops, the order of the
 * checks, merge and entity conversion, the statements' shape and the
 * reading of a diagnosis. Prints TAP. */
#include <stdlib.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "chats_json.h"
#include "chats_plan.h"
#include "chats_strbuf.h"
#include "tap.h"

/* Ops in the hostile patches (issue 17): as many as a 1 MB body holds. */
#ifndef HOSTILE_N
#define HOSTILE_N 25000
#endif

static const chats_entity_sql_t *sql;

static chats_doc_t *json(tap_t *t, const char *s)
{
    chats_doc_t *d = NULL;

    if (chats_json_parse(&d, s, strlen(s), NULL, t->p) != NULL) {
        printf("# bad JSON in the test: %s\n", s);
        exit(2);
    }
    return d;
}

static chats_plan_t *plan(tap_t *t, chats_plan_kind_e kind,
                          const chats_caller_t *caller,
                          const chats_precond_t *pc, const char *zone)
{
    chats_plan_in_t in;

    memset(&in, 0, sizeof(in));
    in.entity = &chats_session_def;
    in.kind = kind;
    in.id = 844;
    in.zone = zone;
    in.caller = caller;
    in.precond = pc;
    return chats_plan_make(t->p, &in);
}

/* An update plan of a JSON Patch, finished. */
static chats_plan_t *patch(tap_t *t, const char *ops,
                           const chats_caller_t *caller)
{
    chats_plan_t *pl = plan(t, CHATS_PLAN_UPDATE, caller, NULL, NULL);
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

static void test_sets(tap_t *t)
{
    chats_plan_t *pl = patch(t, "[{\"op\":\"replace\",\"path\":\"/customername\","
                             "\"value\":\"Kari\"},{\"op\":\"remove\","
                             "\"path\":\"Rating\"}]", NULL);
    const char *w = chats_plan_write_sql(pl, sql);

    ok(t, pl->failed < 0 && pl->checks->nelts == 0,
       "replace and remove: no check");
    ok(t, chats_plan_nset(pl) == 2, "two columns written");
    ok(t, has(w, "UPDATE chat_session cs SET name = $2::text")
       && has(w, "rating = $3::int4"), "SET list in field order");
    is_str(t, param(pl, 1), "844", "$1 is the id");
    is_str(t, param(pl, 2), "Kari", "the value is a parameter");
    is_str(t, param(pl, 3), "0", "remove resets to the empty value");
    ok(t, has(w, "cs.name IS DISTINCT FROM $2::text OR cs.rating IS "
              "DISTINCT FROM $3::int4"),
       "a write that changes nothing matches no row");
    ok(t, has(w, "version = cs.version + 1") && has(w, "RETURNING cs.*"),
       "the version moves, the row comes back");
}

static void test_tests(tap_t *t)
{
    chats_plan_t *pl;

    pl = patch(t, "[{\"op\":\"test\",\"path\":\"/Rating\",\"value\":4},"
               "{\"op\":\"replace\",\"path\":\"/Rating\",\"value\":5}]", NULL);
    ok(t, check(pl, 0) && has(check(pl, 0)->sql,
                              "cs.rating IS NOT DISTINCT FROM $"),
       "test on an unset field: a predicate on the row");
    ok(t, check(pl, 0)->err->code == CHATS_E_TEST_FAILED
       && check(pl, 0)->err->op_index == 0, "... a 409 at op 0");
    ok(t, has(chats_plan_write_sql(pl, sql), "AND cs.rating IS NOT DISTINCT"),
       "... in the UPDATE's WHERE");

    pl = patch(t, "[{\"op\":\"replace\",\"path\":\"/Rating\",\"value\":5},"
               "{\"op\":\"test\",\"path\":\"/Rating\",\"value\":5}]", NULL);
    ok(t, pl->failed < 0 && check(pl, 0) && !check(pl, 0)->sql
       && check(pl, 0)->pass, "test after replace: decided here, passes");

    pl = patch(t, "[{\"op\":\"replace\",\"path\":\"/Status\",\"value\":"
               "\"Closed\"},{\"op\":\"test\",\"path\":\"/status\",\"value\":9},"
               "{\"op\":\"replace\",\"path\":\"/Rating\",\"value\":1}]", NULL);
    ok(t, pl->failed < 0, "test of an enum by number after set by name");

    pl = patch(t, "[{\"op\":\"replace\",\"path\":\"/Rating\",\"value\":5},"
               "{\"op\":\"test\",\"path\":\"/Rating\",\"value\":6},"
               "{\"op\":\"replace\",\"path\":\"/Rank\",\"value\":1}]", NULL);
    ok(t, pl->failed == 0 && check(pl, 0)->err->op_index == 1,
       "a failing test after replace: decided here, at op 1");
    ok(t, chats_plan_write_sql(pl, sql) == NULL,
       "... no write: the diagnosis answers");
    ok(t, pl->set[22].sql == NULL, "... compiling stopped at the failure");
}

static void test_readonly(tap_t *t)
{
    chats_plan_t *pl;

    pl = patch(t, "[{\"op\":\"replace\",\"path\":\"/ChatSessionId\","
               "\"value\":844}]", NULL);
    ok(t, pl->failed < 0 && check(pl, 0)->pass && !check(pl, 0)->sql,
       "the key echoed with the URL's id: accepted here");
    ok(t, chats_plan_write_sql(pl, sql) == NULL, "... and nothing to write");
    pl = patch(t, "[{\"op\":\"replace\",\"path\":\"/ChatSessionId\","
               "\"value\":845}]", NULL);
    ok(t, pl->failed == 0 && check(pl, 0)->err->code == CHATS_E_READONLY,
       "the key with another value: 400 read-only");
    pl = patch(t, "[{\"op\":\"replace\",\"path\":\"/Nope\",\"value\":1}]",
               NULL);
    is_str(t, pl->failed == 0 ? check(pl, 0)->err->field : NULL, "Nope",
           "unknown field named");
    pl = patch(t, "[{\"op\":\"replace\",\"path\":\"/Rating\",\"value\":\"x\"}]",
               NULL);
    ok(t, pl->failed == 0 && check(pl, 0)->err->code == CHATS_E_INVALID,
       "a bad value: 400, decided here");
    pl = patch(t, "[{\"op\":\"replace\",\"path\":\"/TableRight\",\"value\":1}]",
               NULL);
    ok(t, pl->failed < 0 && pl->checks->nelts == 0
       && !chats_plan_nset(pl), "response-only members are ignored");
}

static void test_carriers(tap_t *t)
{
    chats_plan_t *pl;
    const char *c;

    pl = patch(t, "[{\"op\":\"replace\",\"path\":\"/User/Name\",\"value\":"
               "\"mallory\"}]", NULL);
    c = check(pl, 0) ? check(pl, 0)->sql : NULL;
    ok(t, has(c, "cs.user_id IS NOT NULL AND") && has(c, "FROM associate m"),
       "a derived member's echo: compared with the row's, carrier required");
    ok(t, check(pl, 0)->err->code == CHATS_E_READONLY, "... 400 read-only");
    is_str(t, check(pl, 0)->err->field, "User/Name", "... naming User/Name");

    pl = patch(t, "[{\"op\":\"replace\",\"path\":\"/User/AssociateId\","
               "\"value\":5},{\"op\":\"replace\",\"path\":\"/User/Name\","
               "\"value\":\"x\"}]", NULL);
    ok(t, pl->checks->nelts == 0 && pl->set[2].sql,
       "re-pointed by its key; the new row's members are not checked");
    pl = patch(t, "[{\"op\":\"replace\",\"path\":\"/User\",\"value\":"
               "{\"AssociateId\":7,\"Name\":\"whoever\"}},"
               "{\"op\":\"test\",\"path\":\"/User/Name\",\"value\":\"Kari\"}]",
               NULL);
    ok(t, check(pl, 0) && has(check(pl, 0)->sql, "m.associate_id = $@0")
       && check(pl, 0)->nslots == 2 && !strcmp(check(pl, 0)->slot[0], "7"),
       "a test of a member after re-pointing reads the new row");
    pl = patch(t, "[{\"op\":\"remove\",\"path\":\"/Person/Firstname\"}]",
               NULL);
    is_str(t, check(pl, 0) ? check(pl, 0)->sql : NULL,
           "(cs.customer_id IS NULL)",
           "removing a member: only where there is no carrier");
    pl = patch(t, "[{\"op\":\"test\",\"path\":\"/User\",\"value\":null}]",
               NULL);
    ok(t, has(check(pl, 0)->sql, "cs.user_id IS NOT DISTINCT FROM NULL"),
       "test of a carrier compares its key");
}

static void test_merge_entity(tap_t *t)
{
    chats_plan_t *pl = plan(t, CHATS_PLAN_UPDATE, NULL, NULL, NULL);
    chats_err_t *e;

    chats_plan_merge(pl, json(t, "{\"CustomerName\":\"A\",\"Rating\":null,"
                             "\"Foo\":null,\"Person\":{\"Firstname\":\"x\"}}"));
    chats_plan_finish(pl);
    ok(t, chats_plan_nset(pl) == 2, "merge: a value and a null reset");
    ok(t, check(pl, 0) && has(check(pl, 0)->sql, "cs.customer_id IS NOT NULL")
       && check(pl, 0)->err->op_index == -1,
       "a carrier object without its key needs the carrier");
    is_str(t, check(pl, 1) ? check(pl, 1)->err->field : NULL,
           "Person/Firstname", "... then checks the member, named");

    pl = plan(t, CHATS_PLAN_UPDATE, NULL, NULL, NULL);
    e = chats_plan_entity(pl, json(t, "{\"Bogus\":1}"));
    ok(t, e && e->code == CHATS_E_INVALID, "entity: unknown field refused");
    pl = plan(t, CHATS_PLAN_UPDATE, NULL, NULL, NULL);
    e = chats_plan_entity(pl, json(t, "{\"ChatSessionId\":844,"
                                   "\"CustomerName\":\"B\"}"));
    chats_plan_finish(pl);
    ok(t, !e && pl->failed < 0 && chats_plan_nset(pl) == pl->nfields - 1,
       "entity: every field but the key written");
    pl = plan(t, CHATS_PLAN_INSERT, NULL, NULL, NULL);
    chats_plan_entity(pl, json(t, "{\"CustomerName\":\"C\"}"));
    chats_plan_finish(pl);
    ok(t, has(chats_plan_write_sql(pl, sql), "INSERT INTO chat_session (topic_id"),
       "POST: an INSERT of every field");
    ok(t, pl->checks->nelts == 0, "... with nothing to check");
}

static void test_rights(tap_t *t)
{
    chats_caller_t c;
    chats_precond_t pc;
    chats_plan_t *pl;
    apr_array_header_t *a;

    memset(&c, 0, sizeof(c));
    c.level = CHATS_RIGHT_UPDATE_OWN;
    c.associate_id = 5;
    c.nreadonly = 1;
    c.readonly[0] = 6;                         /* CustomerName */
    chats_precond_read(&pc, "\"3\", W/\"4\", \"x\"", NULL, NULL, t->p);
    pl = plan(t, CHATS_PLAN_UPDATE, &c, &pc, NULL);
    chats_patch_read(&a, json(t, "[{\"op\":\"test\",\"path\":\"/Rank\","
                              "\"value\":1},{\"op\":\"replace\",\"path\":"
                              "\"/CustomerName\",\"value\":\"Z\"}]"),
                     CHATS_PATCH_CASEI | CHATS_PATCH_SLASH_OPT, t->p);
    chats_plan_ops(pl, a, 0);
    chats_plan_finish(pl);
    ok(t, check(pl, 0) && check(pl, 0)->err->code == CHATS_E_FORBIDDEN
       && has(check(pl, 0)->sql, "cs.user_id = $"),
       "update_own: the row must be theirs, first");
    ok(t, check(pl, 1) && check(pl, 1)->err->code == CHATS_E_STALE
       && has(check(pl, 1)->sql, "cs.version = ANY("),
       "then If-Match");
    is_str(t, param(pl, 3), "{3}", "... strong tags only");
    ok(t, check(pl, 2) && check(pl, 2)->err->code == CHATS_E_TEST_FAILED,
       "then the ops");
    ok(t, check(pl, 3) && check(pl, 3)->err->code == CHATS_E_FORBIDDEN
       && !strcmp(check(pl, 3)->err->field, "CustomerName")
       && has(check(pl, 3)->sql, "cs.name IS NOT DISTINCT FROM"),
       "then their read-only fields: no change, checked on the row");

    pl = plan(t, CHATS_PLAN_UPDATE, &c, NULL, NULL);
    chats_patch_read(&a, json(t, "[{\"op\":\"replace\",\"path\":\"/User\","
                              "\"value\":{\"AssociateId\":6}}]"),
                     CHATS_PATCH_CASEI | CHATS_PATCH_SLASH_OPT, t->p);
    chats_plan_ops(pl, a, 0);
    chats_plan_finish(pl);
    ok(t, pl->failed == 1 && !strcmp(check(pl, 1)->err->field, "User"),
       "update_own giving the session away: 403 naming User");

    chats_precond_read(&pc, NULL, "*", "Sun, 06 Nov 1994 08:49:37 GMT", t->p);
    pl = plan(t, CHATS_PLAN_DELETE, NULL, &pc, "Europe/Oslo");
    ok(t, check(pl, 0) && has(check(pl, 0)->sql, "<= $2::int8")
       && pl->failed == 1, "DELETE: If-Unmodified-Since, If-None-Match *");
    is_str(t, param(pl, 2), "784111777", "... the date in seconds");
    ok(t, pl->in.zone == NULL, "... and no zone: nothing is read back");
}

static void test_zone(tap_t *t)
{
    chats_plan_t *pl = plan(t, CHATS_PLAN_UPDATE, NULL, NULL, "Europe/Oslo");
    apr_array_header_t *a;

    chats_patch_read(&a, json(t, "[{\"op\":\"replace\",\"path\":\"/WhenIdle\","
                              "\"value\":\"2024-03-31T02:30:00\"},"
                              "{\"op\":\"test\",\"path\":\"/WhenIdle\","
                              "\"value\":\"2024-03-31T01:30:00Z\"}]"),
                     CHATS_PATCH_CASEI | CHATS_PATCH_SLASH_OPT, t->p);
    chats_plan_ops(pl, a, 0);
    is_str(t, param(pl, 1), "Europe/Oslo", "$1 is the zone");
    ok(t, has(pl->set[17].sql, "::timestamp AT TIME ZONE $1"),
       "an offset-less date-time is localized by PostgreSQL");
    ok(t, check(pl, 0) && has(check(pl, 0)->sql, "AT TIME ZONE $1) IS NOT "
                              "DISTINCT FROM $"),
       "... so a test of it is PostgreSQL's too");
}

static void test_diagnose(tap_t *t)
{
    chats_plan_t *pl;
    const char *cols[8];
    chats_err_t *e;
    int skip;

    pl = patch(t, "[{\"op\":\"test\",\"path\":\"/Rating\",\"value\":4},"
               "{\"op\":\"test\",\"path\":\"/Rank\",\"value\":4},"
               "{\"op\":\"replace\",\"path\":\"/Rating\",\"value\":5}]", NULL);
    ok(t, has(chats_plan_write_sql(pl, sql),
              "updated_at = now(), updated_by = NULLIF($3::int4, 0)"),
       "the caller who writes: the plan's last parameter ($3, after the id "
       "and the value)");
    ok(t, has(chats_plan_diag_sql(pl, sql, 0), "SELECT ARRAY[CASE WHEN "
              "cs.rating IS NOT DISTINCT FROM $4::int4 THEN NULL ELSE 1 END, "
              "CASE WHEN cs.rank"), "diagnosis: each check's answer in one "
       "column");
    ok(t, has(chats_plan_diag_sql(pl, sql, 1), "FOR UPDATE OF cs"),
       "... locked for the fallback");
    cols[0] = "{NULL,1}"; cols[1] = "t";
    ok(t, chats_plan_diagnose(pl, cols, &e, &skip) == CHATS_DIAG_FAILED
       && e->op_index == 1 && skip == 2, "the first failing check answers");
    cols[0] = "{1,1}";
    ok(t, chats_plan_diagnose(pl, cols, &e, &skip) == CHATS_DIAG_FAILED
       && e->op_index == 0, "... the first in the patch, of two");
    cols[0] = "{NULL,NULL}"; cols[1] = "f";
    ok(t, chats_plan_diagnose(pl, cols, &e, &skip) == CHATS_DIAG_NOOP,
       "all pass, nothing to change: a no-op");
    cols[1] = "t";
    ok(t, chats_plan_diagnose(pl, cols, &e, &skip) == CHATS_DIAG_CHANGED,
       "all pass and it would change: the row changed in between");
}

/* A JSON Patch: head, then n copies of fmt (each "%d" is the copy's
 * number), then tail (ops or ""). */
static const char *ops_of(tap_t *t, const char *head, const char *fmt,
                          int n, const char *tail)
{
    chats_strbuf_t b;
    int i;

    chats_strbuf_init(&b, t->p, 256);
    chats_strbuf_puts(&b, "[");
    chats_strbuf_puts(&b, head);
    for (i = 0; i < n; i++) {
        const char *op = apr_psprintf(t->p, fmt, i, i, i);

        if (b.len > 1) {
            chats_strbuf_puts(&b, ",");
        }
        chats_strbuf_puts(&b, op);
    }
    if (*tail) {
        chats_strbuf_puts(&b, b.len > 1 ? "," : "");
        chats_strbuf_puts(&b, tail);
    }
    chats_strbuf_puts(&b, "]");
    return b.buf;
}

/* Plans p and q make the same statements with as many parameters. */
static int same_statements(const chats_plan_t *p, const chats_plan_t *q)
{
    const char *pw = chats_plan_write_sql(p, sql);
    const char *qw = chats_plan_write_sql(q, sql);

    return ((!pw && !qw) || (pw && qw && !strcmp(pw, qw)))
        && !strcmp(chats_plan_diag_sql(p, sql, 0),
                   chats_plan_diag_sql(q, sql, 0))
        && p->params->nelts == q->params->nelts;
}

#define TEST3 "{\"op\":\"test\",\"path\":\"/Rating\",\"value\":3}"
#define RANK8 "{\"op\":\"replace\",\"path\":\"/Rank\",\"value\":8}"

static void test_hostile_identical(tap_t *t)
{
    chats_plan_t *one, *many;
    const char *cols[2];
    chats_err_t *e;
    int skip;

    one = patch(t, ops_of(t, "", TEST3, 1, RANK8), NULL);
    many = patch(t, ops_of(t, "", TEST3, HOSTILE_N, RANK8), NULL);
    ok(t, many->failed < 0 && many->checks->nelts == 1,
       "identical test ops: one check");
    ok(t, same_statements(one, many),
       "... the statements of a single test op");
    ok(t, strlen(chats_plan_diag_sql(many, sql, 0)) < 8192,
       "... a diagnosis of a few KB");
    many = patch(t, ops_of(t, "", TEST3, HOSTILE_N - 1,
                           "{\"op\":\"test\",\"path\":\"/Rating\","
                           "\"value\":4}"), NULL);
    ok(t, many->checks->nelts == 2, "failing at the last op: two checks");
    cols[0] = "{2}";
    cols[1] = "f";
    ok(t, chats_plan_diagnose(many, cols, &e, &skip) == CHATS_DIAG_FAILED
       && e->op_index == HOSTILE_N - 1 && skip == 2,
       "... the second answers, naming the last op");
    cols[0] = "{NULL}";
    ok(t, chats_plan_diagnose(many, cols, &e, &skip) == CHATS_DIAG_NOOP,
       "... both hold and nothing is written: a no-op");
}

static void test_hostile_distinct(tap_t *t)
{
    chats_plan_t *few, *many;
    const char *cols[2];
    chats_err_t *e;
    int skip;

    few = patch(t, ops_of(t, "", "{\"op\":\"test\",\"path\":\"/Rating\","
                          "\"value\":%d}", 3, RANK8), NULL);
    many = patch(t, ops_of(t, "", "{\"op\":\"test\",\"path\":\"/Rating\","
                           "\"value\":%d}", HOSTILE_N, RANK8), NULL);
    ok(t, many->checks->nelts == HOSTILE_N,
       "distinct values on one field: a check each");
    ok(t, same_statements(few, many),
       "... evaluated as one array: the statements of 3 values");
    ok(t, has(chats_plan_write_sql(many, sql), "unnest($"),
       "... the values bound as one array parameter");
    cols[0] = "{1500}";
    cols[1] = "t";
    ok(t, chats_plan_diagnose(many, cols, &e, &skip) == CHATS_DIAG_FAILED
       && e->op_index == 1499 && skip == 2,
       "... the first failing value names its op");
    cols[0] = "{1500,x}";
    ok(t, chats_plan_diagnose(many, cols, &e, &skip) == CHATS_DIAG_FAILED
       && e->code == CHATS_E_INTERNAL, "a diagnosis row not ours: 500");
}

static void test_hostile_interleaved(tap_t *t)
{
    chats_plan_t *few, *many;
    chats_plan_in_t in;
    apr_array_header_t *a;
    const char *pair;

    many = patch(t, ops_of(t, TEST3, "{\"op\":\"replace\",\"path\":\"/Rank\","
                           "\"value\":%d},{\"op\":\"test\",\"path\":\"/Rank\","
                           "\"value\":%d}", HOSTILE_N / 2, ""), NULL);
    ok(t, many->failed < 0 && many->checks->nelts == HOSTILE_N / 2 + 1
       && check(many, 0)->sql && !check(many, HOSTILE_N / 2)->sql,
       "replace then test, many times: decided here but the first");
    ok(t, has(chats_plan_write_sql(many, sql), "rank = $")
       && many->params->nelts < 8, "... one parameter for the value written");

    pair = "{\"op\":\"replace\",\"path\":\"/User/AssociateId\",\"value\":%d},"
           "{\"op\":\"test\",\"path\":\"/User/Name\",\"value\":\"n%d\"}";
    few = patch(t, ops_of(t, "", pair, 3, ""), NULL);
    many = patch(t, ops_of(t, "", pair, HOSTILE_N / 2, ""), NULL);
    ok(t, many->checks->nelts == HOSTILE_N / 2 && same_statements(few, many),
       "re-pointing a carrier and testing its member, many times: the "
       "statements of 3 times");

    pair = "{\"op\":\"replace\",\"path\":\"/WhenIdle\",\"value\":"
           "\"2024-01-01T00:%02d:00\"},{\"op\":\"test\",\"path\":"
           "\"/WhenIdle\",\"value\":\"2024-01-01T00:%02d:00\"}";
    memset(&in, 0, sizeof(in));
    in.entity = &chats_session_def;
    in.kind = CHATS_PLAN_UPDATE;
    in.id = 844;
    in.zone = "Europe/Oslo";
    few = chats_plan_make(t->p, &in);
    chats_patch_read(&a, json(t, ops_of(t, "", pair, 3, "")),
                     CHATS_PATCH_CASEI | CHATS_PATCH_SLASH_OPT, t->p);
    chats_plan_ops(few, a, 0);
    many = chats_plan_make(t->p, &in);
    chats_patch_read(&a, json(t, ops_of(t, "", pair, 60, "")),
                     CHATS_PATCH_CASEI | CHATS_PATCH_SLASH_OPT, t->p);
    chats_plan_ops(many, a, 0);
    ok(t, many->checks->nelts == 60 && same_statements(few, many),
       "local date-times replaced and tested: PostgreSQL's checks, the "
       "statements of 3 pairs");
}

/* ---- ops below a webhook's JSON fields (issue 20, design §2) --------- */

/* A finished update plan of webhook 9 for a JSON Patch. */
static chats_plan_t *hook_patch(tap_t *t, const char *ops)
{
    chats_plan_in_t in;
    chats_plan_t *pl;
    apr_array_header_t *a;

    memset(&in, 0, sizeof(in));
    in.entity = &chats_webhook_def;
    in.kind = CHATS_PLAN_UPDATE;
    in.id = 9;
    pl = chats_plan_make(t->p, &in);
    if (chats_patch_read(&a, json(t, ops), CHATS_PATCH_CASEI
                         | CHATS_PATCH_SLASH_OPT | CHATS_PATCH_ALL_OPS,
                         t->p) != NULL) {
        printf("# bad patch in the test: %s\n", ops);
        exit(2);
    }
    chats_plan_ops(pl, a, 0);
    chats_plan_finish(pl);
    return pl;
}

/* Does some parameter have the value v? */
static int has_param(const chats_plan_t *pl, const char *v)
{
    int i;

    for (i = 1; i <= pl->params->nelts; i++) {
        if (param(pl, i) && !strcmp(param(pl, i), v)) {
            return 1;
        }
    }
    return 0;
}

/* The error of the plan's first failing check decided here. */
static const chats_err_t *failed_err(const chats_plan_t *pl)
{
    return pl->failed >= 0 ? check(pl, pl->failed)->err : NULL;
}

static void test_json_paths(tap_t *t)
{
    const chats_entity_sql_t *es = chats_sql_entity(chats_sql_build(t->p),
                                                    &chats_webhook_def);
    chats_plan_t *pl;
    const char *w;

    pl = hook_patch(t, "[{\"op\":\"add\",\"path\":\"/headers/x-Foo\","
                    "\"value\":\"bar\"}]");
    w = chats_plan_write_sql(pl, es);
    ok(t, pl->failed < 0 && pl->checks->nelts == 1
       && check(pl, 0)->err->code == CHATS_E_PATH
       && !strcmp(check(pl, 0)->err->field, "Headers/x-Foo"),
       "add below Headers: one check, a 400 path naming Headers/x-Foo");
    ok(t, has(w, "headers = (CASE WHEN") && has(w, "jsonb_set(cs.headers, ")
       && has_param(pl, "{\"x-Foo\"}") && has_param(pl, "\"bar\""),
       "... an expression over the column; the name as sent, a parameter");
    ok(t, has(w, "cs.headers IS DISTINCT FROM (CASE WHEN"),
       "... compared with the column: a no-op changes nothing");

    pl = hook_patch(t, "[{\"op\":\"remove\",\"path\":\"/Properties/a~1b~0c\"}]");
    ok(t, pl->failed < 0 && has_param(pl, "{\"a/b~c\"}")
       && has(chats_plan_write_sql(pl, es), "#- "),
       "remove: ~1 and ~0 unescaped, #-");

    pl = hook_patch(t, "[{\"op\":\"add\",\"path\":\"/Headers/X-C\","
                    "\"value\":\"c\"},{\"op\":\"remove\",\"path\":"
                    "\"/Headers/X-C\"}]");
    ok(t, pl->failed < 0 && pl->checks->nelts == 2
       && has(check(pl, 1)->sql, "FROM (SELECT (CASE WHEN")
       && check(pl, 1)->err->op_index == 1,
       "a second op: its check over the first's result");

    pl = hook_patch(t, "[{\"op\":\"remove\",\"path\":\"/Events/-1\"}]");
    ok(t, has(check(pl, 0)->sql, "IS DISTINCT FROM 'array'"),
       "-1 (PostgreSQL's last element) may name no array element");

    pl = hook_patch(t, "[{\"op\":\"test\",\"path\":\"/Properties/n\","
                    "\"value\":1.0}]");
    ok(t, pl->failed < 0 && pl->checks->nelts == 2
       && check(pl, 0)->err->code == CHATS_E_PATH
       && check(pl, 1)->err->code == CHATS_E_TEST_FAILED
       && has(check(pl, 1)->sql, "cs.properties #> ")
       && chats_plan_nset(pl) == 0,
       "test below: the path exists (400), then jsonb equality (409)");

    pl = hook_patch(t, "[{\"op\":\"move\",\"from\":\"/Headers/X-A\","
                    "\"path\":\"/Headers/X-Z\"}]");
    ok(t, pl->failed < 0 && pl->checks->nelts == 2
       && !strcmp(check(pl, 0)->err->field, "Headers/X-A")
       && !strcmp(check(pl, 1)->err->field, "Headers/X-Z")
       && has(chats_plan_write_sql(pl, es), "#- "),
       "move below one field: from exists, then the add; one expression");
    pl = hook_patch(t, "[{\"op\":\"copy\",\"from\":\"/Properties/a\","
                    "\"path\":\"/Properties/b/c\"}]");
    ok(t, pl->failed < 0 && pl->checks->nelts == 2,
       "copy below one field");
    pl = hook_patch(t, "[{\"op\":\"move\",\"from\":\"/Properties/a\","
                    "\"path\":\"/Properties/a/b\"}]");
    ok(t, failed_err(pl) && failed_err(pl)->code == CHATS_E_INVALID
       && !strcmp(failed_err(pl)->field, "Properties/a/b"),
       "move into itself: 400");
    pl = hook_patch(t, "[{\"op\":\"move\",\"from\":\"/Headers/X-A\","
                    "\"path\":\"/Properties/x\"}]");
    ok(t, failed_err(pl) && failed_err(pl)->code == CHATS_E_INVALID,
       "move between fields: 400");
    pl = hook_patch(t, "[{\"op\":\"copy\",\"from\":\"/Secret\","
                    "\"path\":\"/Properties/x\"}]");
    ok(t, failed_err(pl) && !strcmp(failed_err(pl)->field, "Secret"),
       "copy from the write-only Secret: 400 Secret");

    pl = hook_patch(t, "[{\"op\":\"replace\",\"path\":\"/Headers\",\"value\":"
                    "{\"X-N\":\"n\"}},{\"op\":\"copy\",\"from\":"
                    "\"/Headers/X-N\",\"path\":\"/Headers/X-M\"},"
                    "{\"op\":\"test\",\"path\":\"/Headers/X-M\","
                    "\"value\":\"n\"}]");
    ok(t, pl->failed < 0 && pl->checks->nelts == 0
       && has_param(pl, "{\"X-N\":\"n\",\"X-M\":\"n\"}")
       && !has(chats_plan_write_sql(pl, es), "jsonb_set"),
       "after a whole replace: applied here, the field written whole");
    pl = hook_patch(t, "[{\"op\":\"replace\",\"path\":\"/Headers\",\"value\":"
                    "{}},{\"op\":\"remove\",\"path\":\"/Headers/X-N\"}]");
    ok(t, failed_err(pl) && failed_err(pl)->code == CHATS_E_PATH
       && !strcmp(failed_err(pl)->field, "Headers/X-N")
       && failed_err(pl)->op_index == 1,
       "... a missing path there: decided here, 400 at op 1");
}

static void test_json_bound(tap_t *t)
{
    chats_strbuf_t b;
    chats_plan_t *pl;
    int i;

    chats_strbuf_init(&b, t->p, 4096);
    chats_strbuf_puts(&b, "[");
    for (i = 0; i < 40; i++) {
        chats_strbuf_puts(&b, apr_psprintf(
                              t->p, "%s{\"op\":\"add\",\"path\":"
                              "\"/Properties/k%d\",\"value\":%d}",
                              i ? "," : "", i, i));
    }
    chats_strbuf_puts(&b, "]");
    pl = hook_patch(t, b.buf);
    ok(t, failed_err(pl) && failed_err(pl)->op_index == 16
       && failed_err(pl)->code == CHATS_E_INVALID
       && !strcmp(failed_err(pl)->field, "Properties/k16"),
       "17 ops below JSON fields: the 17th refused (the statement is "
       "bounded)");
    pl = hook_patch(t, "[{\"op\":\"add\",\"path\":\"/Properties/a\","
                    "\"value\":1},{\"op\":\"test\",\"path\":\"/Properties/a\","
                    "\"value\":1},{\"op\":\"test\",\"path\":\"/Properties/a\","
                    "\"value\":1}]");
    ok(t, pl->failed < 0 && pl->checks->nelts == 3,
       "a repeated test below a field is one check");
}

/* The statements' templates, built once (the store builds them at
 * startup the same way). */
static int setup(tap_t *t)
{
    sql = chats_sql_build(t->p)->session;
    return 1;
}

static const tap_test_fn tests[] = {
    test_sets, test_tests, test_readonly, test_carriers, test_merge_entity,
    test_rights, test_zone, test_diagnose, test_hostile_identical,
    test_hostile_distinct, test_hostile_interleaved, test_json_paths,
    test_json_bound, NULL
};

const tap_suite_t tap_suite = { setup, tests, NULL };
