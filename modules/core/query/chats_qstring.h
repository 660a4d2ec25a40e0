/* The query string: the one parser of the parameters a route reads, and
 * the one rule for a repeated one (README "Routes", "The query string").
 * Core header: APR only.
 *
 * A query string is split at '&' into pairs and each pair at its first
 * '=' (a pair without one has the value ""). A name is decoded (%XX, '+'
 * a space) and compared in any case with the names the route reads; a
 * name that does not decode, or that the route does not read, is no
 * parameter of ours and is skipped, whatever its value or count. A
 * parameter the route reads given twice (in any case: $top and $TOP are
 * one) is 400 naming it: OData's rule for its system query options, and
 * which of two values a caller meant is not ours to guess. */
#ifndef CHATS_QSTRING_H
#define CHATS_QSTRING_H

#include <apr_pools.h>

#include "chats_err.h"
#include "chats_routes.h"

/** Every query parameter the module reads, once. */
typedef enum {
    CHATS_Q_SELECT,     /**< $select: the entity routes and the list    */
    CHATS_Q_FILTER,     /**< $filter ... $format: the list              */
    CHATS_Q_ORDERBY,
    CHATS_Q_TOP,
    CHATS_Q_SKIP,
    CHATS_Q_FORMAT,
    CHATS_Q_AFTER,      /**< after, wait: GET .../{id}/Messages         */
    CHATS_Q_WAIT,
    CHATS_Q_HTML,       /**< html: POST .../{id}/Transcript             */
    CHATS_Q_ENTITY_ID,  /**< chatSessionEntityId: the agent's Get/Delete */
    CHATS_Q_TOPIC_ENTITY_ID,  /**< chatTopicEntityId: the same of a topic */
    CHATS_Q_WEBHOOK_ID, /**< webhookId: WebhookAgent's Get/Delete       */
    CHATS_Q_FLAT,       /**< flat, onlyPresent: GET ChatTopic/UserAgents */
    CHATS_Q_ONLY_PRESENT,
    /* an entity's list filters (chats_list_filter_t: GET Webhook), each
     * also by the agent's name */
    CHATS_Q_NAME, CHATS_Q_NAME_FILTER, CHATS_Q_EVENT, CHATS_Q_EVENT_FILTER,
    CHATS_Q_STATUS, CHATS_Q_STATUS_FILTER,
    CHATS_Q__N
} chats_qparam_e;

#define CHATS_Q_BIT(x) (1u << (x))

/** The raw values of the parameters a route reads (NULL: absent). */
typedef struct chats_qstring_t {
    const char *raw[CHATS_Q__N];
} chats_qstring_t;

/** The parameter's name as documented ("$orderBy", "chatSessionEntityId"). */
const char *chats_qparam_name(chats_qparam_e which);

/** The parameter named name (any case), or CHATS_Q__N. */
chats_qparam_e chats_qparam_of(const char *name);

/** The query parameter that names the agent's entity id on row
 * (chatSessionEntityId, chatTopicEntityId, webhookId: its entity's). */
chats_qparam_e chats_qstring_entity_id(const chats_route_def_t *row);

/** Which parameters a route reads (CHATS_Q_BIT set): REST rows from the
 * query, agent rows their entity id only (the rest is in the body). */
unsigned chats_qstring_reads(const chats_route_def_t *row);

/** Split args (raw, as received; NULL for none) into qs, keeping the
 * parameters in reads. CHATS_E_INVALID naming the parameter when one of
 * them is given more than once. */
chats_err_t *chats_qstring_parse(apr_pool_t *p, const char *args,
                                 unsigned reads, chats_qstring_t *qs);

/** The decoded value of which (NULL if absent); CHATS_E_INVALID naming
 * it for %00 and bad escapes. */
chats_err_t *chats_qstring_get(apr_pool_t *p, const chats_qstring_t *qs,
                               chats_qparam_e which, const char **pval);

/** Decode a query parameter value: %XX escapes, '+' a space -- except a
 * '+' that can only be a sign, which a client that wrote the query by
 * hand did not escape: after "today" or "now" and before a digit
 * ("today+1"), or after a time of day and before two digits (the offset
 * of "2024-05-01T10:00:00+02:00"); a space can stand in neither place.
 * CHATS_E_INVALID naming what (the parameter) for %00 and bad escapes. */
chats_err_t *chats_qstring_decode(apr_pool_t *p, const char *what,
                                  const char *raw, const char **pout);

/** args (raw; NULL or "" for none) with every pair named name (decoded,
 * any case) dropped and "name=value" appended; the other pairs are kept
 * byte for byte (the list's next page: "$skip", its offset). */
const char *chats_qstring_replace(apr_pool_t *p, const char *args,
                                  const char *name, const char *value);

#endif
