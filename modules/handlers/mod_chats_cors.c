/* Cross-origin calls from browser apps (ChatSessionCORSOrigin). A
 * preflight carries no credentials by design, so it is let through
 * authentication and answered here; every other request authenticates
 * as usual and its answer, errors included, carries the
 * Access-Control-* headers when its Origin is allowed. The methods and
 * headers named come from the OpenAPI tables, where they are declared. */
#include <apr_lib.h>
#include <apr_strings.h>

#include "http_core.h"
#include "ap_expr.h"

#include "mod_chats_config.h"
#include "mod_chats_cors.h"
#include "chats_forwarded.h"
#include "chats_openapi.h"

#define CHATS_CORS_ANY "*"

/* "https://app.example.com[:port]", lower-cased; NULL if it is none. */
static const char *origin_canonical(apr_pool_t *p, const char *s)
{
    const char *host = !strncasecmp(s, "https://", 8) ? s + 8
                     : !strncasecmp(s, "http://", 7) ? s + 7 : NULL;
    char *c, *out;

    if (!host || !chats_fwd_host_is_valid(host)) {
        return NULL;
    }
    out = apr_pstrdup(p, s);
    for (c = out; *c; c++) {
        *c = (char)apr_tolower(*c);
    }
    return out;
}

const char *chats_cors_add_origin(cmd_parms *cmd, void *dc, const char *a)
{
    chats_dir_conf_t *c = dc;
    const char *o;

    if (!c->cors_origins) {
        c->cors_origins = apr_array_make(cmd->pool, 2, sizeof(const char *));
    }
    if (!strcasecmp(a, "Off")) {
        return c->cors_origins->nelts ? "ChatSessionCORSOrigin: Off must "
                                        "be the only argument" : NULL;
    }
    if (!strcmp(a, CHATS_CORS_ANY)) {
        o = CHATS_CORS_ANY;
    }
    else if ((o = origin_canonical(cmd->pool, a)) == NULL) {
        return apr_psprintf(cmd->pool, "ChatSessionCORSOrigin: '%s' is not "
                            "an origin such as https://app.example.com "
                            "(scheme and host, no path), * or Off", a);
    }
    if (c->cors_credentials == 1 && !strcmp(o, CHATS_CORS_ANY)) {
        return "ChatSessionCORSOrigin: * cannot be combined with "
               "ChatSessionCORSCredentials On (browsers refuse it): "
               "list the origins";
    }
    APR_ARRAY_PUSH(c->cors_origins, const char *) = o;
    return NULL;
}

static int has_any(const apr_array_header_t *origins)
{
    int i;

    for (i = 0; origins && i < origins->nelts; i++) {
        if (!strcmp(APR_ARRAY_IDX(origins, i, const char *), CHATS_CORS_ANY)) {
            return 1;
        }
    }
    return 0;
}

const char *chats_cors_set_credentials(cmd_parms *cmd, void *dc, int on)
{
    chats_dir_conf_t *c = dc;

    (void)cmd;
    if (on && has_any(c->cors_origins)) {
        return "ChatSessionCORSCredentials On cannot be combined with "
               "ChatSessionCORSOrigin * (browsers refuse it): list the "
               "origins";
    }
    c->cors_credentials = on ? 1 : 0;
    return NULL;
}

const char *chats_cors_set_max_age(cmd_parms *cmd, void *dc, const char *a)
{
    chats_dir_conf_t *c = dc;
    char *end;
    apr_int64_t v = apr_strtoi64(a, &end, 10);

    if (!*a || *end || v < 0 || v > 86400) {
        return apr_psprintf(cmd->pool, "ChatSessionCORSMaxAge: '%s' is not "
                            "a whole number from 0 to 86400", a);
    }
    c->cors_max_age = (int)v;
    return NULL;
}

/* ------------------------------------------------------------ requests */

/* Only where SetHandler chatsession serves: r->handler is set after
 * authentication, so read what core will set it from. */
static int is_ours(request_rec *r)
{
    core_dir_config *d = ap_get_core_module_config(r->per_dir_config);
    const char *handler = d->handler, *err = NULL;

    if (d->expr_handler) {
        handler = ap_expr_str_exec(r, d->expr_handler, &err);
    }
    return !err && handler && !strcasecmp(handler, CHATS_HANDLER);
}

