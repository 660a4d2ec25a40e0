/* The Webhook field table and def (issue 20; /work/notes/issue20-design.md
 * §2; the official client's Webhook carrier gives the names, their order
 * and types): the third entity on the same planner, SQL and rendering.
 * A plain interface in the client, no Carrier: no TableRight and no
 * FieldProperties. Only the admin level reads or manages webhooks. */
#include "chats_schema.h"

#define I32 "System.Int32"
#define STR "System.String"
#define DT "System.DateTime"
#define STRS "System.String[]"
#define MAP "SuperOffice.Util.StringDictionary"
#define OBJ "SuperOffice.Util.StringObjectDictionary"

#define FIELD(n, c, t, fl, len, d) { n, c, t, fl, len, NULL, NULL, d, \
                                    NULL, NULL }
#define STRING(n, c, len) FIELD(n, c, CHATS_F_STRING, 0, len, STR)
#define JSON(n, c, fl, d) FIELD(n, c, CHATS_F_JSON, fl, 0, d)
/* kept by the server: a stamp, or the deliverer's counter */
#define KEPT CHATS_FF_READONLY | CHATS_FF_DERIVED
#define STAMP(n, c) FIELD(n, c, CHATS_F_DATETIME, KEPT, 0, DT)
#define WHO(n, c, fl) { n, c, CHATS_F_CARRIER, KEPT | (fl), 0, NULL, \
                        &chats_associate_carrier, \
                        "SuperOffice.CRM.Associate", NULL, NULL }
#define COUNTER(n, e) { n, NULL, CHATS_F_INT32, KEPT, 0, NULL, NULL, I32, \
                        NULL, e }

static const chats_enum_t state_enum[] = {
    { "Unknown", 0 }, { "Active", 1 }, { "Stopped", 2 },
    { "TooManyErrors", 3 }, { NULL, 0 }
};

static const chats_enum_t notify_via_enum[] = {
    { "None", 0 }, { "Email", 1 }, { "InApp", 2 }, { NULL, 0 }
};

static const chats_enum_t notify_when_enum[] = {
    { "None", 0 }, { "FirstFailure", 1 }, { "Disabling", 2 }, { NULL, 0 }
};

/* The counters are bigint in the table, Int32 in the client. */
#define CLAMPED(c) "least(cs." c ", 2147483647)::int4"

static const chats_field_t fields[] = {
    FIELD("WebhookId", "id", CHATS_F_INT32,
          CHATS_FF_READONLY | CHATS_FF_KEY, 0, I32),
    STRING("Name", "name", 255),
    JSON("Events", "events", CHATS_FF_JSON_STRINGS, STRS),
    STRING("TargetUrl", "target_url", 2048),
    FIELD("Secret", "secret", CHATS_F_STRING, CHATS_FF_WRITEONLY, 255, STR),
    { "State", "state", CHATS_F_ENUM, 0, 0, state_enum, NULL,
      "SuperOffice.CRM.WebhookState", NULL, NULL },
    STRING("Type", "type", 32),
    JSON("Headers", "headers", CHATS_FF_JSON_OBJECT | CHATS_FF_JSON_STRINGS,
         MAP),
    JSON("Properties", "properties", CHATS_FF_JSON_OBJECT, OBJ),
    STAMP("Registered", "registered_at"),
    WHO("RegisteredAssociate", "registered_by", CHATS_FF_INSERT_ACTOR),
    STAMP("Updated", CHATS_COL_UPDATED),
    WHO("UpdatedAssociate", CHATS_COL_UPDATED_BY, 0),
    STRING("ErrorsEmail", "errors_email", 255),
    JSON("ErrorEmails", "error_emails", CHATS_FF_JSON_STRINGS, STRS),
    JSON("ErrorAssociates", "error_associates", 0,
         "SuperOffice.CRM.MDOListItem[]"),
    STRING("Description", "description", 2000),
    { "NotifyVia", "notify_via", CHATS_F_FLAGS, 0, 0, notify_via_enum, NULL,
      "SuperOffice.CRM.WebhookNotifyVia", NULL, NULL },
    { "NotifyWhen", "notify_when", CHATS_F_FLAGS, 0, 0, notify_when_enum,
      NULL, "SuperOffice.CRM.WebhookNotifyWhen", NULL, NULL },
    COUNTER("TotalCalls", CLAMPED("total_calls")),
    COUNTER("TotalErrors", CLAMPED("total_errors")),
    FIELD("ConsecutiveErrors", "consecutive_errors", CHATS_F_INT32, KEPT, 0,
          I32),
    FIELD("LastError", "last_error", CHATS_F_STRING, KEPT, 4000, STR),
};

/* Webhooks send what happens to every session out of the house: the
 * admin level alone reads or manages them (issue 20). */
static const chats_entity_rights_t webhook_rights = {
    { { CHATS_RIGHT_ADMIN, CHATS_RIGHT_ADMIN },
      { CHATS_RIGHT_ADMIN, CHATS_RIGHT_ADMIN },
      { CHATS_RIGHT_ADMIN, CHATS_RIGHT_ADMIN },
      { CHATS_RIGHT_ADMIN, CHATS_RIGHT_ADMIN } },
    NULL, NULL, NULL
};

/* GET Webhook/default: an active webhook posting over HTTP. */
static const chats_default_t defaults[] = {
    { "State", "\"Active\"" }, { "Type", "\"webhook\"" }, { NULL, NULL }
};

/* GET Webhook's filters, by the REST names and the agent's (GetAll:
 * nameFilter, eventFilter, statusFilter); an exact name, one event the
 * webhook subscribes to, a state. */
static const chats_list_filter_t filters[] = {
    { "name", "nameFilter", "Name", "cs.name = $v" },
    { "event", "eventFilter", NULL, "cs.events ? $v" },
    { "status", "statusFilter", "State", "cs.state = $v" },
    { NULL, NULL, NULL, NULL }
};

static const chats_entity_extras_t extras = { defaults, filters };

const chats_entity_def_t chats_webhook_def = {
    "Webhook", "Webhook", "webhook", "chats_webhook",
    "id", "chats_webhook_", "webhookId", "chats_webhook",
    fields, (int)(sizeof(fields) / sizeof(fields[0])),
    CHATS_ED_VERSIONED, &webhook_rights, NULL, &extras
};
