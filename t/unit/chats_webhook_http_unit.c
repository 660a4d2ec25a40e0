/* Unit tests of the webhook transport (issue 20, design §5, §7,
 * modules/core/webhook/chats_webhook_http.c) against a REAL small HTTP
 * server in this driver: threads with listening sockets on 127.0.0.1
 * (port 0) answering canned responses by path. Only loopback is ever
 * contacted; 10.0.0.1 appears as a redirect target, never followed.
 *
 * Checked: a delivery arrives with every header and the exact body; a
 * kept-alive connection is reused; refusals by the SSRF policy (plain
 * http not allowed, loopback not listed, "localhost", a list changed
 * under a kept-alive connection) send nothing, proved by a canary
 * request whose connection is the only one the server accepted; a
 * redirect is not followed; a 500 and its body; the body cap; response
 * headers over the cap; timeouts (slow answer, never-accepted
 * connection); connection refused; TLS to a plain port; wakeup from
 * another thread; cancel; bad URLs; many requests over a connection cap.
 * The only time bound is a generous 30 s per request, proving that
 * nothing hangs. Prints TAP. */
#include <pthread.h>
#include <unistd.h>

#include <apr_strings.h>

#include "chats_webhook_http.h"
#include "chats_webhook_payload.h"
#include "tap.h"
#include "webhook_server.h"

#define GIVE_UP apr_time_from_sec(30)

/* ------------------------------------------------------------ the client */

static srv_t srv;

#define GUID "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"

/* A real delivery's body and headers (chats_webhook_payload.h). */
static void delivery(tap_t *t, const char **pbody, apr_size_t *plen,
                     apr_array_header_t **phdrs)
{
    chats_webhook_event_t ev = {
        GUID, "chatsession.changed", "chatsession", 844,
        "[\"chatSession.status\"]", "{\"Status\":6}", NULL, NULL, 5,
        APR_INT64_C(1767261600) * 1000000, 1, 0
    };
    chats_webhook_hook_t hook = {
        "Sales hook", "Default", NULL, "{\"X-Tenant\":\"acme\"}", "s3cret"
    };

    *pbody = NULL;
    *phdrs = NULL;
    if (chats_webhook_payload(t->p, &ev, &hook, pbody, plen) == NULL) {
        chats_webhook_headers(t->p, &ev, &hook, "test", *pbody, *plen, phdrs);
    }
}

static chats_webhook_http_t *transport(tap_t *t, const char *list,
                                       long timeout_ms)
{
    chats_webhook_http_conf_t c;
    chats_webhook_http_t *h = NULL;
    char *copy = apr_pstrdup(t->p, list), *last, *w;
    chats_netallow_t *allow = chats_netallow_make(t->p);

    for (w = apr_strtok(copy, " ", &last); w;
         w = apr_strtok(NULL, " ", &last)) {
        chats_netallow_add(t->p, allow, w);
    }
    memset(&c, 0, sizeof(c));
    c.allow = allow;
    c.timeout_ms = timeout_ms;
    c.max_host_connections = 2;
    chats_webhook_http_create(t->p, &c, &h);
    return h;
}

static const char *url(tap_t *t, const char *scheme, const char *host,
                       int port, const char *path)
{
    return apr_psprintf(t->p, "%s://%s:%d%s", scheme, host, port, path);
}

/* Drive h until n results came (or GIVE_UP passed); their array. */
static apr_array_header_t *results(tap_t *t, chats_webhook_http_t *h, int n)
{
    apr_array_header_t *all = apr_array_make(t->p, n,
                                             sizeof(chats_webhook_result_t));
    apr_time_t until = apr_time_now() + GIVE_UP;

    while (all->nelts < n && apr_time_now() < until) {
        apr_array_header_t *done = NULL;

        if (chats_webhook_http_perform(h, 200, t->p, &done)) {
            break;
        }
        apr_array_cat(all, done);
    }
    if (all->nelts < n) {
        printf("# %d of %d requests finished within 30 s\n", all->nelts, n);
    }
    return all;
}

