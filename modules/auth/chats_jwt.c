/* JWT verification. The header's "alg" picks the key TYPE as well as the
 * algorithm: RS256 only ever uses RSA keys, ES256 EC P-256 keys, HS256
 * oct secrets. An HS256 token "signed" with the RSA public key therefore
 * finds no key (algorithm confusion), and "none" is never allowed. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "chats_json.h"
#include "chats_jwt.h"

/* Longest user claim: the associate table's login column. */
#define CHATS_JWT_MAX_USER 64

static const struct {
    const char *name;
    unsigned bit;
    chats_jwk_type_e type;
} chats_jwt_algs[] = {
    { "RS256", CHATS_JWT_RS256, CHATS_JWK_RSA },
    { "ES256", CHATS_JWT_ES256, CHATS_JWK_EC_P256 },
    { "HS256", CHATS_JWT_HS256, CHATS_JWK_OCT },
};

#define CHATS_JWT_NALGS (sizeof(chats_jwt_algs) / sizeof(chats_jwt_algs[0]))

unsigned chats_jwt_alg_bit(const char *name)
{
    apr_size_t i;

    for (i = 0; i < CHATS_JWT_NALGS; i++) {
        if (!strcmp(name, chats_jwt_algs[i].name)) {
            return chats_jwt_algs[i].bit;
        }
    }
    return 0;
}

/* A base64url part that must hold a JSON object. */
static chats_doc_t *part_json(const char *s, apr_size_t len, apr_pool_t *p)
{
    chats_json_limits_t lim = { CHATS_JWT_MAX_LEN, 8, 0, 256,
                                CHATS_JSON_DUP_REJECT };
    unsigned char *raw;
    apr_size_t n;
    chats_doc_t *doc;

    if (!chats_b64url_decode(s, len, &raw, &n, p)
        || chats_json_parse(&doc, (const char *)raw, n, &lim, p) != NULL
        || doc->type != CHATS_J_OBJECT) {
        return NULL;
    }
    return doc;
}

static const chats_doc_t *member(const chats_doc_t *o, const char *name)
{
    return chats_doc_object_get(o, name, strlen(name), 0);
}

/* ES256 signatures are r||s (RFC 7518 3.4); OpenSSL wants DER. */
static int es256_der(const unsigned char *sig, apr_size_t len,
                     unsigned char **pder, int *pderlen)
{
    ECDSA_SIG *es;
    BIGNUM *r, *s;

    if (len != 64 || (es = ECDSA_SIG_new()) == NULL) {
        return 0;
    }
    r = BN_bin2bn(sig, 32, NULL);
    s = BN_bin2bn(sig + 32, 32, NULL);
    if (r == NULL || s == NULL || !ECDSA_SIG_set0(es, r, s)) {
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(es);
        return 0;
    }
    *pder = NULL;
    *pderlen = i2d_ECDSA_SIG(es, pder);
    ECDSA_SIG_free(es);
    return *pderlen > 0;
}

static int verify_pkey(const chats_jwk_t *k, const unsigned char *sig,
                       apr_size_t siglen, const char *data, apr_size_t len)
{
    EVP_MD_CTX *ctx;
    unsigned char *der = NULL;
    int derlen = 0, ok;

    if (k->type == CHATS_JWK_EC_P256) {
        if (!es256_der(sig, siglen, &der, &derlen)) {
            return 0;
        }
        sig = der;
        siglen = (apr_size_t)derlen;
    }
    else if (siglen != (apr_size_t)EVP_PKEY_get_size(k->pkey)) {
        return 0;
    }
    ctx = EVP_MD_CTX_new();
    ok = ctx != NULL
         && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL,
                                 k->pkey) == 1
         && EVP_DigestVerify(ctx, sig, siglen, (const unsigned char *)data,
                             len) == 1;
    EVP_MD_CTX_free(ctx);
    OPENSSL_free(der);
    return ok;
}

static int verify_hmac(const chats_jwk_t *k, const unsigned char *sig,
                       apr_size_t siglen, const char *data, apr_size_t len)
{
    char digest[] = "SHA256";
    OSSL_PARAM params[2];
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    unsigned char out[EVP_MAX_MD_SIZE];
    size_t outlen = 0;
    int ok;

    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                 digest, 0);
    params[1] = OSSL_PARAM_construct_end();
    ok = ctx != NULL
         && EVP_MAC_init(ctx, k->secret, k->secret_len, params) == 1
         && EVP_MAC_update(ctx, (const unsigned char *)data, len) == 1
         && EVP_MAC_final(ctx, out, &outlen, sizeof(out)) == 1
         && outlen == 32 && siglen == 32
         && CRYPTO_memcmp(out, sig, 32) == 0;
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    OPENSSL_cleanse(out, sizeof(out));
    return ok;
}

