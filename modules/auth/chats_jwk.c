/* JWT verification keys: PEM public keys, JWKS files and HMAC secrets,
 * read once at config time. Only OpenSSL 3's EVP / OSSL_PARAM interfaces
 * (the RSA_* and EC_KEY_* calls are deprecated). */
#include <string.h>

#include <apr_file_io.h>
#include <apr_strings.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "chats_json.h"
#include "chats_jwk.h"

#define CHATS_JWK_MAX_FILE (1024 * 1024)

chats_jwks_t *chats_jwks_make(apr_pool_t *p)
{
    return apr_array_make(p, 4, sizeof(chats_jwk_t));
}

static int b64url_val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    return c == '-' ? 62 : c == '_' ? 63 : -1;
}

int chats_b64url_decode(const char *s, apr_size_t len, unsigned char **pout,
                        apr_size_t *poutlen, apr_pool_t *p)
{
    unsigned char *out = apr_palloc(p, len * 3 / 4 + 1);
    apr_size_t i, n = 0;
    apr_uint32_t acc = 0;
    int bits = 0, v;

    if (len % 4 == 1) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        if ((v = b64url_val((unsigned char)s[i])) < 0) {
            return 0;
        }
        acc = (acc << 6) | (apr_uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    /* Left-over bits must be zero: one encoding per byte string. */
    if (acc != 0) {
        return 0;
    }
    out[n] = '\0';
    *pout = out;
    *poutlen = n;
    return 1;
}

static apr_status_t pkey_cleanup(void *data)
{
    EVP_PKEY_free(data);
    return APR_SUCCESS;
}

static const char *read_file(const char *path, char **pbuf, apr_size_t *plen,
                             apr_pool_t *p)
{
    apr_file_t *f;
    apr_finfo_t fi;
    apr_status_t rv;
    char *buf;
    apr_size_t n = 0;

    if ((rv = apr_file_open(&f, path, APR_FOPEN_READ, 0, p)) != APR_SUCCESS
        || (rv = apr_file_info_get(&fi, APR_FINFO_SIZE, f)) != APR_SUCCESS) {
        char err[120];

        return apr_psprintf(p, "cannot read %s: %s", path,
                            apr_strerror(rv, err, sizeof(err)));
    }
    if (fi.size > CHATS_JWK_MAX_FILE) {
        apr_file_close(f);
        return apr_psprintf(p, "%s: larger than %d bytes", path,
                            CHATS_JWK_MAX_FILE);
    }
    buf = apr_palloc(p, (apr_size_t)fi.size + 1);
    rv = fi.size ? apr_file_read_full(f, buf, (apr_size_t)fi.size, &n)
                 : APR_SUCCESS;
    apr_file_close(f);
    if (rv != APR_SUCCESS) {
        return apr_psprintf(p, "cannot read %s", path);
    }
    buf[n] = '\0';
    *pbuf = buf;
    *plen = n;
    return NULL;
}

/* Check an RSA or EC public key and add it (the pool frees it). */
static const char *add_pkey(chats_jwks_t *ks, EVP_PKEY *pkey, const char *kid,
                            const char *alg, const char *what, apr_pool_t *p)
{
    chats_jwk_t *k;
    char group[64];

    apr_pool_cleanup_register(p, pkey, pkey_cleanup,
                              apr_pool_cleanup_null);
    k = apr_array_push(ks);
    memset(k, 0, sizeof(*k));
    k->kid = kid;
    k->alg = alg;
    k->pkey = pkey;
    if (EVP_PKEY_is_a(pkey, "RSA")) {
        if (EVP_PKEY_get_bits(pkey) < CHATS_JWK_MIN_RSA_BITS) {
            return apr_psprintf(p, "%s: RSA key shorter than %d bits", what,
                                CHATS_JWK_MIN_RSA_BITS);
        }
        k->type = CHATS_JWK_RSA;
        return NULL;
    }
    if (EVP_PKEY_is_a(pkey, "EC")
        && EVP_PKEY_get_group_name(pkey, group, sizeof(group), NULL)
        && !strcmp(group, "prime256v1")) {
        k->type = CHATS_JWK_EC_P256;
        return NULL;
    }
    return apr_psprintf(p, "%s: not an RSA or EC P-256 public key", what);
}

const char *chats_jwks_add_pem(chats_jwks_t *ks, const char *path,
                               apr_pool_t *p)
{
    BIO *bio = BIO_new_file(path, "r");
    EVP_PKEY *pkey;
    X509 *cert = NULL;

    if (bio == NULL) {
        return apr_psprintf(p, "cannot read %s", path);
    }
    pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    if (pkey == NULL && BIO_reset(bio) == 0
        && (cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        pkey = X509_get_pubkey(cert);
        X509_free(cert);
    }
    BIO_free(bio);
    if (pkey == NULL) {
        return apr_psprintf(p, "%s: no PEM public key or certificate", path);
    }
    return add_pkey(ks, pkey, NULL, NULL, path, p);
}

/* A string member of a JWK, or NULL. */
static const char *jwk_str(const chats_doc_t *jwk, const char *name)
{
    const chats_doc_t *v = chats_doc_object_get(jwk, name, strlen(name), 0);

    return v && v->type == CHATS_J_STRING ? v->s : NULL;
}

/* A base64url member decoded; NULL if absent or malformed. */
static unsigned char *jwk_bytes(const chats_doc_t *jwk, const char *name,
                                apr_size_t *plen, apr_pool_t *p)
{
    const char *s = jwk_str(jwk, name);
    unsigned char *out;

    if (s == NULL || !chats_b64url_decode(s, strlen(s), &out, plen, p)
        || *plen == 0) {
        return NULL;
    }
    return out;
}

/* EVP_PKEY_fromdata for a public key of type name ("RSA" or "EC"). */
static EVP_PKEY *pkey_fromdata(const char *name, OSSL_PARAM_BLD *bld)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, name, NULL);
    EVP_PKEY *pkey = NULL;

    if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0
        || EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
        pkey = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return pkey;
}

