/* The deliverer's test pings (mod_chats_deliver_probe.h): a webhook's
 * test event (POST Webhook/Test, TestWebhook, an Active webhook's
 * creation) is a chats_webhook_probe row that a request waits on. The
 * leader sends each once, with X-Hook-Test: true, Event and Entity
 * "test", PrimaryKey 0 and no FieldValues, signed with the probe's own
 * secret, through its own transport (the same rules as deliveries: the
 * SSRF policy, no redirects, the timeouts), and writes the outcome: the
 * receiver's status line, or LastError's text of why it failed. A probe
 * touches no webhook's counters: the webhook tested may not exist. */
#include <apr_hash.h>
#include <apr_strings.h>

#include "httpd.h"
#include "http_log.h"

#include "chats_strbuf.h"
#include "chats_webhook_payload.h"
#include "chats_webhook_retry.h"
#include "chats_webhook_sql.h"
#include "mod_chats_deliver_probe.h"
#include "mod_chats_metrics.h"
#include "mod_chats_pgconn.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

/* Old probes go at most this often (their rows are an hour old). */
#define PURGE_EVERY apr_time_from_sec(60)

struct chats_deliver_probes_t {
    chats_deliver_proc_t *d;
    chats_webhook_http_t *http;
    apr_pool_t *pool;
    apr_hash_t *flying;            /* id -> probe_t, sent and not done */
    apr_time_t next_look, next_purge;
};

typedef struct {
    apr_pool_t *p;
    apr_int64_t id;
} probe_t;

chats_err_t *chats_deliver_probes_make(chats_deliver_proc_t *d,
                                       apr_pool_t *p,
                                       chats_deliver_probes_t **ppr)
{
    chats_deliver_probes_t *pr = apr_pcalloc(p, sizeof(*pr));
    chats_webhook_http_conf_t hc = { 0 };

    pr->d = d;
    pr->pool = p;
    pr->flying = apr_hash_make(p);
    hc.allow = d->conf.allow;
    hc.cafile = d->conf.cafile;
    hc.connect_timeout_ms = d->conf.connect_timeout_s * 1000L;
    hc.timeout_ms = d->conf.timeout_s * 1000L;
    *ppr = pr;
    return chats_webhook_http_create(p, &hc, &pr->http);
}

/* Write probe id's outcome; 0 after a database failure. */
static int record(PGconn *c, apr_int64_t id, int ok, const char *message,
                  apr_pool_t *tp, const char **pwhy)
{
    const char *params[3];
    PGresult *res;

    params[0] = apr_psprintf(tp, "%" APR_INT64_T_FMT, id);
    params[1] = ok ? "t" : "f";
    params[2] = message;
    res = chats_pgconn_run(c, CHATS_WEBHOOK_SQL_PROBE_DONE, 3, params, pwhy,
                            tp);
    PQclear(res);
    return res != NULL;
}

/* Queue row i of res; 0 after a database failure. */
static int send_probe(chats_deliver_probes_t *pr, PGconn *c, PGresult *res,
                      int i, apr_pool_t *tp, const char **pwhy)
{
    chats_webhook_event_t ev;
    chats_webhook_hook_t hook;
    const char *body = NULL, *v;
    apr_size_t len = 0;
    apr_array_header_t *hdrs = NULL;
    probe_t *pb;
    chats_err_t *e;
    apr_pool_t *p;

    apr_pool_create(&p, pr->pool);
    pb = apr_pcalloc(p, sizeof(*pb));
    pb->p = p;
    pb->id = apr_atoi64(chats_pgconn_col(res, i, "id"));
    memset(&ev, 0, sizeof(ev));
    ev.event_id = apr_pstrdup(p, chats_pgconn_col(res, i, "event_id"));
    ev.event = ev.entity = "test";
    ev.actor = apr_atoi64(chats_pgconn_col(res, i, "actor"));
    ev.captured_at = apr_atoi64(chats_pgconn_col(res, i, "created_us"));
    ev.test = 1;
    hook.name = apr_pstrdup(p, chats_pgconn_col(res, i, "name"));
    hook.context = pr->d->conf.context;
    hook.properties = apr_pstrdup(p, chats_pgconn_col(res, i, "properties"));
    hook.headers = apr_pstrdup(p, chats_pgconn_col(res, i, "headers"));
    hook.secret = apr_pstrdup(p, chats_pgconn_col(res, i, "secret"));
    v = chats_pgconn_col(res, i, "target_url");
    if ((e = chats_webhook_payload(p, &ev, &hook, &body, &len)) != NULL
        || (e = chats_webhook_headers(p, &ev, &hook, PACKAGE_VERSION, body,
                                      len, &hdrs)) != NULL
        || (e = chats_webhook_http_add(pr->http, v, hdrs, body, len, pb))
           != NULL) {
        int ok = record(c, pb->id, 0, apr_pstrcat(tp, "refused: ",
                                                  e->message, NULL), tp,
                        pwhy);

        chats_metrics_webhook("test", CHATS_WEBHOOK_REFUSED, -1);
        apr_pool_destroy(p);
        return ok;
    }
    apr_hash_set(pr->flying, &pb->id, sizeof(pb->id), pb);
    return 1;
}

