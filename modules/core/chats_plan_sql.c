/* Plans as statements (chats_plan.h): the one statement that writes, and
 * the diagnosis that names the failure when it wrote nothing. */
#include <apr_strings.h>
#include <string.h>

#include "chats_plan.h"

/* The checks that need the row, ANDed: "" when there are none. */
static const char *and_checks(const chats_plan_t *pl)
{
    const char *out = "";
    int i;

    for (i = 0; i < pl->checks->nelts; i++) {
        const chats_check_t *c = &APR_ARRAY_IDX(pl->checks, i,
                                                chats_check_t);

        if (c->sql) {
            out = apr_pstrcat(pl->p, out, " AND ", c->sql, NULL);
        }
    }
    return out;
}

/* Would the plan change the row cs? */
static const char *changed(const chats_plan_t *pl)
{
    const chats_field_t *f = chats_schema_fields(NULL);
    const char *out = NULL;
    int i;

    for (i = 0; i < pl->nfields; i++) {
        if (pl->set[i].sql) {
            out = apr_pstrcat(pl->p, out ? out : "(", out ? " OR " : "",
                              "cs.", f[i].column, " IS DISTINCT FROM ",
                              pl->set[i].sql, NULL);
        }
    }
    return out ? apr_pstrcat(pl->p, out, ")", NULL) : "false";
}

static const char *render(const chats_plan_t *pl, const chats_sql_t *sql,
                          const char *source)
{
    chats_read_e how = pl->in.zone ? CHATS_READ_ZONED : CHATS_READ_UTC;

    return apr_pstrcat(pl->p, "SELECT ", sql->list[how], " FROM ", source,
                       " cs", NULL);
}

static const char *update_sql(const chats_plan_t *pl, const chats_sql_t *sql)
{
    const chats_field_t *f = chats_schema_fields(NULL);
    const char *sets = "";
    int i;

    for (i = 0; i < pl->nfields; i++) {
        if (pl->set[i].sql) {
            sets = apr_pstrcat(pl->p, sets, f[i].column, " = ",
                               pl->set[i].sql, ", ", NULL);
        }
    }
    return apr_pstrcat(pl->p, "WITH w AS (UPDATE chat_session cs SET ", sets,
                       "version = cs.version + 1, updated_at = now() WHERE "
                       "cs.id = ", pl->id_sql, and_checks(pl), " AND ",
                       changed(pl), " RETURNING cs.*) ",
                       render(pl, sql, "w"), NULL);
}

static const char *insert_sql(const chats_plan_t *pl, const chats_sql_t *sql)
{
    const chats_field_t *f = chats_schema_fields(NULL);
    const char *cols = NULL, *vals = NULL;
    int i;

    for (i = 0; i < pl->nfields; i++) {
        if (pl->set[i].sql) {
            cols = apr_pstrcat(pl->p, cols ? cols : "", cols ? ", " : "",
                               f[i].column, NULL);
            vals = apr_pstrcat(pl->p, vals ? vals : "", vals ? ", " : "",
                               pl->set[i].sql, NULL);
        }
    }
    return apr_pstrcat(pl->p, "WITH w AS (INSERT INTO chat_session ",
                       cols ? apr_pstrcat(pl->p, "(", cols, ") VALUES (",
                                          vals, ")", NULL)
                            : "DEFAULT VALUES",
                       " RETURNING *) ", render(pl, sql, "w"), NULL);
}

const char *chats_plan_write_sql(const chats_plan_t *pl,
                                 const chats_sql_t *sql)
{
    if (pl->failed >= 0) {
        return NULL;
    }
    switch (pl->in.kind) {
    case CHATS_PLAN_INSERT:
        return insert_sql(pl, sql);
    case CHATS_PLAN_DELETE:
        return apr_pstrcat(pl->p, "DELETE FROM chat_session cs WHERE cs.id = ",
                           pl->id_sql, and_checks(pl), " RETURNING cs.id",
                           NULL);
    default:
        return chats_plan_nset(pl) ? update_sql(pl, sql) : NULL;
    }
}

/* How many checks the diagnosis evaluates (those before the first one
 * decided false here). */
static int diag_limit(const chats_plan_t *pl)
{
    return pl->failed >= 0 ? pl->failed : pl->checks->nelts;
}

const char *chats_plan_diag_sql(const chats_plan_t *pl,
                                const chats_sql_t *sql, int lock)
{
    const char *cols = "";
    int i, n = diag_limit(pl);

    for (i = 0; i < n; i++) {
        const chats_check_t *c = &APR_ARRAY_IDX(pl->checks, i,
                                                chats_check_t);

        if (c->sql) {
            cols = apr_pstrcat(pl->p, cols, "coalesce(", c->sql,
                               ", false), ", NULL);
        }
    }
    if (pl->failed < 0 && pl->in.kind == CHATS_PLAN_UPDATE) {
        cols = apr_pstrcat(pl->p, cols, changed(pl), ", ", NULL);
    }
    if (pl->in.kind == CHATS_PLAN_DELETE) {
        return apr_pstrcat(pl->p, "SELECT ", cols, "cs.version FROM "
                           "chat_session cs WHERE cs.id = ", pl->id_sql,
                           lock ? " FOR UPDATE OF cs" : "", NULL);
    }
    return apr_pstrcat(pl->p, "SELECT ", cols,
                       sql->list[pl->in.zone ? CHATS_READ_ZONED
                                             : CHATS_READ_UTC],
                       " FROM chat_session cs WHERE cs.id = ", pl->id_sql,
                       lock ? " FOR UPDATE OF cs" : "", NULL);
}

static int is_true(const char *v)
{
    return v && (v[0] == 't' || v[0] == 'T');
}

chats_diag_e chats_plan_diagnose(const chats_plan_t *pl,
                                 const char *const *cols, chats_err_t **perr,
                                 int *pskip)
{
    int i, k = 0, n = diag_limit(pl), with_changed;
    const chats_check_t *failed = NULL;

    *perr = NULL;
    for (i = 0; i < n; i++) {
        const chats_check_t *c = &APR_ARRAY_IDX(pl->checks, i,
                                                chats_check_t);
        int pass = c->sql ? is_true(cols[k++]) : c->pass;

        if (!pass && !failed) {
            failed = c;
        }
    }
    with_changed = pl->failed < 0 && pl->in.kind == CHATS_PLAN_UPDATE;
    *pskip = k + with_changed;
    if (!failed && pl->failed >= 0) {
        failed = &APR_ARRAY_IDX(pl->checks, pl->failed, chats_check_t);
    }
    if (failed) {
        *perr = failed->err;
        return CHATS_DIAG_FAILED;
    }
    if (with_changed && !is_true(cols[k])) {
        return CHATS_DIAG_NOOP;
    }
    return CHATS_DIAG_CHANGED;
}
