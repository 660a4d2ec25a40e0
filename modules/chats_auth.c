/* Our AuthType "ChatSession" and the "chatsession" authn provider.
 *
 * httpd 2.4 lets a location name one AuthType, and one location must
 * accept Basic, Bearer and SoTicket at once: so the module brings its own
 * AuthType, built like mod_auth_basic. Its check_authn hook reads the
 * scheme from Authorization and hands the credentials to that scheme's
 * function (one row of chats_schemes each). Basic checks the password
 * through the authn providers named by ChatSessionAuthProvider (ours, or
 * file, dbd, ldap, socache ...), and verified credentials are remembered
 * per process for ChatSessionAuthCacheTTL seconds (chats_authcache.c). */
#include <string.h>

#include <apr_base64.h>
#include <apr_lib.h>
#include <apr_md5.h>         /* apr_password_validate */
#include <apr_strings.h>

#include "ap_provider.h"
#include "http_core.h"
#include "mod_auth.h"

#include "chats_private.h"
#include "chats_store.h"
#include "chats_authcache.h"
#include "chats_auth.h"

#define CHATS_AUTH_DEFAULT_REALM "SuperOffice"
#define CHATS_AUTHCACHE_SLOTS    1024
/* Set by our provider when it fails because PostgreSQL is unreachable:
 * the hook then answers 503 rather than 500. */
#define CHATS_NOTE_DB_DOWN       "chats-db-down"

/* mod_authn_socache's store, if loaded (set once, before children). */
static APR_OPTIONAL_FN_TYPE(ap_authn_cache_store) *chats_authn_cache_store;

/** Check the credentials (the header after the scheme name, spaces
 * skipped); header is the whole Authorization value, for the cache key.
 * Returns OK with r->user set, or the status from auth_fail(). */
typedef int (*chats_scheme_fn)(request_rec *r, const char *header,
                               const char *cred);
/** The WWW-Authenticate challenge of the scheme; realm is quoted. */
typedef const char *(*chats_challenge_fn)(request_rec *r, const char *realm);

static int auth_basic(request_rec *r, const char *header, const char *cred);
static const char *challenge_basic(request_rec *r, const char *realm);
static const char *challenge_bearer(request_rec *r, const char *realm);
static const char *challenge_soticket(request_rec *r, const char *realm);

/* Adding a scheme is adding a row (the order is the challenges' order). */
static const struct {
    const char *name;
    chats_scheme_fn check;
    chats_challenge_fn challenge;
} chats_schemes[] = {
    { "Basic",    auth_basic,          challenge_basic },
    { "Bearer",   chats_auth_bearer,   challenge_bearer },
    { "SoTicket", chats_auth_soticket, challenge_soticket },
};

#define CHATS_NSCHEMES (sizeof(chats_schemes) / sizeof(chats_schemes[0]))

/* Answer an authentication failure through the one error mapper; every
 * 401 carries the challenges. */
int chats_auth_fail(request_rec *r, chats_ecode_t code, const char *msg)
{
    if (code == CHATS_E_UNAUTHORIZED) {
        ap_note_auth_failure(r);
    }
    return chats_http_custom_error(r, chats_err_make(r->pool, code, NULL,
                                                     "%s", msg));
}

/* The schemes' credential lookups fail alike: 503 when the database is
 * down, 500 otherwise. The log line is the caller's (logmsg starts with
 * its own CHATS_LOGNO tag) so each site keeps its tag. */
int chats_auth_lookup(request_rec *r, const chats_stmt_t *stmt,
                      const char *param, const char *logmsg,
                      chats_rows_t **prows)
{
    chats_store_t *st;
    chats_err_t *e;

    if ((e = chats_store_open(&st, r)) == NULL) {
        e = chats_store_exec(st, stmt, 1, &param, prows);
    }
    if (e == NULL) {
        return OK;
    }
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, e->rv, r, "%s (%s)", logmsg,
                  chats_err_name(e->code));
    return chats_auth_fail(r, e->code == CHATS_E_DB_DOWN
                           ? CHATS_E_DB_DOWN : CHATS_E_INTERNAL,
                           e->code == CHATS_E_DB_DOWN
                           ? "Database unavailable"
                           : "Authentication failed");
}

/* The realm as a quoted-string: AuthName, or SuperOffice's. */
static const char *auth_realm(request_rec *r)
{
    const char *name = ap_auth_name(r), *s;
    char *out, *d;

    if (name == NULL || *name == '\0') {
        name = CHATS_AUTH_DEFAULT_REALM;
    }
    out = d = apr_palloc(r->pool, 2 * strlen(name) + 3);
    *d++ = '"';
    for (s = name; *s; s++) {
        if (*s == '"' || *s == '\\') {
            *d++ = '\\';
        }
        /* A control character cannot appear in a header: drop it. */
        if (!apr_iscntrl(*s)) {
            *d++ = *s;
        }
    }
    *d++ = '"';
    *d = '\0';
    return out;
}

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
    return apr_pstrcat(r->pool, "SoTicket realm=", realm, NULL);
}

