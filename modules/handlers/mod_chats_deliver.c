/* The webhook deliverer (mod_chats_deliver.h; README "Webhooks").
 *
 * Each process runs one thread. It becomes its server's candidate by a
 * non-blocking lock on a file in DefaultRuntimeDir, then opens its own
 * connection (ChatSessionListenParams, or the main server's DBDParams:
 * never a pooled one) and tries the advisory lock each second; its
 * holder delivers. Delivery: take the heads of the outbox's scopes that
 * are due (CHATS_WEBHOOK_SQL_CLAIM), send each through libcurl's multi
 * interface (chats_webhook_http.h) without waiting on any one receiver,
 * and record each outcome in one statement: delivered, to be tried
 * again, dropped. The connection is never inside a transaction while a
 * receiver is waited on. A row is deleted only after its 2xx, so an
 * event sent when the deliverer dies is sent again by the next one, with
 * the same EventId: at least once. */
#include <apr_atomic.h>
#include <apr_file_io.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <errno.h>

#include "httpd.h"
#include "http_log.h"
#include "http_main.h"
#include "mpm_common.h"

#include "chats_strbuf.h"
#include "chats_webhook_http.h"
#include "chats_webhook_payload.h"
#include "chats_webhook_retry.h"
#include "chats_webhook_sql.h"
#include "mod_chats_deliver.h"
#include "mod_chats_metrics.h"
#include "mod_chats_pgconn.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

#define DELIVER_APPNAME "mod_chatsession-webhook"
#define LOCK_FILE "chatsession-webhook.lock"
/* Requests in flight at most, and per webhook: a slow or dead receiver
 * holds at most PER_HOOK of them, so the others' events still go. */
#define MAX_IN_FLIGHT 256
#define PER_HOOK 16
/* A candidate's look at the locks, and the pause after a failure. */
#define RETRY_MS 1000

typedef struct chats_deliver_proc_t {
    server_rec *s;
    apr_pool_t *pool;               /* the thread's parent (mutexed)    */
    chats_webhook_conf_t conf;
    const char *conninfo;
    const char *lock_path;
    apr_thread_t *thread;
    volatile apr_uint32_t stopping;
    volatile apr_uint32_t leader;   /* 1 while this process delivers   */
    int wake[2];                    /* stopping wakes the waits         */
    chats_webhook_http_t *http;     /* the leader's; woken on stopping  */
    apr_thread_mutex_t *http_lock;  /* guards http for the waker        */
} chats_deliver_proc_t;

/* One row in flight. */
typedef struct {
    apr_pool_t *p;
    apr_int64_t id;
    apr_int32_t webhook;
    chats_webhook_event_t ev;
    apr_time_t sent;
} flight_t;

static int stopping(chats_deliver_proc_t *d)
{
    return apr_atomic_read32(&d->stopping) != 0;
}

/* Sleep ms on the wake pipe; 0 when stopping. */
static int pause_ms(chats_deliver_proc_t *d, int ms)
{
    struct pollfd pf = { d->wake[0], POLLIN, 0 };

    if (!stopping(d)) {
        (void)poll(&pf, 1, ms);
    }
    return !stopping(d);
}

/* ---- statements ------------------------------------------------------ */

/* Run sql with params on c; the result when it is ok (caller clears),
 * NULL after a failure, with *pwhy set. */
static PGresult *run(PGconn *c, const char *sql, int n,
                     const char *const *params, const char **pwhy,
                     apr_pool_t *p)
{
    PGresult *res = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
        return res;
    }
    *pwhy = chats_pgconn_one_line(p, PQerrorMessage(c));
    PQclear(res);
    return NULL;
}

static const char *col(PGresult *res, int row, const char *name)
{
    int i = PQfnumber(res, name);

    return i < 0 || PQgetisnull(res, row, i) ? NULL
                                             : PQgetvalue(res, row, i);
}

