/* Binding a route's arguments into the request, so that a REST route and
 * its ChatAgent twin run the same operation function: REST takes them
 * from the path ({id}, {toAssociate}) and the query (after, wait, html);
 * the agent (POST .../Agents/Chat/<Method>, @superoffice/webapi's
 * ChatAgent) from a JSON body of camelCase members ({"chatSessionId":844,
 * "toAssociate":"ann"}), matched case-insensitively since other callers
 * send PascalCase, and the entity id from the query
 * (chatSessionEntityId, ChatSessionEntityId: any case). The client sends
 * "no arguments" three ways: the JSON text null, an empty body with
 * Content-Type application/json, and {}. Glue. */
#include <apr_lib.h>
#include <apr_strings.h>

#include "chats_qstring.h"
#include "mod_chats_body.h"
#include "mod_chats_metrics.h"
#include "mod_chats_ops.h"
#include "mod_chats_rights.h"

/* Long polls hold a slot: the spec's bound on wait=S. */
#define CHATS_WAIT_MAX 30

static chats_err_t *bad(request_rec *r, const char *field, const char *fmt,
                        const char *what)
{
    return chats_err_make(r->pool, CHATS_E_INVALID, field, fmt, field, what);
}

/* The query parameter's decoded value (NULL if absent), from the query
 * string parsed once by chats_args_bind. */
static chats_err_t *query_get(const chats_req_t *q, chats_qparam_e which,
                              const char **pval)
{
    return chats_qstring_get(q->r->pool, q->qs, which, pval);
}

/* A decimal in [0, max] (leading zeros allowed), else -1. */
static apr_int64_t decimal(const char *s, apr_size_t len, apr_int64_t max)
{
    apr_int64_t v = 0;
    apr_size_t i;

    if (!len) {
        return -1;
    }
    for (i = 0; i < len; i++) {
        if (!apr_isdigit(s[i]) || (v = v * 10 + (s[i] - '0')) > max) {
            return -1;
        }
    }
    return v;
}

static chats_err_t *session_id(chats_req_t *q, const char *field,
                               const char *s, apr_size_t len)
{
    apr_int64_t v = decimal(s, len, INT32_MAX);

    if (v < 0) {
        return chats_err_make(q->r->pool, CHATS_E_BAD_ID, field,
                              "'%.*s' is not a %s id",
                              (int)(len > 64 ? 64 : len), s,
                              q->entity ? q->entity->label : "chat session");
    }
    q->id = (apr_int32_t)v;
    if (q->route->family != CHATS_FAMILY_TOPIC
        && q->route->family != CHATS_FAMILY_WEBHOOK
        && q->route->family != CHATS_FAMILY_WEBHOOK_AGENT) {
        chats_note_session(q->r, q->id);
    }
    return NULL;
}

/* A boolean query parameter (html, flat, onlyPresent). */
static chats_err_t *parse_bool(chats_req_t *q, const char *name,
                               const char *s, int *pv)
{
    if (!strcasecmp(s, "true")) {
        *pv = 1;
    }
    else if (!strcasecmp(s, "false")) {
        *pv = 0;
    }
    else {
        return bad(q->r, name, "%s must be true or false, not '%.64s'", s);
    }
    return NULL;
}

/* The boolean query parameters of a REST row: html, flat, onlyPresent. */
static chats_err_t *bind_rest_bools(chats_req_t *q)
{
    static const struct {
        unsigned arg;
        chats_qparam_e which;
        size_t at;
    } bools[] = {
        { CHATS_ARG_HTML, CHATS_Q_HTML, APR_OFFSETOF(chats_req_t, html) },
        { CHATS_ARG_FLAT, CHATS_Q_FLAT, APR_OFFSETOF(chats_req_t, flat) },
        { CHATS_ARG_ONLY_PRESENT, CHATS_Q_ONLY_PRESENT,
          APR_OFFSETOF(chats_req_t, only_present) },
    };
    const char *v;
    chats_err_t *e;
    size_t i;

    for (i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
        int *pv = (int *)((char *)q + bools[i].at);

        if (!(q->route->args & bools[i].arg)) {
            continue;
        }
        if ((e = query_get(q, bools[i].which, &v)) != NULL
            || (v && (e = parse_bool(q, chats_qparam_name(bools[i].which),
                                     v, pv)) != NULL)) {
            return e;
        }
    }
    return NULL;
}