static int chats_note_auth_failure(request_rec *r, const char *auth_type)
{
    const char *realm;
    apr_size_t i;

    if (ap_cstr_casecmp(auth_type, CHATS_AUTH_TYPE)) {
        return DECLINED;
    }
    realm = auth_realm(r);
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

/* Strict base64 (RFC 4648 alphabet, padding optional but only at the
 * end), then "user:password" with a non-empty user and no NUL byte.
 * Returns 0 if malformed. */
static int basic_decode(request_rec *r, const char *cred,
                        const char **puser, const char **ppw)
{
    apr_size_t n = 0, pad = 0, len;
    const char *s, *colon;
    char *plain;

    for (s = cred; *s && !apr_isspace(*s); s++, n++) {
        if (*s == '=') {
            pad++;
        }
        else if (pad || !(apr_isalnum(*s) || *s == '+' || *s == '/')) {
            return 0;
        }
    }
    while (apr_isspace(*s)) {
        s++;
    }
    if (*s || n == 0 || pad > 2 || (pad ? n % 4 != 0 : n % 4 == 1)) {
        return 0;
    }
    s = apr_pstrmemdup(r->pool, cred, n);
    plain = apr_palloc(r->pool, apr_base64_decode_len(s) + 1);
    len = (apr_size_t)apr_base64_decode(plain, s);
    if (memchr(plain, '\0', len) != NULL
        || (colon = memchr(plain, ':', len)) == NULL || colon == plain) {
        return 0;
    }
    plain[len] = '\0';
    *puser = apr_pstrmemdup(r->pool, plain, (apr_size_t)(colon - plain));
    *ppw = colon + 1;
    return 1;
}

/* The cache key: the whole header, and what identifies the configuration
 * that verifies it: the virtual host (its DBD settings), the section that
 * set ChatSessionAuthProvider (its array, made once at config time, so
 * each such section has its own entries), the provider names and the
 * realm. The pointers are stable for the life of the process, which is
 * the cache's life. */
static int authcache_key(request_rec *r, const chats_authcache_t *cache,
                         const chats_dir_conf_t *dc, const char *header,
                         unsigned char *key)
{
    const apr_array_header_t *names = chats_conf_providers(dc, r->pool);
    const char *realm = auth_realm(r);
    const char *joined = apr_array_pstrcat(r->pool, names, ',');
    const server_rec *srv = r->server;
    const void *section = dc->providers;
    const chats_authcache_part_t parts[] = {
        { "chats-authcache-v1", sizeof("chats-authcache-v1") - 1 },
        { &srv, sizeof(srv) },
        { &section, sizeof(section) },
        { joined, strlen(joined) },
        { realm, strlen(realm) },
        { header, strlen(header) },
    };

    return chats_authcache_key(cache, parts,
                               (int)(sizeof(parts) / sizeof(parts[0])),
                               key) == APR_SUCCESS;
}

/* Run the providers in order; the next one is asked only if the user is
 * not found (as mod_auth_basic). *pname is the last provider asked. */
static authn_status basic_providers(request_rec *r,
                                    const apr_array_header_t *names,
                                    const char *user, const char *pw,
                                    const char **pname)
{
    authn_status res = AUTH_USER_NOT_FOUND;
    int i;

    *pname = "";
    for (i = 0; i < names->nelts && res == AUTH_USER_NOT_FOUND; i++) {
        const char *name = APR_ARRAY_IDX(names, i, const char *);
        const authn_provider *prov = ap_lookup_provider(
            AUTHN_PROVIDER_GROUP, name, AUTHN_PROVIDER_VERSION);

        *pname = name;
        if (prov == NULL || prov->check_password == NULL) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, CHATS_LOGNO(102)
                          "ChatSessionAuthProvider %s: no such authn "
                          "provider for Basic (module not loaded?)", name);
            return AUTH_GENERAL_ERROR;
        }
        apr_table_setn(r->notes, AUTHN_PROVIDER_NAME_NOTE, name);
        res = prov->check_password(r, user, pw);
        apr_table_unset(r->notes, AUTHN_PROVIDER_NAME_NOTE);
    }
    return res;
}