/* Try the keys of the algorithm's type: those with the token's kid
 * first; keys without a kid (PEM files, secrets) match any token. */
static chats_jwt_status_e verify_sig(const chats_jwt_policy_t *pol,
                                     int alg, const char *kid,
                                     const unsigned char *sig,
                                     apr_size_t siglen, const char *data,
                                     apr_size_t len)
{
    int i, pass, tried = 0;

    for (pass = 0; pass < 2; pass++) {
        for (i = 0; pol->keys && i < pol->keys->nelts; i++) {
            const chats_jwk_t *k = &APR_ARRAY_IDX(pol->keys, i, chats_jwk_t);

            if (k->type != chats_jwt_algs[alg].type
                || (k->alg && strcmp(k->alg, chats_jwt_algs[alg].name))
                || (pass == 0 && (kid == NULL || k->kid == NULL
                                  || strcmp(kid, k->kid)))
                || (pass == 1 && kid != NULL && k->kid != NULL)) {
                continue;
            }
            tried++;
            if (k->type == CHATS_JWK_OCT
                ? verify_hmac(k, sig, siglen, data, len)
                : verify_pkey(k, sig, siglen, data, len)) {
                return CHATS_JWT_OK;
            }
        }
    }
    return tried ? CHATS_JWT_BAD_SIG : CHATS_JWT_NO_KEY;
}

/* The algorithm (index into chats_jwt_algs) and kid from the header. */
static chats_jwt_status_e check_header(const chats_doc_t *hdr,
                                       const chats_jwt_policy_t *pol,
                                       int *palg, const char **pkid,
                                       const char **preason)
{
    const chats_doc_t *alg = member(hdr, "alg"), *kid = member(hdr, "kid");
    apr_size_t i;

    if (member(hdr, "crit") != NULL) {
        *preason = "header has \"crit\" extensions";
        return CHATS_JWT_MALFORMED;
    }
    if (alg == NULL || alg->type != CHATS_J_STRING) {
        *preason = "header has no \"alg\"";
        return CHATS_JWT_MALFORMED;
    }
    if (kid != NULL && kid->type != CHATS_J_STRING) {
        *preason = "\"kid\" is not a string";
        return CHATS_JWT_MALFORMED;
    }
    for (i = 0; i < CHATS_JWT_NALGS; i++) {
        if (!strcmp(alg->s, chats_jwt_algs[i].name)
            && (pol->algs & chats_jwt_algs[i].bit)) {
            *palg = (int)i;
            *pkid = kid ? kid->s : NULL;
            return CHATS_JWT_OK;
        }
    }
    *preason = "algorithm not allowed";
    return CHATS_JWT_BAD_ALG;
}

/* A NumericDate claim: 1 if present and valid, 0 if absent, -1 if bad. */
static int numeric_date(const chats_doc_t *claims, const char *name,
                        double *pv)
{
    const chats_doc_t *v = member(claims, name);
    char *end;

    if (v == NULL) {
        return 0;
    }
    if (v->type != CHATS_J_NUMBER) {
        return -1;
    }
    *pv = strtod(v->s, &end);
    return (*end == '\0' && isfinite(*pv)) ? 1 : -1;
}

static int audience_ok(const chats_doc_t *aud, const apr_array_header_t *want)
{
    int i, j, n = aud->type == CHATS_J_ARRAY ? chats_doc_array_len(aud) : 1;

    for (i = 0; i < n; i++) {
        const chats_doc_t *a = aud->type == CHATS_J_ARRAY
                               ? chats_doc_array_get(aud, i) : aud;

        for (j = 0; a->type == CHATS_J_STRING && j < want->nelts; j++) {
            const char *w = APR_ARRAY_IDX(want, j, const char *);

            if (strlen(w) == a->len && !memcmp(w, a->s, a->len)) {
                return 1;
            }
        }
    }
    return 0;
}

