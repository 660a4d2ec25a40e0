/* ChatTopicEntity's lookups (carriers: a reference sets the key alone)
 * and groups: OpeningHours, Widget and BotSettings, value objects whose
 * members are columns of chat_topic itself (design
 * /work/notes/issue19-design.md §1.2-1.5 gives each member's column,
 * SuperOffice's name where its table documents one), with the lookups
 * two of them carry (TimeZoneData, KbCategory) and the enums and flags
 * of the widget (§1.6, names as the official client spells them). Their
 * tables come with the schema (design slice B). */
#include "chats_topic_groups.h"

#define I32 "System.Int32"
#define STR "System.String"
#define BLN "System.Boolean"
#define DUR "System.TimeSpan"

#define SUB(n, c, t, d) { n, c, t, NULL, d, NULL, NULL, 0 }
#define NMEMB(a) ((int)(sizeof(a) / sizeof(a[0])))

/* The top-level lookups' members (design §1.5); CustomerLanguage,
 * TicketCategory and TicketPriority are one shape. */
static const chats_subfield_t id_value_fields[] = {
    SUB("Id", "id", CHATS_F_INT32, I32),
    SUB("Value", "value", CHATS_F_STRING, STR),
    SUB("Tooltip", "tooltip", CHATS_F_STRING, STR),
};

static const chats_subfield_t template_fields[] = {
    SUB("ReplyTemplateId", "reply_template_id", CHATS_F_INT32, I32),
    SUB("Name", "name", CHATS_F_STRING, STR),
    SUB("Description", "description", CHATS_F_STRING, STR),
    SUB("FolderId", "folder_id", CHATS_F_INT32, I32),
};

const chats_carrier_t chats_topic_lang_carrier = {
    "CustomerLanguage", "cust_lang", id_value_fields, NMEMB(id_value_fields)
};
const chats_carrier_t chats_topic_template_carrier = {
    "ReplyTemplate", "reply_template", template_fields,
    NMEMB(template_fields)
};
const chats_carrier_t chats_topic_category_carrier = {
    "TicketCategory", "ej_category", id_value_fields, NMEMB(id_value_fields)
};
const chats_carrier_t chats_topic_priority_carrier = {
    "TicketPriority", "ticket_priority", id_value_fields,
    NMEMB(id_value_fields)
};

/* tz_location: the topic's zone for IsOpen (design §1.2); its zone
 * column (IANA) is no member: TimeZoneData has none. */
static const chats_subfield_t tz_fields[] = {
    SUB("TZLocationID", "tz_location_id", CHATS_F_INT32, I32),
    SUB("Name", "name", CHATS_F_STRING, STR),
    SUB("TZLocationCode", "code", CHATS_F_STRING, STR),
    SUB("TZLocationCities", "cities", CHATS_F_STRING, STR),
    SUB("IsoNumber", "iso_number", CHATS_F_INT32, I32),
};

static const chats_subfield_t kb_fields[] = {
    SUB("KbCategoryId", "kb_category_id", CHATS_F_INT32, I32),
    SUB("Name", "name", CHATS_F_STRING, STR),
    SUB("Description", "description", CHATS_F_STRING, STR),
    SUB("Fullname", "fullname", CHATS_F_STRING, STR),
    SUB("ParentId", "parent_id", CHATS_F_INT32, I32),
    SUB("SortOrder", "sort_order", CHATS_F_INT32, I32),
};

static const chats_carrier_t tz_carrier = {
    "TimeZoneData", "tz_location", tz_fields, NMEMB(tz_fields)
};
static const chats_carrier_t kb_carrier = {
    "KbCategory", "kb_category", kb_fields, NMEMB(kb_fields)
};

static const chats_enum_t theme_enum[] = {
    { "Classic", 0 }, { "Modern", 1 }, { NULL, 0 }
};

/* The client's string enum has no numbers: declaration order [I]. */
static const chats_enum_t size_enum[] = {
    { "Normal", 0 }, { "Large", 1 }, { NULL, 0 }
};

static const chats_enum_t required_enum[] = {
    { "None", 0 }, { "Email", 1 }, { "Name", 2 }, { "Company", 4 },
    { "Phone", 8 }, { "Country", 16 }, { NULL, 0 }
};

#define FIELD(n, c, t, len, e, k, d) { n, c, t, 0, len, e, k, d, NULL, NULL }
#define STRING(n, c, len) FIELD(n, c, CHATS_F_STRING, len, NULL, NULL, STR)
#define INT(n, c) FIELD(n, c, CHATS_F_INT32, 0, NULL, NULL, I32)
#define BOOL(n, c) FIELD(n, c, CHATS_F_BOOL, 0, NULL, NULL, BLN)
#define TIME(n, c) FIELD(n, c, CHATS_F_DURATION, 0, NULL, NULL, DUR)
#define DAY(D, d) BOOL(D "Enabled", d "_enabled"), \
                  TIME(D "Start", d "_start"), TIME(D "Stop", d "_stop")
