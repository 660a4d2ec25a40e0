/* The OpenAPI 3.1 document: info, servers, security schemes, the paths of
 * the ChatSession resource with their parameters, bodies and responses.
 * Operations, parameters and responses are tables; the schemas, which
 * depend on the fields, come from chats_openapi_schema.c, the error
 * responses from the error kinds (chats_openapi_errors.c). Written with
 * yajl_gen only (STYLE.md: no JSON through printf). */
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "chats_openapi.h"
#include "chats_openapi_private.h"

/* ------------------------------------------------------------ tables */

/* The operations, one bit each, for the parameter table. */
enum {
    OP_GET = 1, OP_PUT = 2, OP_PATCH = 4, OP_DELETE = 8, OP_OPTIONS = 16,
    OP_POST = 32, OP_DEFAULT = 64
};

#define OPS_ALL   (OP_GET | OP_PUT | OP_PATCH | OP_DELETE | OP_POST \
                   | OP_DEFAULT)
#define OPS_READ  (OPS_ALL & ~OP_DELETE)       /* all that render dates */
#define OPS_COND  (OP_GET | OP_PUT | OP_PATCH | OP_DELETE)

typedef struct {
    const char *key;            /* components/parameters member */
    const char *name;
    const char *in;
    const char *type;
    unsigned ops;
    const char *desc;
} param_t;

static const param_t params[] = {
    { "select", "$select", "query", "string", OP_GET | OP_POST | OP_PUT
      | OP_PATCH, "Comma-separated field names, case-insensitive; a/b "
      "selects member b of carrier a. Every field is still present; the "
      "unselected ones are null. An unknown name is a 400." },
    { "If-Match", "If-Match", "header", "string", OPS_COND,
      "Entity tags (the ETag of an earlier response) or *; none matching: "
      "412." },
    { "If-None-Match", "If-None-Match", "header", "string", OPS_COND,
      "Entity tags or *; one matching: 304 on GET, 412 otherwise." },
    { "If-Modified-Since", "If-Modified-Since", "header", "string", OP_GET,
      "HTTP-date; not modified since (whole seconds): 304, empty body." },
    { "If-Unmodified-Since", "If-Unmodified-Since", "header", "string",
      OPS_COND, "HTTP-date; modified since (whole seconds): 412." },
    { "SO-TimeZone", "SO-TimeZone", "header", "string", OPS_READ,
      "CODE[,includeTZOffset], the flag alone allowed, repeats tolerated: "
      "a SuperOffice zone code (NO, US-NY, UTC, ...; any case) or an IANA "
      "name; date-times are converted to it and the zone is echoed in the "
      "SO-TimeZone response header. Unknown zone: 400. Without it, the "
      "server's default zone (UTC unless configured). Any header-name case "
      "(the official client sends SO-Timezone)." },
    { "SO-Language", "SO-Language", "header", "string", OPS_READ,
      "Language of string resources ([SR_...]); overrides Accept-Language. "
      "Empty, * or x: no translation; an unknown language falls back to "
      "the default." },
    { "Accept-Language", "Accept-Language", "header", "string", OPS_READ,
      "Language of string resources when SO-Language is absent; empty: "
      "no translation." },
    { "SO-Culture", "SO-Culture", "header", "string", OPS_READ,
      "Culture for numbers and dates inside strings; defaults to the "
      "language." },
    { "SO-AppToken", "SO-AppToken", "header", "string", OPS_ALL,
      "The partner application's token; accepted and logged." },
    { "X-XSRF-TOKEN", "X-XSRF-TOKEN", "header", "string", OPS_ALL,
      "SuperOffice's web-session token; accepted, not needed: this server "
      "authenticates by the Authorization header." },
    { "SO-Browser-TZ-Offset", "SO-Browser-TZ-Offset", "header", "integer",
      OPS_READ, "The client's UTC offset in minutes east (sent by the "
      "official client); accepted." },
};

typedef struct {
    const char *name;
    const char *type;
    const char *desc;
} header_t;

