/* The deliverer's test pings (issue 20, design §5 item 4): what a
 * request that tests a webhook waits for (mod_chats_webhook_ops.c).
 * Glue header. */
#ifndef CHATS_DELIVER_PROBE_H
#define CHATS_DELIVER_PROBE_H

#include "mod_chats_deliver_private.h"

typedef struct chats_deliver_probes_t chats_deliver_probes_t;

/** The leader's probe sender, in p (its transport goes with p). */
chats_err_t *chats_deliver_probes_make(chats_deliver_proc_t *d,
                                       apr_pool_t *p,
                                       chats_deliver_probes_t **ppr);

/** One turn of the leader's loop: record the probes that finished, send
 * the new ones (at most every ChatSessionWebhookPoll), purge the old
 * ones now and then, without waiting on any receiver. 0 after a
 * database failure (*pwhy, in tp), else 1. */
int chats_deliver_probes(chats_deliver_probes_t *pr, PGconn *c,
                         apr_pool_t *tp, const char **pwhy);

#endif
