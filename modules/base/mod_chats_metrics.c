/* The shared counters (mod_chats_metrics.h). One fixed layout, indexed
 * directly (method x status, SQLSTATE class, scheme): updating a counter
 * is one atomic add, with no lock and no lookup. */
#include <apr_atomic.h>
#include <apr_lib.h>
#include <apr_shm.h>
#include <apr_strings.h>
#include <libpq-fe.h>

#include "chats_schemes.h"
#include "chats_webhook_retry.h"
#include "mod_chats_metrics.h"

static const char *const methods[] = {
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"
};
#define NMETHODS (sizeof(methods) / sizeof(methods[0]))

/* Every status from 100 to 599 has its own counter. */
#define STATUS_MIN 100
#define STATUS_N   500

/* Prometheus' default buckets, in microseconds; the last counter holds
 * what took longer than the last bound (+Inf). */
static const apr_interval_time_t bounds[] = {
    5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000,
    5000000, 10000000
};
static const char *const bound_labels[] = {
    "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5",
    "5", "10"
};
#define NBOUNDS (sizeof(bounds) / sizeof(bounds[0]))

/* The schemes of our AuthType (mod_chats_auth.c), then no Authorization,
 * then any other scheme. */
static const char *const schemes[] = {
    "Basic", "Bearer", CHATS_SCHEME_SOTICKET, "none", "other"
};
#define NSCHEMES     (sizeof(schemes) / sizeof(schemes[0]))
#define SCHEME_NONE  3
#define SCHEME_OTHER 4

/* An SQLSTATE class is two characters of [0-9A-Z]; one more counter for
 * anything else. */
#define NCLASSES (36 * 36 + 1)

/* Webhook deliveries (README "Webhooks"): the events by name, the
 * outcomes as chats_webhook_retry.h names them, and the lag from capture
 * to a 2xx, in microseconds. */
static const char *const wh_events[] = {
    "test", "chatsession.created", "chatsession.changed",
    "chatsession.message", "other"
};
#define NWH_EVENTS (sizeof(wh_events) / sizeof(wh_events[0]))
#define NWH_OUTCOMES (CHATS_WEBHOOK_ABORTED + 1)
static const apr_interval_time_t lag_bounds[] = {
    10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000,
    5000000, 10000000, 30000000, 60000000
};
static const char *const lag_labels[] = {
    "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10",
    "30", "60"
};
#define NLAG (sizeof(lag_bounds) / sizeof(lag_bounds[0]))

#define METRICS_MAGIC 0x43484d33u      /* "CHM3" */
#define METRICS_KEY   "chats-metrics-shm"

typedef struct {
    apr_uint32_t magic;
    apr_uint32_t size;
    volatile apr_uint64_t requests[NMETHODS][STATUS_N];
    volatile apr_uint64_t latency[NBOUNDS + 1];
    volatile apr_uint64_t latency_us;
    volatile apr_uint64_t statements;
    volatile apr_uint64_t sql_us;
    volatile apr_uint64_t pg_errors[NCLASSES];
    volatile apr_uint64_t auth_failures[NSCHEMES];
    volatile apr_uint64_t pool_failures;
    volatile apr_uint64_t wh_deliveries[NWH_EVENTS][NWH_OUTCOMES];
    volatile apr_uint64_t wh_lag[NLAG + 1];
    volatile apr_uint64_t wh_lag_us;
    volatile apr_uint64_t wh_depth;         /* the leader's last look  */
    volatile apr_uint64_t wh_oldest_us;
    volatile apr_uint32_t wh_leader;        /* a process here delivers */
    volatile apr_uint32_t wh_active;        /* 0 unknown, 1 none, 2 some */
    volatile apr_uint64_t wh_active_at;     /* when seen (apr_time_t)  */
} chats_metrics_shm_t;

/* Per process: set in post_config, before any thread; NULL when the
 * segment could not be made (then nothing is counted). */
static chats_metrics_shm_t *shm;

/* The segment belongs to the process pool, which outlives graceful
 * restarts: the counters go on across them, and an old generation's
 * children, still finishing requests, count into the same place. A
 * segment of another layout (a new module, loaded by a restart) is
 * replaced. */
apr_status_t chats_metrics_init(server_rec *s)
{
    apr_pool_t *pp = s->process->pool;
    void *data = NULL;
    apr_shm_t *seg;
    chats_metrics_shm_t *m;
    apr_status_t rv;

    apr_pool_userdata_get(&data, METRICS_KEY, pp);
    if ((seg = data) != NULL
        && apr_shm_size_get(seg) >= sizeof(*m)
        && (m = apr_shm_baseaddr_get(seg))->magic == METRICS_MAGIC
        && m->size == sizeof(*m)) {
        shm = m;
        return APR_SUCCESS;
    }
    shm = NULL;
    /* anonymous: inherited by the children forked after this */
    if ((rv = apr_shm_create(&seg, sizeof(*m), NULL, pp)) != APR_SUCCESS) {
        return rv;
    }
    m = apr_shm_baseaddr_get(seg);
    memset(m, 0, sizeof(*m));
    m->magic = METRICS_MAGIC;
    m->size = sizeof(*m);
    /* the key is copied: this module's text is unmapped at a restart */
    apr_pool_userdata_set(seg, METRICS_KEY, apr_pool_cleanup_null, pp);
    shm = m;
    return APR_SUCCESS;
}