static apr_int64_t num(PGresult *res, int row, const char *name)
{
    const char *v = col(res, row, name);

    return v ? apr_atoi64(v) : 0;
}

/* The rows in flight as an int8[] parameter ("{1,2,3}"), and *pfull the
 * webhooks with PER_HOOK of them as an int4[] one. */
static const char *id_array(apr_pool_t *p, apr_hash_t *flights,
                            const char **pfull)
{
    apr_hash_t *per = apr_hash_make(p);
    apr_hash_index_t *hi;
    chats_strbuf_t ids, full;

    chats_strbuf_init(&ids, p, 256);
    chats_strbuf_init(&full, p, 64);
    chats_strbuf_puts(&ids, "{");
    chats_strbuf_puts(&full, "{");
    for (hi = apr_hash_first(p, flights); hi; hi = apr_hash_next(hi)) {
        const flight_t *f = apr_hash_this_val(hi);
        int *n = apr_hash_get(per, &f->webhook, sizeof(f->webhook));

        chats_strbuf_puts(&ids, apr_psprintf(p, "%s%" APR_INT64_T_FMT,
                                             ids.len > 1 ? "," : "", f->id));
        if (!n) {
            n = apr_pcalloc(p, sizeof(*n));
            apr_hash_set(per, &f->webhook, sizeof(f->webhook), n);
        }
        if (++*n == PER_HOOK) {
            chats_strbuf_puts(&full, apr_psprintf(p, "%s%d",
                                                  full.len > 1 ? "," : "",
                                                  (int)f->webhook));
        }
    }
    chats_strbuf_puts(&ids, "}");
    chats_strbuf_puts(&full, "}");
    *pfull = full.buf;
    return ids.buf;
}

/* ---- sending ----------------------------------------------------------- */

/* A row that cannot be sent (its webhook's Headers or Properties are
 * not what a body or a request can carry): dropped at once, since no
 * retry would change it, with the reason as LastError. */
static int unsendable(chats_deliver_proc_t *d, PGconn *c, flight_t *f,
                      const char *reason, apr_pool_t *tp, const char **pwhy)
{
    const char *params[3];
    PGresult *res;

    ap_log_error(APLOG_MARK, APLOG_WARNING, 0, d->s,
                 CHATS_LOGNO(682) "webhook event %s cannot be sent, dropped:"
                 " %s", f->ev.event_id, reason);
    chats_metrics_webhook(f->ev.event, CHATS_WEBHOOK_REFUSED, -1);
    chats_metrics_webhook(f->ev.event, CHATS_WEBHOOK_DROPPED, -1);
    params[0] = apr_psprintf(tp, "%" APR_INT64_T_FMT, f->id);
    params[1] = apr_pstrcat(tp, "refused: ", reason, NULL);
    params[2] = apr_itoa(tp, CHATS_WEBHOOK_MAX_ERRORS);
    res = run(c, CHATS_WEBHOOK_SQL_DROP, 3, params, pwhy, tp);
    PQclear(res);
    apr_pool_destroy(f->p);
    return res ? 1 : -1;
}

/* Queue row i of a claim: 1 sent (or dropped as unsendable), 0 when its
 * webhook is no longer Active (the row is to be discarded unsent), -1
 * after a database failure. */