static EVP_PKEY *jwk_rsa(const chats_doc_t *jwk, apr_pool_t *p)
{
    apr_size_t nlen, elen;
    unsigned char *nb = jwk_bytes(jwk, "n", &nlen, p);
    unsigned char *eb = jwk_bytes(jwk, "e", &elen, p);
    OSSL_PARAM_BLD *bld;
    BIGNUM *n, *e;
    EVP_PKEY *pkey = NULL;

    if (nb == NULL || eb == NULL || (bld = OSSL_PARAM_BLD_new()) == NULL) {
        return NULL;
    }
    n = BN_bin2bn(nb, (int)nlen, NULL);
    e = BN_bin2bn(eb, (int)elen, NULL);
    if (n && e && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n)
        && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e)) {
        pkey = pkey_fromdata("RSA", bld);
    }
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    return pkey;
}

static EVP_PKEY *jwk_ec(const chats_doc_t *jwk, apr_pool_t *p)
{
    const char *crv = jwk_str(jwk, "crv");
    apr_size_t xlen, ylen;
    unsigned char *x = jwk_bytes(jwk, "x", &xlen, p);
    unsigned char *y = jwk_bytes(jwk, "y", &ylen, p);
    unsigned char pub[65];
    OSSL_PARAM_BLD *bld;
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *check;

    if (crv == NULL || strcmp(crv, "P-256") || x == NULL || y == NULL
        || xlen != 32 || ylen != 32 || (bld = OSSL_PARAM_BLD_new()) == NULL) {
        return NULL;
    }
    pub[0] = 0x04;                      /* uncompressed point */
    memcpy(pub + 1, x, 32);
    memcpy(pub + 33, y, 32);
    if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                        "prime256v1", 0)
        && OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
                                            pub, sizeof(pub))) {
        pkey = pkey_fromdata("EC", bld);
    }
    OSSL_PARAM_BLD_free(bld);
    /* A point off the curve must not load (invalid-curve attacks). */
    check = pkey ? EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL) : NULL;
    if (pkey && (check == NULL || EVP_PKEY_public_check(check) != 1)) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    EVP_PKEY_CTX_free(check);
    return pkey;
}

