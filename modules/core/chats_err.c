/* Typed errors. Core file: APR only.
 *
 * Errors live in the caller's pool (r->pool in the module), so they need no
 * freeing and may be passed up the stack freely. */
#include <stdarg.h>

#include <apr_strings.h>

#include "chats_err.h"

chats_err_t *chats_err_make(apr_pool_t *p, chats_ecode_t code,
                            const char *field, const char *fmt, ...)
{
    chats_err_t *e = apr_pcalloc(p, sizeof(*e));
    va_list ap;

    e->code = code;
    e->op_index = -1;
    e->rv = APR_SUCCESS;
    /* Copied: field often points into a document or op that may be
     * rebuilt or cleared before the error is reported. */
    e->field = field ? apr_pstrdup(p, field) : NULL;
    if (fmt) {
        va_start(ap, fmt);
        e->message = apr_pvsprintf(p, fmt, ap);
        va_end(ap);
    }
    else {
        e->message = chats_err_name(code);
    }
    return e;
}

chats_err_t *chats_err_at(chats_err_t *e, int op_index)
{
    /* The innermost layer that knows the index wins: a hook may already
     * have named a different op than the one the engine was running. */
    if (e && e->op_index < 0) {
        e->op_index = op_index;
    }
    return e;
}

const char *chats_err_name(chats_ecode_t code)
{
    /* Indexed by chats_ecode_t; kept in the enum's order. */
    static const char *const names[] = {
        "none", "syntax", "invalid", "readonly", "path", "bad_id",
        "media", "too_big", "not_found", "test_failed", "stale",
        "unauthorized", "forbidden", "method", "conflict", "db_down",
        "internal", "not_modified", "not_acceptable"
    };

    if ((int)code < 0 || (apr_size_t)code >= sizeof(names) / sizeof(*names)) {
        return "unknown";
    }
    return names[code];
}
