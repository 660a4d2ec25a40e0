/* The route table (chats_routes.h) and the matcher. Statuses per spec §1:
 * every action answers 200 (no 201/204); the agent's Delete answers 204
 * like REST. The error statuses come from the error kinds (chats_err.c:
 * where each arises) and the routes' arguments (chats_route_answers);
 * they feed OpenAPI; what a route really answers is tested in
 * t/api/routes.t and the routes' own test files. */
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include <string.h>

#include "chats_routes.h"

#define R CHATS_FAMILY_REST
#define A CHATS_FAMILY_AGENT
#define T CHATS_FAMILY_TOPIC
#define W CHATS_FAMILY_WEBHOOK
#define WA CHATS_FAMILY_WEBHOOK_AGENT
#define TID CHATS_ARG_ID
#define USR CHATS_ARG_USERNAME
#define SEL CHATS_ARG_SELECT
#define KEY CHATS_ARG_IDEM
#define TOPIC &chats_topic_def
#define SESSION &chats_session_def
#define HOOK &chats_webhook_def

static const chats_route_def_t routes[] = {
    /* ---- REST, spec §1; a pattern's rows are adjacent (Allow order) */
    { R, "", "GET", CHATS_OP_LIST, "GetAll", "The archive list of chat "
      "sessions ($select, $filter, $orderBy, $top, $skip, $format)", SEL,
      NULL, 200, "ChatSessionList", NULL },
    { R, "", "POST", CHATS_OP_CREATE, "PostChatSessionEntity", "Create a "
      "chat session (200, as SuperOffice answers, with Location)", SEL | KEY,
      "ChatSessionEntity", 200, "Created", NULL },
    { R, "/default", "GET", CHATS_OP_DEFAULT, "DefaultChatSessionEntity",
      "The template a new chat session starts from", SEL, NULL, 200,
      "Default", NULL },
    { R, "/ForCurrentUser", "GET", CHATS_OP_FOR_USER, "ChatSessionsForUser",
      "The open sessions of the topics the caller is a member of", 0, NULL,
      200, "EntityArray", NULL },
    { R, "/Pickup", "POST", CHATS_OP_PICKUP_FIRST, "PickUpFirstChatSession",
      "Take the oldest queued session of the caller's topics (null when "
      "none is queued)", KEY, NULL, 200, "EntityOrNull", NULL },
    { R, "/{id}", "GET", CHATS_OP_GET, "GetChatSessionEntity", "Fetch a "
      "chat session", CHATS_ARG_ID | SEL, NULL, 200, "EntityWithLinks", NULL },
    { R, "/{id}", "PUT", CHATS_OP_PUT, "PutChatSessionEntity", "Replace a "
      "chat session", CHATS_ARG_ID | SEL, "ChatSessionEntity", 200,
      "EntityWithLinks", NULL },
    { R, "/{id}", "PATCH", CHATS_OP_PATCH, "PatchChatSessionEntity", "Patch "
      "a chat session (JSON Patch or JSON Merge Patch)", CHATS_ARG_ID | SEL,
      "ChatSessionPatch", 200, "EntityWithLinks", NULL },
    { R, "/{id}", "DELETE", CHATS_OP_DELETE, "DeleteChatSessionEntity",
      "Delete a chat session", CHATS_ARG_ID, NULL, 204, "Deleted", NULL },
    { R, "/{id}/Pickup", "POST", CHATS_OP_PICKUP, "PickUpChatSession",
      "Take this queued session (null when it is not queued)",
      CHATS_ARG_ID | KEY, NULL, 200, "EntityOrNull", NULL },
    { R, "/{id}/TransferTo/{toAssociate}", "POST", CHATS_OP_TRANSFER,
      "TransferChatSession", "Offer the caller's session to another "
      "associate (login or id)", CHATS_ARG_ID | CHATS_ARG_TO_ASSOC | KEY,
      NULL, 200, "Entity", NULL },
    { R, "/{id}/AcceptTransfer", "POST", CHATS_OP_ACCEPT,
      "AcceptChatSessionTransfer", "Take over a session offered to the "
      "caller", CHATS_ARG_ID | KEY, NULL, 200, "Entity", NULL },
    { R, "/{id}/RejectTransfer", "POST", CHATS_OP_REJECT,
      "RejectChatSessionTransfer", "Decline a session offered to the "
      "caller", CHATS_ARG_ID | KEY, NULL, 200, "Entity", NULL },
    { R, "/{id}/Reset", "POST", CHATS_OP_RESET, "ResetChatSession", "Put "
      "the session back in the queue", CHATS_ARG_ID | KEY, NULL, 200,
      "Entity", NULL },
    { R, "/{id}/Messages", "GET", CHATS_OP_MESSAGES, "GetChatMessages",
      "The session's messages after a message id, in id order (optionally "
      "waiting for one)", CHATS_ARG_ID | CHATS_ARG_AFTER | CHATS_ARG_WAIT,
      NULL, 200, "ChatMessages", NULL },
    { R, "/{id}/Messages", "POST", CHATS_OP_ADD_MESSAGE, "AddChatMessage",
      "Add a message to the session", CHATS_ARG_ID | KEY, "ChatMessage",
      200, "ChatMessage", NULL },
    { R, "/{id}/Transcript", "POST", CHATS_OP_TRANSCRIPT,
      "GetChatTranscript", "The session's transcript as a string (text or "
      "HTML)", CHATS_ARG_ID | CHATS_ARG_HTML, NULL, 200, "Transcript", NULL },

    /* ---- ChatAgent (@superoffice/webapi ChatAgent.ts): POST only */
    { A, "CreateDefaultChatSessionEntity", "POST", CHATS_OP_DEFAULT,
      "Chat_CreateDefaultChatSessionEntity", "The template a new chat "
      "session starts from", 0, NULL, 200, "Entity", NULL },
    { A, "SaveChatSessionEntity", "POST", CHATS_OP_SAVE,
      "Chat_SaveChatSessionEntity", "Create (ChatSessionId 0 or absent) or "
      "replace a chat session", CHATS_ARG_ENTITY | KEY, "ChatSessionEntity",
      200, "Entity", NULL },
    { A, "GetChatSessionEntity", "POST", CHATS_OP_GET,
      "Chat_GetChatSessionEntity", "Fetch a chat session",
      CHATS_ARG_ENTITY_ID, NULL, 200, "Entity", NULL },
    { A, "DeleteChatSessionEntity", "POST", CHATS_OP_DELETE,
      "Chat_DeleteChatSessionEntity", "Delete a chat session (204)",
      CHATS_ARG_ENTITY_ID, NULL, 204, "Deleted", NULL },
    { A, "ChatSessionsForUser", "POST", CHATS_OP_FOR_USER,
      "Chat_ChatSessionsForUser", "The open sessions of the caller's topics",
      0, NULL, 200, "EntityArray", NULL },
    { A, "CreateChatSessionForTopic", "POST", CHATS_OP_CREATE_FOR_TOPIC,
      "Chat_CreateChatSessionForTopic", "Create a queued session in a "
      "topic", CHATS_ARG_TOPIC | KEY,
      "Chat_CreateChatSessionForTopicRequest", 200, "Entity", NULL },
    { A, "TransferChatSession", "POST", CHATS_OP_TRANSFER,
      "Chat_TransferChatSession", "Offer the caller's session to another "
      "associate", CHATS_ARG_ID | CHATS_ARG_TO_ASSOC | KEY,
      "Chat_TransferChatSessionRequest", 200, "Entity", NULL },
    { A, "AcceptChatSessionTransfer", "POST", CHATS_OP_ACCEPT,
      "Chat_AcceptChatSessionTransfer", "Take over a session offered to "
      "the caller", CHATS_ARG_ID | KEY,
      "Chat_AcceptChatSessionTransferRequest", 200, "Entity", NULL },
    { A, "RejectChatSessionTransfer", "POST", CHATS_OP_REJECT,
      "Chat_RejectChatSessionTransfer", "Decline a session offered to the "
      "caller", CHATS_ARG_ID | KEY, "Chat_RejectChatSessionTransferRequest",
      200, "Entity", NULL },
    { A, "PickUpChatSession", "POST", CHATS_OP_PICKUP,
      "Chat_PickUpChatSession", "Take this queued session (null when it is "
      "not queued)", CHATS_ARG_ID | KEY, "Chat_PickUpChatSessionRequest",
      200, "EntityOrNull", NULL },
    { A, "PickUpFirstChatSession", "POST", CHATS_OP_PICKUP_FIRST,
      "Chat_PickUpFirstChatSession", "Take the oldest queued session of "
      "the caller's topics (null when none is queued)", KEY, NULL, 200,
      "EntityOrNull", NULL },
    { A, "ResetChatSession", "POST", CHATS_OP_RESET, "Chat_ResetChatSession",
      "Put the session back in the queue", CHATS_ARG_ID | KEY,
      "Chat_ResetChatSessionRequest", 200, "Entity", NULL },
    { A, "GetChatTranscript", "POST", CHATS_OP_TRANSCRIPT,
      "Chat_GetChatTranscript", "The session's transcript as a string",
      CHATS_ARG_ID | CHATS_ARG_HTML, "Chat_GetChatTranscriptRequest", 200,
      "Transcript", NULL },
    { A, "GetChatMessages", "POST", CHATS_OP_MESSAGES,
      "Chat_GetChatMessages", "The session's messages after a message id",
      CHATS_ARG_ID | CHATS_ARG_AFTER, "Chat_GetChatMessagesRequest", 200,
      "ChatMessages", NULL },
    { A, "AddChatMessage", "POST", CHATS_OP_ADD_MESSAGE,
      "Chat_AddChatMessage", "Add a message to the session",
      CHATS_ARG_ID | CHATS_ARG_MESSAGE | KEY, "Chat_AddChatMessageRequest",
      200, "ChatMessage", NULL },
    /* ChatTopicEntity's (chats_topic_def) */
    { A, "CreateDefaultChatTopicEntity", "POST", CHATS_OP_DEFAULT,
      "Chat_CreateDefaultChatTopicEntity", "The template a new chat topic "
      "starts from", 0, NULL, 200, "TopicEntity", TOPIC },
    { A, "SaveChatTopicEntity", "POST", CHATS_OP_SAVE,
      "Chat_SaveChatTopicEntity", "Create (ChatTopicId 0 or absent) or "
      "replace a chat topic", CHATS_ARG_ENTITY | KEY, "ChatTopicEntity",
      200, "TopicEntity", TOPIC },
    { A, "GetChatTopicEntity", "POST", CHATS_OP_GET,
      "Chat_GetChatTopicEntity", "Fetch a chat topic", CHATS_ARG_ENTITY_ID,
      NULL, 200, "TopicEntity", TOPIC },
    { A, "DeleteChatTopicEntity", "POST", CHATS_OP_DELETE,
      "Chat_DeleteChatTopicEntity", "Delete a chat topic that has no chat "
      "sessions (204)", CHATS_ARG_ENTITY_ID, NULL, 204, "Deleted", TOPIC },
    { A, "ChatTopicsForUser", "POST", CHATS_OP_MINE,
      "Chat_ChatTopicsForUser", "The chat topics the caller is a member of",
      0, NULL, 200, "TopicEntityArray", TOPIC },

    { A, "IsWithinOpeningHours", "POST", CHATS_OP_TOPIC_IS_OPEN,
      "Chat_IsWithinOpeningHours", "Whether the topic is open now (by "
      "its opening hours, in its zone)", CHATS_ARG_TOPIC,
      "Chat_IsWithinOpeningHoursRequest", 200, "Boolean", NULL },
    { A, "GetUserAgentList", "POST", CHATS_OP_USER_AGENTS,
      "Chat_GetUserAgentList", "The chat users as list items, grouped "
      "unless flat", CHATS_ARG_FLAT | CHATS_ARG_ONLY_PRESENT,
      "Chat_GetUserAgentListRequest", 200, "MDOListItemArray", NULL },
    { A, "GetChatTopicUserAgentList", "POST", CHATS_OP_TOPIC_AGENTS,
      "Chat_GetChatTopicUserAgentList", "The topic's agents",
      CHATS_ARG_TOPIC, "Chat_GetChatTopicUserAgentListRequest", 200,
      "ChatTopicAgentArray", NULL },
    { A, "GetChatTopicUserAgent", "POST", CHATS_OP_TOPIC_AGENT_GET,
      "Chat_GetChatTopicUserAgent", "One agent of the topic (a login or "
      "an associate id)", CHATS_ARG_TOPIC | USR,
      "Chat_GetChatTopicUserAgentRequest", 200, "ChatTopicAgent", NULL },
    { A, "AddChatTopicUserAgent", "POST", CHATS_OP_TOPIC_AGENT_ADD,
      "Chat_AddChatTopicUserAgent", "Add an agent to the topic (an "
      "existing one is updated)", CHATS_ARG_TOPIC | CHATS_ARG_USERAGENT,
      "Chat_AddChatTopicUserAgentRequest", 200, "ChatTopicAgent", NULL },
    { A, "UpdateChatTopicUserAgent", "POST", CHATS_OP_TOPIC_AGENT_UPDATE,
      "Chat_UpdateChatTopicUserAgent", "Change an agent's roles in the "
      "topic", CHATS_ARG_TOPIC | USR | CHATS_ARG_USERAGENT,
      "Chat_UpdateChatTopicUserAgentRequest", 200, "ChatTopicAgent", NULL },
    { A, "UpdateChatTopicUserAgents", "POST", CHATS_OP_TOPIC_AGENTS_SET,
      "Chat_UpdateChatTopicUserAgents", "Replace the topic's agents",
      CHATS_ARG_TOPIC | CHATS_ARG_USERAGENTS,
      "Chat_UpdateChatTopicUserAgentsRequest", 200, "ChatTopicAgentArray", NULL },
    { A, "DeleteChatTopicUserAgent", "POST", CHATS_OP_TOPIC_AGENT_DELETE,
      "Chat_DeleteChatTopicUserAgent", "Remove an agent from the topic "
      "(204)", CHATS_ARG_TOPIC | USR,
      "Chat_DeleteChatTopicUserAgentRequest", 204, "Deleted", NULL },
    { A, "CreateDefaultChatTopicAgent", "POST", CHATS_OP_TOPIC_AGENT_DEFAULT,
      "Chat_CreateDefaultChatTopicAgent", "The template a new topic agent "
      "starts from", 0, NULL, 200, "ChatTopicAgent", NULL },
    { A, "GetChatPresence", "POST", CHATS_OP_PRESENCE_GET,
      "Chat_GetChatPresence", "Every chat user's presence", 0, NULL, 200,
      "ChatPresenceArray", NULL },
    { A, "SaveChatPresence", "POST", CHATS_OP_PRESENCE_SAVE,
      "Chat_SaveChatPresence", "Set the caller's own presence (204)",
      CHATS_ARG_PRESENCE, "Chat_SaveChatPresenceRequest", 204,
      "NoContent", NULL },

    /* ---- ChatTopic (REST): the entity (chats_topic_def), its agents,
     * the users, opening hours, its sessions (ChatSession's rows) */
    { T, "", "POST", CHATS_OP_CREATE, "PostChatTopicEntity", "Create a "
      "chat topic (200, with Location; admin)", SEL | KEY, "ChatTopicEntity",
      200, "TopicCreated", NULL },
    { T, "/default", "GET", CHATS_OP_DEFAULT, "DefaultChatTopicEntity",
      "The template a new chat topic starts from", SEL, NULL, 200,
      "TopicDefault", NULL },
    { T, "/ForCurrentUser", "GET", CHATS_OP_MINE, "ChatTopicsForUser",
      "The chat topics the caller is a member of", 0, NULL, 200,
      "TopicEntityArray", NULL },
    { T, "/UserAgents", "GET", CHATS_OP_USER_AGENTS, "GetUserAgentList",
      "The chat users as list items, grouped unless flat (onlyPresent: "
      "the present ones)", CHATS_ARG_FLAT | CHATS_ARG_ONLY_PRESENT, NULL,
      200, "MDOListItemArray", NULL },
    { T, "/{id}", "GET", CHATS_OP_GET, "GetChatTopicEntity", "Fetch a "
      "chat topic", TID | SEL, NULL, 200, "TopicEntityWithLinks", NULL },
    { T, "/{id}", "PUT", CHATS_OP_PUT, "PutChatTopicEntity", "Replace a "
      "chat topic", TID | SEL, "ChatTopicEntity", 200, "TopicEntityWithLinks",
      NULL },
    { T, "/{id}", "PATCH", CHATS_OP_PATCH, "PatchChatTopicEntity", "Patch "
      "a chat topic (JSON Patch or JSON Merge Patch)", TID | SEL,
      "ChatTopicPatch", 200, "TopicEntityWithLinks", NULL },
    { T, "/{id}", "DELETE", CHATS_OP_DELETE, "DeleteChatTopicEntity",
      "Delete a chat topic that has no chat sessions (else 409)", TID,
      NULL, 204, "Deleted", NULL },
    { T, "/{id}/Sessions", "GET", CHATS_OP_LIST, "GetChatTopicSessions",
      "The archive list of the topic's chat sessions ($select, $filter, "
      "$orderBy, $top, $skip, $format)", TID | SEL, NULL, 200,
      "ChatSessionList", SESSION },
    { T, "/{id}/Sessions", "POST", CHATS_OP_CREATE_FOR_TOPIC,
      "CreateChatSessionForTopic", "Create a queued chat session in the "
      "topic (200, with Location under ChatSession)", TID | KEY, NULL, 200,
      "Created", SESSION },
    { T, "/{id}/IsOpen", "GET", CHATS_OP_TOPIC_IS_OPEN,
      "IsWithinOpeningHours", "Whether the topic is open now (by its "
      "opening hours, in its zone)", TID, NULL, 200, "Boolean", NULL },
    { T, "/{id}/UserAgent", "GET", CHATS_OP_TOPIC_AGENTS,
      "GetChatTopicUserAgentList", "The topic's agents", TID, NULL, 200,
      "ChatTopicAgentArray", NULL },
    { T, "/{id}/UserAgent", "POST", CHATS_OP_TOPIC_AGENT_ADD,
      "AddChatTopicUserAgent", "Add an agent to the topic (an existing one "
      "is updated)", TID, "ChatTopicAgent", 200, "ChatTopicAgent", NULL },
    { T, "/{id}/UserAgent", "PUT", CHATS_OP_TOPIC_AGENTS_SET,
      "UpdateChatTopicUserAgents", "Replace the topic's agents (an empty "
      "array removes every one)", TID, "ChatTopicAgentArray", 200,
      "ChatTopicAgentArray", NULL },
    { T, "/{id}/UserAgent/{username}", "GET", CHATS_OP_TOPIC_AGENT_GET,
      "GetChatTopicUserAgent", "One agent of the topic", TID | USR, NULL,
      200, "ChatTopicAgent", NULL },
    { T, "/{id}/UserAgent/{username}", "PUT", CHATS_OP_TOPIC_AGENT_UPDATE,
      "UpdateChatTopicUserAgent", "Change an agent's roles in the topic",
      TID | USR, "ChatTopicAgent", 200, "ChatTopicAgent", NULL },
    { T, "/{id}/UserAgent/{username}", "DELETE", CHATS_OP_TOPIC_AGENT_DELETE,
      "DeleteChatTopicUserAgent", "Remove an agent from the topic",
      TID | USR, NULL, 204, "Deleted", NULL },

    /* ---- Webhook (REST, issue 20): the entity (chats_webhook_def);
     * admin only. Test, signal and LastError come with the deliverer. */
    { W, "", "GET", CHATS_OP_FILTERED, "GetAllWebhooks", "The webhooks, "
      "in id order, filtered by name, event and status (also nameFilter, "
      "eventFilter, statusFilter; status Unknown or 0: any)",
      CHATS_ARG_FILTERS, NULL, 200, "WebhookArray", HOOK },
    { W, "", "POST", CHATS_OP_CREATE, "PostWebhook", "Create a webhook "
      "(200, with Location)", SEL | KEY, "Webhook", 200, "WebhookCreated",
      HOOK },
    { W, "/default", "GET", CHATS_OP_DEFAULT, "DefaultWebhook", "The "
      "template a new webhook starts from (Active, type webhook)", SEL,
      NULL, 200, "WebhookDefault", HOOK },
    { W, "/{id}", "GET", CHATS_OP_GET, "GetWebhook", "Fetch a webhook (its "
      "Secret is never rendered)", TID | SEL, NULL, 200,
      "WebhookEntityWithLinks", HOOK },
    { W, "/{id}", "PUT", CHATS_OP_PUT, "PutWebhook", "Replace a webhook (a "
      "Secret left out is kept)", TID | SEL, "Webhook", 200,
      "WebhookEntityWithLinks", HOOK },
    { W, "/{id}", "PATCH", CHATS_OP_PATCH, "PatchWebhook", "Patch a "
      "webhook (JSON Patch or JSON Merge Patch)", TID | SEL, "WebhookPatch",
      200, "WebhookEntityWithLinks", HOOK },
    { W, "/{id}", "DELETE", CHATS_OP_DELETE, "DeleteWebhook", "Delete a "
      "webhook (its undelivered events with it)", TID, NULL, 204,
      "Deleted", HOOK },
    { W, "/Test", "POST", CHATS_OP_WEBHOOK_TEST, "TestWebhook", "Send a "
      "test event (X-Hook-Test: true) to the webhook in the body, saved or "
      "not, once, through the deliverer: Success and the receiver's status "
      "line, or why it failed (503 when no deliverer answers within "
      "ChatSessionWebhookTestWait)", CHATS_ARG_WEBHOOK, "Webhook", 200,
      "WebhookResult", HOOK },
    { W, "/{id}/LastError", "GET", CHATS_OP_WEBHOOK_LAST_ERROR,
      "GetLastError", "The webhook's last delivery failure, as a JSON "
      "string (\"\" when none)", TID, NULL, 200, "String", HOOK },
    { W, "/{eventName}/{primaryKey}", "POST", CHATS_OP_WEBHOOK_SIGNAL,
      "SignalEvent", "Send an event of the caller's (entity.action, not "
      "one of the module's own) with the body as its FieldValues to every "
      "Active webhook subscribed to it (204)", CHATS_ARG_EVENT,
      "WebhookData", 204, "NoContent", HOOK },

    /* ---- WebhookAgent (@superoffice/webapi WebhookAgent.ts): POST only;
     * the REST operations above */
    { WA, "CreateDefaultWebhook", "POST", CHATS_OP_DEFAULT,
      "Webhook_CreateDefaultWebhook", "The template a new webhook starts "
      "from", 0, NULL, 200, "WebhookDefault", HOOK },
    { WA, "SaveWebhook", "POST", CHATS_OP_SAVE, "Webhook_SaveWebhook",
      "Create (WebhookId 0 or absent: tested first when Active) or replace "
      "a webhook", CHATS_ARG_ENTITY | KEY, "Webhook", 200, "WebhookEntity",
      HOOK },
    { WA, "DeleteWebhook", "POST", CHATS_OP_DELETE, "Webhook_DeleteWebhook",
      "Delete a webhook (204)", CHATS_ARG_ENTITY_ID, NULL, 204, "Deleted",
      HOOK },
    { WA, "GetWebhook", "POST", CHATS_OP_GET, "Webhook_GetWebhook", "Fetch "
      "a webhook (its Secret is never rendered)", CHATS_ARG_ENTITY_ID, NULL,
      200, "WebhookEntity", HOOK },
    { WA, "GetAllWebhooks", "POST", CHATS_OP_FILTERED,
      "Webhook_GetAllWebhooks", "The webhooks, in id order, filtered by "
      "nameFilter, eventFilter, statusFilter", CHATS_ARG_FILTERS,
      "Webhook_GetAllWebhooksRequest", 200, "WebhookArray", HOOK },
    { WA, "TestWebhook", "POST", CHATS_OP_WEBHOOK_TEST,
      "Webhook_TestWebhook", "Send a test event to the webhook given, "
      "saved or not", CHATS_ARG_WEBHOOK, "Webhook_TestWebhookRequest", 200,
      "WebhookResult", HOOK },
    { WA, "SignalEvent", "POST", CHATS_OP_WEBHOOK_SIGNAL,
      "Webhook_SignalEvent", "Send an event of the caller's to the "
      "webhooks subscribed to it (204)", CHATS_ARG_EVENT,
      "Webhook_SignalEventRequest", 204, "NoContent", HOOK },
    { WA, "GetLastError", "POST", CHATS_OP_WEBHOOK_LAST_ERROR,
      "Webhook_GetLastError", "The webhook's last delivery failure (\"\" "
      "when none)", CHATS_ARG_HOOK_ID, "Webhook_GetLastErrorRequest", 200,
      "String", HOOK },
};

