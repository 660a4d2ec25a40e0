/* The webhook deliverer's work while it leads (mod_chats_deliver.h):
 * take the heads of the outbox's scopes that are due
 * (CHATS_WEBHOOK_SQL_CLAIM), send each through libcurl's multi interface
 * (chats_webhook_http.h) without waiting on any one receiver, and record
 * each outcome in one statement: delivered, to be tried again, dropped.
 * The connection is never inside a transaction while a receiver is
 * waited on. A row is deleted only after its 2xx, so an event in flight
 * when the deliverer dies is sent again by the next one, with the same
 * EventId: at least once. */
#include <apr_hash.h>
#include <apr_strings.h>
#include <stdlib.h>
#include <string.h>

#include "httpd.h"
#include "http_log.h"

#include "chats_strbuf.h"
#include "chats_webhook_payload.h"
#include "chats_webhook_retry.h"
#include "chats_webhook_sql.h"
#include "mod_chats_deliver_private.h"
#include "mod_chats_deliver_probe.h"
#include "mod_chats_metrics.h"
#include "mod_chats_pgconn.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

/* Requests in flight at most, and per webhook: a slow or dead receiver
 * holds at most PER_HOOK of them, so the others' events still go. */
#define MAX_IN_FLIGHT 256
#define PER_HOOK 16

/* One row in flight. */
typedef struct {
    apr_pool_t *p;
    apr_int64_t id;
    apr_int32_t webhook;
    chats_webhook_event_t ev;
    apr_time_t sent;
} flight_t;

int chats_deliver_stopping(chats_deliver_proc_t *d)
{
    return apr_atomic_read32(&d->stopping) != 0;
}

/* ---- statements ------------------------------------------------------ */

static apr_int64_t num(PGresult *res, int row, const char *name)
{
    const char *v = chats_pgconn_col(res, row, name);

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
    res = chats_pgconn_run(c, CHATS_WEBHOOK_SQL_DROP, 3, params, pwhy, tp);
    PQclear(res);
    apr_pool_destroy(f->p);
    return res ? 1 : -1;
}

/* Column name of row i, copied into p; NULL for SQL NULL. */
static const char *dup_col(apr_pool_t *p, PGresult *res, int i,
                           const char *name)
{
    const char *v = chats_pgconn_col(res, i, name);

    return v ? apr_pstrdup(p, v) : NULL;
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
    f->ev.event_id = apr_pstrdup(f->p, chats_pgconn_col(res, i, "event_id"));
    f->ev.event = apr_pstrdup(f->p, chats_pgconn_col(res, i, "event"));
    f->ev.entity = apr_pstrdup(f->p, chats_pgconn_col(res, i, "entity"));
    f->ev.primary_key = num(res, i, "primary_key");
    f->ev.changes = apr_pstrdup(f->p, chats_pgconn_col(res, i, "changes"));
    f->ev.field_values = dup_col(f->p, res, i, "field_values");
    f->ev.field_ints = dup_col(f->p, res, i, "field_ints");
    f->ev.field_texts = dup_col(f->p, res, i, "field_texts");
    f->ev.actor = num(res, i, "actor");
    f->ev.captured_at = num(res, i, "captured_us");
    f->ev.attempts = (int)num(res, i, "attempts");
    hook.name = apr_pstrdup(f->p, chats_pgconn_col(res, i, "name"));
    hook.context = d->conf.context;
    hook.properties = apr_pstrdup(f->p, chats_pgconn_col(res, i, "properties"));
    hook.headers = apr_pstrdup(f->p, chats_pgconn_col(res, i, "headers"));
    hook.secret = apr_pstrdup(f->p, chats_pgconn_col(res, i, "secret"));
    if ((e = chats_webhook_payload(f->p, &f->ev, &hook, &body, &len)) != NULL
        || (e = chats_webhook_headers(f->p, &f->ev, &hook, PACKAGE_VERSION,
                                      body, len, &hdrs)) != NULL
        || (e = chats_webhook_http_add(d->http, chats_pgconn_col(res, i, "target_url"),
                                       hdrs, body, len, f)) != NULL) {
        return unsendable(d, c, f, e->message, tp, pwhy);
    }
    f->sent = apr_time_now();
    apr_hash_set(flights, &f->id, sizeof(f->id), f);
    return 1;
}

