/* Plans as statements (chats_plan.h): the one statement that writes, and
 * the diagnosis that names the failure when it wrote nothing.
 *
 * The checks that need the row are evaluated by predicate: the checks of
 * one predicate (its SQL with slots, and the slots' types) are a group.
 * A group of one check binds its values as parameters of their own, as
 * a hand-written statement would; a larger group binds each slot's values
 * as one array, and its predicate runs over the arrays' rows (unnest),
 * stopping at the first that fails. So a statement's text and parameters
 * depend on the groups, which the field table bounds, and never on how
 * many ops a patch has; the diagnosis has one column for all of them. */
#include <apr_strings.h>
#include <string.h>

#include "chats_plan_private.h"
#include "chats_strbuf.h"
#include "chats_webhook_sql.h"

typedef struct {
    const chats_check_t *shape;   /* the group's first check */
    apr_array_header_t *members;  /* int: its checks' indexes, in order */
} group_t;

struct chats_plan_stmt_t {
    int made;
    apr_array_header_t *groups;   /* group_t *, by their first check */
    const char *and_checks;       /* " AND <predicate>" per group, or "" */
    const char *diag;             /* int8[]: per group, where it fails */
};

struct chats_plan_stmt_t *chats_plan_stmt_make(apr_pool_t *p)
{
    return apr_pcalloc(p, sizeof(struct chats_plan_stmt_t));
}

/* A new parameter "$n" (params grows: the plan is const to its callers
 * for what it decides, not for the values a statement binds). */
static const char *param(const chats_plan_t *pl, const char *value,
                         chats_ptype_e type)
{
    chats_param_t *prm = apr_array_push(pl->params);

    prm->value = value;
    prm->type = type;
    return apr_psprintf(pl->p, "$%d", pl->params->nelts);
}

/* The group a check belongs to: its predicate and its slots' types. */
static const char *group_key(apr_pool_t *p, const chats_check_t *c)
{
    const char *key = c->sql;
    int k;

    for (k = 0; k < c->nslots; k++) {
        key = apr_psprintf(p, "%s\n%d", key, (int)c->slot_type[k]);
    }
    return key;
}

/* shape with each slot "$@k" replaced by rep[k]. */
static const char *fill(apr_pool_t *p, const char *shape,
                        const char *const *rep)
{
    chats_strbuf_t b;
    const char *at;
    int k;

    chats_strbuf_init(&b, p, strlen(shape) + 64);
    while ((at = strstr(shape, "$@")) != NULL) {
        k = at[2] - '0';
        chats_strbuf_add(&b, shape, (apr_size_t)(at - shape));
        if (k >= 0 && k < CHATS_PLAN_SLOTS) {
            chats_strbuf_puts(&b, rep[k]);
            shape = at + 3;
        }
        else {
            chats_strbuf_add(&b, at, 2);      /* not a slot: never ours */
            shape = at + 2;
        }
    }
    chats_strbuf_puts(&b, shape);
    return b.buf;
}

/* Slot k's values of a group as an array literal ({"a","b\"c",NULL}). */
static const char *array_literal(const chats_plan_t *pl, const group_t *g,
                                 int k)
{
    chats_strbuf_t b;
    const char *v, *q;
    int i;

    chats_strbuf_init(&b, pl->p, 16 * (apr_size_t)g->members->nelts + 2);
    chats_strbuf_puts(&b, "{");
    for (i = 0; i < g->members->nelts; i++) {
        v = APR_ARRAY_IDX(pl->checks, APR_ARRAY_IDX(g->members, i, int),
                          chats_check_t).slot[k];
        chats_strbuf_puts(&b, i ? "," : "");
        if (!v) {
            chats_strbuf_puts(&b, "NULL");
            continue;
        }
        chats_strbuf_puts(&b, "\"");
        while ((q = strpbrk(v, "\"\\")) != NULL) {
            chats_strbuf_add(&b, v, (apr_size_t)(q - v));
            chats_strbuf_add(&b, "\\", 1);
            chats_strbuf_add(&b, q, 1);
            v = q + 1;
        }
        chats_strbuf_puts(&b, v);
        chats_strbuf_puts(&b, "\"");
    }
    chats_strbuf_puts(&b, "}");
    return b.buf;
}

