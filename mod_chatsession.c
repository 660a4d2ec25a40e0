/* mod_chatsession: SuperOffice WebAPI's ChatSession resource on PostgreSQL.
 *
 * This file holds the module record, the directive table, the hooks and
 * the thin handler that routes a request to its method; the work is done
 * in modules/. It is the top layer: it may include every other (README
 * "Layout"), and assembles what each layer brings. */
#define CHATS_MODULE_MAIN
#include <apr_lib.h>
#include <apr_strings.h>

#include "http_core.h"
#include "ap_expr.h"

#include "chats_action_sql.h"
#include "chats_agents_sql.h"
#include "chats_message_sql.h"
#include "chats_openapi.h"
#include "chats_routes.h"
#include "chats_sql.h"
#include "chats_webhook_check.h"
#include "mod_chats_auth.h"
#include "mod_chats_config.h"
#include "mod_chats_cors.h"
#include "mod_chats_deliver.h"
#include "mod_chats_listen.h"
#include "mod_chats_metrics.h"
#include "mod_chats_ops.h"
#include "mod_chats_private.h"
#include "mod_chats_resource.h"
#include "mod_chats_status.h"
#include "mod_chats_store_open.h"
#include "mod_chats_tz.h"

/* Served beside the sessions: /api/v1/ChatSession/openapi.json. */
#define CHATS_OPENAPI_NAME "openapi.json"

/* r->allowed from the route's Allow list. */
static void set_allowed(request_rec *r, const char *allow)
{
    char *list = apr_pstrdup(r->pool, allow), *m, *last;

    r->allowed = 0;
    for (m = apr_strtok(list, ", ", &last); m;
         m = apr_strtok(NULL, ", ", &last)) {
        int n = ap_method_number_of(m);

        if (n != M_INVALID) {
            r->allowed |= AP_METHOD_BIT << n;
        }
    }
}

/* Content negotiation, $select, zone and language: 406 and 400 before
 * anything is read or written. */
static chats_err_t *preflight(chats_req_t *q)
{
    chats_err_t *e;

    if (q->route->op == CHATS_OP_DELETE) {
        return NULL;
    }
    if ((e = chats_resource_negotiate(q)) != NULL
        || (!q->agent && (q->route->args & CHATS_ARG_SELECT)
            && (e = chats_resource_select(q)) != NULL)) {
        return e;
    }
    return chats_resource_locale(q);
}

