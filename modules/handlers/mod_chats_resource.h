/* An entity's resource methods (ChatSession's today; the entity is the
 * request's, q->entity). Each returns NULL when it has sent its response,
 * or the error for the handler to send. */
#ifndef CHATS_RESOURCE_H
#define CHATS_RESOURCE_H

#include "mod_chats_answer.h"
#include "chats_doc.h"
#include "chats_schema.h"
#include "chats_sql.h"
#include "mod_chats_locale.h"
#include "mod_chats_store_open.h"
#include "mod_chats_tz.h"

struct chats_rights_t;
struct chats_route_def_t;
struct chats_qstring_t;

/** What the router learnt about a request. */
typedef struct {
    request_rec *r;
    /** The entity the route serves (its field table, table, names). */
    const chats_entity_def_t *entity;
    apr_int32_t id;            /**< the row in the URL, 0 if none      */
    const char *archive_url;   /**< path of the collection             */
    const chats_media_t *media; /**< the answer's media type (its table
                                     row); NULL until negotiated: JSON  */
    const chats_tz_t *tz;      /**< SO-TimeZone (or the default zone)  */
    const chats_locale_t *loc; /**< SO-Language / Accept-Language      */
    const apr_array_header_t *select;  /**< $select; NULL = every field */
    const struct chats_rights_t *rights; /**< once looked up
                                              (mod_chats_rights.h) */
    /* Issue 10: the route and its arguments (chats_routes.h; bound by
     * mod_chats_agent.c from the path, the query or the agent's body before
     * the operation runs, so REST and agent run the same function). */
    const struct chats_route_def_t *route; /**< the matched row         */
    /** The query parameters the route reads, parsed once
     * (chats_qstring.h, by chats_args_bind). */
    const struct chats_qstring_t *qs;
    int agent;                 /**< an agent call: no _Links, no Location,
                                    no conditional headers, no $select    */
    const char *to_associate;  /**< {toAssociate}, {username}: a login or
                                    an id                                */
    apr_int64_t after;         /**< after=N (0 when absent)              */
    int wait;                  /**< wait=S seconds, 0..30 (0: no wait)   */
    int html;                  /**< html=true (0 when absent)            */
    int flat;                  /**< flat=true (GetUserAgentList)         */
    int only_present;          /**< onlyPresent=true (likewise)          */
    apr_int32_t topic;         /**< agent chatTopicId                    */
    /* A webhook signal's (issue 20): {eventName}/{primaryKey}, or the
     * agent's eventName, primaryKey; its data is arg_body. */
    const char *key_seg;       /**< REST {primaryKey} as sent, or NULL   */
    const char *event_name;
    apr_int32_t primary_key;
    /** Agent: the body as parsed (NULL for the "no arguments" forms). */
    const chats_doc_t *agent_body;
    /** Agent: the entity (SaveChatSessionEntity) or the message member
     * (AddChatMessage), already read: the operation takes it instead of
     * reading the request body. NULL: read the request body. */
    const chats_doc_t *arg_body;
} chats_req_t;

/** Choose the representation from Accept (JSON unless XML is preferred;
 * the patch media types are answered as JSON): CHATS_E_NOT_ACCEPTABLE
 * when Accept takes none of them. */
chats_err_t *chats_resource_negotiate(chats_req_t *q);

/** Parse $select (of q->qs) into q->select: unknown names are
 * CHATS_E_INVALID, found before anything is read or written. */
chats_err_t *chats_resource_select(chats_req_t *q);

/** Read the request's time zone and language (400 for an unknown zone)
 * and echo the zone in the SO-TimeZone response header. */
chats_err_t *chats_resource_locale(chats_req_t *q);

/* Per item (/ChatSession/{id}). */
chats_err_t *chats_resource_get(chats_req_t *q);
chats_err_t *chats_resource_patch(chats_req_t *q);
chats_err_t *chats_resource_put(chats_req_t *q);
chats_err_t *chats_resource_delete(chats_req_t *q);
/* The collection (/ChatSession) and the template (/ChatSession/default). */
chats_err_t *chats_resource_post(chats_req_t *q);
chats_err_t *chats_resource_default(chats_req_t *q);
/** The rows the entity's read guard gives the caller (a topic's
 * members: ChatTopic/ForCurrentUser), key order, without links. */
chats_err_t *chats_resource_mine(chats_req_t *q);
/** The rows that pass the filters of the query (the entity's
 * chats_list_filter_t: GET Webhook), key order, without links. */
chats_err_t *chats_resource_filtered(chats_req_t *q);

/* Shared by the methods (mod_chats_resource.c). */

/** A session as read: its document (date-times in the request's zone)
 * and validators. id 0: the template (no links, no validators). */
typedef struct {
    const chats_doc_t *doc;
    apr_int32_t id;
    apr_int64_t version;
    apr_time_t updated_at;       /**< whole seconds, as apr_time_t */
    /** An entity with a read guard: its rule's guard holds for the
     * caller on this row (a topic's manager, or a write that passed it) */
    int may_write;
} chats_read_t;

/** The statements of the request's entity (q->entity). */
const chats_entity_sql_t *chats_resource_sql(const chats_req_t *q);

/** The request's zone for PostgreSQL when it is not UTC, else NULL. */
const char *chats_resource_zone(const chats_req_t *q);

/** A row in chats_sql's layout, read as the request's zone says. */
chats_read_t *chats_resource_read_row(chats_req_t *q,
                                      const char *const *values);

/** post_config: pre-render what every answer with the same rights
 * shares (chats_fp_json_build), before children start; shared read-only
 * by their threads afterwards. */
void chats_resource_post_config(apr_pool_t *pconf);

/** Render rd with the request's $select and links and send it (200)
 * with its validators (ETag, Last-Modified). */
chats_err_t *chats_resource_send(chats_req_t *q, const chats_read_t *rd);

/** Answer doc in the negotiated media type (chats_answer; in XML as the
 * element root); what names it in the 500 when it cannot be rendered. */
chats_err_t *chats_resource_answer(chats_req_t *q, const chats_doc_t *doc,
                                   const char *root, const char *what);

/** The 404 of the row in the URL (q->id, of q->entity). */
chats_err_t *chats_resource_not_found(const chats_req_t *q);

/** The 404 of row id of def (a session's topic in the URL). */
chats_err_t *chats_resource_not_found_of(const chats_req_t *q,
                                         const chats_entity_def_t *def,
                                         apr_int32_t id);

/** The absolute URL of session id (for Location and _Links). */
const char *chats_resource_self_url(chats_req_t *q, apr_int32_t id);

/** Set rd's validators on the response and evaluate the request's
 * conditional headers against them (RFC 9110 via ap_meets_conditions):
 * CHATS_E_STALE (412) or CHATS_E_NOT_MODIFIED (304). Reads only: writes
 * evaluate them in their statement (chats_precond.h). */
chats_err_t *chats_resource_conditions(chats_req_t *q,
                                       const chats_read_t *rd);

#endif
