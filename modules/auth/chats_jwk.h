/* Keys that verify JWTs: public keys from a PEM file, keys from a JWKS
 * file (RFC 7517), HMAC secrets from a file. Loaded at config time into
 * the configuration pool, never per request. Core header: APR, OpenSSL
 * and chats_json only (no httpd). */
#ifndef CHATS_JWK_H
#define CHATS_JWK_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <openssl/evp.h>

/** Key types; each JWS algorithm accepts exactly one of them, so an
 * RSA public key can never serve as an HMAC secret (algorithm confusion). */
typedef enum {
    CHATS_JWK_RSA = 1,       /**< RS256                                  */
    CHATS_JWK_EC_P256,       /**< ES256                                  */
    CHATS_JWK_OCT            /**< HS256: a shared secret                 */
} chats_jwk_type_e;

typedef struct {
    chats_jwk_type_e type;
    const char *kid;              /**< NULL: matches any kid               */
    const char *alg;              /**< the JWK's "alg", or NULL            */
    EVP_PKEY *pkey;               /**< RSA / EC; freed by a pool cleanup   */
    const unsigned char *secret;  /**< oct                                 */
    apr_size_t secret_len;
} chats_jwk_t;

/** Keys in load order: an array of chats_jwk_t. */
typedef apr_array_header_t chats_jwks_t;

/** Shortest HMAC secret accepted: the SHA-256 size (RFC 7518 3.2). */
#define CHATS_JWK_MIN_SECRET 32
/** Smallest RSA modulus accepted, in bits. */
#define CHATS_JWK_MIN_RSA_BITS 2048

chats_jwks_t *chats_jwks_make(apr_pool_t *p);

/** Add the public key (RSA >= 2048 bits or EC P-256) of a PEM file
 * ("PUBLIC KEY" or "CERTIFICATE"). Returns NULL, or an error text in p. */
const char *chats_jwks_add_pem(chats_jwks_t *ks, const char *path,
                               apr_pool_t *p);

/** Add every signing key of a JWKS file: RSA (n, e), EC P-256 (x, y),
 * oct (k). Keys with "use" other than "sig" and unknown "kty" are skipped;
 * a malformed key of a known type is an error. Returns NULL or a text. */
const char *chats_jwks_add_jwks(chats_jwks_t *ks, const char *path,
                                apr_pool_t *p);

/** Add an HMAC secret: the bytes of the file, one trailing newline (LF
 * or CRLF) removed; at least CHATS_JWK_MIN_SECRET bytes. */
const char *chats_jwks_add_secret(chats_jwks_t *ks, const char *path,
                                  apr_pool_t *p);

/** Strict base64url (RFC 4648 section 5, no padding, no whitespace,
 * unused trailing bits zero). Returns 1 and the bytes (NUL-terminated
 * copy in p), or 0 if malformed. */
int chats_b64url_decode(const char *s, apr_size_t len, unsigned char **pout,
                        apr_size_t *poutlen, apr_pool_t *p);

#endif
