/* The client-facing base URL, through the proxies in front
 * (mod_chats_proxy.c). Glue header. */
#ifndef CHATS_PROXY_H
#define CHATS_PROXY_H

#include "mod_chats_private.h"

/** scheme://host[:port] and the forwarded prefix, no trailing '/':
 * ChatSessionPublicURL, else what trusted proxies forwarded, else the
 * request's own. */
const char *chats_proxy_base_url(request_rec *r);

#endif
