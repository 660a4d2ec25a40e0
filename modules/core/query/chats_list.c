/* The archive list's statement, rows and envelope (see the header). */
#include <apr_lib.h>
#include <apr_strings.h>
#include <string.h>

#include "chats_entity.h"
#include "chats_filter.h"
#include "chats_list.h"
#include "chats_plan.h"
#include "chats_render.h"

chats_err_t *chats_list_count(apr_pool_t *p, const char *name,
                              const char *text, apr_int64_t max,
                              apr_int64_t *pv)
{
    apr_int64_t v = 0;
    const char *s = text;

    /* digits only: no sign, no blanks, no "1e3" that a strtol would
     * half-read, and a bound before the value can overflow */
    for (; *s && apr_isdigit(*s) && v <= max; s++) {
        v = v * 10 + (*s - '0');
    }
    if (!*text || *s || v > max) {
        return chats_err_make(p, CHATS_E_INVALID, name,
                              "%s: '%s' is not a whole number from 0 to %"
                              APR_INT64_T_FMT, name,
                              strlen(text) > 40 ? apr_pstrndup(p, text, 40)
                                                : text, max);
    }
    *pv = v;
    return NULL;
}

/* Does the selection take carrier field f whole? */
static int whole(const apr_array_header_t *sel, const chats_field_t *f)
{
    int i;

    for (i = 0; i < sel->nelts; i++) {
        const chats_select_t *it = &APR_ARRAY_IDX(sel, i, chats_select_t);

        if (it->field == f && !it->sub) {
            return 1;
        }
    }
    return 0;
}

/* The selected fields, once each, in the order the selection first names
 * them ("User/Name,Status,User/Id": User, Status). */
static void selected_fields(apr_pool_t *p, const apr_array_header_t *sel,
                            chats_list_query_t *q)
{
    int i, k;

    q->fields = apr_pcalloc(p, (apr_size_t)sel->nelts * sizeof(*q->fields));
    q->nfields = 0;
    for (i = 0; i < sel->nelts; i++) {
        const chats_field_t *f = APR_ARRAY_IDX(sel, i, chats_select_t).field;

        for (k = 0; k < q->nfields && q->fields[k] != f; k++) {
        }
        if (k == q->nfields) {
            q->fields[q->nfields++] = f;
        }
    }
}

static const char *bind_param(apr_array_header_t *params, const char *value,
                              chats_ptype_e type)
{
    chats_param_t *pa = apr_array_push(params);

    pa->value = value;
    pa->type = type;
    return apr_psprintf(params->pool, "$%d", params->nelts);
}

/* The parameters as the store takes them: values and types apart. */
static void set_params(apr_pool_t *p, chats_list_query_t *q,
                       const apr_array_header_t *params)
{
    int i;

    q->nparams = params->nelts;
    q->params = apr_pcalloc(p, (apr_size_t)params->nelts
                               * sizeof(*q->params));
    q->types = apr_pcalloc(p, (apr_size_t)params->nelts * sizeof(*q->types));
    for (i = 0; i < params->nelts; i++) {
        q->params[i] = APR_ARRAY_IDX(params, i, chats_param_t).value;
        q->types[i] = APR_ARRAY_IDX(params, i, chats_param_t).type;
    }
}