/* REST: {id} and {toAssociate} from the path, after/wait/html from the
 * query. */
static chats_err_t *bind_rest(chats_req_t *q, const char *assoc_seg)
{
    request_rec *r = q->r;
    unsigned args = q->route->args;
    const char *v;
    chats_err_t *e;

    q->to_associate = assoc_seg;
    if ((args & CHATS_ARG_AFTER)
        && ((e = query_get(q, CHATS_Q_AFTER, &v)) != NULL
            || (v && (q->after = decimal(v, strlen(v), APR_INT64_MAX)) < 0))) {
        return e ? e : bad(r, "after", "%s must be a message id (0 or "
                           "more), not '%.64s'", v);
    }
    if ((args & CHATS_ARG_WAIT)
        && ((e = query_get(q, CHATS_Q_WAIT, &v)) != NULL
            || (v && (q->wait = (int)decimal(v, strlen(v),
                                             CHATS_WAIT_MAX)) < 0))) {
        return e ? e : bad(r, "wait", "%s must be 0 to 30 seconds, not "
                           "'%.64s'", v);
    }
    return bind_rest_bools(q);
}

/* ---------------------------------------------------------------- agent */

static const chats_doc_t *member(const chats_req_t *q, const char *name)
{
    const chats_doc_t *d = q->agent_body;

    d = d && d->type == CHATS_J_OBJECT
        ? chats_doc_object_get(d, name, strlen(name), 1) : NULL;
    return d && d->type != CHATS_J_NULL ? d : NULL;
}

static chats_err_t *missing(request_rec *r, const char *name)
{
    return chats_err_make(r->pool, CHATS_E_INVALID, name,
                          "%s is required", name);
}

/* An int32 member: a JSON number, or a string of digits. */
static chats_err_t *member_int32(chats_req_t *q, const char *name,
                                 int required, apr_int64_t *pv)
{
    const chats_doc_t *d = member(q, name);

    *pv = 0;
    if (!d) {
        return required ? missing(q->r, name) : NULL;
    }
    if ((d->type != CHATS_J_NUMBER && d->type != CHATS_J_STRING)
        || (*pv = decimal(d->s, d->len, INT32_MAX)) < 0) {
        return bad(q->r, name, "%s must be a whole number (0 or more), not "
                   "%s", d->type == CHATS_J_STRING
                         ? apr_psprintf(q->r->pool, "'%.*s'",
                                        (int)(d->len > 64 ? 64 : d->len),
                                        d->s)
                         : d->type == CHATS_J_NUMBER ? d->s
                         : "a JSON object, array or boolean");
    }
    return NULL;
}

/* A boolean member the route takes (absent: false). */
static chats_err_t *member_bool(chats_req_t *q, unsigned arg,
                                const char *name, int *pv)
{
    const chats_doc_t *d;

    if (!(q->route->args & arg) || !(d = member(q, name))) {
        return NULL;
    }
    if (d->type != CHATS_J_BOOL) {
        return bad(q->r, name, "%s must be true or false%s", "");
    }
    *pv = d->b;
    return NULL;
}

/* An associate named by a login or an id (toAssociate, username). */
static chats_err_t *member_associate(chats_req_t *q, const char *name)
{
    const chats_doc_t *d = member(q, name);

    if (!d) {
        return missing(q->r, name);
    }
    if ((d->type != CHATS_J_STRING && d->type != CHATS_J_NUMBER) || !d->len) {
        return bad(q->r, name, "%s must be an associate's login or id%s",
                   "");
    }
    q->to_associate = apr_pstrmemdup(q->r->pool, d->s, d->len);
    return NULL;
}

