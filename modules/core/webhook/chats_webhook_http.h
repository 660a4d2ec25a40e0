/* The outbound side of webhook deliveries (issue 20, design §5, §7):
 * POSTs on libcurl's multi interface, many in flight on one thread,
 * keep-alive connections reused across requests, every address checked
 * by the SSRF policy (chats_netallow.h) before a packet leaves and again
 * on a reused connection. Core: APR and libcurl, no httpd, no logging
 * (outcomes and texts go back to the caller).
 *
 * One chats_webhook_http_t per deliverer thread, used by that thread
 * only; chats_webhook_http_wakeup is the one call another thread may
 * make. The process must have called chats_webhook_http_global_init
 * first (libcurl's global set-up is not thread-safe on every build: the
 * glue calls it in post_config, before any thread exists, and children
 * inherit it).
 *
 * Per request: CURLOPT_PROTOCOLS_STR is the URL's scheme only, and plain
 * http only when the allow list has "http"; no redirect followed (a 3xx
 * is a failure naming its Location); no proxy (a proxy would make the
 * connected address meaningless); certificate and host verification on;
 * connect and whole-request timeouts; no signals; no content decoding,
 * so the cap is on the bytes received; "Expect:" off. */
#ifndef CHATS_WEBHOOK_HTTP_H
#define CHATS_WEBHOOK_HTTP_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_time.h>

#include "chats_err.h"
#include "chats_netallow.h"
#include "chats_webhook_retry.h"

/** The settings of a transport (the directives; design §7). */
typedef struct {
    const chats_netallow_t *allow;   /**< NULL: the empty list            */
    const char *cafile;              /**< PEM bundle; NULL: the system's  */
    long connect_timeout_ms;         /**< <= 0: 5000                      */
    long timeout_ms;                 /**< whole request; <= 0: 10000      */
    long max_host_connections;       /**< per host:port; <= 0: unlimited  */
    long max_total_connections;      /**< <= 0: unlimited                 */
    apr_size_t body_cap;             /**< response bytes read at most,
                                          body or headers; 0: 64 KiB      */
} chats_webhook_http_conf_t;

typedef struct chats_webhook_http_t chats_webhook_http_t;

/** How one request ended. */
typedef struct {
    void *user;                      /**< as given to _add                */
    chats_webhook_outcome_e outcome;
    int status;                      /**< final HTTP status; 0: none      */
    const char *last_error;          /**< LastError text; NULL when ok    */
    const char *body;                /**< the body's first bytes (<= 1 KiB,
                                          raw, NUL-terminated)            */
    apr_size_t body_len;             /**< bytes in body                   */
    int truncated;                   /**< the body went past body_cap and
                                          the transfer was cut there      */
    const char *ip;                  /**< the address connected to, or "" */
    long new_connections;            /**< 0: a kept-alive one was reused  */
    apr_interval_time_t elapsed;     /**< from _add to the end            */
} chats_webhook_result_t;

/**
 * Once per process, before any transport exists and before threads start:
 * libcurl's global set-up (curl_global_init; reference-counted, so a
 * second call is harmless) and its undoing by a cleanup of p. Checks
 * that the libcurl loaded at run time is 7.85 or later, with TLS.
 * @return NULL, or CHATS_E_MISCONFIGURED saying what is missing
 */
chats_err_t *chats_webhook_http_global_init(apr_pool_t *p);

/**
 * A transport in a sub-pool of p; destroying p (or the transport's pool)
 * aborts what is in flight and frees every libcurl handle.
 * @return NULL, or CHATS_E_INTERNAL if libcurl cannot make a multi handle
 */
chats_err_t *chats_webhook_http_create(apr_pool_t *p,
                                       const chats_webhook_http_conf_t *conf,
                                       chats_webhook_http_t **ph);

/**
 * Queue a POST of body (len bytes, copied) to url with headers (an array
 * of chats_webhook_header_t, from chats_webhook_headers; copied). It
 * starts on the next _perform. A URL libcurl cannot parse, another
 * scheme, user information, or plain http without "http" in the list
 * finishes at once (outcome refused, reported by the next _perform);
 * nothing is sent.
 * @return NULL, or CHATS_E_INTERNAL when libcurl fails to set up
 */
chats_err_t *chats_webhook_http_add(chats_webhook_http_t *h, const char *url,
                                    const apr_array_header_t *headers,
                                    const char *body, apr_size_t len,
                                    void *user);

/**
 * Drive the transfers: wait at most timeout_ms for network activity or a
 * wakeup (not at all when some have finished already), then progress
 * them. *pdone gets the requests that finished (chats_webhook_result_t,
 * in rp; possibly none). With nothing in flight it still waits, so that a
 * deliverer can idle here and be woken.
 * @return NULL, or CHATS_E_INTERNAL when libcurl's multi handle fails
 */
chats_err_t *chats_webhook_http_perform(chats_webhook_http_t *h,
                                        int timeout_ms, apr_pool_t *rp,
                                        apr_array_header_t **pdone);

/** Requests added and not yet returned by _perform. */
int chats_webhook_http_pending(const chats_webhook_http_t *h);

/** Make a _perform that waits return now. Any thread may call it. */
void chats_webhook_http_wakeup(chats_webhook_http_t *h);

/**
 * Stop every request in flight (a shutdown): each is returned in *pdone
 * (in rp) with outcome CHATS_WEBHOOK_ABORTED, and its connection closed.
 */
void chats_webhook_http_cancel(chats_webhook_http_t *h, apr_pool_t *rp,
                               apr_array_header_t **pdone);

/**
 * Use allow from now on, also for connections already open: they are
 * checked again before their next request (CURLOPT_PREREQFUNCTION).
 */
void chats_webhook_http_set_allow(chats_webhook_http_t *h,
                                  const chats_netallow_t *allow);

#endif
