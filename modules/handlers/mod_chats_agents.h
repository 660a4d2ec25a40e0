/* What the ChatTopic family's glue files share (mod_chats_topic_agents.c,
 * mod_chats_presence.c): a request under way with its statements
 * (core/sql/chats_agents_sql.h) and the values they take. Glue. */
#ifndef CHATS_AGENTS_H
#define CHATS_AGENTS_H

#include "chats_agents_sql.h"
#include "chats_shape_schema.h"
#include "mod_chats_resource.h"

typedef struct {
    chats_req_t *q;
    chats_store_t *st;
    const chats_agents_sql_t *a;
    apr_int32_t topic;           /**< {id} (REST) or chatTopicId (agent) */
    const char *vals[CHATS_AGP__N];
} chats_agents_t;

/** Look the caller up (the statements decide what they may), take the
 * connection and set the caller's, the topic's and {username}'s values. */
chats_err_t *chats_agents_start(chats_req_t *q, chats_agents_t *x);

/** Run one statement with x's values. */
chats_err_t *chats_agents_run(chats_agents_t *x, chats_asql_e which,
                              chats_rows_t **prows);

/** A 403 saying what the caller needs, logged as a denial. */
chats_err_t *chats_agents_denied(chats_agents_t *x, const char *needs);

/** Answer a shape's document, or an array of them (XML: ArrayOf<T>). */
chats_err_t *chats_agents_send(chats_req_t *q, const chats_entity_def_t *sh,
                               const chats_doc_t *doc);

/** The request's document: the agent's bound member (q->arg_body), or
 * the REST body, JSON only. */
chats_err_t *chats_agents_body(chats_req_t *q, const chats_doc_t **pdoc);

#endif
