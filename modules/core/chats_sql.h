/* SQL text derived from the field table, built once at start-up. Every
 * request value travels as a bound parameter ($n), never as SQL text.
 * Core header. */
#ifndef CHATS_SQL_H
#define CHATS_SQL_H

#include <apr_pools.h>

/** A statement we prepare ourselves: name unique across the module
 * ("chats_<verb>"), SQL with $n parameters. */
typedef struct {
    const char *name;
    const char *sql;
} chats_stmt_t;

typedef struct chats_sql_t {
    chats_stmt_t select;     /**< $1 = id -> one row                      */
    chats_stmt_t update;     /**< $1 id, $2 version, $3.. fields -> row    */
    chats_stmt_t password;   /**< $1 login -> password_hash               */
    chats_stmt_t insert;     /**< $1.. fields (as update's $3..) -> row    */
    chats_stmt_t remove;     /**< $1 id, $2 version -> id if deleted       */
    int ncols;               /**< columns of a row (fields + 2)           */
    int nparams;             /**< field parameters of update (after $2)   */
} chats_sql_t;

/** Row layout: for each field one column, a carrier one column per
 * sub-field (its key first); then version, then updated_at as whole
 * seconds since the epoch. Date-times come as microseconds since the
 * epoch, booleans as t/f. */
const chats_sql_t *chats_sql_build(apr_pool_t *p);

#endif
