/* The ChatTopic family's fixed statements (design note §3, §5, §6): a
 * topic's agents (rows of chat_topic_member, the one table of
 * membership that Pickup, ForCurrentUser, the list and `chatsession-db
 * add-member` use), the chat users' presence and list items, and
 * whether a topic is open. Built once from the shapes' field tables
 * (chats_shape_schema.h) and the session's (chats_sql_tpl.h), every
 * value a bound parameter. Each is one statement, writes included, and
 * each answers with its own diagnosis in a head row: whether the topic
 * exists (topic), whether the caller may (allowed), the associate a
 * name stands for (uid), ... so that 0 rows need no second statement.
 * Core header: no httpd, no connection. */
#ifndef CHATS_AGENTS_SQL_H
#define CHATS_AGENTS_SQL_H

#include <apr_pools.h>

#include "chats_sql.h"

typedef enum {
    /** A topic's agents, by associate id: one row each (one row of
     * NULLs: none, or the head refuses). -> topic, allowed, row */
    CHATS_ASQL_LIST,
    /** The agent $un names -> topic, allowed, uid, row (NULL: none) */
    CHATS_ASQL_GET,
    /** Add (or update) the agent the body's User names -> topic,
     * allowed, uid (NULL: no such associate), row */
    CHATS_ASQL_ADD,
    /** Update the member $un names; the body's User, when given, must
     * be the same -> topic, allowed, uid, same, row (NULL: no member) */
    CHATS_ASQL_UPDATE,
    /** Remove the member $un names -> topic, allowed, uid, gone */
    CHATS_ASQL_DELETE,
    /** Replace every agent of the topic by the list $j (JSON array of
     * {n, id, login, listen, respond, manage, notify}) -> topic,
     * allowed, unknown (the first n naming no associate), dup (the
     * first n naming one an earlier one names), rows written */
    CHATS_ASQL_SET,
    /** -> topic, allowed, open (chats_topic_is_open at now()) */
    CHATS_ASQL_IS_OPEN,
    /** The chat users' presence, by id -> allowed, rows */
    CHATS_ASQL_PRESENCE,
    /** The chat users as list items, by group, name and id -> allowed,
     * group_id, group_name, rows */
    CHATS_ASQL_USER_AGENTS,
    /** The caller's presence set (no row) */
    CHATS_ASQL_PRESENCE_SAVE,
    CHATS_ASQL__N
} chats_asql_e;

/** The values the statements take, by what they are. */
typedef enum {
    CHATS_AGP_ASSOC,     /**< the caller's associate id (int4)           */
    CHATS_AGP_READS,     /**< the caller's level is read or more (bool)  */
    CHATS_AGP_ADMIN,     /**< the caller's level is admin (bool)         */
    CHATS_AGP_TOPIC,     /**< the topic (int4)                           */
    CHATS_AGP_USERNAME,  /**< {username}: a login or an id (text)        */
    CHATS_AGP_USER_ID,   /**< the body's User.AssociateId, 0: none (int4) */
    CHATS_AGP_USER_LOGIN, /**< the body's User.Name, NULL: none (text)   */
    CHATS_AGP_LISTEN,    /**< the roles (bool)                           */
    CHATS_AGP_RESPOND,
    CHATS_AGP_MANAGE,
    CHATS_AGP_NOTIFY,
    CHATS_AGP_LIST,      /**< the replacing list, JSON (text)            */
    CHATS_AGP_ZONE,      /**< the topics' default zone (text)            */
    CHATS_AGP_ONLY_PRESENT, /**< onlyPresent (bool)                      */
    CHATS_AGP_PRESENT,   /**< the caller's new presence (bool)           */
    CHATS_AGP__N
} chats_agparam_e;

typedef struct chats_agents_sql_t chats_agents_sql_t;

/** Build every statement (at start-up, in p); NULL when a template names
 * what the field tables do not have (a bug the unit driver catches). */
const chats_agents_sql_t *chats_agents_sql_build(apr_pool_t *p);

/** A statement, and its parameters' values picked from vals (indexed by
 * chats_agparam_e) in its order: *pvalues gets them, the return is their
 * number. */
const chats_stmt_t *chats_agents_stmt(const chats_agents_sql_t *a,
                                      chats_asql_e which, apr_pool_t *p,
                                      const char *const *vals,
                                      const char ***pvalues, int *pn);

/** The select list of a shape (chats_shape_schema.h) over a row called
 * "cs" whose columns are the shape's: one column per field but
 * CHATS_SHF_CHILDREN ones, an int4[] as a JSON array, the first named
 * CHATS_SQL_ROW. */
const char *chats_agents_shape_cols(apr_pool_t *p,
                                    const chats_entity_def_t *shape);

#endif
