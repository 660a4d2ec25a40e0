/* mod_chatsession: SuperOffice WebAPI's ChatSession resource on PostgreSQL.
 *
 * This file holds the module record, the hooks and the thin handler that
 * routes a request to its method; the work is done in modules/. */
#define CHATS_MODULE_MAIN
#include <apr_lib.h>
#include <apr_strings.h>

#include "http_core.h"
#include "ap_expr.h"

#include "chats_metrics.h"
#include "chats_openapi.h"
#include "chats_private.h"
#include "chats_resource.h"
#include "chats_sql.h"
#include "chats_store_open.h"
#include "chats_tz.h"

/* Where "/ChatSession" ends in the URI (the last such segment), or -1. */
static apr_ssize_t resource_end(const request_rec *r)
{
    static const char name[] = "/ChatSession";
    const char *u = r->uri, *s;
    apr_ssize_t end = -1;

    for (s = u; (s = ap_strcasestr(s, name)) != NULL; s++) {
        char after = s[sizeof(name) - 1];

        if (after == '\0' || after == '/') {
            end = (s - u) + (apr_ssize_t)sizeof(name) - 1;
        }
    }
    return end;
}

/* "844" -> 844; an id must be a decimal int32 (leading zeros allowed,
 * as SuperOffice's routing takes them). */
static chats_err_t *parse_id(request_rec *r, const char *s, apr_int32_t *pid)
{
    apr_int64_t v = 0;
    const char *d;

    for (d = s; *d; d++) {
        if (!apr_isdigit(*d) || (v = v * 10 + (*d - '0')) > INT32_MAX) {
            return chats_err_make(r->pool, CHATS_E_BAD_ID, NULL,
                                  "'%s' is not a chat session id", s);
        }
    }
    *pid = (apr_int32_t)v;
    return NULL;
}

/* Served beside the sessions: /api/v1/ChatSession/openapi.json. */
#define CHATS_OPENAPI_NAME "openapi.json"

typedef chats_err_t *chats_method_fn(chats_req_t *q);

/* What each kind of URL allows. */
typedef struct {
    const char *allow;
    chats_method_fn *get, *put, *patch, *del, *post;
} chats_route_t;

static const chats_route_t item_route = {
    "GET, HEAD, PUT, PATCH, DELETE, OPTIONS", chats_resource_get,
    chats_resource_put, chats_resource_patch, chats_resource_delete, NULL
};
static const chats_route_t collection_route = {
    "POST, OPTIONS", NULL, NULL, NULL, NULL, chats_resource_post
};
static const chats_route_t default_route = {
    "GET, HEAD, OPTIONS", chats_resource_default, NULL, NULL, NULL, NULL
};

static chats_err_t *dispatch(chats_req_t *q, const chats_route_t *rt)
{
    request_rec *r = q->r;
    chats_err_t *e;
    chats_method_fn *fn = r->method_number == M_GET ? rt->get
                        : r->method_number == M_PUT ? rt->put
                        : r->method_number == M_PATCH ? rt->patch
                        : r->method_number == M_DELETE ? rt->del
                        : r->method_number == M_POST ? rt->post : NULL;

    if (r->method_number == M_OPTIONS) {
        apr_table_setn(r->headers_out, "Allow", rt->allow);
        apr_table_setn(r->headers_out, "Accept-Patch",
                       "application/json-patch+json, "
                       "application/merge-patch+json");
        ap_set_content_length(r, 0);
        return NULL;
    }
    if (!fn) {
        apr_table_setn(r->err_headers_out, "Allow", rt->allow);
        return chats_err_make(r->pool, CHATS_E_METHOD, NULL,
                              "%s is not allowed here", r->method);
    }
    /* The representation depends on these: caches in front must know. */
    apr_table_mergen(r->headers_out, "Vary",
                     "Accept, Accept-Language, SO-Language, SO-TimeZone");
    /* 406 before anything is done, not after a write */
    if (r->method_number != M_DELETE
        && ((e = chats_resource_negotiate(q)) != NULL
            || (e = chats_resource_select(q)) != NULL
            || (e = chats_resource_locale(q)) != NULL)) {
        return e;
    }
    return fn(q);
}

/* The OpenAPI document describing all of the above. */
static chats_err_t *send_openapi(request_rec *r)
{
    const char *doc = chats_srv_conf(r->server)->openapi;

    if (r->method_number != M_GET) {
        apr_table_setn(r->err_headers_out, "Allow", "GET, HEAD");
        return chats_err_make(r->pool, CHATS_E_METHOD, NULL,
                              "%s is not allowed here", r->method);
    }
    if (!doc) {
        return chats_err_make(r->pool, CHATS_E_INTERNAL, NULL,
                              "the OpenAPI document could not be built");
    }
    ap_set_content_type(r, "application/json; charset=utf-8");
    ap_set_content_length(r, strlen(doc));
    if (!r->header_only) {
        ap_rputs(doc, r);
    }
    return NULL;
}

