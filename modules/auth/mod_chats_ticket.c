/* The SoTicket scheme ("SOTicket" from the official client: scheme names
 * compare case-insensitively). A ticket is an opaque string issued by
 * chats_issue_ticket() (conf/auth.sql); the table keeps only its SHA-256,
 * so we hash what the client sent, look the hash up and compare it again
 * in constant time. An expired ticket is refused. The same statement
 * reads the associate's rights, and the verdict is cached with the
 * ticket (mod_chats_identity.c) until its expires_at at the latest. */
#include <apr_lib.h>
#include <apr_strings.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "chats_schemes.h"
#include "mod_chats_auth.h"
#include "mod_chats_store_open.h"

#define CHATS_TICKET_MAX 512

/* Only chats_ticket, associate and chat_session_right: never the
 * sessions. Columns: hash, login, still valid, expires_at in microseconds
 * since the epoch, then the caller (chats_caller_from_row). */
static const chats_stmt_t chats_stmt_ticket = {
    "chats_ticket_caller",
    "SELECT t.hash, t.login, t.expires_at > now(), "
    "floor(extract(epoch FROM t.expires_at) * 1000000)::int8, "
    "a.associate_id, coalesce(r.level, 'read'), "
    "coalesce(array_to_string(r.readonly_fields, ','), '') "
    "FROM chats_ticket t "
    "JOIN associate a ON a.name = t.login "
    "LEFT JOIN chat_session_right r ON r.associate_id = a.associate_id "
    "WHERE t.hash = $1 AND NOT a.deleted",
    CHATS_RETRY_SAFE, 0, NULL, NULL, NULL   /* reads only */
};

static int ticket_reject(request_rec *r, const char *why)
{
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, CHATS_LOGNO(155)
                  CHATS_SCHEME_SOTICKET " rejected (%s) for \"%s\"", why,
                  r->uri);
    return chats_auth_fail(r, CHATS_E_UNAUTHORIZED, "Invalid ticket");
}

/* Lower-case hex SHA-256 of s[0..len), in p; NULL if OpenSSL fails. */
static char *sha256_hex(const char *s, apr_size_t len, apr_pool_t *p)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0, i;
    char *out;

    if (!EVP_Digest(s, len, md, &n, EVP_sha256(), NULL) || n != 32) {
        return NULL;
    }
    out = apr_palloc(p, 2 * n + 1);
    for (i = 0; i < n; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 0xf];
    }
    out[2 * n] = '\0';
    return out;
}

static int ticket_lookup(request_rec *r, const chats_auth_memo_t *m,
                         const char *hash)
{
    chats_rows_t *rows = NULL;
    const char *got, *login, *until;
    chats_caller_t c;
    int rc;

    rc = chats_auth_lookup(r, &chats_stmt_ticket, hash, CHATS_LOGNO(156)
                           CHATS_SCHEME_SOTICKET ": lookup failed", &rows);
    if (rc != OK) {
        return rc;
    }
    got = rows->nrows == 1 ? CHATS_ROWS_GET(rows, 0, 0) : NULL;
    if (got == NULL || strlen(got) != strlen(hash)
        || CRYPTO_memcmp(got, hash, strlen(hash)) != 0) {
        return ticket_reject(r, "unknown ticket");
    }
    if (CHATS_ROWS_GET(rows, 0, 2) == NULL
        || strcmp(CHATS_ROWS_GET(rows, 0, 2), "t")) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, CHATS_LOGNO(157)
                      CHATS_SCHEME_SOTICKET " of %s expired",
                      ap_escape_logitem(r->pool, CHATS_ROWS_GET(rows, 0, 1)));
        return chats_auth_fail(r, CHATS_E_UNAUTHORIZED, "Ticket expired");
    }
    login = CHATS_ROWS_GET(rows, 0, 1);
    until = CHATS_ROWS_GET(rows, 0, 3);
    chats_caller_from_row(r, rows, 0, 4, login, &c);
    r->user = apr_pstrdup(r->pool, login);
    r->ap_auth_type = (char *)CHATS_SCHEME_SOTICKET;
    chats_auth_remember(r, m, CHATS_SCHEME_SOTICKET, &c,
                        until ? (apr_time_t)apr_atoi64(until) : 0);
    return OK;
}

int chats_auth_soticket(request_rec *r, const char *header, const char *cred)
{
    chats_auth_memo_t m;
    const char *s;
    apr_size_t len;
    char *hash;

    for (s = cred; *s > ' ' && *s < 0x7f; s++) {
        ;
    }
    len = (apr_size_t)(s - cred);
    while (apr_isspace(*s)) {
        s++;
    }
    if (len == 0 || len > CHATS_TICKET_MAX || *s != '\0') {
        return ticket_reject(r, "malformed ticket");
    }
    /* A ticket is good wherever this virtual host's database says so. */
    if (chats_auth_recall(r, &m, CHATS_SCHEME_SOTICKET, NULL, 0, header,
                          NULL)) {
        r->ap_auth_type = (char *)CHATS_SCHEME_SOTICKET;
        return OK;
    }
    if ((hash = sha256_hex(cred, len, r->pool)) == NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, CHATS_LOGNO(158)
                      CHATS_SCHEME_SOTICKET ": SHA-256 failed");
        return chats_auth_fail(r, CHATS_E_INTERNAL, "Authentication failed");
    }
    return ticket_lookup(r, &m, hash);
}