/* POST a small body to u; the result (outcome -1: none came). */
static chats_webhook_result_t post(tap_t *t, chats_webhook_http_t *h,
                                   const char *u)
{
    chats_webhook_result_t none;
    apr_array_header_t *r;

    memset(&none, 0, sizeof(none));
    none.outcome = (chats_webhook_outcome_e)-1;
    none.last_error = "";
    if (!h || chats_webhook_http_add(h, u, NULL, "{}", 2, NULL)) {
        return none;
    }
    r = results(t, h, 1);
    return r->nelts == 1 ? APR_ARRAY_IDX(r, 0, chats_webhook_result_t) : none;
}

static int has(const chats_webhook_result_t *r, const char *text)
{
    int yes = r->last_error && strstr(r->last_error, text) != NULL;

    if (!yes) {
        printf("# outcome %s, LastError: %s\n",
               chats_webhook_outcome_name(r->outcome),
               r->last_error ? r->last_error : "(none)");
    }
    return yes;
}

/* The server saw no connection for what came before: a canary, on a
 * transport of its own (so a new connection), is accepted as the only
 * one since before (connections are accepted in the order they came). */
static int nothing_sent(tap_t *t, int accepts_before, int recs_before)
{
    chats_webhook_http_t *h = transport(t, "http 127.0.0.1/32", 0);
    chats_webhook_result_t r = post(t, h, url(t, "http", "127.0.0.1",
                                              srv.port, "/ok"));

    return r.outcome == CHATS_WEBHOOK_OK
        && accepts(&srv) == accepts_before + 1
        && nrecs(&srv) == recs_before + 1;
}

static int setup(tap_t *t)
{
    chats_err_t *e = chats_webhook_http_global_init(t->p);

    ok(t, e == NULL, "global init: libcurl >= 7.85 with TLS");
    if (e) {
        printf("# %s\n", e->message);
    }
    ok(t, srv_start(&srv), "server: listening on 127.0.0.1, port 0");
    return e == NULL;
}

static void t_deliver(tap_t *t)
{
    chats_webhook_http_t *h = transport(t, "http 127.0.0.1/32", 0);
    const char *body;
    apr_size_t len;
    apr_array_header_t *hdrs, *r;
    chats_webhook_result_t *res;
    int i, all = 1, before = nrecs(&srv);
    rec_t *rec;

    delivery(t, &body, &len, &hdrs);
    ok(t, h && body && hdrs
          && chats_webhook_http_add(h, url(t, "http", "127.0.0.1", srv.port,
                                           "/ok"), hdrs, body, len,
                                    (void *)t) == NULL,
       "deliver: a real event's request queued");
    r = results(t, h, 1);
    res = r->nelts ? &APR_ARRAY_IDX(r, 0, chats_webhook_result_t) : NULL;
    ok(t, res && res->outcome == CHATS_WEBHOOK_OK && res->status == 200
          && res->last_error == NULL && res->user == (void *)t
          && !strcmp(res->ip, "127.0.0.1") && !strcmp(res->body, "ok"),
       "deliver: allowed http to 127.0.0.1 (http 127.0.0.1/32): 200, ok, "
       "the user pointer back, the address, the body");
    ok(t, nrecs(&srv) == before + 1, "deliver: the server saw one request");
    rec = &srv.recs[before];
    ok(t, rec->body_len == len && !memcmp(rec->body, body, len),
       "deliver: the server got the exact body bytes");
    for (i = 0; hdrs && i < hdrs->nelts; i++) {
        const chats_webhook_header_t *hd =
            &APR_ARRAY_IDX(hdrs, i, chats_webhook_header_t);
        const char *line = apr_psprintf(t->p, "\r\n%s: %s\r\n", hd->name,
                                         hd->value);

        if (!strstr(rec->head, line)) {
            printf("# missing: %s: %s\n", hd->name, hd->value);
            all = 0;
        }
    }
    ok(t, all && hdrs && hdrs->nelts >= 7,
       "deliver: the server saw every header of the delivery "
       "(signature and the webhook's own included)");
    ok(t, !strncmp(rec->head, "POST /ok HTTP/1.1\r\n", 19)
          && strstr(rec->head, apr_psprintf(t->p, "\r\nContent-Length: %lu\r\n",
                                            (unsigned long)len))
          && !strcasestr(rec->head, "\r\nExpect:")
          && !strcasestr(rec->head, "\r\nProxy"),
       "deliver: POST over HTTP/1.1, Content-Length, no Expect, no proxy");
}

