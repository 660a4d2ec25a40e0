/* SuperOffice's time-zone codes (spec superoffice-chatsession.md §4) and
 * the shape of the zone names we pass to PostgreSQL. Core: APR only; the
 * request header and the queries are handlers/mod_chats_tz.c's. */
#include <apr_file_info.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <stdlib.h>
#include <string.h>

#include "chats_zone.h"

#define TZ_MAX_NAME    64

/* SuperOffice's location codes, exactly those the spec lists (§4), and
 * the IANA zone each stands for. CA-QC: Quebec keeps Eastern time
 * (America/Montreal is a link to America/Toronto); AU-ACT: Canberra keeps
 * Sydney's rules (Australia/Canberra and Australia/ACT are links). */
static const struct {
    const char *code;
    const char *zone;
} tz_codes[] = {
    { "UTC",    "UTC" },
    { "NO",     "Europe/Oslo" },
    { "DK",     "Europe/Copenhagen" },
    { "FR",     "Europe/Paris" },
    { "BD",     "Asia/Dhaka" },
    { "US-NY",  "America/New_York" },
    { "US-CA",  "America/Los_Angeles" },
    { "US-HI",  "Pacific/Honolulu" },
    { "CA-QC",  "America/Toronto" },
    { "AU-ACT", "Australia/Sydney" },
};

/* The numeric ids of GET /api/v1/timezone the spec gives. */
static const struct {
    int id;
    const char *code;
} tz_ids[] = {
    { 1, "UTC" }, { 140, "DK" }, { 261, "NO" }, { 460, "US-NY" },
};

/* IANA zones whose names PostgreSQL's AT TIME ZONE would take as the
 * fixed-offset abbreviation of the same spelling (no DST): rendered
 * through a zone with the same rules (tzdata 2024b makes them links to
 * exactly these). Debian 12's tzdata still differs before 1981 (EET) and
 * 1996 (WET); t/engine/tz_table.t checks 1997-2037. */
static const struct {
    const char *name;
    const char *zone;
} tz_abbrev_clash[] = {
    { "CET", "Europe/Brussels" }, { "MET", "Europe/Brussels" },
    { "EET", "Europe/Athens" },   { "WET", "Europe/Lisbon" },
};

/* Zone files without a "/" whose names contain a digit; any other such
 * name would be read by PostgreSQL as a POSIX TZ rule ("FOO+3"). */
static const char *const tz_digit_names[] = {
    "EST5EDT", "CST6CDT", "MST7MDT", "PST8PDT", "GMT0", "GMT+0", "GMT-0",
};

#define NELTS(a) (sizeof(a) / sizeof((a)[0]))

int chats_zone_is_utc(const char *zone)
{
    return !strcasecmp(zone, "UTC");
}

static const char *code_zone(const char *code)
{
    apr_size_t i;

    for (i = 0; i < NELTS(tz_codes); i++) {
        if (!strcasecmp(tz_codes[i].code, code)) {
            return tz_codes[i].zone;
        }
    }
    return NULL;
}

static const char *code_upper(apr_pool_t *p, const char *code)
{
    char *u = apr_pstrdup(p, code), *c;

    for (c = u; *c; c++) {
        *c = apr_toupper(*c);
    }
    return u;
}

/* Digits only (no sign, at most 9): its value, else -1. */
static int numeric_id(const char *s)
{
    int v = 0, n = 0;

    for (; *s; s++, n++) {
        if (!apr_isdigit(*s) || n >= 9) {
            return -1;
        }
        v = v * 10 + (*s - '0');
    }
    return n ? v : -1;
}

/* Shaped like a tz database name (and not like a POSIX TZ rule, an
 * abbreviation-only or a numeric offset, which PostgreSQL would also
 * take): segments of letters, digits, "_", "+", "-" separated by "/",
 * the first starting with a letter. */
static int iana_shaped(const char *name)
{
    apr_size_t i, len = strlen(name);
    int digit = 0, slash = 0;
    const char *s;

    if (len == 0 || len > TZ_MAX_NAME || !apr_isalpha(name[0])) {
        return 0;
    }
    for (s = name; *s; s++) {
        if (*s == '/') {
            if (s[1] == '\0' || s[1] == '/') {
                return 0;
            }
            slash = 1;
        }
        else if (apr_isdigit(*s)) {
            digit = 1;
        }
        else if (!apr_isalpha(*s) && *s != '_' && *s != '+' && *s != '-') {
            return 0;
        }
    }
    if (digit && !slash) {
        for (i = 0; i < NELTS(tz_digit_names); i++) {
            if (!strcasecmp(name, tz_digit_names[i])) {
                return 1;
            }
        }
        return 0;
    }
    return 1;
}

chats_zone_kind_e chats_zone_lookup(const char *item, const char **pzone,
                                    const char **pecho, apr_pool_t *p)
{
    const char *zone;
    apr_size_t i;
    int id;

    *pzone = *pecho = NULL;
    if ((zone = code_zone(item)) != NULL) {
        *pzone = zone;
        *pecho = code_upper(p, item);
        return CHATS_ZONE_KNOWN;
    }
    if ((id = numeric_id(item)) >= 0) {
        for (i = 0; i < NELTS(tz_ids); i++) {
            if (tz_ids[i].id == id) {
                *pzone = code_zone(tz_ids[i].code);
                *pecho = apr_itoa(p, id);
                return CHATS_ZONE_KNOWN;
            }
        }
        return CHATS_ZONE_UNKNOWN;
    }
    return iana_shaped(item) ? CHATS_ZONE_IANA : CHATS_ZONE_UNKNOWN;
}

const char *chats_zone_for_pg_name(const char *name)
{
    apr_size_t i;

    for (i = 0; i < NELTS(tz_abbrev_clash); i++) {
        if (!strcasecmp(name, tz_abbrev_clash[i].name)) {
            return tz_abbrev_clash[i].zone;
        }
    }
    return name;
}

/* A tz database name is known when the system's zoneinfo has a file of
 * that name (PostgreSQL on Debian reads the same tzdata): a directive is
 * checked at start-up, where a typo would otherwise fail every request. */
static int zoneinfo_has(apr_pool_t *p, const char *name)
{
    const char *dir = getenv("TZDIR");
    apr_finfo_t fi;

    if (strstr(name, "..") || name[0] == '/') {
        return 0;
    }
    return apr_stat(&fi, apr_pstrcat(p, dir && *dir ? dir
                                        : "/usr/share/zoneinfo", "/",
                                     name, NULL), APR_FINFO_TYPE, p)
               == APR_SUCCESS
           && fi.filetype == APR_REG;
}

const char *chats_zone_check_directive(apr_pool_t *p, const char *name)
{
    const char *zone, *echo;

    switch (chats_zone_lookup(name, &zone, &echo, p)) {
    case CHATS_ZONE_KNOWN:
        return NULL;
    case CHATS_ZONE_IANA:
        if (zoneinfo_has(p, name)) {
            return NULL;
        }
        return apr_psprintf(p, "ChatSessionTimeZone: '%s' is not a "
                            "SuperOffice time-zone code (NO, US-NY, ...) and "
                            "not in the tz database (no file "
                            "/usr/share/zoneinfo/%s; e.g. Europe/Oslo)",
                            name, name);
    default:
        return apr_psprintf(p, "ChatSessionTimeZone: '%s' is neither a "
                            "SuperOffice time-zone code nor a tz database "
                            "name", name);
    }
}
