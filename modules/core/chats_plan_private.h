/* What the planner's files share (chats_plan*.c only). Core header. */
#ifndef CHATS_PLAN_PRIVATE_H
#define CHATS_PLAN_PRIVATE_H

#include "chats_plan.h"

/** Compile one op; index -1: errors name the member, not the op. */
void chats_plan_op(chats_plan_t *pl, const chats_op_t *op, int index);

/** The check that carrier f is set (before or by this plan); failing it
 * is the error a carrier object without its key gets. */
void chats_plan_require_carrier(chats_plan_t *pl, const chats_field_t *f);

#endif
