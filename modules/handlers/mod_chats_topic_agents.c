/* A chat topic's agents and its opening hours (README "Topic agents"):
 * GET|POST|PUT ChatTopic/{id}/UserAgent, GET|PUT|DELETE
 * ChatTopic/{id}/UserAgent/{username}, GET ChatTopic/{id}/IsOpen and
 * their ChatAgent twins (mod_chats_agent.c binds the topic, the name and
 * the agent documents first). Each runs one statement of
 * core/sql/chats_agents_sql.c over chat_topic_member, the one table of
 * membership, whose head row tells 404 (topic), 403 (rights) and 404
 * (member) apart without a second statement. Rights (design note §6):
 * reading needs the read level or membership of the topic; writing a
 * manager of the topic or the admin level; the statement decides, so a
 * refused write changes nothing. Glue. */
#include <apr_strings.h>

#include "chats_shape.h"
#include "chats_zone.h"
#include "mod_chats_agents.h"
#include "mod_chats_body.h"
#include "mod_chats_ops.h"
#include "mod_chats_rights.h"

chats_err_t *chats_agents_run(chats_agents_t *x, chats_asql_e which,
                              chats_rows_t **prows)
{
    const char **values;
    const chats_stmt_t *stmt;
    int n;

    stmt = chats_agents_stmt(x->a, which, x->q->r->pool, x->vals, &values,
                             &n);
    return chats_store_exec(x->st, stmt, n, values, prows);
}

chats_err_t *chats_agents_start(chats_req_t *q, chats_agents_t *x)
{
    const chats_sql_t *sql = chats_srv_conf(q->r->server)->sql;
    const chats_caller_t *c;
    apr_pool_t *p = q->r->pool;
    chats_err_t *e;

    memset(x, 0, sizeof(*x));
    x->q = q;
    /* the topic's rule: everyone may try; the statement decides */
    if ((e = chats_rights_require(q, CHATS_DO_READ)) != NULL) {
        return e;
    }
    if (!sql || !(x->a = sql->agents)) {
        return chats_err_make(p, CHATS_E_INTERNAL, NULL,
                              "the topic statements were not built");
    }
    if ((e = chats_store_open(&x->st, q->r)) != NULL) {
        return e;
    }
    c = chats_rights_caller(q);
    x->topic = q->agent ? q->topic : q->id;
    x->vals[CHATS_AGP_ASSOC] = apr_itoa(p, c->associate_id);
    x->vals[CHATS_AGP_READS] = c->level >= CHATS_RIGHT_READ ? "t" : "f";
    x->vals[CHATS_AGP_ADMIN] = c->level >= CHATS_RIGHT_ADMIN ? "t" : "f";
    x->vals[CHATS_AGP_TOPIC] = apr_itoa(p, x->topic);
    x->vals[CHATS_AGP_USERNAME] = q->to_associate;
    return NULL;
}

chats_err_t *chats_agents_denied(chats_agents_t *x, const char *needs)
{
    chats_err_t *e = chats_err_make(x->q->r->pool, CHATS_E_FORBIDDEN, NULL,
                                    "%s", needs);

    chats_rights_log_denial(x->q, e);
    return e;
}

/* The head row's verdict on the topic: 404 when there is none, 403 when
 * the caller may not (write: a manager's or admin's work). */
static chats_err_t *head(chats_agents_t *x, const chats_rows_t *rows,
                         int write)
{
    apr_pool_t *p = x->q->r->pool;

    if (!chats_rows_true(rows, 0, "topic")) {
        return chats_err_make(p, CHATS_E_NOT_FOUND, NULL,
                              "ChatTopic id %d not found", (int)x->topic);
    }
    if (!chats_rows_true(rows, 0, "allowed")) {
        return chats_agents_denied(x, apr_psprintf(
            p, write ? "you must be a manager of chat topic %d or have the "
                       "admin right"
                     : "you must be a member of chat topic %d or have the "
                       "read right", (int)x->topic));
    }
    return NULL;
}

static chats_err_t *not_member(chats_agents_t *x)
{
    return chats_err_make(x->q->r->pool, CHATS_E_NOT_FOUND, NULL,
                          "'%s' is not an agent of chat topic %d",
                          x->q->to_associate, (int)x->topic);
}

chats_err_t *chats_agents_send(chats_req_t *q, const chats_entity_def_t *sh,
                               const chats_doc_t *doc)
{
    apr_pool_t *p = q->r->pool;
    int list = doc->type == CHATS_J_ARRAY;

    if (list && chats_answer_xml(q->media)) {
        return chats_resource_answer(q, chats_shape_xml_list(p, sh, doc),
                                     apr_pstrcat(p, "ArrayOf", sh->type_name,
                                                 NULL), "the answer");
    }
    return chats_resource_answer(q, doc, sh->type_name, "the answer");
}

