/* The write planner (ARCHITECTURE.md "Writes are one statement"): a PATCH
 * (JSON Patch ops or a merge), PUT, POST or DELETE compiled, without the
 * row, into what one SQL statement does: the columns it sets, and the
 * checks that need the row, as predicates over it. PostgreSQL's row lock
 * then orders concurrent writers, and every check is evaluated against
 * the row actually written.
 *
 * A check is either decided here (the value is known: an op acting on a
 * value an earlier op set, a bad value, the template of a new session) or
 * is an SQL predicate over the row "cs". Checks are kept in the order the
 * contract decides failures: the session exists (404), it is the caller's
 * own (update_own, 403), the preconditions (412), then the ops in order
 * (400 read-only or bad value, 409 failed test), then the caller's rights
 * on the result (403 naming the field). The first failing check is the
 * answer; compiling stops at the first check decided false here.
 *
 * The statements do not grow with the number of ops (issue 17: 2,000
 * test ops once made a diagnosis wider than PostgreSQL's 1664 columns,
 * 25,000 a statement that took minutes to build). A predicate's values
 * are slots, not parameters: a check identical to an earlier one (same
 * predicate, same values) is dropped, as the earlier one fails first;
 * checks of one predicate with other values are evaluated together,
 * their values bound as one array per slot; and the diagnosis returns,
 * in one column, where each predicate first fails. Values written take
 * one parameter per field, whatever number of ops set it.
 *
 * Core: no httpd, no connection (chats_plan_sql.c turns a plan into
 * statements and reads their answers). */
#ifndef CHATS_PLAN_H
#define CHATS_PLAN_H

#include <apr_hash.h>

#include "chats_caller.h"
#include "chats_doc.h"
#include "chats_err.h"
#include "chats_patch.h"
#include "chats_precond.h"
#include "chats_schema.h"
#include "chats_sql.h"

typedef enum {
    CHATS_PLAN_UPDATE,         /**< PATCH, PUT                          */
    CHATS_PLAN_INSERT,         /**< POST                                */
    CHATS_PLAN_DELETE
} chats_plan_kind_e;

/** The caller's own rule on a value a plan writes, beyond its type (a
 * webhook's URL and headers, checked by glue that knows them), with the
 * caller's ctx (chats_plan_in_t.check_ctx): NULL, or CHATS_E_INVALID
 * naming name (the field, or its path). */
typedef chats_err_t *chats_value_check_fn(const void *ctx, apr_pool_t *p,
                                          const chats_field_t *f,
                                          const char *name,
                                          const chats_doc_t *v);

typedef struct {
    const chats_entity_def_t *entity; /**< whose row: chats_session_def,
                                           ...                           */
    chats_plan_kind_e kind;
    apr_int32_t id;                   /**< the row (not for INSERT)       */
    /** The request's zone when it is not UTC: offset-less date-times in
     * the body are local time there, converted by PostgreSQL, and rows
     * are read with their offsets in it (CHATS_READ_ZONED, $1). */
    const char *zone;
    const chats_caller_t *caller;     /**< NULL: no rights to check      */
    const chats_precond_t *precond;   /**< NULL: none                    */
    chats_value_check_fn *check;      /**< NULL: none                    */
    const void *check_ctx;            /**< check's first argument        */
    /** 1: no webhook was Active a moment ago, so the statement leaves
     * its webhook capture to the triggers (chats_webhook_sql.h): it is
     * cheaper without the capture's CTE, and the triggers capture what
     * it writes, should one have become Active since. 0: it captures. */
    int triggers_capture;
} chats_plan_in_t;

/** A value the plan writes or compares. */
typedef struct {
    const chats_doc_t *canon;  /**< canonical value (chats_entity.h); NULL
                                    when only PostgreSQL knows it (the
                                    row's, a local date-time)            */
    const char *sql;           /**< SQL that is the value: the row's
                                    column ("cs.rating"); for a value
                                    written (set[]), its field's
                                    parameter; NULL otherwise            */
    const chats_field_t *field;   /**< whose value canon is             */
    int bound;                 /**< 1: the value is text (type), bound
                                    as a parameter where it is used      */
    const char *text;          /**< (bound) the value as parameter text;
                                    NULL = SQL NULL                      */
    chats_ptype_e type;        /**< (bound) its type; CHATS_P_TIMESTAMP:
                                    local time in the request's zone $1 */
} chats_pval_t;

/** Values a check compares, at most (a carrier's key and a member). */
#define CHATS_PLAN_SLOTS 2

typedef struct {
    const char *sql;           /**< predicate over "cs", true = passes;
                                    NULL: decided here. Its values are
                                    slots, "$@0" and "$@1", bound when a
                                    statement is made                    */
    int pass;                  /**< the decision, when sql is NULL       */
    chats_err_t *err;          /**< the answer when it fails             */
    int nslots;
    const char *slot[CHATS_PLAN_SLOTS];         /**< NULL = SQL NULL    */
    chats_ptype_e slot_type[CHATS_PLAN_SLOTS];
} chats_check_t;