chats_err_t *chats_list_query(apr_pool_t *p, const chats_list_in_t *in,
                              chats_list_query_t **pq)
{
    chats_list_query_t *q = apr_pcalloc(p, sizeof(*q));
    apr_array_header_t *params = apr_array_make(p, 8, sizeof(chats_param_t));
    apr_array_header_t *cols = apr_array_make(p, 8, sizeof(const char *));
    const apr_array_header_t *sel = in->select;
    apr_array_header_t *dsel;
    chats_filter_env_t env;
    chats_filter_sql_t *fs;
    const char *sql, *limit, *offset, *scope;
    chats_err_t *e;
    int i;

    if (!sel) {
        if ((e = chats_select_parse(&dsel, &chats_session_def,
                                    CHATS_LIST_DEFAULT_SELECT, p))) {
            return e;
        }
        sel = dsel;
    }
    q->select = sel;
    q->top = in->top;
    q->how = in->zone ? CHATS_READ_ZONED : CHATS_READ_UTC;
    if (in->zone) {
        bind_param(params, in->zone, CHATS_P_TEXT);         /* $1: the zone */
    }
    env.first_param = params->nelts + 1;
    env.zone = in->zone;
    if ((e = chats_filter_compile(p, in->filter, in->orderby, &env, &fs))) {
        return e;
    }
    apr_array_cat(params, fs->params);
    q->filter_fields = fs->fields;
    scope = fs->where;

    selected_fields(p, sel, q);
    for (i = 0; i < q->nfields; i++) {
        const chats_field_t *f = q->fields[i];

        APR_ARRAY_PUSH(cols, const char *) = chats_sql_field_cols(p, f,
                                                                  q->how);
        q->ncols += (f->type == CHATS_F_DATETIME && in->zone) ? 2 : 1;
    }
    APR_ARRAY_PUSH(cols, const char *) = "cs.id";
    q->ncols++;

    /* top 0 asks for no row, and a page of none has no next page */
    limit = bind_param(params, apr_psprintf(p, "%" APR_INT64_T_FMT,
                                         in->top ? in->top + 1 : 0),
                 CHATS_P_INT8);
    offset = bind_param(params, apr_psprintf(p, "%" APR_INT64_T_FMT, in->skip),
                  CHATS_P_INT8);
    if (in->topic) {
        scope = apr_pstrcat(p, "cs.topic_id = ", bind_param(
                                params, apr_itoa(p, in->topic), CHATS_P_INT4),
                            fs->where ? " AND (" : "",
                            fs->where ? fs->where : "",
                            fs->where ? ")" : "", NULL);
    }
    sql = apr_pstrcat(p, "SELECT ", apr_array_pstrcat(p, cols, ','),
                      " FROM chat_session cs",
                      scope ? " WHERE " : "", scope ? scope : "",
                      " ORDER BY ", fs->order_by ? fs->order_by : "",
                      fs->order_by ? ", " : "", "cs.id LIMIT ", limit,
                      " OFFSET ", offset, NULL);
    q->stmt.name = NULL;
    q->stmt.sql = sql;
    set_params(p, q, params);
    *pq = q;
    return NULL;
}

chats_doc_t *chats_list_row(apr_pool_t *p, const chats_list_query_t *q,
                            const char *const *values, int stamps_utc)
{
    chats_doc_t *cols = chats_entity_from_cols(p, q->fields, q->nfields,
                                               values, q->how, stamps_utc);
    chats_doc_t *row = chats_doc_object(p);
    const char *key = values[q->ncols - 1];
    int i;

    chats_doc_object_add(row, "PrimaryKey",
                         chats_doc_number(p, key, strlen(key)));
    chats_doc_object_add(row, "EntityName",
                         chats_doc_strz(p, CHATS_LIST_ENTITY_NAME));
    for (i = 0; i < q->nfields; i++) {
        const chats_field_t *f = q->fields[i];
        chats_doc_t *v = chats_doc_object_get(cols, f->name,
                                              strlen(f->name), 0);

        if (f->type == CHATS_F_CARRIER && v && v->type == CHATS_J_OBJECT
            && !whole(q->select, f)) {
            v = chats_render_select_carrier(p, v, f, q->select, 0);
        }
        chats_doc_object_add(row, f->name, v ? v : chats_doc_null(p));
    }
    return row;
}

chats_doc_t *chats_list_envelope(apr_pool_t *p, const char *metadata,
                                 const char *next,
                                 const apr_array_header_t *rows, int xml)
{
    chats_doc_t *env = chats_doc_object(p);
    chats_doc_t *value = xml ? chats_doc_object(p) : chats_doc_array(p);
    int i;

    chats_doc_object_add(env, "odata.metadata", chats_doc_strz(p, metadata));
    if (next) {
        chats_doc_object_add(env, "odata.nextLink", chats_doc_strz(p, next));
    }
    for (i = 0; i < rows->nelts; i++) {
        chats_doc_t *row = APR_ARRAY_IDX(rows, i, chats_doc_t *);

        if (xml) {
            chats_doc_object_add(value, "ChatSession", row);
        }
        else {
            chats_doc_array_push(value, row);
        }
    }
    chats_doc_object_add(env, "value", value);
    return env;
}
