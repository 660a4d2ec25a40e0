/* libFuzzer target: the generic patch engine (core/chats_patch.c), JSON
 * Patch and merge conversion, on documents and patches from the input.
 *
 * Input: byte 0 flags (bit 0 CHATS_PATCH_CASEI, bit 1 SLASH_OPT, bit 2
 * ALL_OPS, bit 3: the patch is a merge patch), then the target document,
 * a NUL byte, and the patch (both JSON).
 *
 * Invariants: all or nothing (a failing patch leaves the document as it
 * was, and its error names an op); a patched document serialises (unless
 * it nests deeper than yajl_gen's 128) and reads back as itself; a merge
 * patch's ops never fail on the target they were made for. */
#include "chats_doc.h"
#include "chats_json.h"
#include "chats_patch.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *a, *b;
    size_t alen, blen;
    apr_pool_t *p;
    chats_doc_t *doc, *patch, *orig, *back = NULL;
    apr_array_header_t *ops = NULL;
    chats_json_limits_t lim;
    chats_err_t *e;
    int flags, merge;
    const char *out;

    if (size < 1) {
        return 0;
    }
    flags = data[0] & (CHATS_PATCH_CASEI | CHATS_PATCH_SLASH_OPT
                       | CHATS_PATCH_ALL_OPS);
    merge = data[0] & 0x08;
    fuzz_split(data + 1, size - 1, &a, &alen, &b, &blen);
    p = fuzz_pool();
    doc = fuzz_read_json(a, alen, flags & CHATS_PATCH_CASEI, p);
    patch = fuzz_read_json(b, blen, flags & CHATS_PATCH_CASEI, p);
    if (doc == NULL || patch == NULL) {
        apr_pool_destroy(p);
        return 0;
    }
    orig = doc;
    {
        chats_doc_t *snapshot = chats_doc_copy(p, doc);

        e = merge ? chats_merge_to_ops(&ops, doc, patch, flags, p)
                  : chats_patch_read(&ops, patch, flags, p);
        if (e == NULL) {
            e = chats_patch_apply(&doc, ops, flags, NULL, p);
            FUZZ_ASSERT(!merge || e == NULL,
                        "a merge patch's ops fail on their own target");
            if (e) {
                FUZZ_ASSERT(doc == orig, "a failed patch replaced the doc");
                FUZZ_ASSERT(e->op_index >= 0 && e->op_index < ops->nelts,
                            "a patch error names no op");
            }
        }
        FUZZ_ASSERT(chats_doc_equal(orig, snapshot),
                    "the input document changed");
    }
    if (e == NULL && (out = chats_doc_to_json(p, doc, 0)) != NULL) {
        memset(&lim, 0, sizeof(lim));
        lim.max_depth = 256;
        FUZZ_ASSERT(chats_json_parse(&back, out, strlen(out), &lim, p) == NULL,
                    "a patched document does not read back");
        FUZZ_ASSERT(chats_doc_equal(doc, back),
                    "a patched document reads back as another");
    }
    apr_pool_destroy(p);
    return 0;
}
