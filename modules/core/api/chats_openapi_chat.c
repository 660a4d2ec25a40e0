/* The OpenAPI components issue 10 adds: the ChatMessage carrier (its
 * properties from the message field table, chats_message.c), arrays and
 * the nullable entity of the actions, the archive list's envelope, the
 * ChatAgent's request objects (named as @superoffice/webapi's Carriers.ts
 * names them) and the responses that use them. */
#include <apr_strings.h>

#include "chats_message_schema.h"
#include "chats_openapi_private.h"
#include "chats_shape_schema.h"

#define SCHEMAS "schemas"

static void type_desc(chats_og_t *o, const char *type, const char *desc)
{
    chats_og_kstr(o, "type", type);
    chats_og_kstr(o, "description", desc);
}

static void xml_name(chats_og_t *o, const char *name)
{
    chats_og_kopen(o, "xml");
    chats_og_kstr(o, "name", name);
    chats_og_close(o);
}

static void array_of(chats_og_t *o, const char *name, const char *item,
                     const char *xml, const char *desc)
{
    chats_og_kopen(o, name);
    type_desc(o, "array", desc);
    chats_og_kref(o, "items", SCHEMAS, item);
    xml_name(o, xml);
    chats_og_close(o);
}

static void gen_message(chats_og_t *o)
{
    int n;
    const chats_field_t *f = chats_message_fields(&n);

    chats_og_kopen(o, "ChatMessage");
    type_desc(o, "object", "A message of a chat session (SuperOffice's "
              "ChatMessage), generated from mod_chatsession's message "
              "field table. Requests: names in any case, Type and "
              "SpecialType as names in any case or numbers; ChatMessageId, "
              "ChatSessionId and WhenPosted are set by the server. "
              "WhenPosted is always rendered in UTC with Z.");
    xml_name(o, "ChatMessage");
    chats_og_kopen(o, "properties");
    chats_openapi_field_props(o, f, n);
    chats_og_close(o);
    chats_og_close(o);
}

static void gen_list(chats_og_t *o)
{
    chats_og_kopen(o, "ChatSessionListRow");
    type_desc(o, "object", "One row of the list: the selected fields "
              "under their entity names and encodings, plus PrimaryKey and "
              "EntityName.");
    chats_og_kopen(o, "properties");
    chats_og_kopen(o, "PrimaryKey");
    chats_og_kstr(o, "type", "integer");
    chats_og_close(o);
    chats_og_kopen(o, "EntityName");
    chats_og_kstr(o, "const", "chatsession");
    chats_og_close(o);
    chats_og_close(o);
    chats_og_close(o);
    chats_og_kopen(o, "ChatSessionList");
    type_desc(o, "object", "The archive list (OData style): one page of "
              "rows, and the next page's absolute URL when there is one.");
    chats_og_kopen(o, "properties");
    chats_og_kopen(o, "odata.metadata");
    chats_og_kstr(o, "type", "string");
    chats_og_close(o);
    chats_og_kopen(o, "odata.nextLink");
    chats_og_kstr(o, "type", "string");
    chats_og_kstr(o, "format", "uri");
    chats_og_close(o);
    array_of(o, "value", "ChatSessionListRow", "value", "The rows.");
    chats_og_close(o);
    chats_og_str(o, "required");
    chats_og_aopen(o);
    chats_og_str(o, "value");
    chats_og_aclose(o);
    chats_og_close(o);
}

/* The agent's request objects: their members, camelCase as sent. */
typedef struct {
    const char *name;
    const char *type;           /* JSON Schema type, or NULL: $ref */
    const char *ref;
} member_t;

#define M_SESSION { "chatSessionId", "integer", NULL }
#define M_TOPIC { "chatTopicId", "integer", NULL }
#define M_USERNAME { "username", "string", NULL }
#define M_AGENT { "useragent", NULL, "ChatTopicAgent" }

