/* Webhooks' SQL (issue 20; README "Webhooks"): the capture of the
 * module's own events, made from the field tables. Core header: APR only.
 *
 * Capture is in the statement that makes the change: no change commits
 * without its events and no event outlives a change that rolled back.
 * The planner's writes to a session (PATCH, PUT, POST, an agent's Save)
 * capture in their own statement, a data-modifying CTE after the UPDATE
 * or INSERT: the UPDATE's SET sees the row version it replaces, so it
 * records which fields it changed in the row (webhook_changes) for the
 * CTE to name. Every other path that writes a session (the actions, the
 * messages, SQL from elsewhere) is covered by AFTER ROW triggers, which
 * leave a row the planner's statement marked (webhook_version) alone.
 * A trigger cost as much again as the write it captured (bench/
 * RESULTS.md); the CTE, a fifth. */
#ifndef CHATS_WEBHOOK_SQL_H
#define CHATS_WEBHOOK_SQL_H

#include <apr_pools.h>

#include "chats_schema.h"

/** The module's event names (SuperOffice's, [D] chat-events.md) and the
 * Entity of their bodies. */
#define CHATS_WEBHOOK_EV_CREATED "chatsession.created"
#define CHATS_WEBHOOK_EV_CHANGED "chatsession.changed"
#define CHATS_WEBHOOK_EV_MESSAGE "chatsession.message"
#define CHATS_WEBHOOK_EV_TEST    "test"
#define CHATS_WEBHOOK_ENTITY     "chatsession"

/** The capture script (part of conf/render.sql, chats-schema
 * --render-sql; replaced when loaded again):
 *  - chats_webhook_session(), AFTER INSERT OR UPDATE ON chat_session
 *    (triggers _insert and _update, but for a row the planner's
 *    statement captured itself): chatsession.created for a new row (Changes []), chatsession.changed
 *    when a field an API client sees changed (Changes: the fields, as
 *    "chatSession.<camelName>", a carrier as "<name>Id"). A statement
 *    that posts a message (it moves last_message_id) reports its own
 *    bookkeeping (FirstMessage, LastMessage, WhenIdle, a move between the
 *    two active states) in the message event rather than here.
 *  - chats_webhook_message(), AFTER INSERT ON chat_message:
 *    chatsession.message, with SuperOffice's fixed Changes list and
 *    FieldValues plus the message's id (MessageId).
 *  - chats_webhook_forget(), AFTER DELETE ON chats_webhook: its rows go.
 * Each writes one outbox row per Active webhook subscribed to the event,
 * all with one EventId; FieldValues are SuperOffice's 13 members of the
 * session (chats_webhook_values); ChangedByAssociateId is the row's
 * updated_by. With no Active webhook a trigger costs one probe. */
const char *chats_webhook_capture_ddl(apr_pool_t *p);

/** chat_session's two capture columns (schema version 8): the version
 * the planner's statement wrote, and the fields it changed (bit k: the
 * k-th field Changes may name, in field-table order). A trigger leaves
 * an INSERT that sets webhook_version, and an UPDATE that moves it, to
 * the statement. */
#define CHATS_COL_WEBHOOK_VERSION "webhook_version"
#define CHATS_COL_WEBHOOK_CHANGES "webhook_changes"

/** The CTE that captures the planner's write, and the EventId its
 * written row returns. */
#define CHATS_WEBHOOK_CTE "chats_events"
#define CHATS_WEBHOOK_EVENT_ID "chats_event_id"

/** How the outbox keeps a FieldValues member. */
typedef enum {
    CHATS_WHV_INT,          /**< a number (field_ints)                    */
    CHATS_WHV_KEY,          /**< a foreign key, 0 when missing            */
    CHATS_WHV_BOOL,         /**< true/false, kept as 1/0                  */
    CHATS_WHV_TEXT          /**< a string (field_texts)                   */
} chats_webhook_value_e;

typedef struct {
    const char *column;     /**< the session's; its PascalCase is the name */
    chats_webhook_value_e kind;
} chats_webhook_value_t;

/** A message event's FieldValues member after the session's numbers. */
#define CHATS_WEBHOOK_MESSAGE_ID "MessageId"

/** FieldValues' members in the outbox's order; *pn gets their number.
 * The numbers (all but the TEXT ones) are field_ints in this order,
 * then a message event's MessageId; the texts are field_texts. */
const chats_webhook_value_t *chats_webhook_values(int *pn);

/** v's name in FieldValues: its column in PascalCase ("TopicId"). */
const char *chats_webhook_value_name(apr_pool_t *p,
                                     const chats_webhook_value_t *v);

/** For the planner's UPDATE of def: the SET items that mark the row
 * captured and record which of the n columns (values: their new value's
 * SQL, over the row "cs") it changed; "" when the statement does not
 * capture (def is not the session), and the triggers do. */
const char *chats_webhook_capture_set(apr_pool_t *p,
                                      const chats_entity_def_t *def, int n,
                                      const char *const *columns,
                                      const char *const *values);

