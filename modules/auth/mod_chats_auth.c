/* Our AuthType "ChatSession": the hooks and the schemes' table.
 *
 * httpd 2.4 lets a location name one AuthType, and one location must
 * accept Basic, Bearer and SoTicket at once: so the module brings its own
 * AuthType, built like mod_auth_basic. Its check_authn hook reads the
 * scheme from Authorization and hands the credentials to that scheme's
 * function (one row of chats_schemes each): Basic in
 * mod_chats_auth_basic.c, Bearer in mod_chats_jwt_auth.c, SoTicket in
 * mod_chats_ticket.c, cookie sessions in mod_chats_xsrf.c. */
#include <string.h>

#include <apr_strings.h>

#include "http_core.h"

#include "chats_authcache.h"
#include "chats_schemes.h"
#include "mod_chats_auth.h"

#define CHATS_AUTHCACHE_SLOTS    1024

/** Check the credentials (the header after the scheme name, spaces
 * skipped); header is the whole Authorization value, for the cache key.
 * Returns OK with r->user set, or the status from auth_fail(). */
typedef int (*chats_scheme_fn)(request_rec *r, const char *header,
                               const char *cred);
/** The WWW-Authenticate challenge of the scheme; realm is quoted. */
typedef const char *(*chats_challenge_fn)(request_rec *r, const char *realm);

static const char *challenge_basic(request_rec *r, const char *realm);
static const char *challenge_bearer(request_rec *r, const char *realm);
static const char *challenge_soticket(request_rec *r, const char *realm);

/* Adding a scheme is adding a row (the order is the challenges' order). */
static const struct {
    const char *name;
    chats_scheme_fn check;
    chats_challenge_fn challenge;
} chats_schemes[] = {
    { "Basic",    chats_auth_basic,          challenge_basic },
    { "Bearer",   chats_auth_bearer,   challenge_bearer },
    { CHATS_SCHEME_SOTICKET, chats_auth_soticket, challenge_soticket },
};

#define CHATS_NSCHEMES (sizeof(chats_schemes) / sizeof(chats_schemes[0]))

static const char *challenge_basic(request_rec *r, const char *realm)
{
    return apr_pstrcat(r->pool, "Basic realm=", realm, NULL);
}

/* RFC 6750 3: error="invalid_token" only once a token was rejected. */
static const char *challenge_bearer(request_rec *r, const char *realm)
{
    const char *err = apr_table_get(r->notes, CHATS_NOTE_BEARER_ERROR);

    return apr_pstrcat(r->pool, "Bearer realm=", realm,
                       err ? ", error=\"" : "", err ? err : "",
                       err ? "\"" : "", NULL);
}

static const char *challenge_soticket(request_rec *r, const char *realm)
{
    return apr_pstrcat(r->pool, CHATS_SCHEME_SOTICKET " realm=", realm,
                       NULL);
}

static int chats_note_auth_failure(request_rec *r, const char *auth_type)
{
    const char *realm;
    apr_size_t i;

    if (ap_cstr_casecmp(auth_type, CHATS_AUTH_TYPE)) {
        return DECLINED;
    }
    realm = chats_auth_realm(r);
    /* Noted more than once (authn, then authz): one set of challenges. */
    apr_table_unset(r->err_headers_out, "WWW-Authenticate");
    for (i = 0; i < CHATS_NSCHEMES; i++) {
        apr_table_addn(r->err_headers_out, "WWW-Authenticate",
                       chats_schemes[i].challenge(r, realm));
    }
    /* mod_authz_core notes its own 401s (a Require the user fails): give
     * them our JSON body too. Our own 401s replace it with their text. */
    chats_http_custom_error(r, chats_err_make(r->pool, CHATS_E_UNAUTHORIZED,
                                              NULL, "%s", r->user
                                              ? "Access denied"
                                              : "Authentication required"));
    return OK;
}

static int chats_check_authn(request_rec *r)
{
    const char *type = ap_auth_type(r), *header, *cred;
    const char *scheme;
    apr_size_t i;

    if (type == NULL || ap_cstr_casecmp(type, CHATS_AUTH_TYPE)) {
        return DECLINED;
    }
    header = apr_table_get(r->headers_in, "Authorization");
    if (header == NULL) {
        /* A mod_session cookie session, where one is configured. */
        int status = chats_auth_session(r);

        if (status != DECLINED) {
            return status == OK ? chats_auth_apptoken(r) : status;
        }
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, CHATS_LOGNO(100)
                      "no credentials for \"%s\"", r->uri);
        return chats_auth_fail(r, CHATS_E_UNAUTHORIZED,
                               "Authentication required");
    }
    cred = header;
    scheme = ap_getword_white(r->pool, &cred);
    for (i = 0; i < CHATS_NSCHEMES; i++) {
        if (!ap_cstr_casecmp(scheme, chats_schemes[i].name)) {
            int status = chats_schemes[i].check(r, header, cred);

            return status == OK ? chats_auth_apptoken(r) : status;
        }
    }
    /* The scheme name is no secret, but it is client text: bound it. */
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, CHATS_LOGNO(101)
                  "unsupported authentication scheme \"%.32s\" for \"%s\"",
                  ap_escape_logitem(r->pool, scheme), r->uri);
    return chats_auth_fail(r, CHATS_E_UNAUTHORIZED,
                     "Unsupported authentication scheme");
}

static void chats_auth_optional_fns(void)
{
    chats_auth_basic_optional_fns();
    chats_xsrf_optional_fns();
}

void chats_auth_child_init(apr_pool_t *pchild, server_rec *s)
{
    chats_authcache_t *cache;
    apr_status_t rv;

    /* One cache per process, shared by the virtual hosts (their
     * server_rec is part of every key). */
    rv = chats_authcache_create(&cache, CHATS_AUTHCACHE_SLOTS, pchild);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, CHATS_LOGNO(110)
                     "cannot create the credential cache: every request "
                     "will verify its credential and read its rights");
        cache = NULL;
    }
    for (; s != NULL; s = s->next) {
        chats_srv_conf(s)->authcache = cache;
    }
}

void chats_auth_register_hooks(apr_pool_t *p)
{
    ap_hook_check_authn(chats_check_authn, NULL, NULL, APR_HOOK_MIDDLE,
                        AP_AUTH_INTERNAL_PER_CONF);
    ap_hook_note_auth_failure(chats_note_auth_failure, NULL, NULL,
                              APR_HOOK_MIDDLE);
    ap_hook_optional_fn_retrieve(chats_auth_optional_fns, NULL, NULL,
                                 APR_HOOK_MIDDLE);
    chats_auth_basic_register(p);
}
