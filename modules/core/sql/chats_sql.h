/* SQL text derived from the field table: the columns a chat session is
 * read with (its rendering), and the pieces the write planner builds its
 * statements from (chats_plan_sql.c). Every request value travels as a
 * bound parameter ($n), never as SQL text. Core header. */
#ifndef CHATS_SQL_H
#define CHATS_SQL_H

#include <apr_pools.h>

#include "chats_schema.h"

/** Parameter types, for statements whose parameters are not all
 * referenced (a diagnosis leaves out what it need not evaluate). */
typedef enum {
    CHATS_P_TEXT, CHATS_P_INT2, CHATS_P_INT4, CHATS_P_INT8, CHATS_P_BOOL,
    CHATS_P_FLOAT8, CHATS_P_TIMESTAMPTZ, CHATS_P_TIMESTAMP,
    CHATS_P_INT8_ARRAY, CHATS_P_JSONB
} chats_ptype_e;

/** Whether the store may run a statement again on a fresh connection
 * after the first one was lost under it. */
typedef enum {
    /** It may have written before the socket died (its COMMIT may have
     * gone through): running it twice could write twice. */
    CHATS_RETRY_NEVER = 0,
    /** It only reads: run again when it ran outside any transaction (the
     * store checks that, PQtransactionStatus); inside one, the lock or
     * snapshot it belonged to is gone with the connection. */
    CHATS_RETRY_SAFE
} chats_retry_e;

/** A statement, declared once: SQL with $n parameters and what the store
 * must know to run it.
 * - name: a fixed name for the static statements (unique across the
 *   module: "chats_<verb>"), NULL for generated ones, which the store
 *   names by their text; label: what logs and traces call those.
 * - types: the parameters' types (nparams of them), NULL to let
 *   PostgreSQL infer them from the text.
 * - cols: the result columns its readers use, by name (NULL-terminated;
 *   the store refuses a result that lacks one): callers read a column by
 *   its name (chats_rows_get), never by its position. */
typedef struct {
    const char *name;
    const char *sql;
    chats_retry_e retry;
    int nparams;
    const chats_ptype_e *types;
    const char *const *cols;
    const char *label;
} chats_stmt_t;

/** What every write of a session row ("cs") sets besides its fields:
 * both validators move on, in every statement that writes the row (the
 * planner's, the actions', the messages'). */
#define CHATS_SQL_BUMP \
    CHATS_COL_VERSION " = cs." CHATS_COL_VERSION " + 1, " \
    CHATS_COL_UPDATED " = now()"

/** ... and who wrote it (A: SQL of the caller's associate id, 0 for one
 * who is no associate): a webhook event's ChangedByAssociateId. */
#define CHATS_SQL_BUMP_BY(A) \
    CHATS_SQL_BUMP ", " CHATS_COL_UPDATED_BY " = NULLIF(" A ", 0)"

/** The name of the first column of the row layout below (the session's
 * id): a row to render is read from this column on (chats_rows_from). */
#define CHATS_SQL_ROW "chats_row"

/** How a row is read: in UTC, or with each date-time's offset in the
 * request's zone ($1) beside it. */
typedef enum {
    CHATS_READ_UTC = 0,
    CHATS_READ_ZONED = 1
} chats_read_e;

/** An entity's statements and row layout (chats_entity_sql_build). */
typedef struct chats_entity_sql_t {
    const chats_entity_def_t *def;
    /** Select list over a row of def's table called "cs" (see the row
     * layout below), per chats_read_e. */
    const char *list[2];
    int ncols[2];
    /** One row by id: [UTC] $1 = id; [ZONED] $1 = zone, $2 = id. */
    chats_stmt_t get[2];
    /** def->in_use: $1 = id; one row, n = how many refer to it (the
     * count a refused DELETE names). Unset without in_use. */
    chats_stmt_t in_use;
    /** With a read guard (def->rights->read_guard), what a caller below
     * need[READ].any reads. get's row by id, with two columns after the
     * layout's: may_read, may_write (the rule's guard holds: a topic's
     * manager), true/false; [UTC] $1 = id, $2 = the caller's associate
     * id (0: none); [ZONED] $1 = zone, $2 = id, $3 = the caller. */
    chats_stmt_t get_guarded[2];
    /** The rows the read guard gives the caller, key order, the same two
     * columns after each; [UTC] $1 = the caller; [ZONED] $1 = zone, $2 =
     * the caller. Unset without a read guard. */
    chats_stmt_t mine[2];
    /** def->extras->filters: the rows that pass every filter given, key
     * order; [UTC] $1.. = the filters' values in their order (NULL: that
     * filter is not applied); [ZONED] $1 = zone, then those. Unset
     * without filters. */
    chats_stmt_t filtered[2];
} chats_entity_sql_t;