#define LOOKUP(n, c, k, T) FIELD(n, c, CHATS_F_CARRIER, 0, NULL, k, \
                                 "SuperOffice.CRM." T)

static const chats_field_t hours_members[] = {
    LOOKUP("TzLocation", "tz_location_id", &tz_carrier, "TimeZoneData"),
    DAY("Mon", "mon"), DAY("Tue", "tue"), DAY("Wed", "wed"),
    DAY("Thu", "thu"), DAY("Fri", "fri"), DAY("Sat", "sat"),
    DAY("Sun", "sun"),
    BOOL("UseLunchHours", "use_lunch_hours"),
    TIME("LunchStart", "lunch_start"),
    TIME("LunchStop", "lunch_stop"),
};

/* Stop before start means nothing to IsOpen, enabled or not (§1.2). */
static const chats_pair_t hours_pairs[] = {
    { "MonStart", "MonStop" }, { "TueStart", "TueStop" },
    { "WedStart", "WedStop" }, { "ThuStart", "ThuStop" },
    { "FriStart", "FriStop" }, { "SatStart", "SatStop" },
    { "SunStart", "SunStop" }, { "LunchStart", "LunchStop" },
};

const chats_group_t chats_topic_opening_hours = {
    "ChatOpeningHours", hours_members, NMEMB(hours_members),
    hours_pairs, NMEMB(hours_pairs)
};

static const chats_field_t widget_members[] = {
    BOOL("AutoFaqEnabled", "widget_auto_faq"),
    LOOKUP("AutoFaqCategory", "kb_category_id", &kb_carrier, "KbCategory"),
    BOOL("PreFormEnabled", "widget_pre_form"),
    STRING("PreFormMessage", "widget_pre_message", 1024),
    FIELD("RequiredFields", "widget_required_fields", CHATS_F_FLAGS, 0,
          required_enum, NULL, "SuperOffice.Data.WidgetRequiredFields"),
    BOOL("PostFormEnabled", "widget_post_form"),
    STRING("PostFormHeader", "widget_post_header", 255),
    STRING("PostFormMessage", "widget_post_message", 1024),
    BOOL("PostTranscriptEnabled", "widget_post_transcript"),
    STRING("LanguageIsoCode", "widget_language", 63),
    FIELD("Size", "widget_size", CHATS_F_ENUM, 0, size_enum, NULL,
          "SuperOffice.Data.ChatWidgetSize"),
    FIELD("Theme", "widget_theme", CHATS_F_ENUM, 0, theme_enum, NULL,
          "SuperOffice.Data.WidgetTheme"),
    STRING("Color", "widget_color", 16),
    STRING("BadgeColor", "widget_badge_color", 16),
    STRING("BadgeTextColor", "widget_badge_text_color", 16),
    STRING("CustMsgColor", "widget_cust_msg_color", 16),
    STRING("CustMsgTextColor", "widget_cust_msg_text_color", 16),
    STRING("AgentMsgColor", "widget_agent_msg_color", 16),
    STRING("AgentMsgTextColor", "widget_agent_msg_text_color", 16),
    STRING("ButtonColor", "widget_button_color", 16),
    STRING("ButtonTextColor", "widget_button_text_color", 16),
    STRING("Font", "widget_font", 64),
    STRING("FontSize", "widget_font_size", 16),
    BOOL("LogoEnabled", "widget_show_logo"),
    /* stored, not acted on: no logo store here (design §1.3) */
    INT("LogoBlobId", "widget_logo_blob_id"),
    STRING("LogoName", "widget_logo_name", 255),
    BOOL("ShowAgentPhoto", "widget_show_agent_photo"),
    STRING("WelcomeTitle", "widget_welcome_title", 255),
    STRING("WelcomeMessage", "widget_welcome_message", 255),
    STRING("OfflineHeader", "widget_offline_header", 255),
    STRING("OfflineMessage", "widget_offline_message", 1024),
    FIELD("OfflineFields", "widget_offline_fields", CHATS_F_FLAGS, 0,
          required_enum, NULL, "SuperOffice.Data.WidgetRequiredFields"),
    BOOL("UseAgentFirstname", "widget_agent_use_firstname"),
};

const chats_group_t chats_topic_widget = {
    "ChatWidgetSettings", widget_members, NMEMB(widget_members), NULL, 0
};

/* CRMScript ids: stored, not acted on (no scripts run here, §1.4). */
static const chats_field_t bot_members[] = {
    STRING("BotName", "bot_name", 80),
    INT("BotRegisterScriptId", "bot_register_scriptid"),
    INT("BotSessionCreatedScriptId", "bot_session_created_scriptid"),
    INT("BotSessionChangedScriptId", "bot_session_changed_scriptid"),
    INT("BotMessageReceivedScriptId", "bot_message_received_scriptid"),
};

const chats_group_t chats_topic_bot = {
    "ChatBotSettings", bot_members, NMEMB(bot_members), NULL, 0
};
