/* The methods that change a chat session: PATCH, PUT, POST, DELETE.
 * Updates read without a lock, apply, and write with the version they
 * read; on a lost race they read again and apply again (bounded), so no
 * update is lost and every precondition and "test" op is checked against
 * the row actually written. */
#include <apr_strings.h>

#include "chats_body.h"
#include "chats_entity.h"
#include "chats_patch.h"
#include "chats_resource.h"
#include "chats_rights.h"

/* Lost version races before we give up (each costs one read + write). */
#define CHATS_MAX_ATTEMPTS 16

#define CHATS_PATCH_FLAGS (CHATS_PATCH_CASEI | CHATS_PATCH_SLASH_OPT)

static const chats_patch_hooks_t entity_hooks = { chats_entity_prepare, NULL };

/* The body, and what a method makes of the current document with it. */
typedef struct {
    const chats_doc_t *body;
    apr_array_header_t *ops;     /* JSON Patch: read once; else NULL */
} chats_change_t;

typedef chats_err_t *chats_change_fn(chats_req_t *q, const chats_change_t *c,
                                     const chats_doc_t *cur,
                                     chats_doc_t **pnext);

/* The body as a document; offset-less date-times in it are local time
 * in the request's zone, made UTC here (in PostgreSQL) once. */
static chats_err_t *read_body(chats_req_t *q, chats_media_e *pmedia,
                              chats_doc_t **pbody)
{
    request_rec *r = q->r;
    chats_store_t *st;
    chats_err_t *e;

    if ((e = chats_body_media(r, pmedia)) != NULL
        || (e = chats_body_read(r, *pmedia,
                                chats_conf_max_body(chats_dir_conf(r)),
                                pbody)) != NULL) {
        return e;
    }
    if (q->tz && !q->tz->is_utc
        && ((e = chats_store_open(&st, r)) != NULL
            || (e = chats_tz_localize_body(st, q->tz, *pbody, r->pool)))) {
        return e;
    }
    return NULL;
}

/* Ops that make the current document into the entity in body: every
 * field named is replaced, every field left out is reset (PUT and POST
 * replace the whole entity). Errors name the member, as for a merge. */
static chats_err_t *entity_ops(request_rec *r, const chats_doc_t *body,
                               apr_array_header_t **pops)
{
    int i, n;
    const chats_field_t *f = chats_schema_fields(&n);
    apr_array_header_t *ops = apr_array_make(r->pool, n, sizeof(chats_op_t));

    if (body->type != CHATS_J_OBJECT) {
        return chats_err_make(r->pool, CHATS_E_INVALID, NULL,
                              "the body must be a ChatSessionEntity object");
    }
    for (i = 0; i < chats_doc_object_len(body); i++) {
        const chats_member_t *m = chats_doc_object_at(body, i);

        if (!chats_schema_find(m->name, m->name_len)
            && !chats_schema_is_ignored(m->name, m->name_len)) {
            return chats_err_make(r->pool, CHATS_E_INVALID, m->name,
                                  "unknown field %s", m->name);
        }
    }
    for (i = 0; i < n; i++) {
        chats_op_t *op;
        chats_doc_t *v = chats_doc_object_get(body, f[i].name,
                                              strlen(f[i].name), 1);

        /* The key: absent, null or 0 leave it to the URL (or the
         * database, for a new session); any other value must match. */
        if ((f[i].flags & CHATS_FF_KEY)
            && (!v || v->type == CHATS_J_NULL
                || (v->type == CHATS_J_NUMBER && !strcmp(v->s, "0")))) {
            continue;
        }
        op = apr_array_push(ops);
        memset(op, 0, sizeof(*op));
        op->kind = v ? CHATS_OP_REPLACE : CHATS_OP_REMOVE;
        op->path = apr_pstrcat(r->pool, "/", f[i].name, NULL);
        op->member = f[i].name;
        op->value = v;
    }
    *pops = ops;
    return NULL;
}

static chats_err_t *apply(request_rec *r, apr_array_header_t *ops,
                          int named_by_member, const chats_doc_t *cur,
                          chats_doc_t **pnext)
{
    chats_err_t *e;

    *pnext = (chats_doc_t *)cur;
    e = chats_patch_apply(pnext, ops, CHATS_PATCH_FLAGS, &entity_hooks,
                          r->pool);
    if (e && named_by_member) {
        e->op_index = -1;        /* members are named, not op indexes */
    }
    return e;
}

static chats_err_t *change_by_patch(chats_req_t *q, const chats_change_t *c,
                                    const chats_doc_t *cur,
                                    chats_doc_t **pnext)
{
    apr_array_header_t *ops = c->ops;
    chats_err_t *e;

    /* A merge patch is converted against the document as read now. */
    if (!ops && (e = chats_merge_to_ops(&ops, cur, c->body,
                                        CHATS_PATCH_FLAGS, q->r->pool))) {
        return e;
    }
    return apply(q->r, ops, c->ops == NULL, cur, pnext);
}

static chats_err_t *change_by_entity(chats_req_t *q, const chats_change_t *c,
                                     const chats_doc_t *cur,
                                     chats_doc_t **pnext)
{
    return apply(q->r, c->ops, 1, cur, pnext);
}

