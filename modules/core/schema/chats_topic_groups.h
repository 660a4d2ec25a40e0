/* ChatTopicEntity's lookups and groups (chats_topic_groups.c), for its
 * field table (chats_topic_schema.c) alone. Core header. */
#ifndef CHATS_TOPIC_GROUPS_H
#define CHATS_TOPIC_GROUPS_H

#include "chats_schema.h"

/** CustomerLanguage, ReplyTemplate, TicketCategory, TicketPriority
 * (design §1.5). */
extern const chats_carrier_t chats_topic_lang_carrier;
extern const chats_carrier_t chats_topic_template_carrier;
extern const chats_carrier_t chats_topic_category_carrier;
extern const chats_carrier_t chats_topic_priority_carrier;

/** ChatOpeningHours, ChatWidgetSettings, ChatBotSettings (design
 * §1.2-1.4). */
extern const chats_group_t chats_topic_opening_hours;
extern const chats_group_t chats_topic_widget;
extern const chats_group_t chats_topic_bot;

#endif
