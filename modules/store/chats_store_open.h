/* Opening the store for a request: the httpd side of chats_store.h. */
#ifndef CHATS_STORE_OPEN_H
#define CHATS_STORE_OPEN_H

#include "chats_private.h"
#include "chats_store.h"

/** Acquire the request's pooled connection (held until r ends), reset
 * if it was found broken. CHATS_E_DB_DOWN when PostgreSQL cannot be
 * reached. */
chats_err_t *chats_store_open(chats_store_t **pst, request_rec *r);

/** Per process: whether a wrong schema version was logged already. */
struct chats_store_proc_t {
    apr_uint32_t schema_logged;
};

/** Set up the per-process state of the store (child_init). */
void chats_store_child_init(apr_pool_t *pchild, server_rec *s);

#endif