static const struct {
    const char *name;
    member_t m[3];
} requests[] = {
    { "Chat_CreateChatSessionForTopicRequest",
      { { "chatTopicId", "integer", NULL } } },
    { "Chat_TransferChatSessionRequest",
      { M_SESSION, { "toAssociate", "string", NULL } } },
    { "Chat_AcceptChatSessionTransferRequest", { M_SESSION } },
    { "Chat_RejectChatSessionTransferRequest", { M_SESSION } },
    { "Chat_PickUpChatSessionRequest", { M_SESSION } },
    { "Chat_ResetChatSessionRequest", { M_SESSION } },
    { "Chat_GetChatTranscriptRequest",
      { M_SESSION, { "html", "boolean", NULL } } },
    { "Chat_GetChatMessagesRequest",
      { M_SESSION, { "after", "integer", NULL } } },
    { "Chat_AddChatMessageRequest",
      { M_SESSION, { "message", NULL, "ChatMessage" } } },
    { "Chat_IsWithinOpeningHoursRequest", { M_TOPIC } },
    { "Chat_GetUserAgentListRequest",
      { { "flat", "boolean", NULL }, { "onlyPresent", "boolean", NULL } } },
    { "Chat_GetChatTopicUserAgentListRequest", { M_TOPIC } },
    { "Chat_GetChatTopicUserAgentRequest", { M_TOPIC, M_USERNAME } },
    { "Chat_AddChatTopicUserAgentRequest", { M_TOPIC, M_AGENT } },
    { "Chat_UpdateChatTopicUserAgentRequest",
      { M_TOPIC, M_USERNAME, M_AGENT } },
    { "Chat_UpdateChatTopicUserAgentsRequest",
      { M_TOPIC, { "useragents", NULL, "ChatTopicAgentArray" } } },
    { "Chat_DeleteChatTopicUserAgentRequest", { M_TOPIC, M_USERNAME } },
    { "Chat_SaveChatPresenceRequest",
      { { "chatPresence", NULL, "ChatPresenceArray" } } },
    { "Webhook_GetAllWebhooksRequest",
      { { "nameFilter", "string", NULL }, { "eventFilter", "string", NULL },
        { "statusFilter", "string", NULL } } },
    { "Webhook_TestWebhookRequest", { { "webhook", NULL, "Webhook" } } },
    { "Webhook_SignalEventRequest",
      { { "eventName", "string", NULL }, { "primaryKey", "integer", NULL },
        { "data", "object", NULL } } },
    { "Webhook_GetLastErrorRequest", { { "webhookId", "integer", NULL } } },
};

#define NREQUESTS (sizeof(requests) / sizeof(requests[0]))

static void gen_request(chats_og_t *o, size_t r)
{
    size_t i;

    chats_og_kopen(o, requests[r].name);
    type_desc(o, "object", "ChatAgent's arguments; member names in any "
              "case, unknown members ignored.");
    chats_og_kopen(o, "properties");
    for (i = 0; i < 3 && requests[r].m[i].name; i++) {
        if (requests[r].m[i].type) {
            chats_og_kopen(o, requests[r].m[i].name);
            chats_og_kstr(o, "type", requests[r].m[i].type);
            chats_og_close(o);
        }
        else {
            chats_og_kref(o, requests[r].m[i].name, SCHEMAS,
                          requests[r].m[i].ref);
        }
    }
    chats_og_close(o);
    chats_og_close(o);
}

/* A shape of the ChatTopic family (chats_shape_schema.h) from its field
 * table: arrays of ids and of the shape itself by their flags. */
static void gen_shape(chats_og_t *o, const chats_entity_def_t *shape,
                      const char *desc)
{
    int i, n;
    const chats_field_t *f = chats_schema_fields(shape, &n);

    chats_og_kopen(o, shape->type_name);
    type_desc(o, "object", desc);
    xml_name(o, shape->type_name);
    chats_og_kopen(o, "properties");
    for (i = 0; i < n; i++) {
        if (f[i].flags & CHATS_SHF_CHILDREN) {
            array_of(o, f[i].name, shape->type_name, f[i].name,
                     "The items under this one (a group's users).");
        }
        else if (f[i].flags & CHATS_SHF_INT_ARRAY) {
            chats_og_kopen(o, f[i].name);
            type_desc(o, "array", "Ids, ascending.");
            chats_og_kopen(o, "items");
            chats_og_kstr(o, "type", "integer");
            chats_og_kstr(o, "format", "int32");
            chats_og_close(o);
            chats_og_close(o);
        }
        else {
            chats_openapi_field_props(o, &f[i], 1);
        }
    }
    chats_og_close(o);
    chats_og_close(o);
}

