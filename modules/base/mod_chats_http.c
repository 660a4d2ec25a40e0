/* The one place where a chats_err_t becomes an HTTP status and a
 * SuperOffice error body: {"Error": true, "ErrorType", "ErrorMessage",
 * "ErrorSource"}, plus "Message" (what the official client's fixtures
 * read) and, where there is one, the failing op's "OpIndex" and "Field".
 * Errors are JSON whatever the request's Accept, sent as every answer is
 * (mod_chats_answer.c). */
#include <apr_lib.h>
#include <apr_strings.h>
#include <yajl/yajl_gen.h>

#include "http_core.h"
#include "util_filter.h"

#include "chats_json.h"
#include "mod_chats_answer.h"

#define CHATS_JSON_ERROR_NOTE   "chats-json-error"
#define CHATS_JSON_ERROR_FILTER "CHATS_JSON_ERROR"

/* The status and ErrorType come from the core's table of error kinds
 * (chats_err.c), which the OpenAPI document is made from too. A code
 * without a kind is a bug: it is answered as an internal error. */
static const chats_err_kind_t *kind_of(chats_ecode_t code)
{
    const chats_err_kind_t *k = chats_err_kind(code);

    return k ? k : chats_err_kind(CHATS_E_INTERNAL);
}

int chats_http_status(chats_ecode_t code)
{
    return kind_of(code)->status;
}

static void gen_str(yajl_gen g, const char *s)
{
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

/* Messages quote client text (a header, an id, a $select name) and yajl
 * copies bytes as they are: each byte that does not start a valid UTF-8
 * sequence becomes U+FFFD, so that every error body is valid UTF-8. */
static const char *utf8_text(apr_pool_t *p, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    apr_size_t len = strlen(s), i = 0, n;
    char *out, *d;

    if (chats_utf8_valid(s, len)) {
        return s;
    }
    out = d = apr_palloc(p, 3 * len + 1);
    while (i < len) {
        n = u[i] < 0x80 ? 1 : u[i] >= 0xC2 && u[i] <= 0xDF ? 2
          : (u[i] & 0xF0) == 0xE0 ? 3 : u[i] >= 0xF0 && u[i] <= 0xF4 ? 4 : 0;
        if (n && n <= len - i && chats_utf8_valid(s + i, n)) {
            memcpy(d, s + i, n);
            d += n;
            i += n;
        }
        else {
            memcpy(d, "\xEF\xBF\xBD", 3);
            d += 3;
            i++;
        }
    }
    *d = '\0';
    return out;
}

static const char *error_body(apr_pool_t *p, const chats_err_t *e)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    const unsigned char *buf;
    size_t len;
    const char *msg = utf8_text(p, e->message ? e->message : "error");
    const char *out;

    yajl_gen_map_open(g);
    gen_str(g, "Error");
    yajl_gen_bool(g, 1);
    gen_str(g, "ErrorType");
    gen_str(g, kind_of(e->code)->type);
    gen_str(g, "ErrorMessage");
    gen_str(g, msg);
    gen_str(g, "Message");
    gen_str(g, msg);
    gen_str(g, "ErrorSource");
    gen_str(g, "mod_chatsession");
    if (e->op_index >= 0) {
        gen_str(g, "OpIndex");
        yajl_gen_integer(g, e->op_index);
    }
    if (e->field) {
        gen_str(g, "Field");
        gen_str(g, utf8_text(p, e->field));
    }
    yajl_gen_map_close(g);
    yajl_gen_get_buf(g, &buf, &len);
    out = apr_pstrmemdup(p, (const char *)buf, len);
    yajl_gen_free(g);
    return out;
}

#define CHATS_NOTE_BODY_READ "chats-body-read"

void chats_http_body_read(request_rec *r)
{
    apr_table_setn(r->notes, CHATS_NOTE_BODY_READ, "1");
}

