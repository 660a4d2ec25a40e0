/* ISO 8601 date-times <-> microseconds since 1970-01-01T00:00:00Z, without
 * libc time zones (TZ is per process; requests are per thread). Core. */
#ifndef CHATS_DATETIME_H
#define CHATS_DATETIME_H

#include <apr_pools.h>

/** Parse YYYY-MM-DD[(T|t| )HH:MM[:SS[.f{1,7}]]][Z|z|+HH:MM|+HHMM|+HH]
 * (years 0001-9999). Without an offset the time is read as UTC. More
 * than 6 fractional digits are rounded to the microsecond (PostgreSQL's
 * precision). Returns 1 on success, 0 if s is not such a date-time. */
int chats_dt_parse(const char *s, apr_size_t len, apr_int64_t *pusec);

/** "YYYY-MM-DDTHH:MM:SS.fffffff+00:00" (7 digits, SuperOffice's form). */
const char *chats_dt_format(apr_pool_t *p, apr_int64_t usec);

/** "YYYY-MM-DD HH:MM:SS.ffffff+00" for PostgreSQL's timestamptz input. */
const char *chats_dt_format_sql(apr_pool_t *p, apr_int64_t usec);

#endif
