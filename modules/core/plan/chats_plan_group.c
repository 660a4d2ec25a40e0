/* JSON Patch ops by path (chats_plan.h), and groups in plans (design
 * §4.3): a group (OpeningHours, Widget, ...) is a value object whose
 * members are columns of the row, so every op on it is ops on its
 * members, each with the rules of its kind, its errors naming it by its
 * path ("OpeningHours/MonStart"). Also the checks that compare two
 * members of the result (a day's stop not before its start), and
 * carriers' presence. */
#include <apr_strings.h>
#include <string.h>

#include "chats_entity.h"
#include "chats_plan_private.h"

/* The context of ops on g's members: errors name them under g. */
static chats_op_ctx_t in_group(const chats_op_ctx_t *o, const chats_field_t *g)
{
    chats_op_ctx_t sub = *o;

    sub.prefix = apr_pstrcat(o->pl->p, o->prefix ? o->prefix : "", g->name,
                             "/", NULL);
    return sub;
}

static chats_err_t *invalid(apr_pool_t *p, const char *field,
                            const char *what)
{
    return chats_err_make(p, CHATS_E_INVALID, field, "%s: %s", field, what);
}

/* A test of group g as a whole that cannot pass. */
static chats_err_t *not_equal(apr_pool_t *p, const chats_field_t *g)
{
    return chats_err_make(p, CHATS_E_TEST_FAILED, g->name,
                          "test failed: %s has another value", g->name);
}

/* A name value has that is no member of g: the error naming it, or NULL
 * when every name is g's. */
static chats_err_t *unknown_member(apr_pool_t *p, const chats_field_t *g,
                                   const chats_doc_t *value)
{
    const chats_member_t *m;
    const char *path;
    int i;

    for (i = 0; i < chats_doc_object_len(value); i++) {
        m = chats_doc_object_at(value, i);
        if (!chats_group_find(g, m->name, m->name_len)) {
            path = apr_pstrcat(p, g->name, "/", apr_pstrmemdup(
                                   p, m->name, m->name_len), NULL);
            return chats_err_make(p, CHATS_E_INVALID, path,
                                  "unknown field %s", path);
        }
    }
    return NULL;
}

void chats_plan_on_group(const chats_op_ctx_t *o, const chats_field_t *g,
                         chats_opkind_e kind, const chats_doc_t *value)
{
    chats_plan_t *pl = o->pl;
    chats_op_ctx_t sub = in_group(o, g);
    const chats_field_t *m;
    const chats_doc_t *v;
    chats_err_t *e;
    int i;

    /* null is the empty group, as a merge's null is (design §1.1) */
    if (kind == CHATS_OP_REMOVE
        || (kind != CHATS_OP_TEST && value->type == CHATS_J_NULL)) {
        for (i = 0; i < g->group->nmembers; i++) {
            chats_plan_on_field(&sub, &g->group->members[i],
                                CHATS_OP_REMOVE, NULL);
        }
        return;
    }
    if (value->type != CHATS_J_OBJECT) {
        chats_plan_fail(o, kind == CHATS_OP_TEST       /* never equal */
                        ? not_equal(pl->p, g)
                        : invalid(pl->p, g->name, apr_pstrcat(
                                       pl->p, "expected a ",
                                       g->group->type_name, " object",
                                       NULL)));
        return;
    }
    if ((e = unknown_member(pl->p, g, value)) != NULL) {
        chats_plan_fail(o, e);
        return;
    }
    for (i = 0; i < g->group->nmembers && pl->failed < 0; i++) {
        m = &g->group->members[i];
        v = chats_doc_object_get(value, m->name, strlen(m->name), 1);
        if (kind == CHATS_OP_TEST && !v) {
            /* the canonical group has every member */
            chats_plan_fail(o, not_equal(pl->p, g));
        }
        else {
            chats_plan_on_field(&sub, m, kind == CHATS_OP_TEST
                                ? kind : v ? CHATS_OP_REPLACE
                                           : CHATS_OP_REMOVE, v);
        }
    }
}

