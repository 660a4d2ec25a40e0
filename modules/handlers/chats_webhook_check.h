/* An entity's own rules on the values its writes set (chats_plan.h's
 * chats_value_check_fn) that need a layer above the planner: a
 * webhook's (chats_webhook_check.c), which checks headers with the
 * deliverer's rule (core/webhook). No httpd: core code kept beside the
 * glue that hands it to plans (mod_chats_resource_write.c). */
#ifndef CHATS_WEBHOOK_CHECK_H
#define CHATS_WEBHOOK_CHECK_H

#include "chats_netallow.h"
#include "chats_plan.h"

/** The allow list a webhook's TargetUrl is checked against when saved
 * (ChatSessionWebhookAllow, the main server's; NULL: the empty list):
 * called in post_config, before any child or thread exists, and read
 * only after (STYLE.md, Pools). */
void chats_webhook_check_allow(const chats_netallow_t *allow);

/** The value check of def's writes, or NULL (none). */
chats_value_check_fn *chats_entity_value_check(const chats_entity_def_t *def);

#endif