static apr_size_t method_index(const char *method)
{
    apr_size_t i;

    for (i = 0; i + 1 < NMETHODS; i++) {
        if (!strcmp(method, methods[i])) {
            return i;
        }
    }
    return NMETHODS - 1;
}

void chats_metrics_request(const char *method, int status,
                           apr_interval_time_t took)
{
    apr_size_t b;

    if (!shm || status < STATUS_MIN || status >= STATUS_MIN + STATUS_N) {
        return;
    }
    apr_atomic_inc64(&shm->requests[method_index(method)]
                                   [status - STATUS_MIN]);
    if (took < 0) {
        took = 0;
    }
    for (b = 0; b < NBOUNDS && took > bounds[b]; b++) {
    }
    apr_atomic_inc64(&shm->latency[b]);
    apr_atomic_add64(&shm->latency_us, (apr_uint64_t)took);
}

void chats_metrics_auth_failure(const char *authorization)
{
    apr_size_t i, n;

    if (!shm) {
        return;
    }
    if (!authorization) {
        apr_atomic_inc64(&shm->auth_failures[SCHEME_NONE]);
        return;
    }
    while (apr_isspace(*authorization)) {
        authorization++;
    }
    n = strcspn(authorization, " \t");
    for (i = 0; i < SCHEME_NONE; i++) {
        if (strlen(schemes[i]) == n
            && !strncasecmp(authorization, schemes[i], n)) {
            break;
        }
    }
    apr_atomic_inc64(&shm->auth_failures[i < SCHEME_NONE ? i
                                         : SCHEME_OTHER]);
}

static int class_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
         : c >= 'A' && c <= 'Z' ? c - 'A' + 10 : -1;
}

static char digit_class(int d)
{
    return (char)(d < 10 ? '0' + d : 'A' + d - 10);
}

/* A result with no SQLSTATE is libpq's own failure: the connection is
 * gone, which PostgreSQL's classes call 08 (connection exception). */
static apr_size_t class_index(const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE)
                            : NULL;
    int a, b;

    if (!state) {
        state = "08";
    }
    a = class_digit(state[0]);
    b = a < 0 ? -1 : class_digit(state[1]);
    return b < 0 ? NCLASSES - 1 : (apr_size_t)(a * 36 + b);
}

#define SQL_US_KEY "chats-metrics-sql-us"

apr_uint64_t chats_metrics_sql_us(request_rec *r)
{
    void *data = NULL;

    apr_pool_userdata_get(&data, SQL_US_KEY, r->pool);
    return data ? *(apr_uint64_t *)data : 0;
}

void chats_metrics_statement(request_rec *r, apr_time_t t0,
                             const struct pg_result *res)
{
    apr_interval_time_t took = apr_time_now() - t0;
    apr_uint64_t *sum = NULL;
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

    if (took < 0) {
        took = 0;
    }
    apr_pool_userdata_get((void **)&sum, SQL_US_KEY, r->pool);
    if (!sum) {
        sum = apr_pcalloc(r->pool, sizeof(*sum));
        apr_pool_userdata_setn(sum, SQL_US_KEY, NULL, r->pool);
    }
    *sum += (apr_uint64_t)took;
    apr_table_setn(r->notes, CHATS_NOTE_SQL_US,
                   apr_psprintf(r->pool, "%" APR_UINT64_T_FMT, *sum));
    if (!shm) {
        return;
    }
    apr_atomic_inc64(&shm->statements);
    apr_atomic_add64(&shm->sql_us, (apr_uint64_t)took);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        apr_atomic_inc64(&shm->pg_errors[class_index(res)]);
    }
}

void chats_metrics_pool_failure(void)
{
    if (shm) {
        apr_atomic_inc64(&shm->pool_failures);
    }
}

void chats_metrics_webhook(const char *event, int outcome,
                           apr_interval_time_t lag)
{
    apr_size_t e, b;

    if (!shm || outcome < 0 || outcome >= (int)NWH_OUTCOMES) {
        return;
    }
    for (e = 0; e + 1 < NWH_EVENTS && strcmp(event, wh_events[e]); e++) {
    }
    apr_atomic_inc64(&shm->wh_deliveries[e][outcome]);
    if (lag < 0) {
        return;
    }
    for (b = 0; b < NLAG && lag > lag_bounds[b]; b++) {
    }
    apr_atomic_inc64(&shm->wh_lag[b]);
    apr_atomic_add64(&shm->wh_lag_us, (apr_uint64_t)lag);
}

