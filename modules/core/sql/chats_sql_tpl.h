/* SQL templates: the statements' texts written as the SQL they become,
 * with every column name, enum value and length taken from the field
 * tables when they are built (once, at start-up). Core header. */
#ifndef CHATS_SQL_TPL_H
#define CHATS_SQL_TPL_H

#include <apr_pools.h>

#include "chats_sql.h"

/** What a template's {name} stands for, from the field tables:
 *   {Field}         the ChatSession field's column (chats_schema.c),
 *   {len.Field}     its max_len,
 *   {=Name}         the ChatSessionStatus value of that name,
 *   {m.Field}       the ChatMessage field's column
 *                   (chats_message_schema.c),
 *   {type.Name}, {special.Name}
 *                   a ChatMessageType / ChatMessageSpecialType value.
 * NULL when the name stands for nothing. */
const char *chats_sql_tpl_fact(apr_pool_t *p, const char *name,
                               apr_size_t len);

/** A statement's own references: kind is '{' for {name} or '$' for $x
 * (x letters); NULL when name stands for nothing. */
typedef const char *chats_sql_tpl_ref_fn(apr_pool_t *p, void *ctx,
                                         char kind, const char *name,
                                         apr_size_t len);

/** tpl with each {name} and $x replaced by what ref says; a {name} ref
 * does not know is looked up by chats_sql_tpl_fact; $ before a digit is
 * kept ($1 is PostgreSQL's own). NULL when a reference stands for
 * nothing. ref may be NULL (facts only). */
const char *chats_sql_tpl_expand(apr_pool_t *p, const char *tpl,
                                 chats_sql_tpl_ref_fn *ref, void *ctx);

/** A statement's parameter as its template names it: "$a" is letter "a",
 * the value which (an index of the caller's values), of type type. */
typedef struct {
    const char *letter;
    int which;
    chats_ptype_e type;
} chats_sql_letter_t;

/** A table of letters, n of them. */
typedef struct {
    const chats_sql_letter_t *v;
    int n;
} chats_sql_letters_t;

/** Parse spec, letters separated by spaces ("a t k"), into args (the
 * letters' which, at most max of them) and *nargs: 0 on an unknown
 * letter or too many. */
int chats_sql_letters_parse(apr_pool_t *p, const chats_sql_letters_t *l,
                            const char *spec, int *args, int max,
                            int *nargs);

/** The type of the letter whose which is which. */
chats_ptype_e chats_sql_letter_type(const chats_sql_letters_t *l, int which);

/** "$N::type" for the letter name (len bytes) among args: N is first
 * plus its index in args (first: the parameters before them, a zone);
 * NULL when the statement has no such parameter. */
const char *chats_sql_letter_ref(apr_pool_t *p, const chats_sql_letters_t *l,
                                 const int *args, int nargs, int first,
                                 const char *name, apr_size_t len);

#endif
