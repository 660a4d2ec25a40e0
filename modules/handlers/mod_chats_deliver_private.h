/* The webhook deliverer's parts (mod_chats_deliver.h): the process's
 * state, shared by the thread and election (mod_chats_deliver.c) and the
 * leader's work (mod_chats_deliver_loop.c). Glue header. */
#ifndef CHATS_DELIVER_PRIVATE_H
#define CHATS_DELIVER_PRIVATE_H

#include <apr_atomic.h>
#include <apr_thread_mutex.h>
#include <apr_thread_proc.h>
#include <libpq-fe.h>

#include "chats_webhook_http.h"
#include "mod_chats_deliver.h"

typedef struct chats_deliver_proc_t {
    server_rec *s;
    apr_pool_t *pool;               /* the thread's parent (mutexed)    */
    chats_webhook_conf_t conf;
    const char *conninfo;
    const char *lock_path;
    apr_thread_t *thread;
    volatile apr_uint32_t stopping;
    volatile apr_uint32_t leader;   /* 1 while this process delivers   */
    int wake[2];                    /* stopping wakes the waits         */
    chats_webhook_http_t *http;     /* the leader's; woken on stopping  */
    apr_thread_mutex_t *http_lock;  /* guards http for the waker        */
} chats_deliver_proc_t;

/** Whether the child stops. */
int chats_deliver_stopping(chats_deliver_proc_t *d);

/** Deliver as the database's deliverer, on c, until the connection fails
 * (its reason, in p) or the child stops (NULL). */
const char *chats_deliver_lead(chats_deliver_proc_t *d, PGconn *c,
                               apr_pool_t *p);

#endif
