/* ChatSessionCORSOrigin and friends: browsers calling the API from other
 * origins (mod_chats_cors.c). Glue header. */
#ifndef CHATS_CORS_H
#define CHATS_CORS_H

#include "mod_chats_private.h"

/** Preflights and the Access-Control-* headers (mod_chatsession.c). */
void chats_cors_register_hooks(apr_pool_t *p);

/* The directives' setters: mod_chats_config.h, from the table. */

#endif