/* The probes in flight as an int8[] parameter. */
static const char *flying_ids(chats_deliver_probes_t *pr, apr_pool_t *tp)
{
    apr_hash_index_t *hi;
    chats_strbuf_t b;

    chats_strbuf_init(&b, tp, 64);
    chats_strbuf_puts(&b, "{");
    for (hi = apr_hash_first(tp, pr->flying); hi; hi = apr_hash_next(hi)) {
        const probe_t *pb = apr_hash_this_val(hi);

        chats_strbuf_puts(&b, apr_psprintf(tp, "%s%" APR_INT64_T_FMT,
                                           b.len > 1 ? "," : "", pb->id));
    }
    chats_strbuf_puts(&b, "}");
    return b.buf;
}

/* Take the probes not tried yet and send them; 0 after a database
 * failure. */
static int look(chats_deliver_probes_t *pr, PGconn *c, apr_pool_t *tp,
                const char **pwhy)
{
    const char *params[1];
    PGresult *res;
    int i, ok = 1;

    params[0] = flying_ids(pr, tp);
    if ((res = chats_pgconn_run(c, CHATS_WEBHOOK_SQL_PROBES, 1, params,
                                 pwhy, tp)) == NULL) {
        return 0;
    }
    for (i = 0; ok && i < PQntuples(res); i++) {
        ok = send_probe(pr, c, res, i, tp, pwhy);
    }
    PQclear(res);
    return ok;
}

/* What the receiver said to a probe: its status line and the start of
 * its body, or why it failed (LastError's form). */
static const char *outcome_text(const chats_webhook_result_t *r,
                                apr_pool_t *tp)
{
    if (r->outcome != CHATS_WEBHOOK_OK) {
        return r->last_error ? r->last_error : "failed";
    }
    return r->body_len
        ? apr_psprintf(tp, "HTTP %d: %s", r->status,
                       chats_webhook_escape(tp, r->body, r->body_len,
                                            CHATS_WEBHOOK_KEEP))
        : apr_psprintf(tp, "HTTP %d", r->status);
}

/* Record the probes that finished; 0 after a database failure. */
static int settle(chats_deliver_probes_t *pr, PGconn *c, apr_pool_t *tp,
                  const char **pwhy)
{
    apr_array_header_t *done = NULL;
    chats_err_t *e;
    int i, ok = 1;

    if (!chats_webhook_http_pending(pr->http)) {
        return 1;
    }
    if ((e = chats_webhook_http_perform(pr->http, 0, tp, &done)) != NULL) {
        *pwhy = apr_pstrdup(tp, e->message);
        return 0;
    }
    for (i = 0; i < done->nelts; i++) {
        const chats_webhook_result_t *r =
            &APR_ARRAY_IDX(done, i, chats_webhook_result_t);
        probe_t *pb = r->user;

        if (ok && r->outcome != CHATS_WEBHOOK_ABORTED) {
            chats_metrics_webhook("test", r->outcome, -1);
            ok = record(c, pb->id, r->outcome == CHATS_WEBHOOK_OK,
                        outcome_text(r, tp), tp, pwhy);
        }
        apr_hash_set(pr->flying, &pb->id, sizeof(pb->id), NULL);
        apr_pool_destroy(pb->p);
    }
    return ok;
}

int chats_deliver_probes(chats_deliver_probes_t *pr, PGconn *c,
                         apr_pool_t *tp, const char **pwhy)
{
    apr_time_t now = apr_time_now();
    PGresult *res;

    if (!settle(pr, c, tp, pwhy)) {
        return 0;
    }
    /* once a minute, what nobody will come back for: stale pings, and
     * events of a webhook deleted while they were captured */
    if (now >= pr->next_purge) {
        pr->next_purge = now + PURGE_EVERY;
        if ((res = chats_pgconn_run(c, CHATS_WEBHOOK_SQL_PROBE_PURGE, 0,
                                    NULL, pwhy, tp)) == NULL) {
            return 0;
        }
        PQclear(res);
        if ((res = chats_pgconn_run(c, CHATS_WEBHOOK_SQL_ORPHANS, 0, NULL,
                                    pwhy, tp)) == NULL) {
            return 0;
        }
        PQclear(res);
    }
    /* A look per poll period: the delivery loop may turn far more often
     * while it is busy. */
    if (now < pr->next_look) {
        return 1;
    }
    pr->next_look = now + apr_time_from_msec(pr->d->conf.poll_ms);
    if (!look(pr, c, tp, pwhy)) {
        return 0;
    }
    /* start what was just queued; its answer is read on a later turn */
    return settle(pr, c, tp, pwhy);
}
