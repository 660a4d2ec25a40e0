/* The Bearer scheme of our AuthType: a JWT verified with the keys loaded
 * at config time (mod_chats_authconf.c), its user claim mapped to an
 * associate that must exist, whose rights come in the same statement;
 * the verdict is cached with the token (mod_chats_identity.c). Every failure
 * is a 401 whose challenge says error="invalid_token" (RFC 6750 3.1); the
 * log says why, never the token. */
#include <apr_lib.h>
#include <apr_strings.h>

#include "mod_chats_auth.h"
#include "chats_jwt.h"
#include "mod_chats_store_open.h"

static int bearer_reject(request_rec *r, const char *why)
{
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, CHATS_LOGNO(150)
                  "Bearer token rejected (%s) for \"%s\"", why, r->uri);
    apr_table_setn(r->notes, CHATS_NOTE_BEARER_ERROR, "invalid_token");
    return chats_auth_fail(r, CHATS_E_UNAUTHORIZED, "Invalid token");
}

/* The associate named by the token must exist (and not be deleted); the
 * same statement reads their rights (only associate and
 * chat_session_right: a rejected request never reaches sessions). The
 * verdict is kept until the token's exp at the latest. */
static int bearer_user(request_rec *r, const chats_auth_memo_t *m,
                       const chats_jwt_claims_t *claims)
{
    int found;
    int rc = chats_auth_caller_keep(r, m, claims->user, "Bearer",
                                    apr_time_from_sec(claims->exp), 0,
                                    CHATS_LOGNO(151) "Bearer: associate "
                                    "lookup failed", &found);

    if (rc != OK) {
        return rc;
    }
    if (!found) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, CHATS_LOGNO(152)
                      "Bearer token for unknown associate %s",
                      ap_escape_logitem(r->pool, claims->user));
        apr_table_setn(r->notes, CHATS_NOTE_BEARER_ERROR, "invalid_token");
        return chats_auth_fail(r, CHATS_E_UNAUTHORIZED, "Invalid token");
    }
    r->ap_auth_type = (char *)"Bearer";
    return OK;
}

/* This location's policy; 0 if it has no key (nothing can verify). */
static int bearer_policy(request_rec *r, chats_jwt_policy_t *pol)
{
    const chats_auth_conf_t *ac = chats_dir_conf(r)->auth;

    if (ac->keys == NULL || ac->keys->nelts == 0) {
        return 0;
    }
    pol->algs = ac->algs == CHATS_UNSET ? CHATS_JWT_ALL : (unsigned)ac->algs;
    pol->keys = ac->keys;
    pol->issuer = ac->issuer;
    pol->audiences = ac->audiences;
    pol->leeway = ac->leeway == CHATS_UNSET ? CHATS_DEFAULT_JWT_LEEWAY
                                            : ac->leeway;
    pol->user_claim = ac->user_claim ? ac->user_claim
                                     : CHATS_DEFAULT_JWT_CLAIM;
    return 1;
}

/* The token's verdict, if cached under this location's policy: whatever
 * decides whether a token is good here, its values and its config-time
 * objects (keys, strings, audience list) by address, stable for the life
 * of the process. */
static int bearer_recall(request_rec *r, chats_auth_memo_t *m,
                         const chats_jwt_policy_t *pol, const char *header)
{
    const chats_authcache_part_t cfg[] = {
        { &pol->algs, sizeof(pol->algs) },
        { &pol->keys, sizeof(pol->keys) },
        { &pol->issuer, sizeof(pol->issuer) },
        { &pol->audiences, sizeof(pol->audiences) },
        { &pol->leeway, sizeof(pol->leeway) },
        { &pol->user_claim, sizeof(pol->user_claim) },
    };

    return chats_auth_recall(r, m, "Bearer", cfg,
                             (int)(sizeof(cfg) / sizeof(cfg[0])), header,
                             NULL);
}

int chats_auth_bearer(request_rec *r, const char *header, const char *cred)
{
    chats_jwt_policy_t pol;
    chats_jwt_claims_t claims;
    const char *end = cred, *why;
    chats_auth_memo_t m;
    apr_size_t len;

    while (*end && !apr_isspace(*end)) {
        end++;
    }
    len = (apr_size_t)(end - cred);
    while (apr_isspace(*end)) {
        end++;
    }
    if (len == 0 || *end != '\0') {
        return bearer_reject(r, "no token, or more than one word");
    }
    if (!bearer_policy(r, &pol)) {
        return bearer_reject(r, "no ChatSessionJWTKeyFile, JWKSFile or "
                             "SecretFile here");
    }
    if (bearer_recall(r, &m, &pol, header)) {
        r->ap_auth_type = (char *)"Bearer";
        return OK;
    }
    if (chats_jwt_verify(cred, len, &pol, apr_time_sec(apr_time_now()),
                         &claims, &why, r->pool) != CHATS_JWT_OK) {
        return bearer_reject(r, why);
    }
    return bearer_user(r, &m, &claims);
}
