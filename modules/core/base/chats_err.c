/* Typed errors. Core file: APR only.
 *
 * Errors live in the caller's pool (r->pool in the module), so they need no
 * freeing and may be passed up the stack freely. */
#include <stdarg.h>

#include <apr_strings.h>

#include "chats_err.h"
#include "chats_media.h"

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

/* The one table of error kinds. The statuses and ErrorType strings are
 * what clients see (keep them as they are: SuperOffice's clients match on
 * ErrorType); the descriptions are what the OpenAPI document says about
 * the statuses; where says on which routes each arises (with the route
 * table, the routes' statuses in the OpenAPI document); the headers are
 * those the glue adds (WWW-Authenticate by the auth hook, Allow by the
 * dispatcher, Retry-After by the sender).
 * In the enum's order, which chats_err_kinds() promises. */
static const chats_err_kind_t kinds[] = {
    { CHATS_E_SYNTAX, "syntax", 400, CHATS_EW_BODY,
      "JsonReaderException", NULL,
      "The body is not well-formed JSON or XML: bad syntax, invalid "
      "UTF-8, nested too deep, or a DTD." },
    { CHATS_E_INVALID, "invalid", 400, CHATS_EW_ANSWER,
      "ArgumentException", NULL,
      "A bad patch operation, path, value or type, an unknown field, "
      "$select name or SO-TimeZone, or a reference to a row that does not "
      "exist." },
    { CHATS_E_READONLY, "readonly", 400, CHATS_EW_BODY,
      "ReadOnlyFieldException", NULL,
      "A read-only field given a value other than its current one." },
    { CHATS_E_PATH, "path", 400, CHATS_EW_PATCH, "JsonPatchException", NULL,
      "A JSON Patch path or from that does not exist in the entity." },
    { CHATS_E_BAD_ID, "bad_id", 400, CHATS_EW_ID, "ArgumentException", NULL,
      "The id in the URL is not a positive 32-bit integer." },
    { CHATS_E_MEDIA, "media", 415, CHATS_EW_BODY,
      "UnsupportedMediaTypeException", NULL,
      "Content-Type missing, or not accepted for this method." },
    { CHATS_E_TOO_BIG, "too_big", 413, CHATS_EW_BODY,
      "RequestTooLargeException", NULL,
      "The body is over the configured limit." },
    { CHATS_E_NOT_FOUND, "not_found", 404, CHATS_EW_SESSION,
      "SoNotFoundException", NULL,
      "No chat session (chat topic, on ChatTopic's routes) with this id." },
    { CHATS_E_TEST_FAILED, "test_failed", 409, CHATS_EW_PATCH,
      "JsonPatchTestException",
      NULL, "A JSON Patch test operation failed." },
    { CHATS_E_STALE, "stale", 412, CHATS_EW_COND,
      "PreconditionFailedException", NULL,
      "If-Match, If-None-Match or If-Unmodified-Since failed." },
    { CHATS_E_UNAUTHORIZED, "unauthorized", 401, CHATS_EW_ANY,
      "SoAuthenticationException", "WWW-Authenticate",
      "No or wrong credentials, or an expired ticket or token." },
    { CHATS_E_FORBIDDEN, "forbidden", 403, CHATS_EW_ANY,
      "SoAccessDeniedException", NULL,
      "Authenticated, not allowed: the user's rights forbid the "
      "operation, the session or the field named, or a cookie session "
      "sent no matching X-XSRF-TOKEN." },
    { CHATS_E_METHOD, "method", 405, CHATS_EW_NONE,
      "MethodNotAllowedException", "Allow",
      "Any method not listed for the path." },
    { CHATS_E_DB_DOWN, "db_down", 503, CHATS_EW_ANY,
      "DatabaseUnavailableException",
      "Retry-After", "The database is unreachable; retry later." },
    { CHATS_E_INTERNAL, "internal", 500, CHATS_EW_NONE,
      "SoServerException", NULL,
      "An unexpected server failure (logged)." },
    { CHATS_E_MISCONFIGURED, "misconfigured", 500, CHATS_EW_NONE,
      "SoServerException",
      NULL, "Server misconfigured: PostgreSQL refuses the configured "
      "credentials or database, or its schema is missing or of another "
      "version (the error log names the cause and the fix); retrying "
      "does not help." },
    { CHATS_E_NOT_MODIFIED, "not_modified", 304, CHATS_EW_COND_GET,
      "NotModified", NULL,
      "Not modified (If-None-Match or If-Modified-Since); no body." },
    { CHATS_E_NOT_ACCEPTABLE, "not_acceptable", 406, CHATS_EW_ANSWER,
      "NotAcceptableException", NULL, "Accept names no representation "
      "offered (" CHATS_MT_OFFERED "; the patch media types are answered "
      "as JSON)." },
    { CHATS_E_KEY_REUSED, "key_reused", 422, CHATS_EW_KEY,
      "IdempotencyKeyReusedException",
      NULL, "The Idempotency-Key was used by the same associate in the last "
      "24 hours for another request (another method, route, target or "
      "body): nothing was written; send this request with a new key." },
    { CHATS_E_IN_USE, "in_use", 409, CHATS_EW_IN_USE,
      "SoConflictException", NULL, "The row is still referred to (a chat "
      "topic that still has chat sessions): nothing was deleted; the "
      "message says how many refer to it." },
};

/* The reason phrases of the kinds' statuses, named as identifiers (the
 * OpenAPI document's components/responses). */
static const struct {
    int status;
    const char *reason;
} reasons[] = {
    { 304, "NotModified" }, { 400, "BadRequest" }, { 401, "Unauthorized" },
    { 403, "Forbidden" }, { 404, "NotFound" }, { 405, "MethodNotAllowed" },
    { 406, "NotAcceptable" }, { 409, "Conflict" },
    { 412, "PreconditionFailed" }, { 413, "PayloadTooLarge" },
    { 415, "UnsupportedMediaType" }, { 422, "UnprocessableContent" },
    { 500, "InternalServerError" }, { 503, "ServiceUnavailable" },
};

const char *chats_err_reason(int status)
{
    size_t i;

    for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
        if (reasons[i].status == status) {
            return reasons[i].reason;
        }
    }
    return NULL;
}

const chats_err_kind_t *chats_err_kinds(int *pn)
{
    *pn = (int)(sizeof(kinds) / sizeof(kinds[0]));
    return kinds;
}

const chats_err_kind_t *chats_err_kind(chats_ecode_t code)
{
    int i, n;
    const chats_err_kind_t *k = chats_err_kinds(&n);

    /* A scan, not an index: the table stays right whatever the enum's
     * numbering, and an error is never on a hot path. */
    for (i = 0; i < n; i++) {
        if (k[i].code == code) {
            return &k[i];
        }
    }
    return NULL;
}

/* A walk, not a sorted copy of the table: nothing to allocate. */
int chats_err_next_status(int after)
{
    int i, best = 0;

    for (i = 0; i < (int)(sizeof(kinds) / sizeof(kinds[0])); i++) {
        if (kinds[i].status > after && (!best || kinds[i].status < best)) {
            best = kinds[i].status;
        }
    }
    return best;
}

const char *chats_err_name(chats_ecode_t code)
{
    const chats_err_kind_t *k = chats_err_kind(code);

    if (k) {
        return k->name;
    }
    return code == CHATS_E_NONE ? "none" : "unknown";
}
