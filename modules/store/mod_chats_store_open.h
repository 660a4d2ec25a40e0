/* Opening the store for a request: the httpd side of chats_store.h. */
#ifndef CHATS_STORE_OPEN_H
#define CHATS_STORE_OPEN_H

#include <apr_hash.h>

#include "mod_chats_private.h"
#include "chats_store.h"

/** Take a pooled connection for the request (held until r ends or
 * chats_store_release), reset if it was found broken. A request holds
 * one at most at any time: while it holds one, a later open (from the
 * same request or a subrequest of it) returns the same store, its
 * connection reset in place if it broke. CHATS_E_DB_DOWN when
 * PostgreSQL cannot be reached. */
chats_err_t *chats_store_open(chats_store_t **pst, request_rec *r);

/** The request's answer starts being rendered: from here on it runs no
 * statement (what rendering needs, translations included, is read
 * before). A statement after it is logged as a bug (CHATS510); the test
 * build tells how many had run (Chats-Render-At). */
void chats_store_rendering(request_rec *r);

/** Give the request's connection back to the pool, if it holds one (say,
 * from authentication), before something slow that needs none: reading a
 * request body, which a client may trickle for as long as mod_reqtimeout
 * lets it. The next chats_store_open takes one again. */
void chats_store_release(request_rec *r);

/** Per process: whether a wrong schema version was logged already (the
 * probe's verdicts have a pool and a lock of their own,
 * chats_store_probe_make). */
typedef struct chats_store_proc_t {
    apr_uint32_t schema_logged;
} chats_store_proc_t;

/** Per process: the probe's verdicts (mod_chats_store_probe.c). */
typedef struct chats_probe_proc_t chats_probe_proc_t;

/** What the store needs from the module, which it is given rather than
 * reads from the configuration: one per server, made in post_config, its
 * per-process parts set in child_init (mod_chatsession.c). The base keeps
 * it for the server (chats_conf_store_env). */
typedef struct chats_store_env_t {
    const chats_sql_t *sql;        /**< the statements                    */
    int prepared;                  /**< ChatSessionPreparedStatements:
                                        prepare once per connection      */
    chats_store_proc_t *proc;      /**< per process, chats_store_proc_make */
    chats_probe_proc_t *probe;     /**< per process, chats_store_probe_make;
                                        NULL: no probe (a refused
                                        connection is a 503)             */
} chats_store_env_t;

/** The per-process state of the store (child_init), in pchild. */
chats_store_proc_t *chats_store_proc_make(apr_pool_t *pchild);

/** The per-process state of the probe (child_init), in pchild; NULL,
 * logged on s, when it cannot be set up. */
chats_probe_proc_t *chats_store_probe_make(apr_pool_t *pchild,
                                           server_rec *s);

/* mod_dbd's functions, looked up at start-up (mod_dbd may load after
 * us: mod_chatsession.c's optional_fn_retrieve). */
extern APR_OPTIONAL_FN_TYPE(ap_dbd_open) *chats_dbd_open_fn;
extern APR_OPTIONAL_FN_TYPE(ap_dbd_close) *chats_dbd_close_fn;

#endif
