/* The ChatSession resource's methods. Each returns NULL when it has sent
 * its response, or the error for the handler to send. */
#ifndef CHATS_RESOURCE_H
#define CHATS_RESOURCE_H

#include "chats_private.h"

chats_err_t *chats_resource_get(request_rec *r, apr_int32_t id);
chats_err_t *chats_resource_patch(request_rec *r, apr_int32_t id);

#endif
