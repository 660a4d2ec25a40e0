/* Reading the resource, and what every method shares: the representation
 * sent (with $select, _Links and validators) and conditional requests.
 * HTTP statuses are not chosen here: errors go back to the handler. */
#include <apr_strings.h>
#include <stdlib.h>

#include "http_core.h"

#include "chats_entity.h"
#include "chats_header_syntax.h"
#include "chats_precond.h"
#include "chats_qstring.h"
#include "chats_render.h"
#include "mod_chats_proxy.h"
#include "mod_chats_resource.h"
#include "mod_chats_rights.h"

/* ChatSessionEntity's FieldProperties pre-rendered for JSON answers:
 * written once by post_config, before children start, then only read
 * (NULL, or another entity's answer: rendered per answer, as for XML). */
static const chats_fp_json_t *chats_fp_json;

void chats_resource_post_config(apr_pool_t *pconf)
{
    chats_fp_json = chats_fp_json_build(pconf, &chats_session_def);
}

/* q (in thousandths) of one media range "type/sub;q=0.5" for the media
 * type rep: -1 if the range does not cover it or is malformed. */
static int range_q(const char *range, const char *rep, apr_pool_t *p)
{
    char *params = strchr(range, ';'), *param, *last;
    char *type = apr_pstrndup(p, range, params ? (apr_size_t)(params - range)
                                               : strlen(range));
    apr_size_t major = (apr_size_t)(strchr(rep, '/') - rep) + 1;
    int q = 1000;

    apr_collapse_spaces(type, type);
    if (strcasecmp(type, "*/*") && strcasecmp(type, rep)
        && !(strlen(type) == major + 1 && type[major] == '*'
             && !strncasecmp(type, rep, major))) {
        return -1;
    }
    params = params ? apr_pstrdup(p, params + 1) : NULL;
    for (param = params ? apr_strtok(params, ";", &last) : NULL; param;
         param = apr_strtok(NULL, ";", &last)) {
        apr_collapse_spaces(param, param);
        if ((param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
            q = chats_qvalue_parse(param + 2);
        }
    }
    return q;
}

/* What we can answer is the media table (chats_media.c), in its order of
 * preference on equal q; the patch types are answered as JSON. */
chats_err_t *chats_resource_negotiate(chats_req_t *q)
{
    const char *accept = apr_table_get(q->r->headers_in, "Accept");
    int nreps;
    const chats_media_t *reps = chats_media_types(&nreps);
    int *best_q = apr_palloc(q->r->pool, sizeof(int) * (apr_size_t)nreps);
    int i, best = -1;
    char *list, *range, *last;

    if (!accept || !*accept) {
        q->media = chats_media_default();
        return NULL;
    }
    for (i = 0; i < nreps; i++) {
        best_q[i] = -1;
    }
    list = apr_pstrdup(q->r->pool, accept);
    for (range = apr_strtok(list, ",", &last); range;
         range = apr_strtok(NULL, ",", &last)) {
        for (i = 0; i < nreps; i++) {
            int rq = range_q(range, reps[i].type, q->r->pool);

            /* an exact range outranks a wildcard: keep the first */
            if (rq >= 0 && (best_q[i] < 0 || !strchr(range, '*'))) {
                best_q[i] = rq;
            }
        }
    }
    for (i = 0; i < nreps; i++) {
        if (best_q[i] > 0 && (best < 0 || best_q[i] > best_q[best])) {
            best = i;
        }
    }
    if (best < 0) {
        return chats_err_make(q->r->pool, CHATS_E_NOT_ACCEPTABLE, NULL,
                              "no acceptable representation: "
                              CHATS_MT_OFFERED);
    }
    q->media = &reps[best];
    return NULL;
}

/* Absolute URLs must be right behind a reverse proxy: the configured
 * public URL wins, then what trusted proxies forwarded (chats_proxy.c). */
static const char *archive_link(chats_req_t *q)
{
    return apr_pstrcat(q->r->pool, chats_proxy_base_url(q->r),
                       q->archive_url, NULL);
}

const char *chats_resource_self_url(chats_req_t *q, apr_int32_t id)
{
    return apr_psprintf(q->r->pool, "%s/%d", archive_link(q), (int)id);
}

chats_err_t *chats_resource_select(chats_req_t *q)
{
    const char *spec = NULL;
    apr_array_header_t *sel = NULL;
    chats_err_t *e;

    /* %2F is the '/' of "User/Name", which clients encode. */
    if (q->qs && ((e = chats_qstring_get(q->r->pool, q->qs, CHATS_Q_SELECT,
                                         &spec)) != NULL
                  || (spec && (e = chats_select_parse(&sel, q->entity, spec,
                                                      q->r->pool)) != NULL))) {
        return e;
    }
    q->select = sel;
    return NULL;
}

static void view_opts(chats_req_t *q, int with_links, apr_int32_t id,
                      chats_view_opts_t *o)
{
    memset(o, 0, sizeof(*o));
    o->select = q->select;
    if (with_links) {
        o->archive_url = archive_link(q);
        o->self_url = apr_psprintf(q->r->pool, "%s/%d", o->archive_url,
                                   (int)id);
    }
}

chats_err_t *chats_resource_conditions(chats_req_t *q, const chats_read_t *rd)
{
    apr_table_t *in = q->r->headers_in;
    const char *ius = apr_table_get(in, "If-Unmodified-Since");
    int rc;

    chats_answer_validators(q->r, rd->version, rd->updated_at);
    /* RFC 9110 13.2.2: If-Unmodified-Since is not evaluated when If-Match
     * is present; httpd evaluates both, so hide it for the check. */
    if (ius && apr_table_get(in, "If-Match")) {
        apr_table_unset(in, "If-Unmodified-Since");
    }
    rc = ap_meets_conditions(q->r);
    if (ius) {
        apr_table_setn(in, "If-Unmodified-Since", ius);
        /* httpd reads the epoch as "no date" (chats_precond.c) */
        if (rc == OK && !apr_table_get(in, "If-Match")
            && chats_precond_http_date(ius) == 0
            && apr_time_sec(rd->updated_at) > 0) {
            rc = HTTP_PRECONDITION_FAILED;
        }
    }
    if (rc == HTTP_NOT_MODIFIED) {
        return chats_err_make(q->r->pool, CHATS_E_NOT_MODIFIED, NULL, NULL);
    }
    if (rc == HTTP_PRECONDITION_FAILED) {
        return chats_err_make(q->r->pool, CHATS_E_STALE, NULL,
                              "a precondition failed: the %s has "
                              "changed", q->entity->label);
    }
    return NULL;
}

chats_err_t *chats_resource_locale(chats_req_t *q)
{
    chats_err_t *e;

    if ((e = chats_tz_from_request(q->r, &q->tz)) != NULL
        || (e = chats_locale_from_request(q->r, &q->loc)) != NULL) {
        return e;
    }
    chats_tz_set_response_header(q->r, q->tz);
    return NULL;
}

const char *chats_resource_zone(const chats_req_t *q)
{
    return q->tz && !q->tz->is_utc ? q->tz->zone : NULL;
}

const chats_entity_sql_t *chats_resource_sql(const chats_req_t *q)
{
    return chats_sql_entity(chats_srv_conf(q->r->server)->sql, q->entity);
}

chats_read_t *chats_resource_read_row(chats_req_t *q,
                                      const char *const *values)
{
    const chats_entity_sql_t *sql = chats_resource_sql(q);
    chats_read_e how = chats_resource_zone(q) ? CHATS_READ_ZONED
                                              : CHATS_READ_UTC;
    chats_read_t *rd = apr_pcalloc(q->r->pool, sizeof(*rd));
    int n = sql->ncols[how];

    rd->doc = chats_entity_from_row(q->r->pool, q->entity, values, how,
                                    q->tz && q->tz->from_header);
    rd->id = (apr_int32_t)apr_atoi64(values[0]);
    rd->version = apr_atoi64(values[n - 2]);
    rd->updated_at = apr_time_from_sec(apr_atoi64(values[n - 1]));
    return rd;
}

/* The caller's associate id as a parameter: 0 for none (no row's). */
static const char *caller_param(const chats_req_t *q)
{
    const chats_caller_t *c = chats_rights_caller(q);

    return apr_itoa(q->r->pool, c && c->associate_id > 0 ? c->associate_id
                                                         : 0);
}

/* rd as the caller sees it: translated, $select applied, with links
 * when with_links (and rd is a row), TableRight and FieldProperties. */
static chats_err_t *view_of(chats_req_t *q, const chats_read_t *rd,
                            int with_links, chats_doc_t **pview)
{
    request_rec *r = q->r;
    chats_view_opts_t o;
    chats_locale_texts_t *texts;
    chats_err_t *e;

    /* [SR_…] resources: their texts read before rendering starts (a
     * statement only when a string holds one); rendering reads nothing */
    if ((e = chats_locale_load_doc(r, q->loc, rd->doc, &texts)) != NULL) {
        return e;
    }
    chats_store_rendering(r);
    view_opts(q, rd->id != 0 && with_links, rd->id, &o);
    /* What this caller may do with this row (or the template). */
    o.table_mask = q->entity->rights && q->entity->rights->read_guard
        ? chats_rights_table_mask_ruled(q, rd->id == 0, rd->may_write)
        : chats_rights_table_mask(q, rd->doc, rd->id == 0);
    o.readonly = chats_rights_readonly(q, rd->doc, rd->id == 0);
    o.fp_json = chats_answer_xml(q->media) || q->entity != &chats_session_def
        ? NULL : chats_fp_json;
    *pview = chats_view_build(r->pool, q->entity, rd->doc, &o);
    chats_locale_apply(texts, *pview, r->pool);
    return NULL;
}

chats_err_t *chats_resource_send(chats_req_t *q, const chats_read_t *rd)
{
    chats_doc_t *view;
    chats_err_t *e;

    if ((e = view_of(q, rd, !q->agent, &view)) != NULL) {
        return e;
    }
    if (rd->id) {
        chats_answer_validators(q->r, rd->version, rd->updated_at);
    }
    return chats_resource_answer(q, view, q->entity->type_name,
                                 "the entity");
}

/* Rows as an array of entities without links (XML: .NET's ArrayOf<T>,
 * one element per entity); guarded: each row has may_read and
 * may_write after the layout's columns. */
static chats_err_t *answer_rows(chats_req_t *q, const chats_rows_t *rows,
                                int guarded)
{
    const chats_entity_sql_t *sql = chats_resource_sql(q);
    chats_read_e how = chats_resource_zone(q) ? CHATS_READ_ZONED
                                              : CHATS_READ_UTC;
    int xml = chats_answer_xml(q->media), i;
    chats_doc_t *out, *view;
    chats_read_t *rd;
    chats_err_t *e;

    out = xml ? chats_doc_object(q->r->pool) : chats_doc_array(q->r->pool);
    for (i = 0; i < rows->nrows; i++) {
        const char *const *row = rows->values + i * rows->ncols;

        rd = chats_resource_read_row(q, row);
        rd->may_write = guarded && row[sql->ncols[how] + 1][0] == 't';
        if ((e = view_of(q, rd, 0, &view)) != NULL) {
            return e;
        }
        if (xml) {
            chats_doc_object_add(out, q->entity->type_name, view);
        }
        else {
            chats_doc_array_push(out, view);
        }
    }
    return chats_resource_answer(q, out, apr_pstrcat(q->r->pool, "ArrayOf",
                                                     q->entity->type_name,
                                                     NULL), "the answer");
}

chats_err_t *chats_resource_mine(chats_req_t *q)
{
    const chats_entity_sql_t *sql = chats_resource_sql(q);
    const char *params[2], *zone = chats_resource_zone(q);
    chats_read_e how = zone ? CHATS_READ_ZONED : CHATS_READ_UTC;
    chats_store_t *st;
    chats_rows_t *rows;
    chats_err_t *e;
    int n = 0;

    if (!sql->mine[how].sql) {
        return chats_err_make(q->r->pool, CHATS_E_INTERNAL, NULL,
                              "%ss have no members", q->entity->label);
    }
    if ((e = chats_rights_require(q, CHATS_DO_READ)) != NULL
        || (e = chats_store_open(&st, q->r)) != NULL) {
        return e;
    }
    if (zone) {
        params[n++] = zone;
    }
    params[n++] = caller_param(q);
    if ((e = chats_store_exec(st, &sql->mine[how], n, params, &rows))
        != NULL) {
        return e;
    }
    return answer_rows(q, rows, 1);
}

/* A list filter's value from the query, by its name or its alias (not
 * both), as the parameter its statement binds: NULL filters nothing (no
 * value, "", an enum's zero value). Coerced as the filter's field, so a
 * bad one is a 400 naming the parameter. */
static chats_err_t *filter_value(chats_req_t *q, const chats_list_filter_t *lf,
                                 const char **pv)
{
    apr_pool_t *p = q->r->pool;
    const char *a = NULL, *b = NULL, *v;
    const chats_field_t *f;
    chats_doc_t *doc, *canon;
    chats_err_t *e;

    *pv = NULL;
    if ((e = chats_qstring_get(p, q->qs, chats_qparam_of(lf->name), &a))
        || (lf->alias && (e = chats_qstring_get(p, q->qs, chats_qparam_of(
                                                    lf->alias), &b)))) {
        return e;
    }
    if (a && b) {
        return chats_err_make(p, CHATS_E_INVALID, lf->name, "%s: given "
                              "twice (as %s and %s)", lf->name, lf->name,
                              lf->alias);
    }
    if (!(v = a ? a : b) || !*v) {
        return NULL;
    }
    f = lf->field ? chats_schema_find(q->entity, lf->field,
                                      strlen(lf->field)) : NULL;
    if (!f) {
        *pv = v;
        return NULL;
    }
    doc = v[strspn(v, "0123456789")] ? chats_doc_strz(p, v)
                                     : chats_doc_number(p, v, strlen(v));
    if ((e = chats_entity_coerce_as(f, a ? lf->name : lf->alias, doc,
                                    &canon, p)) != NULL) {
        return e;
    }
    *pv = chats_entity_param(p, f, canon);
    if (f->type == CHATS_F_ENUM && !strcmp(*pv, "0")) {
        *pv = NULL;                          /* Unknown: any state */
    }
    return NULL;
}

chats_err_t *chats_resource_filtered(chats_req_t *q)
{
    const chats_entity_sql_t *sql = chats_resource_sql(q);
    const chats_list_filter_t *lf;
    const char *params[16], *zone = chats_resource_zone(q);
    chats_read_e how = zone ? CHATS_READ_ZONED : CHATS_READ_UTC;
    chats_store_t *st;
    chats_rows_t *rows;
    chats_err_t *e;
    int n = 0;

    if (!sql->filtered[how].sql) {
        return chats_err_make(q->r->pool, CHATS_E_INTERNAL, NULL,
                              "%ss have no filtered list", q->entity->label);
    }
    if ((e = chats_rights_require(q, CHATS_DO_READ)) != NULL) {
        return e;
    }
    if (zone) {
        params[n++] = zone;
    }
    for (lf = q->entity->extras->filters; lf->name && n < 16; lf++) {
        if ((e = filter_value(q, lf, &params[n++])) != NULL) {
            return e;
        }
    }
    if ((e = chats_store_open(&st, q->r)) != NULL
        || (e = chats_store_exec(st, &sql->filtered[how], n, params, &rows))
           != NULL) {
        return e;
    }
    return answer_rows(q, rows, 0);
}

chats_err_t *chats_resource_answer(chats_req_t *q, const chats_doc_t *doc,
                                   const char *root, const char *what)
{
    chats_answer_t a = { doc, root, NULL, what };

    return chats_answer(q->r, q->media, &a);
}

chats_err_t *chats_resource_not_found_of(const chats_req_t *q,
                                         const chats_entity_def_t *def,
                                         apr_int32_t id)
{
    /* written once (t/engine/answer_facts.t): "ChatSession id 7 not
     * found", "ChatTopic id 7 not found" */
    return chats_err_make(q->r->pool, CHATS_E_NOT_FOUND, NULL,
                          "%s id %d not found", def->name, (int)id);
}

chats_err_t *chats_resource_not_found(const chats_req_t *q)
{
    return chats_resource_not_found_of(q, q->entity, q->id);
}

/* With a read guard, the guard's two columns after the row's: a caller
 * below the read level who is not guarded in (no member of the topic) is
 * refused; whether the rule's write guard holds goes to the answer's
 * TableRight. */
static chats_err_t *guard_read(chats_req_t *q, const chats_rows_t *rows,
                               chats_read_t *rd)
{
    const chats_entity_rights_t *rr = q->entity->rights;
    int n = chats_resource_sql(q)->ncols[chats_resource_zone(q)
                                         ? CHATS_READ_ZONED : CHATS_READ_UTC];
    const char *may_read = rows->ncols > n + 1 ? rows->values[n] : NULL;

    if (!may_read) {
        return NULL;
    }
    rd->may_write = rows->values[n + 1] && rows->values[n + 1][0] == 't';
    if (may_read[0] != 't'
        && chats_rights_caller(q)->level < rr->need[CHATS_VERB_READ].any) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, q->r, CHATS_LOGNO(680)
                      "denied: %s may read only the %ss they are a member "
                      "of (%s %d)", q->r->user ? q->r->user : "-",
                      q->entity->label, q->r->method, (int)q->id);
        return chats_err_make(q->r->pool, CHATS_E_FORBIDDEN, NULL,
                              "you may read only the %ss you are a member "
                              "of, or need the read right", q->entity->label);
    }
    return NULL;
}

