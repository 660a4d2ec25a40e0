/* mod_chatsession: SuperOffice WebAPI's ChatSession resource on PostgreSQL.
 *
 * This file holds the module record, the hooks and the thin handler that
 * routes a request to its method; the work is done in modules/. */
#define CHATS_MODULE_MAIN
#include <apr_lib.h>
#include <apr_strings.h>

#include "modules/chats_private.h"
#include "modules/chats_resource.h"
#include "modules/chats_sql.h"

/* The part of the URI after ".../ChatSession": "" for the collection,
 * "/844" for one session. NULL if the URI does not name the resource. */
static const char *resource_tail(const request_rec *r)
{
    static const char name[] = "/ChatSession";
    const char *u = r->uri, *hit = NULL, *s;

    for (s = u; (s = ap_strcasestr(s, name)) != NULL; s++) {
        char after = s[sizeof(name) - 1];

        if (after == '\0' || after == '/') {
            hit = s;
        }
    }
    return hit ? hit + sizeof(name) - 1 : NULL;
}

/* "/844" -> 844; an id must be a decimal int32 (leading zeros allowed,
 * as SuperOffice's routing takes them). */
static chats_err_t *parse_id(request_rec *r, const char *tail,
                             apr_int32_t *pid)
{
    const char *s = tail + 1;
    apr_int64_t v = 0;

    if (*s == '\0') {
        return chats_err_make(r->pool, CHATS_E_BAD_ID, NULL,
                              "the URL must end in a chat session id");
    }
    for (; *s; s++) {
        if (!apr_isdigit(*s) || (v = v * 10 + (*s - '0')) > INT32_MAX) {
            return chats_err_make(r->pool, CHATS_E_BAD_ID, NULL,
                                  "'%s' is not a chat session id",
                                  tail + 1);
        }
    }
    *pid = (apr_int32_t)v;
    return NULL;
}

static chats_err_t *route(request_rec *r)
{
    const char *tail = resource_tail(r);
    apr_int32_t id = 0;
    chats_err_t *e;

    r->allowed = (AP_METHOD_BIT << M_GET) | (AP_METHOD_BIT << M_PATCH);
    if (!tail || *tail != '/' || strchr(tail + 1, '/')) {
        return chats_err_make(r->pool, CHATS_E_NOT_FOUND, NULL,
                              "no such resource");
    }
    if ((e = parse_id(r, tail, &id)) != NULL) {
        return e;
    }
    switch (r->method_number) {
    case M_GET:
        return chats_resource_get(r, id);
    case M_PATCH:
        return chats_resource_patch(r, id);
    default:
        apr_table_setn(r->err_headers_out, "Allow", "GET, HEAD, PATCH");
        return chats_err_make(r->pool, CHATS_E_METHOD, NULL,
                              "%s is not allowed here", r->method);
    }
}

static int chats_handler(request_rec *r)
{
    chats_err_t *e;

    if (!r->handler || strcmp(r->handler, CHATS_HANDLER)) {
        return DECLINED;
    }
    e = route(r);
    if (e && e->rv == AP_FILTER_ERROR) {
        return AP_FILTER_ERROR;    /* httpd has answered already */
    }
    return e ? chats_http_send_error(r, e) : OK;
}

static void retrieve_optional_fn(void)
{
    chats_dbd_acquire_fn = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_acquire);
}

static int chats_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp, server_rec *s)
{
    const chats_sql_t *sql = chats_sql_build(pconf);

    (void)plog;
    (void)ptemp;
    for (; s; s = s->next) {
        chats_srv_conf(s)->sql = sql;
    }
    return OK;
}

static void chats_child_init(apr_pool_t *pchild, server_rec *s)
{
    chats_auth_child_init(pchild, s);
}

static void chats_register_hooks(apr_pool_t *p)
{
    ap_hook_optional_fn_retrieve(retrieve_optional_fn, NULL, NULL,
                                 APR_HOOK_MIDDLE);
    ap_hook_post_config(chats_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(chats_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(chats_handler, NULL, NULL, APR_HOOK_MIDDLE);
    chats_http_register_hooks(p);
    chats_auth_register_hooks(p);
}

AP_DECLARE_MODULE(chatsession) = {
    STANDARD20_MODULE_STUFF,
    chats_dir_conf_create,
    chats_dir_conf_merge,
    chats_srv_conf_create,
    NULL,
    chats_cmds,
    chats_register_hooks,
    AP_MODULE_FLAG_NONE
};