static const header_t headers[] = {
    { "ETag", "string", "Strong entity tag from the row version." },
    { "Last-Modified", "string", "HTTP-date of the last change." },
    { "Location", "string", "URL of the created chat session." },
    { "Allow", "string", "The methods the resource supports." },
    { "Accept-Patch", "string", "application/json-patch+json, "
      "application/merge-patch+json" },
    { "Retry-After", "integer", "Seconds to wait before retrying." },
    { "SO-TimeZone", "string", "The zone the date-times are rendered in "
      "(when the request sent SO-TimeZone)." },
    { "WWW-Authenticate", "string", "The challenges: Basic, Bearer, "
      "SOTicket." },
};

/* What an operation answers on success: a components/responses name. */
typedef struct {
    const char *method;
    unsigned op;
    const char *id;             /* operationId, as SuperOffice names it */
    const char *summary;
    const char *body;           /* components/requestBodies, or NULL */
    int ok_status;
    const char *ok;
    const int *errs;            /* 0-terminated */
} op_t;

static const int errs_get[] = { 304, 400, 401, 403, 404, 406, 412, 503, 0 };
static const int errs_put[] = { 400, 401, 403, 404, 406, 409, 412, 413, 415,
                                503, 0 };
static const int errs_del[] = { 400, 401, 403, 404, 412, 503, 0 };
static const int errs_opt[] = { 400, 401, 403, 0 };
static const int errs_post[] = { 400, 401, 403, 406, 413, 415, 503, 0 };
static const int errs_def[] = { 401, 403, 406, 503, 0 };

static const op_t ops_id[] = {
    { "get", OP_GET, "GetChatSessionEntity", "Fetch a chat session", NULL,
      200, "EntityWithLinks", errs_get },
    { "put", OP_PUT, "PutChatSessionEntity", "Replace a chat session",
      "ChatSessionEntity", 200, "EntityWithLinks", errs_put },
    { "patch", OP_PATCH, "PatchChatSessionEntity", "Patch a chat session "
      "(JSON Patch or JSON Merge Patch)", "ChatSessionPatch", 200,
      "EntityWithLinks", errs_put },
    { "delete", OP_DELETE, "DeleteChatSessionEntity", "Delete a chat "
      "session", NULL, 204, "Deleted", errs_del },
    { "options", OP_OPTIONS, "OptionsChatSessionEntity", "Methods and "
      "patch formats", NULL, 200, "Options", errs_opt },
    { NULL, 0, NULL, NULL, NULL, 0, NULL, NULL }
};

static const op_t ops_coll[] = {
    { "post", OP_POST, "PostChatSessionEntity", "Create a chat session "
      "(200, as SuperOffice answers, with Location)", "ChatSessionEntity",
      200, "Created", errs_post },
    { NULL, 0, NULL, NULL, NULL, 0, NULL, NULL }
};

static const op_t ops_default[] = {
    { "get", OP_DEFAULT, "DefaultChatSessionEntity", "The template a new "
      "chat session starts from", NULL, 200, "Default", errs_def },
    { NULL, 0, NULL, NULL, NULL, 0, NULL, NULL }
};

static const char *const entity_media[] = {
    "application/json", "text/json", "application/xml", "text/xml", NULL
};

/* ------------------------------------------------------------ paths */

static void gen_op(chats_og_t *o, const op_t *op)
{
    size_t i;
    const int *e;

    chats_og_kopen(o, op->method);
    chats_og_str(o, "tags");
    chats_og_aopen(o);
    chats_og_str(o, "ChatSession");
    chats_og_aclose(o);
    chats_og_kstr(o, "operationId", op->id);
    chats_og_kstr(o, "summary", op->summary);
    chats_og_str(o, "parameters");
    chats_og_aopen(o);
    for (i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
        if (params[i].ops & op->op) {
            chats_og_ref(o, "parameters", params[i].key);
        }
    }
    chats_og_aclose(o);
    if (op->body) {
        chats_og_kref(o, "requestBody", "requestBodies", op->body);
    }
    chats_og_kopen(o, "responses");
    chats_og_kref(o, apr_itoa(o->p, op->ok_status), "responses", op->ok);
    for (e = op->errs; *e; e++) {
        chats_og_kref(o, apr_itoa(o->p, *e), "responses",
                      chats_openapi_response_name(o->p, *e));
    }
    chats_og_close(o);
    chats_og_close(o);
}

