/* The module's configuration: the per-directory and per-server records,
 * their merge and getters, and the setters of the base's directives
 * (mod_chats_config.h). The directive table is mod_chatsession.c's: the
 * layers above bring directives of their own. */
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include <libpq-fe.h>
#include <string.h>

#include "ap_provider.h"
#include "mod_auth.h"

#include "mod_chats_private.h"
#include "mod_chats_config.h"
#include "chats_forwarded.h"
#include "chats_header_syntax.h"
#include "chats_routes.h"
#include "chats_zone.h"

/* A record that sets nothing: every number CHATS_UNSET, every pointer
 * NULL (inherit). */
static const chats_dir_conf_t dir_unset = {
    .max_body = CHATS_UNSET, .cache_ttl = CHATS_UNSET,
    .retry_after = CHATS_UNSET, .proxy_headers = CHATS_UNSET,
    .cors_credentials = CHATS_UNSET, .cors_max_age = CHATS_UNSET,
};

void *chats_dir_conf_create(apr_pool_t *p, char *dir)
{
    chats_dir_conf_t *c = apr_palloc(p, sizeof(*c));

    (void)dir;
    *c = dir_unset;
    return c;
}

#define CHATS_MERGE(f, u) n->f = (a->f != (u)) ? a->f : b->f

void *chats_dir_conf_merge(apr_pool_t *p, void *basev, void *addv)
{
    const chats_dir_conf_t *b = basev, *a = addv;
    chats_dir_conf_t *n = apr_pcalloc(p, sizeof(*n));

    CHATS_MERGE(max_body, CHATS_UNSET);
    CHATS_MERGE(cache_ttl, CHATS_UNSET);
    CHATS_MERGE(retry_after, CHATS_UNSET);
    CHATS_MERGE(providers, NULL);
    CHATS_MERGE(public_url, NULL);
    CHATS_MERGE(trust_proxy, NULL);
    CHATS_MERGE(proxy_headers, CHATS_UNSET);
    CHATS_MERGE(cors_origins, NULL);
    CHATS_MERGE(cors_credentials, CHATS_UNSET);
    CHATS_MERGE(cors_max_age, CHATS_UNSET);
    CHATS_MERGE(openapi_path, NULL);
    CHATS_MERGE(time_zone, NULL);
    CHATS_MERGE(language, NULL);
    return n;
}

void *chats_srv_conf_create(apr_pool_t *p, server_rec *s)
{
    chats_srv_conf_t *c = apr_pcalloc(p, sizeof(*c));

    (void)s;
    c->prepared = CHATS_UNSET;
    c->longpoll_max = CHATS_UNSET;
    c->connect_timeout = CHATS_UNSET;
    return c;
}

/* Only directives merge: the rest is set per server after the merge
 * (post_config, child_init). */
void *chats_srv_conf_merge(apr_pool_t *p, void *basev, void *addv)
{
    const chats_srv_conf_t *b = basev, *a = addv;
    chats_srv_conf_t *n = apr_pcalloc(p, sizeof(*n));

    CHATS_MERGE(prepared, CHATS_UNSET);
    CHATS_MERGE(listen_params, NULL);
    CHATS_MERGE(longpoll_max, CHATS_UNSET);
    CHATS_MERGE(connect_timeout, CHATS_UNSET);
    CHATS_MERGE(webhook, NULL);
    return n;
}

/* pchild is not thread-safe (no APR pool is): request threads must not
 * allocate from it, and two caches under two locks must not share it.
 * The allocator is the pool's own, with a mutex in case the owner ever
 * makes subpools for threads of its own (mod_chats_listen.c does). */
