/* The module's base, shared by every glue file (the ones that know
 * httpd, named mod_chats_*): the module record, the log tags, the
 * configuration records and their getters, the error sender, the database
 * configuration. Below the store, auth and the handlers: it declares
 * nothing of theirs (what they keep per server is opaque here). Core
 * files never include this. */
#ifndef CHATS_PRIVATE_H
#define CHATS_PRIVATE_H

/* mod_dbd.h uses apr_dbd types without including their header. */
#include <apr_dbd.h>
#include <apr_hash.h>
#include <apr_optional.h>

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "mod_dbd.h"

#include "chats_directives.h"
#include "chats_err.h"

extern module AP_MODULE_DECLARE_DATA chatsession_module;

/* mod_chatsession.c gets this from AP_DECLARE_MODULE. */
#if defined(APLOG_USE_MODULE) && !defined(CHATS_MODULE_MAIN)
APLOG_USE_MODULE(chatsession);
#endif

/* Our own log tags: httpd's AHnnnnn numbers belong to httpd. The next
 * free number is kept in modules/LOGNO. */
#define CHATS_LOGNO(n) "CHATS" #n ": "

#define CHATS_UNSET (-1)

/* The handler name (SetHandler) and the AuthType we provide. */
#define CHATS_HANDLER   "chatsession"
#define CHATS_AUTH_TYPE "ChatSession"

/* r->notes: translate_name found SetHandler chatsession here (set before
 * authentication, which may answer before r->handler is set). */
#define CHATS_NOTE_VIRTUAL "chats-virtual"

typedef struct {
    apr_off_t max_body;              /**< bytes; CHATS_UNSET = inherit   */
    apr_array_header_t *providers;   /**< authn provider names; NULL = inherit */
    int cache_ttl;                   /**< seconds; CHATS_UNSET = inherit */
    int retry_after;                 /**< seconds; CHATS_UNSET = inherit */
    const char *public_url;          /**< base for _Links; NULL = inherit */
    struct chats_fwd_trust_t *trust_proxy; /**< ChatSessionTrustProxy;
                                          NULL = inherit (chats_forwarded.h) */
    int proxy_headers;               /**< chats_fwd_scheme_e; CHATS_UNSET = inherit */
    apr_array_header_t *cors_origins; /**< ChatSessionCORSOrigin (lower-case
                                          origins or "*"); NULL = inherit,
                                          empty = off */
    int cors_credentials;            /**< 1 On, 0 Off; CHATS_UNSET = Off */
    int cors_max_age;                /**< seconds; CHATS_UNSET = default */
    const char *openapi_path;        /**< URI of the OpenAPI document; NULL = inherit */
    struct chats_auth_conf_t *auth;  /**< Bearer, AppToken: auth's record
                                          (mod_chats_auth.h), made and
                                          merged in mod_chatsession.c */
    const char *time_zone;           /**< default zone; NULL = inherit   */
    const char *language;            /**< default language; NULL = inherit */
} chats_dir_conf_t;

/* The directives' defaults (CHATS_DEFAULT_*) are the directive table's,
 * chats_directives.h. */

/* What the layers above keep per server or per process, opaque here:
 * each layer makes and reads its own. */
typedef struct chats_authcache_t chats_authcache_t;
typedef struct chats_zone_cache_t chats_zone_cache_t;
struct chats_store_env_t;
struct chats_sql_t;

typedef struct {
    int prepared;                    /**< ChatSessionPreparedStatements:
                                          1 On, 0 Off, CHATS_UNSET = On */
    const char *listen_params;       /**< ChatSessionListenParams: libpq
                                          conninfo of the long-poll listener;
                                          NULL = the server's DBDParams.
                                          May hold a password: never logged */
    int longpoll_max;                /**< ChatSessionLongPollMax (main
                                          server only): waiting requests per
                                          process; CHATS_UNSET = ThreadsPerChild/2 */
    struct chats_listen_proc_t *listen; /**< per process
                                          (mod_chats_listen.c)           */
    struct chats_webhook_conf_t *webhook; /**< the ChatSessionWebhook*
                                          directives (main server only;
                                          mod_chats_webhook_conf.c), NULL:
                                          none given                     */
    struct chats_deliver_proc_t *deliver; /**< per process
                                          (mod_chats_deliver.c)          */
    chats_authcache_t *authcache;    /**< per process, made in child_init */
    chats_zone_cache_t *zones;       /**< ditto (mod_chats_tz.c)          */
    struct chats_store_env_t *store; /**< what the store is given
                                          (mod_chats_store_open.h), made
                                          in post_config, its per-process
                                          parts in child_init            */
    int connect_timeout;             /**< ChatSessionConnectTimeout (main
                                          server only): seconds;
                                          CHATS_UNSET = the default */
    const struct chats_sql_t *sql;   /**< statements, built in post_config */
    const char *openapi;             /**< the OpenAPI document, ditto      */
    apr_hash_t *mounts;              /**< server_rec -> its mounts
                                          (mod_chats_mounts.c), keyed as
                                          db_params is                  */
    apr_hash_t *db_params;           /**< server_rec -> its DBDParams, from
                                          the configuration tree in post_config
                                          (mod_chats_dbconf.c): keyed, as
                                          virtual hosts without our
                                          directives share the main
                                          server's chats_srv_conf_t.
                                          May hold passwords: never logged */
} chats_srv_conf_t;

/* mod_chats_config.c: the records and their merge (the directives'
 * setters: mod_chats_config.h). The dir-conf's auth record is made and
 * merged by mod_chatsession.c, which knows auth. */