/* Record the rows delivered since the last turn (acks: "1,2,3", or
 * NULL), then claim and queue what is due; -1 after a database failure,
 * else the number of rows claimed. */
static int claim(chats_deliver_proc_t *d, PGconn *c, const char *acks,
                 apr_pool_t *tp, apr_pool_t *fp, apr_hash_t *flights,
                 const char **pwhy)
{
    int room = MAX_IN_FLIGHT - (int)apr_hash_count(flights), i, n;
    const char *params[5], *discard = NULL;
    PGresult *res;

    if (room <= 0 && !acks) {
        return 0;
    }
    params[0] = apr_itoa(tp, room > 0 ? room : 0);
    params[1] = id_array(tp, flights, &params[2]);
    params[3] = apr_pstrcat(tp, "{", acks ? acks : "", "}", NULL);
    params[4] = apr_itoa(tp, PER_HOOK);
    if ((res = chats_pgconn_run(c, CHATS_WEBHOOK_SQL_CLAIM, 5, params, pwhy, tp)) == NULL) {
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
            chats_metrics_webhook(chats_pgconn_col(res, i, "event"),
                                  CHATS_WEBHOOK_DROPPED, -1);
            discard = apr_psprintf(tp, "%s%s", discard ? discard : "",
                                   apr_psprintf(tp, "%s%s", discard ? "," : "",
                                                chats_pgconn_col(res, i, "id")));
        }
    }
    PQclear(res);
    if (discard) {
        params[0] = apr_pstrcat(tp, "{", discard, "}", NULL);
        if ((res = chats_pgconn_run(c, CHATS_WEBHOOK_SQL_DISCARD, 1, params, pwhy, tp))
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
        res = chats_pgconn_run(c, CHATS_WEBHOOK_SQL_DROP, 3, params, pwhy, tp);
    }
    else {
        params[1] = apr_itoa(tp, (int)apr_time_as_msec(next.delay));
        params[2] = r->last_error ? r->last_error : "";
        res = chats_pgconn_run(c, CHATS_WEBHOOK_SQL_RETRY, 3, params, pwhy, tp);
    }
    PQclear(res);
    return res != NULL;
}

/* Record what finished: failures at once, the rows delivered added to
 * *packs (in ap) for the next claim; 0 after a database failure (the
 * rows stay: they are sent again by whoever delivers next). */
static int settle(PGconn *c, apr_array_header_t *done, apr_hash_t *flights,
                  apr_pool_t *tp, apr_pool_t *ap, const char **packs,
                  const char **pwhy)
{
    const char *acks = *packs;
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
            acks = apr_psprintf(ap, "%s%s%" APR_INT64_T_FMT,
                                acks ? acks : "", acks ? "," : "", f->id);
        }
        else if (r->outcome != CHATS_WEBHOOK_ABORTED && ok) {
            ok = failed(c, f, r, tp, pwhy);
        }
        apr_hash_set(flights, &f->id, sizeof(f->id), NULL);
        apr_pool_destroy(f->p);
    }
    *packs = acks;
    return ok;
}

/* The rows delivered when no claim follows (the child stops). */
static void flush_acks(chats_deliver_proc_t *d, PGconn *c, const char *acks,
                       apr_pool_t *tp)
{
    const char *params[1], *why = NULL;
    PGresult *res;

    if (!acks) {
        return;
    }
    params[0] = apr_pstrcat(tp, "{", acks, "}", NULL);
    if ((res = chats_pgconn_run(c, CHATS_WEBHOOK_SQL_ACK, 1, params, &why, tp)) == NULL) {
        /* they are sent again by the next deliverer, with their EventIds */
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, d->s,
                     CHATS_LOGNO(750) "webhook deliveries not recorded as"
                     " the deliverer stops (they will be sent again): %s", why);
    }
    PQclear(res);
}

