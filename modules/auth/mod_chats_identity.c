/* The caller of a request (mod_chats_identity.h), and the credential cache
 * around the schemes of our AuthType.
 *
 * A scheme keys its credential (chats_auth_recall): on a hit it has the
 * user and their caller without a statement, signature or bcrypt; on a
 * miss it verifies as always, finds the caller in the same statement
 * where it runs one, and keeps both (chats_auth_remember) for
 * ChatSessionAuthCacheTTL, never past the credential's own expiry. So a
 * revoked ticket, a deleted associate or a changed right takes effect
 * within that TTL. The caller travels with the request in r->pool's
 * userdata, which an internal redirect shares; a subrequest finds its
 * main request's. */
#include <string.h>

#include <apr_strings.h>

#include "mod_chats_auth.h"
#include "mod_chats_identity.h"
#include "chats_json.h"          /* chats_utf8_valid */
#include "mod_chats_metrics.h"

#define CHATS_CALLER_KEY     "chats-caller"
#define CHATS_MEMO_MAX_PARTS 8
#define CHATS_MEMO_TAG       "chats-authcache-v2"
/* The "scheme" of a caller looked up for a user another module
 * authenticated: its entries never answer a credential. */
#define CHATS_MEMO_BY_NAME   "user"

/* An associate without a right row, or a user who is not one: read. */
const chats_stmt_t chats_stmt_caller = {
    "chats_caller_lookup",
    "SELECT a.associate_id, coalesce(r.level, 'read'), "
    "coalesce(array_to_string(r.readonly_fields, ','), '') "
    "FROM associate a "
    "LEFT JOIN chat_session_right r ON r.associate_id = a.associate_id "
    "WHERE a.name = $1 AND NOT a.deleted",
    CHATS_RETRY_SAFE, 0, NULL, NULL, NULL   /* reads only */
};

/* The caller held by a request, for the user it was found for. */
typedef struct {
    const char *user;               /* NULL: a request without a user */
    chats_caller_t caller;
} chats_held_t;

const chats_caller_t *chats_caller_set(request_rec *r,
                                       const chats_caller_t *c)
{
    chats_held_t *h = apr_palloc(r->pool, sizeof(*h));

    h->user = r->user ? apr_pstrdup(r->pool, r->user) : NULL;
    h->caller = *c;
    apr_pool_userdata_setn(h, CHATS_CALLER_KEY, NULL, r->pool);
    chats_note_associate(r, c->associate_id);
    return &h->caller;
}

/* Only for the same user: whoever changes r->user later does not
 * inherit the rights found for the previous one. */
static const chats_caller_t *caller_held(const request_rec *r)
{
    const request_rec *q;

    for (q = r; q != NULL; q = q->main) {
        void *data = NULL;
        const chats_held_t *h;

        apr_pool_userdata_get(&data, CHATS_CALLER_KEY, q->pool);
        h = data;
        if (h && (h->user == NULL ? r->user == NULL
                  : r->user != NULL && !strcmp(h->user, r->user))) {
            return &h->caller;
        }
    }
    return NULL;
}

void chats_caller_from_row(request_rec *r, const chats_rows_t *rows, int i,
                           int j, const char *login, chats_caller_t *c)
{
    const char *id = CHATS_ROWS_GET(rows, i, j), *unknown = NULL;
    apr_int64_t n = id ? apr_atoi64(id) : 0;

    chats_caller_default(c);
    c->associate_id = n > 0 && n <= APR_INT32_MAX ? (apr_int32_t)n : 0;
    /* An unknown level counts as none: fail closed. */
    c->level = chats_right_from_name(CHATS_ROWS_GET(rows, i, j + 1));
    chats_caller_set_readonly(c, CHATS_ROWS_GET(rows, i, j + 2), &unknown,
                              r->pool);
    if (unknown != NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, CHATS_LOGNO(200)
                      "chat_session_right of %s: unknown field(s) %s "
                      "ignored", ap_escape_logitem(r->pool, login),
                      ap_escape_logitem(r->pool, unknown));
    }
}

/* The caller of login from chats_stmt_caller's answer: the associate's,
 * or the default when login is no associate. */
static void caller_from_rows(request_rec *r, const chats_rows_t *rows,
                             const char *login, chats_caller_t *c)
{
    if (rows->nrows == 1) {
        chats_caller_from_row(r, rows, 0, 0, login, c);
    }
    else {
        chats_caller_default(c);
    }
}

int chats_auth_caller(request_rec *r, const char *login, const char *logmsg,
                      chats_caller_t *c, int *pfound)
{
    chats_rows_t *rows = NULL;
    int rc;

    if (!chats_utf8_valid(login, strlen(login))) {
        /* No associate's name: PostgreSQL would refuse it (22021). */
        *pfound = 0;
        chats_caller_default(c);
        return OK;
    }
    rc = chats_auth_lookup(r, &chats_stmt_caller, login, logmsg, &rows);
    if (rc != OK) {
        return rc;
    }
    *pfound = rows->nrows == 1;
    caller_from_rows(r, rows, login, c);
    return OK;
}