/* The ChatTopic family's documents: useragent (an object), useragents
 * and chatPresence (arrays), for the operation to read (q->arg_body). */
static chats_err_t *member_list(chats_req_t *q)
{
    static const struct {
        unsigned arg;
        const char *name;
        chats_jtype_e type;
        const char *what;
    } docs[] = {
        { CHATS_ARG_USERAGENT, "useragent", CHATS_J_OBJECT,
          "a ChatTopicAgent object" },
        { CHATS_ARG_USERAGENTS, "useragents", CHATS_J_ARRAY,
          "an array of ChatTopicAgent" },
        { CHATS_ARG_PRESENCE, "chatPresence", CHATS_J_ARRAY,
          "an array of ChatPresence" },
    };
    const chats_doc_t *d;
    size_t i;

    for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        if (!(q->route->args & docs[i].arg)) {
            continue;
        }
        if (!(d = member(q, docs[i].name))) {
            return missing(q->r, docs[i].name);
        }
        if (d->type != docs[i].type) {
            return bad(q->r, docs[i].name, "%s must be %s", docs[i].what);
        }
        q->arg_body = d;
    }
    return NULL;
}

static chats_err_t *bind_members(chats_req_t *q)
{
    unsigned args = q->route->args;
    const chats_doc_t *d;
    apr_int64_t v;
    chats_err_t *e;

    if (args & CHATS_ARG_ID) {
        if ((e = member_int32(q, "chatSessionId", 1, &v)) != NULL) {
            return e;
        }
        q->id = (apr_int32_t)v;
        chats_note_session(q->r, q->id);
    }
    if (args & CHATS_ARG_TOPIC) {
        if ((e = member_int32(q, "chatTopicId", 1, &v)) != NULL) {
            return e;
        }
        q->topic = (apr_int32_t)v;
    }
    if ((args & CHATS_ARG_AFTER)
        && (e = member_int32(q, "after", 0, &q->after)) != NULL) {
        return e;
    }
    if ((args & CHATS_ARG_TO_ASSOC)
        && (e = member_associate(q, "toAssociate")) != NULL) {
        return e;
    }
    if ((args & CHATS_ARG_USERNAME)
        && (e = member_associate(q, "username")) != NULL) {
        return e;
    }
    if ((e = member_list(q)) != NULL) {
        return e;
    }
    if ((e = member_bool(q, CHATS_ARG_HTML, "html", &q->html))
        || (e = member_bool(q, CHATS_ARG_FLAT, "flat", &q->flat))
        || (e = member_bool(q, CHATS_ARG_ONLY_PRESENT, "onlyPresent",
                            &q->only_present))) {
        return e;
    }
    if (args & CHATS_ARG_MESSAGE) {
        if (!(d = member(q, "message"))) {
            return missing(q->r, "message");
        }
        if (d->type != CHATS_J_OBJECT) {
            return bad(q->r, "message", "%s must be a ChatMessage object%s",
                       "");
        }
        q->arg_body = d;
    }
    return chats_webhook_bind(q);
}

/* Whether the request has no body at all (the client's empty POSTs). */
static int body_empty(request_rec *r)
{
    const char *cl = apr_table_get(r->headers_in, "Content-Length");
    apr_off_t n;

    if (apr_table_get(r->headers_in, "Transfer-Encoding")) {
        return 0;
    }
    return !cl || (ap_parse_strict_length(&n, cl) && n == 0);
}

