/* The error members of components/responses, made from the core's table
 * of error kinds (chats_err.c), the table the error sender answers from:
 * one response per status, described by the kinds that answer with it,
 * its body's ErrorType narrowed to theirs. A kind added or changed there
 * shows here with no edit. Written with yajl_gen only (STYLE.md). */
#include <apr_strings.h>
#include <string.h>

#include "chats_err.h"
#include "chats_openapi_private.h"

/* Statuses are named by HTTP's reason phrase (chats_err.c). */
const char *chats_openapi_response_name(apr_pool_t *p, int status)
{
    const char *reason = chats_err_reason(status);

    return reason ? reason : apr_psprintf(p, "Status%d", status);
}

/* A 304 has no body (RFC 9110 15.4.5): no ErrorType, no content. */
static int has_body(int status)
{
    return status != 304;
}

/* Whether an earlier kind of the same status has the same value (the
 * ErrorType, or with header set the header): lists name each once. */
static int seen_before(const chats_err_kind_t *k, int i, int header)
{
    int j;

    for (j = 0; j < i; j++) {
        const char *a = header ? k[j].header : k[j].type;
        const char *b = header ? k[i].header : k[i].type;

        if (k[j].status == k[i].status && a && b && !strcmp(a, b)) {
            return 1;
        }
    }
    return 0;
}

/* A status's description: the descriptions of its kinds, each after the
 * ErrorType its body carries; a Markdown list when there are several. */
static const char *status_desc(apr_pool_t *p, int status)
{
    int i, n, count = 0;
    const chats_err_kind_t *k = chats_err_kinds(&n);
    const char *out = "";

    for (i = 0; i < n; i++) {
        count += k[i].status == status;
    }
    for (i = 0; i < n; i++) {
        if (k[i].status != status) {
            continue;
        }
        out = apr_pstrcat(p, out, *out ? "\n" : "", count > 1 ? "- " : "",
                          has_body(status) ? k[i].type : "",
                          has_body(status) ? ": " : "", k[i].desc, NULL);
    }
    return out;
}

/* "headers": the headers the status's kinds carry, if any. */
static void gen_status_headers(chats_og_t *o, int status)
{
    int i, n, open = 0;
    const chats_err_kind_t *k = chats_err_kinds(&n);

    for (i = 0; i < n; i++) {
        if (k[i].status != status || !k[i].header || seen_before(k, i, 1)) {
            continue;
        }
        if (!open++) {
            chats_og_kopen(o, "headers");
        }
        chats_og_kref(o, k[i].header, "headers", k[i].header);
    }
    if (open) {
        chats_og_close(o);
    }
}

/* The JSON error body, its ErrorType narrowed to the status's kinds. */
static void gen_error_content(chats_og_t *o, int status)
{
    int i, n;
    const chats_err_kind_t *k = chats_err_kinds(&n);

    chats_og_kopen(o, "content");
    chats_og_kopen(o, CHATS_MT_JSON);
    chats_og_kopen(o, "schema");
    chats_og_str(o, "allOf");
    chats_og_aopen(o);
    chats_og_ref(o, "schemas", "ErrorBody");
    chats_og_open(o);
    chats_og_kopen(o, "properties");
    chats_og_kopen(o, "ErrorType");
    chats_og_str(o, "enum");
    chats_og_aopen(o);
    for (i = 0; i < n; i++) {
        if (k[i].status == status && !seen_before(k, i, 0)) {
            chats_og_str(o, k[i].type);
        }
    }
    chats_og_aclose(o);
    chats_og_close(o);
    chats_og_close(o);
    chats_og_close(o);
    chats_og_aclose(o);
    chats_og_close(o);
    chats_og_close(o);
    chats_og_close(o);
}

static void gen_error_response(chats_og_t *o, int status)
{
    chats_og_kopen(o, chats_openapi_response_name(o->p, status));
    chats_og_kstr(o, "description", status_desc(o->p, status));
    if (!has_body(status)) {
        chats_og_kopen(o, "headers");       /* a 304 keeps the validators */
        chats_og_kref(o, "ETag", "headers", "ETag");
        chats_og_kref(o, "Last-Modified", "headers", "Last-Modified");
        chats_og_close(o);
    }
    else {
        gen_status_headers(o, status);
        gen_error_content(o, status);
    }
    chats_og_close(o);
}

void chats_openapi_errors(chats_og_t *o)
{
    int status;

    for (status = chats_err_next_status(0); status;
         status = chats_err_next_status(status)) {
        gen_error_response(o, status);
    }
}

/* "k": {"type": "string", "description": d} */
static void string_member(chats_og_t *o, const char *k, const char *d)
{
    chats_og_kopen(o, k);
    chats_og_kstr(o, "type", "string");
    chats_og_kstr(o, "description", d);
    chats_og_close(o);
}

void chats_openapi_error_body(chats_og_t *o)
{
    static const char *const req[] = { "Error", "ErrorType", "ErrorMessage",
                                       "Message", "ErrorSource", NULL };
    const char *const *r;

    chats_og_kopen(o, "ErrorBody");
    chats_og_kstr(o, "type", "object");
    chats_og_kstr(o, "description", "SuperOffice's error body, plus Message "
                  "(what the official client's fixtures read) and, where "
                  "there is one, the failing patch op and field.");
    chats_og_kopen(o, "properties");
    chats_og_kopen(o, "Error");
    chats_og_kstr(o, "type", "boolean");
    chats_og_kbool(o, "const", 1);
    chats_og_close(o);
    string_member(o, "ErrorType", ".NET-style exception class, e.g. "
                  "SoNotFoundException, ArgumentException.");
    string_member(o, "ErrorMessage", "What went wrong.");
    string_member(o, "Message", "The same text as ErrorMessage.");
    string_member(o, "ErrorSource", "mod_chatsession");
    chats_og_kopen(o, "OpIndex");
    chats_og_kstr(o, "type", "integer");
    chats_og_kstr(o, "format", "int32");
    chats_og_kint(o, "minimum", 0);
    chats_og_kstr(o, "description", "Index of the failing patch operation.");
    chats_og_close(o);
    string_member(o, "Field", "The field or member path at fault.");
    chats_og_close(o);
    chats_og_str(o, "required");
    chats_og_aopen(o);
    for (r = req; *r; r++) {
        chats_og_str(o, *r);
    }
    chats_og_aclose(o);
    chats_og_close(o);
}