/* Read, check, change, write-if-unchanged; again on a lost race. */
static chats_err_t *update_loop(chats_req_t *q, chats_change_fn *change,
                                const chats_change_t *c)
{
    request_rec *r = q->r;
    chats_store_t *st;
    chats_row_t *row, *written;
    chats_doc_t *cur, *next;
    chats_err_t *e;
    int attempt;

    if ((e = chats_store_open(&st, r)) != NULL
        || (e = chats_rights_require(q, st, CHATS_DO_UPDATE)) != NULL) {
        return e;
    }
    for (attempt = 0; attempt < CHATS_MAX_ATTEMPTS; attempt++) {
        /* Rights against this attempt's row, before its validators. */
        if ((e = chats_store_load(st, q->id, &row)) != NULL
            || (e = chats_rights_check_change(
                    q, cur = chats_entity_from_row(r->pool, row->values),
                    NULL)) != NULL
            || (e = chats_resource_conditions(q, row)) != NULL
            || (e = change(q, c, cur, &next)) != NULL
            || (e = chats_rights_check_change(q, cur, next)) != NULL) {
            return e;
        }
        if (chats_doc_equal(cur, next)) {
            return chats_resource_send(q, row, cur);  /* nothing to write */
        }
        e = chats_store_update(st, q->id, row->version,
                               chats_entity_to_params(r->pool, next),
                               &written);
        if (e) {
            return e;
        }
        if (written) {
            return chats_resource_send(q, written,
                                       chats_entity_from_row(
                                           r->pool, written->values));
        }
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, CHATS_LOGNO(20)
                      "ChatSession %d changed under us (version %"
                      APR_INT64_T_FMT "), re-applying", (int)q->id,
                      row->version);
    }
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, CHATS_LOGNO(21)
                  "ChatSession %d: gave up after %d lost races", (int)q->id,
                  CHATS_MAX_ATTEMPTS);
    return chats_err_make(r->pool, CHATS_E_CONFLICT, NULL,
                          "too many concurrent updates, try again");
}

chats_err_t *chats_resource_patch(chats_req_t *q)
{
    request_rec *r = q->r;
    chats_change_t c = { NULL, NULL };
    chats_media_e media;
    chats_doc_t *body;
    chats_err_t *e;

    /* A bad body is refused before the database is touched. */
    if ((e = read_body(q, &media, &body)) != NULL) {
        return e;
    }
    c.body = body;
    if (body->type == CHATS_J_ARRAY && media != CHATS_MEDIA_MERGE_PATCH) {
        if ((e = chats_patch_read(&c.ops, body, CHATS_PATCH_FLAGS,
                                  r->pool)) != NULL) {
            return e;
        }
    }
    else if (body->type != CHATS_J_OBJECT || media == CHATS_MEDIA_JSON_PATCH) {
        return chats_err_make(r->pool, CHATS_E_INVALID, NULL,
                              media == CHATS_MEDIA_JSON_PATCH
                              ? "a JSON Patch must be an array of operations"
                              : media == CHATS_MEDIA_MERGE_PATCH
                              ? "a JSON Merge Patch must be an object"
                              : "the body must be a JSON Patch array or a "
                                "JSON Merge Patch object");
    }
    return update_loop(q, change_by_patch, &c);
}

chats_err_t *chats_resource_put(chats_req_t *q)
{
    chats_change_t c = { NULL, NULL };
    chats_media_e media;
    chats_doc_t *body;
    chats_err_t *e;

    if ((e = read_body(q, &media, &body)) != NULL
        || (e = entity_ops(q->r, body, &c.ops)) != NULL) {
        return e;
    }
    c.body = body;
    return update_loop(q, change_by_entity, &c);
}

chats_err_t *chats_resource_post(chats_req_t *q)
{
    request_rec *r = q->r;
    apr_array_header_t *ops;
    chats_media_e media;
    chats_doc_t *body, *next;
    chats_store_t *st;
    chats_row_t *row;
    chats_err_t *e;

    if ((e = read_body(q, &media, &body)) != NULL
        || (e = entity_ops(r, body, &ops)) != NULL
        || (e = apply(r, ops, 1, chats_entity_template(r->pool), &next))
        || (e = chats_store_open(&st, r)) != NULL
        || (e = chats_rights_require(q, st, CHATS_DO_CREATE)) != NULL
        || (e = chats_rights_check_change(q, NULL, next)) != NULL
        || (e = chats_store_insert(st, chats_entity_to_params(r->pool, next),
                                   &row)) != NULL) {
        return e;
    }
    /* 200, as SuperOffice answers a create, and where it now lives. */
    q->id = (apr_int32_t)apr_atoi64(row->values[0]);
    apr_table_setn(r->headers_out, "Location",
                   chats_resource_self_url(q, q->id));
    return chats_resource_send(q, row,
                               chats_entity_from_row(r->pool, row->values));
}

chats_err_t *chats_resource_delete(chats_req_t *q)
{
    request_rec *r = q->r;
    chats_store_t *st;
    chats_row_t *row;
    chats_err_t *e;
    int attempt, deleted;

    if ((e = chats_store_open(&st, r)) != NULL
        || (e = chats_rights_require(q, st, CHATS_DO_DELETE)) != NULL) {
        return e;
    }
    for (attempt = 0; attempt < CHATS_MAX_ATTEMPTS; attempt++) {
        if ((e = chats_store_load(st, q->id, &row)) != NULL
            || (e = chats_resource_conditions(q, row)) != NULL
            || (e = chats_store_delete(st, q->id, row->version, &deleted))) {
            return e;
        }
        if (deleted) {
            apr_table_unset(r->headers_out, "ETag");
            apr_table_unset(r->headers_out, "Last-Modified");
            r->status = HTTP_NO_CONTENT;
            return NULL;
        }
    }
    return chats_err_make(r->pool, CHATS_E_CONFLICT, NULL,
                          "too many concurrent updates, try again");
}
