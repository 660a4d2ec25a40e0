/* Compiling writes into plans (chats_plan.h): checks and their values,
 * and JSON Patch ops on fields and carrier members. Ops are dispatched
 * by path in chats_plan_group.c; merge patches and whole entities become
 * ops in chats_plan_merge.c. */
#include <apr_strings.h>
#include <string.h>

#include "chats_datetime.h"
#include "chats_entity.h"
#include "chats_plan.h"
#include "chats_plan_private.h"

typedef chats_op_ctx_t op_ctx_t;

const char *chats_plan_param(chats_plan_t *pl, const char *value,
                             chats_ptype_e type)
{
    chats_param_t *prm = apr_array_push(pl->params);

    prm->value = value;
    prm->type = type;
    return apr_psprintf(pl->p, "$%d", pl->params->nelts);
}

/* "$n::type", or a typed NULL. */
const char *chats_plan_typed_param(chats_plan_t *pl, const char *value,
                                  chats_ptype_e type)
{
    return apr_pstrcat(pl->p, value ? chats_plan_param(pl, value, type)
                                    : "NULL", "::",
                       chats_sql_ptype_name(type), NULL);
}

int chats_plan_nset(const chats_plan_t *pl)
{
    int i, n = 0;

    for (i = 0; i < pl->nfields; i++) {
        n += pl->set[i].sql != NULL;
    }
    return n;
}

/* Field i writes v: through the field's one parameter, whatever number
 * of ops set it (checks carry the values they compare themselves). */
static void set_value(chats_plan_t *pl, int i, chats_pval_t v)
{
    chats_param_t *prm;
    const char *n;

    if (!pl->set_param[i]) {
        chats_plan_param(pl, NULL, v.type);
        pl->set_param[i] = pl->params->nelts;
    }
    prm = &APR_ARRAY_IDX(pl->params, pl->set_param[i] - 1, chats_param_t);
    prm->value = v.text;
    prm->type = v.type;
    n = apr_psprintf(pl->p, "$%d::%s", pl->set_param[i],
                     chats_sql_ptype_name(v.type));
    v.sql = v.type == CHATS_P_TIMESTAMP
            ? apr_pstrcat(pl->p, "(", n, " AT TIME ZONE $1)", NULL) : n;
    pl->set[i] = v;
}

/* ---- checks ------------------------------------------------------------ */

typedef chats_slots_t slots_t;

void chats_slots_init(slots_t *s, apr_pool_t *p)
{
    memset(s, 0, sizeof(*s));
    s->p = p;
}

/* Value pv in a check's SQL: the row's column, a typed NULL, or a slot
 * (a local date-time converted in the request's zone, $1). A check
 * compares two values at most (a member: its carrier's key and its
 * value), so the slots never run out; the bound only guards memory. */
const char *chats_slot_sql(slots_t *s, const chats_pval_t *pv)
{
    const char *ref;

    if (!pv->bound) {
        return pv->sql;
    }
    if (!pv->text || s->n == CHATS_PLAN_SLOTS) {
        return apr_pstrcat(s->p, "NULL::", chats_sql_ptype_name(pv->type),
                           NULL);
    }
    s->val[s->n] = pv->text;
    s->type[s->n] = pv->type;
    ref = apr_psprintf(s->p, "$@%d", s->n++);
    return pv->type == CHATS_P_TIMESTAMP
           ? apr_pstrcat(s->p, "(", ref, " AT TIME ZONE $1)", NULL) : ref;
}

/* Is this check (predicate and values) one the plan has? An identical
 * check later in the plan can never be the first to fail: it is left
 * out, so that a patch repeating one op is one check. */
