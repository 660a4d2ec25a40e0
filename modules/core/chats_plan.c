/* Compiling writes into plans (chats_plan.h): the checks every write has,
 * and JSON Patch ops on fields and carrier members. Merge patches and
 * whole entities become ops in chats_plan_merge.c. */
#include <apr_strings.h>
#include <string.h>

#include "chats_datetime.h"
#include "chats_entity.h"
#include "chats_plan.h"
#include "chats_plan_private.h"

#define PLAN_PATH_FLAGS (CHATS_PATCH_CASEI | CHATS_PATCH_SLASH_OPT)

/* What an op is compiled with: its index for errors, or -1 when errors
 * name the member instead. */
typedef struct {
    chats_plan_t *pl;
    int index;
} op_ctx_t;

const char *chats_plan_param(chats_plan_t *pl, const char *value,
                             chats_ptype_e type)
{
    chats_param_t *prm = apr_array_push(pl->params);

    prm->value = value;
    prm->type = type;
    return apr_psprintf(pl->p, "$%d", pl->params->nelts);
}

/* "$n::type", or a typed NULL. */
static const char *typed_param(chats_plan_t *pl, const char *value,
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

/* The SQL of a value: its parameter is made when a statement needs it. */
static const char *pval_sql(chats_plan_t *pl, chats_pval_t *pv)
{
    if (!pv->sql) {
        pv->sql = typed_param(pl, chats_entity_param(pl->p, pv->field,
                                                     pv->canon),
                              chats_sql_ptype(pv->field->type));
    }
    return pv->sql;
}

/* ---- checks ------------------------------------------------------------ */

static chats_err_t *at(const op_ctx_t *o, chats_err_t *e)
{
    e->op_index = o ? o->index : -1;
    return e;
}

static void add_check(chats_plan_t *pl, const char *sql, int pass,
                      chats_err_t *err)
{
    chats_check_t *c;

    if (pl->failed >= 0) {
        return;                   /* the answer is decided already */
    }
    c = apr_array_push(pl->checks);
    c->sql = sql;
    c->pass = sql ? 1 : pass;
    c->err = err;
    if (!sql && !pass) {
        pl->failed = pl->checks->nelts - 1;
    }
}

static void fail(chats_plan_t *pl, chats_err_t *err)
{
    add_check(pl, NULL, 0, err);
}

/* The check "a equals b": decided here when both values are known,
 * otherwise by PostgreSQL (a row value, or a local date-time). */
static void check_equal(chats_plan_t *pl, chats_pval_t *a, chats_pval_t *b,
                        chats_err_t *err)
{
    if (a->canon && b->canon) {
        add_check(pl, NULL, chats_doc_equal(a->canon, b->canon), err);
        return;
    }
    add_check(pl, apr_pstrcat(pl->p, pval_sql(pl, a), " IS NOT DISTINCT FROM ",
                              pval_sql(pl, b), NULL), 1, err);
}

/* ---- values ------------------------------------------------------------ */

static int field_index(const chats_field_t *f)
{
    int n;

    return (int)(f - chats_schema_fields(&n));
}

/* A canonical value of field f as a plan value. */
static chats_pval_t canon_val(const chats_field_t *f, const chats_doc_t *v)
{
    chats_pval_t pv;

    pv.canon = v;
    pv.sql = NULL;
    pv.field = f;
    return pv;
}

/* The value field f has before the current op: set by an earlier op,
 * known (the template; the key is the URL's id), or the row's. */
static chats_pval_t current(chats_plan_t *pl, const chats_field_t *f)
{
    chats_pval_t pv;
    int i = field_index(f);

    if (pl->set[i].sql) {
        return pl->set[i];
    }
    if (pl->cur) {
        return canon_val(f, chats_doc_object_get(pl->cur, f->name,
                                                 strlen(f->name), 0));
    }
    if (f->flags & CHATS_FF_KEY) {
        return canon_val(f, chats_doc_int(pl->p, pl->in.id));
    }
    pv.canon = NULL;
    pv.field = f;
    pv.sql = apr_pstrcat(pl->p, "cs.", f->column, NULL);
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
    pv->canon = NULL;
    pv->field = NULL;
    pv->sql = apr_pstrcat(pl->p, "(", chats_plan_param(
                              pl, apr_pstrndup(pl->p, text, strlen(text) - 3),
                              CHATS_P_TIMESTAMP),
                          "::timestamp AT TIME ZONE $1)", NULL);
    return 1;
}

/* A client value for field f as a plan value, or the error. */
static chats_err_t *client_val(chats_plan_t *pl, const chats_field_t *f,
                               const chats_doc_t *v, chats_pval_t *pv)
{
    chats_doc_t *canon;
    chats_err_t *e;

    if (f->type == CHATS_F_DATETIME && local_datetime(pl, v, pv)) {
        return NULL;
    }
    if ((e = chats_entity_coerce(f, v, &canon, pl->p)) != NULL) {
        return e;
    }
    *pv = canon_val(f, canon);
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

static void plan_field(const op_ctx_t *o, const chats_field_t *f,
                       chats_opkind_e kind, const chats_doc_t *value)
{
    chats_plan_t *pl = o->pl;
    chats_pval_t v, cur;
    chats_err_t *e;

    if (kind == CHATS_OP_REMOVE) {
        v = canon_val(f, chats_entity_empty(pl->p, f));
        kind = CHATS_OP_REPLACE;
    }
    else if ((e = client_val(pl, f, value, &v)) != NULL) {
        fail(pl, at(o, e));
        return;
    }
    if (kind == CHATS_OP_TEST) {
        cur = current(pl, f);
        check_equal(pl, &cur, &v, at(o, test_failed(pl->p, f->name)));
    }
    else if (f->flags & CHATS_FF_READONLY) {
        cur = current(pl, f);
        check_equal(pl, &cur, &v, at(o, read_only(pl->p, f->name)));
    }
    else {
        pval_sql(pl, &v);                 /* every statement writes it */
        pl->set[field_index(f)] = v;
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
        pv->field = NULL;
        pv->sql = typed_param(pl, canon->s, s->type == CHATS_F_DOUBLE
                              ? CHATS_P_FLOAT8 : CHATS_P_INT4);
        return 1;
    }
    if (chats_entity_coerce(&as_field, v, &canon, pl->p) != NULL) {
        return 0;
    }
    pv->canon = canon;
    pv->field = NULL;
    pv->sql = typed_param(pl, chats_entity_param(pl->p, &as_field, canon),
                          chats_sql_ptype(as_field.type));
    return 1;
}

/* The check that member s of carrier f, in the carrier row keyed by key
 * (an SQL expression), has the value v (a client value; JSON null also
 * matches a carrier that is not there). */
static void check_member(const op_ctx_t *o, const chats_field_t *f,
                         const chats_subfield_t *s, const char *key,
                         const chats_doc_t *v, chats_err_t *err)
{
    chats_plan_t *pl = o->pl;
    chats_pval_t pv;
    const char *same;
    int null = (v->type == CHATS_J_NULL);

    if (!member_val(pl, s, v, &pv)) {
        /* no such value: only "no carrier" can match a null */
        add_check(pl, null ? apr_pstrcat(pl->p, key, " IS NULL", NULL)
                           : NULL, 0, at(o, err));
        return;
    }
    same = apr_pstrcat(pl->p, member_canon_sql(pl->p, s, chats_sql_member(
                                                   pl->p, f, s, key)),
                       " IS NOT DISTINCT FROM ", pv.sql, NULL);
    add_check(pl, apr_pstrcat(pl->p, "(", key, null ? " IS NULL OR "
                                                    : " IS NOT NULL AND ",
                              same, ")", NULL), 1, at(o, err));
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
    const char *path = apr_pstrcat(pl->p, f->name, "/", s->name, NULL);
    chats_pval_t key = current(pl, f);
    int repointed = pl->set[field_index(f)].sql != NULL;

    if (key.canon && key.canon->type == CHATS_J_NULL) {
        key.sql = "NULL::int4";
    }
    pval_sql(pl, &key);
    if (kind == CHATS_OP_TEST) {
        check_member(o, f, s, key.sql, value, test_failed(pl->p, path));
        return;
    }
    /* Members of a carrier this patch re-pointed are echoes of the new
     * row's, not ours to check. */
    if (repointed) {
        return;
    }
    if (kind == CHATS_OP_REMOVE) {
        add_check(pl, apr_pstrcat(pl->p, "(", key.sql, " IS NULL",
                                  s->type == CHATS_F_DATETIME
                                  ? apr_pstrcat(pl->p, " OR ",
                                                chats_sql_member(pl->p, f, s,
                                                                 key.sql),
                                                " IS NULL", NULL) : "",
                                  ")", NULL), 1,
                  at(o, read_only(pl->p, path)));
        return;
    }
    check_member(o, f, s, key.sql, value, read_only(pl->p, path));
}

static void plan_member(const op_ctx_t *o, const chats_field_t *f,
                        const char *name, chats_opkind_e kind,
                        const chats_doc_t *value)
{
    chats_plan_t *pl = o->pl;
    const chats_subfield_t *s = chats_carrier_find(f->carrier, name,
                                                   strlen(name));
    chats_doc_t *wrapped;

    if (!s) {
        const char *path = apr_pstrcat(pl->p, f->name, "/", name, NULL);

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
        plan_field(o, f, kind, NULL);
        return;
    }
    wrapped = chats_doc_object(pl->p);
    chats_doc_object_set(wrapped, s->name, strlen(s->name),
                         (chats_doc_t *)value, 0, pl->p);
    plan_field(o, f, kind == CHATS_OP_ADD ? CHATS_OP_REPLACE : kind,
               wrapped);
}

/* ---- ops --------------------------------------------------------------- */

static void plan_op(const op_ctx_t *o, const chats_op_t *op)
{
    chats_plan_t *pl = o->pl;
    apr_array_header_t *t;
    const chats_field_t *f;
    const char *name;
    chats_err_t *e;

    if (!op->path) {
        fail(pl, at(o, chats_err_make(pl->p, CHATS_E_INVALID, op->member,
                                      "missing path")));
        return;
    }
    if ((e = chats_pointer_parse(&t, op->path, PLAN_PATH_FLAGS, pl->p))) {
        fail(pl, at(o, e));
        return;
    }
    if (t->nelts == 0) {
        fail(pl, at(o, chats_err_make(pl->p, CHATS_E_INVALID, NULL,
                                      "a path must name a field")));
        return;
    }
    name = APR_ARRAY_IDX(t, 0, const char *);
    if (chats_schema_is_ignored(name, strlen(name))) {
        return;                          /* response-only, echoed back */
    }
    if (!(f = chats_schema_find(name, strlen(name)))) {
        fail(pl, at(o, chats_err_make(pl->p, CHATS_E_INVALID, name,
                                      "unknown field %s", name)));
    }
    else if (op->kind == CHATS_OP_MOVE || op->kind == CHATS_OP_COPY) {
        fail(pl, at(o, chats_err_make(pl->p, CHATS_E_INVALID, f->name,
                                      "move and copy are not supported")));
    }
    else if (t->nelts == 1) {
        plan_field(o, f, op->kind, op->value);
    }
    else if (t->nelts == 2 && f->type == CHATS_F_CARRIER) {
        plan_member(o, f, APR_ARRAY_IDX(t, 1, const char *), op->kind,
                    op->value);
    }
    else {
        fail(pl, at(o, chats_err_make(pl->p, CHATS_E_INVALID, f->name,
                                      "%s has no member %s", f->name,
                                      APR_ARRAY_IDX(t, 1, const char *))));
    }
}

void chats_plan_op(chats_plan_t *pl, const chats_op_t *op, int index)
{
    op_ctx_t o;

    o.pl = pl;
    o.index = index;
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

void chats_plan_require_carrier(chats_plan_t *pl, const chats_field_t *f)
{
    chats_pval_t key = current(pl, f);
    const char *path = apr_pstrcat(pl->p, f->name, "/",
                                   f->carrier->fields[0].name, NULL);
    chats_err_t *e = chats_err_make(pl->p, CHATS_E_INVALID, path,
                                    "%s: expected a non-negative Int32",
                                    path);

    if (key.canon) {
        add_check(pl, NULL, key.canon->type != CHATS_J_NULL, e);
        return;
    }
    add_check(pl, apr_pstrcat(pl->p, key.sql, " IS NOT NULL", NULL), 1, e);
}

/* ---- the checks every write has ---------------------------------------- */

static chats_err_t *denied(apr_pool_t *p, const char *field,
                           const char *why)
{
    return chats_err_make(p, CHATS_E_FORBIDDEN, field, "%s", why);
}

/* The owner's key as the caller's own: an associate, or nobody's. */
static const char *me(chats_plan_t *pl)
{
    apr_int32_t id = pl->in.caller ? pl->in.caller->associate_id : 0;

    return id > 0 ? apr_itoa(pl->p, id) : NULL;
}

static void plan_preconditions(chats_plan_t *pl)
{
    const chats_precond_t *c = pl->in.precond;
    chats_err_t *stale;

    if (!chats_precond_any(c)) {
        return;
    }
    stale = chats_err_make(pl->p, CHATS_E_STALE, NULL,
                           "a precondition failed: the chat session has "
                           "changed");
    if (c->if_match && !c->if_match_any) {
        add_check(pl, apr_pstrcat(pl->p, "cs.version = ANY(", typed_param(
                                      pl, c->if_match_list,
                                      CHATS_P_INT8_ARRAY), ")", NULL),
                  1, stale);
    }
    if (c->unmodified_since >= 0) {
        add_check(pl, apr_pstrcat(pl->p, "EXTRACT(EPOCH FROM date_trunc("
                                  "'second', cs.updated_at))::int8 <= ",
                                  typed_param(pl, apr_psprintf(
                                      pl->p, "%" APR_INT64_T_FMT,
                                      c->unmodified_since), CHATS_P_INT8),
                                  NULL), 1, stale);
    }
    if (c->if_none_match) {
        add_check(pl, c->if_none_match_any ? NULL
                  : apr_pstrcat(pl->p, "NOT cs.version = ANY(", typed_param(
                                    pl, c->if_none_match_list,
                                    CHATS_P_INT8_ARRAY), ")", NULL),
                  0, stale);
    }
}

chats_plan_t *chats_plan_make(apr_pool_t *p, const chats_plan_in_t *in)
{
    chats_plan_t *pl = apr_pcalloc(p, sizeof(*pl));
    const chats_field_t *owner = chats_schema_owner();
    const char *mine;

    pl->p = p;
    pl->in = *in;
    pl->failed = -1;
    chats_schema_fields(&pl->nfields);
    pl->set = apr_pcalloc(p, pl->nfields * sizeof(*pl->set));
    pl->params = apr_array_make(p, 16, sizeof(chats_param_t));
    pl->checks = apr_array_make(p, 8, sizeof(chats_check_t));
    if (in->kind == CHATS_PLAN_DELETE) {
        pl->in.zone = NULL;                 /* nothing is read back */
    }
    if (pl->in.zone) {
        chats_plan_param(pl, pl->in.zone, CHATS_P_TEXT);          /* $1 */
    }
    if (in->kind == CHATS_PLAN_INSERT) {
        pl->cur = chats_entity_template(p);
        return pl;
    }
    pl->id_sql = typed_param(pl, apr_itoa(p, in->id), CHATS_P_INT4);
    if (in->kind == CHATS_PLAN_UPDATE && in->caller
        && in->caller->level == CHATS_RIGHT_UPDATE_OWN) {
        mine = me(pl);
        add_check(pl, mine ? apr_pstrcat(p, "cs.", owner->column, " = ",
                                         typed_param(pl, mine, CHATS_P_INT4),
                                         NULL) : NULL, 0,
                  denied(p, NULL, "you may only change your own chat "
                         "sessions"));
    }
    plan_preconditions(pl);
    return pl;
}

/* ---- the caller's rights on the result --------------------------------- */

void chats_plan_finish(chats_plan_t *pl)
{
    const chats_caller_t *c = pl->in.caller;
    const chats_field_t *f = chats_schema_fields(&pl->nfields);
    const chats_field_t *owner = chats_schema_owner();
    chats_pval_t cur, next;
    int k, i;

    if (!c || pl->in.kind == CHATS_PLAN_DELETE) {
        return;
    }
    if (c->level == CHATS_RIGHT_UPDATE_OWN
        && (pl->set[field_index(owner)].sql || pl->cur)) {
        const chats_doc_t *v = current(pl, owner).canon;
        const chats_doc_t *key = v && v->type == CHATS_J_OBJECT
            ? chats_doc_object_get(v, owner->carrier->fields[0].name,
                                   strlen(owner->carrier->fields[0].name), 0)
            : NULL;
        const char *mine = me(pl);

        add_check(pl, NULL, key && mine && !strcmp(key->s, mine),
                  denied(pl->p, owner->name, "your chat sessions must stay "
                         "yours: User must be you"));
    }
    for (k = 0; k < c->nreadonly; k++) {
        i = c->readonly[k];
        if (!pl->set[i].sql) {
            continue;                    /* not written: not changed */
        }
        next = pl->set[i];
        pl->set[i].sql = NULL;           /* the value before the plan */
        cur = current(pl, &f[i]);
        pl->set[i] = next;
        check_equal(pl, &cur, &next,
                    denied(pl->p, f[i].name, apr_psprintf(
                               pl->p, "you may not change %s", f[i].name)));
    }
}