static int send_row(chats_deliver_proc_t *d, PGconn *c, PGresult *res,
                    int i, apr_pool_t *parent, apr_pool_t *tp,
                    apr_hash_t *flights, const char **pwhy)
{
    flight_t *f;
    chats_webhook_hook_t hook;
    const char *body = NULL;
    apr_size_t len = 0;
    apr_array_header_t *hdrs = NULL;
    chats_err_t *e;

    if (num(res, i, "state") != CHATS_WEBHOOK_ACTIVE) {
        return 0;
    }
    apr_pool_create(&parent, parent);
    f = apr_pcalloc(parent, sizeof(*f));
    f->p = parent;
    f->id = num(res, i, "id");
    f->webhook = (apr_int32_t)num(res, i, "webhook_id");
    f->ev.event_id = apr_pstrdup(f->p, col(res, i, "event_id"));
    f->ev.event = apr_pstrdup(f->p, col(res, i, "event"));
    f->ev.entity = apr_pstrdup(f->p, col(res, i, "entity"));
    f->ev.primary_key = num(res, i, "primary_key");
    f->ev.changes = apr_pstrdup(f->p, col(res, i, "changes"));
    f->ev.field_values = col(res, i, "field_values")
                         ? apr_pstrdup(f->p, col(res, i, "field_values"))
                         : NULL;
    f->ev.actor = num(res, i, "actor");
    f->ev.captured_at = num(res, i, "captured_us");
    f->ev.attempts = (int)num(res, i, "attempts");
    hook.name = apr_pstrdup(f->p, col(res, i, "name"));
    hook.context = d->conf.context;
    hook.properties = apr_pstrdup(f->p, col(res, i, "properties"));
    hook.headers = apr_pstrdup(f->p, col(res, i, "headers"));
    hook.secret = apr_pstrdup(f->p, col(res, i, "secret"));
    if ((e = chats_webhook_payload(f->p, &f->ev, &hook, &body, &len)) != NULL
        || (e = chats_webhook_headers(f->p, &f->ev, &hook, PACKAGE_VERSION,
                                      body, len, &hdrs)) != NULL
        || (e = chats_webhook_http_add(d->http, col(res, i, "target_url"),
                                       hdrs, body, len, f)) != NULL) {
        return unsendable(d, c, f, e->message, tp, pwhy);
    }
    f->sent = apr_time_now();
    apr_hash_set(flights, &f->id, sizeof(f->id), f);
    return 1;
}

/* Claim and queue what is due; -1 after a database failure, else the
 * number of rows claimed. */
static int claim(chats_deliver_proc_t *d, PGconn *c, apr_pool_t *tp,
                 apr_pool_t *fp, apr_hash_t *flights, const char **pwhy)
{
    int room = MAX_IN_FLIGHT - (int)apr_hash_count(flights), i, n;
    const char *params[3], *discard = NULL;
    PGresult *res;

    if (room <= 0) {
        return 0;
    }
    params[0] = apr_itoa(tp, room);
    params[1] = id_array(tp, flights, &params[2]);
    if ((res = run(c, CHATS_WEBHOOK_SQL_CLAIM, 3, params, pwhy, tp)) == NULL) {
        return -1;
    }
    n = PQntuples(res);
    for (i = 0; i < n; i++) {
        int sent = send_row(d, c, res, i, fp, tp, flights, pwhy);

        if (sent < 0) {
            PQclear(res);
            return -1;
        }
        if (!sent) {
            chats_metrics_webhook(col(res, i, "event"),
                                  CHATS_WEBHOOK_DROPPED, -1);
            discard = apr_psprintf(tp, "%s%s", discard ? discard : "",
                                   apr_psprintf(tp, "%s%s", discard ? "," : "",
                                                col(res, i, "id")));
        }
    }
    PQclear(res);
    if (discard) {
        params[0] = apr_pstrcat(tp, "{", discard, "}", NULL);
        if ((res = run(c, CHATS_WEBHOOK_SQL_DISCARD, 1, params, pwhy, tp))
            == NULL) {
            return -1;
        }
        PQclear(res);
    }
    return n;
}

/* ---- outcomes ---------------------------------------------------------- */