void chats_plan_on_group_path(const chats_op_ctx_t *o, const chats_field_t *g,
                              const apr_array_header_t *t,
                              chats_opkind_e kind, const chats_doc_t *value)
{
    chats_plan_t *pl = o->pl;
    const char *name = APR_ARRAY_IDX(t, 1, const char *);
    const chats_field_t *m = chats_group_find(g, name, strlen(name));
    chats_op_ctx_t sub = in_group(o, g);
    const char *path = apr_pstrcat(pl->p, g->name, "/", name, NULL);

    if (!m) {
        chats_plan_fail(o, chats_err_make(pl->p, CHATS_E_INVALID, path,
                                          "unknown field %s", path));
    }
    else if (t->nelts == 2) {
        chats_plan_on_field(&sub, m, kind == CHATS_OP_ADD ? CHATS_OP_REPLACE
                                                          : kind, value);
    }
    else if (t->nelts == 3 && m->type == CHATS_F_CARRIER) {
        chats_plan_on_member(&sub, m, APR_ARRAY_IDX(t, 2, const char *),
                             kind, value);
    }
    else {
        path = apr_pstrcat(pl->p, g->name, "/", m->name, NULL);
        chats_plan_fail(o, chats_err_make(pl->p, CHATS_E_INVALID, path,
                                          "%s has no member %s", path,
                                          APR_ARRAY_IDX(t, 2, const char *)));
    }
}

/* ---- ops by path ------------------------------------------------------ */

#define PLAN_PATH_FLAGS (CHATS_PATCH_CASEI | CHATS_PATCH_SLASH_OPT)

static chats_err_t *bad(apr_pool_t *p, const char *field, const char *fmt,
                        const char *arg)
{
    return chats_err_make(p, CHATS_E_INVALID, field, fmt, arg);
}

/* A move or copy: below one JSON field, from and path both (a value
 * of another field is of another kind, or checked otherwise). */
static void plan_from(const chats_op_ctx_t *o, const chats_field_t *f,
                      const apr_array_header_t *t, const chats_op_t *op)
{
    apr_pool_t *p = o->pl->p;
    apr_array_header_t *ft = NULL;
    const chats_field_t *src;
    const char *name;
    chats_err_t *e;

    if (!op->from) {
        chats_plan_fail(o, bad(p, "from", "%s", "missing from"));
        return;
    }
    if ((e = chats_pointer_parse(&ft, op->from, PLAN_PATH_FLAGS, p))) {
        chats_plan_fail(o, e);
        return;
    }
    name = ft->nelts ? APR_ARRAY_IDX(ft, 0, const char *) : "";
    src = chats_schema_find(o->pl->in.entity, name, strlen(name));
    if (src && (src->flags & CHATS_FF_WRITEONLY)) {
        /* a copy would read the secret back */
        chats_plan_fail(o, chats_plan_write_only(p, src->name));
    }
    else if (f->type == CHATS_F_JSON && src == f && t->nelts > 1
             && ft->nelts > 1) {
        chats_plan_on_json(o, f, t, ft, op);
    }
    else {
        chats_plan_fail(o, bad(p, f->name, "%s",
                               "move and copy are supported only below "
                               "one JSON field"));
    }
}

/* An op on the field path t names (its first token known to be f). */
static void plan_on(const chats_op_ctx_t *o, const chats_field_t *f,
                    const apr_array_header_t *t, const chats_op_t *op)
{
    apr_pool_t *p = o->pl->p;

    if (op->kind == CHATS_OP_MOVE || op->kind == CHATS_OP_COPY) {
        plan_from(o, f, t, op);
    }
    else if (f->flags & CHATS_FF_WRITEONLY && t->nelts > 1) {
        chats_plan_fail(o, chats_plan_write_only(p, f->name));
    }
    else if (t->nelts > 1 && f->type == CHATS_F_JSON) {
        /* its members are data, below it in SQL (chats_plan_json.c) */
        chats_plan_on_json(o, f, t, NULL, op);
    }
    else if (t->nelts == 1 && f->type == CHATS_F_GROUP) {
        chats_plan_on_group(o, f, op->kind, op->value);
    }
    else if (t->nelts == 1) {
        chats_plan_on_field(o, f, op->kind, op->value);
    }
    else if (t->nelts == 2 && f->type == CHATS_F_CARRIER) {
        chats_plan_on_member(o, f, APR_ARRAY_IDX(t, 1, const char *),
                             op->kind, op->value);
    }
    else if (f->type == CHATS_F_GROUP) {
        chats_plan_on_group_path(o, f, t, op->kind, op->value);
    }
    else {
        chats_plan_fail(o, chats_err_make(p, CHATS_E_INVALID, f->name,
                                          "%s has no member %s", f->name,
                                          APR_ARRAY_IDX(t, 1, const char *)));
    }
}

