/* Basic: "user:password" checked by the authn providers named by
 * ChatSessionAuthProvider, in order, then the caller's rights read by
 * name, both remembered with the credential per process
 * (mod_chats_identity.c); and our own provider, "chatsession", which reads
 * the associate table through the store. */
#include <string.h>

#include <apr_base64.h>
#include <apr_lib.h>
#include <apr_md5.h>         /* apr_password_validate */
#include <apr_strings.h>

#include "ap_provider.h"
#include "http_core.h"
#include "mod_auth.h"

#include "mod_chats_auth.h"
#include "chats_json.h"          /* chats_utf8_valid */

/* Set by our provider when it fails because PostgreSQL is unreachable:
 * the scheme then answers 503 rather than 500. */
#define CHATS_NOTE_DB_DOWN       "chats-db-down"
/* Set by our provider when the store refused for a reason the caller's
 * answer should name (a database at another schema version): its message.
 * The store logged the cause already. */
#define CHATS_NOTE_DB_ERROR      "chats-db-error"

/* A 401 must not tell whether the user exists (issue 8: 67 ms against
 * 0.6 ms): when there is no hash to check, this one is checked instead.
 * bcrypt at cost 10, as the demo data's and most tools' (htpasswd -B -C
 * 10); the password it hashes was random and thrown away. */
#define CHATS_DUMMY_HASH \
    "$2y$10$luqcvi9Vcgj9V9wpN6XMqum/hP3siGCkx.4Sa/ttLITnNOcI8C7KC"

/* mod_authn_socache's store, if loaded (set once, before children). */
static APR_OPTIONAL_FN_TYPE(ap_authn_cache_store) *chats_authn_cache_store;

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
    if (apr_table_get(r->notes, CHATS_NOTE_DB_ERROR)) {
        return chats_auth_fail(r, CHATS_E_MISCONFIGURED,
                               apr_table_get(r->notes, CHATS_NOTE_DB_ERROR));
    }
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, CHATS_LOGNO(106)
                  "user %s: provider %s failed (status %d)",
                  u, pname, (int)res);
    return chats_auth_fail(r, CHATS_E_INTERNAL, "Authentication failed");
}

/* After the providers granted, whichever it was: the caller by name (one
 * statement: a user of another provider may still be an associate), kept
 * with the credential. */
static int basic_caller(request_rec *r, const chats_auth_memo_t *m,
                        const char *pname)
{
    int found;
    int rc = chats_auth_caller_keep(r, m, r->user, pname, 0, 1,
                                    CHATS_LOGNO(312) "Basic: rights lookup "
                                    "failed", &found);

    if (rc != OK) {
        r->user = NULL;
    }
    return rc;
}

/* Cached with the credential: besides the header (cachekey), what decides
 * whether it is good here: the section that set ChatSessionAuthProvider
 * (its array, made once at config time, so each such section has its own
 * entries; the pointer is stable for the life of the process, which is
 * the cache's life), the provider names and the realm. */
int chats_auth_password(request_rec *r, const char *user, const char *pw,
                        const char *cachekey)
{
    const chats_dir_conf_t *dc = chats_dir_conf(r);
    const apr_array_header_t *names = chats_conf_providers(dc, r->pool);
    const char *joined = apr_array_pstrcat(r->pool, names, ',');
    const char *realm = chats_auth_realm(r), *pname;
    const void *section = dc->providers;
    const chats_authcache_part_t cfg[] = {
        { &section, sizeof(section) },
        { joined, strlen(joined) },
        { realm, strlen(realm) },
    };
    chats_auth_memo_t m;
    authn_status res;
    int status;

    if (chats_auth_recall(r, &m, "Basic", cfg,
                          (int)(sizeof(cfg) / sizeof(cfg[0])), cachekey,
                          NULL)) {
        r->ap_auth_type = (char *)"Basic";
        return OK;
    }
    apr_table_unset(r->notes, CHATS_NOTE_DB_DOWN);
    res = basic_providers(r, names, user, pw, &pname);
    status = basic_result(r, res, user, pname);
    return status == OK ? basic_caller(r, &m, pname) : status;
}

int chats_auth_basic(request_rec *r, const char *header, const char *cred)
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

    /* Not UTF-8: no associate has that name, and PostgreSQL would refuse
     * it as a text parameter (SQLSTATE 22021, a 500). */
    if (!chats_utf8_valid(user, strlen(user))) {
        apr_password_validate(password, CHATS_DUMMY_HASH);
        return AUTH_USER_NOT_FOUND;
    }
    if ((e = chats_store_open(&st, r)) == NULL) {
        e = chats_store_password_hash(st, user, &hash);
    }
    if (e != NULL && e->code == CHATS_E_NOT_FOUND) {
        apr_password_validate(password, CHATS_DUMMY_HASH);
        return AUTH_USER_NOT_FOUND;
    }
    if (e != NULL) {
        if (e->code == CHATS_E_DB_DOWN) {
            apr_table_setn(r->notes, CHATS_NOTE_DB_DOWN, "1");
        }
        else if (e->code == CHATS_E_MISCONFIGURED && e->message) {
            apr_table_setn(r->notes, CHATS_NOTE_DB_ERROR, e->message);
        }
        ap_log_rerror(APLOG_MARK, APLOG_INFO, e->rv, r, CHATS_LOGNO(109)
                      "user %s: password lookup failed (%s)",
                      ap_escape_logitem(r->pool, user),
                      chats_err_name(e->code));
        return AUTH_GENERAL_ERROR;
    }
    if (hash == NULL || *hash == '\0') {
        /* An associate without a password cannot log in with one. */
        apr_password_validate(password, CHATS_DUMMY_HASH);
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

void chats_auth_basic_optional_fns(void)
{
    chats_authn_cache_store = APR_RETRIEVE_OPTIONAL_FN(ap_authn_cache_store);
}

void chats_auth_basic_register(apr_pool_t *p)
{
    ap_register_auth_provider(p, AUTHN_PROVIDER_GROUP, CHATS_DEFAULT_PROVIDER,
                              AUTHN_PROVIDER_VERSION, &chats_authn_provider,
                              AP_AUTH_INTERNAL_PER_CONF);
}
