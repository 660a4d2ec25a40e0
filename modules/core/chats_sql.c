/* Builds the statements from the field table, so that adding a field
 * never means editing SQL by hand. */
#include <apr_strings.h>
#include <apr_tables.h>
#include <string.h>

#include "chats_schema.h"
#include "chats_sql.h"

/* A value as it is read: date-times as integral microseconds so that no
 * time zone and no text format stands between PostgreSQL and us. */
static const char *read_expr(apr_pool_t *p, const char *value,
                             chats_ftype_e type)
{
    if (type == CHATS_F_DATETIME) {
        return apr_pstrcat(p, "(EXTRACT(EPOCH FROM ", value,
                           ") * 1000000)::int8", NULL);
    }
    return value;
}

/* A derived member's SQL template with each "$A" replaced by alias. */
static const char *expand_alias(apr_pool_t *p, const char *tpl,
                                const char *alias)
{
    const char *out = "", *at;

    while ((at = strstr(tpl, "$A")) != NULL) {
        out = apr_pstrcat(p, out, apr_pstrndup(p, tpl, at - tpl), alias,
                          NULL);
        tpl = at + 2;
    }
    return apr_pstrcat(p, out, tpl, NULL);
}

/* A carrier member's value over the carrier row called alias: its column,
 * its expression, or either over a looked-up row (a scalar subquery, NULL
 * when the carrier row's reference is NULL or dangles). */
static const char *sub_value(apr_pool_t *p, const char *alias,
                             const chats_subfield_t *s)
{
    const chats_lookup_t *l = s->lookup;
    const char *row = l ? apr_pstrcat(p, alias, "l", NULL) : alias;
    const char *v = s->expr ? expand_alias(p, s->expr, row)
                            : apr_pstrcat(p, row, ".", s->column, NULL);

    if (!l) {
        return v;
    }
    return apr_pstrcat(p, "(SELECT ", v, " FROM ", l->table, " ", row,
                       " WHERE ", row, ".", l->key, " = ", alias, ".",
                       l->via, ")", NULL);
}

static const char *param_cast(const chats_field_t *f)
{
    switch (f->type) {
    case CHATS_F_STRING:   return "text";
    case CHATS_F_BOOL:     return "boolean";
    case CHATS_F_DATETIME: return "timestamptz";
    case CHATS_F_ENUM:
    case CHATS_F_FLAGS:    return "int2";
    default:               return "int4";
    }
}

/* Select list and joins over a row source called "cs". The list is
 * collected in an array (some two hundred columns: no quadratic copying). */
static void select_parts(apr_pool_t *p, const char **plist,
                         const char **pjoins, int *pncols)
{
    int i, j, n;
    const chats_field_t *f = chats_schema_fields(&n);
    apr_array_header_t *cols = apr_array_make(p, 256, sizeof(const char *));
    const char *joins = "";

    for (i = 0; i < n; i++) {
        if (f[i].type != CHATS_F_CARRIER) {
            APR_ARRAY_PUSH(cols, const char *) =
                read_expr(p, apr_pstrcat(p, "cs.", f[i].column, NULL),
                          f[i].type);
            continue;
        }
        {
            const chats_carrier_t *c = f[i].carrier;
            const char *alias = apr_psprintf(p, "c%d", i);

            for (j = 0; j < c->nfields; j++) {
                APR_ARRAY_PUSH(cols, const char *) =
                    read_expr(p, sub_value(p, alias, &c->fields[j]),
                              c->fields[j].type);
            }
            joins = apr_pstrcat(p, joins, " LEFT JOIN ", c->table, " ",
                                alias, " ON ", alias, ".",
                                c->fields[0].column, " = cs.", f[i].column,
                                NULL);
        }
    }
    APR_ARRAY_PUSH(cols, const char *) = "cs.version";
    APR_ARRAY_PUSH(cols, const char *) =
        "EXTRACT(EPOCH FROM date_trunc('second', cs.updated_at))::int8";
    *plist = apr_array_pstrcat(p, cols, ',');
    *pjoins = joins;
    *pncols = cols->nelts;
}

static const char *update_sets(apr_pool_t *p, int *pnparams)
{
    int i, n, k = 0;
    const chats_field_t *f = chats_schema_fields(&n);
    const char *sets = "";

    for (i = 0; i < n; i++) {
        if (f[i].flags & CHATS_FF_KEY) {
            continue;
        }
        sets = apr_pstrcat(p, sets, f[i].column, " = $",
                           apr_itoa(p, k + 3), "::", param_cast(&f[i]), ", ",
                           NULL);
        k++;
    }
    *pnparams = k;
    return apr_pstrcat(p, sets, "version = version + 1, updated_at = now()",
                       NULL);
}

/* INSERT's column and value lists: every field but the key, numbered as
 * update's parameters minus two (no id, no version). */
static const char *insert_lists(apr_pool_t *p)
{
    int i, n, k = 0;
    const chats_field_t *f = chats_schema_fields(&n);
    const char *cols = "", *vals = "";

    for (i = 0; i < n; i++) {
        if (f[i].flags & CHATS_FF_KEY) {
            continue;
        }
        cols = apr_pstrcat(p, cols, k ? ", " : "", f[i].column, NULL);
        vals = apr_pstrcat(p, vals, k ? ", " : "", "$", apr_itoa(p, k + 1),
                           "::", param_cast(&f[i]), NULL);
        k++;
    }
    return apr_pstrcat(p, "(", cols, ") VALUES (", vals, ")", NULL);
}

const chats_sql_t *chats_sql_build(apr_pool_t *p)
{
    chats_sql_t *sql = apr_pcalloc(p, sizeof(*sql));
    const char *list, *joins;

    select_parts(p, &list, &joins, &sql->ncols);
    sql->select.name = "chats_select";
    sql->select.sql = apr_pstrcat(p, "SELECT ", list, " FROM chat_session cs",
                              joins, " WHERE cs.id = $1::int4", NULL);
    sql->update.name = "chats_update";
    sql->update.sql = apr_pstrcat(p, "WITH cs AS (UPDATE chat_session SET ",
                              update_sets(p, &sql->nparams),
                              " WHERE id = $1::int4 AND version = $2::int8"
                              " RETURNING *) SELECT ", list, " FROM cs",
                              joins, NULL);
    sql->insert.name = "chats_insert";
    sql->insert.sql = apr_pstrcat(p, "WITH cs AS (INSERT INTO chat_session ",
                                  insert_lists(p), " RETURNING *) SELECT ",
                                  list, " FROM cs", joins, NULL);
    sql->remove.name = "chats_delete";
    sql->remove.sql = "DELETE FROM chat_session WHERE id = $1::int4"
                      " AND version = $2::int8 RETURNING id";
    sql->password.name = "chats_password";
    sql->password.sql = "SELECT password_hash FROM associate WHERE name = $1"
                          " AND NOT deleted";
    return sql;
}
