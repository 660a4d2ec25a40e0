/* JWS compact-serialised JWT verification (RFC 7515, 7519, 7518):
 * RS256, ES256 and HS256 with OpenSSL 3 EVP. Core header: APR, OpenSSL
 * and chats_json only (no httpd). */
#ifndef CHATS_JWT_H
#define CHATS_JWT_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "chats_jwk.h"

/* Algorithm bits for chats_jwt_policy_t.algs. */
#define CHATS_JWT_RS256 0x1
#define CHATS_JWT_ES256 0x2
#define CHATS_JWT_HS256 0x4
#define CHATS_JWT_ALL   (CHATS_JWT_RS256 | CHATS_JWT_ES256 | CHATS_JWT_HS256)

/** Longest token accepted, in bytes. */
#define CHATS_JWT_MAX_LEN 8192

typedef struct {
    unsigned algs;                  /**< CHATS_JWT_* bits allowed        */
    const chats_jwks_t *keys;       /**< verification keys               */
    const char *issuer;             /**< NULL: "iss" not checked         */
    const apr_array_header_t *audiences; /**< const char *; NULL: no check */
    apr_int64_t leeway;             /**< seconds of clock skew allowed   */
    const char *user_claim;         /**< claim naming the associate      */
} chats_jwt_policy_t;

typedef enum {
    CHATS_JWT_OK = 0,
    CHATS_JWT_MALFORMED,     /**< not three base64url parts of JSON objects */
    CHATS_JWT_BAD_ALG,       /**< "none", unknown, or not allowed            */
    CHATS_JWT_NO_KEY,        /**< no key of the algorithm's type (and kid)   */
    CHATS_JWT_BAD_SIG,       /**< the signature does not verify              */
    CHATS_JWT_EXPIRED,       /**< no "exp", or exp + leeway is past          */
    CHATS_JWT_NOT_YET,       /**< nbf - leeway is in the future              */
    CHATS_JWT_BAD_ISS,
    CHATS_JWT_BAD_AUD,
    CHATS_JWT_NO_USER        /**< the user claim is missing or not a name    */
} chats_jwt_status_e;

/** What a verified token says. */
typedef struct {
    const char *user;               /**< the user claim's value (in p)   */
    apr_int64_t exp;                /**< "exp" in whole seconds (rounded
                                         down), for whoever keeps the
                                         verdict: never past it          */
} chats_jwt_claims_t;

/**
 * Verify token (len bytes) at time now (seconds since the epoch) under
 * pol. On CHATS_JWT_OK *out holds the claims. Whatever the result,
 * *preason is a short static text for the log: it never contains token
 * material.
 */
chats_jwt_status_e chats_jwt_verify(const char *token, apr_size_t len,
                                    const chats_jwt_policy_t *pol,
                                    apr_int64_t now, chats_jwt_claims_t *out,
                                    const char **preason, apr_pool_t *p);

/** The CHATS_JWT_* bit of an algorithm name ("RS256" ...), or 0. */
unsigned chats_jwt_alg_bit(const char *name);

#endif
