/* The routes: every REST path under .../ChatSession and every ChatAgent
 * method under .../Agents/Chat, once. The module matches URLs against
 * this table (Allow, 404, 405 come from it), mod_chats_ops.c binds each
 * operation to its function, and the OpenAPI paths are generated from
 * it (chats-openapi --routes prints it). Core header: APR only. */
#ifndef CHATS_ROUTES_H
#define CHATS_ROUTES_H

#include <apr_pools.h>

#include "chats_err.h"
#include "chats_schema.h"

/** What a route does; mod_chats_ops.c maps each to one glue function. */
typedef enum {
    CHATS_OP_GET, CHATS_OP_PUT, CHATS_OP_PATCH, CHATS_OP_DELETE,
    CHATS_OP_CREATE, CHATS_OP_DEFAULT, CHATS_OP_LIST, CHATS_OP_FOR_USER,
    CHATS_OP_PICKUP_FIRST, CHATS_OP_PICKUP, CHATS_OP_TRANSFER,
    CHATS_OP_ACCEPT, CHATS_OP_REJECT, CHATS_OP_RESET, CHATS_OP_MESSAGES,
    CHATS_OP_ADD_MESSAGE, CHATS_OP_TRANSCRIPT, CHATS_OP_SAVE,
    CHATS_OP_CREATE_FOR_TOPIC,
    CHATS_OP_MINE,          /**< the entity's rows the caller is in
                                 (ChatTopic/ForCurrentUser)             */
    /* the ChatTopic family's agents, presence and opening hours (issue 19:
     * mod_chats_topic_agents.c, mod_chats_presence.c) */
    CHATS_OP_USER_AGENTS, CHATS_OP_TOPIC_AGENTS, CHATS_OP_TOPIC_AGENT_ADD,
    CHATS_OP_TOPIC_AGENTS_SET, CHATS_OP_TOPIC_AGENT_GET,
    CHATS_OP_TOPIC_AGENT_UPDATE, CHATS_OP_TOPIC_AGENT_DELETE,
    CHATS_OP_TOPIC_AGENT_DEFAULT, CHATS_OP_TOPIC_IS_OPEN,
    CHATS_OP_PRESENCE_GET, CHATS_OP_PRESENCE_SAVE,
    CHATS_OP_FILTERED,      /**< the entity's rows that pass the query's
                                 filters (chats_list_filter_t: GET
                                 Webhook)                                */
    /* the Webhook family's own (issue 20: mod_chats_webhook_ops.c) */
    CHATS_OP_WEBHOOK_TEST,  /**< send a test event, answer WebhookResult */
    CHATS_OP_WEBHOOK_SIGNAL, /**< queue a caller's event for subscribers */
    CHATS_OP_WEBHOOK_LAST_ERROR, /**< the webhook's LastError string     */
    CHATS_OP__N
} chats_op_e;

/** The URL families one handler serves. */
typedef enum {
    CHATS_FAMILY_REST,      /**< .../api/v1/ChatSession[/...]             */
    CHATS_FAMILY_AGENT,     /**< .../api/v1/Agents/Chat/<Method>, POST    */
    CHATS_FAMILY_TOPIC,     /**< .../api/v1/ChatTopic[/...] (REST)        */
    CHATS_FAMILY_WEBHOOK,   /**< .../api/v1/Webhook[/...] (REST, issue 20) */
    CHATS_FAMILY_WEBHOOK_AGENT, /**< .../api/v1/Agents/Webhook/<Method>,
                                     POST (WebhookAgent)                  */
    CHATS_FAMILY__N
} chats_family_e;

/** Where a family is mounted by default: the API's root ("/api/v1") and
 * the family's own segments ("/ChatSession", "/Agents/Chat",
 * "/ChatTopic"). Their join
 * is the family's <Location> in conf/chatsession-locations.conf
 * (t/engine/locations.t holds the two equal). The module serves a
 * family under any <Location> whose path ends with its segments, or
 * that names it by its label (ChatSessionFamily
 * ChatSession|ChatAgent|ChatTopic|Webhook). */
typedef struct {
    const char *root;
    const char *name;
    const char *label;           /**< "ChatSession", "ChatAgent",
                                      "ChatTopic"                        */
} chats_family_def_t;

/** Whether fam's routes are an agent's methods (POST .../<Method>, the
 * arguments in a JSON body): ChatAgent's and WebhookAgent's. */
int chats_route_family_is_agent(chats_family_e fam);

/** The family's mount, for fam < CHATS_FAMILY__N. */
const chats_family_def_t *chats_route_family(chats_family_e fam);

/** The family whose segments end path (any case; one trailing '/'
 * ignored; the longest such segments win: .../Agents/Webhook is
 * WebhookAgent's, not Webhook's), or -1: how a <Location>'s path names
 * its family. */
int chats_route_family_of_path(const char *path);

/** The family labelled label (any case), or -1. */
int chats_route_family_of_label(const char *label);

/* Where a route's arguments come from (chats_route_def_t.args). REST
 * rows take them from the path and the query; agent rows from the JSON
 * body (members matched case-insensitively) or, for the entity id, from
 * the query (mod_chats_agent.c binds both into the request). */
