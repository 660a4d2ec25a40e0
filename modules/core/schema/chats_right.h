/* The levels of chat_session_right (README "Authorization"): below the
 * field tables, as an entity's rights rule (chats_schema.h) names the
 * level each verb needs. Core header. */
#ifndef CHATS_RIGHT_H
#define CHATS_RIGHT_H

/** Levels, each including the ones before it. */
typedef enum {
    CHATS_RIGHT_NONE = 0,
    CHATS_RIGHT_READ,
    CHATS_RIGHT_UPDATE_OWN,
    CHATS_RIGHT_UPDATE_ALL,
    CHATS_RIGHT_ADMIN
} chats_right_e;

#endif
