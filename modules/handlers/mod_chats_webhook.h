/* An entity's own rules on the values its writes set (chats_plan.h's
 * chats_value_check_fn), where they need glue: a webhook's
 * (mod_chats_webhook.c). */
#ifndef MOD_CHATS_WEBHOOK_H
#define MOD_CHATS_WEBHOOK_H

#include "chats_plan.h"

/** The value check of def's writes, or NULL (none). */
chats_value_check_fn *chats_entity_value_check(const chats_entity_def_t *def);

#endif