static chats_err_t *route(request_rec *r)
{
    apr_ssize_t end = resource_end(r);
    const char *tail;
    chats_req_t q;
    chats_err_t *e;

    r->allowed = (AP_METHOD_BIT << M_GET) | (AP_METHOD_BIT << M_PUT)
        | (AP_METHOD_BIT << M_PATCH) | (AP_METHOD_BIT << M_DELETE)
        | (AP_METHOD_BIT << M_POST) | (AP_METHOD_BIT << M_OPTIONS);
    if (end < 0) {
        return chats_err_make(r->pool, CHATS_E_NOT_FOUND, NULL,
                              "no such resource");
    }
    memset(&q, 0, sizeof(q));
    q.r = r;
    q.archive_url = apr_pstrmemdup(r->pool, r->uri, end);
    tail = r->uri + end;
    /* The official client posts to the collection with a trailing '/'. */
    if (!*tail || !strcmp(tail, "/")) {
        return dispatch(&q, &collection_route);
    }
    if (strchr(tail + 1, '/')) {
        return chats_err_make(r->pool, CHATS_E_NOT_FOUND, NULL,
                              "no such resource");
    }
    if (!strcasecmp(tail + 1, CHATS_OPENAPI_NAME)) {
        return send_openapi(r);
    }
    if (!strcasecmp(tail + 1, "default")) {
        return dispatch(&q, &default_route);
    }
    if ((e = parse_id(r, tail + 1, &q.id)) != NULL) {
        return e;
    }
    chats_note_session(r, q.id);
    return dispatch(&q, &item_route);
}

static int chats_handler(request_rec *r)
{
    const char *path;
    chats_err_t *e;

    if (!r->handler || strcmp(r->handler, CHATS_HANDLER)) {
        return DECLINED;
    }
    path = chats_conf_openapi_path(chats_dir_conf(r));
    if (path && !strcmp(r->uri, path)) {
        chats_http_guard(r, 0);       /* the same document for everyone */
        e = send_openapi(r);
    }
    else {
        chats_http_guard(r, 1);
        e = route(r);
    }
    if (e && e->rv == AP_FILTER_ERROR) {
        return AP_FILTER_ERROR;    /* httpd has answered already */
    }
    return e ? chats_http_send_error(r, e) : OK;
}

/* Our resource is no file. Like mod_proxy, a request that SetHandler
 * chatsession serves skips core's mapping of its URL into DocumentRoot,
 * whose directory walk costs some ten stat() and .htaccess lookups per
 * request; <Location> sections apply as before, <Directory> ones never
 * matched it anyway. */
static int chats_translate_name(request_rec *r)
{
    core_dir_config *d = ap_get_core_module_config(r->per_dir_config);
    const char *handler = d->handler, *err = NULL;

    if (d->expr_handler) {
        handler = ap_expr_str_exec(r, d->expr_handler, &err);
    }
    if (err || !handler || strcasecmp(handler, CHATS_HANDLER)) {
        return DECLINED;
    }
    r->filename = apr_pstrcat(r->pool, CHATS_HANDLER ":", r->uri, NULL);
    apr_table_setn(r->notes, CHATS_NOTE_VIRTUAL, "1");
    return OK;
}

static int chats_map_to_storage(request_rec *r)
{
    return apr_table_get(r->notes, CHATS_NOTE_VIRTUAL) ? OK : DECLINED;
}

static void retrieve_optional_fn(void)
{
    chats_dbd_open_fn = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_open);
    chats_dbd_close_fn = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_close);
}

static int chats_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp, server_rec *s)
{
    const chats_sql_t *sql = chats_sql_build(pconf);
    const char *openapi = chats_openapi_json(pconf, NULL);

    (void)plog;
    (void)ptemp;
    for (; s; s = s->next) {
        chats_srv_conf(s)->sql = sql;
        chats_srv_conf(s)->openapi = openapi;
    }
    return OK;
}

static void chats_child_init(apr_pool_t *pchild, server_rec *s)
{
    chats_auth_child_init(pchild, s);
    chats_tz_child_init(pchild, s);
    chats_store_child_init(pchild, s);
}

static void chats_register_hooks(apr_pool_t *p)
{
    ap_hook_optional_fn_retrieve(retrieve_optional_fn, NULL, NULL,
                                 APR_HOOK_MIDDLE);
    ap_hook_post_config(chats_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(chats_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_translate_name(chats_translate_name, NULL, NULL,
                           APR_HOOK_FIRST);
    ap_hook_map_to_storage(chats_map_to_storage, NULL, NULL,
                           APR_HOOK_FIRST);
    ap_hook_handler(chats_handler, NULL, NULL, APR_HOOK_MIDDLE);
    chats_http_register_hooks(p);
    chats_auth_register_hooks(p);
    chats_cors_register_hooks(p);
    chats_dbconf_register_hooks(p);
    chats_status_register_hooks(p);
}

AP_DECLARE_MODULE(chatsession) = {
    STANDARD20_MODULE_STUFF,
    chats_dir_conf_create,
    chats_dir_conf_merge,
    chats_srv_conf_create,
    chats_srv_conf_merge,
    chats_cmds,
    chats_register_hooks,
    AP_MODULE_FLAG_NONE
};