static void t_keepalive(tap_t *t)
{
    chats_webhook_http_t *h = transport(t, "http 127.0.0.1/32", 0);
    const char *u = url(t, "http", "127.0.0.1", srv.port, "/ok");
    chats_webhook_result_t r1 = post(t, h, u);
    int a = accepts(&srv);
    chats_webhook_result_t r2 = post(t, h, u);

    ok(t, r1.outcome == CHATS_WEBHOOK_OK && r1.new_connections == 1
          && r2.outcome == CHATS_WEBHOOK_OK && r2.new_connections == 0
          && accepts(&srv) == a,
       "keep-alive: the second request reuses the first's connection");
}

static void t_refused(tap_t *t)
{
    chats_webhook_result_t r;
    int a = accepts(&srv), n = nrecs(&srv);

    r = post(t, transport(t, "127.0.0.1/32", 0),
             url(t, "http", "127.0.0.1", srv.port, "/ok"));
    ok(t, r.outcome == CHATS_WEBHOOK_REFUSED
          && has(&r, "refused: plain http is not allowed by "
                 "ChatSessionWebhookAllow"),
       "refused: plain http without 'http' in the list");
    ok(t, nothing_sent(t, a, n), "refused: ... and no connection was made");
    a = accepts(&srv);
    n = nrecs(&srv);
    r = post(t, transport(t, "http", 0),
             url(t, "http", "127.0.0.1", srv.port, "/ok"));
    ok(t, r.outcome == CHATS_WEBHOOK_REFUSED
          && has(&r, "refused: 127.0.0.1 is loopback, not allowed by "
                 "ChatSessionWebhookAllow"),
       "refused: http to 127.0.0.1 with 'http' but no subnet listed");
    ok(t, nothing_sent(t, a, n), "refused: ... and no connection was made");
    a = accepts(&srv);
    n = nrecs(&srv);
    r = post(t, transport(t, "", 0),
             url(t, "https", "127.0.0.1", srv.port, "/ok"));
    ok(t, r.outcome == CHATS_WEBHOOK_REFUSED && has(&r, "is loopback"),
       "refused: https to 127.0.0.1 under the default (empty) list");
    ok(t, nothing_sent(t, a, n), "refused: ... and no connection was made");
}

static void t_localhost(tap_t *t)
{
    int a = accepts(&srv), n = nrecs(&srv);
    chats_webhook_result_t r =
        post(t, transport(t, "http 10.0.0.0/8", 0),
             url(t, "http", "localhost", srv.port, "/ok"));

    ok(t, r.outcome == CHATS_WEBHOOK_REFUSED && has(&r, "is loopback"),
       "refused: a name (localhost) resolving to loopback, loopback not "
       "listed");
    ok(t, nothing_sent(t, a, n), "refused: ... and no connection was made");
}

static void t_reused_rechecked(tap_t *t)
{
    chats_webhook_http_t *h = transport(t, "http 127.0.0.1/32", 0);
    const char *u = url(t, "http", "127.0.0.1", srv.port, "/ok");
    chats_netallow_t *other = chats_netallow_make(t->p);
    chats_webhook_result_t r;
    int a, n;

    r = post(t, h, u);
    ok(t, r.outcome == CHATS_WEBHOOK_OK, "recheck: a connection kept alive");
    a = accepts(&srv);
    n = nrecs(&srv);
    chats_netallow_add(t->p, other, "http");
    chats_netallow_add(t->p, other, "10.0.0.0/8");
    chats_webhook_http_set_allow(h, other);
    r = post(t, h, u);
    ok(t, r.outcome == CHATS_WEBHOOK_REFUSED && has(&r, "is loopback")
          && nrecs(&srv) == n && accepts(&srv) == a,
       "recheck: a list without 127.0.0.1 refuses the next request on the "
       "kept-alive connection, and nothing is sent");
}

