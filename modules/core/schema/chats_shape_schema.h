/* The shapes of the ChatTopic family that are no entity (design note
 * §3): ChatTopicAgent (a row of chat_topic_member), ChatPresence and
 * MDOListItem (rows made by their statements). Each is one field table,
 * from which its SQL select list (chats_topic_agent_sql.c), its rendering
 * in JSON and XML (chats_shape.c) and its OpenAPI schema
 * (chats_openapi_topic.c) derive. They have no rights rule and no PATCH:
 * they are written by fixed statements. Core header: APR only. */
#ifndef CHATS_SHAPE_SCHEMA_H
#define CHATS_SHAPE_SCHEMA_H

#include "chats_schema.h"

/** Shape field flags (beside CHATS_FF_*): the column is an int4[],
 * rendered as an array of numbers (ChatPresence.ChatTopics). */
#define CHATS_SHF_INT_ARRAY 0x1000
/** No column: an array of the shape itself, filled by its reader
 * (MDOListItem.ChildItems). */
#define CHATS_SHF_CHILDREN  0x2000

/** ChatTopicAgent: TopicId, User (Associate), CanListen, CanRespond,
 * CanManage, CanNotify over chat_topic_member's columns. */
extern const chats_entity_def_t chats_topic_agent_shape;
/** ChatPresence: UserId, DisplayName, OngoingChats, Present,
 * ChatTopics. */
extern const chats_entity_def_t chats_presence_shape;
/** MDOListItem: Id, Name, ToolTip, Deleted, Rank, Type, ChildItems,
 * IconHint, ColorBlock, ExtraInfo, StyleHint, FullName. */
extern const chats_entity_def_t chats_mdo_item_shape;

/** ChatTopicAgent's fields, by place. */
typedef enum {
    CHATS_TAF_TOPIC, CHATS_TAF_USER, CHATS_TAF_LISTEN, CHATS_TAF_RESPOND,
    CHATS_TAF_MANAGE, CHATS_TAF_NOTIFY, CHATS_TAF__N
} chats_taf_e;

#endif