/* A group of one check: its predicate with parameters of its own. */
static void one_check(const chats_plan_t *pl, const group_t *g,
                      chats_strbuf_t *w, chats_strbuf_t *d)
{
    const chats_check_t *c = g->shape;
    const char *rep[CHATS_PLAN_SLOTS], *pred;
    int k;

    for (k = 0; k < c->nslots; k++) {
        const char *type = chats_sql_ptype_name(c->slot_type[k]);

        rep[k] = c->slot[k] ? apr_pstrcat(pl->p, param(pl, c->slot[k],
                                                       c->slot_type[k]),
                                          "::", type, NULL)
                            : apr_pstrcat(pl->p, "NULL::", type, NULL);
    }
    pred = fill(pl->p, c->sql, rep);
    chats_strbuf_puts(w, " AND ");
    chats_strbuf_puts(w, pred);
    chats_strbuf_puts(d, apr_pstrcat(pl->p, "CASE WHEN ", pred,
                                     " THEN NULL ELSE 1 END", NULL));
}

/* A larger group: its values as arrays, one per slot, its predicate over
 * their rows; the diagnosis takes the first failing row's position. */
static void many_checks(const chats_plan_t *pl, const group_t *g,
                        chats_strbuf_t *w, chats_strbuf_t *d)
{
    const chats_check_t *c = g->shape;
    const char *rep[CHATS_PLAN_SLOTS], *arrays = "", *names = "", *pred;
    int k;

    for (k = 0; k < c->nslots; k++) {
        rep[k] = apr_psprintf(pl->p, "u.s%d", k);
        arrays = apr_pstrcat(pl->p, arrays, k ? ", " : "",
                             param(pl, array_literal(pl, g, k), CHATS_P_TEXT),
                             "::", chats_sql_ptype_name(c->slot_type[k]),
                             "[]", NULL);
        names = apr_pstrcat(pl->p, names, k ? ", " : "", rep[k] + 2, NULL);
    }
    pred = fill(pl->p, c->sql, rep);
    chats_strbuf_puts(w, apr_pstrcat(pl->p, " AND NOT EXISTS (SELECT 1 FROM "
                                     "unnest(", arrays, ") AS u(", names,
                                     ") WHERE (", pred, ") IS NOT TRUE)",
                                     NULL));
    chats_strbuf_puts(d, apr_pstrcat(pl->p, "(SELECT min(u.i) FROM unnest(",
                                     arrays, ") WITH ORDINALITY AS u(", names,
                                     ", i) WHERE (", pred, ") IS NOT TRUE)",
                                     NULL));
}

/* The checks that need the row, by group (once per plan: both
 * statements bind the same parameters). */
static const struct chats_plan_stmt_t *made(const chats_plan_t *pl)
{
    struct chats_plan_stmt_t *st = pl->stmt;
    apr_hash_t *by_key = apr_hash_make(pl->p);
    chats_strbuf_t w, d;
    group_t *g;
    int i;

    if (st->made) {
        return st;
    }
    st->made = 1;
    st->groups = apr_array_make(pl->p, 8, sizeof(group_t *));
    for (i = 0; i < pl->checks->nelts; i++) {
        const chats_check_t *c = &APR_ARRAY_IDX(pl->checks, i, chats_check_t);
        const char *key;

        if (!c->sql) {
            continue;
        }
        key = group_key(pl->p, c);
        if ((g = apr_hash_get(by_key, key, APR_HASH_KEY_STRING)) == NULL) {
            g = apr_pcalloc(pl->p, sizeof(*g));
            g->shape = c;
            g->members = apr_array_make(pl->p, 1, sizeof(int));
            apr_hash_set(by_key, key, APR_HASH_KEY_STRING, g);
            APR_ARRAY_PUSH(st->groups, group_t *) = g;
        }
        APR_ARRAY_PUSH(g->members, int) = i;
    }
    chats_strbuf_init(&w, pl->p, 256);
    chats_strbuf_init(&d, pl->p, 256);
    chats_strbuf_puts(&d, st->groups->nelts ? "ARRAY[" : "'{}'::int8[]");
    for (i = 0; i < st->groups->nelts; i++) {
        g = APR_ARRAY_IDX(st->groups, i, group_t *);
        chats_strbuf_puts(&d, i ? ", " : "");
        if (g->members->nelts == 1) {
            one_check(pl, g, &w, &d);
        }
        else {
            many_checks(pl, g, &w, &d);
        }
    }
    chats_strbuf_puts(&d, st->groups->nelts ? "]::int8[]" : "");
    st->and_checks = w.buf;
    st->diag = d.buf;
    return st;
}

