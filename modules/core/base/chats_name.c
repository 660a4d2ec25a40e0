/* Names as the API compares them (chats_name.h). Core file: APR only. */
#include <string.h>

#include "chats_name.h"

/* ASCII folding only, by design: the endpoint's member names are ASCII,
 * and tolower() would fold bytes >= 0x80 differently per C locale. */
int chats_name_eq(const char *a, apr_size_t alen, const char *b,
                  apr_size_t blen, int casei)
{
    apr_size_t i;

    if (alen != blen) {
        return 0;
    }
    if (!casei) {
        return !memcmp(a, b, alen);
    }
    for (i = 0; i < alen; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];

        if (x >= 'A' && x <= 'Z') {
            x += 'a' - 'A';
        }
        if (y >= 'A' && y <= 'Z') {
            y += 'a' - 'A';
        }
        if (x != y) {
            return 0;
        }
    }
    return 1;
}
