/* Our AuthType's schemes beyond Basic (glue): Bearer JWTs, SoTicket,
 * mod_session cookie sessions with the X-XSRF-TOKEN check, SO-AppToken,
 * and their directives. Included by the glue files that implement them. */
#ifndef CHATS_AUTH_H
#define CHATS_AUTH_H

#include "mod_chats_private.h"
#include "chats_authcache.h"
#include "chats_caller.h"
#include "chats_jwk.h"
#include "mod_chats_store_open.h"

/** Per-directory settings of the schemes (chats_dir_conf_t.auth). */
typedef struct chats_auth_conf_t {
    chats_jwks_t *keys;            /**< JWT keys; NULL = inherit           */
    int algs;                      /**< CHATS_JWT_* bits; UNSET = inherit  */
    const char *issuer;            /**< NULL = inherit / not checked       */
    apr_array_header_t *audiences; /**< const char *; NULL = inherit       */
    int leeway;                    /**< seconds; UNSET = inherit           */
    const char *user_claim;        /**< NULL = inherit ("sub")             */
    int apptoken_required;         /**< UNSET = inherit (Off)              */
    apr_array_header_t *apptokens; /**< SHA-256 digests; NULL = inherit    */
} chats_auth_conf_t;

#define CHATS_APPTOKEN_DIGEST    32      /**< bytes of SHA-256          */

/* r->notes: set by a rejected Bearer token, read by its challenge. */
#define CHATS_NOTE_BEARER_ERROR  "chats-bearer-error"
/* r->notes: short hash prefix of the SO-AppToken (for LogFormat %{}n). */
#define CHATS_NOTE_APPTOKEN      "chats-apptoken"

/* mod_chats_authconf.c */
chats_auth_conf_t *chats_auth_conf_create(apr_pool_t *p);
chats_auth_conf_t *chats_auth_conf_merge(apr_pool_t *p,
                                         const chats_auth_conf_t *base,
                                         const chats_auth_conf_t *add);
/* The directives' setters: mod_chats_config.h, from the table. */

/* mod_chats_auth.c: our AuthType and the "chatsession" authn provider. */
void chats_auth_register_hooks(apr_pool_t *p);
void chats_auth_child_init(apr_pool_t *pchild, server_rec *s);

/* mod_chats_auth_common.c */
/** The realm as a quoted-string: AuthName, or "SuperOffice". */
const char *chats_auth_realm(request_rec *r);
/** Answer an authentication failure (401 with the challenges, or code's
 * status) with our JSON body; returns the status for check_authn. */
int chats_auth_fail(request_rec *r, chats_ecode_t code, const char *msg);
/** Open the store and run stmt with its one parameter param. OK with
 * *prows set (in r->pool); otherwise logs "logmsg (error name)" at warning
 * (logmsg begins with the caller's CHATS_LOGNO tag) and answers through
 * chats_auth_fail: CHATS_E_DB_DOWN "Database unavailable", else
 * CHATS_E_INTERNAL "Authentication failed"; returns that status. */
int chats_auth_lookup(request_rec *r, const chats_stmt_t *stmt,
                      const char *param, const char *logmsg,
                      chats_rows_t **prows);
/* mod_chats_identity.c: the caller, and the credential cache around the
 * schemes (see there). */
/** Reads an associate's caller by login name ($1): associate_id, level,
 * read-only fields joined by commas; no row: not an associate. */
extern const chats_stmt_t chats_stmt_caller;
/** Fill c from the three columns (associate_id, level, read-only list)
 * of row i from column j on; unknown read-only names are logged. */
void chats_caller_from_row(request_rec *r, const chats_rows_t *rows, int i,
                           int j, const char *login, chats_caller_t *c);
/** Let r carry c as the caller of r->user; returns r's copy. */
const chats_caller_t *chats_caller_set(request_rec *r,
                                       const chats_caller_t *c);
/** The caller of login (chats_stmt_caller through chats_auth_lookup,
 * which answers a failure with logmsg): OK with *c and *pfound (0: not
 * an associate, *c the default), or the failure status. */
int chats_auth_caller(request_rec *r, const char *login, const char *logmsg,
                      chats_caller_t *c, int *pfound);

/** A credential's place in the per-process cache (chats_auth_recall). */
typedef struct {
    chats_authcache_t *cache;      /**< NULL: not cached here            */
    apr_interval_time_t ttl;       /**< ChatSessionAuthCacheTTL          */
    unsigned char key[CHATS_AUTHCACHE_KEY_LEN];
} chats_auth_memo_t;

/** Key cred (the Authorization value, or what stands for it) under
 * scheme, the virtual host and cfg (whatever else decides whether the
 * credential is good here: at most 8 parts), and look it up. 1 on a hit:
 * r->user and r's caller are set, *pprov (if not NULL) is the provider
 * or scheme that granted. 0 on a miss: m is ready for
 * chats_auth_remember. */
int chats_auth_recall(request_rec *r, chats_auth_memo_t *m,
                      const char *scheme, const chats_authcache_part_t *cfg,
                      int ncfg, const char *cred, const char **pprov);
/** After a miss that verified (r->user set): let r carry c, and keep
 * r->user, prov and c under m's key for the TTL, never past not_after
 * (the credential's own expiry; 0: none). */
void chats_auth_remember(request_rec *r, const chats_auth_memo_t *m,
                         const char *prov, const chats_caller_t *c,
                         apr_time_t not_after);
/** The caller of a verified login (chats_auth_caller), made r->user and
 * remembered (chats_auth_remember) when found, or also when not found if
 * keep_unknown (Basic: a user of another provider may be no associate).
 * OK with *pfound, or the lookup's failure status. */
int chats_auth_caller_keep(request_rec *r, const chats_auth_memo_t *m,
                           const char *login, const char *prov,
                           apr_time_t not_after, int keep_unknown,
                           const char *logmsg, int *pfound);

/* mod_chats_auth_basic.c: the Basic scheme and the "chatsession" provider. */
int chats_auth_basic(request_rec *r, const char *header, const char *cred);
void chats_auth_basic_optional_fns(void);
void chats_auth_basic_register(apr_pool_t *p);
/** Check user/password through the configured authn providers (and the
 * credential cache, keyed by cachekey): OK with r->user set, or a failure
 * status already answered through chats_auth_fail. */
int chats_auth_password(request_rec *r, const char *user, const char *pw,
                        const char *cachekey);

/* mod_chats_jwt_auth.c: the Bearer scheme. */
int chats_auth_bearer(request_rec *r, const char *header, const char *cred);
/* mod_chats_ticket.c: the SoTicket scheme. */
int chats_auth_soticket(request_rec *r, const char *header, const char *cred);
/* mod_chats_xsrf.c */
/** No Authorization header: a mod_session session (keys "user", "pw")
 * re-checked through the providers, and for a state-changing method the
 * X-XSRF-TOKEN double-submit check (403). DECLINED if no session. */
int chats_auth_session(request_rec *r);
/** After r->user is known: the SO-AppToken check (401 if required and
 * missing or unknown); OK otherwise. */
int chats_auth_apptoken(request_rec *r);
void chats_xsrf_optional_fns(void);

#endif