/* A failed try: again later, or dropped. 0 after a database failure. */
static int failed(PGconn *c, const flight_t *f,
                  const chats_webhook_result_t *r, apr_pool_t *tp,
                  const char **pwhy)
{
    chats_webhook_next_t next = chats_webhook_next(f->ev.attempts);
    const char *params[3];
    PGresult *res;

    params[0] = apr_psprintf(tp, "%" APR_INT64_T_FMT, f->id);
    if (next.drop) {
        chats_metrics_webhook(f->ev.event, CHATS_WEBHOOK_DROPPED, -1);
        params[1] = r->last_error ? r->last_error : "";
        params[2] = apr_itoa(tp, CHATS_WEBHOOK_MAX_ERRORS);
        res = run(c, CHATS_WEBHOOK_SQL_DROP, 3, params, pwhy, tp);
    }
    else {
        params[1] = apr_itoa(tp, (int)apr_time_as_msec(next.delay));
        params[2] = r->last_error ? r->last_error : "";
        res = run(c, CHATS_WEBHOOK_SQL_RETRY, 3, params, pwhy, tp);
    }
    PQclear(res);
    return res != NULL;
}

/* Record what finished; 0 after a database failure (the rows stay:
 * they are sent again by whoever delivers next). */
static int settle(PGconn *c, apr_array_header_t *done, apr_hash_t *flights,
                  apr_pool_t *tp, const char **pwhy)
{
    const char *acks = NULL;
    int i, ok = 1;

    for (i = 0; i < done->nelts; i++) {
        const chats_webhook_result_t *r =
            &APR_ARRAY_IDX(done, i, chats_webhook_result_t);
        flight_t *f = r->user;

        if (r->outcome != CHATS_WEBHOOK_ABORTED) {
            chats_metrics_webhook(f->ev.event, r->outcome,
                                  r->outcome == CHATS_WEBHOOK_OK
                                  ? apr_time_now() - f->ev.captured_at : -1);
        }
        if (r->outcome == CHATS_WEBHOOK_OK) {
            acks = apr_psprintf(tp, "%s%s%" APR_INT64_T_FMT,
                                acks ? acks : "", acks ? "," : "", f->id);
        }
        else if (r->outcome != CHATS_WEBHOOK_ABORTED && ok) {
            ok = failed(c, f, r, tp, pwhy);
        }
        apr_hash_set(flights, &f->id, sizeof(f->id), NULL);
        apr_pool_destroy(f->p);
    }
    if (acks && ok) {
        const char *params[1];
        PGresult *res;

        params[0] = apr_pstrcat(tp, "{", acks, "}", NULL);
        res = run(c, CHATS_WEBHOOK_SQL_ACK, 1, params, pwhy, tp);
        ok = res != NULL;
        PQclear(res);
    }
    return ok;
}

/* ---- the leader's loop ------------------------------------------------- */

/* The outbox's depth for the status handler, once a second; 0 after a
 * database failure. */
static int sample_depth(PGconn *c, apr_time_t *pnext, apr_pool_t *tp,
                        const char **pwhy)
{
    const char *const none[1] = { NULL };
    PGresult *res;

    if (apr_time_now() < *pnext) {
        return 1;
    }
    *pnext = apr_time_now() + apr_time_from_sec(1);
    if ((res = run(c, CHATS_WEBHOOK_SQL_DEPTH, 0, none, pwhy, tp)) == NULL) {
        return 0;
    }
    chats_metrics_webhook_outbox(1, (apr_uint64_t)num(res, 0, "depth"),
                                 (apr_interval_time_t)(
                                     atof(col(res, 0, "oldest")) * 1e6));
    PQclear(res);
    return 1;
}

/* Deliver until the connection fails (its reason) or the child stops
 * (NULL). */
