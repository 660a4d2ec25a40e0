/* JSON Patch ops below a JSON-valued field (design §2 "CHATS_F_JSON":
 * /Headers/X-Foo, /Events/-, /Properties/a/b), as RFC 6902 §4 has them,
 * in the one UPDATE of the plan.
 *
 * The member names below the field are data: matched case-sensitively,
 * unlike the entity's field names. When the field's value is known here
 * (an earlier op of the patch replaced it whole) the op is applied by
 * the patch engine and the field written whole. Otherwise the op is an
 * expression over the value before it (the row's column, or the
 * expression of the field's earlier ops), and what it needs of that
 * value (the target exists, the parent can take a member) is a check
 * over the same value, failing as the engine's own: 400 CHATS_E_PATH
 * naming the path, 409 for a test.
 *
 * Every step is total: it applies its op only where its check holds, and
 * is the value unchanged elsewhere, because PostgreSQL may evaluate a
 * SET value, or the diagnosis's "would it change", before or without the
 * checks (it orders a WHERE's conditions by cost), and jsonb_set,
 * jsonb_insert and #- raise errors on paths that do not fit. A value used
 * more than once in a step is bound once by a sub-SELECT.
 *
 * Each step and each check after it repeat the value before them, so the
 * statement grows with the square of the number of such steps in one
 * patch: they are bounded (JSON_MAX_STEPS; tests are not steps, and ops
 * after a whole replace are applied here). */
#include <apr_lib.h>
#include <apr_strings.h>
#include <stdlib.h>
#include <string.h>

#include "chats_entity.h"
#include "chats_plan_private.h"
#include "chats_strbuf.h"

/* Ops below JSON fields done by SQL in one patch, at most: webhook
 * fields hold a few headers and events; a client that needs more
 * replaces the field. (PostgreSQL 15 ran the UPDATE of 16 such ops in
 * 170 ms, of 32 in 0.9 s: the checks' sub-SELECTs grow as the square.) */
#define JSON_MAX_STEPS 16

typedef struct {
    const chats_op_ctx_t *o;
    chats_plan_t *pl;
    const chats_field_t *f;
    chats_opkind_e kind;
    const apr_array_header_t *path;   /* tokens below f                */
    const apr_array_header_t *from;   /* move, copy: tokens below f    */
    const char *name;                 /* errors' name: "Headers/X-Foo" */
    const char *from_name;
    const chats_doc_t *value;
} jop_t;

#define TOK(a, i) APR_ARRAY_IDX(a, i, const char *)

/* ---- paths ------------------------------------------------------------ */

/* t's tokens after the field's. */
static apr_array_header_t *below(apr_pool_t *p, const apr_array_header_t *t)
{
    apr_array_header_t *a = apr_array_make(p, t->nelts, sizeof(char *));
    int i;

    for (i = 1; i < t->nelts; i++) {
        APR_ARRAY_PUSH(a, const char *) = TOK(t, i);
    }
    return a;
}

/* "Headers/X-Foo": the field and the names below it, as they are. */
static const char *path_name(apr_pool_t *p, const chats_field_t *f,
                             const apr_array_header_t *toks)
{
    const char *s = f->name;
    int i;

    for (i = 0; i < toks->nelts; i++) {
        s = apr_pstrcat(p, s, "/", TOK(toks, i), NULL);
    }
    return s;
}

/* toks as a JSON pointer again (RFC 6901 escapes). */
static const char *pointer(apr_pool_t *p, const apr_array_header_t *toks)
{
    chats_strbuf_t b;
    const char *s;
    int i;

    chats_strbuf_init(&b, p, 64);
    for (i = 0; i < toks->nelts; i++) {
        chats_strbuf_puts(&b, "/");
        for (s = TOK(toks, i); *s; s++) {
            chats_strbuf_puts(&b, *s == '~' ? "~0" : *s == '/' ? "~1"
                              : apr_pstrndup(p, s, 1));
        }
    }
    return b.buf;
}

