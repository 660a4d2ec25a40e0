/* The OpenAPI paths, generated from the route table (chats_routes.c): one
 * path per pattern (REST) or agent method, one operation per row, plus
 * OPTIONS, which every path answers with Allow from the same table. The
 * parameters are a table keyed by operation and family, since the agent
 * ignores conditional headers and takes its arguments in the body. */
#include <apr_lib.h>
#include <apr_strings.h>
#include <string.h>

#include "chats_openapi.h"
#include "chats_openapi_private.h"
#include "chats_routes.h"

/* operations as bits: more than 32 of them (issue 19) */
#define OPB(x) (1ull << CHATS_OP_##x)
#define OPS_ALL ((1ull << CHATS_OP__N) - 1ull)
#define OPS_READ (OPS_ALL & ~OPB(DELETE))       /* all that render dates */
#define OPS_COND (OPB(GET) | OPB(PUT) | OPB(PATCH) | OPB(DELETE))

#define F_REST  (1u << CHATS_FAMILY_REST)
#define F_AGENT (1u << CHATS_FAMILY_AGENT)
#define F_TOPIC (1u << CHATS_FAMILY_TOPIC)
#define F_HOOK  (1u << CHATS_FAMILY_WEBHOOK)
#define F_HAGENT (1u << CHATS_FAMILY_WEBHOOK_AGENT)
#define F_BOTH  (F_REST | F_AGENT | F_TOPIC | F_HOOK | F_HAGENT)
/* the entities' REST rows: ChatSession's, ChatTopic's, Webhook's */
#define F_RESTFUL (F_REST | F_TOPIC | F_HOOK)

typedef struct {
    const char *key;            /* components/parameters member */
    const char *name;
    const char *in;
    const char *type;
    unsigned long long ops;     /* OPB() of the operations that take it */
    unsigned fams;              /* F_* of the families that take it */
    const char *desc;
} param_t;

