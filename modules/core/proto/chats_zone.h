/* SuperOffice's time-zone codes and ids (spec §4), and which names may
 * go to PostgreSQL as tz database names. Core header: APR only. */
#ifndef CHATS_ZONE_H
#define CHATS_ZONE_H

#include <apr_pools.h>

typedef enum {
    CHATS_ZONE_UNKNOWN,   /**< neither a code, an id nor a tz-shaped name */
    CHATS_ZONE_KNOWN,     /**< a SuperOffice code or id: zone and echo set */
    CHATS_ZONE_IANA       /**< shaped like a tz database name: PostgreSQL
                               decides whether it exists                  */
} chats_zone_kind_e;

/** Classify one SO-TimeZone item (trimmed, any case). For a code or id,
 * *pzone is the IANA zone and *pecho the header echo (code in upper
 * case, id as digits), in p. */
chats_zone_kind_e chats_zone_lookup(const char *item, const char **pzone,
                                    const char **pecho, apr_pool_t *p);

/** The zone to render with for PostgreSQL's spelling of a name: names
 * PostgreSQL's AT TIME ZONE would read as a fixed abbreviation (CET, MET,
 * EET, WET) map to a zone with the same rules; others are themselves. */
const char *chats_zone_for_pg_name(const char *name);

/** 1 if zone is UTC (nothing to convert). */
int chats_zone_is_utc(const char *zone);

/** For the ChatSessionTimeZone directive: NULL if name is a code, an id
 * or shaped like a tz database name (PostgreSQL checks that it exists),
 * else an error message in p. */
const char *chats_zone_check_directive(apr_pool_t *p, const char *name);

#endif