#undef R
#undef A
#undef T
#undef W
#undef WA
#undef HOOK
#undef TID
#undef USR
#undef SEL
#undef KEY
#undef TOPIC
#undef SESSION

#define NROUTES (int)(sizeof(routes) / sizeof(routes[0]))

const chats_route_def_t *chats_routes(int *pn)
{
    *pn = NROUTES;
    return routes;
}

static const chats_family_def_t families[CHATS_FAMILY__N] = {
    [CHATS_FAMILY_REST] = { "/api/v1", "/ChatSession", "ChatSession" },
    [CHATS_FAMILY_AGENT] = { "/api/v1", "/Agents/Chat", "ChatAgent" },
    [CHATS_FAMILY_TOPIC] = { "/api/v1", "/ChatTopic", "ChatTopic" },
    [CHATS_FAMILY_WEBHOOK] = { "/api/v1", "/Webhook", "Webhook" },
    [CHATS_FAMILY_WEBHOOK_AGENT] = { "/api/v1", "/Agents/Webhook",
                                     "WebhookAgent" },
};

int chats_route_family_is_agent(chats_family_e fam)
{
    return fam == CHATS_FAMILY_AGENT || fam == CHATS_FAMILY_WEBHOOK_AGENT;
}

const chats_family_def_t *chats_route_family(chats_family_e fam)
{
    return &families[fam];
}

