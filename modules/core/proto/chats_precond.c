/* Preconditions of writes (chats_precond.h). */
#include <apr_date.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <string.h>

#include "chats_precond.h"

/* The versions a list of entity tags names with the strong comparison:
 * each "digits" item (W/ tags never match strongly, other tags are not
 * ours), as a PostgreSQL array literal. */
static const char *strong_versions(const char *list, apr_pool_t *p)
{
    const char *s = list, *open, *close, *d;
    char *out = apr_pstrdup(p, "{");
    int n = 0;

    while (*s) {
        while (*s == ',' || apr_isspace(*s)) {
            s++;
        }
        if (*s == '"' && (close = strchr(s + 1, '"')) != NULL) {
            open = s + 1;
            for (d = open; d < close && apr_isdigit(*d); d++) {
            }
            if (d == close && close > open && close - open <= 18) {
                out = apr_pstrcat(p, out, n++ ? "," : "",
                                  apr_pstrmemdup(p, open, close - open),
                                  NULL);
            }
            s = close + 1;
        }
        /* the rest of this item (a W/ tag, junk), quoted commas included */
        while (*s && *s != ',') {
            if (*s++ == '"') {
                while (*s && *s++ != '"') {
                }
            }
        }
    }
    return apr_pstrcat(p, out, "}", NULL);
}

/* apr_date_parse_http answers APR_DATE_BAD (0) both for a date it
 * cannot read and for the epoch itself, a valid date (RFC 9110 5.6.7)
 * that a client may well send ("not modified since the beginning").
 * Tell them apart by asking again one second later: only the epoch
 * then reads as one second. */
static int is_epoch(const char *date)
{
    const char *hms = strstr(date, "00:00:00");
    char buf[128];
    apr_size_t at;

    if (!hms || strlen(date) >= sizeof(buf)) {
        return 0;
    }
    at = (apr_size_t)(hms - date) + 7;          /* the seconds' last digit */
    memcpy(buf, date, strlen(date) + 1);
    buf[at] = '1';
    return apr_date_parse_http(buf) == apr_time_from_sec(1);
}

apr_int64_t chats_precond_http_date(const char *date)
{
    apr_time_t t;

    if (!date) {
        return -1;
    }
    if ((t = apr_date_parse_http(date)) != APR_DATE_BAD) {
        return apr_time_sec(t);
    }
    return is_epoch(date) ? 0 : -1;
}

void chats_precond_read(chats_precond_t *c, const char *if_match,
                        const char *if_none_match,
                        const char *if_unmodified_since, apr_pool_t *p)
{
    memset(c, 0, sizeof(*c));
    c->unmodified_since = -1;
    if (if_match) {
        c->if_match = 1;
        c->if_match_any = (if_match[0] == '*');
        c->if_match_list = strong_versions(if_match, p);
    }
    else {
        c->unmodified_since = chats_precond_http_date(if_unmodified_since);
    }
    if (if_none_match) {
        c->if_none_match = 1;
        c->if_none_match_any = (if_none_match[0] == '*');
        c->if_none_match_list = strong_versions(if_none_match, p);
    }
}

int chats_precond_any(const chats_precond_t *c)
{
    return c && (c->if_match || c->if_none_match
                 || c->unmodified_since >= 0);
}