static void t_answers(tap_t *t)
{
    chats_webhook_http_t *h = transport(t, "http 127.0.0.1/32", 0);
    int n = nrecs(&srv);
    chats_webhook_result_t r;

    r = post(t, h, url(t, "http", "127.0.0.1", srv.port, "/redir"));
    ok(t, r.outcome == CHATS_WEBHOOK_HTTP_ERROR && r.status == 302
          && has(&r, "HTTP 302 Found: redirect to http://10.0.0.1/ not "
                 "followed"), "redirect: a 302 is a failure, not followed");
    ok(t, nrecs(&srv) == n + 1, "redirect: one request, nothing more");
    r = post(t, h, url(t, "http", "127.0.0.1", srv.port, "/err"));
    ok(t, r.outcome == CHATS_WEBHOOK_HTTP_ERROR && r.status == 500
          && r.body_len == 21 && !memcmp(r.body, "{\"error\"", 8),
       "500: http_error, the body kept as it came");
    is_str(t, r.last_error, "HTTP 500 Internal Server Error: "
           "{\"error\":\"db down\"}\\x0a\\x01",
           "500: LastError is the status line and the body, escaped");
}

static void t_caps(tap_t *t)
{
    chats_webhook_http_t *h = transport(t, "http 127.0.0.1/32", 0);
    chats_webhook_result_t r;

    r = post(t, h, url(t, "http", "127.0.0.1", srv.port, "/huge"));
    ok(t, r.outcome == CHATS_WEBHOOK_OK && r.status == 200 && r.truncated
          && r.body_len == CHATS_WEBHOOK_KEEP,
       "cap: a 200 with a 1 MiB body is ok (the status decides), read to "
       "64 KiB and cut, 1 KiB kept");
    r = post(t, h, url(t, "http", "127.0.0.1", srv.port, "/huge500"));
    ok(t, r.outcome == CHATS_WEBHOOK_HTTP_ERROR && r.status == 500
          && r.truncated && r.last_error
          && strlen(r.last_error) == strlen("HTTP 500 Internal Server "
                                            "Error: ") + 1024 + 3,
       "cap: a 500 with a 1 MiB body: http_error, LastError holds 1 KiB "
       "and ...");
    r = post(t, h, url(t, "http", "127.0.0.1", srv.port, "/bigheaders"));
    ok(t, r.outcome == CHATS_WEBHOOK_TOO_LARGE
          && has(&r, "too_large: the response headers passed 65536 bytes"),
       "cap: 140 KB of response headers: too_large");
    r = post(t, h, url(t, "http", "127.0.0.1", srv.port, "/ok"));
    ok(t, r.outcome == CHATS_WEBHOOK_OK,
       "cap: the transport goes on after cut transfers");
}

static void t_failures(tap_t *t)
{
    chats_webhook_http_t *fast = transport(t, "http 127.0.0.1/32", 500);
    chats_webhook_result_t r;

    r = post(t, fast, url(t, "http", "127.0.0.1", srv.port, "/slow"));
    ok(t, r.outcome == CHATS_WEBHOOK_TIMEOUT && has(&r, "timeout: "),
       "timeout: an answer slower than the request timeout");
    r = post(t, fast, url(t, "http", "127.0.0.1", srv.quiet_port, "/ok"));
    ok(t, r.outcome == CHATS_WEBHOOK_TIMEOUT,
       "timeout: a listener that never accepts");
    r = post(t, fast, url(t, "http", "127.0.0.1", srv.closed_port, "/ok"));
    ok(t, r.outcome == CHATS_WEBHOOK_CONNECT_ERROR
          && has(&r, "connect_error: "), "connect_error: a closed port");
    r = post(t, transport(t, "127.0.0.1/32", 0),
             url(t, "https", "127.0.0.1", srv.port, "/ok"));
    ok(t, r.outcome == CHATS_WEBHOOK_TLS_ERROR && has(&r, "tls_error: "),
       "tls_error: https to the plain port");
    r = post(t, fast, "no url at all");
    ok(t, r.outcome == CHATS_WEBHOOK_REFUSED && has(&r, "TargetUrl"),
       "bad URL: refused at once");
    r = post(t, fast, "ftp://127.0.0.1/x");
    ok(t, r.outcome == CHATS_WEBHOOK_REFUSED
          && has(&r, "not an http: or https: URL"),
       "bad URL: another scheme refused at once");
    r = post(t, fast, url(t, "http", "u:p@127.0.0.1", srv.port, "/ok"));
    ok(t, r.outcome == CHATS_WEBHOOK_REFUSED && has(&r, "user information"),
       "bad URL: user information refused at once");
}

