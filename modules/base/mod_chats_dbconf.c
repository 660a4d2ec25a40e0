/* What the configuration says about the database, read where httpd keeps
 * it: the configuration tree. mod_dbd keeps DBDriver and DBDParams in
 * its own private per-server configuration, so that
 *  - a `SetHandler chatsession` whose server has no DBDriver (or mod_dbd
 *    not loaded at all) fails the start-up and configtest, naming the fix,
 *    instead of answering every request with an error;
 *  - the store can ask PostgreSQL itself why mod_dbd could not connect
 *    (mod_chats_store_probe.c): a wrong password is not an outage.
 * And every connect has a bound: mod_dbd opens its connections itself,
 * with DBDParams as written, and libpq waits for an answer for ever
 * unless connect_timeout says otherwise; the one default it reads besides
 * is its environment, PGCONNECT_TIMEOUT, which post_config sets (before
 * any child or thread exists). */
#include <apr_strings.h>
#include <errno.h>
#include <libpq-fe.h>
#include <stdlib.h>

#include "http_core.h"

#include "mod_chats_private.h"

/* What one server (the main one, or a <VirtualHost>) declares. */
typedef struct {
    const char *driver;                /* DBDriver, or NULL           */
    const ap_directive_t *driver_at;
    const char *params;                /* DBDParams, unquoted, or NULL */
    apr_array_header_t *handlers;      /* SetHandler chatsession ...  */
} chats_dbdecl_t;

const char *chats_tree_arg(apr_pool_t *p, const ap_directive_t *d)
{
    const char *args = d->args ? d->args : "";

    return ap_resolve_env(p, ap_getword_conf(p, &args));
}

int chats_tree_is_vhost(const ap_directive_t *d)
{
    return !strcasecmp(d->directive, "<VirtualHost");
}

/* Collect the declarations of one server's subtree (not descending into
 * <VirtualHost>, which is a server of its own). */
static void scan(apr_pool_t *p, const ap_directive_t *d, chats_dbdecl_t *decl)
{
    for (; d; d = d->next) {
        if (chats_tree_is_vhost(d)) {
            continue;
        }
        if (!strcasecmp(d->directive, "DBDriver")) {
            decl->driver = chats_tree_arg(p, d);
            decl->driver_at = d;
        }
        else if (!strcasecmp(d->directive, "DBDParams")) {
            decl->params = chats_tree_arg(p, d);
        }
        else if ((!strcasecmp(d->directive, "SetHandler")
                  || !strcasecmp(d->directive, "AddHandler"))
                 && !strcasecmp(chats_tree_arg(p, d), CHATS_HANDLER)) {
            APR_ARRAY_PUSH(decl->handlers, const ap_directive_t *) = d;
        }
        if (d->first_child) {
            scan(p, d->first_child, decl);
        }
    }
}

static chats_dbdecl_t *declare(apr_pool_t *p, const ap_directive_t *first)
{
    chats_dbdecl_t *decl = apr_pcalloc(p, sizeof(*decl));

    decl->handlers = apr_array_make(p, 4, sizeof(const ap_directive_t *));
    scan(p, first, decl);
    return decl;
}

const ap_directive_t *chats_tree_vhost(const server_rec *s)
{
    const ap_directive_t *d;

    for (d = ap_conftree; d && s->is_virtual; d = d->next) {
        if (chats_tree_is_vhost(d) && (unsigned)d->line_num == s->defn_line_number
            && d->filename && s->defn_name
            && !strcmp(d->filename, s->defn_name)) {
            return d;
        }
    }
    return NULL;
}

/* Each handler of a server must find a pgsql DBDriver there or in the
 * main server, which mod_dbd's virtual hosts inherit. */
static int check_server(const chats_dbdecl_t *main_decl,
                        const chats_dbdecl_t *decl, server_rec *s)
{
    const ap_directive_t *h, *at;
    const char *driver = decl->driver ? decl->driver : main_decl->driver;

    if (!decl->handlers->nelts) {
        return OK;
    }
    h = APR_ARRAY_IDX(decl->handlers, 0, const ap_directive_t *);
    if (!ap_find_linked_module("mod_dbd.c")) {
        ap_log_error(APLOG_MARK, APLOG_CRIT | APLOG_STARTUP, 0, s,
                     CHATS_LOGNO(355) "%s %s (%s:%d) needs mod_dbd, which "
                     "is not loaded: LoadModule dbd_module before "
                     "mod_chatsession (on Debian, `a2enmod chatsession` "
                     "enables it)", h->directive, h->args, h->filename,
                     h->line_num);
        return !OK;
    }
    if (!driver) {
        ap_log_error(APLOG_MARK, APLOG_CRIT | APLOG_STARTUP, 0, s,
                     CHATS_LOGNO(356) "%s %s (%s:%d): no DBDriver for this "
                     "server: add `DBDriver pgsql` and `DBDParams "
                     "\"host=... dbname=... user=...\"` to it or to the "
                     "main server (README, \"Install into an existing "
                     "Apache\")", h->directive, h->args, h->filename,
                     h->line_num);
        return !OK;
    }
    if (strcasecmp(driver, "pgsql")) {
        at = decl->driver ? decl->driver_at : main_decl->driver_at;
        ap_log_error(APLOG_MARK, APLOG_CRIT | APLOG_STARTUP, 0, s,
                     CHATS_LOGNO(357) "DBDriver %s (%s:%d): mod_chatsession "
                     "(%s:%d) works on PostgreSQL only: DBDriver pgsql",
                     driver, at->filename, at->line_num, h->filename,
                     h->line_num);
        return !OK;
    }
    return OK;
}

