/* libFuzzer target: the JWT and JWK decoders (auth/chats_jwt.c,
 * auth/chats_jwk.c; no httpd header there).
 *
 * Input: byte 0 the mode, byte 1 policy bits, then:
 *   mode 0: a token as a client sends it;
 *   mode 1: header JSON, NUL, claims JSON: the target encodes them and
 *           signs with its own HS256 secret, so the input reaches the
 *           claim checks behind a valid signature;
 *   mode 2: the same, signed ES256 with the target's own P-256 key;
 *   mode 3: a JWKS document, read by chats_jwks_add_jwks (from a memfd:
 *           the loader takes a path);
 *   mode 4: base64url text.
 *
 * Invariants: a token the target signed never fails its signature when
 * its header names the algorithm and no other kid; a verified token
 * names a user of 1-64 bytes; base64url that decodes encodes back to
 * the same text. Keys are made once per process (the fuzzer's state). */
#include <sys/mman.h>
#include <unistd.h>

#include <apr_strings.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "chats_doc.h"
#include "chats_json.h"
#include "chats_jwk.h"
#include "chats_jwt.h"
#include "fuzz.h"

#define NOW 1700000000

static const unsigned char secret[32] = "fuzz-secret-0123456789abcdefghij";

typedef struct {
    chats_jwks_t *keys;
    EVP_PKEY *ec;
    apr_array_header_t *aud;
} fuzz_keys_t;

static const fuzz_keys_t *keys(void)
{
    static fuzz_keys_t k;
    chats_jwk_t *j;

    if (k.keys == NULL) {
        apr_pool_t *p = fuzz_root();

        k.ec = EVP_EC_gen("P-256");
        if (k.ec == NULL) {
            abort();
        }
        k.keys = chats_jwks_make(p);
        j = apr_array_push(k.keys);
        memset(j, 0, sizeof(*j));
        j->type = CHATS_JWK_OCT;
        j->secret = secret;
        j->secret_len = sizeof(secret);
        j = apr_array_push(k.keys);
        memset(j, 0, sizeof(*j));
        j->type = CHATS_JWK_EC_P256;
        j->pkey = k.ec;
        k.aud = apr_array_make(p, 2, sizeof(const char *));
        APR_ARRAY_PUSH(k.aud, const char *) = "chats";
        APR_ARRAY_PUSH(k.aud, const char *) = "api";
    }
    return &k;
}

static const char *b64url(apr_pool_t *p, const unsigned char *s, size_t len)
{
    static const char a[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *out = apr_palloc(p, len * 4 / 3 + 4), *o = out;
    size_t i;

    for (i = 0; i + 2 < len; i += 3) {
        *o++ = a[s[i] >> 2];
        *o++ = a[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
        *o++ = a[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)];
        *o++ = a[s[i + 2] & 63];
    }
    if (len - i == 1) {
        *o++ = a[s[i] >> 2];
        *o++ = a[(s[i] & 3) << 4];
    }
    else if (len - i == 2) {
        *o++ = a[s[i] >> 2];
        *o++ = a[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
        *o++ = a[(s[i + 1] & 15) << 2];
    }
    *o = '\0';
    return out;
}

static const char *sign_hs256(apr_pool_t *p, const char *input)
{
    unsigned char mac[32];
    size_t n = 0;

    if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, secret,
                   sizeof(secret), (const unsigned char *)input,
                   strlen(input), mac, sizeof(mac), &n) || n != 32) {
        abort();
    }
    return b64url(p, mac, n);
}

/* ES256: the DER signature OpenSSL makes, as r||s (RFC 7518 3.4). */
static const char *sign_es256(apr_pool_t *p, const char *input)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char der[80], rs[64];
    const unsigned char *d = der;
    size_t n = sizeof(der);
    ECDSA_SIG *es;
    const BIGNUM *r, *s;

    if (ctx == NULL
        || EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL,
                              keys()->ec) != 1
        || EVP_DigestSign(ctx, der, &n, (const unsigned char *)input,
                          strlen(input)) != 1
        || (es = d2i_ECDSA_SIG(NULL, &d, (long)n)) == NULL) {
        abort();
    }
    ECDSA_SIG_get0(es, &r, &s);
    BN_bn2binpad(r, rs, 32);
    BN_bn2binpad(s, rs + 32, 32);
    ECDSA_SIG_free(es);
    EVP_MD_CTX_free(ctx);
    return b64url(p, rs, sizeof(rs));
}

/* Would the verifier look for our key? The header reads as an object
 * naming alg (and no crit, no kid). */