/* Map a provider's answer to ours: OK, 401, 503 or 500. */
static int basic_result(request_rec *r, authn_status res, const char *user,
                        const char *pname)
{
    const char *u = ap_escape_logitem(r->pool, user);

    switch (res) {
    case AUTH_GRANTED:
        r->user = apr_pstrdup(r->pool, user);
        r->ap_auth_type = (char *)"Basic";
        return OK;
    case AUTH_DENIED:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, CHATS_LOGNO(103)
                      "user %s: password mismatch (provider %s) for \"%s\"",
                      u, pname, r->uri);
        return chats_auth_fail(r, CHATS_E_UNAUTHORIZED, "Invalid credentials");
    case AUTH_USER_NOT_FOUND:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, CHATS_LOGNO(104)
                      "user %s not found (last provider %s) for \"%s\"",
                      u, pname, r->uri);
        return chats_auth_fail(r, CHATS_E_UNAUTHORIZED, "Invalid credentials");
    default:
        break;
    }
    if (apr_table_get(r->notes, CHATS_NOTE_DB_DOWN)) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, CHATS_LOGNO(105)
                      "user %s: provider %s cannot reach the database",
                      u, pname);
        return chats_auth_fail(r, CHATS_E_DB_DOWN, "Database unavailable");
    }
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, CHATS_LOGNO(106)
                  "user %s: provider %s failed (status %d)",
                  u, pname, (int)res);
    return chats_auth_fail(r, CHATS_E_INTERNAL, "Authentication failed");
}

int chats_auth_password(request_rec *r, const char *user, const char *pw,
                        const char *cachekey)
{
    const chats_dir_conf_t *dc = chats_dir_conf(r);
    chats_authcache_t *cache = chats_srv_conf(r->server)->authcache;
    apr_interval_time_t ttl = apr_time_from_sec(chats_conf_cache_ttl(dc));
    unsigned char key[CHATS_AUTHCACHE_KEY_LEN];
    const char *cached, *pname;
    int keyed, status;
    authn_status res;
    apr_status_t rv;

    keyed = cache != NULL && ttl > 0
            && authcache_key(r, cache, dc, cachekey, key);
    if (keyed && chats_authcache_get(cache, key, apr_time_now(), ttl,
                                     &cached, &pname, r->pool)) {
        ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r,
                      "user %s: cached grant (provider %s)",
                      ap_escape_logitem(r->pool, cached), pname);
        return basic_result(r, AUTH_GRANTED, cached, pname);
    }
    apr_table_unset(r->notes, CHATS_NOTE_DB_DOWN);
    res = basic_providers(r, chats_conf_providers(dc, r->pool), user, pw,
                          &pname);
    status = basic_result(r, res, user, pname);
    if (status == OK && keyed
        && (rv = chats_authcache_put(cache, key, user, pname,
                                     apr_time_now(), ttl)) != APR_SUCCESS) {
        /* APR_ENAMETOOLONG: user or provider name longer than kept. */
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, rv, r, CHATS_LOGNO(108)
                      "user %s: grant not cached",
                      ap_escape_logitem(r->pool, user));
    }
    return status;
}

static int auth_basic(request_rec *r, const char *header, const char *cred)
{
    const char *user, *pw;

    if (!basic_decode(r, cred, &user, &pw)) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, CHATS_LOGNO(107)
                      "malformed Basic credentials for \"%s\"", r->uri);
        return chats_auth_fail(r, CHATS_E_UNAUTHORIZED,
                               "Invalid credentials");
    }
    return chats_auth_password(r, user, pw, header);
}

/* The "chatsession" authn provider: the associate table, via the store. */
static authn_status chats_check_password(request_rec *r, const char *user,
                                         const char *password)
{
    chats_store_t *st;
    const char *hash = NULL;
    chats_err_t *e;

    if ((e = chats_store_open(&st, r)) == NULL) {
        e = chats_store_password_hash(st, user, &hash);
    }
    if (e != NULL && e->code == CHATS_E_NOT_FOUND) {
        return AUTH_USER_NOT_FOUND;
    }
    if (e != NULL) {
        if (e->code == CHATS_E_DB_DOWN) {
            apr_table_setn(r->notes, CHATS_NOTE_DB_DOWN, "1");
        }
        ap_log_rerror(APLOG_MARK, APLOG_INFO, e->rv, r, CHATS_LOGNO(109)
                      "user %s: password lookup failed (%s)",
                      ap_escape_logitem(r->pool, user),
                      chats_err_name(e->code));
        return AUTH_GENERAL_ERROR;
    }
    if (hash == NULL || *hash == '\0') {
        /* An associate without a password cannot log in with one. */
        return AUTH_USER_NOT_FOUND;
    }
    if (chats_authn_cache_store != NULL) {
        chats_authn_cache_store(r, CHATS_DEFAULT_PROVIDER, user, NULL, hash);
    }
    return apr_password_validate(password, hash) == APR_SUCCESS
           ? AUTH_GRANTED : AUTH_DENIED;
}

static const authn_provider chats_authn_provider = {
    chats_check_password,
    NULL                    /* no realm hashes: Digest is not offered */
};

static void chats_auth_optional_fns(void)
{
    chats_authn_cache_store = APR_RETRIEVE_OPTIONAL_FN(ap_authn_cache_store);
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
                     "will be checked by the providers");
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
    ap_register_auth_provider(p, AUTHN_PROVIDER_GROUP, CHATS_DEFAULT_PROVIDER,
                              AUTHN_PROVIDER_VERSION, &chats_authn_provider,
                              AP_AUTH_INTERNAL_PER_CONF);
}