/* A body we did not read to its end (refused before reading it, or
 * halfway): httpd would read and discard the rest before the next
 * request on the connection, holding a worker for as long as the client
 * takes to send it (forever, for one that never does). Closing instead
 * answers at once; the event MPM drains what is in flight while it
 * lingers, without a worker. */
static void close_if_body_unread(request_rec *r)
{
    const char *cl = apr_table_get(r->headers_in, "Content-Length");

    if (!apr_table_get(r->notes, CHATS_NOTE_BODY_READ)
        && (apr_table_get(r->headers_in, "Transfer-Encoding")
            || (cl && strcmp(cl, "0")))) {
        r->connection->keepalive = AP_CONN_CLOSE;
    }
}

void chats_http_guard(request_rec *r, int personal)
{
    /* err_headers_out: on errors and 304s too (RFC 9110 15.4.5 wants a
     * 304 to carry the Cache-Control the 200 would have). */
    if (personal) {
        apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    }
    apr_table_setn(r->err_headers_out, "X-Content-Type-Options", "nosniff");
}

static void error_headers(request_rec *r, const chats_err_t *e)
{
    chats_http_guard(r, 1);
    close_if_body_unread(r);
    if (e->code == CHATS_E_DB_DOWN) {
        apr_table_setn(r->err_headers_out, "Retry-After",
                       apr_itoa(r->pool, chats_conf_retry_after(
                                    chats_dir_conf(r))));
    }
}

int chats_http_send_error(request_rec *r, const chats_err_t *e)
{
    const char *body;

    if (e->code == CHATS_E_NOT_MODIFIED) {
        return HTTP_NOT_MODIFIED;        /* no body; validators kept */
    }
    body = error_body(r->pool, e);
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, e->rv, r, CHATS_LOGNO(1)
                  "%s: %s", chats_err_name(e->code),
                  e->message ? e->message : "");
    r->status = chats_http_status(e->code);
    error_headers(r, e);
    apr_table_unset(r->headers_out, "Last-Modified");
    apr_table_unset(r->headers_out, "ETag");
    chats_answer_bytes(r, chats_media_default(), body);
    return OK;
}

int chats_http_custom_error(request_rec *r, const chats_err_t *e)
{
    int status = chats_http_status(e->code);

    error_headers(r, e);
    ap_custom_response(r, status, error_body(r->pool, e));
    apr_table_setn(r->notes, CHATS_JSON_ERROR_NOTE, "1");
    return status;
}

void chats_http_core_errors(request_rec *r)
{
    static const chats_ecode_t codes[] = { CHATS_E_TOO_BIG, CHATS_E_INVALID };
    size_t i;

    for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        chats_err_t *e = chats_err_make(r->pool, codes[i], NULL,
                                        codes[i] == CHATS_E_TOO_BIG
                                        ? "request body too large"
                                        : "bad request");

        ap_custom_response(r, chats_http_status(e->code),
                           error_body(r->pool, e));
    }
    apr_table_setn(r->notes, CHATS_JSON_ERROR_NOTE, "1");
}

/* httpd writes the custom response of an error it answers itself, and
 * labels it text/html; this filter, inserted for such errors only,
 * labels our JSON bodies as what they are. */
static apr_status_t json_error_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    ap_set_content_type(f->r, chats_media_default()->content_type);
    ap_remove_output_filter(f);
    return ap_pass_brigade(f->next, bb);
}

static void insert_error_filter(request_rec *r)
{
    if (apr_table_get(r->notes, CHATS_JSON_ERROR_NOTE)) {
        ap_add_output_filter(CHATS_JSON_ERROR_FILTER, NULL, r, r->connection);
    }
}

void chats_http_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_register_output_filter(CHATS_JSON_ERROR_FILTER, json_error_filter,
                              NULL, AP_FTYPE_CONTENT_SET);
    ap_hook_insert_error_filter(insert_error_filter, NULL, NULL,
                                APR_HOOK_MIDDLE);
}
