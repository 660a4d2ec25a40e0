/* The archive list: GET .../ChatSession ($select, $filter, $orderBy,
 * $top, $skip, $format).
 * STUB from the routes skeleton: part D replaces this file. Each
 * function answers 500 "not implemented yet" so that a route that
 * reaches it is told from a 404/405 of the router. Glue. */
#include "chats_ops.h"

chats_err_t *chats_list_get(chats_req_t *q)
{
    return chats_err_make(q->r->pool, CHATS_E_INTERNAL, NULL,
                          "%s is not implemented yet",
                          "chats_list_get");
}