static int seen_before(chats_plan_t *pl, const char *sql, const slots_t *s)
{
    const char *key = sql;
    apr_size_t len;
    int k;

    for (k = 0; s && k < s->n; k++) {
        key = apr_psprintf(pl->p, "%s\n%d:%s", key, (int)s->type[k],
                           s->val[k] ? apr_psprintf(pl->p, "%" APR_SIZE_T_FMT
                                                    ":%s", strlen(s->val[k]),
                                                    s->val[k]) : "-");
    }
    len = strlen(key);
    if (apr_hash_get(pl->seen, key, (apr_ssize_t)len)) {
        return 1;
    }
    apr_hash_set(pl->seen, key, (apr_ssize_t)len, "");
    return 0;
}

void chats_plan_add_slot_check(chats_plan_t *pl, const char *sql, int pass,
                               const slots_t *s, chats_err_t *err)
{
    chats_check_t *c;
    int k;

    if (pl->failed >= 0) {
        return;                   /* the answer is decided already */
    }
    if (sql && seen_before(pl, sql, s)) {
        return;
    }
    c = apr_array_push(pl->checks);
    memset(c, 0, sizeof(*c));
    c->sql = sql;
    c->pass = sql ? 1 : pass;
    c->err = err;
    for (k = 0; sql && s && k < s->n; k++) {
        c->slot[k] = s->val[k];
        c->slot_type[k] = s->type[k];
    }
    c->nslots = sql && s ? s->n : 0;
    if (!sql && !pass) {
        pl->failed = pl->checks->nelts - 1;
    }
}

void chats_plan_add_check(chats_plan_t *pl, const char *sql, int pass,
                          chats_err_t *err)
{
    chats_plan_add_slot_check(pl, sql, pass, NULL, err);
}

static chats_err_t *at(const op_ctx_t *o, chats_err_t *e)
{
    e->op_index = o ? o->index : -1;
    return e;
}

static void fail(chats_plan_t *pl, chats_err_t *err)
{
    chats_plan_add_check(pl, NULL, 0, err);
}

void chats_plan_fail(const chats_op_ctx_t *o, chats_err_t *err)
{
    fail(o->pl, at(o, err));
}

/* The name errors give f: its path under the op's group, if any. */
static const char *fname(const op_ctx_t *o, const chats_field_t *f)
{
    return o->prefix ? apr_pstrcat(o->pl->p, o->prefix, f->name, NULL)
                     : f->name;
}

/* The check "a equals b": decided here when both values are known,
 * otherwise by PostgreSQL (a row value, or a local date-time). */
void chats_plan_check_equal(chats_plan_t *pl, chats_pval_t *a,
                            chats_pval_t *b, chats_err_t *err)
{
    slots_t s;
    const char *sa, *sb;

    if (a->canon && b->canon) {
        chats_plan_add_check(pl, NULL, chats_doc_equal(a->canon, b->canon), err);
        return;
    }
    chats_slots_init(&s, pl->p);
    sa = chats_slot_sql(&s, a);
    sb = chats_slot_sql(&s, b);
    chats_plan_add_slot_check(pl, apr_pstrcat(pl->p, sa,
                                              " IS NOT DISTINCT FROM ", sb,
                                              NULL), 1, &s, err);
}

/* ---- values ------------------------------------------------------------ */

int chats_plan_field_index(const chats_plan_t *pl, const chats_field_t *f)
{
    return chats_schema_index(pl->in.entity, f);
}

/* A canonical value of field f as a plan value. */
static chats_pval_t canon_val(apr_pool_t *p, const chats_field_t *f,
                              const chats_doc_t *v)
{
    chats_pval_t pv;

    memset(&pv, 0, sizeof(pv));
    pv.canon = v;
    pv.field = f;
    pv.bound = 1;
    pv.text = v ? chats_entity_param(p, f, v) : NULL;
    pv.type = chats_sql_ptype(f->type);
    return pv;
}

/* The value field f has before the current op: set by an earlier op,
 * known (the template; the key is the URL's id), or the row's (a
 * derived field's expression over it). */
