/* Two checks around the schemes of our AuthType:
 *
 * - Cookie sessions. A request without Authorization may be carried by a
 *   mod_session session (Session On where the admin configured it; keys
 *   "user" and "pw", as mod_auth_form writes them). The credentials are
 *   checked again through the providers, like Basic. A browser sends the
 *   cookie on its own, so a state-changing request must also prove it was
 *   made by our page: X-XSRF-TOKEN equal to the XSRF-TOKEN cookie
 *   (double submit; another site can neither read nor set that cookie).
 *   Otherwise 403.
 * - SO-AppToken: the partner application's token, optionally required and
 *   checked against ChatSessionAppToken (digests only, constant time).
 *   The log and r->notes carry a short hash prefix, never the token. */
#include <apr_strings.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "mod_session.h"
#include "util_cookies.h"

#include "mod_chats_auth.h"

#define CHATS_XSRF_COOKIE   "XSRF-TOKEN"
#define CHATS_XSRF_HEADER   "X-XSRF-TOKEN"
#define CHATS_APPTOKEN_HDR  "SO-AppToken"
#define CHATS_SESSION_USER  "user"     /* mod_auth_form's session keys */
#define CHATS_SESSION_PW    "pw"

/* mod_session's functions, if loaded (set once, before children). */
static APR_OPTIONAL_FN_TYPE(ap_session_load) *chats_session_load;
static APR_OPTIONAL_FN_TYPE(ap_session_get) *chats_session_get;

void chats_xsrf_optional_fns(void)
{
    chats_session_load = APR_RETRIEVE_OPTIONAL_FN(ap_session_load);
    chats_session_get = APR_RETRIEVE_OPTIONAL_FN(ap_session_get);
}

/* Equal, non-empty, compared in constant time (for equal lengths). */
static int secret_eq(const char *a, const char *b)
{
    apr_size_t n = a ? strlen(a) : 0;

    return n > 0 && b != NULL && strlen(b) == n
           && CRYPTO_memcmp(a, b, n) == 0;
}

static int xsrf_check(request_rec *r)
{
    const char *cookie = NULL;
    const char *header = apr_table_get(r->headers_in, CHATS_XSRF_HEADER);

    if (r->method_number == M_GET || r->method_number == M_OPTIONS) {
        return OK;                      /* GET and HEAD change nothing */
    }
    if (ap_cookie_read(r, CHATS_XSRF_COOKIE, &cookie, 0) != APR_SUCCESS) {
        cookie = NULL;
    }
    if (!secret_eq(cookie, header)) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, CHATS_LOGNO(160)
                      "user %s: %s by session without a matching %s "
                      "(header %s, cookie %s)",
                      ap_escape_logitem(r->pool, r->user), r->method,
                      CHATS_XSRF_HEADER, header ? "given" : "missing",
                      cookie ? "given" : "missing");
        return chats_auth_fail(r, CHATS_E_FORBIDDEN,
                               "X-XSRF-TOKEN missing or wrong");
    }
    return OK;
}

int chats_auth_session(request_rec *r)
{
    session_rec *z = NULL;
    const char *user = NULL, *pw = NULL;
    int status;

    if (chats_session_load == NULL || chats_session_get == NULL
        || chats_session_load(r, &z) != APR_SUCCESS || z == NULL
        || chats_session_get(r, z, CHATS_SESSION_USER, &user) != APR_SUCCESS
        || chats_session_get(r, z, CHATS_SESSION_PW, &pw) != APR_SUCCESS
        || user == NULL || *user == '\0' || pw == NULL) {
        return DECLINED;                /* no session: no credentials */
    }
    /* The cache key holds the password only inside its keyed hash. */
    status = chats_auth_password(r, user, pw,
                                 apr_pstrcat(r->pool, "Session ", user, ":",
                                             pw, NULL));
    if (status != OK) {
        return status;
    }
    r->ap_auth_type = (char *)"Session";
    return xsrf_check(r);
}

/* SHA-256 of the token; *prefix the first 4 bytes in hex (for logs). */
static int apptoken_digest(request_rec *r, const char *tok, unsigned char *d,
                           const char **prefix)
{
    unsigned int n = 0;

    if (!EVP_Digest(tok, strlen(tok), d, &n, EVP_sha256(), NULL)
        || n != CHATS_APPTOKEN_DIGEST) {
        return 0;
    }
    *prefix = apr_psprintf(r->pool, "%02x%02x%02x%02x", d[0], d[1], d[2],
                           d[3]);
    return 1;
}

/* Every configured digest is compared: the time does not tell which. */
static int apptoken_known(const apr_array_header_t *known,
                          const unsigned char *d)
{
    int i, found = 0;

    for (i = 0; known && i < known->nelts; i++) {
        found |= CRYPTO_memcmp(APR_ARRAY_IDX(known, i, unsigned char *), d,
                               CHATS_APPTOKEN_DIGEST) == 0;
    }
    return found;
}

int chats_auth_apptoken(request_rec *r)
{
    const chats_auth_conf_t *ac = chats_dir_conf(r)->auth;
    const char *tok = apr_table_get(r->headers_in, CHATS_APPTOKEN_HDR);
    const char *prefix = "-", *user = ap_escape_logitem(r->pool, r->user);
    unsigned char d[CHATS_APPTOKEN_DIGEST];
    int required = ac->apptoken_required == 1, known = 0;

    if (tok != NULL && *tok != '\0') {
        if (!apptoken_digest(r, tok, d, &prefix)) {
            return chats_auth_fail(r, CHATS_E_INTERNAL,
                                   "Authentication failed");
        }
        known = apptoken_known(ac->apptokens, d);
        apr_table_setn(r->notes, CHATS_NOTE_APPTOKEN, prefix);
    }
    if (required && !known) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, CHATS_LOGNO(165)
                      "user %s: SO-AppToken %s (sha256 %s...) refused",
                      user, tok ? "unknown" : "missing", prefix);
        return chats_auth_fail(r, CHATS_E_UNAUTHORIZED,
                               "Application token missing or unknown");
    }
    if (tok != NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, CHATS_LOGNO(166)
                      "user %s: SO-AppToken sha256 %s... (%s)", user, prefix,
                      known ? "known" : "not checked");
    }
    return OK;
}
