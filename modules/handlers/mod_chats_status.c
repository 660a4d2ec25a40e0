/* What operators see (README "Monitoring"): the counters of
 * mod_chats_metrics.c in Prometheus' text format (SetHandler
 * chatsession-status) and on mod_status' page, a health endpoint for
 * load balancers (SetHandler chatsession-health), and the hook that
 * counts each request the resource answered. */
#include <apr_strings.h>

#include "http_core.h"
#include "mod_status.h"

#include "mod_chats_metrics.h"
#include "mod_chats_status.h"
#include "mod_chats_store_open.h"

#define CHATS_STATUS_HANDLER "chatsession-status"
#define CHATS_HEALTH_HANDLER "chatsession-health"

/* ---- counting ------------------------------------------------------- */

/* Ours: the handler ran, or would have (a 401 is answered before httpd
 * sets r->handler; translate_name noted the location as ours). */
static int served_by_us(const request_rec *r)
{
    return (r->handler && !strcmp(r->handler, CHATS_HANDLER))
        || apr_table_get(r->notes, CHATS_NOTE_VIRTUAL);
}

static int chats_log_transaction(request_rec *r)
{
    const request_rec *last = r;

    if (!served_by_us(r)) {
        return DECLINED;
    }
    while (last->next) {              /* the status the client got */
        last = last->next;
    }
    chats_metrics_request(r->method ? r->method : "", last->status,
                          apr_time_now() - r->request_time);
    if (last->status == HTTP_UNAUTHORIZED) {
        chats_metrics_auth_failure(apr_table_get(r->headers_in,
                                                 "Authorization"));
    }
    return DECLINED;
}

/* ---- Prometheus text format ----------------------------------------- */

