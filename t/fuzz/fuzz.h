/* What the libFuzzer targets share: one APR pool per process, created on
 * the first input (a fuzzer's own state, not the module's), and a
 * sub-pool per input so that nothing outlives the input it came from.
 * Header-only; each target includes it once. */
#ifndef CHATS_FUZZ_H
#define CHATS_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>

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

#endif
