/* What each method does to a chat session, from request to response:
 * read, check preconditions, patch, write with the version check, render.
 * HTTP statuses are not chosen here: errors go back to the handler. */
#include <apr_date.h>
#include <apr_strings.h>

#include "chats_body.h"
#include "chats_entity.h"
#include "chats_patch.h"
#include "chats_resource.h"
#include "chats_store.h"

/* Lost version races before we give up (each costs one read + write). */
#define CHATS_MAX_ATTEMPTS 16

#define CHATS_PATCH_FLAGS (CHATS_PATCH_CASEI | CHATS_PATCH_SLASH_OPT)

static chats_err_t *send_entity(request_rec *r, const chats_row_t *row,
                                const chats_doc_t *doc)
{
    const char *json = chats_doc_to_json(r->pool, doc, 0);

    if (!json) {
        return chats_err_make(r->pool, CHATS_E_INTERNAL, NULL,
                              "the entity could not be rendered");
    }
    r->mtime = row->updated_at;
    ap_set_last_modified(r);
    apr_table_setn(r->headers_out, "ETag",
                   apr_psprintf(r->pool, "\"%" APR_INT64_T_FMT "\"",
                                row->version));
    ap_set_content_type(r, "application/json; charset=utf-8");
    ap_set_content_length(r, strlen(json));
    if (!r->header_only) {
        ap_rputs(json, r);
    }
    return NULL;
}

chats_err_t *chats_resource_get(request_rec *r, apr_int32_t id)
{
    chats_store_t *st;
    chats_row_t *row;
    chats_err_t *e;

    if ((e = chats_store_open(&st, r)) != NULL
        || (e = chats_store_load(st, id, &row)) != NULL) {
        return e;
    }
    return send_entity(r, row, chats_entity_from_row(r->pool, row->values));
}

/* If-Unmodified-Since, compared at whole seconds (HTTP dates have no
 * more); an unparsable date is ignored, as RFC 9110 says. */
static chats_err_t *check_unmodified(request_rec *r, const chats_row_t *row)
{
    const char *h = apr_table_get(r->headers_in, "If-Unmodified-Since");
    apr_time_t since;

    if (!h || (since = apr_date_parse_http(h)) == APR_DATE_BAD) {
        return NULL;
    }
    if (apr_time_sec(row->updated_at) > apr_time_sec(since)) {
        return chats_err_make(r->pool, CHATS_E_STALE, NULL,
                              "the chat session was modified since %s", h);
    }
    return NULL;
}

/* The body as ops: an array is a JSON Patch, an object a Merge Patch
 * (converted against the current document, so per attempt). */
typedef struct {
    const chats_doc_t *body;
    apr_array_header_t *ops;     /* JSON Patch: read once */
} chats_patch_req_t;

static chats_err_t *read_patch(request_rec *r, chats_patch_req_t *pr)
{
    chats_media_e media;
    chats_doc_t *body;
    chats_err_t *e;

    if ((e = chats_body_media(r, &media)) != NULL
        || (e = chats_body_read(r, chats_conf_max_body(chats_dir_conf(r)),
                                &body)) != NULL) {
        return e;
    }
    pr->body = body;
    pr->ops = NULL;
    if (body->type == CHATS_J_ARRAY && media != CHATS_MEDIA_MERGE_PATCH) {
        return chats_patch_read(&pr->ops, body, CHATS_PATCH_FLAGS, r->pool);
    }
    if (body->type == CHATS_J_OBJECT && media != CHATS_MEDIA_JSON_PATCH) {
        return NULL;
    }
    return chats_err_make(r->pool, CHATS_E_INVALID, NULL,
                          media == CHATS_MEDIA_JSON_PATCH
                          ? "a JSON Patch must be an array of operations"
                          : media == CHATS_MEDIA_MERGE_PATCH
                          ? "a JSON Merge Patch must be an object"
                          : "the body must be a JSON Patch array or a "
                            "JSON Merge Patch object");
}

/* Apply the patch to the row as read; *pdoc is the new document. */
static chats_err_t *apply_patch(request_rec *r, const chats_patch_req_t *pr,
                                const chats_doc_t *cur, chats_doc_t **pdoc)
{
    static const chats_patch_hooks_t hooks = { chats_entity_prepare, NULL };
    apr_array_header_t *ops = pr->ops;
    chats_err_t *e;

    if (!ops && (e = chats_merge_to_ops(&ops, cur, pr->body,
                                        CHATS_PATCH_FLAGS, r->pool)) != NULL) {
        return e;
    }
    *pdoc = (chats_doc_t *)cur;
    e = chats_patch_apply(pdoc, ops, CHATS_PATCH_FLAGS, &hooks, r->pool);
    if (e && !pr->ops) {
        e->op_index = -1;        /* a merge names members, not op indexes */
    }
    return e;
}

chats_err_t *chats_resource_patch(request_rec *r, apr_int32_t id)
{
    chats_patch_req_t pr;
    chats_store_t *st;
    chats_row_t *row, *written;
    chats_doc_t *cur, *next;
    chats_err_t *e;
    int attempt;

    /* A bad body is refused before the database is touched. */
    if ((e = read_patch(r, &pr)) != NULL
        || (e = chats_store_open(&st, r)) != NULL) {
        return e;
    }
    for (attempt = 0; attempt < CHATS_MAX_ATTEMPTS; attempt++) {
        if ((e = chats_store_load(st, id, &row)) != NULL
            || (e = check_unmodified(r, row)) != NULL) {
            return e;
        }
        cur = chats_entity_from_row(r->pool, row->values);
        if ((e = apply_patch(r, &pr, cur, &next)) != NULL) {
            return e;
        }
        if (chats_doc_equal(cur, next)) {
            return send_entity(r, row, cur);      /* nothing to write */
        }
        e = chats_store_update(st, id, row->version,
                               chats_entity_to_params(r->pool, next),
                               &written);
        if (e) {
            return e;
        }
        if (written) {
            return send_entity(r, written,
                               chats_entity_from_row(r->pool,
                                                     written->values));
        }
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, CHATS_LOGNO(20)
                      "ChatSession %d changed under us (version %"
                      APR_INT64_T_FMT "), re-applying", (int)id,
                      row->version);
    }
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, CHATS_LOGNO(21)
                  "ChatSession %d: gave up after %d lost races", (int)id,
                  CHATS_MAX_ATTEMPTS);
    return chats_err_make(r->pool, CHATS_E_CONFLICT, NULL,
                          "too many concurrent updates, try again");
}