chats_pval_t chats_plan_current(chats_plan_t *pl, const chats_field_t *f)
{
    chats_pval_t pv;
    const chats_field_t *g;
    const chats_doc_t *in = pl->cur;
    int i = chats_plan_field_index(pl, f);

    if (pl->set[i].sql) {
        return pl->set[i];
    }
    if (in) {
        if ((g = chats_schema_group_of(pl->in.entity, f)) != NULL) {
            in = chats_doc_object_get(in, g->name, strlen(g->name), 0);
        }
        return canon_val(pl->p, f, in ? chats_doc_object_get(
                                            in, f->name, strlen(f->name), 0)
                                      : NULL);
    }
    if (f->flags & CHATS_FF_KEY) {
        return canon_val(pl->p, f, chats_doc_int(pl->p, pl->in.id));
    }
    memset(&pv, 0, sizeof(pv));
    pv.field = f;
    pv.sql = chats_sql_field_value(pl->p, f);
    return pv;
}

/* An offset-less date-time string, when the request has a zone: local
 * time there, converted by PostgreSQL. *pv unset (0) otherwise. */
static int local_datetime(chats_plan_t *pl, const chats_doc_t *v,
                          chats_pval_t *pv)
{
    apr_int64_t wall;
    const char *text;

    if (!pl->in.zone || !v || v->type != CHATS_J_STRING
        || chats_dt_has_designator(v->s, v->len)
        || !chats_dt_parse(v->s, v->len, &wall)) {
        return 0;
    }
    text = chats_dt_format_sql(pl->p, wall);        /* "...+00" dropped */
    memset(pv, 0, sizeof(*pv));
    pv->bound = 1;
    pv->text = apr_pstrndup(pl->p, text, strlen(text) - 3);
    pv->type = CHATS_P_TIMESTAMP;
    return 1;
}

/* A client value for field f (named name in errors) as a plan value, or
 * the error. */
static chats_err_t *client_val(chats_plan_t *pl, const chats_field_t *f,
                               const char *name, const chats_doc_t *v,
                               chats_pval_t *pv)
{
    chats_doc_t *canon;
    chats_err_t *e;

    if (f->type == CHATS_F_DATETIME && local_datetime(pl, v, pv)) {
        return NULL;
    }
    if ((e = chats_entity_coerce_as(f, name, v, &canon, pl->p)) != NULL) {
        return e;
    }
    *pv = canon_val(pl->p, f, canon);
    return NULL;
}

/* ---- ops on whole fields ----------------------------------------------- */

static chats_err_t *test_failed(apr_pool_t *p, const char *field)
{
    return chats_err_make(p, CHATS_E_TEST_FAILED, field,
                          "test failed: %s has another value", field);
}

static chats_err_t *read_only(apr_pool_t *p, const char *field)
{
    return chats_err_make(p, CHATS_E_READONLY, field, "%s is read-only",
                          field);
}

chats_err_t *chats_plan_write_only(apr_pool_t *p, const char *field)
{
    return chats_err_make(p, CHATS_E_INVALID, field, "%s is write-only",
                          field);
}