/* The checks that need the row, ANDed: "" when there are none. */
static const char *and_checks(const chats_plan_t *pl)
{
    return made(pl)->and_checks;
}

/* The column of the plan's slot i (a field, or a group's member). */
static const char *column(const chats_plan_t *pl, int i)
{
    return chats_schema_slot(pl->in.entity, i)->column;
}

/* Would the plan change the row cs? */
static const char *changed(const chats_plan_t *pl)
{
    const char *out = NULL;
    int i;

    for (i = 0; i < pl->nfields; i++) {
        if (!pl->set[i].sql) {
            continue;
        }
        /* a write-only value is never compared: a no-op answer would
         * tell that the secret was guessed */
        out = apr_pstrcat(pl->p, out ? out : "(", out ? " OR " : "",
                          chats_schema_slot(pl->in.entity, i)->flags
                          & CHATS_FF_WRITEONLY ? "true" : apr_pstrcat(
                              pl->p, "cs.", column(pl, i),
                              " IS DISTINCT FROM ", pl->set[i].sql, NULL),
                          NULL);
    }
    return out ? apr_pstrcat(pl->p, out, ")", NULL) : "false";
}

static const char *render(const chats_plan_t *pl,
                          const chats_entity_sql_t *sql,
                          const char *source)
{
    chats_read_e how = pl->in.zone ? CHATS_READ_ZONED : CHATS_READ_UTC;

    return apr_pstrcat(pl->p, "SELECT ", sql->list[how], " FROM ", source,
                       " cs", NULL);
}

/* "cs.<key> = $n": the plan's row. */
static const char *row_is(const chats_plan_t *pl)
{
    return apr_pstrcat(pl->p, "cs.", pl->in.entity->key_column, " = ",
                       pl->id_sql, NULL);
}

/* ", updated_by = NULLIF($n, 0)": who writes a versioned row. */
static const char *by(const chats_plan_t *pl)
{
    return pl->actor_sql ? apr_pstrcat(pl->p, ", " CHATS_COL_UPDATED_BY
                                       " = NULLIF(", pl->actor_sql, ", 0)",
                                       NULL)
                         : "";
}

/* The plan's set columns and their new values' SQL (*pn of them). */
static void set_columns(const chats_plan_t *pl, const char ***pcols,
                        const char ***pvals, int *pn)
{
    int i;

    *pcols = apr_pcalloc(pl->p, sizeof(char *) * (apr_size_t)(pl->nfields + 1));
    *pvals = apr_pcalloc(pl->p, sizeof(char *) * (apr_size_t)(pl->nfields + 1));
    *pn = 0;
    for (i = 0; i < pl->nfields; i++) {
        if (pl->set[i].sql) {
            (*pcols)[*pn] = column(pl, i);
            (*pvals)[(*pn)++] = pl->set[i].sql;
        }
    }
}

/* The entity whose webhook events the statement captures itself, or
 * NULL: the triggers do (chats_plan_in_t.triggers_capture). */
