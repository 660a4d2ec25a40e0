/* Results read by column name (chats_store.h): a reader names the column
 * it wants, never its position. No httpd, no libpq: rows are text. */
#include <string.h>

#include "chats_store.h"

int chats_rows_col(const chats_rows_t *rs, const char *name)
{
    int j;

    for (j = 0; rs->names && j < rs->ncols; j++) {
        if (!strcmp(rs->names[j], name)) {
            return j;
        }
    }
    return -1;
}

const char *chats_rows_get(const chats_rows_t *rs, int i, const char *name)
{
    int j = chats_rows_col(rs, name);

    return j < 0 || i < 0 || i >= rs->nrows ? NULL
                                             : CHATS_ROWS_GET(rs, i, j);
}

const char *const *chats_rows_from(const chats_rows_t *rs, int i,
                                   const char *name)
{
    int j = chats_rows_col(rs, name);

    return j < 0 || i < 0 || i >= rs->nrows ? NULL
                                             : &CHATS_ROWS_GET(rs, i, j);
}

int chats_rows_true(const chats_rows_t *rs, int i, const char *name)
{
    const char *v = chats_rows_get(rs, i, name);

    return v && v[0] == 't';
}