/** For the planner's write to def: what its RETURNING adds (the event's
 * EventId), or "" as for chats_webhook_capture_set. */
const char *chats_webhook_capture_returning(const chats_entity_def_t *def,
                                            int n, const char *const *columns);

/** For the planner's write to def (created: an INSERT): the CTE
 * ", chats_events AS (INSERT INTO chats_webhook_outbox ...)" over the
 * written row "w" (RETURNING its columns); "" as for
 * chats_webhook_capture_set.
 * An INSERT marks its row by setting webhook_version (to 1, its version);
 * an UPDATE names in Changes those of its n columns that changed. */
const char *chats_webhook_capture_cte(apr_pool_t *p,
                                      const chats_entity_def_t *def,
                                      int created, int n,
                                      const char *const *columns);

/* ---- the deliverer's statements (its own connection, never a pooled
 * one, outside any transaction: each is one statement) ---------------- */

/** What every statement of the deliverer starts with: it finds them in
 * pg_stat_statements, and tests that count a request's statements leave
 * them out. */
#define CHATS_WEBHOOK_SQL_TAG "/* mod_chatsession-webhook */ "

/** The advisory lock whose holder is the database's one deliverer. */
#define CHATS_WEBHOOK_LOCK_KEY "7206531938440114001"
#define CHATS_WEBHOOK_SQL_LOCK \
    CHATS_WEBHOOK_SQL_TAG "SELECT pg_try_advisory_lock(" CHATS_WEBHOOK_LOCK_KEY ") AS held"

/** Delivered rows go and the next events are taken, in one statement:
 * a busy deliverer makes one round trip per turn, not two, and the
 * delete and the claim that follows it commit together.
 *  - $4 int8[]: rows delivered since the last turn. They go, their
 *    webhooks count the calls, and a 2xx ends a run of errors.
 *  - then the next events to send ($1 int4: at most this many, 0 for
 *    none; $2 int8[]: the rows in flight; $3 int4[]: webhooks that have
 *    as many in flight as they may, left out; $5 int4: at most this many
 *    of each webhook): the head of each (webhook, entity, primary key)
 *    if its time has come and it is not in flight, in id order, with its
 *    webhook. The statement's snapshot still has the rows of $4, so they
 *    are passed over as if gone: the next row of a scope is its head at
 *    once.
 * Only a scope's head goes, so a session's events reach a webhook one
 * at a time, in commit order. A head is found within the webhook's
 * window, its first CHATS_WEBHOOK_WINDOW rows (in flight, waiting for a
 * retry, or due): a row is its scope's head when no row before it in the
 * window is of its scope, since no row of the webhook comes before the
 * window. One scan of the webhook's index and a sort of the window, with
 * no probe per row: a claim costs the same whatever the outbox holds, a
 * session with thousands of events waiting (whose deleted rows crowd the
 * head of any index on its scope) as much as thousands of sessions with
 * one. Rows past the window wait until it moves (a webhook whose
 * receiver is slow or down holds back only its own events). */
#define CHATS_WEBHOOK_WINDOW "128"
#define CHATS_WEBHOOK_SQL_CLAIM \
    CHATS_WEBHOOK_SQL_TAG "WITH d AS (DELETE FROM chats_webhook_outbox" \
    " WHERE id = ANY($4::int8[]) RETURNING webhook_id)," \
    " n AS (UPDATE chats_webhook h SET total_calls = h.total_calls + n.calls," \
    " consecutive_errors = 0" \
    " FROM (SELECT webhook_id, count(*) AS calls FROM d GROUP BY 1) n" \
    " WHERE h.id = n.webhook_id RETURNING 1)" \
    " SELECT o.id, o.webhook_id," \
    " o.event_id::text AS event_id, o.event, o.entity, o.primary_key," \
    " o.changes::text AS changes, o.field_values::text AS field_values," \
    " array_to_json(o.field_ints)::text AS field_ints," \
    " array_to_json(o.field_texts)::text AS field_texts," \
    " o.actor, (extract(epoch FROM o.captured_at) * 1000000)::int8" \
    " AS captured_us, o.attempts, h.name, h.target_url, h.secret," \
    " h.headers::text AS headers, h.properties::text AS properties," \
    " h.state" \
    " FROM chats_webhook h CROSS JOIN LATERAL (SELECT * FROM" \
    " (SELECT x.*, row_number() OVER (PARTITION BY x.entity," \
    " x.primary_key ORDER BY x.id) AS k FROM (SELECT *" \
    " FROM chats_webhook_outbox x WHERE x.webhook_id = h.id" \
    " AND x.id <> ALL($4::int8[])" \
    " ORDER BY x.id LIMIT " CHATS_WEBHOOK_WINDOW ") x) w" \
    " WHERE w.k = 1 AND w.not_before <= now()" \
    " AND w.id <> ALL($2::int8[])" \
    " ORDER BY w.id LIMIT $5::int4) o" \
    " WHERE h.id <> ALL($3::int4[])" \
    " ORDER BY o.id LIMIT $1::int4"