static const param_t params[] = {
    { "select", "$select", "query", "string", OPB(GET) | OPB(CREATE)
      | OPB(PUT) | OPB(PATCH), F_RESTFUL, "Comma-separated field names, "
      "case-insensitive; a/b selects member b of carrier a. Every field is "
      "still present; the unselected ones are null. An unknown name is a "
      "400." },
    { "listSelect", "$select", "query", "string", OPB(LIST), F_RESTFUL,
      "The list's columns: comma-separated field names, case-insensitive, "
      "carrier members as a/b (user/name). An unknown name is a 400." },
    { "filter", "$filter", "query", "string", OPB(LIST), F_RESTFUL,
      "eq ne lt le gt ge, and or not, parentheses; contains, startswith, "
      "endswith on strings; oneOf(Field,a,b) on enums; today and now in "
      "date-times. Values typed by the field table. Malformed: 400 naming "
      "the position and the token." },
    { "orderBy", "$orderBy", "query", "string", OPB(LIST), F_RESTFUL,
      "field [asc|desc], comma-separated." },
    { "top", "$top", "query", "integer", OPB(LIST), F_RESTFUL,
      "Rows per page: default 100, at most 1000 (more is a 400)." },
    { "skip", "$skip", "query", "integer", OPB(LIST), F_RESTFUL,
      "Rows to skip." },
    { "format", "$format", "query", "string", OPB(LIST), F_RESTFUL,
      "JSON or XML: overrides Accept." },
    { "after", "after", "query", "integer", OPB(MESSAGES), F_REST,
      "Only messages with a ChatMessageId above this (default 0)." },
    { "wait", "wait", "query", "integer", OPB(MESSAGES), F_REST,
      "Seconds (0 to 30) to wait for a message after `after` when there "
      "is none yet; then an empty array." },
    { "html", "html", "query", "boolean", OPB(TRANSCRIPT), F_REST,
      "true: the transcript as HTML, every message escaped; false "
      "(default): plain text." },
    { "flat", "flat", "query", "boolean", OPB(USER_AGENTS), F_TOPIC,
      "true: the users alone, in one list; false (default): the users "
      "under an item per group (associate.group_idx; its name from "
      "user_group)." },
    { "onlyPresent", "onlyPresent", "query", "boolean", OPB(USER_AGENTS),
      F_TOPIC, "true: only the users present now (SaveChatPresence); "
      "groups left without users are left out. Default false." },
    { "name", "name", "query", "string", OPB(FILTERED), F_HOOK,
      "Only the webhooks of this name (exact)." },
    { "nameFilter", "nameFilter", "query", "string", OPB(FILTERED), F_HOOK,
      "The same as name (the agent's GetAllWebhooks)." },
    { "event", "event", "query", "string", OPB(FILTERED), F_HOOK,
      "Only the webhooks subscribed to this event (chatsession.changed)." },
    { "eventFilter", "eventFilter", "query", "string", OPB(FILTERED),
      F_HOOK, "The same as event." },
    { "status", "status", "query", "string", OPB(FILTERED), F_HOOK,
      "Only the webhooks in this state: a WebhookState name (any case) or "
      "its number; Unknown or 0: any state." },
    { "statusFilter", "statusFilter", "query", "string", OPB(FILTERED),
      F_HOOK, "The same as status." },
    { "If-Match", "If-Match", "header", "string", OPS_COND, F_RESTFUL,
      "Entity tags (the ETag of an earlier response) or *; none matching: "
      "412." },
    { "If-None-Match", "If-None-Match", "header", "string", OPS_COND, F_RESTFUL,
      "Entity tags or *; one matching: 304 on GET, 412 otherwise." },
    { "If-Modified-Since", "If-Modified-Since", "header", "string",
      OPB(GET), F_RESTFUL,
      "HTTP-date; not modified since (whole seconds): 304, empty body." },
    { "If-Unmodified-Since", "If-Unmodified-Since", "header", "string",
      OPS_COND, F_RESTFUL,
      "HTTP-date; modified since (whole seconds): 412." },
    /* taken by the routes with CHATS_ARG_IDEM (by_args below) */
    { "Idempotency-Key", "Idempotency-Key", "header", "string", 0, 0,
      "A key of the client's (1 to 255 bytes; a UUID, say), unique per "
      "request it means to send once: a repeat by the same associate "
      "within 24 hours (method, route, target and body the same) gets the "
      "first answer again, status and entity as it is now, marked "
      "Idempotent-Replayed: true, and writes nothing; the key with another "
      "request is 422; empty or longer: 400. A plain value or a "
      "structured-field string (\"...\")." },
    { "SO-TimeZone", "SO-TimeZone", "header", "string", OPS_READ, F_BOTH,
      "CODE[,includeTZOffset], the flag alone allowed, repeats tolerated: "
      "a SuperOffice zone code (NO, US-NY, UTC, ...; any case) or an IANA "
      "name; date-times are converted to it and the zone is echoed in the "
      "SO-TimeZone response header. Unknown zone: 400. Without it, the "
      "server's default zone (UTC unless configured). Any header-name case "
      "(the official client sends SO-Timezone)." },
    { "SO-Language", "SO-Language", "header", "string", OPS_READ, F_BOTH,
      "Language of string resources ([SR_...]); overrides Accept-Language. "
      "Empty, * or x: no translation; an unknown language falls back to "
      "the default." },
    { "Accept-Language", "Accept-Language", "header", "string", OPS_READ,
      F_BOTH, "Language of string resources when SO-Language is absent; "
      "empty: no translation." },
    { "SO-Culture", "SO-Culture", "header", "string", OPS_READ, F_BOTH,
      "Culture for numbers and dates inside strings; defaults to the "
      "language." },
    { "SO-AppToken", "SO-AppToken", "header", "string", OPS_ALL, F_BOTH,
      "The partner application's token; accepted and logged." },
    { "X-XSRF-TOKEN", "X-XSRF-TOKEN", "header", "string", OPS_ALL, F_BOTH,
      "SuperOffice's web-session token; accepted, not needed: this server "
      "authenticates by the Authorization header." },
    { "SO-Browser-TZ-Offset", "SO-Browser-TZ-Offset", "header", "integer",
      OPS_READ, F_BOTH, "The client's UTC offset in minutes east (sent by "
      "the official client); accepted." },
};

#define NPARAMS (sizeof(params) / sizeof(params[0]))

/* Parameters that a route takes by its flags (CHATS_ARG_*) rather than
 * by its operation. */
static const struct {
    const char *key;
    unsigned args;
} by_args[] = {
    { "Idempotency-Key", CHATS_ARG_IDEM },
};

/* OPTIONS: besides 200, the statuses any route answers before routing
 * (it is no row of the route table). */
static const int errs_opt[] = { 400, 401, 403, 0 };

static void gen_schema_type(chats_og_t *o, const char *type)
{
    chats_og_kopen(o, "schema");
    chats_og_kstr(o, "type", type);
    chats_og_close(o);
}

static void gen_error_ref(chats_og_t *o, int status)
{
    chats_og_kref(o, apr_itoa(o->p, status), "responses",
                  chats_openapi_response_name(o->p, status));
}

/* A row's responses: its success, then the statuses of the error kinds
 * it can answer (chats_route_answers), ascending; row NULL: OPTIONS. */
