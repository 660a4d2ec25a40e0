/* The field tables of ChatTopicAgent, ChatPresence and MDOListItem
 * (chats_shape_schema.h). Names as @superoffice/webapi's Carriers.ts
 * spells them in PascalCase (the converters read them so); columns are
 * chat_topic_member's for ChatTopicAgent, and the names the statements
 * give their computed columns for the other two (chats_topic_agent_sql.c).
 * Neither ChatTopicAgent nor the others carry TableRight or
 * FieldProperties (design note §1.7 rows 8, 9). */
#include "chats_shape_schema.h"

#define I32 "System.Int32"
#define STR "System.String"
#define BLN "System.Boolean"

#define F(n, c, t, fl, d) { n, c, t, fl, 0, NULL, NULL, d, NULL, NULL }
#define SHAPE(name, type, label, table, f) \
    { name, type, label, table, NULL, NULL, NULL, NULL, f, \
      (int)(sizeof(f) / sizeof(f[0])), 0, NULL, NULL, NULL }

static const chats_field_t agent_fields[CHATS_TAF__N] = {
    [CHATS_TAF_TOPIC] = F("TopicId", "topic_id", CHATS_F_INT32, 0, I32),
    [CHATS_TAF_USER] = { "User", "associate_id", CHATS_F_CARRIER, 0, 0,
                         NULL, &chats_associate_carrier,
                         "SuperOffice.CRM.Associate", NULL, NULL },
    [CHATS_TAF_LISTEN] = F("CanListen", "listen", CHATS_F_BOOL, 0, BLN),
    [CHATS_TAF_RESPOND] = F("CanRespond", "can_respond", CHATS_F_BOOL, 0,
                            BLN),
    [CHATS_TAF_MANAGE] = F("CanManage", "manager", CHATS_F_BOOL, 0, BLN),
    [CHATS_TAF_NOTIFY] = F("CanNotify", "notifications", CHATS_F_BOOL, 0,
                           BLN),
};

static const chats_field_t presence_fields[] = {
    F("UserId", "user_id", CHATS_F_INT32, 0, I32),
    F("DisplayName", "display_name", CHATS_F_STRING, 0, STR),
    F("OngoingChats", "ongoing_chats", CHATS_F_INT32, 0, I32),
    F("Present", "present", CHATS_F_BOOL, 0, BLN),
    F("ChatTopics", "chat_topics", CHATS_F_INT32, CHATS_SHF_INT_ARRAY,
      "System.Int32[]"),
};

static const chats_field_t mdo_fields[] = {
    F("Id", "id", CHATS_F_INT32, 0, I32),
    F("Name", "name", CHATS_F_STRING, 0, STR),
    F("ToolTip", "tooltip", CHATS_F_STRING, 0, STR),
    F("Deleted", "deleted", CHATS_F_BOOL, 0, BLN),
    F("Rank", "rank", CHATS_F_INT32, 0, I32),
    F("Type", "type", CHATS_F_STRING, 0, STR),
    F("ChildItems", NULL, CHATS_F_INT32, CHATS_SHF_CHILDREN,
      "SuperOffice.CRM.MDOListItem[]"),
    F("IconHint", "icon_hint", CHATS_F_STRING, 0, STR),
    F("ColorBlock", "color_block", CHATS_F_INT32, 0, I32),
    F("ExtraInfo", "extra_info", CHATS_F_STRING, 0, STR),
    F("StyleHint", "style_hint", CHATS_F_STRING, 0, STR),
    F("FullName", "full_name", CHATS_F_STRING, 0, STR),
};

const chats_entity_def_t chats_topic_agent_shape =
    SHAPE("ChatTopicAgent", "ChatTopicAgent", "chat topic agent",
          "chat_topic_member", agent_fields);
const chats_entity_def_t chats_presence_shape =
    SHAPE("ChatPresence", "ChatPresence", "chat presence", "chat_presence",
          presence_fields);
const chats_entity_def_t chats_mdo_item_shape =
    SHAPE("MDOListItem", "MDOListItem", "list item", NULL, mdo_fields);