typedef struct {
    chats_webhook_http_t *h;
} waker_t;

static void *waker(void *arg)
{
    waker_t *w = arg;

    usleep(200 * 1000);
    chats_webhook_http_wakeup(w->h);
    return NULL;
}

static void t_wakeup_cancel(tap_t *t)
{
    chats_webhook_http_t *h = transport(t, "http 127.0.0.1/32", 0);
    apr_array_header_t *done = NULL;
    waker_t w = { h };
    pthread_t th;
    apr_time_t t0;
    int n, waited;

    pthread_create(&th, NULL, waker, &w);
    t0 = apr_time_now();
    chats_webhook_http_perform(h, 60000, t->p, &done);
    waited = apr_time_now() - t0 < apr_time_from_sec(30);
    pthread_join(th, NULL);
    ok(t, waited && done && done->nelts == 0,
       "wakeup: another thread ends an idle 60 s wait");
    n = nrecs(&srv);
    chats_webhook_http_add(h, url(t, "http", "127.0.0.1", srv.port, "/hang"),
                           NULL, "x", 1, NULL);
    t0 = apr_time_now();
    while (nrecs(&srv) == n && apr_time_now() - t0 < GIVE_UP) {
        chats_webhook_http_perform(h, 50, t->p, &done);
    }
    chats_webhook_http_cancel(h, t->p, &done);
    ok(t, done->nelts == 1 && chats_webhook_http_pending(h) == 0
          && APR_ARRAY_IDX(done, 0, chats_webhook_result_t).outcome
             == CHATS_WEBHOOK_ABORTED,
       "cancel: a request the server holds comes back aborted");
}

static void t_many(tap_t *t)
{
    chats_webhook_http_t *h = transport(t, "http 127.0.0.1/32", 0);
    apr_array_header_t *r;
    int i, a = accepts(&srv), oks = 0;

    for (i = 0; i < 10; i++) {
        chats_webhook_http_add(h, url(t, "http", "127.0.0.1", srv.port, "/ok"),
                               NULL, "{}", 2, NULL);
    }
    ok(t, chats_webhook_http_pending(h) == 10, "many: 10 queued");
    r = results(t, h, 10);
    for (i = 0; i < r->nelts; i++) {
        oks += APR_ARRAY_IDX(r, i, chats_webhook_result_t).outcome
               == CHATS_WEBHOOK_OK;
    }
    ok(t, oks == 10 && accepts(&srv) - a <= 2
          && chats_webhook_http_pending(h) == 0,
       "many: 10 delivered over at most 2 connections "
       "(max_host_connections 2)");
}

static void t_stop(tap_t *t)
{
    int conns = srv.nconns, n = accepts(&srv);

    srv_stop(&srv);
    ok(t, n > 0 && conns == n,
       "server: every accepted connection had its thread, all joined");
}

static const tap_test_fn tests[] = {
    t_deliver, t_keepalive, t_refused, t_localhost, t_reused_rechecked,
    t_answers, t_caps, t_failures, t_wakeup_cancel, t_many, t_stop, NULL
};

const tap_suite_t tap_suite = { setup, tests, NULL };
