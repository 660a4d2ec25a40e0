/* What the libFuzzer targets share: one APR pool per process, created on
 * the first input (a fuzzer's own state, not the module's), and a
 * sub-pool per input so that nothing outlives the input it came from;
 * splitting an input into its parts, and reading a JSON text as the
 * endpoints do. Header-only; each target includes it once. */
#ifndef CHATS_FUZZ_H
#define CHATS_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>

#include "chats_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The pool every input's sub-pool comes from. */
static apr_pool_t *fuzz_root(void)
{
    static apr_pool_t *root;

    if (root == NULL) {
        if (apr_initialize() != APR_SUCCESS
            || apr_pool_create(&root, NULL) != APR_SUCCESS) {
            abort();
        }
    }
    return root;
}

static apr_pool_t *fuzz_pool(void)
{
    apr_pool_t *p;

    if (apr_pool_create(&p, fuzz_root()) != APR_SUCCESS) {
        abort();
    }
    return p;
}

/* An invariant broke: say which, and crash so libFuzzer keeps the input. */
#define FUZZ_ASSERT(cond, what)                                           \
    do {                                                                  \
        if (!(cond)) {                                                    \
            fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", what,  \
                    __FILE__, __LINE__);                                  \
            abort();                                                      \
        }                                                                 \
    } while (0)

/* A NUL-terminated copy of data[0..size) in p. */
static __attribute__((unused)) char *fuzz_strz(apr_pool_t *p, const uint8_t *data, size_t size)
{
    char *s = apr_palloc(p, size + 1);

    if (size) {
        memcpy(s, data, size);
    }
    s[size] = '\0';
    return s;
}

/* Split data at its first NUL byte (raw NUL is never valid inside a
 * JSON text, so it can separate two of them): *a .. *alen, then the rest.
 * Without a NUL, the second part is empty. */
static __attribute__((unused)) void fuzz_split(const uint8_t *data, size_t size, const uint8_t **a,
                       size_t *alen, const uint8_t **b, size_t *blen)
{
    const uint8_t *nul = memchr(data, '\0', size);

    *a = data;
    *alen = nul ? (size_t)(nul - data) : size;
    *b = nul ? nul + 1 : data + size;
    *blen = nul ? size - *alen - 1 : 0;
}

/* The chunked readers' inputs: byte 0 is the target's own, byte 1 the
 * number of cuts (modulo FUZZ_MAX_CUTS + 1), then a byte per cut (where
 * it falls, as a fraction of the text), then the text. Sets *text and
 * *len, and cuts[0 .. n] to the n cuts in order and the text's length
 * (cuts holds FUZZ_MAX_CUTS + 1); returns n, or -1 for too short an
 * input. */
#define FUZZ_MAX_CUTS 15

static __attribute__((unused)) int fuzz_cmp_size(const void *a,
                                                 const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;

    return x < y ? -1 : x > y;
}

static __attribute__((unused)) int fuzz_cuts(const uint8_t *data, size_t size,
                                             size_t *cuts, const char **text,
                                             size_t *len)
{
    size_t n, i;

    if (size < 2 || size < 2 + (n = data[1] % (FUZZ_MAX_CUTS + 1))) {
        return -1;
    }
    *text = (const char *)data + 2 + n;
    *len = size - 2 - n;
    for (i = 0; i < n; i++) {
        cuts[i] = *len * data[2 + i] / 255;
    }
    qsort(cuts, n, sizeof(cuts[0]), fuzz_cmp_size);
    cuts[n] = *len;
    return (int)n;
}

/* The chunked and the whole parse of one text agree: both succeed, or
 * both fail with the same kind of error -- but for the size limit, which
 * the chunks may reach before or after a fault in the text, as they end
 * (streaming). */
static __attribute__((unused)) void fuzz_same_verdict(const chats_err_t *ew,
                                                      const chats_err_t *ec)
{
    FUZZ_ASSERT((ew == NULL) == (ec == NULL),
                "chunked and whole parses disagree on success");
    FUZZ_ASSERT(ew == NULL || ew->code == ec->code
                || ew->code == CHATS_E_TOO_BIG || ec->code == CHATS_E_TOO_BIG,
                "chunked and whole parses give different errors");
}

/* A JSON text read as the endpoints read a body (depth 32, 5000 values;
 * names repeated are refused, ignoring case where names match ignoring
 * case), or NULL when it is not one. */
static __attribute__((unused)) chats_doc_t *fuzz_read_json(const uint8_t *s,
                                                           size_t len,
                                                           int casei,
                                                           apr_pool_t *p)
{
    chats_json_limits_t lim;
    chats_doc_t *d = NULL;

    memset(&lim, 0, sizeof(lim));
    lim.max_depth = 32;
    lim.max_values = 5000;
    lim.dup_policy = casei ? CHATS_JSON_DUP_CASEI : CHATS_JSON_DUP_REJECT;
    return chats_json_parse(&d, (const char *)s, len, &lim, p) ? NULL : d;
}

#endif
