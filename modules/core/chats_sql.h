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
    CHATS_P_INT8_ARRAY
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

/** The name of the first column of the row layout below (the session's
 * id): a row to render is read from this column on (chats_rows_from). */
#define CHATS_SQL_ROW "chats_row"

/** How a row is read: in UTC, or with each date-time's offset in the
 * request's zone ($1) beside it. */
typedef enum {
    CHATS_READ_UTC = 0,
    CHATS_READ_ZONED = 1
} chats_read_e;

typedef struct chats_sql_t {
    /** Select list over a chat_session row called "cs" (see the row
     * layout below), per chats_read_e. */
    const char *list[2];
    int ncols[2];
    /** One session by id: [UTC] $1 = id; [ZONED] $1 = zone, $2 = id. */
    chats_stmt_t get[2];
    chats_stmt_t password;   /**< $1 login -> password_hash           */
    /** The agent's actions (chats_action_sql.h); NULL: a bug. */
    const struct chats_action_sql_t *act;
} chats_sql_t;

/** Row layout (its first column named CHATS_SQL_ROW): for each field
 * one column, then version, then updated_at
 * as whole seconds since the epoch. Date-times come as microseconds since
 * the epoch, booleans as t/f. A carrier's column is NULL or a JSON array
 * of its members' values in the same forms (its key first; booleans as
 * true/false), made by its function in conf/render.sql. CHATS_READ_ZONED
 * adds after each date-time its offset from UTC in $1's zone at that
 * instant, in seconds. */
const chats_sql_t *chats_sql_build(apr_pool_t *p);

/** Field f's column(s) in chats_sql_build's row layout, over "cs"
 * ([ZONED]: $1 is the zone), joined by commas: what a list selects per
 * field. */
const char *chats_sql_field_cols(apr_pool_t *p, const chats_field_t *f,
                                 chats_read_e how);

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
 *   2  carriers rendered by functions (render.sql), schema versioned
 *   3  messages, topic members, the archive list (upgrade/3.sql)
 *   4  chat_session's foreign keys named (upgrade/4.sql): errors map
 *      constraint names to fields through a table
 * Raise it with every change to the conf/ SQL the module depends on, and
 * give modules/tools/chatsession-db the step from the version before. */
#define CHATS_SCHEMA_VERSION 4

/** The query of a database's schema version: one row, 0 when nothing is
 * recorded; SQLSTATE 42P01 when there is no version table (an empty
 * database, or one from before versions were recorded). */
#define CHATS_SQL_SCHEMA_VERSION \
    "SELECT coalesce(max(version), 0) FROM chats_schema_version"

/** The SQL that records CHATS_SCHEMA_VERSION (the end of conf/render.sql,
 * which `chatsession-db upgrade` loads last). */
const char *chats_sql_version_stamp(apr_pool_t *p);

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
