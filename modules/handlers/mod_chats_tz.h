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
 * Numbers: no statement of its own for SuperOffice codes and UTC; a tz
 * database name costs one the first time a process sees it (then it is
 * cached). Conversions happen inside the request's one statement. */
#ifndef CHATS_TZ_H
#define CHATS_TZ_H

#include "chats_doc.h"
#include "mod_chats_private.h"
#include "mod_chats_store_open.h"

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

/** Make the per-process cache of tz database names PostgreSQL knows
 * (child_init): after a name's first request, no statement. */
void chats_tz_child_init(apr_pool_t *pchild, server_rec *s);

/** Set the SO-TimeZone response header (in r->err_headers_out, so that
 * errors carry it too; not also in headers_out, which would send it
 * twice). */
void chats_tz_set_response_header(request_rec *r, const chats_tz_t *tz);

#endif