int chats_route_family_of_path(const char *path)
{
    apr_size_t n = path ? strlen(path) : 0, best_len = 0;
    int fam, best = -1;

    if (n > 1 && path[n - 1] == '/') {
        n--;
    }
    for (fam = 0; fam < CHATS_FAMILY__N; fam++) {
        apr_size_t k = strlen(families[fam].name);

        if (n >= k && k > best_len
            && !strncasecmp(path + n - k, families[fam].name, k)) {
            best = fam;
            best_len = k;
        }
    }
    return best;
}

int chats_route_family_of_label(const char *label)
{
    int fam;

    for (fam = 0; fam < CHATS_FAMILY__N; fam++) {
        if (!strcasecmp(label, families[fam].label)) {
            return fam;
        }
    }
    return -1;
}

/* Does the route read a request body? The REST rows that declare one;
 * every agent row (its arguments are a JSON body). */
static int reads_body(const chats_route_def_t *row)
{
    return row->body || chats_route_family_is_agent(row->family);
}

int chats_route_answers(const chats_route_def_t *row,
                        const chats_err_kind_t *k)
{
    unsigned named = CHATS_ARG_ID | CHATS_ARG_ENTITY_ID | CHATS_ARG_HOOK_ID;
    /* a topic's routes name a topic (404) and a member (404) */
    unsigned names = named | CHATS_ARG_ENTITY | CHATS_ARG_IDEM
                     | CHATS_ARG_TOPIC | CHATS_ARG_USERNAME;
    int rest = row->family == CHATS_FAMILY_REST
               || row->family == CHATS_FAMILY_WEBHOOK;
    int cond = rest && (row->op == CHATS_OP_GET || row->op == CHATS_OP_PUT
                        || row->op == CHATS_OP_PATCH
                        || row->op == CHATS_OP_DELETE);

    switch (k->where) {
    case CHATS_EW_ANY:
        return 1;
    case CHATS_EW_ANSWER:       /* a 204 answers no representation */
        return row->ok_status != 204;
    case CHATS_EW_BODY:
        return reads_body(row);
    case CHATS_EW_ID:
        return (row->args & named) != 0;
    case CHATS_EW_SESSION:
        return (row->args & names) != 0;
    case CHATS_EW_PATCH:
        return row->op == CHATS_OP_PATCH;
    case CHATS_EW_COND:         /* the agent ignores conditional headers */
        return cond;
    case CHATS_EW_COND_GET:
        return cond && row->op == CHATS_OP_GET;
    case CHATS_EW_KEY:
        return (row->args & CHATS_ARG_IDEM) != 0;
    case CHATS_EW_IN_USE:
        return row->op == CHATS_OP_DELETE
               && chats_route_entity(row)->in_use != NULL;
    case CHATS_EW_NONE:
        break;
    }
    return 0;
}

