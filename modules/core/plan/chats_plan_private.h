/* What the planner's files share (chats_plan*.c only). Core header. */
#ifndef CHATS_PLAN_PRIVATE_H
#define CHATS_PLAN_PRIVATE_H

#include "chats_plan.h"

/** "$n::type" for a new parameter, or a typed NULL. */
const char *chats_plan_typed_param(chats_plan_t *pl, const char *value,
                                  chats_ptype_e type);

/** Add a check (sql NULL: decided here, pass says how); nothing once a
 * check decided here failed. */
void chats_plan_add_check(chats_plan_t *pl, const char *sql, int pass,
                          chats_err_t *err);

/** The check "a equals b": decided here when both values are known. */
void chats_plan_check_equal(chats_plan_t *pl, chats_pval_t *a,
                            chats_pval_t *b, chats_err_t *err);

/** The value field f has before the current op: set earlier, known
 * here, or the row's. */
chats_pval_t chats_plan_current(chats_plan_t *pl, const chats_field_t *f);

/** f's index in the plan's entity's fields. */
int chats_plan_field_index(const chats_plan_t *pl, const chats_field_t *f);

/** Compile one op; index -1: errors name the member, not the op. */
void chats_plan_op(chats_plan_t *pl, const chats_op_t *op, int index);

/** The check that carrier f is set (before or by this plan); failing it
 * is the error a carrier object without its key gets. */
void chats_plan_require_carrier(chats_plan_t *pl, const chats_field_t *f);

/** The (empty) statements' state of a new plan (chats_plan_sql.c). */
struct chats_plan_stmt_t *chats_plan_stmt_make(apr_pool_t *p);

#endif
