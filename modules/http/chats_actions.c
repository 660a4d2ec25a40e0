/* The agent's actions: Pickup (first / by id), TransferTo,
 * AcceptTransfer, RejectTransfer, Reset, ForCurrentUser and
 * CreateChatSessionForTopic.
 * STUB from the routes skeleton: part C replaces this file. Each
 * function answers 500 "not implemented yet" so that a route that
 * reaches it is told from a 404/405 of the router. Glue. */
#include "chats_ops.h"

chats_err_t *chats_action_pickup_first(chats_req_t *q)
{
    return chats_err_make(q->r->pool, CHATS_E_INTERNAL, NULL,
                          "%s is not implemented yet",
                          "chats_action_pickup_first");
}

chats_err_t *chats_action_pickup(chats_req_t *q)
{
    return chats_err_make(q->r->pool, CHATS_E_INTERNAL, NULL,
                          "%s is not implemented yet",
                          "chats_action_pickup");
}

chats_err_t *chats_action_transfer(chats_req_t *q)
{
    return chats_err_make(q->r->pool, CHATS_E_INTERNAL, NULL,
                          "%s is not implemented yet",
                          "chats_action_transfer");
}

chats_err_t *chats_action_accept(chats_req_t *q)
{
    return chats_err_make(q->r->pool, CHATS_E_INTERNAL, NULL,
                          "%s is not implemented yet",
                          "chats_action_accept");
}

chats_err_t *chats_action_reject(chats_req_t *q)
{
    return chats_err_make(q->r->pool, CHATS_E_INTERNAL, NULL,
                          "%s is not implemented yet",
                          "chats_action_reject");
}

chats_err_t *chats_action_reset(chats_req_t *q)
{
    return chats_err_make(q->r->pool, CHATS_E_INTERNAL, NULL,
                          "%s is not implemented yet",
                          "chats_action_reset");
}

chats_err_t *chats_action_for_user(chats_req_t *q)
{
    return chats_err_make(q->r->pool, CHATS_E_INTERNAL, NULL,
                          "%s is not implemented yet",
                          "chats_action_for_user");
}

chats_err_t *chats_action_create_for_topic(chats_req_t *q)
{
    return chats_err_make(q->r->pool, CHATS_E_INTERNAL, NULL,
                          "%s is not implemented yet",
                          "chats_action_create_for_topic");
}