/* toks as a text[] literal ({"a","b\"c"}), bound as text and cast. */
static const char *text_array(apr_pool_t *p, const apr_array_header_t *toks)
{
    chats_strbuf_t b;
    const char *s;
    int i;

    chats_strbuf_init(&b, p, 64);
    chats_strbuf_puts(&b, "{");
    for (i = 0; i < toks->nelts; i++) {
        chats_strbuf_puts(&b, i ? ",\"" : "\"");
        for (s = TOK(toks, i); *s; s++) {
            if (*s == '"' || *s == '\\') {
                chats_strbuf_puts(&b, "\\");
            }
            chats_strbuf_add(&b, s, 1);
        }
        chats_strbuf_puts(&b, "\"");
    }
    chats_strbuf_puts(&b, "}");
    return b.buf;
}

/* RFC 6901's array index: "0", or digits without a leading zero. */
static int canonical_index(const char *tok)
{
    const char *s = tok;

    if (*s == '0') {
        return s[1] == '\0';
    }
    for (; apr_isdigit(*s); s++) {
    }
    return s != tok && *s == '\0';
}

/* A token PostgreSQL reads as an array index (strtol's: spaces, a sign,
 * leading zeros; a negative one counts from the end) that RFC 6901 does
 * not: on an array it must name nothing. */
static int pg_only_index(const char *tok)
{
    char *end;

    (void)strtol(tok, &end, 10);
    return end != tok && *end == '\0' && !canonical_index(tok);
}

/* ---- SQL over a value v (its SQL), path slot ps (a text[] value) ------ */

/* ps's first n tokens. */
static const char *prefix(apr_pool_t *p, const char *ps, int n)
{
    return apr_psprintf(p, "(%s)[1:%d]", ps, n);
}

/* The first n tokens of toks reach into no array by a token RFC 6901
 * does not read as an index. */
static const char *strict(apr_pool_t *p, const char *v, const char *ps,
                          const apr_array_header_t *toks, int n)
{
    const char *s = "true";
    int j;

    for (j = 0; j < n; j++) {
        if (pg_only_index(TOK(toks, j))) {
            s = apr_pstrcat(p, s, " AND jsonb_typeof(", v, " #> ",
                            prefix(p, ps, j), ") IS DISTINCT FROM 'array'",
                            NULL);
        }
    }
    return s;
}

/* The value at toks exists. */
static const char *exists(apr_pool_t *p, const char *v, const char *ps,
                          const apr_array_header_t *toks)
{
    return apr_pstrcat(p, "((", v, " #> ", ps, ") IS NOT NULL AND ",
                       strict(p, v, ps, toks, toks->nelts), ")", NULL);
}

/* toks' parent is an object, or an array the last token is an index of
 * (0 to its length, or "-"): RFC 6902 §4.1. */
static const char *addable(apr_pool_t *p, const char *v, const char *ps,
                           const apr_array_header_t *toks)
{
    int n = toks->nelts;
    const char *last = TOK(toks, n - 1), *parent = prefix(p, ps, n - 1);
    const char *arr = !strcmp(last, "-") ? "true"
        : canonical_index(last) && strlen(last) < 10
        ? apr_pstrcat(p, "jsonb_array_length(", v, " #> ", parent,
                      ") >= ", last, NULL) : "false";

    return apr_pstrcat(p, "(", strict(p, v, ps, toks, n - 1),
                       " AND CASE jsonb_typeof(", v, " #> ", parent,
                       ") WHEN 'object' THEN true WHEN 'array' THEN ", arr,
                       " ELSE false END)", NULL);
}

/* v with val added at toks (addable): an object's member set, an array's
 * element inserted, or appended for "-". */
