/* What the $filter / $orderBy lexer (chats_filter_lex.c) gives the
 * compiler (chats_filter.c). Core, private to these two files. */
#ifndef CHATS_FILTER_PRIVATE_H
#define CHATS_FILTER_PRIVATE_H

#include <apr_tables.h>

#include "chats_err.h"
#include "chats_filter.h"
#include "chats_schema.h"
#include "chats_sql.h"

typedef enum {
    CHATS_FT_END, CHATS_FT_LPAREN, CHATS_FT_RPAREN, CHATS_FT_COMMA,
    CHATS_FT_STRING,   /**< 'quoted': text unescaped                     */
    CHATS_FT_NUMBER,   /**< a run starting with a digit or -digit: an
                            integer, decimal or date-time, typed later   */
    CHATS_FT_NAME,     /**< a name, or Carrier/Member                    */
    CHATS_FT_BAD       /**< a byte no token starts with                  */
} chats_ftok_e;

typedef struct {
    chats_ftok_e kind;
    apr_size_t at;     /**< byte offset in the input                     */
    apr_size_t len;    /**< bytes of the input it spans                  */
    const char *text;  /**< its text (unescaped for strings)             */
    apr_size_t tlen;
} chats_ftok_t;

typedef struct {
    apr_pool_t *p;
    const char *what;  /**< "$filter" or "$orderBy": errors start so     */
    const char *s;
    apr_size_t len;
    apr_size_t at;     /**< where the next token starts looking          */
    chats_ftok_t tok;  /**< the current token                            */
} chats_flex_t;

/** Start on s (NUL-terminated), reading the first token: the length and
 * UTF-8 checks, or NULL. */
chats_err_t *chats_flex_init(chats_flex_t *lx, apr_pool_t *p,
                             const char *what, const char *s);

/** Read the next token into lx->tok (an unterminated string: error). */
chats_err_t *chats_flex_next(chats_flex_t *lx);

/** 1 if the current token is the name kw (ASCII case-insensitive). */
int chats_flex_is(const chats_flex_t *lx, const char *kw);

/** An error at byte offset at: "<what>: at <char position>, <message>". */
chats_err_t *chats_flex_err(const chats_flex_t *lx, apr_size_t at,
                            const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** "unexpected 'tok'" (or "unexpected end") at the current token, with
 * what was expected when expected is not NULL. */
chats_err_t *chats_flex_unexpected(const chats_flex_t *lx,
                                   const char *expected);

/** The token's source text for messages: quoted, cut at 40 bytes. */
const char *chats_flex_show(const chats_flex_t *lx, const chats_ftok_t *t);

/* ---- the compiler's state (chats_filter.c, chats_filter_value.c) ---- */

/** A field as the filter sees it: what it is called, its SQL and how its
 * values are typed. A carrier is its key, an int whose 0 is NULL. */
typedef struct {
    const char *name;           /**< "Status", "User/Name"               */
    const char *sql;
    chats_ftype_e type;
    const chats_enum_t *enums;
    const char *enum_type;      /**< "ChatSessionStatus"                 */
    int zero_null;
} chats_ftarget_t;

/** A value read for a target. */
typedef struct {
    const char *sql;            /**< "$n", or an expression (today, now) */
    int is_null;                /**< null, or 0 of a zero_null target    */
    apr_int64_t num;            /**< integer-typed targets: the number   */
} chats_fval_t;

typedef struct {
    chats_flex_t lx;
    const chats_filter_env_t *env;
    apr_array_header_t *params;   /**< chats_param_t                     */
    apr_array_header_t *fields;   /**< chats_filter_sql_t's fields       */
    int depth;
    int terms;
    const char *zone_sql;       /**< the zone's "$n", once bound         */
} chats_fc_t;

/** Bind a parameter; returns its "$n". */
const char *chats_fc_bind(chats_fc_t *cc, const char *value,
                          chats_ptype_e type);

/** The request's zone as SQL: 'UTC', or its parameter (bound once). */
const char *chats_fc_zone(chats_fc_t *cc);

/** The current token as a field (Name or Carrier/Member); advances. */
chats_err_t *chats_fc_field(chats_fc_t *cc, chats_ftarget_t *t);

/** The current token as an integer-typed target's value (a number in its
 * range, an enum's name or number, flag names); does not advance. */
chats_err_t *chats_fc_int(chats_fc_t *cc, const chats_ftarget_t *t,
                          apr_int64_t *pv);

/** The current token as a value for t, bound; advances. */
chats_err_t *chats_fc_value(chats_fc_t *cc, const chats_ftarget_t *t,
                            chats_fval_t *v);

/** The strings of a (const char *) with sep between them. */
const char *chats_fc_join(apr_pool_t *p, const apr_array_header_t *a,
                          const char *sep);

#endif
