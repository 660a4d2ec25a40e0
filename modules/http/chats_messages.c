/* Messages and transcript: GET/POST .../ChatSession/{id}/Messages,
 * POST .../{id}/Transcript and their agent twins.
 * STUB from the routes skeleton: part B replaces this file. Each
 * function answers 500 "not implemented yet" so that a route that
 * reaches it is told from a 404/405 of the router. Glue. */
#include "chats_ops.h"

chats_err_t *chats_messages_get(chats_req_t *q)
{
    return chats_err_make(q->r->pool, CHATS_E_INTERNAL, NULL,
                          "%s is not implemented yet",
                          "chats_messages_get");
}

chats_err_t *chats_messages_post(chats_req_t *q)
{
    return chats_err_make(q->r->pool, CHATS_E_INTERNAL, NULL,
                          "%s is not implemented yet",
                          "chats_messages_post");
}

chats_err_t *chats_transcript_post(chats_req_t *q)
{
    return chats_err_make(q->r->pool, CHATS_E_INTERNAL, NULL,
                          "%s is not implemented yet",
                          "chats_transcript_post");
}
