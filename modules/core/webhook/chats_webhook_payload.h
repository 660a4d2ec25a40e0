/* A webhook delivery's bytes (issue 20, design §6): the JSON body of one
 * event for one webhook, its signature and its request headers. Core
 * header: APR, yajl (through chats_doc) and OpenSSL, no httpd, no
 * network: the deliverer (glue) sends what these build, the unit driver
 * and the fuzzer check them alone.
 *
 * The body's members, in this order (SuperOffice's):
 *   EventId, Timestamp, Changes, Event, PrimaryKey, Entity,
 *   ContextIdentifier, ChangedByAssociateId, WebhookName, [FieldValues],
 *   then the webhook's Properties members (one named like a standard key,
 *   ignoring ASCII case, is left out: the standard keys win).
 * Everything that comes from a row (Changes, FieldValues, Properties) is
 * JSON text, re-parsed and re-written, so the body is one well-formed
 * JSON document of valid UTF-8 whatever the row held; text that cannot
 * be (invalid UTF-8, a non-object Properties, ...) is refused, never
 * patched up. The secret is an argument of the signature only: no
 * function here writes it into a body or a header value. */
#ifndef CHATS_WEBHOOK_PAYLOAD_H
#define CHATS_WEBHOOK_PAYLOAD_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "chats_err.h"

/** One event as the outbox row holds it (design §3). */
typedef struct {
    const char *event_id;       /**< EventId: a GUID, 8-4-4-4-12 hex      */
    const char *event;          /**< "chatsession.changed", "test", ...    */
    const char *entity;         /**< "chatsession", a signal's entity      */
    apr_int64_t primary_key;    /**< PrimaryKey                            */
    const char *changes;        /**< JSON array text; NULL = "[]"          */
    const char *field_values;   /**< JSON object text; NULL = no member    */
    const char *field_ints;     /**< or FieldValues kept compactly
                                     (chats_webhook_values): a JSON array
                                     of numbers; NULL = none             */
    const char *field_texts;    /**< ... and its JSON array of strings    */
    apr_int64_t actor;          /**< ChangedByAssociateId, 0 = unknown     */
    apr_int64_t captured_at;    /**< Timestamp: usec since 1970, UTC       */
    int attempts;               /**< failed tries so far: X-SuperOffice-Retry */
    int test;                   /**< a test ping: X-Hook-Test: true        */
} chats_webhook_event_t;

/** What a delivery needs of the webhook (and of the configuration). */
typedef struct {
    const char *name;           /**< WebhookName                           */
    const char *context;        /**< ContextIdentifier (the directive)     */
    const char *properties;     /**< JSON object text; NULL = none         */
    const char *headers;        /**< JSON object of strings; NULL = none   */
    const char *secret;         /**< NULL or "" = unsigned                 */
} chats_webhook_hook_t;

/** One request header. */
typedef struct {
    const char *name;
    const char *value;
} chats_webhook_header_t;

/** Length of the signature's base64 text (32 bytes, padded). */
#define CHATS_WEBHOOK_SIG_LEN 44

/**
 * The event's JSON body for hook, in p. *pbody is NUL-terminated and
 * *plen its length: the exact bytes to sign and to send.
 * @return NULL, or CHATS_E_INVALID naming the member at fault (EventId,
 *         Event, Entity, Timestamp, WebhookName, ContextIdentifier,
 *         Changes, FieldValues, Properties)
 */
chats_err_t *chats_webhook_payload(apr_pool_t *p,
                                   const chats_webhook_event_t *ev,
                                   const chats_webhook_hook_t *hook,
                                   const char **pbody, apr_size_t *plen);

/**
 * base64(HMAC-SHA256(key = secret bytes, message = body bytes)),
 * standard alphabet with padding (CHATS_WEBHOOK_SIG_LEN characters), in p.
 * @return NULL, CHATS_E_INVALID for an empty secret (nothing to sign
 *         with), CHATS_E_INTERNAL if OpenSSL fails
 */
chats_err_t *chats_webhook_sign(apr_pool_t *p, const char *secret,
                                apr_size_t secret_len, const char *body,
                                apr_size_t len, const char **psig);

/**
 * May a webhook's own header (name, value) be sent? name must be an
 * RFC 9110 token and none the module sets or that framing owns
 * (Content-Type, User-Agent, X-SuperOffice-*, X-Hook-Test, Host,
 * Content-Length, Transfer-Encoding, Connection, ...; ASCII case
 * ignored); value must hold no control character but HTAB, and be valid
 * UTF-8. For the save-time check too.
 * @return NULL, or CHATS_E_INVALID naming "Headers/<name>"
 */
chats_err_t *chats_webhook_header_check(apr_pool_t *p, const char *name,
                                        const char *value);

/**
 * The request headers of one attempt at ev for hook, with body (from
 * chats_webhook_payload) signed when hook->secret is not empty: an array
 * of chats_webhook_header_t, in this order: Content-Type, User-Agent
 * ("NetServer-Webhook/1.0 mod_chatsession/<version>"),
 * X-SuperOffice-Event, X-SuperOffice-EventId, X-SuperOffice-Retry,
 * [X-Hook-Test], [X-SuperOffice-Signature], then the webhook's own.
 * @return NULL, or CHATS_E_INVALID (a bad header of the webhook's, an
 *         event name or id that cannot be a header value), or what
 *         chats_webhook_sign returns
 */
chats_err_t *chats_webhook_headers(apr_pool_t *p,
                                   const chats_webhook_event_t *ev,
                                   const chats_webhook_hook_t *hook,
                                   const char *version, const char *body,
                                   apr_size_t len,
                                   apr_array_header_t **phdrs);

#endif
