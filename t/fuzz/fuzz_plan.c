/* libFuzzer target: the write planner (core/chats_plan*.c): a body read
 * as the endpoint reads it, compiled into a plan (JSON Patch ops, a
 * merge patch, or a whole entity), its statements, and the reading of a
 * diagnosis row made of input bits.
 *
 * Input: byte 0 the request (bits 0-1: PATCH ops / PATCH merge / PUT /
 * POST; bit 2: DELETE instead; bit 3: a zone other than UTC; bit 4:
 * the body is XML, read and typed as http/chats_body.c does; bit 5: a
 * ChatTopic's, whose groups, times of day and derived fields a session
 * has not), byte 1
 * the caller (bits 0-2 rights level, bit 3 read-only fields, bit 4
 * If-Match, bit 5 If-None-Match, bit 6 If-Unmodified-Since), byte 2
 * the diagnosis row's answers (bits 0-1: how many elements its int8[]
 * of checks has, bits 2-7: each NULL, 1, 2 or not a number; bit 0 also
 * the "changed" column), then the JSON body.
 *
 * Invariants: the first failing check decided here is the plan's
 * failure, and the checks before it pass; a plan that failed here
 * writes nothing; statements are ASCII, one statement each (no ';', no
 * comment): values only ever travel as parameters, and parameters are
 * NUL-free valid UTF-8; the diagnosis answers a failure with an error,
 * for any row. */
#include <apr_strings.h>

#include "chats_entity_xml.h"
#include "chats_json.h"
#include "chats_patch.h"
#include "chats_plan.h"
#include "chats_sql.h"
#include "chats_xml.h"
#include "fuzz.h"

static const chats_entity_sql_t *sql_text(const chats_entity_def_t *def)
{
    static const chats_entity_sql_t *session, *topic;

    if (session == NULL) {
        session = chats_sql_build(fuzz_root())->session;
        topic = chats_entity_sql_build(fuzz_root(), &chats_topic_def);
    }
    return def == &chats_topic_def ? topic : session;
}

static void check_sql(const char *s)
{
    const char *c;

    if (s == NULL) {
        return;
    }
    for (c = s; *c; c++) {
        FUZZ_ASSERT((unsigned char)*c < 0x80, "a statement with non-ASCII");
        FUZZ_ASSERT(*c != ';', "a statement with ';'");
        FUZZ_ASSERT(!(c[0] == '-' && c[1] == '-'), "a statement with '--'");
    }
}

static void check_plan(const chats_plan_t *pl, uint8_t answers,
                       apr_pool_t *p)
{
    const chats_entity_sql_t *sql = sql_text(pl->in.entity);
    const char *w = chats_plan_write_sql(pl, sql);
    const char **cols;
    chats_err_t *err = NULL;
    int i, n, skip = 0;
    chats_diag_e d;

    FUZZ_ASSERT(pl->failed >= -1 && pl->failed < pl->checks->nelts,
                "a failure index out of range");
    for (i = 0; i < pl->checks->nelts; i++) {
        const chats_check_t *c = &APR_ARRAY_IDX(pl->checks, i, chats_check_t);

        FUZZ_ASSERT(c->err != NULL, "a check without an answer");
        if (c->sql == NULL && !c->pass) {
            FUZZ_ASSERT(pl->failed == i, "a failed check is not the failure");
            break;
        }
        check_sql(c->sql);
    }
    FUZZ_ASSERT(pl->failed < 0 || w == NULL, "a failed plan writes");
    check_sql(w);
    check_sql(chats_plan_diag_sql(pl, sql, 0));
    check_sql(chats_plan_diag_sql(pl, sql, 1));
    for (i = 0; i < pl->params->nelts; i++) {
        const chats_param_t *pm = &APR_ARRAY_IDX(pl->params, i,
                                                 chats_param_t);

        FUZZ_ASSERT(pm->value == NULL
                    || chats_utf8_valid(pm->value, strlen(pm->value)),
                    "a parameter that is not UTF-8");
    }
    /* a row: where the checks first fail (per predicate), the "changed"
     * column, then the rendering columns (not read here) */
    n = 2;
    cols = apr_pcalloc(p, (size_t)(n + 1) * sizeof(*cols));
    cols[0] = "{";
    for (i = 0; i < (answers & 3); i++) {
        static const char *const elem[] = { "NULL", "1", "2", "x" };

        cols[0] = apr_pstrcat(p, cols[0], i ? "," : "",
                              elem[(answers >> (2 + 2 * i)) & 3], NULL);
    }
    cols[0] = apr_pstrcat(p, cols[0], "}", NULL);
    cols[1] = (answers & 1) ? "t" : "f";
    d = chats_plan_diagnose(pl, cols, &err, &skip);
    FUZZ_ASSERT(skip >= 0 && skip <= n, "diagnosis skips past its columns");
    FUZZ_ASSERT((d == CHATS_DIAG_FAILED) == (err != NULL),
                "a diagnosed failure without an error (or the reverse)");
    FUZZ_ASSERT(pl->failed < 0 || d == CHATS_DIAG_FAILED,
                "a plan failed here is diagnosed as passing");
}