static const char *deliver(chats_deliver_proc_t *d, PGconn *c,
                           apr_pool_t *p)
{
    apr_pool_t *tp, *fp;
    apr_hash_t *flights = apr_hash_make(p);
    const char *why = NULL;
    chats_webhook_http_conf_t hc = { 0 };
    chats_webhook_http_t *http = NULL;
    chats_err_t *e;
    apr_time_t next_depth = 0;

    apr_pool_create(&tp, p);
    apr_pool_create(&fp, p);
    hc.allow = d->conf.allow;
    hc.cafile = d->conf.cafile;
    hc.connect_timeout_ms = d->conf.connect_timeout_s * 1000L;
    hc.timeout_ms = d->conf.timeout_s * 1000L;
    if ((e = chats_webhook_http_create(p, &hc, &http)) != NULL) {
        return apr_pstrdup(p, e->message);
    }
    apr_thread_mutex_lock(d->http_lock);
    d->http = http;
    apr_thread_mutex_unlock(d->http_lock);
    while (!stopping(d) && !why) {
        apr_array_header_t *done = NULL;
        int n;

        apr_pool_clear(tp);
        if (!sample_depth(c, &next_depth, tp, &why)
            || (n = claim(d, c, tp, fp, flights, &why)) < 0) {
            break;
        }
        /* rows just claimed: start them and look again at once; else
         * wait for a transfer, or poll_ms for new rows */
        if ((e = chats_webhook_http_perform(http, n > 0 ? 0 : d->conf.poll_ms,
                                            tp, &done)) != NULL) {
            why = apr_pstrdup(p, e->message);
            break;
        }
        if (!settle(c, done, flights, tp, &why)) {
            break;
        }
    }
    apr_thread_mutex_lock(d->http_lock);
    d->http = NULL;
    apr_thread_mutex_unlock(d->http_lock);
    chats_metrics_webhook_outbox(0, 0, 0);
    /* What is still in flight goes back to the outbox as it is. */
    return why ? apr_pstrdup(p, why) : NULL;
}

/* Candidate: the node lock, a connection, the advisory lock, then
 * deliver; again after any failure. */
static void *APR_THREAD_FUNC deliver_main(apr_thread_t *t, void *data)
{
    chats_deliver_proc_t *d = data;
    apr_pool_t *p = NULL;
    apr_file_t *lock = NULL;
    int outage = 0;

    apr_pool_create(&p, apr_thread_pool_get(t));
    while (!stopping(d)) {
        const char *why = NULL;
        PGconn *c;

        apr_pool_clear(p);
        if (!lock && (apr_file_open(&lock, d->lock_path,
                                    APR_FOPEN_CREATE | APR_FOPEN_WRITE,
                                    APR_FPROT_UREAD | APR_FPROT_UWRITE,
                                    d->pool) != APR_SUCCESS
                      || apr_file_lock(lock, APR_FLOCK_EXCLUSIVE
                                             | APR_FLOCK_NONBLOCK)
                         != APR_SUCCESS)) {
            if (lock) {
                apr_file_close(lock);
                lock = NULL;
            }
            pause_ms(d, RETRY_MS);
            continue;
        }
        if ((c = chats_pgconn_open(d->s, d->conninfo, DELIVER_APPNAME,
                                   d->wake[0], &d->stopping, &why, p))) {
            while (!stopping(d)) {
                const char *const none[1] = { NULL };
                PGresult *res = run(c, CHATS_WEBHOOK_SQL_LOCK, 0, none,
                                    &why, p);
                const char *v = res ? col(res, 0, "held") : NULL;
                int held = v && v[0] == 't';

                PQclear(res);
                if (!res) {
                    break;
                }
                if (outage) {
                    ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, d->s,
                                 CHATS_LOGNO(684) "webhook deliverer "
                                 "connected again");
                    outage = 0;
                }
                if (held) {
                    apr_atomic_set32(&d->leader, 1);
                    why = deliver(d, c, p);
                    apr_atomic_set32(&d->leader, 0);
                    break;
                }
                if (!pause_ms(d, RETRY_MS)) {
                    break;
                }
            }
            PQfinish(c);
        }
        if (why && !outage && !stopping(d)) {
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, d->s,
                         CHATS_LOGNO(683) "webhook deliverer has no "
                         "PostgreSQL connection (%s): events wait in the "
                         "outbox until it is back; logged once per outage",
                         chats_pgconn_one_line(p, why));
            outage = 1;
        }
        pause_ms(d, RETRY_MS);
    }
    if (lock) {
        apr_file_close(lock);           /* releases the node lock */
    }
    apr_pool_destroy(p);
    return NULL;
}