static void gen_responses(chats_og_t *o, const chats_route_def_t *row)
{
    const int *e;
    int s;

    chats_og_kopen(o, "responses");
    chats_og_kref(o, apr_itoa(o->p, row ? row->ok_status : 200),
                  "responses", row ? row->ok : "Options");
    for (e = errs_opt; !row && *e; e++) {
        gen_error_ref(o, *e);
    }
    for (s = chats_err_next_status(0); row && s;
         s = chats_err_next_status(s)) {
        if (chats_route_has_status(row, s)) {
            gen_error_ref(o, s);
        }
    }
    chats_og_close(o);
}

static void gen_tags(chats_og_t *o, const chats_route_def_t *row)
{
    chats_og_str(o, "tags");
    chats_og_aopen(o);
    chats_og_str(o, chats_route_family(row->family)->label);
    chats_og_aclose(o);
}

static void gen_op(chats_og_t *o, const chats_route_def_t *row)
{
    char *method = apr_pstrdup(o->p, row->method), *c;
    size_t i;

    for (c = method; *c; c++) {
        *c = (char)apr_tolower(*c);
    }
    chats_og_kopen(o, method);
    gen_tags(o, row);
    chats_og_kstr(o, "operationId", row->operation_id);
    chats_og_kstr(o, "summary", row->summary);
    chats_og_str(o, "parameters");
    chats_og_aopen(o);
    /* the agent's entity id: named by the row's entity (its def) */
    if (row->args & CHATS_ARG_ENTITY_ID) {
        chats_og_ref(o, "parameters",
                     chats_route_entity(row)->agent_id_query);
    }
    for (i = 0; i < NPARAMS; i++) {
        if ((params[i].ops & (1ull << row->op))
            && (params[i].fams & (1u << row->family))) {
            chats_og_ref(o, "parameters", params[i].key);
        }
    }
    for (i = 0; i < sizeof(by_args) / sizeof(by_args[0]); i++) {
        if (by_args[i].args & row->args) {
            chats_og_ref(o, "parameters", by_args[i].key);
        }
    }
    chats_og_aclose(o);
    if (row->body) {
        chats_og_kref(o, "requestBody", "requestBodies", row->body);
    }
    gen_responses(o, row);
    chats_og_close(o);
}

/* OPTIONS on the path of row (the first of its pattern). */
static void gen_options(chats_og_t *o, const chats_route_def_t *row)
{
    chats_og_kopen(o, "options");
    gen_tags(o, row);
    chats_og_kstr(o, "operationId", apr_pstrcat(o->p, "Options_",
                                                row->operation_id, NULL));
    chats_og_kstr(o, "summary", "The methods allowed (Allow), from the "
                  "route table");
    gen_responses(o, NULL);
    chats_og_close(o);
}

static void gen_path_params(chats_og_t *o, chats_family_e family,
                            const char *pattern)
{
    if (!strstr(pattern, "{")) {
        return;
    }
    chats_og_str(o, "parameters");
    chats_og_aopen(o);
    if (strstr(pattern, "{id}")) {
        chats_og_ref(o, "parameters", family == CHATS_FAMILY_TOPIC
                                      ? "topicId"
                                      : family == CHATS_FAMILY_WEBHOOK
                                      ? "hookId" : "id");
    }
    if (strstr(pattern, "{username}")) {
        chats_og_ref(o, "parameters", "username");
    }
    if (strstr(pattern, "{toAssociate}")) {
        chats_og_ref(o, "parameters", "toAssociate");
    }
    if (strstr(pattern, "{eventName}")) {
        chats_og_ref(o, "parameters", "eventName");
        chats_og_ref(o, "parameters", "primaryKey");
    }
    chats_og_aclose(o);
}

void chats_openapi_paths(chats_og_t *o)
{
    int i, n;
    const chats_route_def_t *rt = chats_routes(&n);

    chats_og_kopen(o, "paths");
    for (i = 0; i < n; i++) {
        int first = i == 0 || rt[i - 1].family != rt[i].family
                    || strcmp(rt[i - 1].pattern, rt[i].pattern);

        if (first) {
            chats_og_kopen(o, chats_route_path(o->p, &rt[i]));
            chats_og_kstr(o, "description",
                          !chats_route_family_is_agent(rt[i].family)
                          ? "Other methods: 405 with Allow."
                          : rt[i].family == CHATS_FAMILY_WEBHOOK_AGENT
                          ? "WebhookAgent (@superoffice/webapi): POST only; "
                            "other methods: 405 with Allow. Arguments in a "
                            "JSON object of camelCase members (any case); "
                            "null, {} and an empty body mean none."
                          : "ChatAgent (@superoffice/webapi): POST only; "
                            "other methods: 405 with Allow. Arguments in a "
                            "JSON object of camelCase members (any case); "
                            "null, {} and an empty body mean none.");
            gen_path_params(o, rt[i].family, rt[i].pattern);
        }
        gen_op(o, &rt[i]);
        if (i + 1 == n || rt[i + 1].family != rt[i].family
            || strcmp(rt[i + 1].pattern, rt[i].pattern)) {
            gen_options(o, &rt[i]);
            chats_og_close(o);
        }
    }
    chats_og_close(o);
}