static const char *add_expr(apr_pool_t *p, const char *v, const char *ps,
                            const apr_array_header_t *toks, const char *val)
{
    int n = toks->nelts;
    const char *last = TOK(toks, n - 1), *parent = prefix(p, ps, n - 1);
    const char *set = apr_pstrcat(p, "jsonb_set(", v, ", ", ps, ", ", val,
                                  ", true)", NULL);
    const char *arr;

    if (!strcmp(last, "-")) {
        arr = n == 1 ? apr_pstrcat(p, v, " || jsonb_build_array(", val, ")",
                                   NULL)
            : apr_pstrcat(p, "jsonb_set(", v, ", ", parent, ", (", v, " #> ",
                          parent, ") || jsonb_build_array(", val, "))",
                          NULL);
    }
    else if (canonical_index(last)) {
        arr = apr_pstrcat(p, "jsonb_insert(", v, ", ", ps, ", ", val, ")",
                          NULL);
    }
    else {
        return set;
    }
    return apr_pstrcat(p, "CASE jsonb_typeof(", v, " #> ", parent,
                       ") WHEN 'array' THEN ", arr, " ELSE ", set, " END",
                       NULL);
}

/* body over "jv", with jv bound to v once (v itself when it is only the
 * row's column). OFFSET 0 keeps PostgreSQL from pulling the sub-SELECT
 * up, which would put v in body as many times as body names jv: over
 * the steps of a patch, exponentially many (10 steps took 12 s to
 * plan). */
static const char *let(apr_pool_t *p, const char *v, const char *body,
                       int plain)
{
    return plain ? body : apr_pstrcat(p, "(SELECT ", body, " FROM (SELECT ",
                                      v, " AS jv OFFSET 0) jq)", NULL);
}

/* What the op needs of the value before it (v), and the value after it:
 * ps and fs the path and from slots, val the value's SQL. */
static const char *op_ok(const jop_t *j, const char *v, const char *ps,
                         const char *fs)
{
    apr_pool_t *p = j->pl->p;

    switch (j->kind) {
    case CHATS_OP_ADD:
        return addable(p, v, ps, j->path);
    case CHATS_OP_COPY:
        return apr_pstrcat(p, "(", exists(p, v, fs, j->from), " AND ",
                           addable(p, v, ps, j->path), ")", NULL);
    case CHATS_OP_MOVE:
        /* the add is checked on the value without from (RFC 6902 §4.4) */
        return apr_pstrcat(p, "CASE WHEN ", exists(p, v, fs, j->from),
                           " THEN ", addable(p, apr_pstrcat(
                               p, "(", v, " #- ", fs, ")", NULL), ps,
                               j->path), " ELSE false END", NULL);
    default:
        return exists(p, v, ps, j->path);
    }
}

static const char *op_expr(const jop_t *j, const char *v, const char *ps,
                           const char *fs, const char *val)
{
    apr_pool_t *p = j->pl->p;

    switch (j->kind) {
    case CHATS_OP_ADD:
        return add_expr(p, v, ps, j->path, val);
    case CHATS_OP_REMOVE:
        return apr_pstrcat(p, "(", v, " #- ", ps, ")", NULL);
    case CHATS_OP_REPLACE:
        return apr_pstrcat(p, "jsonb_set(", v, ", ", ps, ", ", val,
                           ", false)", NULL);
    case CHATS_OP_COPY:
        return add_expr(p, v, ps, j->path, apr_pstrcat(
                            p, "(", v, " #> ", fs, ")", NULL));
    default:                                             /* move */
        return add_expr(p, apr_pstrcat(p, "(", v, " #- ", fs, ")", NULL),
                        ps, j->path, apr_pstrcat(p, "(", v, " #> ", fs, ")",
                                                 NULL));
    }
}

/* ---- the op in a plan ------------------------------------------------- */

static void fail(const jop_t *j, chats_ecode_t code, const char *name,
                 const char *what)
{
    chats_plan_fail(j->o, chats_err_make(j->pl->p, code, name, "%s: %s",
                                         name, what));
}

