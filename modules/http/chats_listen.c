/* Long polling. STUB from the routes skeleton: part E replaces this file
 * with the listener thread and the waiter table; this one polls once and
 * never waits. Glue. */
#include "chats_listen.h"

chats_err_t *chats_listen_wait(request_rec *r, apr_int32_t sid,
                               apr_int64_t after, int wait_s,
                               chats_poll_fn *poll, void *ctx)
{
    int found = 0;

    (void)r;
    (void)sid;
    (void)after;
    (void)wait_s;
    return poll(ctx, &found);
}

void chats_listen_child_init(apr_pool_t *pchild, server_rec *s)
{
    (void)pchild;
    (void)s;
}
