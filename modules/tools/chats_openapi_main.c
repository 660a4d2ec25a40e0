/* chats-openapi: print the OpenAPI document of the ChatSession resource.
 *
 *   chats-openapi [SERVER_URL] > conf/openapi.json
 *   chats-openapi --routes
 *   chats-openapi --directives
 *   chats-openapi --limits
 *
 * Without SERVER_URL the document's server is "/" (relative to wherever it
 * is served); conf/openapi.json is this tool's output with no argument,
 * and t/engine/openapi.t fails when the two differ. --routes prints the
 * route table (modules/core/api/chats_routes.c) the paths come from, as JSON,
 * so that the test can hold the two equal both ways. --directives prints
 * the directive table (modules/core/api/chats_directives.h), a line each:
 * name, syntax, default and help between tabs; t/engine/directives.t
 * holds the README's Directives table equal to it. --limits prints the
 * request bodies' fixed limits from their homes (core/json, core/xml), a
 * line each: the README's row name and its value between tabs;
 * t/engine/body_limits.t holds the README's limits table equal to it. */
#include <stdio.h>
#include <string.h>

#include <apr_strings.h>

#include "chats_directives.h"
#include "chats_json.h"
#include "chats_openapi.h"
#include "chats_tool.h"
#include "chats_xml.h"

static const char *routes(apr_pool_t *p, const char *unused)
{
    (void)unused;
    return chats_openapi_routes_json(p);
}

static const char *directives(apr_pool_t *p, const char *unused)
{
    (void)unused;
    return chats_directives_text(p);
}

/* The rows of README "Request bodies: limits", worded as there. */
static const char *limits(apr_pool_t *p, const char *unused)
{
    (void)unused;
    return apr_psprintf(p,
                        "members of one object\t%d\n"
                        "values\t%d\n"
                        "nesting\t%d (JSON), %d (XML)\n"
                        "elements\t%d\n"
                        "attributes on one element\t%d\n"
                        "namespace declarations\t%d\n"
                        "markup\t%d `<`\n",
                        CHATS_MAX_MEMBERS, CHATS_BODY_MAX_VALUES,
                        CHATS_BODY_MAX_DEPTH, CHATS_XML_MAX_DEPTH,
                        CHATS_XML_MAX_ELEMENTS, CHATS_XML_MAX_ATTRS,
                        CHATS_XML_MAX_NSDECLS, CHATS_XML_MAX_MARKUP);
}

int main(int argc, const char *const *argv)
{
    const char *flag = argc == 2 && argv[1][0] == '-' ? argv[1] : NULL;
    chats_tool_fn *fn = chats_openapi_json;

    if (flag && !strcmp(flag, "--routes")) {
        fn = routes;
    }
    else if (flag && !strcmp(flag, "--directives")) {
        fn = directives;
    }
    else if (flag && !strcmp(flag, "--limits")) {
        fn = limits;
    }
    if (argc > 2 || (flag && fn == chats_openapi_json)) {
        fprintf(stderr, "usage: chats-openapi [SERVER_URL | --routes | "
                "--directives | --limits]\n");
        return 2;
    }
    return chats_tool_print("chats-openapi", "the document could not be "
                            "generated", fn, argc == 2 ? argv[1] : NULL);
}
