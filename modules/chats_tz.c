/* SO-TimeZone: the zone codes, parsing the request header, the response
 * header and the directive check. The rules are in chats_tz.h; rendering
 * and local input are in chats_tz_convert.c. */
#include <apr_lib.h>
#include <apr_strings.h>

#include "chats_tz.h"

#define TZ_HEADER      "SO-TimeZone"
#define TZ_FLAG        "includeTZOffset"
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

/* Canonical name: returns PostgreSQL's spelling of an IANA name ($1),
 * or fails with 22023 when it has no such zone. set_config is local to
 * the statement's own transaction, so the pooled connection keeps its
 * TimeZone. */
static const chats_stmt_t stmt_tz_name = {
    "chats_tz_name",
    "SELECT pg_catalog.set_config('TimeZone', $1, true)"
};

static int is_utc_name(const char *zone)
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

static chats_err_t *unknown_zone(apr_pool_t *p, const char *name)
{
    return chats_err_make(p, CHATS_E_INVALID, TZ_HEADER,
                          "SO-TimeZone: unknown time zone '%s'", name);
}

/* Resolve one zone item (a code, an id or an IANA name) into tz. An IANA
 * name is checked by PostgreSQL; default_zone says the name came from the
 * directive, not the caller (a bad one is then a server error). */
static chats_err_t *resolve_zone(request_rec *r, const char *item,
                                 int default_zone, chats_tz_t *tz)
{
    const char *zone;
    chats_store_t *st;
    chats_rows_t *rows;
    chats_err_t *e;
    apr_size_t i;
    int id;

    if ((zone = code_zone(item)) != NULL) {
        tz->zone = zone;
        tz->echo = code_upper(r->pool, item);
        tz->is_utc = is_utc_name(zone);
        return NULL;
    }
    if ((id = numeric_id(item)) >= 0) {
        for (i = 0; i < NELTS(tz_ids); i++) {
            if (tz_ids[i].id == id) {
                tz->zone = code_zone(tz_ids[i].code);
                tz->echo = apr_itoa(r->pool, id);
                tz->is_utc = is_utc_name(tz->zone);
                return NULL;
            }
        }
        return default_zone ? NULL : unknown_zone(r->pool, item);
    }
    if (!iana_shaped(item)) {
        return unknown_zone(r->pool, item);
    }
    if ((e = chats_store_open(&st, r)) != NULL) {
        return e;
    }
    e = chats_store_exec(st, &stmt_tz_name, 1, &item, &rows);
    if (e) {
        /* 22023 ("invalid value for parameter"): no such zone */
        return e->code == CHATS_E_INVALID ? unknown_zone(r->pool, item) : e;
    }
    if (rows->nrows != 1 || !rows->values[0]) {
        return unknown_zone(r->pool, item);
    }
    tz->echo = rows->values[0];
    tz->zone = tz->echo;
    for (i = 0; i < NELTS(tz_abbrev_clash); i++) {
        if (!strcasecmp(tz->echo, tz_abbrev_clash[i].name)) {
            tz->zone = tz_abbrev_clash[i].zone;
        }
    }
    tz->is_utc = is_utc_name(tz->zone);
    return NULL;
}

chats_err_t *chats_tz_from_request(request_rec *r, const chats_tz_t **ptz)
{
    chats_tz_t *tz = apr_pcalloc(r->pool, sizeof(*tz));
    const char *value = apr_table_get(r->headers_in, TZ_HEADER);
    const char *browser = apr_table_get(r->headers_in,
                                        "SO-Browser-TZ-Offset");
    const char *zone_item = NULL;
    char *copy, *item, *last;
    chats_err_t *e;

    if (browser) {
        ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r, CHATS_LOGNO(300)
                      "SO-Browser-TZ-Offset: %s (ignored)", browser);
    }
    copy = apr_pstrdup(r->pool, value ? value : "");
    for (item = apr_strtok(copy, ",", &last); item;
         item = apr_strtok(NULL, ",", &last)) {
        apr_collapse_spaces(item, item);      /* no zone name has a space */
        if (*item == '\0') {
            continue;
        }
        if (!strcasecmp(item, TZ_FLAG)) {
            tz->include_offset = 1;
        }
        else if (zone_item && strcasecmp(zone_item, item)) {
            return chats_err_make(r->pool, CHATS_E_INVALID, TZ_HEADER,
                                  "SO-TimeZone names more than one zone "
                                  "('%s', '%s')", zone_item, item);
        }
        else {
            zone_item = item;
        }
    }
    if (zone_item) {
        if ((e = resolve_zone(r, zone_item, 0, tz)) != NULL) {
            return e;
        }
        tz->from_header = 1;
    }
    else {
        const char *dflt = chats_conf_time_zone(chats_dir_conf(r));

        if ((e = resolve_zone(r, dflt, 1, tz)) != NULL || !tz->zone) {
            if (e && e->code != CHATS_E_INVALID) {
                return e;
            }
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, CHATS_LOGNO(301)
                          "ChatSessionTimeZone %s: PostgreSQL knows no "
                          "such zone", dflt);
            return chats_err_make(r->pool, CHATS_E_INTERNAL, NULL,
                                  "the server's time zone is misconfigured");
        }
    }
    if (tz->include_offset) {
        tz->echo = apr_pstrcat(r->pool, tz->echo, "," TZ_FLAG, NULL);
    }
    *ptz = tz;
    return NULL;
}

void chats_tz_set_response_header(request_rec *r, const chats_tz_t *tz)
{
    if (tz && tz->echo) {
        /* err_headers_out: sent with errors and successes alike */
        apr_table_setn(r->err_headers_out, TZ_HEADER, tz->echo);
    }
}

const char *chats_tz_check_directive(apr_pool_t *p, const char *name)
{
    apr_size_t i;
    int id = numeric_id(name);

    if (code_zone(name)) {
        return NULL;
    }
    for (i = 0; id >= 0 && i < NELTS(tz_ids); i++) {
        if (tz_ids[i].id == id) {
            return NULL;
        }
    }
    if (id < 0 && iana_shaped(name)) {
        return NULL;
    }
    return apr_psprintf(p, "ChatSessionTimeZone: '%s' is neither a "
                        "SuperOffice time-zone code nor a tz database name",
                        name);
}