static void gen_path(chats_og_t *o, const char *path, const char *desc,
                     int with_id, const op_t *ops)
{
    chats_og_kopen(o, path);
    chats_og_kstr(o, "description", desc);
    if (with_id) {
        chats_og_str(o, "parameters");
        chats_og_aopen(o);
        chats_og_ref(o, "parameters", "id");
        chats_og_aclose(o);
    }
    for (; ops->method; ops++) {
        gen_op(o, ops);
    }
    chats_og_close(o);
}

static void gen_paths(chats_og_t *o)
{
    chats_og_kopen(o, "paths");
    gen_path(o, "/api/v1/ChatSession", "The collection. Other methods: "
             "405 with Allow.", 0, ops_coll);
    gen_path(o, "/api/v1/ChatSession/default", "The default entity. Other "
             "methods: 405 with Allow.", 0, ops_default);
    gen_path(o, "/api/v1/ChatSession/{id}", "One chat session. Other "
             "methods: 405 with Allow.", 1, ops_id);
    chats_og_close(o);
}

/* ------------------------------------------------------- components */

static void gen_schema_type(chats_og_t *o, const char *type)
{
    chats_og_kopen(o, "schema");
    chats_og_kstr(o, "type", type);
    chats_og_close(o);
}

static void gen_params(chats_og_t *o)
{
    size_t i;

    chats_og_kopen(o, "parameters");
    chats_og_kopen(o, "id");
    chats_og_kstr(o, "name", "id");
    chats_og_kstr(o, "in", "path");
    chats_og_kbool(o, "required", 1);
    chats_og_kstr(o, "description", "The chat session id (ChatSessionId), "
                  "decimal digits.");
    chats_og_kopen(o, "schema");
    chats_og_kstr(o, "type", "integer");
    chats_og_kstr(o, "format", "int32");
    chats_og_kint(o, "minimum", 0);
    chats_og_close(o);
    chats_og_close(o);
    for (i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
        chats_og_kopen(o, params[i].key);
        chats_og_kstr(o, "name", params[i].name);
        chats_og_kstr(o, "in", params[i].in);
        chats_og_kstr(o, "description", params[i].desc);
        gen_schema_type(o, params[i].type);
        chats_og_close(o);
    }
    chats_og_close(o);
}

static void gen_headers(chats_og_t *o)
{
    size_t i;

    chats_og_kopen(o, "headers");
    for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
        chats_og_kopen(o, headers[i].name);
        chats_og_kstr(o, "description", headers[i].desc);
        gen_schema_type(o, headers[i].type);
        chats_og_close(o);
    }
    chats_og_close(o);
}

/* media: {"schema": {"$ref": schema}}, ... (members of "content") */
static void gen_media(chats_og_t *o, const char *const *media,
                      const char *schema)
{
    for (; *media; media++) {
        chats_og_kopen(o, *media);
        chats_og_kref(o, "schema", "schemas", schema);
        chats_og_close(o);
    }
}

static void gen_content(chats_og_t *o, const char *const *media,
                        const char *schema)
{
    chats_og_kopen(o, "content");
    gen_media(o, media, schema);
    chats_og_close(o);
}

/* "headers": {name: {"$ref": ...}, ...} for a NULL-terminated list. */
static void gen_header_refs(chats_og_t *o, const char *const *names)
{
    chats_og_kopen(o, "headers");
    for (; *names; names++) {
        chats_og_kref(o, *names, "headers", *names);
    }
    chats_og_close(o);
}

static void gen_entity_response(chats_og_t *o, const char *name,
                                const char *desc, const char *schema,
                                const char *const *hdrs)
{
    chats_og_kopen(o, name);
    chats_og_kstr(o, "description", desc);
    gen_header_refs(o, hdrs);
    gen_content(o, entity_media, schema);
    chats_og_close(o);
}

static void gen_success(chats_og_t *o)
{
    static const char *const wl[] = { "ETag", "Last-Modified",
                                      "SO-TimeZone", NULL };
    static const char *const created[] = { "Location", "ETag",
                                           "Last-Modified", "SO-TimeZone",
                                           NULL };
    static const char *const tz[] = { "SO-TimeZone", NULL };
    static const char *const opts[] = { "Allow", "Accept-Patch", NULL };

    gen_entity_response(o, "EntityWithLinks", "The chat session.",
                        "ChatSessionEntityWithLinks", wl);
    gen_entity_response(o, "Created", "Created: the new chat session.",
                        "ChatSessionEntityWithLinks", created);
    gen_entity_response(o, "Default", "A new entity with the defaults "
                        "(not stored).", "ChatSessionEntity", tz);
    chats_og_kopen(o, "Deleted");
    chats_og_kstr(o, "description", "Deleted; no body.");
    chats_og_close(o);
    chats_og_kopen(o, "Options");
    chats_og_kstr(o, "description", "The methods allowed and the patch "
                  "formats accepted; no body.");
    gen_header_refs(o, opts);
    chats_og_close(o);
}

