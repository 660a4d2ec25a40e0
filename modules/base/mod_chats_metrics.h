/* Counters for operators (README "Monitoring"): requests, latency,
 * statements, PostgreSQL errors, authentication and pool failures. They
 * live in one anonymous shared memory segment that the parent makes in
 * post_config and every child inherits, so that a scrape sees the whole
 * server, whichever process answers it, and what recycled children
 * counted stays. Every update is an atomic add: event MPM threads share
 * a process. */
#ifndef CHATS_METRICS_H
#define CHATS_METRICS_H

#include <apr_pools.h>
#include <apr_time.h>

#include "mod_chats_private.h"

/* Request notes for the access log (LogFormat %{chats-id}n ...). */
#define CHATS_NOTE_ASSOCIATE "chats-associate"
#define CHATS_NOTE_SESSION   "chats-id"
#define CHATS_NOTE_SQL_US    "chats-sql-us"

/** Make or find the segment (post_config, in the parent). */
apr_status_t chats_metrics_init(server_rec *s);

/** A request the chatsession handler served, and how long it took. */
void chats_metrics_request(const char *method, int status,
                           apr_interval_time_t took);
/** A 401 answered to a request that sent the given Authorization value
 * (NULL: none); the scheme is its first word. */
void chats_metrics_auth_failure(const char *authorization);
struct pg_result;                   /* libpq's PGresult */

/** A statement sent to PostgreSQL on r's behalf, from t0 until now: its
 * time goes to r's chats-sql-us note, and a failed result (NULL when
 * libpq had none) to the errors by SQLSTATE class. */
void chats_metrics_statement(request_rec *r, apr_time_t t0,
                             const struct pg_result *res);
/** No usable pooled connection (ap_dbd_open gave none, or a broken one
 * that would not reset). */
void chats_metrics_pool_failure(void);

/** A webhook delivery attempt of event ("chatsession.changed", ...) and
 * its outcome (chats_webhook_outcome_e); lag, from the event's capture
 * to a 2xx, or < 0 when it was none. */
void chats_metrics_webhook(const char *event, int outcome,
                           apr_interval_time_t lag);
/** The deliverer's look at the outbox: whether a process of this server
 * delivers (0: the gauges below are not reported), the events waiting,
 * the oldest one's age, and whether an Active webhook exists (1 yes, 0
 * no, -1 unknown). */
void chats_metrics_webhook_outbox(int leader, apr_uint64_t depth,
                                  apr_interval_time_t oldest, int active);

/** Did this server's deliverer see, within the last few seconds, that no
 * webhook is Active? Then a write may leave its webhook capture to the
 * triggers (chats_plan_in_t.triggers_capture): a hint, never needed
 * for correctness, since the triggers capture whatever a statement does
 * not. 0 when unknown (no process of this server delivers). */
int chats_metrics_webhooks_none(void);

/** r's SQL time so far, microseconds (0 when nothing ran). */
apr_uint64_t chats_metrics_sql_us(request_rec *r);
/** Notes for the access log: the caller's associate, the session id. */
void chats_note_associate(request_rec *r, apr_int32_t associate_id);
void chats_note_session(request_rec *r, apr_int32_t id);

/** What a scrape walks: each family once, then its samples. labels is
 * the text between the braces ("" for none); value is printed already. */
typedef struct {
    void (*family)(void *ctx, const char *name, const char *type,
                   const char *help);
    void (*sample)(void *ctx, const char *name, const char *labels,
                   const char *value);
} chats_metrics_visitor_t;

/** Walk the counters as they are now; 0 when there is no segment. */
int chats_metrics_walk(const chats_metrics_visitor_t *v, void *ctx,
                       apr_pool_t *p);

#endif
