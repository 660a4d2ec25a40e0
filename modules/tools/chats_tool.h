/* What the command-line tools share: set APR up, make their text in a
 * pool, print it. Tools' header: APR only. */
#ifndef CHATS_TOOL_H
#define CHATS_TOOL_H

#include <apr_pools.h>

/** Makes a tool's output in p; NULL when it could not. */
typedef const char *chats_tool_fn(apr_pool_t *p, const char *arg);

/**
 * Print fn(p, arg) on stdout. Returns main()'s status: 0, or 1 after a
 * line on stderr, "<name>: <what>" when fn gave NULL.
 */
int chats_tool_print(const char *name, const char *what, chats_tool_fn *fn,
                     const char *arg);

#endif
