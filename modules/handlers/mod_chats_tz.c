/* SO-TimeZone: parsing the request header and the response header. The
 * rules are in mod_chats_tz.h; the zone codes in core/proto/chats_zone.c.
 * Local times are converted inside each request's statement (AT TIME
 * ZONE). */
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>

#include "mod_chats_tz.h"
#include "chats_zone.h"

#define TZ_HEADER      "SO-TimeZone"
#define TZ_FLAG        "includeTZOffset"
/* Canonical name: returns PostgreSQL's spelling of an IANA name ($1),
 * or fails with 22023 when it has no such zone. set_config is local to
 * the statement's own transaction, so the pooled connection keeps its
 * TimeZone. */
static const chats_stmt_t stmt_tz_name = {
    "chats_tz_name",
    "SELECT pg_catalog.set_config('TimeZone', $1, true)",
    CHATS_RETRY_SAFE, 0, NULL, NULL, NULL   /* reads only */
};

/* tz database names PostgreSQL has confirmed, per process, so that a
 * request naming one costs no statement after the first: lower-cased
 * name -> PostgreSQL's spelling. Only known names are kept, and at most
 * CHATS_ZONES_MAX (the tz database has some 600). */
#define CHATS_ZONES_MAX 1024

struct chats_zone_cache_t {
    apr_pool_t *p;                   /* ours: allocated under lock only */
    apr_thread_mutex_t *lock;
    apr_hash_t *names;
};

static char *lower(apr_pool_t *p, const char *s)
{
    char *l = apr_pstrdup(p, s), *c;

    for (c = l; *c; c++) {
        *c = apr_tolower(*c);
    }
    return l;
}

static const char *cache_get(chats_zone_cache_t *zc, const char *item,
                             apr_pool_t *p)
{
    const char *name = NULL;

    if (zc && apr_thread_mutex_lock(zc->lock) == APR_SUCCESS) {
        name = apr_hash_get(zc->names, lower(p, item), APR_HASH_KEY_STRING);
        name = name ? apr_pstrdup(p, name) : NULL;
        apr_thread_mutex_unlock(zc->lock);
    }
    return name;
}

static void cache_put(chats_zone_cache_t *zc, const char *item,
                      const char *name)
{
    if (zc && apr_thread_mutex_lock(zc->lock) == APR_SUCCESS) {
        if (apr_hash_count(zc->names) < CHATS_ZONES_MAX) {
            apr_hash_set(zc->names, lower(zc->p, item), APR_HASH_KEY_STRING,
                         apr_pstrdup(zc->p, name));
        }
        apr_thread_mutex_unlock(zc->lock);
    }
}

void chats_tz_child_init(apr_pool_t *pchild, server_rec *s)
{
    chats_zone_cache_t *zc = apr_pcalloc(pchild, sizeof(*zc));
    apr_status_t rv;

    rv = chats_proc_pool_create(&zc->p, pchild, "chats_zones");
    if (rv == APR_SUCCESS) {
        zc->names = apr_hash_make(zc->p);
        rv = apr_thread_mutex_create(&zc->lock, APR_THREAD_MUTEX_DEFAULT,
                                     pchild);
    }
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, CHATS_LOGNO(302)
                     "cannot create the time-zone cache: every tz database "
                     "name will be checked by PostgreSQL");
        zc = NULL;
    }
    for (; s; s = s->next) {
        chats_srv_conf(s)->zones = zc;
    }
}

static chats_err_t *unknown_zone(apr_pool_t *p, const char *name)
{
    return chats_err_make(p, CHATS_E_INVALID, TZ_HEADER,
                          "SO-TimeZone: unknown time zone '%s'", name);
}

/* Resolve one zone item (a code, an id or an IANA name) into tz. An IANA
 * name is checked by PostgreSQL. */
static chats_err_t *resolve_zone(request_rec *r, const char *item,
                                 chats_tz_t *tz)
{
    chats_store_t *st;
    chats_rows_t *rows;
    chats_err_t *e;

    switch (chats_zone_lookup(item, &tz->zone, &tz->echo, r->pool)) {
    case CHATS_ZONE_KNOWN:
        tz->is_utc = chats_zone_is_utc(tz->zone);
        return NULL;
    case CHATS_ZONE_UNKNOWN:
        return unknown_zone(r->pool, item);
    case CHATS_ZONE_IANA:
        break;
    }
    if ((tz->echo = cache_get(chats_srv_conf(r->server)->zones, item,
                              r->pool)) != NULL) {
        tz->zone = chats_zone_for_pg_name(tz->echo);
        tz->is_utc = chats_zone_is_utc(tz->zone);
        return NULL;
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
    cache_put(chats_srv_conf(r->server)->zones, item, tz->echo);
    tz->zone = chats_zone_for_pg_name(tz->echo);
    tz->is_utc = chats_zone_is_utc(tz->zone);
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
        if ((e = resolve_zone(r, zone_item, tz)) != NULL) {
            return e;
        }
        tz->from_header = 1;
    }
    else {
        const char *dflt = chats_conf_time_zone(chats_dir_conf(r));

        if ((e = resolve_zone(r, dflt, tz)) != NULL || !tz->zone) {
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
