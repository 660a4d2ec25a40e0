/* The ChatMessage carrier (spec superoffice-chatsession.md §2 "ChatMessage",
 * §3 ChatMessageType / ChatMessageSpecialType): its field table, the one
 * description of a message's members from which reading a body, the SQL
 * and the rendering derive, as chats_schema.c is for the session. Core
 * header: APR only. Table: chat_message (conf/schema.sql). */
#ifndef CHATS_MESSAGE_SCHEMA_H
#define CHATS_MESSAGE_SCHEMA_H

#include "chats_schema.h"

/** ChatMessageType values the statements test (spec §3). */
#define CHATS_MSG_INVALID     0
#define CHATS_MSG_TO_CUSTOMER 1
#define CHATS_MSG_TO_USER     2
#define CHATS_MSG_SPECIAL     3

/** ChatMessageSpecialType values the module writes itself. */
#define CHATS_MSG_SP_NONE        0
#define CHATS_MSG_SP_WELCOME     1
#define CHATS_MSG_SP_TRANSFERRED 6
#define CHATS_MSG_SP_REJECTED    13

/** Most characters of a message's text (its column is text) [D-8]. */
#define CHATS_MSG_MAX_LEN 32768

/** The channel every new message is announced on at commit, as
 * "session id:message id" (README "Long polling"): the trigger
 * of chat_message is made from it (chats_message_notify_ddl, in the
 * generated conf/render.sql) and the listener LISTENs on it. */
#define CHATS_MESSAGE_CHANNEL "chats_message"

/** A message field flag (beside CHATS_FF_*): a date-time rendered in UTC
 * with "Z" whatever the request's zone (WhenPosted [D-5]: both of the
 * official client's zone modes read the same instant). */
#define CHATS_MFF_UTC_Z 0x100

extern const chats_enum_t chats_message_type_enums[];
extern const chats_enum_t chats_message_special_enums[];

/** The fields in carrier order; *pn (if pn) gets their number. */
const chats_field_t *chats_message_fields(int *pn);

/** The field named (ASCII case-insensitive), or NULL. */
const chats_field_t *chats_message_find(const char *name, apr_size_t len);

/** The fields' places in chats_message_fields: a reader stores each
 * member by them. */
typedef enum {
    CHATS_MF_ID, CHATS_MF_SESSION, CHATS_MF_TYPE, CHATS_MF_MESSAGE,
    CHATS_MF_AUTHOR, CHATS_MF_READ, CHATS_MF_SPECIAL, CHATS_MF_PARAM,
    CHATS_MF_WHEN, CHATS_MF__N
} chats_mfield_e;

#endif
