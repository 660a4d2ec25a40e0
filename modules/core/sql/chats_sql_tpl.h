/* SQL templates: the statements' texts written as the SQL they become,
 * with every column name, enum value and length taken from the field
 * tables when they are built (once, at start-up). Core header. */
#ifndef CHATS_SQL_TPL_H
#define CHATS_SQL_TPL_H

#include <apr_pools.h>

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

#endif