static chats_err_t *dispatch(chats_req_t *q, chats_family_e fam,
                             const char *tail)
{
    request_rec *r = q->r;
    chats_route_match_t m;
    chats_method_fn *fn;
    chats_err_t *e;

    switch (chats_route_match(r->pool, fam, tail, r->method_number == M_GET
                              ? "GET" : r->method, &m)) {
    case CHATS_ROUTE_NO_PATH:
        return chats_err_make(r->pool, CHATS_E_NOT_FOUND, NULL,
                              chats_route_family_is_agent(fam)
                              ? "no such agent method" : "no such resource");
    case CHATS_ROUTE_OPTIONS:
        set_allowed(r, m.allow);
        apr_table_setn(r->headers_out, "Allow", m.allow);
        if (m.patch) {
            apr_table_setn(r->headers_out, "Accept-Patch", CHATS_MT_PATCHES);
        }
        ap_set_content_length(r, 0);
        return NULL;
    case CHATS_ROUTE_NO_METHOD:
        set_allowed(r, m.allow);
        apr_table_setn(r->err_headers_out, "Allow", m.allow);
        return chats_err_make(r->pool, CHATS_E_METHOD, NULL,
                              "%s is not allowed here", r->method);
    case CHATS_ROUTE_FOUND:
        break;
    }
    set_allowed(r, m.allow);
    q->route = m.row;
    q->entity = chats_route_entity(m.row);
    q->agent = chats_route_family_is_agent(fam);
    if (!(fn = chats_op_fn[m.row->op])) {
        return chats_err_make(r->pool, CHATS_E_INTERNAL, NULL,
                              "%s has no function", m.row->operation_id);
    }
    /* The representation depends on these: caches in front must know. */
    apr_table_mergen(r->headers_out, "Vary",
                     "Accept, Accept-Language, SO-Language, SO-TimeZone");
    /* REST: a bad id is answered first, as before; the agent's arguments
     * are in its body, read after the 406 checks. */
    q->key_seg = m.key;
    if ((!q->agent && (e = chats_args_bind(q, m.id, m.to_associate)))
        || (e = preflight(q)) != NULL
        || (q->agent && (e = chats_args_bind(q, NULL, NULL)))) {
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
    chats_answer_bytes(r, chats_media_default(), doc);
    return NULL;
}

static chats_err_t *route(request_rec *r)
{
    int fam = CHATS_FAMILY_REST;
    apr_ssize_t end = chats_mount_find(r, &fam);   /* README "Routes" */
    const char *tail;
    chats_req_t q;

    r->allowed = (AP_METHOD_BIT << M_GET) | (AP_METHOD_BIT << M_POST)
        | (AP_METHOD_BIT << M_OPTIONS);
    if (end < 0) {
        return chats_err_make(r->pool, CHATS_E_NOT_FOUND, NULL,
                              "no such resource");
    }
    memset(&q, 0, sizeof(q));
    q.r = r;
    q.archive_url = !chats_route_family_is_agent(fam)
                    ? apr_pstrmemdup(r->pool, r->uri, end) : "";
    tail = r->uri + end;
    /* The official client posts to the collection with a trailing '/'. */
    if (!chats_route_family_is_agent(fam) && !strcmp(tail, "/")) {
        tail = "";
    }
    if (fam == CHATS_FAMILY_REST && *tail
        && !strcasecmp(tail + 1, CHATS_OPENAPI_NAME)) {
        return send_openapi(r);
    }
    return dispatch(&q, (chats_family_e)fam, tail);
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

/* The statements, the OpenAPI document and what the store is given, per
 * server (its per-process parts come in child_init). */
static int chats_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp, server_rec *s)
{
    chats_sql_t *sql = chats_sql_build(pconf);
    const char *openapi = chats_openapi_json(pconf, NULL);

    (void)plog;
    (void)ptemp;
    sql->act = chats_action_sql_build(pconf, sql);
    chats_mounts_post_config(pconf, s);
    sql->msg = chats_message_sql_build(pconf);
    sql->agents = chats_agents_sql_build(pconf);
    for (; s; s = s->next) {
        chats_srv_conf_t *sc = chats_srv_conf(s);
        chats_store_env_t *env = apr_pcalloc(pconf, sizeof(*env));

        env->sql = sql;
        env->prepared = sc->prepared != 0;     /* CHATS_UNSET: On */
        sc->sql = sql;
        sc->store = env;
        sc->openapi = openapi;
    }
    chats_resource_post_config(pconf);
    return OK;
}

static void chats_child_init(apr_pool_t *pchild, server_rec *s)
{
    chats_store_proc_t *proc = chats_store_proc_make(pchild);
    chats_probe_proc_t *probe = chats_store_probe_make(pchild, s);
    server_rec *v;

    chats_auth_child_init(pchild, s);
    chats_tz_child_init(pchild, s);
    for (v = s; v; v = v->next) {
        chats_store_env_t *env = chats_srv_conf(v)->store;

        if (env) {
            env->proc = proc;
            env->probe = probe;
        }
    }
    chats_listen_child_init(pchild, s);
    chats_deliver_child_init(pchild, s);
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
    chats_listen_register_hooks(p);
    chats_deliver_register_hooks(p);
}

/* Every directive, from the one table (chats_directives.h), each set by
 * its own layer's file: the base's (mod_chats_config.c), CORS's
 * (mod_chats_cors.c), the schemes' (mod_chats_authconf.c). The table is
 * expanded here, above them all, as mod_ssl keeps its own in mod_ssl.c. */
#define CHATS_CMD(how, name, setter, arg, where, syntax, dflt, help) \
    AP_INIT_##how(name, setter, arg, where, help " (default: " dflt ")"),

static const command_rec chats_cmds[] = {
    CHATS_DIRECTIVES(CHATS_CMD)
    { NULL }
};

/* The base's per-directory record, with auth's inside: the base knows
 * none of auth's settings. */
static void *dir_conf_create(apr_pool_t *p, char *dir)
{
    chats_dir_conf_t *c = chats_dir_conf_create(p, dir);

    c->auth = chats_auth_conf_create(p);
    return c;
}

static void *dir_conf_merge(apr_pool_t *p, void *basev, void *addv)
{
    const chats_dir_conf_t *b = basev, *a = addv;
    chats_dir_conf_t *n = chats_dir_conf_merge(p, basev, addv);

    n->auth = chats_auth_conf_merge(p, b->auth, a->auth);
    return n;
}

AP_DECLARE_MODULE(chatsession) = {
    STANDARD20_MODULE_STUFF,
    dir_conf_create,
    dir_conf_merge,
    chats_srv_conf_create,
    chats_srv_conf_merge,
    chats_cmds,
    chats_register_hooks,
    AP_MODULE_FLAG_NONE
};
