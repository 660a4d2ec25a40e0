/* The ChatTopicEntity field table and def (spec:
 * superoffice-chattopic.md; /work/notes/issue19-design.md §1 gives each
 * field's column, SuperOffice's name where its table documents one):
 * every field of §1.1, the four lookups as carriers and the groups
 * OpeningHours, Widget and BotSettings (chats_topic_groups.c), and the
 * derived, read-only LastAccept and SecondsPrAccept, computed from the
 * topic's sessions. Not in chats_entity_defs until chat_topic has the
 * columns. */
#include "chats_topic_groups.h"

#define I32 "System.Int32"
#define STR "System.String"
#define BLN "System.Boolean"

#define FIELD(n, c, t, fl, len, d) { n, c, t, fl, len, NULL, NULL, d, \
                                    NULL, NULL }
#define STRING(n, c, len) FIELD(n, c, CHATS_F_STRING, 0, len, STR)
#define INT(n, c) FIELD(n, c, CHATS_F_INT32, 0, 0, I32)
#define BOOL(n, c) FIELD(n, c, CHATS_F_BOOL, 0, 0, BLN)
#define LOOKUP(n, c, k, T) { n, c, CHATS_F_CARRIER, 0, 0, NULL, k, \
                             "SuperOffice.CRM." T, NULL, NULL }
#define GROUP(n, g, T) { n, NULL, CHATS_F_GROUP, 0, 0, NULL, NULL, \
                         "SuperOffice.CRM." T, &g, NULL }
#define DERIVED(n, t, d, e) { n, NULL, t, CHATS_FF_READONLY \
                              | CHATS_FF_DERIVED, 0, NULL, NULL, d, NULL, e }

/* Over the topic's sessions: what SuperOffice keeps in counters [I]. */
#define SESSIONS " FROM chat_session s WHERE s.topic_id = cs.id"
#define LAST_ACCEPT "SELECT max(s.when_started)" SESSIONS
#define SECONDS_PR_ACCEPT \
    "SELECT coalesce(round(avg(EXTRACT(EPOCH FROM s.when_started" \
    " - s.when_requested)))::int4, 0)" SESSIONS \
    " AND s.when_started >= s.when_requested"

/* In the spec's order (design §1.1). */
static const chats_field_t fields[] = {
    FIELD("ChatTopicId", "id", CHATS_F_INT32,
          CHATS_FF_READONLY | CHATS_FF_KEY, 0, I32),
    STRING("Name", "name", 255),
    STRING("Description", "description", 255),
    STRING("WelcomeMessage", "welcome_message", 4000),
    LOOKUP("Language", "language_id", &chats_topic_lang_carrier,
           "CustomerLanguage"),
    DERIVED("LastAccept", CHATS_F_DATETIME, "System.DateTime", LAST_ACCEPT),
    DERIVED("SecondsPrAccept", CHATS_F_INT32, I32, SECONDS_PR_ACCEPT),
    STRING("AlertRecipient", "alert_recipient", 255),
    LOOKUP("AlertTemplate", "alert_template", &chats_topic_template_carrier,
           "ReplyTemplate"),
    BOOL("CollectConsent", "collect_consent"),
    STRING("BadgeHeader", "badge_header", 255),
    BOOL("CustomQueueTextEnabled", "custom_queue_text_enabled"),
    STRING("CustomQueueText", "custom_queue_text", 255),
    INT("WarnNewChatMinutes", "warning_new_chat"),
    INT("WarnManagerNewChatMinutes", "manager_warning_new_chat"),
    BOOL("TicketEnabled", "widget_enable_ticket"),
    LOOKUP("TicketCategory", "category_id", &chats_topic_category_carrier,
           "TicketCategory"),
    LOOKUP("TicketPriority", "priority_id", &chats_topic_priority_carrier,
           "TicketPriority"),
    BOOL("OpeningHoursEnabled", "use_opening_hours"),
    GROUP("OpeningHours", chats_topic_opening_hours, "ChatOpeningHours"),
    GROUP("Widget", chats_topic_widget, "ChatWidgetSettings"),
    BOOL("BotEnabled", "bot_enabled"),
    GROUP("BotSettings", chats_topic_bot, "ChatBotSettings"),
    BOOL("OfflineCollectConsent", "offline_collect_consent"),
    INT("WarnChatMessageMinutes", "warning_chat_message"),
    INT("WarnManagerChatMessageMinutes", "manager_warning_chat_message"),
    BOOL("UseQueueOfflineForm", "use_queue_offline_form"),
    INT("OfflineFormTimeLimit", "offline_form_time_limit"),
    INT("OfflineFormQueueLength", "offline_form_queue_length"),
    BOOL("WidgetEnableRating", "widget_enable_rating"),
    STRING("WidgetRatingText", "widget_rating_text", 1024),
};

/* Topics (design §6): members read their topics, read reads every one;
 * a topic's managers change and delete it, admin any, and creates. */
#define MEMBER(cond) "EXISTS (SELECT 1 FROM chat_topic_member m WHERE " \
                     "m.topic_id = cs.id AND m.associate_id = $me" cond ")"

static const chats_entity_rights_t topic_rights = {
    { { CHATS_RIGHT_READ, CHATS_RIGHT_NONE },
      { CHATS_RIGHT_ADMIN, CHATS_RIGHT_NONE },
      { CHATS_RIGHT_ADMIN, CHATS_RIGHT_ADMIN },
      { CHATS_RIGHT_ADMIN, CHATS_RIGHT_NONE } },
    MEMBER(" AND m.manager"), "chat topics you manage", MEMBER("")
};

/* A topic with sessions is not deleted (design §7: SuperOffice's docs
 * say nothing; chat_session.topic_id refers to it). */
static const chats_in_use_t topic_in_use = {
    "SELECT count(*) FROM chat_session s WHERE s.topic_id = cs.id",
    "Sessions", "chat sessions"
};

const chats_entity_def_t chats_topic_def = {
    "ChatTopic", "ChatTopicEntity", "chat topic", "chat_topic",
    "id", "chat_topic_", "chatTopicEntityId", "chats_topic",
    fields, (int)(sizeof(fields) / sizeof(fields[0])),
    CHATS_ED_CARRIER | CHATS_ED_VERSIONED,
    &topic_rights, &topic_in_use, NULL
};
