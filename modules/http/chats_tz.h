/* Time zones: the SO-TimeZone request header, date-times rendered in the
 * caller's zone, offset-less input read as the caller's local time. Glue
 * (httpd + the store).
 *
 * Every offset is computed in PostgreSQL (libc's TZ is per process; httpd
 * runs requests on threads), from the tz database PostgreSQL was built
 * with: `(t AT TIME ZONE zone) - (t AT TIME ZONE 'UTC')`. UTC never asks.
 *
 * SO-TimeZone (spec superoffice-chatsession.md §4, client §6 and
 * differences 6-8): header name in any case (`SO-Timezone` from the
 * official client); value a comma-separated list, items trimmed and
 * matched case-insensitively, empty items ignored:
 *   - `includeTZOffset`, any number of times (a reused client repeats it);
 *   - at most one zone: a SuperOffice code of the spec's list (NO, DK, FR,
 *     BD, US-NY, US-CA, US-HI, CA-QC, AU-ACT, UTC), a numeric id the spec
 *     gives (1 = UTC, 140 = DK, 261 = NO, 460 = US-NY), or an IANA name
 *     PostgreSQL knows (`Europe/Oslo`, `america/new_york`).
 * The flag alone, an empty value or no header: the ChatSessionTimeZone
 * directive's zone (default UTC). Anything else: CHATS_E_INVALID, field
 * "SO-TimeZone" (400).
 *
 * Output: every date-time carries its offset, "+01:00" form, whether or
 * not includeTZOffset was given (SuperOffice omits it without the flag;
 * a designator-less value makes the official client read it in its own
 * zone and shift it on the way back, so we always send it — the client
 * parses both). Created/updated stamps are UTC whatever the zone when the
 * caller sent SO-TimeZone (spec §4 [D]; the client's "-notz" fixtures):
 * here the carrier members named Created, CreatedAt, CreatedDate,
 * Updated, UpdatedAt, UpdatedDate, LastChanged (Ticket/CreatedAt, ...).
 *
 * Echo (SO-TimeZone response header): the zone as understood — a
 * SuperOffice code in upper case, a numeric id as digits, an IANA name as
 * PostgreSQL spells it — followed by ",includeTZOffset" when the flag was
 * given. Without the header: the default zone's name.
 *
 * Numbers: at most one query per request to validate an IANA name (none
 * for SuperOffice codes and UTC), at most one to render a document. */
#ifndef CHATS_TZ_H
#define CHATS_TZ_H

#include "chats_doc.h"
#include "chats_private.h"
#include "chats_store_open.h"

typedef struct chats_tz_t {
    const char *zone;        /**< name for PostgreSQL, e.g. "Europe/Oslo" */
    const char *echo;        /**< the SO-TimeZone response header value   */
    int include_offset;      /**< includeTZOffset was given               */
    int is_utc;              /**< zone is UTC: nothing to ask PostgreSQL   */
    int from_header;         /**< the caller named a zone (not the default) */
} chats_tz_t;

/** The request's zone (see above); *ptz lives in r->pool. Opens the
 * store only to validate an IANA name (CHATS_E_DB_DOWN if it cannot).
 * Also accepts SO-Browser-TZ-Offset (logged at trace1, otherwise
 * ignored). */
chats_err_t *chats_tz_from_request(request_rec *r, const chats_tz_t **ptz);

/** Rewrite in place every date-time string of a rendered document (an
 * entity view, or an array of them): top-level CHATS_F_DATETIME fields
 * and CHATS_F_DATETIME members of carrier objects, found by their JSON
 * names in chats_schema. Each canonical UTC value becomes local wall time
 * in tz, 7 fractional digits, and the zone's offset at that instant
 * ("2021-03-28T03:00:00.0000000+02:00"). Nulls and strings that are not
 * date-times are left alone. One query for all instants; none for UTC
 * (values only normalised to canonical form). Offsets are rounded to
 * whole minutes (historic local mean time has seconds, "+HH:MM" cannot);
 * the local time is computed from the rounded offset, so the instant is
 * exact. A local time outside years 1-9999 stays in UTC. */
chats_err_t *chats_tz_render(chats_store_t *st, const chats_tz_t *tz,
                             chats_doc_t *view, apr_pool_t *p);

/** An input date-time (ISO 8601 as chats_dt_parse reads it) to UTC
 * microseconds since the epoch. With a designator (Z, +HH:MM, +HHMM,
 * +HH) it is exact as given; without one (also a bare date = local
 * midnight) it is local time in tz, converted by PostgreSQL
 * (`$1::timestamp AT TIME ZONE zone`; no query for UTC). PostgreSQL's
 * rules for local times a DST change skips or repeats apply: a skipped
 * time is read with the offset before the change (02:30 on a
 * spring-forward night in Oslo = 01:30Z), a repeated one as the later,
 * standard-time instant. CHATS_E_INVALID (field NULL: the caller names
 * the field) when it is not a date-time. Errors are made in p. */
chats_err_t *chats_tz_local_to_utc(chats_store_t *st, const chats_tz_t *tz,
                                   const char *local, apr_size_t len,
                                   apr_int64_t *pusec, apr_pool_t *p);

/** For request bodies, before they are read as patches or entities:
 * rewrite in place every offset-less date-time string addressed to a
 * date-time field into canonical UTC ("…+00:00"), reading it as local
 * time in tz (rules as chats_tz_local_to_utc). body is a JSON Patch array
 * (the value of each op whose path names a date-time field, a carrier's
 * date-time member, a carrier, or the whole document; ops in any case,
 * leading "/" optional), or an object (merge patch, POST/PUT entity:
 * members by name in any case, carriers' date-time members included).
 * Values with a designator and values that are not date-times are left
 * for the entity code (which refuses the latter, naming the field). One
 * query for all values; none for UTC or when there is nothing to do. */
chats_err_t *chats_tz_localize_body(chats_store_t *st, const chats_tz_t *tz,
                                    chats_doc_t *body, apr_pool_t *p);

/** 1 if s (len bytes) ends in a zone designator (Z, +HH:MM, -HHMM, ...):
 * a value chats_dt_parse reads exactly, without chats_tz_local_to_utc. */
int chats_tz_has_designator(const char *s, apr_size_t len);

/** Set the SO-TimeZone response header (in r->err_headers_out, so that
 * errors carry it too; not also in headers_out, which would send it
 * twice). */
void chats_tz_set_response_header(request_rec *r, const chats_tz_t *tz);

#endif