int chats_auth_recall(request_rec *r, chats_auth_memo_t *m,
                      const char *scheme, const chats_authcache_part_t *cfg,
                      int ncfg, const char *cred, const char **pprov)
{
    chats_authcache_t *cache = chats_srv_conf(r->server)->authcache;
    chats_authcache_part_t parts[CHATS_MEMO_MAX_PARTS + 4];
    const server_rec *srv = r->server;   /* its DBD settings */
    chats_authcache_grant_t g;
    int n = 0, i;

    m->cache = NULL;
    m->ttl = apr_time_from_sec(chats_conf_cache_ttl(chats_dir_conf(r)));
    if (cache == NULL || m->ttl <= 0 || ncfg > CHATS_MEMO_MAX_PARTS) {
        return 0;
    }
    /* Distinct schemes never share an entry, even for equal text. */
    parts[n].data = CHATS_MEMO_TAG;
    parts[n++].len = sizeof(CHATS_MEMO_TAG) - 1;
    parts[n].data = scheme;
    parts[n++].len = strlen(scheme);
    parts[n].data = &srv;
    parts[n++].len = sizeof(srv);
    for (i = 0; i < ncfg; i++) {
        parts[n++] = cfg[i];
    }
    parts[n].data = cred;
    parts[n++].len = strlen(cred);
    if (chats_authcache_key(cache, parts, n, m->key) != APR_SUCCESS) {
        return 0;
    }
    m->cache = cache;
    if (!chats_authcache_get(cache, m->key, apr_time_now(), m->ttl, &g,
                             r->pool)) {
        return 0;
    }
    ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r,
                  "%s %s: cached grant (%s), level %s, associate %d",
                  scheme, ap_escape_logitem(r->pool, g.user), g.prov,
                  chats_right_name(g.caller.level),
                  (int)g.caller.associate_id);
    r->user = (char *)g.user;
    chats_caller_set(r, &g.caller);
    if (pprov) {
        *pprov = g.prov;
    }
    return 1;
}

void chats_auth_remember(request_rec *r, const chats_auth_memo_t *m,
                         const char *prov, const chats_caller_t *c,
                         apr_time_t not_after)
{
    chats_authcache_grant_t g;
    apr_status_t rv;

    chats_caller_set(r, c);
    if (m->cache == NULL) {
        return;
    }
    g.user = r->user;
    g.prov = prov;
    g.caller = *c;
    rv = chats_authcache_put(m->cache, m->key, &g, apr_time_now(), m->ttl,
                             not_after);
    if (rv == APR_ENAMETOOLONG) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, rv, r, CHATS_LOGNO(311)
                      "user %s: grant not cached (name longer than kept)",
                      ap_escape_logitem(r->pool, r->user));
    }
    /* APR_EINVAL: the credential expires now; there is nothing to keep. */
}

int chats_auth_caller_keep(request_rec *r, const chats_auth_memo_t *m,
                           const char *login, const char *prov,
                           apr_time_t not_after, int keep_unknown,
                           const char *logmsg, int *pfound)
{
    chats_caller_t c;
    int rc = chats_auth_caller(r, login, logmsg, &c, pfound);

    if (rc == OK && (*pfound || keep_unknown)) {
        r->user = apr_pstrdup(r->pool, login);
        chats_auth_remember(r, m, prov, &c, not_after);
    }
    return rc;
}

/* The caller of a user another module authenticated (or none). */
static chats_err_t *caller_by_name(request_rec *r, chats_caller_t *c)
{
    const char *login = r->user;
    chats_rows_t *rows = NULL;
    chats_store_t *st;
    chats_err_t *e;

    if (!chats_utf8_valid(login, strlen(login))) {
        chats_caller_default(c);        /* no associate, as above */
        return NULL;
    }
    if ((e = chats_store_open(&st, r)) == NULL
        && (e = chats_store_exec(st, &chats_stmt_caller, 1, &login,
                                 &rows)) == NULL) {
        caller_from_rows(r, rows, login, c);
    }
    return e;
}

const chats_caller_t *chats_caller_of(request_rec *r, chats_err_t **pe)
{
    const chats_caller_t *held = caller_held(r);
    chats_auth_memo_t m;
    chats_caller_t c;

    *pe = NULL;
    if (held != NULL) {
        return held;
    }
    if (r->user == NULL || *r->user == '\0') {
        chats_caller_default(&c);
        return chats_caller_set(r, &c);
    }
    if (chats_auth_recall(r, &m, CHATS_MEMO_BY_NAME, NULL, 0, r->user,
                          NULL)) {
        return caller_held(r);
    }
    if ((*pe = caller_by_name(r, &c)) != NULL) {
        return NULL;
    }
    chats_auth_remember(r, &m, CHATS_MEMO_BY_NAME, &c, 0);
    return caller_held(r);
}
