/* Header value grammar shared by content negotiation and languages. */
#include <apr_lib.h>

#include "chats_header_syntax.h"

int chats_qvalue_parse(const char *s)
{
    int v = 0, n = 0;

    if (*s != '0' && *s != '1') {
        return -1;
    }
    v = (*s++ - '0') * 1000;
    if (*s == '.') {
        int scale = 100;

        for (s++; apr_isdigit(*s) && n < 3; s++, n++, scale /= 10) {
            v += (*s - '0') * scale;
        }
    }
    return (*s || v > 1000) ? -1 : v;
}

int chats_lang_tag_is_valid(const char *s)
{
    int n = 0, first = 1;

    if (!*s) {
        return 0;
    }
    for (; *s; s++) {
        if (*s == '-') {
            if (n == 0) {
                return 0;
            }
            n = 0;
            first = 0;
            continue;
        }
        if (!(first ? apr_isalpha(*s) : apr_isalnum(*s)) || ++n > 8) {
            return 0;
        }
    }
    return n > 0;
}