/* The agents of rows (a row of NULLs: none) as an array, or the first. */
static chats_err_t *send_agents(chats_agents_t *x, const chats_rows_t *rows,
                                int one)
{
    apr_pool_t *p = x->q->r->pool;
    chats_doc_t *list = chats_doc_array(p);
    int i;

    for (i = 0; i < rows->nrows; i++) {
        const char *const *row = chats_rows_from(rows, i, CHATS_SQL_ROW);

        if (row && row[0]) {
            chats_doc_array_push(list, chats_shape_from_row(
                                           p, &chats_topic_agent_shape, row));
        }
    }
    if (one && !chats_doc_array_len(list)) {
        return not_member(x);
    }
    return chats_agents_send(x->q, &chats_topic_agent_shape,
                             one ? chats_doc_array_get(list, 0) : list);
}

/* ---- reads ------------------------------------------------------------ */

chats_err_t *chats_topic_agents_list(chats_req_t *q)
{
    chats_agents_t x;
    chats_rows_t *rows;
    chats_err_t *e;

    if ((e = chats_agents_start(q, &x)) || (e = chats_agents_run(
            &x, CHATS_ASQL_LIST, &rows)) || (e = head(&x, rows, 0))) {
        return e;
    }
    return send_agents(&x, rows, 0);
}

chats_err_t *chats_topic_agent_get(chats_req_t *q)
{
    chats_agents_t x;
    chats_rows_t *rows;
    chats_err_t *e;

    if ((e = chats_agents_start(q, &x)) || (e = chats_agents_run(
            &x, CHATS_ASQL_GET, &rows)) || (e = head(&x, rows, 0))) {
        return e;
    }
    return send_agents(&x, rows, 1);
}

chats_err_t *chats_topic_agent_default(chats_req_t *q)
{
    chats_doc_t *t = chats_shape_template(q->r->pool,
                                          &chats_topic_agent_shape);

    /* CreateDefault -> Add works once a User is set (design note §3) */
    chats_doc_object_set(t, "CanRespond", 10,
                         chats_doc_bool(q->r->pool, 1), 0, q->r->pool);
    return chats_agents_send(q, &chats_topic_agent_shape, t);
}

chats_err_t *chats_topic_is_open(chats_req_t *q)
{
    const char *dflt = chats_conf_time_zone(chats_dir_conf(q->r));
    const char *zone, *echo;
    chats_agents_t x;
    chats_rows_t *rows;
    chats_err_t *e;

    if ((e = chats_agents_start(q, &x)) != NULL) {
        return e;
    }
    /* the topic's own zone, else the vhost's ChatSessionTimeZone */
    x.vals[CHATS_AGP_ZONE] = chats_zone_lookup(dflt, &zone, &echo, q->r->pool)
                             == CHATS_ZONE_KNOWN ? zone : dflt;
    if ((e = chats_agents_run(&x, CHATS_ASQL_IS_OPEN, &rows))
        || (e = head(&x, rows, 0))) {
        return e;
    }
    return chats_resource_answer(q, chats_doc_bool(
                                     q->r->pool, chats_rows_true(rows, 0,
                                                                 "open")),
                                 "boolean", "the answer");
}

/* ---- writes ----------------------------------------------------------- */

/* The ChatTopicAgent (or the array of them) of the request: the agent's
 * bound member, or the REST body (JSON). */
chats_err_t *chats_agents_body(chats_req_t *q, const chats_doc_t **pdoc)
{
    request_rec *r = q->r;
    chats_media_e media;
    chats_doc_t *body;
    chats_err_t *e;

    if (q->agent) {
        *pdoc = q->arg_body;
        return NULL;
    }
    /* A slow upload must not hold one of DBDMax connections meanwhile. */
    chats_store_release(r);
    if ((e = chats_body_media(r, &media)) != NULL) {
        return e;
    }
    if (media != CHATS_MEDIA_JSON) {
        return chats_err_make(r->pool, CHATS_E_MEDIA, NULL, "%s takes a JSON "
                              "body (" CHATS_MT_JSON ")", q->route->pattern);
    }
    if ((e = chats_body_read(r, q->entity, media,
                             chats_conf_max_body(chats_dir_conf(r)),
                             &body)) != NULL) {
        return e;
    }
    chats_http_body_read(r);
    *pdoc = body;
    return NULL;
}

static void set_roles(chats_agents_t *x, const chats_agent_in_t *in)
{
    x->vals[CHATS_AGP_USER_ID] = apr_itoa(x->q->r->pool, in->user_id);
    x->vals[CHATS_AGP_USER_LOGIN] = in->login;
    x->vals[CHATS_AGP_LISTEN] = in->listen ? "t" : "f";
    x->vals[CHATS_AGP_RESPOND] = in->respond ? "t" : "f";
    x->vals[CHATS_AGP_MANAGE] = in->manage ? "t" : "f";
    x->vals[CHATS_AGP_NOTIFY] = in->notify ? "t" : "f";
}