/* A text value bound where it is used (a path as a text[] literal, a
 * value's JSON text). */
static chats_pval_t bound(const char *text, chats_ptype_e type)
{
    chats_pval_t pv;

    memset(&pv, 0, sizeof(pv));
    pv.bound = 1;
    pv.text = text;
    pv.type = type;
    return pv;
}

/* The field's value is known here (replaced whole earlier in the
 * patch): the engine applies the op, and the field is written whole,
 * with every check of a whole value. */
static void on_known(const jop_t *j, const chats_doc_t *cur)
{
    apr_pool_t *p = j->pl->p;
    apr_array_header_t *ops = apr_array_make(p, 1, sizeof(chats_op_t));
    chats_op_t *op = apr_array_push(ops);
    chats_doc_t *doc = (chats_doc_t *)cur;
    chats_err_t *e;

    memset(op, 0, sizeof(*op));
    op->kind = j->kind;
    op->path = pointer(p, j->path);
    op->from = j->from ? pointer(p, j->from) : NULL;
    op->value = (chats_doc_t *)j->value;
    if ((e = chats_patch_apply(&doc, ops, CHATS_PATCH_ALL_OPS, NULL,
                               p)) != NULL) {
        fail(j, e->code, j->from && strstr(e->message, "from")
                         ? j->from_name : j->name, e->message);
    }
    else if (j->kind != CHATS_OP_TEST) {
        chats_plan_on_field(j->o, j->f, CHATS_OP_REPLACE, doc);
    }
}

/* What is written below the field passes what a whole value must: its
 * shape (a string where the field holds strings), no U+0000, and the
 * caller's own check (a header's name and value). A value one level
 * down is checked as the field with that one member or element; deeper
 * ones only for U+0000 (a field of strings has no deeper values). A
 * value moved or copied is the field's own, checked when written: only
 * its new name is. */
static int value_ok(const jop_t *j)
{
    apr_pool_t *p = j->pl->p;
    const chats_field_t *f = j->f;
    const char *last = TOK(j->path, j->path->nelts - 1);
    int obj = (f->flags & CHATS_FF_JSON_OBJECT) != 0;
    chats_field_t loose = *f;
    chats_doc_t *w, *canon;
    chats_err_t *e;

    if (j->kind == CHATS_OP_REMOVE || (!j->value && !obj)) {
        return 1;
    }
    w = obj || j->path->nelts > 1 ? chats_doc_object(p) : chats_doc_array(p);
    if (obj || j->path->nelts > 1) {
        chats_doc_object_set(w, last, strlen(last), j->value ? (chats_doc_t *)
                             j->value : chats_doc_string(p, "", 0), 0, p);
    }
    else {
        chats_doc_array_push(w, (chats_doc_t *)j->value);
    }
    loose.flags = CHATS_FF_JSON_OBJECT;
    e = j->path->nelts > 1
        ? chats_entity_coerce_as(&loose, j->name, w, &canon, p)
        : chats_entity_coerce_as(f, obj ? f->name : j->name, w, &canon, p);
    if (!e && j->path->nelts == 1 && j->pl->in.check) {
        e = j->pl->in.check(j->pl->in.check_ctx, p, f, j->name, canon);
    }
    if (e) {
        /* an error of the whole field is this member's */
        if (e->field && !strcmp(e->field, f->name)) {
            e->field = j->name;
        }
        chats_plan_fail(j->o, e);
        return 0;
    }
    return 1;
}

/* The value of f before the op, in a check: v over "jv" (or the row's
 * column), its predicate body over v made a check with slots s. */
static void add_check(const jop_t *j, const char *body, int plain,
                      const char *cur, const chats_slots_t *s,
                      chats_err_t *err)
{
    err->op_index = j->o->index;
    chats_plan_add_slot_check(j->pl, let(j->pl->p, cur, body, plain), 1, s,
                              err);
}