static int plain_header(const uint8_t *h, size_t len, const char *alg,
                        apr_pool_t *p)
{
    chats_json_limits_t lim = { CHATS_JWT_MAX_LEN, 8, 0, 256,
                                CHATS_JSON_DUP_REJECT };
    chats_doc_t *d = NULL;
    const chats_doc_t *a;

    if (chats_json_parse(&d, (const char *)h, len, &lim, p) != NULL
        || d->type != CHATS_J_OBJECT
        || chats_doc_object_get(d, "crit", 4, 0)
        || chats_doc_object_get(d, "kid", 3, 0)) {
        return 0;
    }
    a = chats_doc_object_get(d, "alg", 3, 0);
    return a && a->type == CHATS_J_STRING && a->len == strlen(alg)
           && !memcmp(a->s, alg, a->len);
}

static void verify(const char *tok, size_t len, uint8_t bits,
                   chats_jwt_status_e *pst, apr_pool_t *p)
{
    chats_jwt_policy_t pol;
    chats_jwt_claims_t out;
    const char *reason = NULL;

    memset(&pol, 0, sizeof(pol));
    pol.algs = (bits & 7) ? (bits & 7) : CHATS_JWT_ALL;
    pol.keys = keys()->keys;
    pol.issuer = (bits & 0x08) ? "https://idp.example" : NULL;
    pol.audiences = (bits & 0x10) ? keys()->aud : NULL;
    pol.leeway = (bits & 0x20) ? 3600 : 60;
    pol.user_claim = (bits & 0x40) ? "preferred_username" : "sub";
    *pst = chats_jwt_verify(tok, len, &pol, NOW, &out, &reason, p);
    FUZZ_ASSERT(reason != NULL, "no reason given");
    if (*pst == CHATS_JWT_OK) {
        FUZZ_ASSERT(out.user && *out.user && strlen(out.user) <= 64,
                    "a verified token without a user");
        FUZZ_ASSERT(out.exp >= 0, "a negative expiry");
    }
}

static void forged(const uint8_t *data, size_t size, int es, uint8_t bits,
                   apr_pool_t *p)
{
    const uint8_t *h, *c;
    size_t hlen, clen;
    const char *input, *tok;
    chats_jwt_status_e st;

    fuzz_split(data, size, &h, &hlen, &c, &clen);
    input = apr_pstrcat(p, b64url(p, h, hlen), ".", b64url(p, c, clen),
                        NULL);
    tok = apr_pstrcat(p, input, ".",
                      es ? sign_es256(p, input) : sign_hs256(p, input),
                      NULL);
    verify(tok, strlen(tok), bits, &st, p);
    if (strlen(tok) <= CHATS_JWT_MAX_LEN
        && ((bits & 7) == 0
            || (bits & (es ? CHATS_JWT_ES256 : CHATS_JWT_HS256)))
        && plain_header(h, hlen, es ? "ES256" : "HS256", p)) {
        FUZZ_ASSERT(st != CHATS_JWT_BAD_SIG && st != CHATS_JWT_NO_KEY
                    && st != CHATS_JWT_BAD_ALG,
                    "a token we signed does not verify");
    }
}

static void jwks(const uint8_t *data, size_t size, apr_pool_t *p)
{
    int fd = memfd_create("jwks", 0);
    chats_jwks_t *ks = chats_jwks_make(p);
    const char *err;

    if (fd < 0) {
        abort();
    }
    if (size && write(fd, data, size) != (ssize_t)size) {
        abort();
    }
    err = chats_jwks_add_jwks(ks, apr_psprintf(p, "/proc/self/fd/%d", fd), p);
    close(fd);
    if (err == NULL) {
        int i;

        for (i = 0; i < ks->nelts; i++) {
            const chats_jwk_t *k = &APR_ARRAY_IDX(ks, i, chats_jwk_t);

            FUZZ_ASSERT(k->type == CHATS_JWK_OCT
                        ? k->secret_len >= CHATS_JWK_MIN_SECRET
                        : k->pkey != NULL, "a key loaded without material");
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    chats_jwt_status_e st;
    unsigned char *raw;
    apr_size_t n;

    if (size < 2) {
        return 0;
    }
    p = fuzz_pool();
    keys();
    switch (data[0] % 5) {
    case 0:
        verify((const char *)data + 2, size - 2, data[1], &st, p);
        break;
    case 1:
    case 2:
        forged(data + 2, size - 2, data[0] % 5 == 2, data[1], p);
        break;
    case 3:
        jwks(data + 2, size - 2, p);
        break;
    default:
        if (chats_b64url_decode((const char *)data + 2, size - 2, &raw, &n,
                                p)) {
            const char *back = b64url(p, raw, n);

            FUZZ_ASSERT(strlen(back) == size - 2
                        && !memcmp(back, data + 2, size - 2),
                        "base64url decodes to bytes that encode otherwise");
        }
        chats_jwt_alg_bit(fuzz_strz(p, data + 2, size - 2));
        break;
    }
    apr_pool_destroy(p);
    return 0;
}