static const chats_entity_def_t *capturing(const chats_plan_t *pl)
{
    return pl->in.triggers_capture ? NULL : pl->in.entity;
}

/* The UPDATE, and after it the capture of its webhook events (an
 * entity that has them): the statement stays one. */
static const char *update_sql(const chats_plan_t *pl,
                              const chats_entity_sql_t *sql)
{
    const char *sets = "", **cols, **vals;
    const chats_entity_def_t *cap;
    int i, n;

    set_columns(pl, &cols, &vals, &n);
    cap = capturing(pl);
    for (i = 0; i < n; i++) {
        sets = apr_pstrcat(pl->p, sets, cols[i], " = ", vals[i], ", ", NULL);
    }
    return apr_pstrcat(pl->p, "WITH w AS (UPDATE ", pl->in.entity->table,
                       " cs SET ", sets, CHATS_SQL_BUMP, by(pl),
                       chats_webhook_capture_set(pl->p, cap, n, cols, vals),
                       " WHERE ", row_is(pl), and_checks(pl), " AND ",
                       changed(pl), " RETURNING cs.*",
                       chats_webhook_capture_returning(cap, n, cols), ")",
                       chats_webhook_capture_cte(pl->p, cap, 0, n, cols),
                       " ", render(pl, sql, "w"), NULL);
}

static const char *insert_sql(const chats_plan_t *pl,
                              const chats_entity_sql_t *sql)
{
    const char *cols = NULL, *vals = NULL;
    int i;

    for (i = 0; i < pl->nfields; i++) {
        if (pl->set[i].sql) {
            cols = apr_pstrcat(pl->p, cols ? cols : "", cols ? ", " : "",
                               column(pl, i), NULL);
            vals = apr_pstrcat(pl->p, vals ? vals : "", vals ? ", " : "",
                               pl->set[i].sql, NULL);
        }
    }
    for (i = 0; pl->actor_sql && i < pl->nfields; i++) {
        const chats_field_t *f = chats_schema_slot(pl->in.entity, i);

        if (f->flags & CHATS_FF_INSERT_ACTOR) {      /* who registered it */
            cols = apr_pstrcat(pl->p, cols ? cols : "", cols ? ", " : "",
                               f->column, NULL);
            vals = apr_pstrcat(pl->p, vals ? vals : "", vals ? ", " : "",
                               "NULLIF(", pl->actor_sql, ", 0)", NULL);
        }
    }
    if (pl->actor_sql) {
        cols = apr_pstrcat(pl->p, cols ? cols : "", cols ? ", " : "",
                           CHATS_COL_UPDATED_BY, NULL);
        vals = apr_pstrcat(pl->p, vals ? vals : "", vals ? ", " : "",
                           "NULLIF(", pl->actor_sql, ", 0)", NULL);
    }
    if (*chats_webhook_capture_returning(capturing(pl), 0, NULL)) {
        cols = apr_pstrcat(pl->p, cols ? cols : "", cols ? ", " : "",
                           CHATS_COL_WEBHOOK_VERSION, NULL);
        vals = apr_pstrcat(pl->p, vals ? vals : "", vals ? ", " : "", "1",
                           NULL);
    }
    return apr_pstrcat(pl->p, "WITH w AS (INSERT INTO ", pl->in.entity->table,
                       " ",
                       cols ? apr_pstrcat(pl->p, "(", cols, ") VALUES (",
                                          vals, ")", NULL)
                            : "DEFAULT VALUES",
                       " RETURNING *",
                       chats_webhook_capture_returning(capturing(pl), 0,
                                                       NULL), ")",
                       chats_webhook_capture_cte(pl->p, capturing(pl), 1, 0,
                                                 NULL),
                       " ", render(pl, sql, "w"), NULL);
}

