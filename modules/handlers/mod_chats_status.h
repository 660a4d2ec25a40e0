/* The status and health handlers, the counting of requests and
 * mod_status' section (mod_chats_status.c), over the base's counters
 * (mod_chats_metrics.h). Glue header. */
#ifndef CHATS_STATUS_H
#define CHATS_STATUS_H

#include "mod_chats_private.h"

/** Their hooks (mod_chatsession.c). */
void chats_status_register_hooks(apr_pool_t *p);

#endif