/* ---- the leader's loop ------------------------------------------------- */

/* The outbox's depth for the status handler, and whether a webhook is
 * Active for the writes (chats_metrics_webhooks_none), once a second; 0
 * after a database failure. */
static int sample_depth(PGconn *c, apr_time_t *pnext, apr_pool_t *tp,
                        const char **pwhy)
{
    const char *const none[1] = { NULL };
    PGresult *res;

    if (apr_time_now() < *pnext) {
        return 1;
    }
    *pnext = apr_time_now() + apr_time_from_sec(1);
    if ((res = chats_pgconn_run(c, CHATS_WEBHOOK_SQL_DEPTH, 0, none, pwhy, tp)) == NULL) {
        return 0;
    }
    chats_metrics_webhook_outbox(1, (apr_uint64_t)num(res, 0, "depth"),
                                 (apr_interval_time_t)(
                                     atof(chats_pgconn_col(res, 0, "oldest")) * 1e6),
                                 num(res, 0, "active") != 0);
    PQclear(res);
    return 1;
}

/* Deliver until the connection fails (its reason) or the child stops
 * (NULL). */
const char *chats_deliver_lead(chats_deliver_proc_t *d, PGconn *c,
                               apr_pool_t *p)
{
    apr_pool_t *tp, *fp, *ap;
    apr_hash_t *flights = apr_hash_make(p);
    const char *why = NULL, *acks = NULL;
    chats_webhook_http_conf_t hc = { 0 };
    chats_webhook_http_t *http = NULL;
    chats_deliver_probes_t *probes = NULL;
    chats_err_t *e;
    apr_time_t next_depth = 0;

    apr_pool_create(&tp, p);
    apr_pool_create(&fp, p);
    apr_pool_create(&ap, p);
    hc.allow = d->conf.allow;
    hc.cafile = d->conf.cafile;
    hc.connect_timeout_ms = d->conf.connect_timeout_s * 1000L;
    hc.timeout_ms = d->conf.timeout_s * 1000L;
    if ((e = chats_webhook_http_create(p, &hc, &http)) != NULL
        || (e = chats_deliver_probes_make(d, p, &probes)) != NULL) {
        return apr_pstrdup(p, e->message);
    }
    apr_thread_mutex_lock(d->http_lock);
    d->http = http;
    apr_thread_mutex_unlock(d->http_lock);
    while (!chats_deliver_stopping(d) && !why) {
        apr_array_header_t *done = NULL;
        int n;

        apr_pool_clear(tp);
        if (!sample_depth(c, &next_depth, tp, &why)
            || !chats_deliver_probes(probes, c, tp, &why)
            || (n = claim(d, c, acks, tp, fp, flights, &why)) < 0) {
            break;
        }
        acks = NULL;
        apr_pool_clear(ap);
        /* rows just claimed: start them and look again at once; else
         * wait for a transfer, or poll_ms for new rows */
        if ((e = chats_webhook_http_perform(http, n > 0 ? 0 : d->conf.poll_ms,
                                            tp, &done)) != NULL) {
            why = apr_pstrdup(p, e->message);
            break;
        }
        if (!settle(c, done, flights, tp, ap, &acks, &why)) {
            break;
        }
    }
    if (!why) {
        flush_acks(d, c, acks, tp);
    }
    apr_thread_mutex_lock(d->http_lock);
    d->http = NULL;
    apr_thread_mutex_unlock(d->http_lock);
    chats_metrics_webhook_outbox(0, 0, 0, -1);
    /* What is still in flight goes back to the outbox as it is. */
    return why ? apr_pstrdup(p, why) : NULL;
}