apr_status_t chats_proc_pool_create(apr_pool_t **pp, apr_pool_t *pchild,
                                    const char *tag)
{
    apr_allocator_t *a = NULL;
    apr_thread_mutex_t *m = NULL;
    apr_status_t rv;

    *pp = NULL;
    if ((rv = apr_thread_mutex_create(&m, APR_THREAD_MUTEX_DEFAULT, pchild))
        != APR_SUCCESS || (rv = apr_allocator_create(&a)) != APR_SUCCESS) {
        return rv;
    }
    apr_allocator_mutex_set(a, m);
    if ((rv = apr_pool_create_ex(pp, pchild, NULL, a)) != APR_SUCCESS) {
        apr_allocator_destroy(a);
        *pp = NULL;
        return rv;
    }
    apr_allocator_owner_set(a, *pp);
    apr_pool_tag(*pp, tag);
    return APR_SUCCESS;
}

const chats_dir_conf_t *chats_dir_conf(const request_rec *r)
{
    return ap_get_module_config(r->per_dir_config, &chatsession_module);
}

chats_srv_conf_t *chats_srv_conf(const server_rec *s)
{
    return ap_get_module_config(s->module_config, &chatsession_module);
}

const struct chats_store_env_t *chats_conf_store_env(const server_rec *s)
{
    return chats_srv_conf(s)->store;
}

apr_off_t chats_conf_max_body(const chats_dir_conf_t *c)
{
    return c->max_body == CHATS_UNSET ? CHATS_DEFAULT_MAX_BODY : c->max_body;
}

int chats_conf_cache_ttl(const chats_dir_conf_t *c)
{
    return c->cache_ttl == CHATS_UNSET ? CHATS_DEFAULT_CACHE_TTL
                                       : c->cache_ttl;
}

int chats_conf_retry_after(const chats_dir_conf_t *c)
{
    return c->retry_after == CHATS_UNSET ? CHATS_DEFAULT_RETRY_AFTER
                                         : c->retry_after;
}

const char *chats_conf_public_url(const chats_dir_conf_t *c)
{
    return c->public_url;
}

const char *chats_conf_openapi_path(const chats_dir_conf_t *c)
{
    return c->openapi_path;
}

const chats_fwd_trust_t *chats_conf_trust_proxy(const chats_dir_conf_t *c)
{
    return chats_fwd_trust_any(c->trust_proxy) ? c->trust_proxy : NULL;
}

int chats_conf_proxy_headers(const chats_dir_conf_t *c)
{
    return c->proxy_headers == CHATS_UNSET ? CHATS_FWD_XFORWARDED
                                           : c->proxy_headers;
}

const apr_array_header_t *chats_conf_cors_origins(const chats_dir_conf_t *c)
{
    return c->cors_origins && c->cors_origins->nelts ? c->cors_origins
                                                     : NULL;
}

int chats_conf_cors_credentials(const chats_dir_conf_t *c)
{
    return c->cors_credentials == 1;
}

int chats_conf_cors_max_age(const chats_dir_conf_t *c)
{
    return c->cors_max_age == CHATS_UNSET ? CHATS_DEFAULT_CORS_MAX_AGE
                                          : c->cors_max_age;
}

const char *chats_conf_time_zone(const chats_dir_conf_t *c)
{
    return c->time_zone ? c->time_zone : CHATS_DEFAULT_TIME_ZONE;
}

const char *chats_conf_language(const chats_dir_conf_t *c)
{
    return c->language ? c->language : CHATS_DEFAULT_LANGUAGE;
}

const char *chats_conf_set_time_zone(cmd_parms *cmd, void *dc, const char *arg)
{
    chats_dir_conf_t *c = dc;

    c->time_zone = arg;
    return chats_zone_check_directive(cmd->pool, arg);
}

const char *chats_conf_set_openapi_path(cmd_parms *cmd, void *dc,
                                        const char *arg)
{
    (void)cmd;
    ((chats_dir_conf_t *)dc)->openapi_path = arg;
    return NULL;
}

/* The family of a <Location> whose path does not name it: checked here,
 * read from the configuration tree (mod_chats_mounts.c). */
const char *chats_conf_set_family(cmd_parms *cmd, void *dc, const char *arg)
{
    (void)dc;
    if (!cmd->path || cmd->path[0] != '/'
        || strcasecmp(cmd->directive->parent->directive, "<Location")) {
        return "ChatSessionFamily: only inside a <Location> section";
    }
    if (chats_route_family_of_label(arg) < 0) {
        return apr_psprintf(cmd->pool, "ChatSessionFamily: '%s' is none of "
                            "ChatSession, ChatAgent, ChatTopic", arg);
    }
    return NULL;
}

