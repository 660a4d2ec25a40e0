/* The tools' shared main() work (chats_tool.h). */
#include <stdio.h>

#include <apr_general.h>

#include "chats_tool.h"

int chats_tool_print(const char *name, const char *what, chats_tool_fn *fn,
                     const char *arg)
{
    apr_pool_t *p;
    const char *out;
    int rc = 0;

    if (apr_initialize() != APR_SUCCESS
        || apr_pool_create(&p, NULL) != APR_SUCCESS) {
        fprintf(stderr, "%s: APR initialization failed\n", name);
        return 1;
    }
    if ((out = fn(p, arg)) == NULL) {
        fprintf(stderr, "%s: %s\n", name, what);
        rc = 1;
    }
    else if (fputs(out, stdout) == EOF || fflush(stdout) == EOF) {
        fprintf(stderr, "%s: ", name);
        perror("stdout");
        rc = 1;
    }
    apr_pool_destroy(p);
    apr_terminate();
    return rc;
}
