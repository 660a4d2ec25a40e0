/* The ChatTopic family's shapes as documents (chats_shape_schema.h):
 * a row of their statements (chats_agents_sql.h) rendered, a template,
 * the XML form of a list, and a ChatTopicAgent read from a request body.
 * Core header: APR only. */
#ifndef CHATS_SHAPE_H
#define CHATS_SHAPE_H

#include "chats_doc.h"
#include "chats_err.h"
#include "chats_shape_schema.h"

/** The shape's document from a row of chats_agents_shape_cols' layout
 * (values from its CHATS_SQL_ROW column on): every field, in table
 * order; CHATS_SHF_CHILDREN ones an empty array. */
chats_doc_t *chats_shape_from_row(apr_pool_t *p,
                                  const chats_entity_def_t *shape,
                                  const char *const *values);

/** The shape with every field empty (numbers 0, strings "", booleans
 * false, carriers null, arrays []). */
chats_doc_t *chats_shape_template(apr_pool_t *p,
                                  const chats_entity_def_t *shape);

/** An array of the shape's documents as .NET's ArrayOf<T> renders in XML:
 * an object whose members are all named after the shape's type (render
 * it as chats_xml_render(p, "ArrayOf" type, doc)). */
chats_doc_t *chats_shape_xml_list(apr_pool_t *p,
                                  const chats_entity_def_t *shape,
                                  const chats_doc_t *array);

/** A ChatTopicAgent as a request gives it (design note §3). */
typedef struct {
    apr_int32_t user_id;       /**< User.AssociateId, 0: none           */
    const char *login;         /**< User.Name when no id, else NULL      */
    int listen, respond, manage, notify;
} chats_agent_in_t;

/**
 * Read a ChatTopicAgent body (a parsed JSON value) for topic. Member
 * names in any case; TableRight, FieldProperties and _Links ignored.
 * CHATS_E_INVALID naming the member, prefixed by at ("" or
 * "useragents/3/"): a body that is no object (naming what), an unknown
 * member, TopicId other than absent, 0 or topic, User without
 * AssociateId above 0 or a Name (absent or null: allowed unless
 * need_user, when the path names the member), a role that is no
 * boolean, and all four roles false (naming CanRespond: a member needs
 * one).
 */
chats_err_t *chats_shape_agent_in(apr_pool_t *p, const chats_doc_t *doc,
                                  apr_int32_t topic, const char *at,
                                  const char *what, int need_user,
                                  chats_agent_in_t *in);

/** The agents of a replacing list as the statement's JSON parameter
 * (chats_agents_sql.h, CHATS_ASQL_SET): [{n, id, login, listen,
 * respond, manage, notify}], n the element's place; NULL if it cannot
 * be written. */
const char *chats_shape_agents_json(apr_pool_t *p,
                                    const chats_agent_in_t *in, int n);

#endif