static const char *add_oct(chats_jwks_t *ks, const unsigned char *secret,
                           apr_size_t len, const char *kid, const char *alg,
                           const char *what, apr_pool_t *p)
{
    chats_jwk_t *k;

    if (len < CHATS_JWK_MIN_SECRET) {
        return apr_psprintf(p, "%s: HMAC secret shorter than %d bytes",
                            what, CHATS_JWK_MIN_SECRET);
    }
    k = apr_array_push(ks);
    memset(k, 0, sizeof(*k));
    k->type = CHATS_JWK_OCT;
    k->kid = kid;
    k->alg = alg;
    k->secret = secret;
    k->secret_len = len;
    return NULL;
}

static const char *add_jwk(chats_jwks_t *ks, const chats_doc_t *jwk, int i,
                           const char *path, apr_pool_t *p)
{
    const char *kty = jwk_str(jwk, "kty"), *use = jwk_str(jwk, "use");
    const char *kid = jwk_str(jwk, "kid"), *alg = jwk_str(jwk, "alg");
    const char *what = apr_psprintf(p, "%s: key %d%s%s", path, i,
                                    kid ? " kid " : "", kid ? kid : "");
    EVP_PKEY *pkey;
    unsigned char *k;
    apr_size_t klen;

    if (jwk->type != CHATS_J_OBJECT || kty == NULL) {
        return apr_psprintf(p, "%s: not a JWK (no \"kty\")", what);
    }
    if (use != NULL && strcmp(use, "sig")) {
        return NULL;                    /* an encryption key: not ours */
    }
    if (!strcmp(kty, "RSA") || !strcmp(kty, "EC")) {
        pkey = !strcmp(kty, "RSA") ? jwk_rsa(jwk, p) : jwk_ec(jwk, p);
        if (pkey == NULL) {
            return apr_psprintf(p, "%s: malformed %s key", what, kty);
        }
        return add_pkey(ks, pkey, kid, alg, what, p);
    }
    if (!strcmp(kty, "oct")) {
        if ((k = jwk_bytes(jwk, "k", &klen, p)) == NULL) {
            return apr_psprintf(p, "%s: malformed oct key", what);
        }
        return add_oct(ks, k, klen, kid, alg, what, p);
    }
    return NULL;                        /* OKP and others: skipped */
}

const char *chats_jwks_add_jwks(chats_jwks_t *ks, const char *path,
                                apr_pool_t *p)
{
    chats_json_limits_t lim = { CHATS_JWK_MAX_FILE, 16, 0, 0,
                                CHATS_JSON_DUP_REJECT };
    const chats_doc_t *keys;
    chats_doc_t *doc;
    chats_err_t *e;
    const char *err;
    char *buf;
    apr_size_t len;
    int i;

    if ((err = read_file(path, &buf, &len, p)) != NULL) {
        return err;
    }
    if ((e = chats_json_parse(&doc, buf, len, &lim, p)) != NULL) {
        return apr_psprintf(p, "%s: not JSON (%s)", path,
                            e->message ? e->message : "syntax");
    }
    keys = doc->type == CHATS_J_OBJECT
           ? chats_doc_object_get(doc, "keys", 4, 0) : NULL;
    if (keys == NULL || keys->type != CHATS_J_ARRAY) {
        return apr_psprintf(p, "%s: no \"keys\" array", path);
    }
    for (i = 0; i < chats_doc_array_len(keys); i++) {
        err = add_jwk(ks, chats_doc_array_get(keys, i), i, path, p);
        if (err != NULL) {
            return err;
        }
    }
    return NULL;
}

const char *chats_jwks_add_secret(chats_jwks_t *ks, const char *path,
                                  apr_pool_t *p)
{
    const char *err;
    char *buf;
    apr_size_t len;

    if ((err = read_file(path, &buf, &len, p)) != NULL) {
        return err;
    }
    if (len > 0 && buf[len - 1] == '\n') {
        len--;
        if (len > 0 && buf[len - 1] == '\r') {
            len--;
        }
    }
    return add_oct(ks, (const unsigned char *)buf, len, NULL, NULL, path, p);
}
