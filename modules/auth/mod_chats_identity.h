/* The caller of a request: who is calling and with which rights on chat
 * sessions (chats_caller.h). Our AuthType's schemes find it together
 * with the credential, in the statement that verifies it where they run
 * one, and cache it with the credential (chats_authcache.h), so a request
 * on a cached credential reads neither the associate nor the rights.
 * The resource reads it here. Glue. */
#ifndef CHATS_IDENTITY_H
#define CHATS_IDENTITY_H

#include "mod_chats_private.h"
#include "chats_caller.h"

/**
 * The caller of r, as found when r->user was authenticated (by our
 * AuthType, no statement here). When another module authenticated r
 * (another AuthType sets r->user), the rights are looked up by r->user:
 * one statement, cached per process and virtual host for the location's
 * ChatSessionAuthCacheTTL. A user who is not an associate, and a request
 * without a user, get level read and associate 0 (README "Defaults").
 * @return the caller (in r->pool), or NULL with *pe set when the
 *         database cannot be read
 */
const chats_caller_t *chats_caller_of(request_rec *r, chats_err_t **pe);

#endif