const char *chats_conf_set_language(cmd_parms *cmd, void *dc, const char *arg)
{
    chats_dir_conf_t *c = dc;

    c->language = arg;
    return chats_lang_tag_is_valid(arg) ? NULL
        : apr_psprintf(cmd->pool, "ChatSessionLanguage: '%s' is not a "
                       "language tag such as en or nb-NO", arg);
}

const apr_array_header_t *chats_conf_providers(const chats_dir_conf_t *c,
                                               apr_pool_t *p)
{
    apr_array_header_t *dflt;

    if (c->providers) {
        return c->providers;
    }
    dflt = apr_array_make(p, 1, sizeof(const char *));
    APR_ARRAY_PUSH(dflt, const char *) = CHATS_DEFAULT_PROVIDER;
    return dflt;
}

static const char *set_nonneg(cmd_parms *cmd, const char *arg,
                              apr_int64_t max, apr_int64_t *pv)
{
    char *end;
    apr_int64_t v = apr_strtoi64(arg, &end, 10);

    if (*arg == '\0' || *end != '\0' || v < 0 || v > max) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a whole number "
                            "from 0 to %" APR_INT64_T_FMT,
                            cmd->cmd->name, arg, max);
    }
    *pv = v;
    return NULL;
}

const char *chats_conf_set_max_body(cmd_parms *cmd, void *dc, const char *arg)
{
    chats_dir_conf_t *c = dc;
    apr_int64_t v = 0;
    const char *err = set_nonneg(cmd, arg, APR_INT64_C(1) << 40, &v);

    if (!err && v == 0) {
        err = "ChatSessionMaxBody must be at least 1";
    }
    c->max_body = (apr_off_t)v;
    return err;
}

/* ChatSessionAuthCacheTTL, ChatSessionRetryAfter: seconds (0 to a day)
 * into the int of chats_dir_conf_t at the directive's offset. */
const char *chats_conf_set_dir_seconds(cmd_parms *cmd, void *dc,
                                       const char *arg)
{
    apr_int64_t v = 0;
    const char *err = set_nonneg(cmd, arg, 86400, &v);

    *(int *)((char *)dc + (apr_size_t)cmd->info) = (int)v;
    return err;
}

const char *chats_conf_set_public_url(cmd_parms *cmd, void *dc,
                                      const char *arg)
{
    chats_dir_conf_t *c = dc;
    apr_size_t n = strlen(arg);

    if (!ap_is_url(arg)) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": '", arg,
                           "' is not an absolute URL", NULL);
    }
    /* Kept without a trailing slash: the request's path is appended. */
    c->public_url = apr_pstrndup(cmd->pool, arg,
                                 n > 0 && arg[n - 1] == '/' ? n - 1 : n);
    return NULL;
}

/* Off alone; else On and/or addresses and subnets. */
const char *chats_conf_set_trust_proxy(cmd_parms *cmd, void *dc, int argc,
                                       char *const argv[])
{
    chats_dir_conf_t *c = dc;
    int i;

    c->trust_proxy = chats_fwd_trust_make(cmd->pool);
    if (argc == 1 && !strcasecmp(argv[0], "Off")) {
        return NULL;
    }
    if (argc == 0) {
        return "ChatSessionTrustProxy needs Off, On, or the addresses or "
               "subnets of the trusted proxies";
    }
    for (i = 0; i < argc; i++) {
        const char *err = strcasecmp(argv[i], "Off")
            ? chats_fwd_trust_add(c->trust_proxy, argv[i], cmd->pool)
            : "Off must be the only argument";

        if (err) {
            return apr_pstrcat(cmd->pool, "ChatSessionTrustProxy: ", err,
                               NULL);
        }
    }
    return NULL;
}

