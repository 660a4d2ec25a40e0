/* chats-openapi: print the OpenAPI document of the ChatSession resource.
 *
 *   chats-openapi [SERVER_URL] > conf/openapi.json
 *   chats-openapi --routes
 *
 * Without SERVER_URL the document's server is "/" (relative to wherever it
 * is served); conf/openapi.json is this tool's output with no argument,
 * and t/engine/openapi.t fails when the two differ. --routes prints the
 * route table (modules/core/api/chats_routes.c) the paths come from, as JSON,
 * so that the test can hold the two equal both ways. */
#include <stdio.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>

#include "chats_openapi.h"

int main(int argc, const char *const *argv)
{
    apr_pool_t *p;
    const char *json;
    int rc = 0;

    int routes = argc == 2 && !strcmp(argv[1], "--routes");

    if (argc > 2 || (argc == 2 && argv[1][0] == '-' && !routes)) {
        fprintf(stderr, "usage: chats-openapi [SERVER_URL | --routes]\n");
        return 2;
    }
    if (apr_app_initialize(&argc, &argv, NULL) != APR_SUCCESS
        || apr_pool_create(&p, NULL) != APR_SUCCESS) {
        fprintf(stderr, "chats-openapi: APR initialization failed\n");
        return 1;
    }
    json = routes ? chats_openapi_routes_json(p)
                  : chats_openapi_json(p, argc == 2 ? argv[1] : NULL);
    if (!json) {
        fprintf(stderr, "chats-openapi: the document could not be "
                "generated\n");
        rc = 1;
    }
    else if (fputs(json, stdout) == EOF || fflush(stdout) == EOF) {
        perror("chats-openapi: stdout");
        rc = 1;
    }
    apr_pool_destroy(p);
    apr_terminate();
    return rc;
}
