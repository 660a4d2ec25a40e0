/* The OpenAPI 3.1 document: info, servers, security schemes, the paths of
 * the ChatSession resource with their parameters, bodies and responses.
 * Operations, parameters and responses are tables; the schemas, which
 * depend on the fields, come from chats_openapi_schema.c, the error
 * responses from the error kinds (chats_openapi_errors.c). Written with
 * yajl_gen only (STYLE.md: no JSON through printf). */
#include <apr_strings.h>
#include <apr_tables.h>

#include "chats_schemes.h"
#include "chats_openapi.h"
#include "chats_openapi_private.h"

/* ------------------------------------------------------------ tables */

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
    { "Accept-Patch", "string", CHATS_MT_PATCHES },
    { "Retry-After", "integer", "Seconds to wait before retrying." },
    { "SO-TimeZone", "string", "The zone the date-times are rendered in "
      "(when the request sent SO-TimeZone)." },
    { "WWW-Authenticate", "string", "The challenges: Basic, Bearer, "
      CHATS_SCHEME_SOTICKET "." },
    { "Idempotent-Replayed", "string", "true: the answer of an earlier "
      "request with the same Idempotency-Key (its status, the entity as it "
      "is now); nothing was written." },
};

/* ------------------------------------------------------- components */

static void gen_schema_type(chats_og_t *o, const char *type)
{
    chats_og_kopen(o, "schema");
    chats_og_kstr(o, "type", type);
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
    chats_og_content(o, CHATS_OG_ENTITY_MEDIA, schema);
    chats_og_close(o);
}

/* def's answers: one row with links, a new one, the template. Their
 * names start with prefix ("" for ChatSession's). */
static void gen_def_responses(chats_og_t *o, const chats_entity_def_t *def,
                              const char *prefix, const char *const *wl,
                              const char *const *created,
                              const char *const *tz)
{
    const char *with_links = apr_pstrcat(o->p, def->type_name, "WithLinks",
                                         NULL);

    gen_entity_response(o, apr_pstrcat(o->p, prefix, "EntityWithLinks",
                                       NULL),
                        apr_pstrcat(o->p, "The ", def->label, ".", NULL),
                        with_links, wl);
    gen_entity_response(o, apr_pstrcat(o->p, prefix, "Created", NULL),
                        apr_pstrcat(o->p, "Created: the new ", def->label,
                                    ".", NULL), with_links, created);
    gen_entity_response(o, apr_pstrcat(o->p, prefix, "Default", NULL),
                        "A new entity with the defaults (not stored).",
                        def->type_name, tz);
}

static void gen_success(chats_og_t *o)
{
    static const char *const wl[] = { "ETag", "Last-Modified",
                                      "SO-TimeZone", NULL };
    static const char *const created[] = { "Location", "ETag",
                                           "Last-Modified", "SO-TimeZone",
                                           "Idempotent-Replayed", NULL };
    static const char *const tz[] = { "SO-TimeZone", NULL };
    static const char *const opts[] = { "Allow", "Accept-Patch", NULL };

    gen_def_responses(o, &chats_session_def, "", wl, created, tz);
    gen_def_responses(o, &chats_topic_def, "Topic", wl, created, tz);
    gen_def_responses(o, &chats_webhook_def, "Webhook", wl, created, tz);
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
    chats_openapi_chat_responses(o);
    chats_openapi_errors(o);
    chats_og_close(o);
}