static void prom_family(void *ctx, const char *name, const char *type,
                        const char *help)
{
    ap_rprintf(ctx, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void prom_sample(void *ctx, const char *name, const char *labels,
                        const char *value)
{
    ap_rvputs(ctx, name, *labels ? "{" : "", labels, *labels ? "}" : "",
              " ", value, "\n", NULL);
}

static const chats_metrics_visitor_t prom_visitor = {
    prom_family, prom_sample
};

/* Only GET and HEAD: 1; anything else is answered our JSON error. */
static int get_only(request_rec *r)
{
    r->allowed = (AP_METHOD_BIT << M_GET);
    if (r->method_number == M_GET) {
        return 1;
    }
    apr_table_setn(r->err_headers_out, "Allow", "GET, HEAD");
    chats_http_send_error(r, chats_err_make(r->pool, CHATS_E_METHOD, NULL,
                                            "%s is not allowed here",
                                            r->method));
    return 0;
}

static int status_handler(request_rec *r)
{
    if (!get_only(r)) {
        return OK;
    }
    chats_http_guard(r, 1);
    ap_set_content_type(r, "text/plain; version=0.0.4; charset=utf-8");
    if (r->header_only) {
        return OK;
    }
    if (!chats_metrics_walk(&prom_visitor, r, r->pool)) {
        return chats_http_send_error(r, chats_err_make(
            r->pool, CHATS_E_INTERNAL, NULL, "the counters are unavailable: "
            "see the error log at start-up"));
    }
    return OK;
}

/* ---- health --------------------------------------------------------- */

/* One cheap statement through the store: the pool gives a connection,
 * whose schema version is checked on its first use. */
static const chats_stmt_t ready_stmt = {
    "chats_ready", "SELECT 1", CHATS_RETRY_SAFE, 0, NULL, NULL, NULL
};

static chats_err_t *check_ready(request_rec *r)
{
    chats_store_t *st;
    chats_rows_t *rows;
    chats_err_t *e;

    if ((e = chats_store_open(&st, r)) == NULL) {
        e = chats_store_exec(st, &ready_stmt, 0, NULL, &rows);
    }
    return e;
}

/* .../live: httpd answers. .../ready: and PostgreSQL too, at the right
 * schema version. The body says no more than the status. */
static int health_handler(request_rec *r)
{
    const char *last = strrchr(r->uri, '/');
    chats_err_t *e = NULL;

    if (!get_only(r)) {
        return OK;
    }
    last = last ? last + 1 : r->uri;
    if (strcmp(last, "ready") && strcmp(last, "live")) {
        return chats_http_send_error(r, chats_err_make(
            r->pool, CHATS_E_NOT_FOUND, NULL, "no such check: live or "
            "ready"));
    }
    chats_http_guard(r, 1);
    if (!strcmp(last, "ready") && (e = check_ready(r)) != NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, CHATS_LOGNO(341)
                      "not ready: %s (%s)", chats_err_name(e->code),
                      e->message ? e->message : "");
        r->status = HTTP_SERVICE_UNAVAILABLE;
        apr_table_setn(r->err_headers_out, "Retry-After",
                       apr_itoa(r->pool, chats_conf_retry_after(
                                    chats_dir_conf(r))));
    }
    ap_set_content_type(r, "text/plain; charset=utf-8");
    if (!r->header_only) {
        ap_rputs(e ? "unavailable\n" : "ok\n", r);
    }
    return OK;
}

static int chats_status_handlers(request_rec *r)
{
    if (!r->handler) {
        return DECLINED;
    }
    if (!strcmp(r->handler, CHATS_STATUS_HANDLER)) {
        return status_handler(r);
    }
    if (!strcmp(r->handler, CHATS_HEALTH_HANDLER)) {
        return health_handler(r);
    }
    return DECLINED;
}

/* ---- mod_status ----------------------------------------------------- */

/* ?auto: "name{labels}: value" lines; the page: a table. */
static void auto_sample(void *ctx, const char *name, const char *labels,
                        const char *value)
{
    ap_rvputs(ctx, name, *labels ? "{" : "", labels, *labels ? "}" : "",
              ": ", value, "\n", NULL);
}

static void html_family(void *ctx, const char *name, const char *type,
                        const char *help)
{
    request_rec *r = ctx;

    (void)type;
    ap_rvputs(r, "<tr><th colspan=\"2\" align=\"left\">",
              ap_escape_html(r->pool, name), " &mdash; ",
              ap_escape_html(r->pool, help), "</th></tr>\n", NULL);
}

static void html_sample(void *ctx, const char *name, const char *labels,
                        const char *value)
{
    request_rec *r = ctx;

    ap_rvputs(r, "<tr><td>", ap_escape_html(r->pool, name),
              *labels ? "{" : "", ap_escape_html(r->pool, labels),
              *labels ? "}" : "", "</td><td align=\"right\">", value,
              "</td></tr>\n", NULL);
}

static void ignore_family(void *ctx, const char *name, const char *type,
                          const char *help)
{
    (void)ctx;
    (void)name;
    (void)type;
    (void)help;
}

static int chats_mod_status(request_rec *r, int flags)
{
    static const chats_metrics_visitor_t auto_visitor = {
        ignore_family, auto_sample
    };
    static const chats_metrics_visitor_t html_visitor = {
        html_family, html_sample
    };

    if (flags & AP_STATUS_SHORT) {
        chats_metrics_walk(&auto_visitor, r, r->pool);
        return OK;
    }
    ap_rputs("<hr />\n<h2>mod_chatsession</h2>\n<table>\n", r);
    if (!chats_metrics_walk(&html_visitor, r, r->pool)) {
        ap_rputs("<tr><td>counters unavailable</td></tr>\n", r);
    }
    ap_rputs("</table>\n", r);
    return OK;
}

/* ---- start-up ------------------------------------------------------- */

static int chats_status_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                                    apr_pool_t *ptemp, server_rec *s)
{
    apr_status_t rv = chats_metrics_init(s);

    (void)pconf;
    (void)plog;
    (void)ptemp;
    if (rv != APR_SUCCESS) {
        /* the resource works without its counters */
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, CHATS_LOGNO(340)
                     "cannot make the shared memory of the counters: "
                     "chatsession-status answers 500, nothing is counted");
    }
    return OK;
}

void chats_status_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_post_config(chats_status_post_config, NULL, NULL,
                        APR_HOOK_MIDDLE);
    ap_hook_handler(chats_status_handlers, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_log_transaction(chats_log_transaction, NULL, NULL,
                            APR_HOOK_MIDDLE);
    APR_OPTIONAL_HOOK(ap, status_hook, chats_mod_status, NULL, NULL,
                      APR_HOOK_MIDDLE);
}