static void plan_op(const chats_op_ctx_t *o, const chats_op_t *op)
{
    chats_plan_t *pl = o->pl;
    apr_array_header_t *t;
    const chats_field_t *f;
    const char *name;
    chats_err_t *e;

    if (!op->path) {
        chats_plan_fail(o, bad(pl->p, op->member, "%s", "missing path"));
        return;
    }
    if ((e = chats_pointer_parse(&t, op->path, PLAN_PATH_FLAGS, pl->p))) {
        chats_plan_fail(o, e);
        return;
    }
    if (t->nelts == 0) {
        chats_plan_fail(o, bad(pl->p, NULL, "%s",
                               "a path must name a field"));
        return;
    }
    name = APR_ARRAY_IDX(t, 0, const char *);
    if (chats_schema_is_ignored(name, strlen(name))) {
        return;                          /* response-only, echoed back */
    }
    if (!(f = chats_schema_find(pl->in.entity, name, strlen(name)))) {
        chats_plan_fail(o, bad(pl->p, name, "unknown field %s", name));
        return;
    }
    plan_on(o, f, t, op);
}

void chats_plan_op(chats_plan_t *pl, const chats_op_t *op, int index)
{
    chats_op_ctx_t o;

    o.pl = pl;
    o.index = index;
    o.prefix = NULL;
    if (pl->failed < 0) {
        plan_op(&o, op);
    }
}

void chats_plan_ops(chats_plan_t *pl, const apr_array_header_t *ops,
                    int by_member)
{
    int i;

    for (i = 0; i < ops->nelts && pl->failed < 0; i++) {
        chats_plan_op(pl, &APR_ARRAY_IDX(ops, i, chats_op_t),
                      by_member ? -1 : i);
    }
}

/* ---- checks over the result ------------------------------------------- */

/* Times of day: canonical "HH:MM:SS" strings order as the times do. */
void chats_plan_check_not_before(chats_plan_t *pl, chats_pval_t *start,
                                 chats_pval_t *stop, chats_err_t *err)
{
    chats_slots_t s;
    const char *sa, *sb;

    if (start->canon && stop->canon) {
        chats_plan_add_check(pl, NULL, start->canon->type == CHATS_J_STRING
                             && stop->canon->type == CHATS_J_STRING
                             && strcmp(stop->canon->s, start->canon->s) >= 0,
                             err);
        return;
    }
    chats_slots_init(&s, pl->p);
    sa = chats_slot_sql(&s, start);
    sb = chats_slot_sql(&s, stop);
    chats_plan_add_slot_check(pl, apr_pstrcat(pl->p, "coalesce(", sa,
                                              ", 0) <= coalesce(", sb, ", 0)",
                                              NULL), 1, &s, err);
}

/* Group g's pairs whose members the plan writes: a row read back with a
 * stop before its start is refused whether the day is enabled or not,
 * as IsOpen could not mean anything by it. */
static void group_pairs(chats_plan_t *pl, const chats_field_t *g)
{
    const chats_pair_t *pr;
    const chats_field_t *a, *b;
    chats_pval_t start, stop;
    const char *path;
    int k;

    for (k = 0; k < g->group->npairs; k++) {
        pr = &g->group->pairs[k];
        a = chats_group_find(g, pr->start, strlen(pr->start));
        b = chats_group_find(g, pr->stop, strlen(pr->stop));
        if (!a || !b || (!pl->set[chats_plan_field_index(pl, a)].sql
                         && !pl->set[chats_plan_field_index(pl, b)].sql)) {
            continue;            /* the row's own pair was checked before */
        }
        start = chats_plan_current(pl, a);
        stop = chats_plan_current(pl, b);
        path = apr_pstrcat(pl->p, g->name, "/", b->name, NULL);
        chats_plan_check_not_before(pl, &start, &stop, chats_err_make(
            pl->p, CHATS_E_INVALID, path, "%s: may not be before %s/%s",
            path, g->name, a->name));
    }
}

void chats_plan_pairs(chats_plan_t *pl)
{
    const chats_field_t *f;
    int i, n;

    f = chats_schema_fields(pl->in.entity, &n);
    for (i = 0; i < n; i++) {
        if (f[i].group && f[i].group->npairs) {
            group_pairs(pl, &f[i]);
        }
    }
}

void chats_plan_require_carrier(chats_plan_t *pl, const chats_field_t *f)
{
    chats_pval_t key = chats_plan_current(pl, f);
    const char *path = apr_pstrcat(pl->p, chats_schema_path(pl->p,
                                                            pl->in.entity, f),
                                   "/", f->carrier->fields[0].name, NULL);
    chats_err_t *e = chats_err_make(pl->p, CHATS_E_INVALID, path,
                                    "%s: expected a non-negative Int32",
                                    path);
    chats_slots_t sl;

    if (key.canon) {
        chats_plan_add_check(pl, NULL, key.canon->type != CHATS_J_NULL, e);
        return;
    }
    chats_slots_init(&sl, pl->p);
    chats_plan_add_slot_check(pl, apr_pstrcat(pl->p, chats_slot_sql(&sl, &key),
                                              " IS NOT NULL", NULL),
                              1, &sl, e);
}