/* def's request bodies: the entity (PUT, POST) and its patch. */
static void gen_entity_bodies(chats_og_t *o, const chats_entity_def_t *def)
{
    chats_og_kopen(o, def->type_name);
    chats_og_kstr(o, "description", "The entity. Member names in any case; "
                  "absent members take their empty value.");
    chats_og_kbool(o, "required", 1);
    chats_og_content(o, CHATS_OG_ENTITY_MEDIA, def->type_name);
    chats_og_close(o);
    chats_og_kopen(o, apr_pstrcat(o->p, def->name, "Patch", NULL));
    chats_og_kstr(o, "description", "A JSON Patch array or a merge-patch "
                  "object. As " CHATS_MT_JSON " (what the official client "
                  "sends for both) the body's shape decides: an array is "
                  "JSON Patch, an object a merge patch.");
    chats_og_kbool(o, "required", 1);
    chats_og_kopen(o, "content");
    chats_og_kopen(o, CHATS_MT_JSON);
    chats_og_kopen(o, "schema");
    chats_og_str(o, "oneOf");
    chats_og_aopen(o);
    chats_og_ref(o, "schemas", "JsonPatch");
    chats_og_ref(o, "schemas", def->type_name);
    chats_og_aclose(o);
    chats_og_close(o);
    chats_og_close(o);
    /* the patch types, each its form */
    chats_og_kopen(o, CHATS_MT_JSON_PATCH);
    chats_og_kref(o, "schema", "schemas", "JsonPatch");
    chats_og_close(o);
    chats_og_kopen(o, CHATS_MT_MERGE_PATCH);
    chats_og_kref(o, "schema", "schemas", def->type_name);
    chats_og_close(o);
    chats_og_close(o);
    chats_og_close(o);
}

static void gen_bodies(chats_og_t *o)
{
    chats_og_kopen(o, "requestBodies");
    const chats_entity_def_t *const *d;

    for (d = chats_entity_defs; *d; d++) {
        gen_entity_bodies(o, *d);
    }
    chats_openapi_chat_bodies(o);
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
    gen_scheme(o, "soTicket", CHATS_SCHEME_SOTICKET, NULL, "Authorization: "
               CHATS_SCHEME_SOTICKET " <ticket>, the ticket unencoded "
               "(tickets start 7T:). SuperOffice's own scheme, not "
               "registered with IANA: modelled as an http scheme because "
               "the ticket travels in the Authorization header, not in a "
               "header of its own; Online calls add SO-AppToken.");
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
    chats_og_open(o);
    chats_og_kstr(o, "name", "ChatAgent");
    chats_og_kstr(o, "description", "The official client's ChatAgent: "
                  "RPC-style POSTs running the same operations");
    chats_og_close(o);
    chats_og_aclose(o);
}

static void gen_document(chats_og_t *o, const char *server_url)
{
    chats_og_open(o);
    gen_head(o, server_url);
    chats_openapi_paths(o);
    chats_og_kopen(o, "components");
    chats_og_kopen(o, "schemas");
    chats_openapi_schemas(o);
    chats_openapi_chat_schemas(o);
    chats_og_close(o);
    chats_openapi_params(o);
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

/* Run gen (with arg) into a pretty-printed JSON text in p, or NULL. */
static const char *generate(apr_pool_t *p,
                            void (*gen)(chats_og_t *, const char *),
                            const char *arg)
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
    gen(&o, arg);
    if (o.st != yajl_gen_status_ok
        || yajl_gen_get_buf(o.g, &buf, &len) != yajl_gen_status_ok) {
        return NULL;
    }
    return apr_pstrmemdup(p, (const char *)buf, len);
}

const char *chats_openapi_json(apr_pool_t *p, const char *server_url)
{
    return generate(p, gen_document, server_url);
}

static void gen_routes(chats_og_t *o, const char *unused)
{
    (void)unused;
    chats_openapi_routes_list(o);
}

const char *chats_openapi_routes_json(apr_pool_t *p)
{
    return generate(p, gen_routes, NULL);
}

/* ------------------------------------------------------------ CORS */

const char *chats_openapi_response_headers(apr_pool_t *p)
{
    apr_array_header_t *a = apr_array_make(p, 8, sizeof(const char *));
    size_t i;

    for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
        chats_openapi_add_name(a, headers[i].name, 0);
    }
    return apr_array_pstrcat(p, a, ',');
}