void chats_metrics_webhook_outbox(int leader, apr_uint64_t depth,
                                  apr_interval_time_t oldest, int active)
{
    if (!shm) {
        return;
    }
    apr_atomic_set64(&shm->wh_active_at, (apr_uint64_t)apr_time_now());
    apr_atomic_set32(&shm->wh_active, active < 0 ? 0 : active ? 2 : 1);
    apr_atomic_set32(&shm->wh_leader, leader ? 1 : 0);
    apr_atomic_set64(&shm->wh_depth, depth);
    apr_atomic_set64(&shm->wh_oldest_us, oldest > 0 ? (apr_uint64_t)oldest
                                                    : 0);
}

/* A look older than this (its process was killed, or lost its
 * connection) is no look. */
#define WEBHOOKS_SEEN_FOR apr_time_from_sec(5)

int chats_metrics_webhooks_none(void)
{
    apr_time_t at;

    if (!shm || apr_atomic_read32(&shm->wh_active) != 1) {
        return 0;
    }
    at = (apr_time_t)apr_atomic_read64(&shm->wh_active_at);
    return apr_time_now() - at < WEBHOOKS_SEEN_FOR;
}

void chats_note_associate(request_rec *r, apr_int32_t associate_id)
{
    if (associate_id > 0) {
        apr_table_setn(r->notes, CHATS_NOTE_ASSOCIATE,
                       apr_itoa(r->pool, associate_id));
    }
}

void chats_note_session(request_rec *r, apr_int32_t id)
{
    apr_table_setn(r->notes, CHATS_NOTE_SESSION, apr_itoa(r->pool, id));
}

/* ---- reading ------------------------------------------------------- */

static const char *u64(apr_pool_t *p, apr_uint64_t v)
{
    return apr_psprintf(p, "%" APR_UINT64_T_FMT, v);
}

static const char *seconds(apr_pool_t *p, apr_uint64_t us)
{
    return apr_psprintf(p, "%" APR_UINT64_T_FMT ".%06" APR_UINT64_T_FMT,
                        us / 1000000, us % 1000000);
}

static void walk_requests(const chats_metrics_visitor_t *v, void *ctx,
                          apr_pool_t *p)
{
    apr_size_t i, j;
    apr_uint64_t n;

    v->family(ctx, "chatsession_requests_total", "counter",
              "Requests the chatsession handler answered, by method and "
              "status code.");
    for (i = 0; i < NMETHODS; i++) {
        for (j = 0; j < STATUS_N; j++) {
            if ((n = apr_atomic_read64(&shm->requests[i][j])) != 0) {
                v->sample(ctx, "chatsession_requests_total",
                          apr_psprintf(p, "method=\"%s\",code=\"%d\"",
                                       methods[i], (int)j + STATUS_MIN),
                          u64(p, n));
            }
        }
    }
}

static void walk_latency(const chats_metrics_visitor_t *v, void *ctx,
                         apr_pool_t *p)
{
    apr_uint64_t total = 0;
    apr_size_t b;

    v->family(ctx, "chatsession_request_duration_seconds", "histogram",
              "Time from the request line to the answer logged, of the "
              "requests the chatsession handler answered.");
    for (b = 0; b <= NBOUNDS; b++) {
        total += apr_atomic_read64(&shm->latency[b]);
        v->sample(ctx, "chatsession_request_duration_seconds_bucket",
                  apr_psprintf(p, "le=\"%s\"",
                               b < NBOUNDS ? bound_labels[b] : "+Inf"),
                  u64(p, total));
    }
    v->sample(ctx, "chatsession_request_duration_seconds_sum", "",
              seconds(p, apr_atomic_read64(&shm->latency_us)));
    /* the +Inf bucket's count, so that the two always agree */
    v->sample(ctx, "chatsession_request_duration_seconds_count", "",
              u64(p, total));
}