void chats_plan_on_field(const chats_op_ctx_t *o, const chats_field_t *f,
                         chats_opkind_e kind, const chats_doc_t *value)
{
    chats_plan_t *pl = o->pl;
    const char *name = fname(o, f);
    chats_pval_t v, cur;
    chats_err_t *e;

    if ((f->flags & CHATS_FF_DERIVED) && kind != CHATS_OP_TEST) {
        fail(pl, at(o, read_only(pl->p, name)));   /* nothing to compare */
        return;
    }
    if ((f->flags & CHATS_FF_WRITEONLY) && kind == CHATS_OP_TEST) {
        /* a test would tell the secret, one guess at a time */
        fail(pl, at(o, chats_plan_write_only(pl->p, name)));
        return;
    }
    if (kind == CHATS_OP_REMOVE) {
        v = canon_val(pl->p, f, chats_entity_default(pl->p, pl->in.entity,
                                                     f));
        kind = CHATS_OP_REPLACE;
    }
    else if ((e = client_val(pl, f, name, value, &v)) != NULL) {
        fail(pl, at(o, e));
        return;
    }
    if (kind != CHATS_OP_TEST && pl->in.check && v.canon
        && (e = pl->in.check(pl->in.check_ctx, pl->p, f, name, v.canon)) != NULL) {
        fail(pl, at(o, e));
        return;
    }
    if (kind == CHATS_OP_TEST) {
        cur = chats_plan_current(pl, f);
        chats_plan_check_equal(pl, &cur, &v, at(o, test_failed(pl->p, name)));
    }
    else if (f->flags & CHATS_FF_READONLY) {
        cur = chats_plan_current(pl, f);
        chats_plan_check_equal(pl, &cur, &v, at(o, read_only(pl->p, name)));
    }
    else {
        set_value(pl, chats_plan_field_index(pl, f), v);
    }
}

/* ---- ops on carrier members -------------------------------------------- */

/* A member's value as its canonical document form compares: strings,
 * numbers and booleans of a missing row read as "", 0 and false. */
static const char *member_canon_sql(apr_pool_t *p, const chats_subfield_t *s,
                                    const char *value)
{
    switch (s->type) {
    case CHATS_F_STRING:
        return apr_pstrcat(p, "coalesce(", value, ", '')", NULL);
    case CHATS_F_BOOL:
        return apr_pstrcat(p, "coalesce(", value, ", false)", NULL);
    case CHATS_F_DATETIME:
        return value;
    default:
        return apr_pstrcat(p, "coalesce(", value, ", 0)", NULL);
    }
}

/* A client value for member s, compared as the member's type (an echoed
 * date-time in another form is the same instant, an enum by number is
 * its name): 0 when it cannot be one, so it equals no value. */
static int member_val(chats_plan_t *pl, const chats_subfield_t *s,
                      const chats_doc_t *v, chats_pval_t *pv)
{
    chats_field_t as_field;
    chats_doc_t *canon;

    memset(&as_field, 0, sizeof(as_field));
    as_field.name = s->name;
    as_field.type = s->type;
    as_field.enums = s->enums;
    if (s->type == CHATS_F_DATETIME && local_datetime(pl, v, pv)) {
        return 1;
    }
    memset(pv, 0, sizeof(*pv));
    pv->bound = 1;
    if (s->type == CHATS_F_INT16 || s->type == CHATS_F_DOUBLE) {
        /* compared as numbers, like the engine's equality */
        if (v->type != CHATS_J_NUMBER) {
            return 0;
        }
        canon = (chats_doc_t *)v;
        if (s->type == CHATS_F_INT16) {
            as_field.type = CHATS_F_INT32;
            if (chats_entity_coerce(&as_field, v, &canon, pl->p) != NULL) {
                return 0;
            }
        }
        pv->canon = canon;
        pv->text = canon->s;
        pv->type = s->type == CHATS_F_DOUBLE ? CHATS_P_FLOAT8 : CHATS_P_INT4;
        return 1;
    }
    if (chats_entity_coerce(&as_field, v, &canon, pl->p) != NULL) {
        return 0;
    }
    pv->canon = canon;
    pv->text = chats_entity_param(pl->p, &as_field, canon);
    pv->type = chats_sql_ptype(as_field.type);
    return 1;
}

/* The check that member s of carrier f, in the carrier row keyed by key,
 * has the value v (a client value; JSON null also matches a carrier that
 * is not there). */