static void gen_topic_schemas(chats_og_t *o)
{
    gen_shape(o, &chats_topic_agent_shape, "An agent of a chat topic "
              "(SuperOffice's ChatTopicAgent, not a Carrier): a row of the "
              "topic's members. Requests: User by AssociateId (above 0) or "
              "Name (a login); TopicId absent, 0 or the topic's; at least "
              "one role true.");
    gen_shape(o, &chats_presence_shape, "A chat user's presence "
              "(SuperOffice's ChatPresence). OngoingChats counts the "
              "user's active sessions now; ChatTopics the topics they are "
              "a member of. SaveChatPresence reads UserId (0: the caller) "
              "and Present only.");
    gen_shape(o, &chats_mdo_item_shape, "A chat user, or a group of them "
              "(Type group, its users in ChildItems), as SuperOffice's "
              "MDOListItem.");
    array_of(o, "ChatTopicAgentArray", "ChatTopicAgent",
             "ArrayOfChatTopicAgent", "Agents by associate id.");
    array_of(o, "ChatPresenceArray", "ChatPresence", "ArrayOfChatPresence",
             "Chat users by id.");
    array_of(o, "MDOListItemArray", "MDOListItem", "ArrayOfMDOListItem",
             "Groups (or users when flat), by group id, then name.");
    chats_og_kopen(o, "Boolean");
    type_desc(o, "boolean", "true or false (XML: <boolean>).");
    xml_name(o, "boolean");
    chats_og_close(o);
}

void chats_openapi_chat_schemas(chats_og_t *o)
{
    size_t r;

    gen_message(o);
    array_of(o, "ChatMessageArray", "ChatMessage", "ArrayOfChatMessage",
             "Messages in ChatMessageId order.");
    array_of(o, "ChatSessionEntityArray", "ChatSessionEntity",
             "ArrayOfChatSessionEntity", "Chat sessions in id order.");
    array_of(o, "ChatTopicEntityArray", "ChatTopicEntity",
             "ArrayOfChatTopicEntity", "Chat topics in id order.");
    array_of(o, "WebhookArray", "Webhook", "ArrayOfWebhook",
             "Webhooks in id order.");
    chats_og_kopen(o, "ChatSessionEntityOrNull");
    chats_og_kstr(o, "description", "The chat session, or null (XML: an "
                  "element with xsi:nil=\"true\") when there was none to "
                  "act on.");
    chats_og_str(o, "oneOf");
    chats_og_aopen(o);
    chats_og_ref(o, SCHEMAS, "ChatSessionEntity");
    chats_og_open(o);
    chats_og_kstr(o, "type", "null");
    chats_og_close(o);
    chats_og_aclose(o);
    chats_og_close(o);
    chats_og_kopen(o, "WebhookResult");
    type_desc(o, "object", "How a test event went (SuperOffice's "
              "WebhookResult): Success when the receiver answered 2xx; "
              "Message its status line, or why it failed.");
    xml_name(o, "WebhookResult");
    chats_og_kopen(o, "properties");
    chats_og_kopen(o, "Success");
    chats_og_kstr(o, "type", "boolean");
    chats_og_close(o);
    chats_og_kopen(o, "Message");
    chats_og_kstr(o, "type", "string");
    chats_og_close(o);
    chats_og_close(o);
    chats_og_close(o);
    chats_og_kopen(o, "WebhookDataObject");
    type_desc(o, "object", "Any members (SuperOffice's "
              "StringObjectDictionary).");
    chats_og_close(o);
    chats_og_kopen(o, "String");
    type_desc(o, "string", "A string (XML: <string>).");
    xml_name(o, "string");
    chats_og_close(o);
    chats_og_kopen(o, "Transcript");
    type_desc(o, "string", "The transcript: plain text, or HTML with "
              "every message escaped.");
    xml_name(o, "string");
    chats_og_close(o);
    gen_list(o);
    gen_topic_schemas(o);
    for (r = 0; r < NREQUESTS; r++) {
        gen_request(o, r);
    }
}

