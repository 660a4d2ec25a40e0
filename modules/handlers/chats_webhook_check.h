/* An entity's own rules on the values its writes set (chats_plan.h's
 * chats_value_check_fn) that need a layer above the planner: a
 * webhook's (chats_webhook_check.c), which checks headers with the
 * deliverer's rule (core/webhook). No httpd: core code kept beside the
 * glue that hands it to plans (mod_chats_resource_write.c). */
#ifndef CHATS_WEBHOOK_CHECK_H
#define CHATS_WEBHOOK_CHECK_H

#include "chats_netallow.h"
#include "chats_plan.h"

/** The value check of def's writes, or NULL (none). A webhook's takes
 * as its ctx the allow list its TargetUrl is checked against when saved
 * (ChatSessionWebhookAllow's chats_netallow_t; NULL: the empty list). */
chats_value_check_fn *chats_entity_value_check(const chats_entity_def_t *def);

#endif