typedef struct chats_sql_t {
    /** ChatSessionEntity's (chats_session_def). */
    const chats_entity_sql_t *session;
    /** Every served entity's, chats_entity_defs' order (session first),
     * NULL-terminated. */
    const chats_entity_sql_t **entities;
    chats_stmt_t password;   /**< $1 login -> password_hash           */
    /** The agent's actions (chats_action_sql.h), built over the rest by
     * chats_action_sql_build, above this file, and set by the caller of
     * chats_sql_build; NULL: a bug. */
    const struct chats_action_sql_t *act;
    /** The messages' statements (chats_message_sql.h), built and set
     * like act; NULL: a bug. */
    const struct chats_message_sql_t *msg;
    /** The ChatTopic family's (chats_agents_sql.h: topic agents,
     * presence, IsOpen), built and set like act; NULL: a bug. */
    const struct chats_agents_sql_t *agents;
    /** An Idempotency-Key's stored answer ($1 associate, $2 key, $3
     * fingerprint as hex): no row when none is live; else same (the
     * fingerprints are equal), status, entity_id (NULL: a null answer). */
    chats_stmt_t idem_lookup;
    /** Record the answer of a request that wrote nothing ($1 associate,
     * $2 key, $3 fingerprint, $4 status, $5 entity id or NULL): one row,
     * stored = 0 when a live key of that name was there first. */
    chats_stmt_t idem_record;
} chats_sql_t;

/** The module's statements: ChatSessionEntity's (chats_entity_sql_build),
 * the password's and the Idempotency-Key's. The agent's actions (act)
 * and the messages' (msg) are left to the caller. */
chats_sql_t *chats_sql_build(apr_pool_t *p);

/** def's statements and row layout in sql, or NULL when sql has none
 * (a def without a resource). */
const chats_entity_sql_t *chats_sql_entity(const chats_sql_t *sql,
                                           const chats_entity_def_t *def);

/** def's statements and row layout.
 * Row layout (its first column named CHATS_SQL_ROW): for each field
 * one column (a group: one per member, in order; a derived field: its
 * expression; a time of day: its seconds), then version, then updated_at
 * as whole seconds since the epoch. Date-times come as microseconds since
 * the epoch, booleans as t/f. A carrier's column is NULL or a JSON array
 * of its members' values in the same forms (its key first; booleans as
 * true/false), made by its function in conf/render.sql. CHATS_READ_ZONED
 * adds after each date-time its offset from UTC in $1's zone at that
 * instant, in seconds. Its statements are named after def's
 * stmt_prefix ("chats_get", "chats_get_zoned"). */
chats_entity_sql_t *chats_entity_sql_build(apr_pool_t *p,
                                          const chats_entity_def_t *def);

/** Field f's column(s) in chats_sql_build's row layout, over "cs"
 * ([ZONED]: $1 is the zone), joined by commas: what a list selects per
 * field. */
const char *chats_sql_field_cols(apr_pool_t *p, const chats_field_t *f,
                                 chats_read_e how);

/** Field f's value over the row "cs": its column, or a derived field's
 * expression (parenthesised). */
const char *chats_sql_field_value(apr_pool_t *p, const chats_field_t *f);

/** The SQL script that creates the carriers' rendering functions
 * (conf/render.sql): one per carrier table, chats_carrier_<table>(key,
 * zone) returning the JSON array of a carrier's column (see the layout
 * above; zone NULL: UTC). */
const char *chats_sql_carrier_ddl(apr_pool_t *p);

/** The version of the database schema (conf/schema.sql, auth.sql,
 * locale.sql, render.sql as a whole) that this module reads and writes.
 * `chatsession-db upgrade` records it in chats_schema_version, and the
 * module refuses a database at another version. Versions shipped:
 *   1  the first release: schema.sql, auth.sql, locale.sql
 *   2  carriers rendered by functions (render.sql), schema versioned;
 *      upgrade/2.sql adds the carriers' members the oldest lack
 *   3  messages, topic members, the archive list (upgrade/3.sql)
 *   4  chat_session's foreign keys named (upgrade/4.sql): errors map
 *      constraint names to fields through a table
 *   5  chats_idempotency: Idempotency-Key's stored answers (upgrade/5.sql
 *      checks the table a same-named one did not keep from being made)
 *   6  ChatTopicEntity's columns and lookups, chat_presence, user_group,
 *      chats_topic_is_open() (upgrade/6.sql)
 *   7  webhooks: updated_by on the versioned tables, chats_webhook, its
 *      outbox and test pings (upgrade/7.sql); the capture triggers are
 *      render.sql's
 * Raise it with every change to the conf/ SQL the module depends on: a
 * change to a table goes into schema.sql (the current version, for an
 * empty database) and into conf/upgrade/N.sql (the step from N-1, the
 * only SQL an older database's tables get), and the schema.sql of N-1
 * into t/data/schema/ (t/api/schema_upgrade.t holds the two roads
 * together). */
#define CHATS_SCHEMA_VERSION 8

/** The query of a database's schema version: one row, 0 when nothing is
 * recorded; SQLSTATE 42P01 when there is no version table (an empty
 * database, or one from before versions were recorded). */