static void check_member(const op_ctx_t *o, const chats_field_t *f,
                         const chats_subfield_t *s, const chats_pval_t *key,
                         const chats_doc_t *v, chats_err_t *err)
{
    chats_plan_t *pl = o->pl;
    chats_pval_t pv;
    slots_t sl;
    const char *k, *same;
    int null = (v->type == CHATS_J_NULL);

    chats_slots_init(&sl, pl->p);
    k = chats_slot_sql(&sl, key);
    if (!member_val(pl, s, v, &pv)) {
        /* no such value: only "no carrier" can match a null */
        chats_plan_add_slot_check(pl, null ? apr_pstrcat(pl->p, k,
                                                         " IS NULL", NULL)
                                           : NULL, 0, &sl, at(o, err));
        return;
    }
    same = apr_pstrcat(pl->p, member_canon_sql(pl->p, s, chats_sql_member(
                                                   pl->p, f, s, k)),
                       " IS NOT DISTINCT FROM ", chats_slot_sql(&sl, &pv),
                       NULL);
    chats_plan_add_slot_check(pl, apr_pstrcat(pl->p, "(", k,
                                              null ? " IS NULL OR "
                                                   : " IS NOT NULL AND ",
                                              same, ")", NULL),
                              1, &sl, at(o, err));
}

/* Ops on a member other than the key: members are derived from the
 * referenced row, so they are read-only: removing one is accepted only
 * where there is nothing (no carrier, or a null date-time), giving one a
 * value only where it has that value. */
static void plan_derived(const op_ctx_t *o, const chats_field_t *f,
                         const chats_subfield_t *s, chats_opkind_e kind,
                         const chats_doc_t *value)
{
    chats_plan_t *pl = o->pl;
    const char *path = apr_pstrcat(pl->p, fname(o, f), "/", s->name, NULL);
    chats_pval_t key = chats_plan_current(pl, f);
    int repointed = pl->set[chats_plan_field_index(pl, f)].sql != NULL;
    slots_t sl;
    const char *k;

    if (kind == CHATS_OP_TEST) {
        check_member(o, f, s, &key, value, test_failed(pl->p, path));
        return;
    }
    /* Members of a carrier this patch re-pointed are echoes of the new
     * row's, not ours to check. */
    if (repointed) {
        return;
    }
    if (kind == CHATS_OP_REMOVE) {
        chats_slots_init(&sl, pl->p);
        k = chats_slot_sql(&sl, &key);
        chats_plan_add_slot_check(
            pl, apr_pstrcat(pl->p, "(", k, " IS NULL",
                            s->type == CHATS_F_DATETIME
                            ? apr_pstrcat(pl->p, " OR ",
                                          chats_sql_member(pl->p, f, s, k),
                                          " IS NULL", NULL) : "",
                            ")", NULL), 1, &sl,
            at(o, read_only(pl->p, path)));
        return;
    }
    check_member(o, f, s, &key, value, read_only(pl->p, path));
}

void chats_plan_on_member(const chats_op_ctx_t *o, const chats_field_t *f,
                          const char *name, chats_opkind_e kind,
                          const chats_doc_t *value)
{
    chats_plan_t *pl = o->pl;
    const chats_subfield_t *s = chats_carrier_find(f->carrier, name,
                                                   strlen(name));
    chats_doc_t *wrapped;

    if (!s) {
        const char *path = apr_pstrcat(pl->p, fname(o, f), "/", name, NULL);

        fail(pl, at(o, chats_err_make(pl->p, CHATS_E_INVALID, path,
                                      "unknown field %s", path)));
        return;
    }
    if (s != &f->carrier->fields[0]) {
        plan_derived(o, f, s, kind, value);
        return;
    }
    /* The key: the same as an op on the whole carrier with {key: v}. */
    if (kind == CHATS_OP_REMOVE) {
        chats_plan_on_field(o, f, kind, NULL);
        return;
    }
    wrapped = chats_doc_object(pl->p);
    chats_doc_object_set(wrapped, s->name, strlen(s->name),
                         (chats_doc_t *)value, 0, pl->p);
    chats_plan_on_field(o, f, kind == CHATS_OP_ADD ? CHATS_OP_REPLACE : kind,
                        wrapped);
}