/* configtest runs this hook too: a server that cannot work never starts. */
static int chats_dbconf_check(apr_pool_t *pconf, apr_pool_t *plog,
                              apr_pool_t *ptemp, server_rec *s)
{
    const chats_dbdecl_t *main_decl = declare(ptemp, ap_conftree);
    const ap_directive_t *d;
    int rc = OK;

    (void)pconf;
    (void)plog;
    if (check_server(main_decl, main_decl, s) != OK) {
        rc = !OK;
    }
    for (d = ap_conftree; d; d = d->next) {
        if (chats_tree_is_vhost(d)
            && check_server(main_decl, declare(ptemp, d->first_child), s)
               != OK) {
            rc = !OK;
        }
    }
    return rc;
}

/* PGCONNECT_TIMEOUT as the administrator set it before httpd started, ""
 * when unset: remembered in the process pool, which outlives restarts
 * (after the first one, the environment holds our own value). */
static const char *admin_timeout(server_rec *s)
{
    const char *key = "chats_admin_pgconnect_timeout";
    void *v = NULL;

    apr_pool_userdata_get(&v, key, s->process->pool);
    if (!v) {
        const char *env = getenv("PGCONNECT_TIMEOUT");

        v = apr_pstrdup(s->process->pool, env ? env : "");
        apr_pool_userdata_set(v, key, apr_pool_cleanup_null,
                              s->process->pool);
    }
    return v;
}

/* ChatSessionConnectTimeout wins, then the administrator's environment,
 * then the default; DBDParams' connect_timeout wins over all (libpq). */
static void set_connect_timeout(server_rec *s)
{
    int n = chats_srv_conf(s)->connect_timeout;
    const char *admin = admin_timeout(s);
    const char *v = n != CHATS_UNSET ? apr_itoa(s->process->pool, n)
                  : *admin ? admin
                  : apr_itoa(s->process->pool, CHATS_DEFAULT_CONNECT_TIMEOUT);

    if (setenv("PGCONNECT_TIMEOUT", v, 1) != 0) {
        ap_log_error(APLOG_MARK, APLOG_WARNING | APLOG_STARTUP, errno, s,
                     CHATS_LOGNO(431) "cannot set PGCONNECT_TIMEOUT: "
                     "connections without connect_timeout in DBDParams "
                     "wait for PostgreSQL as long as the network lets them");
    }
}

/* libpq's reading of a connect_timeout value: none or <= 0 is no bound,
 * and 1 is 2. */
static int timeout_s(const char *v)
{
    int n = v ? atoi(v) : 0;

    return n <= 0 ? 0 : n < 2 ? 2 : n;
}

apr_interval_time_t chats_dbconf_connect_bound(const server_rec *s,
                                               const char *conninfo)
{
    PQconninfoOption *opts = conninfo ? PQconninfoParse(conninfo, NULL)
                                      : NULL, *o;
    int n = 0, dflt = chats_srv_conf(s)->connect_timeout;

    for (o = opts; o && o->keyword; o++) {
        if (!strcmp(o->keyword, "connect_timeout")) {
            n = timeout_s(o->val);
        }
    }
    PQconninfoFree(opts);
    if (n == 0) {
        n = timeout_s(getenv("PGCONNECT_TIMEOUT"));
    }
    if (n == 0) {               /* none for libpq: ours, for a poll loop */
        n = dflt != CHATS_UNSET ? (dflt < 2 ? 2 : dflt)
                                : CHATS_DEFAULT_CONNECT_TIMEOUT;
    }
    return apr_time_from_sec(n);
}

/* Each server's DBDParams, for the store's probe. Kept in memory only:
 * they may carry a password, and are never logged. */
static int chats_dbconf_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                                    apr_pool_t *ptemp, server_rec *s)
{
    const chats_dbdecl_t *main_decl = declare(ptemp, ap_conftree);
    apr_hash_t *params = apr_hash_make(pconf);
    server_rec *v;

    (void)plog;
    set_connect_timeout(s);
    for (v = s; v; v = v->next) {
        const ap_directive_t *vh = chats_tree_vhost(v);
        const chats_dbdecl_t *decl = vh ? declare(ptemp, vh->first_child)
                                        : main_decl;
        const char *p = decl->params ? decl->params : main_decl->params;

        if (p) {
            /* keyed by the pointer's value (the hash keeps the key) */
            const server_rec **key = apr_palloc(pconf, sizeof(*key));

            *key = v;
            apr_hash_set(params, key, sizeof(*key), apr_pstrdup(pconf, p));
        }
    }
    for (v = s; v; v = v->next) {
        chats_srv_conf(v)->db_params = params;
    }
    return OK;
}

const char *chats_dbconf_params(const server_rec *s)
{
    apr_hash_t *params = chats_srv_conf(s)->db_params;

    return params ? apr_hash_get(params, &s, sizeof(s)) : NULL;
}

const char *chats_conf_listen_params(const server_rec *s)
{
    const char *p = chats_srv_conf(s)->listen_params;

    return p ? p : chats_dbconf_params(s);
}

void chats_dbconf_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_check_config(chats_dbconf_check, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(chats_dbconf_post_config, NULL, NULL,
                        APR_HOOK_MIDDLE);
}