void chats_openapi_chat_bodies(chats_og_t *o)
{
    size_t r;

    chats_og_kopen(o, "ChatMessage");
    chats_og_kstr(o, "description", "The message to add.");
    chats_og_kbool(o, "required", 1);
    chats_og_content(o, CHATS_OG_ENTITY_MEDIA, "ChatMessage");
    chats_og_close(o);
    chats_og_kopen(o, "ChatTopicAgent");
    chats_og_kstr(o, "description", "The agent (an existing member is "
                  "updated).");
    chats_og_kbool(o, "required", 1);
    chats_og_content(o, CHATS_OG_JSON_MEDIA, "ChatTopicAgent");
    chats_og_close(o);
    chats_og_kopen(o, "ChatTopicAgentArray");
    chats_og_kstr(o, "description", "Every agent the topic is to have; [] "
                  "removes them all.");
    chats_og_kbool(o, "required", 1);
    chats_og_content(o, CHATS_OG_JSON_MEDIA, "ChatTopicAgentArray");
    chats_og_close(o);
    chats_og_kopen(o, "WebhookData");
    chats_og_kstr(o, "description", "The event's FieldValues: a JSON "
                  "object (absent, null or {}: none).");
    chats_og_kbool(o, "required", 0);
    chats_og_content(o, CHATS_OG_JSON_MEDIA, "WebhookDataObject");
    chats_og_close(o);
    for (r = 0; r < NREQUESTS; r++) {
        chats_og_kopen(o, requests[r].name);
        chats_og_kstr(o, "description", "The arguments, as the official "
                      "client sends them.");
        chats_og_kbool(o, "required", 1);
        chats_og_content(o, CHATS_OG_JSON_MEDIA, requests[r].name);
        chats_og_close(o);
    }
}

static void response(chats_og_t *o, const char *name, const char *desc,
                     const char *schema, int validators)
{
    chats_og_kopen(o, name);
    chats_og_kstr(o, "description", desc);
    chats_og_kopen(o, "headers");
    if (validators) {
        chats_og_kref(o, "ETag", "headers", "ETag");
        chats_og_kref(o, "Last-Modified", "headers", "Last-Modified");
    }
    chats_og_kref(o, "SO-TimeZone", "headers", "SO-TimeZone");
    chats_og_close(o);
    chats_og_content(o, CHATS_OG_ENTITY_MEDIA, schema);
    chats_og_close(o);
}

void chats_openapi_chat_responses(chats_og_t *o)
{
    response(o, "Entity", "The chat session, without _Links.",
             "ChatSessionEntity", 1);
    response(o, "EntityOrNull", "The chat session without _Links, or null "
             "when there was none to act on.", "ChatSessionEntityOrNull", 1);
    response(o, "EntityArray", "Chat sessions without _Links.",
             "ChatSessionEntityArray", 0);
    response(o, "TopicEntity", "The chat topic, without _Links.",
             "ChatTopicEntity", 1);
    response(o, "TopicEntityArray", "Chat topics without _Links.",
             "ChatTopicEntityArray", 0);
    response(o, "WebhookArray", "Webhooks without _Links.", "WebhookArray",
             0);
    response(o, "WebhookEntity", "The webhook, without _Links.", "Webhook",
             1);
    response(o, "WebhookResult", "How the test went.", "WebhookResult", 0);
    response(o, "String", "A JSON string (XML: <string>).", "String", 0);
    response(o, "ChatSessionList", "One page of the list.",
             "ChatSessionList", 0);
    response(o, "ChatMessages", "The messages.", "ChatMessageArray", 0);
    response(o, "ChatMessage", "The message as stored.", "ChatMessage", 0);
    response(o, "Transcript", "The transcript as a JSON string (XML: "
             "<string>).", "Transcript", 0);
    response(o, "ChatTopicAgent", "The agent as stored.", "ChatTopicAgent",
             0);
    response(o, "ChatTopicAgentArray", "The topic's agents.",
             "ChatTopicAgentArray", 0);
    response(o, "ChatPresenceArray", "Every chat user's presence.",
             "ChatPresenceArray", 0);
    response(o, "MDOListItemArray", "The chat users.", "MDOListItemArray",
             0);
    response(o, "Boolean", "true or false.", "Boolean", 0);
    chats_og_kopen(o, "NoContent");
    chats_og_kstr(o, "description", "Done; no body.");
    chats_og_close(o);
}