/* v holds a U+0000, which jsonb cannot. */
static int has_nul(apr_pool_t *p, const chats_doc_t *v)
{
    chats_field_t any;
    chats_doc_t *w = chats_doc_object(p), *canon;

    memset(&any, 0, sizeof(any));
    any.name = "";
    any.type = CHATS_F_JSON;
    any.flags = CHATS_FF_JSON_OBJECT;
    chats_doc_object_set(w, "", 0, (chats_doc_t *)v, 0, p);
    return chats_entity_coerce(&any, w, &canon, p) != NULL;
}

static chats_err_t *test_failed(const jop_t *j)
{
    chats_err_t *e = chats_err_make(j->pl->p, CHATS_E_TEST_FAILED, j->name,
                                    "test failed: %s has another value",
                                    j->name);

    e->op_index = j->o->index;
    return e;
}

/* A test below the field: the path exists (400, as the engine's), and
 * has the value (409). jsonb's equality is RFC 6902's: numbers by
 * value, members in any order. */
static void sql_test(const jop_t *j, const char *cur, int plain)
{
    apr_pool_t *p = j->pl->p;
    const char *v = plain ? cur : "jv", *ps, *val;
    chats_pval_t path = bound(text_array(p, j->path), CHATS_P_TEXT), pv;
    chats_slots_t s;

    chats_slots_init(&s, p);
    ps = apr_pstrcat(p, "(", chats_slot_sql(&s, &path), "::text[])", NULL);
    add_check(j, exists(p, v, ps, j->path), plain, cur, &s,
              chats_err_make(p, CHATS_E_PATH, j->name, "%s: the path does "
                             "not exist", j->name));
    if (has_nul(p, j->value)) {         /* jsonb has none: never equal */
        chats_plan_add_check(j->pl, NULL, 0, test_failed(j));
        return;
    }
    pv = bound(chats_doc_to_json(p, j->value, 0), CHATS_P_JSONB);
    val = chats_slot_sql(&s, &pv);
    add_check(j, apr_pstrcat(p, "(", v, " #> ", ps, ") = ", val, NULL),
              plain, cur, &s, test_failed(j));
}

/* The field's value after the op: the op over the value before it,
 * where its check holds (the check again, with parameters of its own),
 * else that value unchanged. */
static void set_step(const jop_t *j, const char *cur, int plain,
                     const chats_pval_t *path, const chats_pval_t *from)
{
    chats_plan_t *pl = j->pl;
    apr_pool_t *p = pl->p;
    const char *v = plain ? cur : "jv", *ps, *fs = NULL, *val = NULL, *body;
    chats_pval_t step;

    ps = apr_pstrcat(p, "(", chats_plan_typed_param(pl, path->text,
                                                    CHATS_P_TEXT),
                     "::text[])", NULL);
    if (from) {
        fs = apr_pstrcat(p, "(", chats_plan_typed_param(pl, from->text,
                                                        CHATS_P_TEXT),
                         "::text[])", NULL);
    }
    if (j->value) {
        val = chats_plan_typed_param(pl, chats_doc_to_json(p, j->value, 0),
                                     CHATS_P_JSONB);
    }
    body = apr_pstrcat(p, "CASE WHEN ", op_ok(j, v, ps, fs), " THEN ",
                       op_expr(j, v, ps, fs, val), " ELSE ", v, " END",
                       NULL);
    memset(&step, 0, sizeof(step));
    step.field = j->f;
    step.type = CHATS_P_JSONB;
    step.sql = plain ? apr_pstrcat(p, "(", body, ")", NULL)
                     : let(p, cur, body, 0);
    pl->set[chats_plan_field_index(pl, j->f)] = step;
}

/* A write below the field: its check over the value before it, then the
 * field's value is the step's expression over that value. */
