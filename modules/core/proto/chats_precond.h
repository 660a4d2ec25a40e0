/* The preconditions of a write (If-Match, If-Unmodified-Since,
 * If-None-Match), read from the request headers into a form the planner
 * turns into predicates on the row, so that they are evaluated against
 * the row actually written. The rules are httpd's ap_meets_conditions for
 * a method other than GET (RFC 9110 13.2.2): If-Match first; else
 * If-Unmodified-Since (whole seconds; an unparsable date is ignored);
 * then If-None-Match with the strong comparison. Our entity tags are the
 * row's version, quoted ("12"). Core header: APR and apr-util. */
#ifndef CHATS_PRECOND_H
#define CHATS_PRECOND_H

#include <apr_pools.h>
#include <apr_tables.h>

typedef struct {
    int if_match;                 /**< the header was given              */
    int if_match_any;             /**< ... as "*"                        */
    const char *if_match_list;    /**< versions it names as a PostgreSQL
                                       int8[] literal ("{3,4}"; "{}")    */
    int if_none_match;
    int if_none_match_any;
    const char *if_none_match_list;
    apr_int64_t unmodified_since; /**< seconds since the epoch; -1: none
                                       (or If-Match given, or unparsable) */
} chats_precond_t;

/** Read the three headers (each NULL when absent). */
void chats_precond_read(chats_precond_t *c, const char *if_match,
                        const char *if_none_match,
                        const char *if_unmodified_since, apr_pool_t *p);

/** An HTTP-date (RFC 9110 5.6.7, as apr_date_parse_http reads it) in
 * seconds since the epoch; 0 for the epoch itself; -1 when date is NULL
 * or unreadable. */
apr_int64_t chats_precond_http_date(const char *date);

/** 1 if c asks for anything. */
int chats_precond_any(const chats_precond_t *c);

#endif
