/* The directive table as text (chats_directives.h). */
#include <apr_strings.h>
#include <apr_tables.h>

#include "chats_directives.h"

#define CHATS_DIR_ROW(how, name, setter, arg, where, syntax, dflt, help) \
    name "\t" syntax "\t" dflt "\t" help "\n",

static const char *const rows[] = { CHATS_DIRECTIVES(CHATS_DIR_ROW) };

const char *chats_directives_text(apr_pool_t *p)
{
    apr_array_header_t *a = apr_array_make(p, 32, sizeof(const char *));
    size_t i;

    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        APR_ARRAY_PUSH(a, const char *) = rows[i];
    }
    return apr_array_pstrcat(p, a, 0);
}