/* The body as a document: NULL for the "no arguments" forms. */
static chats_err_t *agent_body(chats_req_t *q, chats_doc_t **pdoc)
{
    request_rec *r = q->r;
    chats_media_e media;
    chats_err_t *e;

    *pdoc = NULL;
    if (body_empty(r)) {
        return NULL;
    }
    /* A slow upload must not hold one of DBDMax connections meanwhile. */
    chats_store_release(r);
    if ((e = chats_body_media(r, &media)) != NULL) {
        return e;
    }
    /* XML is the entity's other representation: only Save reads it. */
    if (media == CHATS_MEDIA_XML && !(q->route->args & CHATS_ARG_ENTITY)) {
        return chats_err_make(r->pool, CHATS_E_MEDIA, NULL,
                              "%s takes a JSON body (" CHATS_MT_JSON ")",
                              q->route->pattern);
    }
    if ((e = chats_body_read(r, q->entity, media,
                             chats_conf_max_body(chats_dir_conf(r)),
                             pdoc)) != NULL) {
        return e;
    }
    chats_http_body_read(r);
    if ((*pdoc)->type == CHATS_J_NULL) {
        *pdoc = NULL;
    }
    else if ((*pdoc)->type != CHATS_J_OBJECT) {
        return chats_err_make(r->pool, CHATS_E_INVALID, NULL,
                              "the body of %s must be a JSON object or "
                              "null", q->route->pattern);
    }
    return NULL;
}

static chats_err_t *bind_agent(chats_req_t *q)
{
    static const char *const conditional[] = {
        "If-Match", "If-None-Match", "If-Modified-Since",
        "If-Unmodified-Since", "If-Range"
    };
    request_rec *r = q->r;
    unsigned args = q->route->args;
    chats_doc_t *body;
    const char *v;
    chats_err_t *e;
    size_t i;

    /* Spec §4: conditional requests are REST's; the official client
     * also leaks them from earlier calls. */
    for (i = 0; i < sizeof(conditional) / sizeof(conditional[0]); i++) {
        apr_table_unset(r->headers_in, conditional[i]);
    }
    if (args & CHATS_ARG_ENTITY_ID) {
        if ((e = query_get(q, chats_qstring_entity_id(q->route), &v))
            != NULL) {
            return e;
        }
        if (!v) {
            return missing(r, q->entity->agent_id_query);
        }
        if ((e = session_id(q, q->entity->agent_id_query, v, strlen(v)))) {
            return e;
        }
    }
    /* Rights before the body: a caller who may read nothing is refused
     * before any byte of it is read (README "Rights before the body"). */
    if ((e = chats_rights_require(q, chats_rights_op_need(q->route->op)))
        || (e = agent_body(q, &body)) != NULL) {
        return e;
    }
    q->agent_body = body;
    if (args & CHATS_ARG_ENTITY) {
        if (!body) {
            return chats_err_make(r->pool, CHATS_E_INVALID, NULL,
                                  "the body must be a %s",
                                  q->entity->type_name);
        }
        q->arg_body = body;
    }
    return bind_members(q);
}

chats_err_t *chats_args_bind(chats_req_t *q, const char *id_seg,
                             const char *assoc_seg)
{
    chats_qstring_t *qs = apr_palloc(q->r->pool, sizeof(*qs));
    chats_err_t *e;

    /* REST: a bad id is answered before the query. */
    if (!q->agent && id_seg
        && (e = session_id(q, NULL, id_seg, strlen(id_seg))) != NULL) {
        return e;
    }
    q->qs = qs;
    if ((e = chats_qstring_parse(q->r->pool, q->r->args,
                                 chats_qstring_reads(q->route), qs))) {
        return e;
    }
    return q->agent ? bind_agent(q) : bind_rest(q, assoc_seg);
}

chats_err_t *chats_agent_save(chats_req_t *q)
{
    apr_int64_t v;
    chats_err_t *e;

    /* the entity's key (fields[0]): 0 or absent creates */
    if ((e = member_int32(q, q->entity->fields[0].name, 0, &v)) != NULL) {
        return e;
    }
    if (!v) {
        q->id = 0;
        return chats_resource_create(q);
    }
    q->id = (apr_int32_t)v;
    chats_note_session(q->r, q->id);
    return chats_resource_put(q);
}