const char *chats_conf_set_proxy_headers(cmd_parms *cmd, void *dc,
                                         const char *arg)
{
    chats_dir_conf_t *c = dc;

    (void)cmd;
    if (!strcasecmp(arg, "X-Forwarded")) {
        c->proxy_headers = CHATS_FWD_XFORWARDED;
    }
    else if (!strcasecmp(arg, "Forwarded")) {
        c->proxy_headers = CHATS_FWD_FORWARDED;
    }
    else {
        return "ChatSessionProxyHeaders: X-Forwarded (mod_proxy's) or "
               "Forwarded (RFC 7239)";
    }
    return NULL;
}

const char *chats_conf_set_prepared(cmd_parms *cmd, void *dc, int on)
{
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_LOC_FILE);

    (void)dc;
    if (err == NULL) {
        chats_srv_conf(cmd->server)->prepared = on ? 1 : 0;
    }
    return err;
}

/* Checked as libpq will read it, so a typo fails the start-up instead of
 * every long poll (the error names the option, never the value: it may
 * be a password). */
const char *chats_conf_set_listen_params(cmd_parms *cmd, void *dc,
                                         const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_LOC_FILE);
    char *why = NULL;
    PQconninfoOption *opts;

    (void)dc;
    if (err) {
        return err;
    }
    opts = PQconninfoParse(arg, &why);
    if (!opts) {
        char *msg = apr_pstrdup(cmd->pool, why ? why : "out of memory");
        apr_size_t n = strlen(msg);

        while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' ')) {
            msg[--n] = '\0';
        }
        PQfreemem(why);
        return apr_pstrcat(cmd->pool, "ChatSessionListenParams: not a libpq "
                           "connection string (", msg, ")", NULL);
    }
    PQconninfoFree(opts);
    chats_srv_conf(cmd->server)->listen_params = arg;
    return NULL;
}

/* A number for the main server only: a per-process setting. */
const char *chats_conf_global_number(cmd_parms *cmd, const char *arg,
                                     apr_int64_t max, apr_int64_t *pv)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);

    return err ? err : set_nonneg(cmd, arg, max, pv);
}

/* Per process: the waiter table is one. */
const char *chats_conf_set_longpoll_max(cmd_parms *cmd, void *dc,
                                        const char *arg)
{
    apr_int64_t v = 0;
    const char *err = chats_conf_global_number(cmd, arg, 20000, &v);

    (void)dc;
    if (!err) {
        chats_srv_conf(cmd->server)->longpoll_max = (int)v;
    }
    return err;
}

/* Per process too: it becomes libpq's default, an environment variable
 * (mod_chats_dbconf.c). No 0: every connect has a bound. */
const char *chats_conf_set_connect_timeout(cmd_parms *cmd, void *dc,
                                           const char *arg)
{
    apr_int64_t v = 0;
    const char *err = chats_conf_global_number(cmd, arg, 3600, &v);

    (void)dc;
    if (!err && v == 0) {
        err = "ChatSessionConnectTimeout: at least 1 second (libpq waits "
              "at least 2)";
    }
    if (!err) {
        chats_srv_conf(cmd->server)->connect_timeout = (int)v;
    }
    return err;
}

const char *chats_conf_add_provider(cmd_parms *cmd, void *dc, const char *arg)
{
    chats_dir_conf_t *c = dc;

    /* A provider registers when its module's LoadModule line is read, so
     * one unknown here is a typo or a module not (yet) loaded: refuse to
     * start, as mod_auth_basic's AuthBasicProvider does. */
    if (!ap_lookup_provider(AUTHN_PROVIDER_GROUP, arg,
                            AUTHN_PROVIDER_VERSION)) {
        return apr_psprintf(cmd->pool, "ChatSessionAuthProvider: unknown "
                            "authn provider '%s' (a typo, or its module is "
                            "not loaded before this line: load it first; "
                            "on Debian a2enmod authn_file, authn_dbd, "
                            "authn_socache or authnz_ldap)", arg);
    }
    if (!c->providers) {
        c->providers = apr_array_make(cmd->pool, 2, sizeof(const char *));
    }
    APR_ARRAY_PUSH(c->providers, const char *) = arg;
    return NULL;
}