#define CHATS_SQL_SCHEMA_VERSION \
    "SELECT coalesce(max(version), 0) FROM chats_schema_version"

/** The SQL that records CHATS_SCHEMA_VERSION (the end of conf/render.sql,
 * which `chatsession-db upgrade` loads last). */
const char *chats_sql_version_stamp(apr_pool_t *p);

/* ---- Idempotency-Key (README "Retrying writes safely") ---------------
 * A write sent with a key records it in the same statement, in
 * chats_idempotency (conf/schema.sql): per associate and key, the
 * request's fingerprint, the answer's status and the entity's id. The
 * pieces below are written with the parameters' references as macro
 * arguments: A the associate (int4), K the key (text), F the fingerprint
 * (SHA-256 as hex text), S the status (int2), SRC the CTE holding the
 * rows the write wrote (their column id is the entity's id). */

/** How long a key answers (a PostgreSQL interval), and its most bytes. */
#define CHATS_IDEM_TTL "24 hours"
#define CHATS_IDEM_KEY_MAX 255

/** The primary key of chats_idempotency: the store maps its unique
 * violation to CHATS_E_KEY_REUSED. */
#define CHATS_IDEM_CONSTRAINT "chats_idempotency_pk"

/** CTEs chats_kd, chats_kp: the expired rows go, the key's own (so that
 * it may be used again) and at most 8 others, oldest first, taken once
 * (ctid = ANY of an array: the LIMIT is not re-run per row) and never
 * waited for (SKIP LOCKED). */
#define CHATS_SQL_IDEM_PURGE(A, K) \
    "chats_kd AS (DELETE FROM chats_idempotency d WHERE d.associate_id = " \
    A " AND d.idem_key = " K " AND d.created_at < now() - interval '" \
    CHATS_IDEM_TTL "' RETURNING 1), chats_kp AS (DELETE FROM" \
    " chats_idempotency d WHERE d.ctid = ANY (ARRAY(SELECT o.ctid FROM" \
    " chats_idempotency o WHERE o.created_at < now() - interval '" \
    CHATS_IDEM_TTL "' AND NOT (o.associate_id = " A " AND o.idem_key = " \
    K ") ORDER BY o.created_at LIMIT 8 FOR UPDATE SKIP LOCKED)))"

/** The purge, then CTE chats_k: the key recorded from the write's rows
 * (after chats_kd: it reads its count). No row written, no key; a live
 * key of that name is a unique violation that undoes the whole
 * statement, write included, after waiting for the transaction that
 * holds it to end. */
#define CHATS_SQL_IDEM_CTES(A, K, F, S, SRC) \
    CHATS_SQL_IDEM_PURGE(A, K) ", chats_k AS (INSERT INTO chats_idempotency" \
    " (associate_id, idem_key, fingerprint, status, entity_id) SELECT " A \
    ", " K ", decode(" F ", 'hex'), " S ", " SRC ".id FROM " SRC " WHERE" \
    " (SELECT count(*) FROM chats_kd) >= 0)"

/** True when the associate has no live key of that name: a keyed write
 * writes nothing when it is a repeat (the statement's snapshot). */
#define CHATS_SQL_IDEM_UNUSED(A, K) \
    "NOT EXISTS (SELECT 1 FROM chats_idempotency ki WHERE ki.associate_id" \
    " = " A " AND ki.idem_key = " K " AND ki.created_at >= now() -" \
    " interval '" CHATS_IDEM_TTL "')"

/** A keyed statement's references to its key parameters ("$9::int4"). */
typedef struct {
    const char *assoc, *key, *fp, *status;
} chats_idem_refs_t;

/** The references of four parameters numbered from first: the
 * associate, the key, the fingerprint, the status. */
void chats_sql_idem_refs(apr_pool_t *p, int first, chats_idem_refs_t *refs);

/** write, a statement that begins "WITH ", with CHATS_SQL_IDEM_CTES
 * before its own CTEs (WITH RECURSIVE: they may name src, defined after
 * them), src the CTE of its written rows. NULL when write does not
 * begin with WITH. */
const char *chats_sql_idem_keyed(apr_pool_t *p, const char *write,
                                 const chats_idem_refs_t *refs,
                                 const char *src);

/** CHATS_SQL_IDEM_UNUSED over refs. */
const char *chats_sql_idem_unused(apr_pool_t *p,
                                  const chats_idem_refs_t *refs);

/** The parameter type of a column of this field type. */
chats_ptype_e chats_sql_ptype(chats_ftype_e type);

/** The SQL name of a parameter type ("text", "int4", ...), for casts. */
const char *chats_sql_ptype_name(chats_ptype_e type);

/** The value of carrier member s (of field f) as an expression: from the
 * carrier row whose key is the SQL expression key ("cs.user_id", or a
 * parameter), NULL when key is NULL or names no row. */
const char *chats_sql_member(apr_pool_t *p, const chats_field_t *f,
                             const chats_subfield_t *s, const char *key);

#endif
