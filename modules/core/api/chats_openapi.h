/* The OpenAPI 3.1 document of the ChatSession resource, generated from the
 * field table (chats_schema.c): every field-dependent part (entity and
 * carrier schemas, types, lengths, enums, read-only flags) comes from
 * iterating the table, so the document cannot drift from the code.
 * Core header: APR only. */
#ifndef CHATS_OPENAPI_H
#define CHATS_OPENAPI_H

#include <apr_pools.h>

/** info.version of the document; t/engine/openapi.t holds it equal to
 * configure.ac's AC_INIT version. */
#define CHATS_OPENAPI_VERSION "0.1.0"

/**
 * The document as pretty-printed JSON (NUL-terminated, allocated in p),
 * byte-identical for identical arguments.
 * @param p          pool for the result and all temporaries
 * @param server_url servers[0].url: the public base URL (for example
 *                   "https://crm.example.com"); NULL or "" gives "/",
 *                   i.e. relative to the host serving the document
 * @return the JSON text, or NULL if yajl_gen refused a value (a string
 *         that is not UTF-8; never for the built-in table)
 */
const char *chats_openapi_json(apr_pool_t *p, const char *server_url);

/** The route table (chats_routes.h) as a JSON array of
 * {"path", "method", "operationId", "family", "op", "ok"} objects, for
 * chats-openapi --routes (t/engine/openapi.t holds it equal to the
 * document's paths). NULL on a generator failure. */
const char *chats_openapi_routes_json(apr_pool_t *p);

/** For CORS (handlers/mod_chats_cors.c), from the tables the document is made
 * of: the methods (upper-case), the request headers that are parameters,
 * and the response headers, each a comma-separated list in p. */
const char *chats_openapi_methods(apr_pool_t *p);
const char *chats_openapi_request_headers(apr_pool_t *p);
const char *chats_openapi_response_headers(apr_pool_t *p);

#endif