static chats_err_t *no_user(apr_pool_t *p, const char *at,
                            const chats_agent_in_t *in, const char *why)
{
    const char *who = in->user_id ? apr_itoa(p, in->user_id)
                    : in->login ? in->login : "";

    return chats_err_make(p, CHATS_E_INVALID, apr_pstrcat(p, at, "User",
                                                          NULL),
                          "%sUser: '%s' %s", at, who, why);
}

/* POST .../UserAgent (Add: an existing member is updated) and PUT
 * .../UserAgent/{username} (Update: a member only). */
static chats_err_t *write_one(chats_req_t *q, chats_asql_e which)
{
    apr_pool_t *p = q->r->pool;
    const chats_doc_t *doc;
    chats_agent_in_t in;
    chats_agents_t x;
    chats_rows_t *rows;
    chats_err_t *e;

    if ((e = chats_agents_body(q, &doc)) != NULL
        || (e = chats_shape_agent_in(p, doc, q->agent ? q->topic : q->id, "",
                                     q->agent ? "useragent" : "body",
                                     which == CHATS_ASQL_ADD, &in))
        || (e = chats_agents_start(q, &x)) != NULL) {
        return e;
    }
    set_roles(&x, &in);
    if ((e = chats_agents_run(&x, which, &rows)) || (e = head(&x, rows, 1))) {
        return e;
    }
    if (which == CHATS_ASQL_ADD && !chats_rows_get(rows, 0, "uid")) {
        return no_user(p, "", &in, "is no associate in use");
    }
    if (which == CHATS_ASQL_UPDATE && chats_rows_get(rows, 0, "uid")
        && !chats_rows_true(rows, 0, "same")) {
        return no_user(p, "", &in, apr_psprintf(p, "is not '%s' of the path",
                                                q->to_associate));
    }
    return send_agents(&x, rows, 1);
}

chats_err_t *chats_topic_agent_add(chats_req_t *q)
{
    return write_one(q, CHATS_ASQL_ADD);
}

chats_err_t *chats_topic_agent_update(chats_req_t *q)
{
    return write_one(q, CHATS_ASQL_UPDATE);
}

chats_err_t *chats_topic_agent_delete(chats_req_t *q)
{
    chats_agents_t x;
    chats_rows_t *rows;
    chats_err_t *e;

    if ((e = chats_agents_start(q, &x)) || (e = chats_agents_run(
            &x, CHATS_ASQL_DELETE, &rows)) || (e = head(&x, rows, 1))) {
        return e;
    }
    if (!chats_rows_get(rows, 0, "gone")) {
        return not_member(&x);
    }
    q->r->status = HTTP_NO_CONTENT;
    return NULL;
}

/* The replacing list as the statement reads it (jsonb_to_recordset):
 * each element checked first, naming useragents/N/... */
static chats_err_t *set_list(chats_req_t *q, const chats_doc_t *doc,
                             apr_int32_t topic, const char **pjson)
{
    apr_pool_t *p = q->r->pool;
    chats_agent_in_t *in;
    chats_err_t *e;
    int i, n;

    if (!doc || doc->type != CHATS_J_ARRAY) {
        return chats_err_make(p, CHATS_E_INVALID, "useragents", "useragents: "
                              "expected an array of ChatTopicAgent");
    }
    n = chats_doc_array_len(doc);
    in = apr_pcalloc(p, (n + 1) * sizeof(*in));
    for (i = 0; i < n; i++) {
        if ((e = chats_shape_agent_in(p, chats_doc_array_get(doc, i), topic,
                                      apr_psprintf(p, "useragents/%d/", i),
                                      apr_psprintf(p, "useragents/%d", i),
                                      1, &in[i])) != NULL) {
            return e;
        }
    }
    *pjson = chats_shape_agents_json(p, in, n);
    return *pjson ? NULL : chats_err_make(p, CHATS_E_INTERNAL, NULL,
                                          "the list could not be written");
}

chats_err_t *chats_topic_agents_set(chats_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    const chats_doc_t *doc;
    const char *json, *n;
    chats_agents_t x;
    chats_rows_t *rows;
    chats_err_t *e;

    if ((e = chats_agents_body(q, &doc)) != NULL
        || (e = set_list(q, doc, q->agent ? q->topic : q->id, &json))
        || (e = chats_agents_start(q, &x)) != NULL) {
        return e;
    }
    x.vals[CHATS_AGP_LIST] = json;
    if ((e = chats_agents_run(&x, CHATS_ASQL_SET, &rows))
        || (e = head(&x, rows, 1))) {
        return e;
    }
    if ((n = chats_rows_get(rows, 0, "unknown")) != NULL) {
        return chats_err_make(p, CHATS_E_INVALID, apr_pstrcat(
                                  p, "useragents/", n, "/User", NULL),
                              "useragents/%s/User: no associate in use", n);
    }
    if ((n = chats_rows_get(rows, 0, "dup")) != NULL) {
        return chats_err_make(p, CHATS_E_INVALID, apr_pstrcat(
                                  p, "useragents/", n, "/User", NULL),
                              "useragents/%s/User: an earlier element names "
                              "the same associate", n);
    }
    return send_agents(&x, rows, 0);
}