static void caller_from(uint8_t b, chats_caller_t *c, apr_pool_t *p)
{
    const char *unknown = NULL;

    chats_caller_default(c);
    c->level = (chats_right_e)(b & 7) > CHATS_RIGHT_ADMIN
               ? CHATS_RIGHT_UPDATE_OWN : (chats_right_e)(b & 7);
    c->associate_id = 5;
    if (b & 0x08) {
        chats_caller_set_readonly(c, "{TransferTo,rating,Status}", &unknown,
                                  p);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    chats_json_limits_t lim;
    chats_doc_t *body = NULL, *xml = NULL;
    chats_plan_in_t in;
    chats_caller_t caller;
    chats_precond_t pc;
    chats_plan_t *pl;
    apr_array_header_t *ops;
    const chats_entity_def_t *def;
    int how;

    if (size < 3) {
        return 0;
    }
    def = (data[0] & 0x20) ? &chats_topic_def : &chats_session_def;
    p = fuzz_pool();
    memset(&lim, 0, sizeof(lim));
    lim.max_depth = 32;           /* as http/chats_body.c */
    lim.max_values = 100000;
    lim.dup_policy = CHATS_JSON_DUP_CASEI;
    if ((data[0] & 0x10)
        ? chats_xml_parse(&xml, (const char *)data + 3, size - 3, 0, p)
          || chats_xml_typed_entity(def, xml, &body, p)
        : chats_json_parse(&body, (const char *)data + 3, size - 3, &lim,
                           p) != NULL) {
        apr_pool_destroy(p);
        return 0;
    }
    caller_from(data[1], &caller, p);
    chats_precond_read(&pc, (data[1] & 0x10) ? "\"3\", W/\"4\"" : NULL,
                       (data[1] & 0x20) ? "*" : NULL,
                       (data[1] & 0x40) ? "Sun, 06 Nov 1994 08:49:37 GMT"
                                        : NULL, p);
    memset(&in, 0, sizeof(in));
    in.entity = def;
    how = data[0] & 3;
    in.kind = (data[0] & 4) ? CHATS_PLAN_DELETE
              : how == 3 ? CHATS_PLAN_INSERT : CHATS_PLAN_UPDATE;
    in.id = 844;
    in.zone = (data[0] & 8) ? "Europe/Oslo" : NULL;
    in.caller = (data[1] & 0x80) ? NULL : &caller;
    in.precond = chats_precond_any(&pc) ? &pc : NULL;
    pl = chats_plan_make(p, &in);
    if (in.kind == CHATS_PLAN_DELETE) {
        chats_plan_finish(pl);
    }
    else if (how == 0) {
        if (body->type != CHATS_J_ARRAY
            || chats_patch_read(&ops, body, CHATS_PATCH_CASEI
                                | CHATS_PATCH_SLASH_OPT, p) != NULL) {
            apr_pool_destroy(p);
            return 0;
        }
        chats_plan_ops(pl, ops, 0);
        chats_plan_finish(pl);
    }
    else if (how == 1) {
        if (body->type != CHATS_J_OBJECT) {
            apr_pool_destroy(p);
            return 0;
        }
        chats_plan_merge(pl, body);
        chats_plan_finish(pl);
    }
    else if (chats_plan_entity(pl, body) == NULL) {
        chats_plan_finish(pl);
    }
    else {
        apr_pool_destroy(p);
        return 0;
    }
    check_plan(pl, data[2], p);
    apr_pool_destroy(p);
    return 0;
}