void chats_openapi_routes_list(chats_og_t *o)
{
    int i, n;
    const chats_route_def_t *rt = chats_routes(&n);

    chats_og_aopen(o);
    for (i = 0; i < n; i++) {
        chats_og_open(o);
        chats_og_kstr(o, "path", chats_route_path(o->p, &rt[i]));
        chats_og_kstr(o, "method", rt[i].method);
        chats_og_kstr(o, "operationId", rt[i].operation_id);
        chats_og_kstr(o, "family", chats_route_family_is_agent(rt[i].family)
                                   ? "agent" : "rest");
        chats_og_kstr(o, "mount", apr_pstrcat(o->p,
                      chats_route_family(rt[i].family)->root,
                      chats_route_family(rt[i].family)->name, NULL));
        chats_og_kint(o, "op", rt[i].op);
        chats_og_kint(o, "ok", rt[i].ok_status);
        chats_og_close(o);
    }
    chats_og_aclose(o);
}

static void gen_path_param(chats_og_t *o, const char *key, const char *name,
                           const char *desc, const char *format)
{
    chats_og_kopen(o, key);
    chats_og_kstr(o, "name", name);
    chats_og_kstr(o, "in", "path");
    chats_og_kbool(o, "required", 1);
    chats_og_kstr(o, "description", desc);
    chats_og_kopen(o, "schema");
    chats_og_kstr(o, "type", format ? "integer" : "string");
    if (format) {
        chats_og_kstr(o, "format", format);
        chats_og_kint(o, "minimum", 0);
    }
    chats_og_close(o);
    chats_og_close(o);
}

void chats_openapi_params(chats_og_t *o)
{
    const chats_entity_def_t *const *d;
    size_t i;

    chats_og_kopen(o, "parameters");
    gen_path_param(o, "id", "id", "The chat session id (ChatSessionId), "
                   "decimal digits.", "int32");
    gen_path_param(o, "topicId", "id", "The chat topic id (ChatTopicId), "
                   "decimal digits.", "int32");
    gen_path_param(o, "hookId", "id", "The webhook id (WebhookId), "
                   "decimal digits.", "int32");
    gen_path_param(o, "username", "username", "The agent: a login, or an "
                   "associate id in decimal digits (a login wins).", NULL);
    gen_path_param(o, "toAssociate", "toAssociate", "The associate to "
                   "transfer to: a login, or an associate id in decimal "
                   "digits.", NULL);
    gen_path_param(o, "eventName", "eventName", "The event: entity.action "
                   "in lower case (letters, digits, _), not chatsession.*, "
                   "webhook.* or test.", NULL);
    gen_path_param(o, "primaryKey", "primaryKey", "The entity's key, "
                   "decimal digits.", "int32");
    for (d = chats_entity_defs; *d; d++) {
        chats_og_kopen(o, (*d)->agent_id_query);
        chats_og_kstr(o, "name", (*d)->agent_id_query);
        chats_og_kstr(o, "in", "query");
        chats_og_kstr(o, "description", apr_pstrcat(o->p, "The ",
                      (*d)->label, " id; the name in any case (the official "
                      "client sends it capitalized to Delete).", NULL));
        gen_schema_type(o, "integer");
        chats_og_close(o);
    }
    for (i = 0; i < NPARAMS; i++) {
        chats_og_kopen(o, params[i].key);
        chats_og_kstr(o, "name", params[i].name);
        chats_og_kstr(o, "in", params[i].in);
        chats_og_kstr(o, "description", params[i].desc);
        gen_schema_type(o, params[i].type);
        chats_og_close(o);
    }
    chats_og_close(o);
}

/* ------------------------------------------------------------ CORS */

const char *chats_openapi_methods(apr_pool_t *p)
{
    apr_array_header_t *a = apr_array_make(p, 8, sizeof(const char *));
    int i, n;
    const chats_route_def_t *rt = chats_routes(&n);

    for (i = 0; i < n; i++) {
        chats_openapi_add_name(a, rt[i].method, 1);
    }
    chats_openapi_add_name(a, "OPTIONS", 1);
    return apr_array_pstrcat(p, a, ',');
}

const char *chats_openapi_request_headers(apr_pool_t *p)
{
    apr_array_header_t *a = apr_array_make(p, 16, sizeof(const char *));
    size_t i;

    for (i = 0; i < NPARAMS; i++) {
        if (!strcmp(params[i].in, "header")) {
            chats_openapi_add_name(a, params[i].name, 0);
        }
    }
    return apr_array_pstrcat(p, a, ',');
}
