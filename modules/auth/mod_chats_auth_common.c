/* What every scheme of our AuthType shares: the realm, answering a
 * failure, and looking a credential up in the store. */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "http_core.h"

#include "mod_chats_auth.h"

#define CHATS_AUTH_DEFAULT_REALM "SuperOffice"

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
 * down, 500 "server misconfigured" naming the fix when it never will be
 * up as configured, 500 otherwise. The log line is the caller's (logmsg starts with
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
    if (e->code == CHATS_E_MISCONFIGURED) {
        return chats_auth_fail(r, e->code, e->message);
    }
    return chats_auth_fail(r, e->code == CHATS_E_DB_DOWN
                           ? CHATS_E_DB_DOWN : CHATS_E_INTERNAL,
                           e->code == CHATS_E_DB_DOWN
                           ? "Database unavailable"
                           : "Authentication failed");
}

/* The realm as a quoted-string: AuthName, or SuperOffice's. */
const char *chats_auth_realm(request_rec *r)
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