const char *chats_plan_write_sql(const chats_plan_t *pl,
                                 const chats_entity_sql_t *sql)
{
    if (pl->failed >= 0) {
        return NULL;
    }
    switch (pl->in.kind) {
    case CHATS_PLAN_INSERT:
        return insert_sql(pl, sql);
    case CHATS_PLAN_DELETE:
        return apr_pstrcat(pl->p, "DELETE FROM ", pl->in.entity->table,
                           " cs WHERE ", row_is(pl), and_checks(pl),
                           " RETURNING cs.", pl->in.entity->key_column,
                           NULL);
    default:
        return chats_plan_nset(pl) ? update_sql(pl, sql) : NULL;
    }
}

const char *chats_plan_diag_sql(const chats_plan_t *pl,
                                const chats_entity_sql_t *sql, int lock)
{
    const char *cols = apr_pstrcat(pl->p, made(pl)->diag, ", ", NULL);

    if (pl->failed < 0 && pl->in.kind == CHATS_PLAN_UPDATE) {
        cols = apr_pstrcat(pl->p, cols, changed(pl), ", ", NULL);
    }
    if (pl->in.kind == CHATS_PLAN_DELETE) {
        return apr_pstrcat(pl->p, "SELECT ", cols, "cs.version FROM ",
                           pl->in.entity->table, " cs WHERE ", row_is(pl),
                           lock ? " FOR UPDATE OF cs" : "", NULL);
    }
    return apr_pstrcat(pl->p, "SELECT ", cols,
                       sql->list[pl->in.zone ? CHATS_READ_ZONED
                                             : CHATS_READ_UTC],
                       " FROM ", pl->in.entity->table, " cs WHERE ",
                       row_is(pl), lock ? " FOR UPDATE OF cs" : "", NULL);
}

static int is_true(const char *v)
{
    return v && (v[0] == 't' || v[0] == 'T');
}

/* The first failing check the diagnosis's int8[] names (per group, the
 * position of its first failing check, or NULL): its index, -1 when
 * every one passes, -2 when col is not an answer to this plan. */
static int first_failing(const chats_plan_t *pl, const char *col)
{
    const apr_array_header_t *groups = made(pl)->groups;
    const group_t *g;
    const char *next;
    apr_int64_t pos;
    char *end;
    int k, best = -1;

    if (!col || *col++ != '{') {
        return -2;
    }
    if (*col == '}') {
        return groups->nelts == 0 && !col[1] ? -1 : -2;
    }
    for (k = 0; k < groups->nelts; k++) {
        g = APR_ARRAY_IDX(groups, k, const group_t *);
        if (!strncmp(col, "NULL", 4)) {
            next = col + 4;
        }
        else {
            pos = apr_strtoi64(col, &end, 10);
            if (end == col || pos < 1 || pos > g->members->nelts) {
                return -2;
            }
            pos = APR_ARRAY_IDX(g->members, (int)pos - 1, int);
            best = best < 0 || pos < best ? (int)pos : best;
            next = end;
        }
        if (*next == '}') {
            return k + 1 == groups->nelts && !next[1] ? best : -2;
        }
        if (*next != ',') {
            return -2;
        }
        col = next + 1;
    }
    return -2;                              /* more than the groups */
}

chats_diag_e chats_plan_diagnose(const chats_plan_t *pl,
                                 const char *const *cols, chats_err_t **perr,
                                 int *pskip)
{
    int i, with_changed = pl->failed < 0 && pl->in.kind == CHATS_PLAN_UPDATE;

    *perr = NULL;
    *pskip = 1 + with_changed;
    if ((i = first_failing(pl, cols[0])) == -2) {
        *perr = chats_err_make(pl->p, CHATS_E_INTERNAL, NULL,
                               "the diagnosis does not answer the plan");
        return CHATS_DIAG_FAILED;
    }
    if (i < 0) {
        i = pl->failed;
    }
    if (i >= 0) {
        *perr = APR_ARRAY_IDX(pl->checks, i, chats_check_t).err;
        return CHATS_DIAG_FAILED;
    }
    if (with_changed && !is_true(cols[1])) {
        return CHATS_DIAG_NOOP;
    }
    return CHATS_DIAG_CHANGED;
}