static void walk_pg(const chats_metrics_visitor_t *v, void *ctx,
                    apr_pool_t *p)
{
    apr_size_t c;
    apr_uint64_t n;

    v->family(ctx, "chatsession_pg_statements_total", "counter",
              "Statements sent to PostgreSQL (prepares, executions, the "
              "schema version check, readiness checks).");
    v->sample(ctx, "chatsession_pg_statements_total", "",
              u64(p, apr_atomic_read64(&shm->statements)));
    v->family(ctx, "chatsession_pg_statement_seconds_total", "counter",
              "Time spent waiting for PostgreSQL's answers to them.");
    v->sample(ctx, "chatsession_pg_statement_seconds_total", "",
              seconds(p, apr_atomic_read64(&shm->sql_us)));
    v->family(ctx, "chatsession_pg_errors_total", "counter",
              "Statements that failed, by SQLSTATE class (08 also counts "
              "connections lost without an SQLSTATE).");
    for (c = 0; c < NCLASSES; c++) {
        if ((n = apr_atomic_read64(&shm->pg_errors[c])) != 0) {
            v->sample(ctx, "chatsession_pg_errors_total",
                      c + 1 == NCLASSES ? "class=\"other\""
                      : apr_psprintf(p, "class=\"%c%c\"",
                                     digit_class((int)c / 36),
                                     digit_class((int)c % 36)),
                      u64(p, n));
        }
    }
    v->family(ctx, "chatsession_pool_acquire_failures_total", "counter",
              "Requests that found no usable pooled connection (mod_dbd "
              "gave none, or a broken one that would not reconnect).");
    v->sample(ctx, "chatsession_pool_acquire_failures_total", "",
              u64(p, apr_atomic_read64(&shm->pool_failures)));
}

static void walk_auth(const chats_metrics_visitor_t *v, void *ctx,
                      apr_pool_t *p)
{
    apr_size_t i;

    v->family(ctx, "chatsession_auth_failures_total", "counter",
              "401 answers, by the scheme of the Authorization header "
              "(none: no header).");
    for (i = 0; i < NSCHEMES; i++) {
        v->sample(ctx, "chatsession_auth_failures_total",
                  apr_psprintf(p, "scheme=\"%s\"", schemes[i]),
                  u64(p, apr_atomic_read64(&shm->auth_failures[i])));
    }
}

static void walk_webhooks(const chats_metrics_visitor_t *v, void *ctx,
                          apr_pool_t *p)
{
    apr_uint64_t n, total = 0;
    apr_size_t e, o, b;
    int leader = apr_atomic_read32(&shm->wh_leader) != 0;

    v->family(ctx, "chatsession_webhook_deliveries_total", "counter",
              "Webhook delivery attempts by event and outcome; dropped "
              "counts events given up.");
    for (e = 0; e < NWH_EVENTS; e++) {
        for (o = 0; o < NWH_OUTCOMES; o++) {
            if ((n = apr_atomic_read64(&shm->wh_deliveries[e][o])) != 0) {
                v->sample(ctx, "chatsession_webhook_deliveries_total",
                          apr_psprintf(p, "event=\"%s\",outcome=\"%s\"",
                                       wh_events[e],
                                       chats_webhook_outcome_name(
                                           (chats_webhook_outcome_e)o)),
                          u64(p, n));
            }
        }
    }
    v->family(ctx, "chatsession_webhook_delivery_lag_seconds", "histogram",
              "Time from an event's capture (its change's statement) to "
              "its receiver's 2xx.");
    for (b = 0; b <= NLAG; b++) {
        total += apr_atomic_read64(&shm->wh_lag[b]);
        v->sample(ctx, "chatsession_webhook_delivery_lag_seconds_bucket",
                  apr_psprintf(p, "le=\"%s\"",
                               b < NLAG ? lag_labels[b] : "+Inf"),
                  u64(p, total));
    }
    v->sample(ctx, "chatsession_webhook_delivery_lag_seconds_sum", "",
              seconds(p, apr_atomic_read64(&shm->wh_lag_us)));
    v->sample(ctx, "chatsession_webhook_delivery_lag_seconds_count", "",
              u64(p, total));
    v->family(ctx, "chatsession_webhook_leader", "gauge",
              "1 when a process of this server delivers the database's "
              "webhook events.");
    v->sample(ctx, "chatsession_webhook_leader", "", leader ? "1" : "0");
    if (!leader) {
        return;                 /* the outbox is the leader's to report */
    }
    v->family(ctx, "chatsession_webhook_outbox_depth", "gauge",
              "Webhook events waiting to be delivered (the leader's last "
              "look, once a second).");
    v->sample(ctx, "chatsession_webhook_outbox_depth", "",
              u64(p, apr_atomic_read64(&shm->wh_depth)));
    v->family(ctx, "chatsession_webhook_outbox_oldest_seconds", "gauge",
              "Age of the oldest of them.");
    v->sample(ctx, "chatsession_webhook_outbox_oldest_seconds", "",
              seconds(p, apr_atomic_read64(&shm->wh_oldest_us)));
}

int chats_metrics_walk(const chats_metrics_visitor_t *v, void *ctx,
                       apr_pool_t *p)
{
    if (!shm) {
        return 0;
    }
    walk_requests(v, ctx, p);
    walk_latency(v, ctx, p);
    walk_pg(v, ctx, p);
    walk_auth(v, ctx, p);
    walk_webhooks(v, ctx, p);
    return 1;
}