static void gen_responses(chats_og_t *o)
{
    chats_og_kopen(o, "responses");
    gen_success(o);
    chats_openapi_errors(o);
    chats_og_close(o);
}

static void gen_bodies(chats_og_t *o)
{
    static const char *const patch[] = { "application/json-patch+json",
                                         NULL };
    static const char *const merge[] = { "application/merge-patch+json",
                                         NULL };

    chats_og_kopen(o, "requestBodies");
    chats_og_kopen(o, "ChatSessionEntity");
    chats_og_kstr(o, "description", "The entity. Member names in any case; "
                  "absent members take their empty value.");
    chats_og_kbool(o, "required", 1);
    gen_content(o, entity_media, "ChatSessionEntity");
    chats_og_close(o);
    chats_og_kopen(o, "ChatSessionPatch");
    chats_og_kstr(o, "description", "A JSON Patch array or a merge-patch "
                  "object. As application/json (what the official client "
                  "sends for both) the body's shape decides: an array is "
                  "JSON Patch, an object a merge patch.");
    chats_og_kbool(o, "required", 1);
    chats_og_kopen(o, "content");
    chats_og_kopen(o, "application/json");
    chats_og_kopen(o, "schema");
    chats_og_str(o, "oneOf");
    chats_og_aopen(o);
    chats_og_ref(o, "schemas", "JsonPatch");
    chats_og_ref(o, "schemas", "ChatSessionEntity");
    chats_og_aclose(o);
    chats_og_close(o);
    chats_og_close(o);
    gen_media(o, patch, "JsonPatch");
    gen_media(o, merge, "ChatSessionEntity");
    chats_og_close(o);
    chats_og_close(o);
    chats_og_close(o);
}

static void gen_scheme(chats_og_t *o, const char *name, const char *scheme,
                       const char *format, const char *desc)
{
    chats_og_kopen(o, name);
    chats_og_kstr(o, "type", "http");
    chats_og_kstr(o, "scheme", scheme);
    if (format) {
        chats_og_kstr(o, "bearerFormat", format);
    }
    chats_og_kstr(o, "description", desc);
    chats_og_close(o);
}

static void gen_security_schemes(chats_og_t *o)
{
    chats_og_kopen(o, "securitySchemes");
    gen_scheme(o, "basic", "basic", NULL, "Authorization: Basic "
               "base64(user:password), checked by the configured authn "
               "providers.");
    gen_scheme(o, "bearer", "bearer", "JWT", "Authorization: Bearer "
               "<token>, a signed JWT whose claim names the user.");
    gen_scheme(o, "soTicket", "SOTicket", NULL, "Authorization: SOTicket "
               "<ticket>, the ticket unencoded (tickets start 7T:). "
               "SuperOffice's own scheme, not registered with IANA: "
               "modelled as an http scheme because the ticket travels in "
               "the Authorization header, not in a header of its own; "
               "Online calls add SO-AppToken.");
    chats_og_close(o);
}

static void gen_security(chats_og_t *o)
{
    static const char *const names[] = { "basic", "bearer", "soTicket",
                                         NULL };
    const char *const *n;

    chats_og_str(o, "security");
    chats_og_aopen(o);
    for (n = names; *n; n++) {
        chats_og_open(o);
        chats_og_str(o, *n);
        chats_og_aopen(o);
        chats_og_aclose(o);
        chats_og_close(o);
    }
    chats_og_aclose(o);
}

