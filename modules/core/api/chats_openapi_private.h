/* Shared by chats_openapi.c (document, paths, responses),
 * chats_openapi_schema.c (components/schemas from the field table) and
 * chats_openapi_errors.c (error responses from the error kinds): a
 * yajl_gen writer that remembers its first failure, so generators can
 * write straight through and the caller checks once. Core header. */
#ifndef CHATS_OPENAPI_PRIVATE_H
#define CHATS_OPENAPI_PRIVATE_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <yajl/yajl_gen.h>

#include "chats_media.h"
#include "chats_schema.h"

typedef struct {
    yajl_gen g;
    apr_pool_t *p;              /**< for composed strings               */
    yajl_gen_status st;         /**< first failure, or yajl_gen_status_ok */
} chats_og_t;

/* Values; a string in a map context is a key. */
void chats_og_str(chats_og_t *o, const char *s);
void chats_og_int(chats_og_t *o, long long v);
void chats_og_bool(chats_og_t *o, int b);
void chats_og_null(chats_og_t *o);
void chats_og_open(chats_og_t *o);          /**< {  */
void chats_og_close(chats_og_t *o);         /**< }  */
void chats_og_aopen(chats_og_t *o);         /**< [  */
void chats_og_aclose(chats_og_t *o);        /**< ]  */

/** "k": "s" */
void chats_og_kstr(chats_og_t *o, const char *k, const char *s);
/** "k": v */
void chats_og_kint(chats_og_t *o, const char *k, long long v);
/** "k": b */
void chats_og_kbool(chats_og_t *o, const char *k, int b);
/** "k": { (k NULL: just the {) */
void chats_og_kopen(chats_og_t *o, const char *k);
/** {"$ref": "#/components/<kind>/<name>"} */
void chats_og_ref(chats_og_t *o, const char *kind, const char *name);
/** "k": {"$ref": ...} */
void chats_og_kref(chats_og_t *o, const char *k, const char *kind,
                   const char *name);

/** The media types of the table (chats_media.h) whose flags masked with
 * mask equal want, in its order, each {"schema": {"$ref": schema}} (inside
 * an open "content" map). */
void chats_og_media(chats_og_t *o, unsigned mask, unsigned want,
                    const char *schema);
/** "content": {...} of chats_og_media. */
void chats_og_content(chats_og_t *o, unsigned mask, unsigned want,
                      const char *schema);
/** The entity's representations (the patch types are no answer's). */
#define CHATS_OG_ENTITY_MEDIA CHATS_MF_PATCH, 0
/** application/json alone. */
#define CHATS_OG_JSON_MEDIA \
    CHATS_MF_XML | CHATS_MF_PATCH | CHATS_MF_ALIAS, 0

/** The members of components/schemas (inside an open map): the entity,
 * WithLinks, every carrier of the field table, rights, FieldProperties,
 * JSON Patch and the error body. */
void chats_openapi_schemas(chats_og_t *o);

/** The components/responses name of an HTTP status: its reason phrase
 * (BadRequest, NotFound, ...), or "Status<n>" for one not listed, so
 * that no $ref dangles. Static storage, or allocated in p. */
const char *chats_openapi_response_name(apr_pool_t *p, int status);

/** The properties (inside an open "properties" map) of n fields of a
 * field table: types, lengths, enums, read-only flags, descriptions. */
void chats_openapi_field_props(chats_og_t *o, const chats_field_t *f, int n);

/** A second entity's components/schemas: the entity, its WithLinks, its
 * groups' objects and its carriers (ChatSession's are
 * chats_openapi_schemas', in their order of old). */
void chats_openapi_entity_schemas(chats_og_t *o,
                                  const chats_entity_def_t *def);

/** Append name to a (of const char *) unless it is there already in any
 * case; upper-cased when upper (methods: browsers compare them
 * case-sensitively). */
void chats_openapi_add_name(apr_array_header_t *a, const char *name,
                            int upper);

/** The paths, from the route table (chats_openapi_paths.c). */
void chats_openapi_paths(chats_og_t *o);

/** The route table as a JSON array (chats_openapi_routes_json). */
void chats_openapi_routes_list(chats_og_t *o);

/** components/parameters (inside an open map's "parameters" key is
 * written by the callee). */
void chats_openapi_params(chats_og_t *o);

/** The issue-10 components (chats_openapi_chat.c): ChatMessage and the
 * list's schemas, the agent's request bodies, the actions' responses.
 * Each writes members inside the open schemas / requestBodies /
 * responses map. */
void chats_openapi_chat_schemas(chats_og_t *o);
void chats_openapi_chat_bodies(chats_og_t *o);
void chats_openapi_chat_responses(chats_og_t *o);

/** The error members of components/responses (inside an open map), one
 * per status of the error kinds (chats_err.c) in ascending order
 * (chats_openapi_errors.c). */
void chats_openapi_errors(chats_og_t *o);

/** The ErrorBody schema (components/schemas), the body of every error
 * response above. */
void chats_openapi_error_body(chats_og_t *o);

#endif
