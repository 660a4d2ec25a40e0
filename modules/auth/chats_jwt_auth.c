/* The Bearer scheme of our AuthType: a JWT verified with the keys loaded
 * at config time (chats_authconf.c), its user claim mapped to an
 * associate that must exist. Every failure is a 401 whose challenge says
 * error="invalid_token" (RFC 6750 3.1); the log says why, never the
 * token. */
#include <apr_lib.h>
#include <apr_strings.h>

#include "chats_auth.h"
#include "chats_jwt.h"
#include "chats_store_open.h"

/* Only the associate table: a rejected request never reaches sessions. */
static const chats_stmt_t chats_stmt_associate = {
    "chats_associate_exists",
    "SELECT name FROM associate WHERE name = $1 AND NOT deleted"
};

static int bearer_reject(request_rec *r, const char *why)
{
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, CHATS_LOGNO(150)
                  "Bearer token rejected (%s) for \"%s\"", why, r->uri);
    apr_table_setn(r->notes, CHATS_NOTE_BEARER_ERROR, "invalid_token");
    return chats_auth_fail(r, CHATS_E_UNAUTHORIZED, "Invalid token");
}

/* The associate named by the token must exist (and not be deleted). */
static int bearer_user(request_rec *r, const char *user)
{
    chats_rows_t *rows = NULL;
    int rc;

    rc = chats_auth_lookup(r, &chats_stmt_associate, user, CHATS_LOGNO(151)
                           "Bearer: associate lookup failed", &rows);
    if (rc != OK) {
        return rc;
    }
    if (rows->nrows != 1) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, CHATS_LOGNO(152)
                      "Bearer token for unknown associate %s",
                      ap_escape_logitem(r->pool, user));
        apr_table_setn(r->notes, CHATS_NOTE_BEARER_ERROR, "invalid_token");
        return chats_auth_fail(r, CHATS_E_UNAUTHORIZED, "Invalid token");
    }
    r->user = apr_pstrdup(r->pool, user);
    r->ap_auth_type = (char *)"Bearer";
    return OK;
}

int chats_auth_bearer(request_rec *r, const char *header, const char *cred)
{
    const chats_auth_conf_t *ac = chats_dir_conf(r)->auth;
    chats_jwt_policy_t pol;
    const char *end = cred, *user, *why;
    apr_size_t len;

    (void)header;
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
    if (ac->keys == NULL || ac->keys->nelts == 0) {
        return bearer_reject(r, "no ChatSessionJWTKeyFile, JWKSFile or "
                             "SecretFile here");
    }
    pol.algs = ac->algs == CHATS_UNSET ? CHATS_JWT_ALL : (unsigned)ac->algs;
    pol.keys = ac->keys;
    pol.issuer = ac->issuer;
    pol.audiences = ac->audiences;
    pol.leeway = ac->leeway == CHATS_UNSET ? CHATS_DEFAULT_JWT_LEEWAY
                                           : ac->leeway;
    pol.user_claim = ac->user_claim ? ac->user_claim
                                    : CHATS_DEFAULT_JWT_CLAIM;
    if (chats_jwt_verify(cred, len, &pol, apr_time_sec(apr_time_now()),
                         &user, &why, r->pool) != CHATS_JWT_OK) {
        return bearer_reject(r, why);
    }
    return bearer_user(r, user);
}
