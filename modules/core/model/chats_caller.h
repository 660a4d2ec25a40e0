/* Who is calling, as far as the resource is concerned: the associate and
 * their rights on chat sessions (table chat_session_right, README
 * "Authorization"). Verified once per credential and cached with it
 * (auth/), then read by the resource and compiled into write plans. A
 * plain value (no pointers), so a cache can copy it. Core header. */
#ifndef CHATS_CALLER_H
#define CHATS_CALLER_H

#include <apr_pools.h>

#include "chats_right.h"


/** Most read-only fields a caller can have (more than the entity has). */
#define CHATS_CALLER_MAX_READONLY 48

typedef struct {
    chats_right_e level;
    apr_int32_t associate_id;      /**< 0: not an associate               */
    int nreadonly;
    /** Indexes into chats_session_def's fields of the fields this caller may
     * never change, in the order chat_session_right lists them. */
    unsigned char readonly[CHATS_CALLER_MAX_READONLY];
} chats_caller_t;

/** The caller of a user who is not an associate, of an associate
 * without a chat_session_right row, and of a request without a user
 * (README "Authorization", Defaults): read, associate 0, no read-only
 * field. */
void chats_caller_default(chats_caller_t *c);

/** A level from its name in chat_session_right ("update_own"); an
 * unknown or NULL name is CHATS_RIGHT_NONE (fail closed). */
chats_right_e chats_right_from_name(const char *name);

/** The level's name ("none", "read", ...). */
const char *chats_right_name(chats_right_e level);

/** Set c's read-only fields from chat_session_right's list ("User,
 * TransferTo": names in any case, separated by commas). Names that are no
 * field are skipped and returned joined by commas in *punknown (NULL when
 * every name is known), for the caller to log. */
void chats_caller_set_readonly(chats_caller_t *c, const char *list,
                               const char **punknown, apr_pool_t *p);

/** 1 if field index i is one of c's read-only fields. */
int chats_caller_is_readonly(const chats_caller_t *c, int i);

#endif
