/* The OpenAPI components issue 10 adds: the ChatMessage carrier (its
 * properties from the message field table, chats_message.c), arrays and
 * the nullable entity of the actions, the archive list's envelope, the
 * ChatAgent's request objects (named as @superoffice/webapi's Carriers.ts
 * names them) and the responses that use them. */
#include <apr_strings.h>

#include "chats_message_schema.h"
#include "chats_openapi_private.h"

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

static const struct {
    const char *name;
    member_t m[2];
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
};

#define NREQUESTS (sizeof(requests) / sizeof(requests[0]))

static void gen_request(chats_og_t *o, size_t r)
{
    size_t i;

    chats_og_kopen(o, requests[r].name);
    type_desc(o, "object", "ChatAgent's arguments; member names in any "
              "case, unknown members ignored.");
    chats_og_kopen(o, "properties");
    for (i = 0; i < 2 && requests[r].m[i].name; i++) {
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

void chats_openapi_chat_schemas(chats_og_t *o)
{
    size_t r;

    gen_message(o);
    array_of(o, "ChatMessageArray", "ChatMessage", "ArrayOfChatMessage",
             "Messages in ChatMessageId order.");
    array_of(o, "ChatSessionEntityArray", "ChatSessionEntity",
             "ArrayOfChatSessionEntity", "Chat sessions in id order.");
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
    chats_og_kopen(o, "Transcript");
    type_desc(o, "string", "The transcript: plain text, or HTML with "
              "every message escaped.");
    xml_name(o, "string");
    chats_og_close(o);
    gen_list(o);
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
    response(o, "ChatSessionList", "One page of the list.",
             "ChatSessionList", 0);
    response(o, "ChatMessages", "The messages.", "ChatMessageArray", 0);
    response(o, "ChatMessage", "The message as stored.", "ChatMessage", 0);
    response(o, "Transcript", "The transcript as a JSON string (XML: "
             "<string>).", "Transcript", 0);
}
