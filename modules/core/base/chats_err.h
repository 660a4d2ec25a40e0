/* Typed errors: produced where a failure is detected, mapped to HTTP in one
 * place (mod_chats_http.c) through the one table of error kinds below, from
 * which the OpenAPI document's error responses are made too
 * (chats_openapi.c). Core header: APR only. */
#ifndef CHATS_ERR_H
#define CHATS_ERR_H

#include <apr_pools.h>
#include <apr_errno.h>

typedef enum {
    CHATS_E_NONE = 0,
    CHATS_E_SYNTAX,        /**< malformed JSON, invalid UTF-8, too deep   */
    CHATS_E_INVALID,       /**< bad op/path/value, unknown field, type    */
    CHATS_E_READONLY,      /**< a read-only field given another value     */
    CHATS_E_PATH,          /**< a patch path that does not exist          */
    CHATS_E_BAD_ID,        /**< the id in the URL is not an int32 > 0     */
    CHATS_E_MEDIA,         /**< unsupported Content-Type                  */
    CHATS_E_TOO_BIG,       /**< body over the configured limit            */
    CHATS_E_NOT_FOUND,     /**< no such chat session (or topic)           */
    CHATS_E_TEST_FAILED,   /**< an RFC 6902 "test" op did not match       */
    CHATS_E_STALE,         /**< a precondition (If-Unmodified-Since) fails */
    CHATS_E_UNAUTHORIZED,  /**< no or wrong credentials                   */
    CHATS_E_FORBIDDEN,     /**< authenticated, not allowed                */
    CHATS_E_METHOD,        /**< method not allowed on this resource       */
    CHATS_E_DB_DOWN,       /**< PostgreSQL unreachable / connection lost  */
    CHATS_E_INTERNAL,      /**< a bug or an unexpected server failure     */
    CHATS_E_NOT_MODIFIED,  /**< not an error: a conditional GET's 304     */
    CHATS_E_NOT_ACCEPTABLE, /**< no representation the Accept header takes */
    CHATS_E_MISCONFIGURED, /**< permanent: the database or its schema does
                                not fit the configuration (not retryable) */
    CHATS_E_KEY_REUSED,    /**< an Idempotency-Key sent again with another
                                request (method, route, target or body) */
    CHATS_E_IN_USE         /**< a DELETE of a row other rows still refer
                                to (a chat topic with sessions)       */
} chats_ecode_t;

typedef struct chats_err_t {
    chats_ecode_t code;
    int op_index;          /**< index of the failing op, -1 if none       */
    const char *field;     /**< field or member path named, or NULL       */
    const char *message;   /**< human text, never secrets nor raw bodies  */
    apr_status_t rv;       /**< underlying APR status, APR_SUCCESS if none */
} chats_err_t;

/** Make an error in pool p; message is printf-style (may be NULL). */
chats_err_t *chats_err_make(apr_pool_t *p, chats_ecode_t code,
                            const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/** Set the op index of e (if e has none yet) and return e. */
chats_err_t *chats_err_at(chats_err_t *e, int op_index);

/** Short stable name of an error code (for logs and the tools):
 * "none" for CHATS_E_NONE, "unknown" for a code without a kind. */
const char *chats_err_name(chats_ecode_t code);

/** Which routes a kind of error can arise on: with the route table's
 * arguments and operations (chats_routes.h), this makes each route's
 * statuses in the OpenAPI document (chats_route_answers). */
typedef enum {
    CHATS_EW_NONE,      /**< no route's own: the path's (405), or a bug or
                             a broken installation (500), on any route */
    CHATS_EW_ANY,       /**< every route (authentication, rights, the
                             database)                                */
    CHATS_EW_ANSWER,    /**< routes that answer a representation: Accept,
                             $select and the request's zone are read   */
    CHATS_EW_BODY,      /**< routes that read a request body          */
    CHATS_EW_ID,        /**< routes given a session id                */
    CHATS_EW_SESSION,   /**< routes that name a session: an id, the
                             entity, or an Idempotency-Key's answer    */
    CHATS_EW_PATCH,     /**< PATCH                                    */
    CHATS_EW_COND,      /**< routes that read conditional headers     */
    CHATS_EW_COND_GET,  /**< ... and answer 304 (GET)                 */
    CHATS_EW_KEY,       /**< routes that take Idempotency-Key         */
    CHATS_EW_IN_USE     /**< DELETE of an entity whose rows others refer
                             to (chats_entity_def_t.in_use)           */
} chats_err_where_e;

/** What the module says about one kind of error. The status is a plain
 * number because the core has no httpd headers; mod_chats_http.c sends it. */
typedef struct {
    chats_ecode_t code;
    const char *name;           /**< short stable name (logs, tools)     */
    int status;                 /**< HTTP status: 400, 404, ...          */
    chats_err_where_e where;    /**< the routes it arises on             */
    const char *type;           /**< ErrorType of the body: the .NET-style
                                     exception class SuperOffice names   */
    const char *header;         /**< a header the glue adds to this kind's
                                     response (documentation), or NULL   */
    const char *desc;           /**< when it happens, one sentence, for
                                     people (the OpenAPI responses)      */
} chats_err_kind_t;

/** The kind of code, or NULL for CHATS_E_NONE and unknown codes (the
 * error sender answers those as CHATS_E_INTERNAL). Static storage. */
const chats_err_kind_t *chats_err_kind(chats_ecode_t code);

/** Every kind, in the enum's order; *pn gets their number. */
const chats_err_kind_t *chats_err_kinds(int *pn);

/** The smallest status of a kind above after (0: the first), or 0 when
 * none is: walks the kinds' statuses in ascending order, each once. */
int chats_err_next_status(int after);

/** The reason phrase of an HTTP status the kinds use, as an identifier
 * (RFC 9110 section 15: "BadRequest", "NotFound"), or NULL. Static. */
const char *chats_err_reason(int status);

#endif