int chats_route_has_status(const chats_route_def_t *row, int status)
{
    int i, n;
    const chats_err_kind_t *k = chats_err_kinds(&n);

    for (i = 0; i < n; i++) {
        if (k[i].status == status && chats_route_answers(row, &k[i])) {
            return 1;
        }
    }
    return 0;
}

/* The agent's methods of the ChatTopic family's operations. */
static int topic_op(chats_op_e op)
{
    switch (op) {
    case CHATS_OP_USER_AGENTS:
    case CHATS_OP_TOPIC_AGENTS:
    case CHATS_OP_TOPIC_AGENT_ADD:
    case CHATS_OP_TOPIC_AGENTS_SET:
    case CHATS_OP_TOPIC_AGENT_GET:
    case CHATS_OP_TOPIC_AGENT_UPDATE:
    case CHATS_OP_TOPIC_AGENT_DELETE:
    case CHATS_OP_TOPIC_AGENT_DEFAULT:
    case CHATS_OP_TOPIC_IS_OPEN:
    case CHATS_OP_PRESENCE_GET:
    case CHATS_OP_PRESENCE_SAVE:
        return 1;
    default:
        return 0;
    }
}

const chats_entity_def_t *chats_route_entity(const chats_route_def_t *row)
{
    return row->entity ? row->entity
         : row->family == CHATS_FAMILY_TOPIC || topic_op(row->op)
         ? &chats_topic_def : &chats_session_def;
}

