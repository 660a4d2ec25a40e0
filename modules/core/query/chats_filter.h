/* The archive's OData-style $filter and $orderBy (GET /api/v1/ChatSession,
 * issue 10) compiled to SQL over a chat_session row called "cs": a WHERE
 * expression and an ORDER BY list whose column names come only from the
 * field table, every literal a bound parameter. Core header: APR only.
 *
 * $filter grammar (keywords and field names in any case; blanks between
 * tokens; precedence not > and > or):
 *
 *   filter  := or
 *   or      := and ( "or" and )*
 *   and     := unary ( "and" unary )*
 *   unary   := "not" unary | primary
 *   primary := "(" or ")"
 *            | field op value          op: eq ne lt le gt ge
 *            | ("contains" | "startswith" | "endswith")
 *                  "(" field "," 'string' ")"
 *            | "oneOf" "(" field ( "," value )+ ")"
 *   field   := Name | Carrier "/" Member       (Status, user/name)
 *   value   := 'string' ('' is a quote) | integer | decimal | date-time
 *            | true | false | null | today[(+|-)N] | now[(+|-)N]
 *            | EnumName
 *
 * Fields are the entity's (chats_schema.c). A carrier (User, Person, ...)
 * compares as its key, 0 meaning none; its members ("User/Name") as the
 * value the entity shows, read from the carrier's row (a scalar subquery:
 * no index). Values are typed by the field: integers in the column's
 * range; decimals for double members; strings for strings; true/false;
 * date-times (quoted or bare) as ISO 8601, with an offset, or without
 * one as local time in env->zone; today (the start of the current day in
 * env->zone, UTC when none; today+N / today-N: N days later / earlier on
 * that zone's calendar) and now (the statement's now(); now+N / now-N:
 * N seconds) for date-times, the sign written right after the word; enums by name (any case, quoted or bare) or by a number
 * the enum defines; flags by number or names ('A, B').
 *
 * Semantics: eq null / ne null are IS NULL / IS NOT NULL (also eq 0 / ne 0
 * on a carrier or an optional id, which store none as NULL); other
 * operators refuse null. ne is IS DISTINCT FROM (a null value differs
 * from every value), and not treats a comparison with null as false, so
 * "not (x lt 5)" holds for a null x. contains/startswith/endswith are
 * case-insensitive (ILIKE, SuperOffice's archive behaviour) with the
 * value's % _ \ escaped. oneOf takes enums, flags, integers and strings.
 *
 * $orderBy: field [asc|desc] ( "," field [asc|desc] )*; asc by default.
 * A carrier orders by its key (order by "User/Name" for names); nulls
 * come last ascending, first descending (PostgreSQL's default). The
 * order is not total: the caller appends the primary key ("cs.id") as a
 * stable tiebreak so that pages ($skip/$top) neither repeat nor skip.
 *
 * An empty or all-blank $filter or $orderBy is the same as none. Limits
 * against hostile input: CHATS_FILTER_MAX_LEN bytes, CHATS_FILTER_MAX_DEPTH
 * nested parentheses/nots, CHATS_FILTER_MAX_TERMS comparisons, functions
 * and oneOf values, CHATS_FILTER_MAX_ORDER keys; valid UTF-8 only. Every
 * error is CHATS_E_INVALID with field "$filter" or "$orderBy" and a
 * message naming the 1-based position (in characters) and the token:
 * "$filter: at 14, unexpected 'and'". */
#ifndef CHATS_FILTER_H
#define CHATS_FILTER_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "chats_err.h"
#include "chats_plan.h"

#define CHATS_FILTER_MAX_LEN   4096
#define CHATS_FILTER_MAX_DEPTH 32
#define CHATS_FILTER_MAX_TERMS 100
#define CHATS_FILTER_MAX_ORDER 16

typedef struct {
    /** The number of the first parameter the SQL uses ($first_param):
     * the caller's own come before. */
    int first_param;
    /** The request's zone as PostgreSQL names it (the glue's SO-TimeZone
     * or ChatSessionTimeZone result), or NULL for UTC: today's start and
     * offset-less date-times are read there. */
    const char *zone;
} chats_filter_env_t;

typedef struct {
    /** Boolean SQL over "cs", or NULL when there is no $filter. */
    const char *where;
    /** "cs.status ASC, cs.name DESC", or NULL when there is no $orderBy
     * (no tiebreak: see above). */
    const char *order_by;
    /** chats_param_t: $first_param, $first_param + 1, ... */
    apr_array_header_t *params;
    /** const chats_field_t *: every field either names (a member: its
     * carrier), once, in order of first use. The SQL reads them whatever
     * the caller's rights, so the caller holds these against what the
     * caller may read before running it (a filter on a field one may not
     * read would tell its values row by row). */
    apr_array_header_t *fields;
} chats_filter_sql_t;

/** Compile filter and orderby (each may be NULL) into *pout, in p.
 * Returns NULL or the CHATS_E_INVALID error (then *pout is untouched). */
chats_err_t *chats_filter_compile(apr_pool_t *p, const char *filter,
                                  const char *orderby,
                                  const chats_filter_env_t *env,
                                  chats_filter_sql_t **pout);

#endif