static void sql_write(const jop_t *j, const char *cur, int plain)
{
    chats_plan_t *pl = j->pl;
    apr_pool_t *p = pl->p;
    const char *v = plain ? cur : "jv", *ps, *fs = NULL;
    chats_pval_t path = bound(text_array(p, j->path), CHATS_P_TEXT), from;
    chats_slots_t s;

    memset(&from, 0, sizeof(from));
    if (pl->json_steps++ == JSON_MAX_STEPS) {
        fail(j, CHATS_E_INVALID, j->name, apr_psprintf(
                 p, "at most %d ops below JSON fields in one patch: replace "
                 "the whole field", JSON_MAX_STEPS));
        return;
    }
    if (j->from) {
        from = bound(text_array(p, j->from), CHATS_P_TEXT);
        chats_slots_init(&s, p);
        fs = apr_pstrcat(p, "(", chats_slot_sql(&s, &from), "::text[])",
                         NULL);
        add_check(j, exists(p, v, fs, j->from), plain, cur, &s,
                  chats_err_make(p, CHATS_E_PATH, j->from_name, "%s: the "
                                 "from location does not exist",
                                 j->from_name));
    }
    chats_slots_init(&s, p);
    if (j->from) {
        fs = apr_pstrcat(p, "(", chats_slot_sql(&s, &from), "::text[])",
                         NULL);
    }
    ps = apr_pstrcat(p, "(", chats_slot_sql(&s, &path), "::text[])", NULL);
    add_check(j, j->kind == CHATS_OP_ADD || j->from ? op_ok(j, v, ps, fs)
                                                   : exists(p, v, ps, j->path),
              plain, cur, &s,
              chats_err_make(p, CHATS_E_PATH, j->name, "%s: %s", j->name,
                             j->kind == CHATS_OP_ADD || j->from
                             ? "the path's parent does not exist, or is an "
                               "array without this index"
                             : "the path does not exist"));
    set_step(j, cur, plain, &path, j->from ? &from : NULL);
}

/* Is a a proper prefix of b? */
static int proper_prefix(const apr_array_header_t *a,
                         const apr_array_header_t *b)
{
    int i;

    for (i = 0; i < a->nelts && i < b->nelts; i++) {
        if (strcmp(TOK(a, i), TOK(b, i))) {
            return 0;
        }
    }
    return a->nelts < b->nelts;
}

void chats_plan_on_json(const chats_op_ctx_t *o, const chats_field_t *f,
                        const apr_array_header_t *t,
                        const apr_array_header_t *ft, const chats_op_t *op)
{
    chats_plan_t *pl = o->pl;
    chats_pval_t cur;
    jop_t j;
    int plain;

    memset(&j, 0, sizeof(j));
    j.o = o;
    j.pl = pl;
    j.f = f;
    j.kind = op->kind;
    j.path = below(pl->p, t);
    j.from = ft ? below(pl->p, ft) : NULL;
    j.name = path_name(pl->p, f, j.path);
    j.from_name = j.from ? path_name(pl->p, f, j.from) : NULL;
    j.value = op->value;
    if ((f->flags & (CHATS_FF_READONLY | CHATS_FF_DERIVED))
        && j.kind != CHATS_OP_TEST) {
        fail(&j, CHATS_E_READONLY, j.name, "read-only");
        return;
    }
    if (j.kind == CHATS_OP_MOVE && proper_prefix(j.from, j.path)) {
        fail(&j, CHATS_E_INVALID, j.name, "a value cannot be moved into "
             "itself");
        return;
    }
    cur = chats_plan_current(pl, f);
    if (cur.canon) {
        on_known(&j, cur.canon);
        return;
    }
    plain = pl->set[chats_plan_field_index(pl, f)].sql == NULL;
    if (j.kind == CHATS_OP_TEST) {
        sql_test(&j, cur.sql, plain);
    }
    else if (value_ok(&j)) {
        sql_write(&j, cur.sql, plain);
    }
}