/* ---- the process's part ------------------------------------------------ */

static void stop(chats_deliver_proc_t *d)
{
    apr_atomic_set32(&d->stopping, 1);
    if (d->wake[1] >= 0 && write(d->wake[1], "x", 1) < 0) {
        /* the thread sees `stopping` within a second anyway */
    }
    apr_thread_mutex_lock(d->http_lock);
    if (d->http) {
        chats_webhook_http_wakeup(d->http);
    }
    apr_thread_mutex_unlock(d->http_lock);
}

static apr_status_t deliver_cleanup(void *data)
{
    chats_deliver_proc_t *d = data;
    apr_status_t trv;

    stop(d);
    if (d->thread) {
        apr_thread_join(&trv, d->thread);
        d->thread = NULL;
    }
    if (d->wake[0] >= 0) {
        close(d->wake[0]);
        close(d->wake[1]);
        d->wake[0] = d->wake[1] = -1;
    }
    return APR_SUCCESS;
}

void chats_deliver_child_init(apr_pool_t *pchild, server_rec *s)
{
    chats_deliver_proc_t *d;
    const char *conninfo = chats_conf_listen_params(s);
    apr_threadattr_t *ta = NULL;

    chats_srv_conf(s)->deliver = NULL;
    if (!conninfo || !chats_webhook_conf(s).delivery) {
        return;                         /* no database, or not here */
    }
    d = apr_pcalloc(pchild, sizeof(*d));
    d->s = s;
    d->conf = chats_webhook_conf(s);
    d->conninfo = conninfo;
    d->lock_path = ap_runtime_dir_relative(pchild, LOCK_FILE);
    d->wake[0] = d->wake[1] = -1;
    if (chats_proc_pool_create(&d->pool, pchild, "chats-deliver")
        != APR_SUCCESS
        || apr_thread_mutex_create(&d->http_lock, APR_THREAD_MUTEX_DEFAULT,
                                   pchild) != APR_SUCCESS
        || pipe(d->wake) != 0) {
        ap_log_error(APLOG_MARK, APLOG_ERR, errno, s, CHATS_LOGNO(685)
                     "webhook deliverer not started in this process");
        return;
    }
    (void)fcntl(d->wake[0], F_SETFD, FD_CLOEXEC);
    (void)fcntl(d->wake[1], F_SETFD, FD_CLOEXEC);
    apr_pool_pre_cleanup_register(pchild, d, deliver_cleanup);
    apr_threadattr_create(&ta, pchild);
    if (apr_thread_create(&d->thread, ta, deliver_main, d, d->pool)
        != APR_SUCCESS) {
        d->thread = NULL;
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, CHATS_LOGNO(686)
                     "webhook deliverer thread not started in this process");
        return;
    }
    chats_srv_conf(s)->deliver = d;
}

/* Graceful restart: the old generation's deliverer lets go now, so the
 * new one takes over while old requests still finish. */
static void deliver_child_stopping(apr_pool_t *pchild, int graceful)
{
    chats_deliver_proc_t *d = chats_srv_conf(ap_server_conf)->deliver;

    (void)pchild;
    (void)graceful;
    if (d) {
        stop(d);
    }
}

static int deliver_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                               apr_pool_t *ptemp, server_rec *s)
{
    chats_err_t *e = chats_webhook_http_global_init(pconf);

    (void)plog;
    (void)ptemp;
    if (e) {
        ap_log_error(APLOG_MARK, APLOG_ERR | APLOG_STARTUP, 0, s,
                     CHATS_LOGNO(687) "webhooks: %s", e->message);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

void chats_deliver_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_child_stopping(deliver_child_stopping, NULL, NULL,
                           APR_HOOK_MIDDLE);
    ap_hook_post_config(deliver_post_config, NULL, NULL, APR_HOOK_MIDDLE);
}
