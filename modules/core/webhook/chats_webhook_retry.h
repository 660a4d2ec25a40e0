/* SuperOffice's retry rule for webhook deliveries, and the text a failure
 * leaves in a webhook's LastError (issue 20, design §5 "Retry rule").
 * Pure functions, no I/O: the deliverer (glue) asks them what to do after
 * each attempt, the unit driver checks them alone.
 *
 * The rule: an event gets 3 tries; after the 1st failure the next try
 * comes 1 s later, after the 2nd 4 s later, after the 3rd the event is
 * dropped, and dropping adds 1 to the webhook's consecutive errors; at 9
 * the webhook's State becomes TooManyErrors (3) and nothing more is
 * delivered to it until a write sets State back to Active (1). Any 2xx
 * sets the consecutive errors back to 0. */
#ifndef CHATS_WEBHOOK_RETRY_H
#define CHATS_WEBHOOK_RETRY_H

#include <apr_pools.h>
#include <apr_time.h>

/** Tries per event, and consecutive drops that stop a webhook. */
#define CHATS_WEBHOOK_TRIES 3
#define CHATS_WEBHOOK_MAX_ERRORS 9

/** WebhookState values (SuperOffice's enum). */
typedef enum {
    CHATS_WEBHOOK_UNKNOWN = 0,
    CHATS_WEBHOOK_ACTIVE = 1,
    CHATS_WEBHOOK_STOPPED = 2,
    CHATS_WEBHOOK_TOO_MANY_ERRORS = 3
} chats_webhook_state_e;

/** How one attempt ended (the metrics' outcome label, design §9; the
 * deliverer's "dropped" is no attempt's outcome, but has a name here). */
typedef enum {
    CHATS_WEBHOOK_OK = 0,          /**< a 2xx answer                          */
    CHATS_WEBHOOK_HTTP_ERROR,      /**< any other status (3xx too: redirects
                                        are never followed), or a reply that
                                        is no HTTP                            */
    CHATS_WEBHOOK_TIMEOUT,         /**< connect or whole-request timeout      */
    CHATS_WEBHOOK_CONNECT_ERROR,   /**< resolve, connect, send or receive     */
    CHATS_WEBHOOK_TLS_ERROR,       /**< handshake, certificate, CA file       */
    CHATS_WEBHOOK_REFUSED,         /**< the SSRF policy (chats_netallow.h)    */
    CHATS_WEBHOOK_TOO_LARGE,       /**< response headers over the cap         */
    CHATS_WEBHOOK_DROPPED,         /**< an event given up (not an attempt)    */
    CHATS_WEBHOOK_ABORTED          /**< stopped by us (shutdown): not the
                                        receiver's failure, not counted       */
} chats_webhook_outcome_e;

/** "ok", "http_error", ... (static; "unknown" for other values). */
const char *chats_webhook_outcome_name(chats_webhook_outcome_e o);

/** What to do with an event after a failed try. */
typedef struct {
    int drop;                   /**< give the event up                     */
    apr_interval_time_t delay;  /**< else: try again this long after the
                                     failed try ended                      */
} chats_webhook_next_t;

/**
 * After a failed try of an event that had failed attempts_before times
 * before it (0 for its first try): try again 1 s later (0), 4 s later (1),
 * or drop it (2 and more; a negative count is taken as 0).
 */
chats_webhook_next_t chats_webhook_next(int attempts_before);

/**
 * A webhook's consecutive errors after ok (a 2xx: 0) or after an event
 * dropped (+1, not beyond CHATS_WEBHOOK_MAX_ERRORS). A failed try that does
 * not drop its event changes nothing, nor does an aborted one.
 */
int chats_webhook_errors_after(int consecutive, int dropped, int ok);

/**
 * The State after the consecutive errors became consecutive: an Active
 * webhook at CHATS_WEBHOOK_MAX_ERRORS or more is TooManyErrors; any other
 * state stays as it is (only a write resumes a webhook).
 */
chats_webhook_state_e chats_webhook_state_after(chats_webhook_state_e state,
                                                int consecutive);

/** The most bytes of a response body kept for LastError. */
#define CHATS_WEBHOOK_KEEP 1024

/** A response body as it arrives: its first CHATS_WEBHOOK_KEEP bytes
 * kept, the rest counted up to cap. Zero it, then set cap. */
typedef struct {
    char kept[CHATS_WEBHOOK_KEEP];
    apr_size_t nkept;           /**< bytes in kept                         */
    apr_size_t total;           /**< bytes seen                            */
    apr_size_t cap;             /**< most bytes read before giving up      */
} chats_webhook_sink_t;

/** Take n more bytes of the body. @return 1, or 0 once total is over cap
 * (the transfer should stop: nothing more is worth reading). */
int chats_webhook_sink_add(chats_webhook_sink_t *s, const char *data,
                           apr_size_t n);

/**
 * text .. text+len as one line of printable UTF-8, in p: backslash and
 * every byte that is a control character, DEL or not part of a valid UTF-8
 * sequence is written "\xNN" (backslash as "\\"); at most max input bytes
 * are taken, and "..." ends the line when more were given (or cut).
 */
const char *chats_webhook_escape(apr_pool_t *p, const char *text,
                                 apr_size_t len, apr_size_t max);

/**
 * The LastError text of a failed attempt, in p:
 *  - CHATS_WEBHOOK_HTTP_ERROR with a 3xx and a location: "HTTP 302 Found:
 *    redirect to <location> not followed";
 *  - CHATS_WEBHOOK_HTTP_ERROR: "HTTP 500 Internal Server Error: <body>"
 *    (reason is the status line's phrase, may be NULL or empty; the body,
 *    if any, its first CHATS_WEBHOOK_KEEP bytes escaped);
 *  - any other outcome: "<outcome name>: <detail>" ("refused: 10.0.0.1 is
 *    a private address, not allowed by ChatSessionWebhookAllow").
 * Every part from the receiver is escaped (chats_webhook_escape); the
 * whole is at most about 5 KiB. NULL for CHATS_WEBHOOK_OK.
 */
const char *chats_webhook_last_error(apr_pool_t *p,
                                     chats_webhook_outcome_e outcome,
                                     int status, const char *reason,
                                     const char *location,
                                     const char *detail, apr_size_t len);

#endif
