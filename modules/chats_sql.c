/* Builds the statements from the field table, so that adding a field
 * never means editing SQL by hand. */
#include <apr_strings.h>

#include "chats_schema.h"
#include "chats_sql.h"

/* A column as it is read: date-times as integral microseconds so that no
 * time zone and no text format stands between PostgreSQL and us. */
static const char *read_expr(apr_pool_t *p, const char *alias,
                             const char *column, chats_ftype_e type)
{
    if (type == CHATS_F_DATETIME) {
        return apr_pstrcat(p, "(EXTRACT(EPOCH FROM ", alias, ".", column,
                           ") * 1000000)::int8", NULL);
    }
    return apr_pstrcat(p, alias, ".", column, NULL);
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

/* Select list and joins over a row source called "cs". */
static void select_parts(apr_pool_t *p, const char **plist,
                         const char **pjoins, int *pncols)
{
    int i, j, n, ncols = 0;
    const chats_field_t *f = chats_schema_fields(&n);
    const char *list = "", *joins = "";

    for (i = 0; i < n; i++) {
        if (f[i].type != CHATS_F_CARRIER) {
            list = apr_pstrcat(p, list, ncols ? ", " : "",
                               read_expr(p, "cs", f[i].column, f[i].type),
                               NULL);
            ncols++;
            continue;
        }
        {
            const chats_carrier_t *c = f[i].carrier;
            const char *alias = apr_psprintf(p, "c%d", i);

            for (j = 0; j < c->nfields; j++) {
                list = apr_pstrcat(p, list, ncols ? ", " : "",
                                   read_expr(p, alias, c->fields[j].column,
                                             c->fields[j].type), NULL);
                ncols++;
            }
            joins = apr_pstrcat(p, joins, " LEFT JOIN ", c->table, " ",
                                alias, " ON ", alias, ".",
                                c->fields[0].column, " = cs.", f[i].column,
                                NULL);
        }
    }
    *plist = apr_pstrcat(p, list, ", cs.version, EXTRACT(EPOCH FROM "
                         "date_trunc('second', cs.updated_at))::int8", NULL);
    *pjoins = joins;
    *pncols = ncols + 2;
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
    sql->password.name = "chats_password";
    sql->password.sql = "SELECT password_hash FROM associate WHERE name = $1";
    return sql;
}