static void gen_head(chats_og_t *o, const char *server_url)
{
    chats_og_kstr(o, "openapi", "3.1.0");
    chats_og_kopen(o, "info");
    chats_og_kstr(o, "title", "SuperOffice WebAPI: ChatSession "
                  "(mod_chatsession)");
    chats_og_kstr(o, "version", CHATS_OPENAPI_VERSION);
    chats_og_kstr(o, "description", "SuperOffice WebAPI v1's ChatSession "
                  "resource as served by mod_chatsession (Apache httpd + "
                  "PostgreSQL). Generated from the module's field table "
                  "by chats-openapi; do not edit conf/openapi.json by "
                  "hand.");
    chats_og_close(o);
    chats_og_str(o, "servers");
    chats_og_aopen(o);
    chats_og_open(o);
    chats_og_kstr(o, "url", server_url && *server_url ? server_url : "/");
    chats_og_close(o);
    chats_og_aclose(o);
    gen_security(o);
    chats_og_str(o, "tags");
    chats_og_aopen(o);
    chats_og_open(o);
    chats_og_kstr(o, "name", "ChatSession");
    chats_og_kstr(o, "description", "Chat sessions (ChatSessionEntity)");
    chats_og_close(o);
    chats_og_aclose(o);
}

static void gen_document(chats_og_t *o, const char *server_url)
{
    chats_og_open(o);
    gen_head(o, server_url);
    gen_paths(o);
    chats_og_kopen(o, "components");
    chats_og_kopen(o, "schemas");
    chats_openapi_schemas(o);
    chats_og_close(o);
    gen_params(o);
    gen_headers(o);
    gen_bodies(o);
    gen_responses(o);
    gen_security_schemes(o);
    chats_og_close(o);
    chats_og_close(o);
}

static apr_status_t free_gen(void *g)
{
    yajl_gen_free(g);
    return APR_SUCCESS;
}

const char *chats_openapi_json(apr_pool_t *p, const char *server_url)
{
    chats_og_t o;
    const unsigned char *buf;
    size_t len;

    o.p = p;
    o.st = yajl_gen_status_ok;
    if ((o.g = yajl_gen_alloc(NULL)) == NULL) {
        return NULL;
    }
    apr_pool_cleanup_register(p, o.g, free_gen, apr_pool_cleanup_null);
    yajl_gen_config(o.g, yajl_gen_beautify, 1);
    yajl_gen_config(o.g, yajl_gen_indent_string, "  ");
    yajl_gen_config(o.g, yajl_gen_validate_utf8, 1);
    gen_document(&o, server_url);
    if (o.st != yajl_gen_status_ok
        || yajl_gen_get_buf(o.g, &buf, &len) != yajl_gen_status_ok) {
        return NULL;
    }
    return apr_pstrmemdup(p, (const char *)buf, len);
}

/* ------------------------------------------------------------ CORS */

/* ", "-joined, each name once (case-insensitively), upper-cased when
 * upper: methods are compared case-sensitively by browsers. */
static void add_name(apr_array_header_t *a, const char *name, int upper)
{
    char *n = apr_pstrdup(a->pool, name), *c;
    int i;

    for (i = 0; i < a->nelts; i++) {
        if (!strcasecmp(APR_ARRAY_IDX(a, i, const char *), name)) {
            return;
        }
    }
    for (c = n; upper && *c; c++) {
        *c = (char)apr_toupper(*c);
    }
    APR_ARRAY_PUSH(a, const char *) = n;
}

const char *chats_openapi_methods(apr_pool_t *p)
{
    const op_t *const tables[] = { ops_id, ops_coll, ops_default };
    apr_array_header_t *a = apr_array_make(p, 8, sizeof(const char *));
    const op_t *op;
    size_t i;

    for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        for (op = tables[i]; op->method; op++) {
            add_name(a, op->method, 1);
        }
    }
    return apr_array_pstrcat(p, a, ',');
}

const char *chats_openapi_request_headers(apr_pool_t *p)
{
    apr_array_header_t *a = apr_array_make(p, 16, sizeof(const char *));
    size_t i;

    for (i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
        if (!strcmp(params[i].in, "header")) {
            add_name(a, params[i].name, 0);
        }
    }
    return apr_array_pstrcat(p, a, ',');
}

const char *chats_openapi_response_headers(apr_pool_t *p)
{
    apr_array_header_t *a = apr_array_make(p, 8, sizeof(const char *));
    size_t i;

    for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
        add_name(a, headers[i].name, 0);
    }
    return apr_array_pstrcat(p, a, ',');
}
