/* Long polling: GET .../Messages?after=N&wait=S waits for a message
 * without holding a pooled connection. One LISTEN connection per process
 * (per distinct conninfo) wakes the waiting requests. */
#ifndef CHATS_LISTEN_H
#define CHATS_LISTEN_H

#include "mod_chats_private.h"

/** Run the Messages statement once, opening the store itself
 * (chats_store_open), keeping what it found in ctx; *pfound = whether
 * there is something to answer now. An error ends the wait. */
typedef chats_err_t *chats_poll_fn(void *ctx, int *pfound);

/** Poll until it finds something, or wait_s seconds have passed (then
 * the last poll's empty result stands). The waiter registers before the
 * first poll, so no NOTIFY is lost in between; between polls the
 * request's pooled connection is given back. wait_s <= 0: one poll. */
chats_err_t *chats_listen_wait(request_rec *r, apr_int32_t sid,
                               apr_int64_t after, int wait_s,
                               chats_poll_fn *poll, void *ctx);

/** The waiter table of this process (child_init; no thread yet: the
 * first waiting request starts the listener). */
void chats_listen_child_init(apr_pool_t *pchild, server_rec *s);

/** child_stopping (graceful restart: waiters answer now) and the
 * start-up check of ChatSessionLongPollMax. */
void chats_listen_register_hooks(apr_pool_t *p);

#endif