void *chats_dir_conf_create(apr_pool_t *p, char *dir);
void *chats_dir_conf_merge(apr_pool_t *p, void *basev, void *addv);
void *chats_srv_conf_create(apr_pool_t *p, server_rec *s);
void *chats_srv_conf_merge(apr_pool_t *p, void *basev, void *addv);
/** A pool for one per-process cache (child_init): a subpool of pchild
 * with an allocator of its own. Allocate from it only under the cache's
 * own lock; never from pchild at request time (an APR pool is not
 * thread-safe, and two caches under two locks would share it). */
apr_status_t chats_proc_pool_create(apr_pool_t **pp, apr_pool_t *pchild,
                                    const char *tag);
const chats_dir_conf_t *chats_dir_conf(const request_rec *r);
chats_srv_conf_t *chats_srv_conf(const server_rec *s);
apr_off_t chats_conf_max_body(const chats_dir_conf_t *c);
int chats_conf_cache_ttl(const chats_dir_conf_t *c);
int chats_conf_retry_after(const chats_dir_conf_t *c);
/** ChatSessionPublicURL, or NULL (links from the request's own host). */
const char *chats_conf_public_url(const chats_dir_conf_t *c);
/** ChatSessionTrustProxy: the trusted proxies, or NULL (none). */
const struct chats_fwd_trust_t *chats_conf_trust_proxy(
    const chats_dir_conf_t *c);
/** ChatSessionProxyHeaders: a chats_fwd_scheme_e (X-Forwarded default). */
int chats_conf_proxy_headers(const chats_dir_conf_t *c);
/** ChatSessionCORSOrigin: the allowed origins, or NULL (CORS off). */
const apr_array_header_t *chats_conf_cors_origins(const chats_dir_conf_t *c);
int chats_conf_cors_credentials(const chats_dir_conf_t *c);
int chats_conf_cors_max_age(const chats_dir_conf_t *c);
/** ChatSessionOpenAPIPath, or NULL (then <collection>/openapi.json). */
const char *chats_conf_openapi_path(const chats_dir_conf_t *c);
/* mod_chats_dbconf.c: reading the configuration tree (ap_conftree). */
/** The first word of a directive's arguments, unquoted, with ${VAR}
 * resolved as httpd does when it runs the directive: the tree keeps the
 * text as written. */
const char *chats_tree_arg(apr_pool_t *p, const ap_directive_t *d);
int chats_tree_is_vhost(const ap_directive_t *d);
/** The <VirtualHost> section server s was made from, or NULL. */
const ap_directive_t *chats_tree_vhost(const server_rec *s);

/* mod_chats_mounts.c: which <Location> serves which family. */
/** post_config: every server's mounts, from the configuration tree. */
void chats_mounts_post_config(apr_pool_t *pconf, server_rec *s);
/** The mount the request came by: its length in r->uri, the family in
 * *pfamily (a chats_family_e); -1 for none. */
apr_ssize_t chats_mount_find(const request_rec *r, int *pfamily);
/** ChatSessionTimeZone: zone without SO-TimeZone (default UTC). */
const char *chats_conf_time_zone(const chats_dir_conf_t *c);
/** ChatSessionLanguage: fallback language of string resources (en). */
const char *chats_conf_language(const chats_dir_conf_t *c);
/** Provider names in order (the default list when none configured). */
const apr_array_header_t *chats_conf_providers(const chats_dir_conf_t *c,
                                               apr_pool_t *p);

/** The store's environment for s (chats_store_env_t), or NULL before
 * post_config. */
const struct chats_store_env_t *chats_conf_store_env(const server_rec *s);

/* mod_chats_http.c: the one place that turns a chats_err_t into HTTP. */
int chats_http_status(chats_ecode_t code);
/** Write the SuperOffice error body for e; returns OK (response sent), or
 * HTTP_NOT_MODIFIED (a 304 has no body) for the handler to return. */
int chats_http_send_error(request_rec *r, const chats_err_t *e);
/** For errors answered by httpd itself (401 from authn, core 413): set a
 * JSON custom response for e's status and mark r so the error filter
 * labels it application/json. Returns the HTTP status to return. */
int chats_http_custom_error(request_rec *r, const chats_err_t *e);
/** Before reading a body: should httpd's input filters refuse it (its own
 * LimitRequestBody, a bad chunk), let their 413/400 carry our JSON too. */
void chats_http_core_errors(request_rec *r);
/** Cache-Control: no-store (when personal) and X-Content-Type-Options:
 * nosniff, on whatever answer r gets, error or not. */
void chats_http_guard(request_rec *r, int personal);
/** The body was read to its end: an error need not close the connection. */
void chats_http_body_read(request_rec *r);
void chats_http_register_hooks(apr_pool_t *p);

/* mod_chats_dbconf.c: start-up checks of the database configuration,
 * each server's DBDParams for the store, and the long-poll listener's. */
void chats_dbconf_register_hooks(apr_pool_t *p);
/** The DBDParams mod_dbd uses for s (its own, or the main server's), or
 * NULL. */
const char *chats_dbconf_params(const server_rec *s);
/** How long one connect to conninfo may take, as libpq bounds it: the
 * connect_timeout conninfo has, else PGCONNECT_TIMEOUT (which post_config
 * sets from ChatSessionConnectTimeout unless the administrator did), at
 * least 2 s as in libpq; ChatSessionConnectTimeout where these say "no
 * bound" (a non-blocking connect needs one). */
apr_interval_time_t chats_dbconf_connect_bound(const server_rec *s,
                                               const char *conninfo);
/** ChatSessionListenParams of s, else its DBDParams, else NULL. */
const char *chats_conf_listen_params(const server_rec *s);

/** A directive's whole number 0..max, in the main server's context only
 * (a per-process setting): NULL and *pv, or the error. */
const char *chats_conf_global_number(cmd_parms *cmd, const char *arg,
                                     apr_int64_t max, apr_int64_t *pv);

#endif
