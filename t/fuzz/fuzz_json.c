/* libFuzzer target: the streaming JSON reader (core/chats_json.c), fed
 * in chunks whose boundaries the input chooses.
 *
 * Input: byte 0 the limits and duplicate policy, byte 1 the number of
 * cuts (0-15), then one byte per cut (where it falls, as a fraction of
 * the text), then the JSON text.
 *
 * Invariants: the chunked parse and the whole-buffer parse agree (both
 * succeed with the same document, or both fail with the same error
 * code, except that the size limit may be seen before or after a fault
 * in the text, as the chunks fall); a parsed document serialises, and reading that back gives the
 * same serialisation. */
#include "chats_doc.h"
#include "chats_json.h"
#include "fuzz.h"

static void limits_from(uint8_t b, size_t len, chats_json_limits_t *lim)
{
    memset(lim, 0, sizeof(*lim));
    lim->dup_policy = (b & 3) == 3 ? CHATS_JSON_DUP_CASEI : (b & 3);
    if (b & 0x04) {
        /* as the body reader sets them (http/chats_body.c) */
        lim->max_depth = 32;
        lim->max_values = 100000;
    }
    if (b & 0x08) {
        lim->max_bytes = len > 2 ? len - len / 4 : 1;  /* may trip */
    }
    if (b & 0x10) {
        lim->max_string = 16;
    }
    if (b & 0x20) {
        lim->max_values = 8;
    }
    if (b & 0x40) {
        lim->max_depth = 3;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    chats_json_limits_t lim;
    chats_json_parser_t *ps;
    chats_doc_t *whole = NULL, *chunked = NULL, *again = NULL;
    chats_err_t *ew, *ec = NULL;
    size_t cuts[FUZZ_MAX_CUTS + 1], i, len;
    const char *text;
    int ncuts;

    if ((ncuts = fuzz_cuts(data, size, cuts, &text, &len)) < 0) {
        return 0;
    }
    limits_from(data[0], len, &lim);

    p = fuzz_pool();
    ew = chats_json_parse(&whole, text, len, &lim, p);

    ps = chats_json_parser_create(p, &lim);
    for (i = 0, len = 0; i <= (size_t)ncuts && ec == NULL; i++) {
        /* empty chunks too: a brigade may hold empty buckets */
        ec = chats_json_feed(ps, text + len, cuts[i] - len);
        len = cuts[i];
    }
    if (ec == NULL) {
        ec = chats_json_finish(ps, &chunked);
    }

    fuzz_same_verdict(ew, ec);
    if (ew) {
        FUZZ_ASSERT(ew->code == CHATS_E_SYNTAX || ew->code == CHATS_E_TOO_BIG
                    || ew->code == CHATS_E_INVALID, "unexpected error kind");
    }
    else {
        const char *a = chats_doc_to_json(p, whole, 0);
        const char *b = chats_doc_to_json(p, chunked, 0);

        FUZZ_ASSERT(chats_doc_equal(whole, chunked),
                    "chunked and whole documents differ");
        FUZZ_ASSERT(a && b && !strcmp(a, b),
                    "chunked and whole serialise differently");
        memset(&lim, 0, sizeof(lim));
        FUZZ_ASSERT(chats_json_parse(&again, a, strlen(a), &lim, p) == NULL,
                    "a serialised document does not read back");
        FUZZ_ASSERT(chats_doc_equal(whole, again),
                    "a document read back differs");
        b = chats_doc_to_json(p, again, 1);
        FUZZ_ASSERT(b != NULL, "pretty serialisation failed");
    }
    apr_pool_destroy(p);
    return 0;
}
