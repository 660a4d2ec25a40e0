/* Long polling (GET .../Messages?after=N&wait=S): one listening
 * connection per process wakes the waiting requests (PostgreSQL
 * LISTEN/NOTIFY, design §4.3). The routes skeleton ships a stub that
 * polls once and never waits; part E implements it. Glue. */
#ifndef CHATS_LISTEN_H
#define CHATS_LISTEN_H

#include "chats_private.h"

/** Run the Messages statement once, opening the store itself
 * (chats_store_open), and say whether it found a message (*pfound). */
typedef chats_err_t *chats_poll_fn(void *ctx, int *pfound);

/**
 * Wait up to wait_s seconds for a message after `after` in session sid:
 * polls at once, then whenever a NOTIFY for sid arrives, until poll finds
 * one or the time is up. The request's pooled connection is released
 * between polls. The waiter is registered before the first poll, so no
 * NOTIFY is lost in between.
 */
chats_err_t *chats_listen_wait(request_rec *r, apr_int32_t sid,
                               apr_int64_t after, int wait_s,
                               chats_poll_fn *poll, void *ctx);

/** Per process: the listener (called from the module's child_init). */
void chats_listen_child_init(apr_pool_t *pchild, server_rec *s);

#endif
