/* ISO 8601 date-times <-> microseconds since 1970-01-01T00:00:00Z, without
 * libc time zones (TZ is per process; requests are per thread). Core. */
#ifndef CHATS_DATETIME_H
#define CHATS_DATETIME_H

#include <apr_pools.h>

/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z in microseconds
 * since 1970: the instants a date-time may be (.NET's DateTime range, to
 * the microsecond). */
#define CHATS_DT_MIN APR_INT64_C(-62135596800000000)
#define CHATS_DT_MAX APR_INT64_C(253402300799999999)

/** Parse YYYY-MM-DD[(T|t| )HH:MM[:SS[.f{1,7}]]][Z|z|+HH:MM|+HHMM|+HH]
 * (years 0001-9999). Without an offset the time is read as UTC. More
 * than 6 fractional digits are rounded to the microsecond (PostgreSQL's
 * precision), except where that would pass CHATS_DT_MAX (then the last
 * microsecond). Returns 1 on success, 0 if s is not such a date-time or
 * its instant is outside CHATS_DT_MIN..CHATS_DT_MAX (e.g.
 * 0001-01-01T00:00:00+14:00). */
int chats_dt_parse(const char *s, apr_size_t len, apr_int64_t *pusec);

/** "YYYY-MM-DDTHH:MM:SS.fffffff+00:00" (7 digits, SuperOffice's form). */
const char *chats_dt_format(apr_pool_t *p, apr_int64_t usec);

/** The instant usec as local time at offset seconds east of UTC (rounded
 * to whole minutes: "+HH:MM" has no seconds), "…fffffff+01:00". A local
 * time outside years 1-9999 is written in UTC instead. */
const char *chats_dt_format_local(apr_pool_t *p, apr_int64_t usec,
                                  int offset);

/** 1 if s (len bytes) ends in a zone designator (Z, +HH:MM, -HHMM, ...):
 * a value chats_dt_parse reads exactly, whatever the request's zone. */
int chats_dt_has_designator(const char *s, apr_size_t len);

/** "YYYY-MM-DD HH:MM:SS.ffffff+00" for PostgreSQL's timestamptz input. */
const char *chats_dt_format_sql(apr_pool_t *p, apr_int64_t usec);

/** A time of day's seconds since midnight, 0..86399 (CHATS_F_DURATION).
 * Accepted: "HH:MM:SS" and "HH:MM" (hours 0-23 in one or two digits,
 * minutes and seconds in two), and the ISO 8601 durations the official
 * client's date library writes, P[0D][T[nH][nM][nS]] in whole numbers
 * (PT8H, PT23H59M59S, P0D), under 24 hours. Returns 1 on success, 0
 * otherwise: fractions, days other than 0, PT24H, .NET's "1.08:00:00",
 * "08:00:00.5". */
int chats_duration_parse(const char *s, apr_size_t len, int *psec);

/** "HH:MM:SS" of seconds since midnight (0..86399; others are clamped). */
const char *chats_duration_format(apr_pool_t *p, int sec);

#endif