/* The configured origins when CORS is on here and the request is ours. */
static const apr_array_header_t *origins_for(request_rec *r)
{
    const apr_array_header_t *o = chats_conf_cors_origins(chats_dir_conf(r));

    return o && is_ours(r) ? o : NULL;
}

static int is_preflight(const request_rec *r)
{
    return r->method_number == M_OPTIONS
        && apr_table_get(r->headers_in, "Origin")
        && apr_table_get(r->headers_in, "Access-Control-Request-Method");
}

/* What Access-Control-Allow-Origin says to origin: "*", the origin, or
 * NULL (not allowed). */
static const char *allowed(request_rec *r, const apr_array_header_t *list,
                           const char *origin)
{
    int i;

    if (!origin) {
        return NULL;
    }
    for (i = 0; i < list->nelts; i++) {
        const char *o = APR_ARRAY_IDX(list, i, const char *);

        if (!strcmp(o, CHATS_CORS_ANY)) {
            return CHATS_CORS_ANY;
        }
        if (!strcasecmp(o, origin)) {
            /* Echoed as configured, not as sent. */
            return o;
        }
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, CHATS_LOGNO(333)
                  "Origin %s is not in ChatSessionCORSOrigin: no CORS "
                  "headers", ap_escape_logitem(r->pool, origin));
    return NULL;
}

static void set_allow_origin(request_rec *r, apr_table_t *t, const char *ao)
{
    apr_table_setn(t, "Access-Control-Allow-Origin", ao);
    if (strcmp(ao, CHATS_CORS_ANY)
        && chats_conf_cors_credentials(chats_dir_conf(r))) {
        apr_table_setn(t, "Access-Control-Allow-Credentials", "true");
    }
}

/* Before authentication, so that a 401 carries them too: a browser
 * shows the app nothing of a response without them. */
static int cors_header_parser(request_rec *r)
{
    const apr_array_header_t *list = origins_for(r);
    const char *ao;

    if (!list) {
        return DECLINED;
    }
    apr_table_mergen(r->err_headers_out, "Vary", "Origin");
    if (is_preflight(r)) {
        return DECLINED;                /* answered by cors_handler */
    }
    ao = allowed(r, list, apr_table_get(r->headers_in, "Origin"));
    if (ao) {
        set_allow_origin(r, r->err_headers_out, ao);
        apr_table_setn(r->err_headers_out, "Access-Control-Expose-Headers",
                       chats_openapi_response_headers(r->pool));
    }
    return DECLINED;
}

/* A preflight is authorized without authentication (httpd 2.4: OK from
 * access_checker_ex skips check_user_id and auth_checker). It reads and
 * changes nothing; the request it announces authenticates. */
static int cors_access_ex(request_rec *r)
{
    return origins_for(r) && is_preflight(r) ? OK : DECLINED;
}

static int cors_handler(request_rec *r)
{
    const apr_array_header_t *list;
    const char *ao;
    apr_table_t *h = r->headers_out;

    if (!r->handler || strcmp(r->handler, CHATS_HANDLER)
        || !is_preflight(r) || (list = origins_for(r)) == NULL) {
        return DECLINED;
    }
    chats_http_guard(r, 0);
    ao = allowed(r, list, apr_table_get(r->headers_in, "Origin"));
    if (!ao) {
        return chats_http_send_error(r, chats_err_make(r->pool,
            CHATS_E_FORBIDDEN, NULL, "Origin %s is not allowed to call this "
            "API (ChatSessionCORSOrigin)",
            apr_table_get(r->headers_in, "Origin")));
    }
    set_allow_origin(r, h, ao);
    apr_table_setn(h, "Access-Control-Allow-Methods",
                   chats_openapi_methods(r->pool));
    apr_table_setn(h, "Access-Control-Allow-Headers",
                   apr_pstrcat(r->pool, "Authorization,Content-Type,",
                               chats_openapi_request_headers(r->pool), NULL));
    apr_table_setn(h, "Access-Control-Max-Age",
                   apr_itoa(r->pool,
                            chats_conf_cors_max_age(chats_dir_conf(r))));
    r->status = HTTP_NO_CONTENT;
    return OK;
}

void chats_cors_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_header_parser(cors_header_parser, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_access_ex(cors_access_ex, NULL, NULL, APR_HOOK_FIRST,
                            AP_AUTH_INTERNAL_PER_CONF);
    ap_hook_handler(cors_handler, NULL, NULL, APR_HOOK_FIRST);
}
