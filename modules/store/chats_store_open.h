/* Opening the store for a request: the httpd side of chats_store.h. */
#ifndef CHATS_STORE_OPEN_H
#define CHATS_STORE_OPEN_H

#include "chats_private.h"
#include "chats_store.h"

/** Acquire the request's pooled connection (held until r ends), reset
 * if it was found broken. CHATS_E_DB_DOWN when PostgreSQL cannot be
 * reached. */
chats_err_t *chats_store_open(chats_store_t **pst, request_rec *r);

#endif
