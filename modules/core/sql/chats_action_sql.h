/* The agent's actions on a chat session (Pickup, TransferTo, Accept,
 * Reject, Reset, ForCurrentUser; README "Agent actions") as SQL: fixed
 * texts built once from the field table's columns, enum values and
 * select list (chats_sql.h), every request value a bound parameter.
 * Each action is one statement, or one short transaction whose first
 * statement locks the agent (CHATS_ACT_LOCK) so that one agent's Rank
 * numbers are handed out one at a time. When a write returns no row, its
 * diagnosis (one statement) tells 404, 403 and the documented no-op
 * apart. Core header: no httpd, no connection. */
#ifndef CHATS_ACTION_SQL_H
#define CHATS_ACTION_SQL_H

#include <apr_pools.h>

#include "chats_sql.h"

typedef enum {
    CHATS_ACT_LOCK,            /**< the agent's associate row; no row:
                                    not an associate any more           */
    CHATS_ACT_PICKUP_FIRST,    /**< the oldest queued session of the
                                    agent's topics -> row, or none      */
    CHATS_ACT_PICKUP,          /**< that session, if queued -> row      */
    CHATS_ACT_PICKUP_DIAG,     /**< -> queued, member; no row: 404      */
    CHATS_ACT_TRANSFER,        /**< -> row, when something changed      */
    CHATS_ACT_TRANSFER_DIAG,   /**< -> known (an associate), the row    */
    CHATS_ACT_ACCEPT,          /**< -> row, when the agent is the
                                    recipient                           */
    CHATS_ACT_REJECT,          /**< likewise                            */
    CHATS_ACT_RESET_OWN,       /**< update_own: the agent's own session */
    CHATS_ACT_RESET_ANY,       /**< update_all, admin: any session      */
    CHATS_ACT_RESET_DIAG,      /**< -> own, the row                     */
    CHATS_ACT_GET,             /**< -> row (diagnosis of accept, reject) */
    CHATS_ACT_FOR_USER,        /**< rows, id order, at most
                                    CHATS_ACT_FOR_USER_MAX              */
    CHATS_ACT_QUEUE_POS,       /**< pos: 1 + sessions queued in the topic */
    CHATS_ACT__N
} chats_act_e;

/** The values an action statement may take, by what they are. */
typedef enum {
    CHATS_AP_ASSOC,      /**< the caller's associate id (int4)          */
    CHATS_AP_LOGIN,      /**< the caller's login: a message's Author    */
    CHATS_AP_ID,         /**< the session's id (int4)                   */
    CHATS_AP_TO,         /**< toAssociate: a login or an id, as text    */
    CHATS_AP_TOPIC,      /**< a topic id (int4)                         */
    CHATS_AP_KEY,        /**< Idempotency-Key (text)                    */
    CHATS_AP_FP,         /**< the request's fingerprint, hex (text)     */
    CHATS_AP_STATUS,     /**< the answer's status (int2)                */
    CHATS_AP__N
} chats_aparam_e;

/** The associate that the text X names (an SQL expression over an
 * associate row "a"): a login, or a decimal id (every int32 one, 1 to
 * 2147483647); order by "a.name = X DESC" so that a login wins. Nested
 * CASEs order the checks (AND does not order its operands): only up to
 * ten digits are cast to int8, and only what fits is cast to int4.
 * TransferTo's {toAssociate} and the topic agents' {username}. */
#define CHATS_SQL_LOGIN_OR_ID(X) \
    "NOT a.deleted AND (a.name = " X " OR a.associate_id = CASE WHEN " X \
    " ~ '^[0-9]+$' AND length(" X ") <= 10 THEN CASE WHEN " X "::int8" \
    " <= 2147483647 THEN " X "::int4 END END)"

#define CHATS_ACT_MAXP 8
#define CHATS_ACT_FOR_USER_MAX 1000

typedef struct {
    chats_stmt_t stmt;
    /** $1 is the request's zone (the row is read with CHATS_READ_ZONED);
     * the statement's own values follow it. */
    int zoned;
    int nargs;                          /**< values after the zone      */
    int args[CHATS_ACT_MAXP];           /**< chats_aparam_e: $(zoned+k+1) */
    /** -1 when the statement renders no row; else where the row begins
     * (informative: readers find it by its name, CHATS_SQL_ROW). */
    int row_at;
} chats_act_stmt_t;

typedef struct chats_action_sql_t {
    /** [action][chats_read_e]; statements that render no row are the
     * same text in both. */
    chats_act_stmt_t s[CHATS_ACT__N][2];
    /** The writes sent with an Idempotency-Key (README "Retrying writes
     * safely"): the same write, that records the key in the same
     * statement (chats_sql.h, CHATS_SQL_IDEM_CTES) and writes nothing
     * when the caller's key is live already; it takes the associate, the
     * key, the fingerprint and the status besides. stmt.sql NULL for the
     * statements that do not write. */
    chats_act_stmt_t keyed[CHATS_ACT__N][2];
} chats_action_sql_t;

/** Build every action statement over sql's select lists: NULL when a
 * template names a field, enum value or parameter that does not exist
 * (a programming error, caught by the unit driver). */
const chats_action_sql_t *chats_action_sql_build(apr_pool_t *p,
                                                 const chats_sql_t *sql);

/** The statement for an action, read in UTC or zoned. */
const chats_act_stmt_t *chats_action_stmt(const chats_action_sql_t *a,
                                          chats_act_e act, chats_read_e how);

/** The keyed form of an action's write (see keyed above), NULL for an
 * action that does not write. */
const chats_act_stmt_t *chats_action_stmt_keyed(const chats_action_sql_t *a,
                                                chats_act_e act,
                                                chats_read_e how);

/** The parameter values and types of s, in its order: the zone first
 * when s is zoned, then vals[] picked by s->args. Returns the count. */
int chats_action_params(apr_pool_t *p, const chats_act_stmt_t *s,
                        const char *zone, const char *const *vals,
                        const char ***pvalues, chats_ptype_e **ptypes);

#endif