const char *chats_route_path(apr_pool_t *p, const chats_route_def_t *row)
{
    const chats_family_def_t *f = &families[row->family];

    return apr_pstrcat(p, f->root, f->name,
                       chats_route_family_is_agent(row->family) ? "/" : "",
                       row->pattern, NULL);
}

/* Does the segment s (length n) match the pattern segment pat (up to
 * its '/' or end)? A placeholder matches any non-empty segment. Sets
 * *pliteral when pat is a literal. */
static int seg_match(const char *pat, apr_size_t pn, const char *s,
                     apr_size_t n, int *pliteral)
{
    *pliteral = !(pn > 2 && pat[0] == '{');
    if (!*pliteral) {
        return n > 0;
    }
    return pn == n && !strncasecmp(pat, s, n);
}

/* How well tail ("/844/Pickup") fits a REST pattern: -1 not at all, else
 * the number of literal segments (the most literal pattern wins). The
 * placeholders' segments go to m. */
static int rest_fit(apr_pool_t *p, const char *pat, const char *tail,
                    chats_route_match_t *m)
{
    int score = 0;

    m->id = m->to_associate = m->key = NULL;
    while (*pat && *tail) {
        const char *pe, *te;
        int literal;

        if (*pat != '/' || *tail != '/') {
            return -1;
        }
        pat++, tail++;
        pe = pat + strcspn(pat, "/");
        te = tail + strcspn(tail, "/");
        if (!seg_match(pat, (apr_size_t)(pe - pat), tail,
                       (apr_size_t)(te - tail), &literal)) {
            return -1;
        }
        if (literal) {
            score++;
        }
        else if (!strncmp(pat, "{id}", 4)) {
            m->id = apr_pstrmemdup(p, tail, (apr_size_t)(te - tail));
        }
        else if (!strncmp(pat, "{primaryKey}", 12)) {
            m->key = apr_pstrmemdup(p, tail, (apr_size_t)(te - tail));
        }
        else {
            m->to_associate = apr_pstrmemdup(p, tail,
                                             (apr_size_t)(te - tail));
        }
        pat = pe;
        tail = te;
    }
    return *pat || *tail ? -1 : score;
}