chats_err_t *chats_resource_get(chats_req_t *q)
{
    const chats_entity_sql_t *sql = chats_resource_sql(q);
    const char *params[3], *zone = chats_resource_zone(q);
    chats_read_e how = zone ? CHATS_READ_ZONED : CHATS_READ_UTC;
    const chats_stmt_t *get = sql->get_guarded[how].sql
                            ? &sql->get_guarded[how] : &sql->get[how];
    chats_store_t *st;
    chats_rows_t *rows;
    chats_read_t *rd;
    chats_err_t *e;
    int n = 0;

    if ((e = chats_rights_require(q, CHATS_DO_READ)) != NULL
        || (e = chats_store_open(&st, q->r)) != NULL) {
        return e;
    }
    if (zone) {
        params[n++] = zone;
    }
    params[n++] = apr_itoa(q->r->pool, q->id);
    if (get != &sql->get[how]) {
        params[n++] = caller_param(q);
    }
    if ((e = chats_store_exec(st, get, n, params, &rows)) != NULL) {
        return e;
    }
    if (rows->nrows != 1) {
        return chats_resource_not_found(q);
    }
    rd = chats_resource_read_row(q, rows->values);
    if ((e = guard_read(q, rows, rd)) != NULL
        || (e = chats_resource_conditions(q, rd)) != NULL) {
        return e;
    }
    return chats_resource_send(q, rd);
}

chats_err_t *chats_resource_default(chats_req_t *q)
{
    chats_read_t rd;
    chats_err_t *e;

    if ((e = chats_rights_require(q, CHATS_DO_READ)) != NULL) {
        return e;
    }
    memset(&rd, 0, sizeof(rd));
    rd.doc = chats_entity_template(q->r->pool, q->entity);
    return chats_resource_send(q, &rd);
}
