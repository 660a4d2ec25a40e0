/* ChatSessionCORSOrigin and friends: browsers calling the API from other
 * origins (mod_chats_cors.c). Glue header. */
#ifndef CHATS_CORS_H
#define CHATS_CORS_H

#include "mod_chats_private.h"

/** Preflights and the Access-Control-* headers (mod_chatsession.c). */
void chats_cors_register_hooks(apr_pool_t *p);

const char *chats_cors_add_origin(cmd_parms *cmd, void *dc, const char *a);
const char *chats_cors_set_credentials(cmd_parms *cmd, void *dc, int on);
const char *chats_cors_set_max_age(cmd_parms *cmd, void *dc, const char *a);

/** The directives above, for the module's table (mod_chatsession.c). */
#define CHATS_CORS_CMDS \
    AP_INIT_ITERATE("ChatSessionCORSOrigin", chats_cors_add_origin, NULL, \
        OR_ALL, "origins (scheme://host[:port]) whose browser apps may " \
        "call the API, or * for any, or Off (default Off)"), \
    AP_INIT_FLAG("ChatSessionCORSCredentials", chats_cors_set_credentials, \
        NULL, OR_ALL, "let allowed origins send cookies and HTTP " \
        "authentication with credentials: 'include' (default Off; never " \
        "with *)"), \
    AP_INIT_TAKE1("ChatSessionCORSMaxAge", chats_cors_set_max_age, NULL, \
        OR_ALL, "seconds a browser may cache a preflight answer " \
        "(default 600)")

#endif