static chats_jwt_status_e check_claims(const chats_doc_t *c,
                                       const chats_jwt_policy_t *pol,
                                       apr_int64_t now,
                                       chats_jwt_claims_t *out,
                                       const char **preason)
{
    const chats_doc_t *iss = member(c, "iss"), *aud = member(c, "aud");
    const chats_doc_t *user = member(c, pol->user_claim);
    double exp, nbf;
    int has;

    if ((has = numeric_date(c, "exp", &exp)) <= 0) {
        *preason = has ? "\"exp\" is not a number" : "no \"exp\" claim";
        return has ? CHATS_JWT_MALFORMED : CHATS_JWT_EXPIRED;
    }
    if ((double)now >= exp + (double)pol->leeway) {
        *preason = "token expired";
        return CHATS_JWT_EXPIRED;
    }
    if ((has = numeric_date(c, "nbf", &nbf)) < 0) {
        *preason = "\"nbf\" is not a number";
        return CHATS_JWT_MALFORMED;
    }
    if (has && (double)now + (double)pol->leeway < nbf) {
        *preason = "token not yet valid (nbf)";
        return CHATS_JWT_NOT_YET;
    }
    if (pol->issuer && (iss == NULL || iss->type != CHATS_J_STRING
                        || strlen(pol->issuer) != iss->len
                        || memcmp(pol->issuer, iss->s, iss->len))) {
        *preason = "wrong issuer";
        return CHATS_JWT_BAD_ISS;
    }
    if (pol->audiences && pol->audiences->nelts
        && (aud == NULL || !audience_ok(aud, pol->audiences))) {
        *preason = "wrong audience";
        return CHATS_JWT_BAD_AUD;
    }
    if (user == NULL || user->type != CHATS_J_STRING || user->len == 0
        || user->len > CHATS_JWT_MAX_USER
        || memchr(user->s, '\0', user->len) != NULL) {
        *preason = "user claim missing or not a login name";
        return CHATS_JWT_NO_USER;
    }
    out->user = user->s;
    /* Bounded so that seconds -> microseconds cannot overflow. */
    out->exp = exp <= 0 ? 0 : exp >= 9.0e12 ? (apr_int64_t)9000000000000
                                            : (apr_int64_t)exp;
    return CHATS_JWT_OK;
}

chats_jwt_status_e chats_jwt_verify(const char *token, apr_size_t len,
                                    const chats_jwt_policy_t *pol,
                                    apr_int64_t now, chats_jwt_claims_t *out,
                                    const char **preason, apr_pool_t *p)
{
    const char *dot1, *dot2, *kid = NULL;
    chats_doc_t *hdr, *claims;
    unsigned char *sig;
    apr_size_t siglen;
    chats_jwt_status_e st;
    int alg = 0;

    out->user = NULL;
    out->exp = 0;
    *preason = "malformed token";
    if (len == 0 || len > CHATS_JWT_MAX_LEN
        || (dot1 = memchr(token, '.', len)) == NULL
        || (dot2 = memchr(dot1 + 1, '.', len - (apr_size_t)(dot1 + 1 - token)))
           == NULL
        || memchr(dot2 + 1, '.', len - (apr_size_t)(dot2 + 1 - token))) {
        return CHATS_JWT_MALFORMED;
    }
    if ((hdr = part_json(token, (apr_size_t)(dot1 - token), p)) == NULL) {
        *preason = "header is not base64url JSON";
        return CHATS_JWT_MALFORMED;
    }
    if ((st = check_header(hdr, pol, &alg, &kid, preason)) != CHATS_JWT_OK) {
        return st;
    }
    if ((claims = part_json(dot1 + 1, (apr_size_t)(dot2 - dot1 - 1), p))
        == NULL) {
        *preason = "payload is not base64url JSON";
        return CHATS_JWT_MALFORMED;
    }
    if (!chats_b64url_decode(dot2 + 1, len - (apr_size_t)(dot2 + 1 - token),
                             &sig, &siglen, p)) {
        *preason = "signature is not base64url";
        return CHATS_JWT_MALFORMED;
    }
    st = verify_sig(pol, alg, kid, sig, siglen, token,
                    (apr_size_t)(dot2 - token));
    if (st != CHATS_JWT_OK) {
        *preason = st == CHATS_JWT_NO_KEY ? "no key for the algorithm/kid"
                                          : "bad signature";
        return st;
    }
    return check_claims(claims, pol, now, out, preason);
}