/** Delivered ($1 int8[]) when no claim follows (the deliverer stops):
 * as the claim's first part. */
#define CHATS_WEBHOOK_SQL_ACK \
    CHATS_WEBHOOK_SQL_TAG "WITH d AS (DELETE FROM chats_webhook_outbox" \
    " WHERE id = ANY($1::int8[]) RETURNING webhook_id)" \
    " UPDATE chats_webhook h SET total_calls = h.total_calls + n.calls," \
    " consecutive_errors = 0" \
    " FROM (SELECT webhook_id, count(*) AS calls FROM d GROUP BY 1) n" \
    " WHERE h.id = n.webhook_id"

/** A failed try to be tried again ($1 int8 row, $2 int4 ms from now,
 * $3 text LastError). */
#define CHATS_WEBHOOK_SQL_RETRY \
    CHATS_WEBHOOK_SQL_TAG "WITH o AS (UPDATE chats_webhook_outbox SET attempts = attempts + 1," \
    " not_before = now() + $2::int4 * interval '1 millisecond'" \
    " WHERE id = $1::int8 RETURNING webhook_id)" \
    " UPDATE chats_webhook h SET total_calls = h.total_calls + 1," \
    " total_errors = h.total_errors + 1, last_error = $3::text" \
    " FROM o WHERE h.id = o.webhook_id"

/** The last try failed ($1 int8 row, $2 text LastError, $3 int4 the
 * errors in a row that stop the webhook): the event is dropped, the
 * run of errors grows, and at $3 the webhook is TooManyErrors. */
#define CHATS_WEBHOOK_SQL_DROP \
    CHATS_WEBHOOK_SQL_TAG "WITH o AS (DELETE FROM chats_webhook_outbox WHERE id = $1::int8" \
    " RETURNING webhook_id)" \
    " UPDATE chats_webhook h SET total_calls = h.total_calls + 1," \
    " total_errors = h.total_errors + 1, last_error = $2::text," \
    " consecutive_errors = h.consecutive_errors + 1," \
    " state = CASE WHEN h.state = 1" \
    " AND h.consecutive_errors + 1 >= $3::int4 THEN 3 ELSE h.state END" \
    " FROM o WHERE h.id = o.webhook_id"

/** Rows whose webhook is gone (captured while its delete committed). */
#define CHATS_WEBHOOK_SQL_ORPHANS \
    CHATS_WEBHOOK_SQL_TAG "DELETE FROM chats_webhook_outbox o" \
    " WHERE NOT EXISTS (SELECT 1 FROM chats_webhook h" \
    " WHERE h.id = o.webhook_id)"

/** Rows of webhooks no longer Active ($1 int8[]): they go unsent. */
#define CHATS_WEBHOOK_SQL_DISCARD \
    CHATS_WEBHOOK_SQL_TAG "DELETE FROM chats_webhook_outbox WHERE id = ANY($1::int8[])"

/** Test pings not tried yet ($1 int8[]: those in flight, left out), the
 * oldest first, a few at a time: each is sent once, at once, outside
 * the outbox's order (mod_chats_deliver_probe.c). */
#define CHATS_WEBHOOK_SQL_PROBES \
    CHATS_WEBHOOK_SQL_TAG "SELECT id, event_id::text AS event_id, name," \
    " target_url, secret, headers::text AS headers," \
    " properties::text AS properties, actor," \
    " (extract(epoch FROM created_at) * 1000000)::int8 AS created_us" \
    " FROM chats_webhook_probe WHERE done_at IS NULL" \
    " AND id <> ALL($1::int8[]) ORDER BY id LIMIT 8"

/** A test ping's outcome ($1 int8 row, $2 bool 2xx, $3 text what the
 * receiver answered or why it failed), for the request that waits. */
#define CHATS_WEBHOOK_SQL_PROBE_DONE \
    CHATS_WEBHOOK_SQL_TAG "UPDATE chats_webhook_probe SET done_at = now()," \
    " ok = $2::bool, message = $3::text WHERE id = $1::int8"

/** Test pings nobody came back for (a request that went away). */
#define CHATS_WEBHOOK_SQL_PROBE_PURGE \
    CHATS_WEBHOOK_SQL_TAG "DELETE FROM chats_webhook_probe" \
    " WHERE created_at < now() - interval '1 hour'"

/** The outbox's depth, its oldest row's age in seconds, and whether a
 * webhook is Active (1 or 0). */
#define CHATS_WEBHOOK_SQL_DEPTH \
    CHATS_WEBHOOK_SQL_TAG "SELECT count(*) AS depth, coalesce(extract(epoch FROM" \
    " clock_timestamp() - min(captured_at)), 0)::float8 AS oldest," \
    " (SELECT count(*) FROM (SELECT 1 FROM chats_webhook WHERE state = 1" \
    " LIMIT 1) a) AS active FROM chats_webhook_outbox"

#endif
