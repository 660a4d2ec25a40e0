/* Operation enum -> glue function (mod_chats_ops.c), and the functions of the
 * issue-10 routes that live in their own files. Each takes the request as
 * the router bound it (mod_chats_resource.h: route, id, after, ...) and
 * returns NULL when it has sent its answer, or the error to send. Glue. */
#ifndef CHATS_OPS_H
#define CHATS_OPS_H

#include "mod_chats_resource.h"
#include "chats_routes.h"

typedef chats_err_t *chats_method_fn(chats_req_t *q);

/** The function of each operation: one entry per chats_op_e. */
extern chats_method_fn *const chats_op_fn[CHATS_OP__N];

/* The list: GET ChatSession (chats_list.c). */
chats_err_t *chats_list_get(chats_req_t *q);

/* Messages and transcript (mod_chats_messages.c). */
chats_err_t *chats_messages_get(chats_req_t *q);
chats_err_t *chats_messages_post(chats_req_t *q);
chats_err_t *chats_transcript_post(chats_req_t *q);

/* The agent's actions (mod_chats_actions.c). */
chats_err_t *chats_action_pickup_first(chats_req_t *q);
chats_err_t *chats_action_pickup(chats_req_t *q);
chats_err_t *chats_action_transfer(chats_req_t *q);
chats_err_t *chats_action_accept(chats_req_t *q);
chats_err_t *chats_action_reject(chats_req_t *q);
chats_err_t *chats_action_reset(chats_req_t *q);
chats_err_t *chats_action_for_user(chats_req_t *q);
chats_err_t *chats_action_create_for_topic(chats_req_t *q);

/* A topic's agents and opening hours (mod_chats_topic_agents.c). */
chats_err_t *chats_topic_agents_list(chats_req_t *q);
chats_err_t *chats_topic_agent_get(chats_req_t *q);
chats_err_t *chats_topic_agent_add(chats_req_t *q);
chats_err_t *chats_topic_agent_update(chats_req_t *q);
chats_err_t *chats_topic_agent_delete(chats_req_t *q);
chats_err_t *chats_topic_agents_set(chats_req_t *q);
chats_err_t *chats_topic_agent_default(chats_req_t *q);
chats_err_t *chats_topic_is_open(chats_req_t *q);

/* The chat users: presence and list items (mod_chats_presence.c). */
chats_err_t *chats_presence_get(chats_req_t *q);
chats_err_t *chats_presence_save(chats_req_t *q);
chats_err_t *chats_user_agents_get(chats_req_t *q);

/* The Webhook family's own (mod_chats_webhook_ops.c): POST
 * Webhook/Test, the signal, LastError; a create (any entity's: a
 * webhook's is tested first when Active); the WebhookAgent's arguments
 * (called by chats_args_bind). */
chats_err_t *chats_webhook_test(chats_req_t *q);
chats_err_t *chats_webhook_signal(chats_req_t *q);
chats_err_t *chats_webhook_get_last_error(chats_req_t *q);
chats_err_t *chats_resource_create(chats_req_t *q);
chats_err_t *chats_webhook_bind(chats_req_t *q);

/* ChatAgent's SaveChatSessionEntity: create or replace (mod_chats_agent.c). */
chats_err_t *chats_agent_save(chats_req_t *q);

/** Bind the route's arguments into q (mod_chats_agent.c): REST from the
 * path segments and the query, agent calls from the query and the JSON
 * body. A missing or mistyped argument is CHATS_E_INVALID naming it.
 * id_seg / assoc_seg: the path's {id} and {toAssociate}, or NULL. */
chats_err_t *chats_args_bind(chats_req_t *q, const char *id_seg,
                             const char *assoc_seg);

#endif