#define CHATS_ARG_ID         0x0001u /**< {id}: path / body chatSessionId */
#define CHATS_ARG_TO_ASSOC   0x0002u /**< {toAssociate}: path / body      */
#define CHATS_ARG_AFTER      0x0004u /**< after: query / body             */
#define CHATS_ARG_WAIT       0x0008u /**< wait: query (REST only)         */
#define CHATS_ARG_HTML       0x0010u /**< html: query / body              */
#define CHATS_ARG_ENTITY_ID  0x0020u /**< agent: query chatSessionEntityId */
#define CHATS_ARG_TOPIC      0x0040u /**< agent: body chatTopicId         */
#define CHATS_ARG_MESSAGE    0x0080u /**< agent: body message (ChatMessage) */
#define CHATS_ARG_ENTITY     0x0100u /**< agent: the body is the entity   */
#define CHATS_ARG_SELECT     0x0200u /**< $select applies (REST reads)    */
/** The header Idempotency-Key applies (README "Retrying writes safely"):
 * the creates and the actions that write; PUT, PATCH and DELETE are
 * safe to send again with If-Match instead. */
#define CHATS_ARG_IDEM       0x0400u
/* The ChatTopic family's (issue 19). {id} of a ChatTopic path is the
 * topic's id; the agent's topic is CHATS_ARG_TOPIC (chatTopicId). */
#define CHATS_ARG_USERNAME   0x0800u /**< {username}: path / body username
                                          (a login or an associate id)  */
#define CHATS_ARG_USERAGENT  0x1000u /**< agent: body useragent (a
                                          ChatTopicAgent); REST: the body */
#define CHATS_ARG_USERAGENTS 0x2000u /**< agent: body useragents (an array);
                                          REST: the body                 */
#define CHATS_ARG_PRESENCE   0x4000u /**< agent: body chatPresence (array) */
#define CHATS_ARG_FLAT       0x8000u /**< flat: query / body              */
#define CHATS_ARG_ONLY_PRESENT 0x10000u /**< onlyPresent: query / body    */
/** The entity's list filters (chats_list_filter_t): query / body. */
#define CHATS_ARG_FILTERS    0x20000u
/** A signal (issue 20): REST {eventName}/{primaryKey} and the body as
 * its data; agent body eventName, primaryKey, data. */
#define CHATS_ARG_EVENT      0x40000u
/** A webhook to test: REST the body; agent body webhook. */
#define CHATS_ARG_WEBHOOK    0x80000u
/** agent: body webhookId (GetLastError)                                */
#define CHATS_ARG_HOOK_ID    0x100000u

/** One route: a method on a path (REST) or an agent method. */
typedef struct chats_route_def_t {
    chats_family_e family;
    /** REST: the path after the family's segments ("" for the collection,
     * "/{id}/TransferTo/{toAssociate}"); AGENT: the method's name. */
    const char *pattern;
    const char *method;          /**< "GET", "POST", ...: HEAD with GET  */
    chats_op_e op;
    const char *operation_id;    /**< SuperOffice's name for it          */
    const char *summary;
    unsigned args;               /**< CHATS_ARG_*                        */
    const char *body;            /**< components/requestBodies, or NULL  */
    int ok_status;
    const char *ok;              /**< components/responses               */
    /** The entity the row serves: NULL for ChatSession's (every row of
     * the first two families), chats_route_entity() reads it. */
    const chats_entity_def_t *entity;
} chats_route_def_t;

/** The table, in the order Allow lists methods and OpenAPI lists paths. */
const chats_route_def_t *chats_routes(int *pn);

/** What chats_route_match found. */
typedef enum {
    CHATS_ROUTE_FOUND,      /**< row set                                 */
    CHATS_ROUTE_OPTIONS,    /**< OPTIONS on a known path: answer allow   */
    CHATS_ROUTE_NO_METHOD,  /**< known path, other methods: 405 + allow  */
    CHATS_ROUTE_NO_PATH     /**< 404                                     */
} chats_route_found_e;

typedef struct {
    const chats_route_def_t *row;   /**< FOUND: the route                */
    const char *allow;        /**< known path: "GET, HEAD, POST, OPTIONS" */
    int patch;                /**< known path takes PATCH (Accept-Patch)  */
    const char *id;           /**< the {id} segment as sent, or NULL     */
    const char *to_associate; /**< the {toAssociate}, {username} or
                                   {eventName} segment, or NULL          */
    const char *key;          /**< the {primaryKey} segment, or NULL     */
} chats_route_match_t;

/**
 * Match a request against the table. Literal segments and agent names
 * compare case-insensitively; a literal beats {id} ("default" is no id).
 * @param fam    the family the URL's prefix chose
 * @param tail   REST: what follows ".../ChatSession" ("", "/844/Pickup");
 *               AGENT: what follows ".../Agents/Chat" ("/GetChatMessages")
 * @param method the request method ("HEAD" is matched as "GET")
 */
chats_route_found_e chats_route_match(apr_pool_t *p, chats_family_e fam,
                                      const char *tail, const char *method,
                                      chats_route_match_t *m);

/** Whether the route can answer with an error of kind k: from where k
 * arises (chats_err.h) and the route's arguments, operation and family.
 * A route's error statuses are those of the kinds it can answer. */
int chats_route_answers(const chats_route_def_t *row,
                        const chats_err_kind_t *k);

/** Whether the route can answer status (an error kind's); 0 for any
 * other. */
int chats_route_has_status(const chats_route_def_t *row, int status);

/** The entity a route serves: its row's when the row names one, else
 * ChatTopic's for the ChatTopic family and the agent's topic methods,
 * ChatSession's for the rest: decided here, in one place. */
const chats_entity_def_t *chats_route_entity(const chats_route_def_t *row);

/** OpenAPI path of a row: "/api/v1/ChatSession/{id}/Pickup",
 * "/api/v1/Agents/Chat/GetChatMessages", "/api/v1/ChatTopic/{id}/IsOpen". */
const char *chats_route_path(apr_pool_t *p, const chats_route_def_t *row);

#endif
