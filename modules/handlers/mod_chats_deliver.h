/* Webhook delivery (README "Webhooks"): the ChatSessionWebhook*
 * directives, and the deliverer thread every process runs. Of all the
 * processes of all the servers on one database, one delivers at a time:
 * per server the process holding a file lock in DefaultRuntimeDir is
 * the candidate, and of the candidates the one holding a PostgreSQL
 * advisory lock delivers. Both locks go with their process, so a
 * SIGKILLed deliverer is replaced within about a second, and a graceful
 * restart hands over at child_stopping. Glue header. */
#ifndef CHATS_DELIVER_H
#define CHATS_DELIVER_H

#include "mod_chats_private.h"
#include "chats_netallow.h"

/** The directives (main server only). */
typedef struct chats_webhook_conf_t {
    int delivery;               /**< ChatSessionWebhookDelivery; CHATS_UNSET: On */
    chats_netallow_t *allow;    /**< ChatSessionWebhookAllow; NULL: none */
    const char *cafile;         /**< NULL: the system's                  */
    int timeout_s;              /**< CHATS_UNSET: the default            */
    int connect_timeout_s;
    int poll_ms;
    const char *context;        /**< NULL: the default                   */
    int test_wait_s;            /**< ChatSessionWebhookTestWait          */
} chats_webhook_conf_t;

/** s's directives, defaults filled in (s: any server; the main one's
 * count), in p. */
chats_webhook_conf_t chats_webhook_conf(const server_rec *s);

/** Start the deliverer thread of this process (child_init). */
void chats_deliver_child_init(apr_pool_t *pchild, server_rec *s);

/** libcurl's set-up (post_config) and the hand-over at child_stopping. */
void chats_deliver_register_hooks(apr_pool_t *p);

#endif