/* The row of the best pattern for tail in the family, or -1. */
static int best_pattern(apr_pool_t *p, chats_family_e fam, const char *tail,
                        chats_route_match_t *m)
{
    chats_route_match_t tmp;
    int i, best = -1, best_score = -1;

    for (i = 0; i < NROUTES; i++) {
        int score;

        if (routes[i].family != fam
            || (i > 0 && routes[i - 1].family == fam
                && !strcmp(routes[i - 1].pattern, routes[i].pattern))) {
            continue;               /* one look per pattern */
        }
        memset(&tmp, 0, sizeof(tmp));
        if (chats_route_family_is_agent(fam)) {
            score = tail[0] == '/' && !strcasecmp(tail + 1, routes[i].pattern)
                    ? 1 : -1;
        }
        else {
            score = rest_fit(p, routes[i].pattern, tail, &tmp);
        }
        if (score > best_score) {
            best = i;
            best_score = score;
            *m = tmp;
        }
    }
    return best;
}

chats_route_found_e chats_route_match(apr_pool_t *p, chats_family_e fam,
                                      const char *tail, const char *method,
                                      chats_route_match_t *m)
{
    apr_array_header_t *allow = apr_array_make(p, 6, sizeof(const char *));
    const char *pattern;
    int i, first;

    memset(m, 0, sizeof(*m));
    if (!strcmp(method, "HEAD")) {
        method = "GET";
    }
    if ((first = best_pattern(p, fam, tail, m)) < 0) {
        return CHATS_ROUTE_NO_PATH;
    }
    pattern = routes[first].pattern;
    for (i = first; i < NROUTES && routes[i].family == fam
                    && !strcmp(routes[i].pattern, pattern); i++) {
        if (!strcmp(routes[i].method, method)) {
            m->row = &routes[i];
        }
        APR_ARRAY_PUSH(allow, const char *) = routes[i].method;
        if (!strcmp(routes[i].method, "GET")) {
            APR_ARRAY_PUSH(allow, const char *) = "HEAD";
        }
        m->patch |= !strcmp(routes[i].method, "PATCH");
    }
    APR_ARRAY_PUSH(allow, const char *) = "OPTIONS";
    m->allow = "";
    for (i = 0; i < allow->nelts; i++) {
        m->allow = apr_pstrcat(p, m->allow, i ? ", " : "",
                               APR_ARRAY_IDX(allow, i, const char *), NULL);
    }
    if (m->row) {
        return CHATS_ROUTE_FOUND;
    }
    return !strcmp(method, "OPTIONS") ? CHATS_ROUTE_OPTIONS
                                      : CHATS_ROUTE_NO_METHOD;
}
