/* Opening the store for a request: the httpd side of chats_store.h. */
#ifndef CHATS_STORE_OPEN_H
#define CHATS_STORE_OPEN_H

#include <apr_hash.h>

#include "mod_chats_private.h"
#include "chats_store.h"

/** Take a pooled connection for the request (held until r ends or
 * chats_store_release), reset if it was found broken. CHATS_E_DB_DOWN
 * when PostgreSQL cannot be reached. */
chats_err_t *chats_store_open(chats_store_t **pst, request_rec *r);

/** Give the request's connection back to the pool, if it holds one (say,
 * from authentication), before something slow that needs none: reading a
 * request body, which a client may trickle for as long as mod_reqtimeout
 * lets it. The next chats_store_open takes one again. */
void chats_store_release(request_rec *r);

/** Per process: whether a wrong schema version was logged already (the
 * probe's verdicts have a pool and a lock of their own,
 * chats_store_probe_child_init). */
struct chats_store_proc_t {
    apr_uint32_t schema_logged;
};

/** After mod_dbd gave no connection: CHATS_E_MISCONFIGURED, the cause
 * logged, when PostgreSQL refuses the server's DBDParams for good (a
 * wrong password, no such role or database); NULL when it is unreachable
 * or busy, which is a 503. */
chats_err_t *chats_store_probe(request_rec *r);

/** Set up the per-process state of chats_store_probe (child_init). */
void chats_store_probe_child_init(apr_pool_t *pchild, server_rec *s);

/** Set up the per-process state of the store (child_init). */
void chats_store_child_init(apr_pool_t *pchild, server_rec *s);

#endif