typedef struct {
    const char *value;         /**< text (NULL = SQL NULL)               */
    chats_ptype_e type;
} chats_param_t;

typedef struct chats_plan_t {
    apr_pool_t *p;
    chats_plan_in_t in;
    apr_array_header_t *params;   /**< chats_param_t: $1, $2, ...        */
    apr_array_header_t *checks;   /**< chats_check_t, in decision order  */
    int nfields;
    chats_pval_t *set;            /**< per field index: the value written
                                       (set[i].sql NULL: not written)    */
    int failed;                   /**< first check decided false here, or
                                       -1                                */
    const chats_doc_t *cur;       /**< the row when known here (INSERT:
                                       the template), else NULL          */
    const char *id_sql;           /**< "$n::int4": the session's id       */
    const char *actor_sql;        /**< "$n::int4": the caller's associate
                                       id (0: none), who an INSERT or an
                                       UPDATE of a versioned row records
                                       (CHATS_COL_UPDATED_BY), made by
                                       chats_plan_finish; else NULL      */
    int *set_param;               /**< per field index: the parameter
                                       number of its value written, 0    */
    apr_hash_t *seen;             /**< the SQL checks (predicate and
                                       values), to drop repeats          */
    struct chats_plan_stmt_t *stmt;   /**< the checks as statements'
                                       predicates (chats_plan_sql.c)     */
    int json_steps;               /**< ops below JSON fields written by
                                       SQL so far (chats_plan_json.c)    */
} chats_plan_t;

/** Start a plan: the id and zone parameters, and for an update or a
 * delete the checks every write has (ownership, preconditions). */
chats_plan_t *chats_plan_make(apr_pool_t *p, const chats_plan_in_t *in);

/** Add JSON Patch ops (chats_patch_read's), in order. by_member: the
 * errors name the member (Field) rather than the op index (merge, PUT). */
void chats_plan_ops(chats_plan_t *pl, const apr_array_header_t *ops,
                    int by_member);

/** Add an RFC 7396 merge patch (an object): null resets a field, a
 * carrier object with its key re-points it, one without names members to
 * check, anything else replaces the field. */
void chats_plan_merge(chats_plan_t *pl, const chats_doc_t *merge);

/** Add a whole entity (PUT, POST): every field named is replaced, every
 * other one reset; the key may be absent, null, 0 or the session's own.
 * Returns an error, before any check, when body is no entity object or
 * names an unknown field. */
chats_err_t *chats_plan_entity(chats_plan_t *pl, const chats_doc_t *body);

/** End a plan with the caller's rights on the result: an update_own
 * caller's session must stay theirs, and no read-only field of theirs
 * may change. */
void chats_plan_finish(chats_plan_t *pl);

/** Add a parameter; returns its "$n". */
const char *chats_plan_param(chats_plan_t *pl, const char *value,
                             chats_ptype_e type);

/** Number of fields the plan writes. */
int chats_plan_nset(const chats_plan_t *pl);

/* chats_plan_sql.c */

/** The statement that writes and returns the row as read back (sql: the
 * plan's entity's; UPDATE,
 * INSERT: the rendering columns, CHATS_READ_ZONED when in.zone; DELETE:
 * the id). NULL when it cannot write: a check failed here, or nothing
 * is to be written; run the diagnosis at once. The first of this and
 * chats_plan_diag_sql to be made adds the checks' parameters to params:
 * bind params as they are once the text is made. */
const char *chats_plan_write_sql(const chats_plan_t *pl,
                                 const chats_entity_sql_t *sql);

/** The diagnosis: one row, none when the session does not exist. Its
 * columns: where the checks that need the row first fail (one int8[]:
 * per predicate, the position of its first failing value or NULL; read
 * it with chats_plan_diagnose), then whether the plan would change the
 * row as it is now (unless a check failed here), then the rendering
 * columns (DELETE: version only). lock adds FOR UPDATE (the locked
 * fallback). Its width does not depend on the number of ops. */
const char *chats_plan_diag_sql(const chats_plan_t *pl,
                                const chats_entity_sql_t *sql, int lock);

typedef enum {
    CHATS_DIAG_FAILED,    /**< a check failed: *perr says which           */
    CHATS_DIAG_NOOP,      /**< every check passes, nothing would change   */
    CHATS_DIAG_CHANGED    /**< every check passes and the write would
                               change the row as it is now: it changed
                               between the statements (run the locked
                               fallback)                                  */
} chats_diag_e;

/** Read a diagnosis row (cols: its columns as text, NULL = SQL NULL).
 * *pskip: the columns before the rendering ones. A row that is not the
 * plan's diagnosis is CHATS_DIAG_FAILED with a CHATS_E_INTERNAL error. */
chats_diag_e chats_plan_diagnose(const chats_plan_t *pl,
                                 const char *const *cols, chats_err_t **perr,
                                 int *pskip);

#endif
