/* libFuzzer target, differential: an RFC 7396 merge patch converted to
 * JSON Patch ops and applied by the engine (chats_merge_to_ops +
 * chats_patch_apply, as jsonpatch --merge does) against RFC 7396's own
 * algorithm (section 2), written here directly on the trees.
 *
 * Input: byte 0 flags (bit 0: names match ignoring ASCII case, as the
 * endpoint's CHATS_PATCH_CASEI), then the target, a NUL byte, and the
 * patch (both JSON).
 *
 * Equality is exact: the same members with the same names in the same
 * order, compared on the serialisations. Both sides keep an existing
 * member where it is (its name as the target spells it, when case is
 * folded) and append new ones in the patch's order. Documents whose
 * names are equal ignoring case are refused by the reader when case is
 * folded (the endpoint's rule), so "the member named" is always one.
 * Exception: a patch member name containing U+0000 cannot become a JSON
 * Pointer token (C strings): the conversion refuses it, and so is the
 * request; the target checks that this is the only refusal. */
#include "chats_doc.h"
#include "chats_json.h"
#include "chats_patch.h"
#include "fuzz.h"

static int name_eq(const chats_member_t *m, const chats_member_t *n,
                   int casei)
{
    apr_size_t i;

    if (m->name_len != n->name_len) {
        return 0;
    }
    for (i = 0; i < m->name_len; i++) {
        unsigned char a = (unsigned char)m->name[i];
        unsigned char b = (unsigned char)n->name[i];

        if (casei && a >= 'A' && a <= 'Z') {
            a = (unsigned char)(a - 'A' + 'a');
        }
        if (casei && b >= 'A' && b <= 'Z') {
            b = (unsigned char)(b - 'A' + 'a');
        }
        if (a != b) {
            return 0;
        }
    }
    return 1;
}

/* RFC 7396 section 2, MergePatch(Target, Patch); target NULL is
 * "undefined". Returns a new tree (sharing leaves), target untouched. */
static chats_doc_t *merge_patch(const chats_doc_t *target,
                                const chats_doc_t *patch, int casei,
                                apr_pool_t *p)
{
    chats_doc_t *out;
    int i, j;

    if (patch->type != CHATS_J_OBJECT) {
        return (chats_doc_t *)patch;
    }
    out = chats_doc_object(p);
    if (target && target->type == CHATS_J_OBJECT) {
        for (i = 0; i < target->items->nelts; i++) {
            *(chats_member_t *)apr_array_push(out->items) =
                APR_ARRAY_IDX(target->items, i, chats_member_t);
        }
    }
    for (i = 0; i < patch->items->nelts; i++) {
        const chats_member_t *pm = &APR_ARRAY_IDX(patch->items, i,
                                                  chats_member_t);
        chats_member_t *tm = NULL;

        for (j = 0; j < out->items->nelts && !tm; j++) {
            if (name_eq(&APR_ARRAY_IDX(out->items, j, chats_member_t), pm,
                        casei)) {
                tm = &APR_ARRAY_IDX(out->items, j, chats_member_t);
            }
        }
        if (pm->value->type == CHATS_J_NULL) {
            if (tm) {                              /* remove it */
                j--;
                memmove(tm, tm + 1, (size_t)(out->items->nelts - j - 1)
                                    * sizeof(*tm));
                out->items->nelts--;
            }
        }
        else if (tm) {
            tm->value = merge_patch(tm->value, pm->value, casei, p);
        }
        else {
            chats_member_t *m = apr_array_push(out->items);

            *m = *pm;
            m->value = merge_patch(NULL, pm->value, casei, p);
        }
    }
    return out;
}

static int has_nul_name(const chats_doc_t *d)
{
    int i;

    if (d->type != CHATS_J_OBJECT) {
        return 0;
    }
    for (i = 0; i < d->items->nelts; i++) {
        const chats_member_t *m = &APR_ARRAY_IDX(d->items, i, chats_member_t);

        if (memchr(m->name, '\0', m->name_len) || has_nul_name(m->value)) {
            return 1;
        }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *a, *b;
    size_t alen, blen;
    apr_pool_t *p;
    chats_doc_t *target, *patch, *engine, *direct;
    apr_array_header_t *ops = NULL;
    chats_err_t *e;
    const char *je, *jd;
    int casei;

    if (size < 1) {
        return 0;
    }
    casei = data[0] & 1;
    fuzz_split(data + 1, size - 1, &a, &alen, &b, &blen);
    p = fuzz_pool();
    target = fuzz_read_json(a, alen, casei, p);
    patch = fuzz_read_json(b, blen, casei, p);
    if (target == NULL || patch == NULL) {
        apr_pool_destroy(p);
        return 0;
    }
    engine = target;
    e = chats_merge_to_ops(&ops, target, patch,
                           casei ? CHATS_PATCH_CASEI : 0, p);
    if (e != NULL) {
        FUZZ_ASSERT(e->code == CHATS_E_INVALID && has_nul_name(patch),
                    "a merge patch refused for another reason than a NUL "
                    "in a name");
        apr_pool_destroy(p);
        return 0;
    }
    e = chats_patch_apply(&engine, ops, casei ? CHATS_PATCH_CASEI : 0, NULL,
                          p);
    FUZZ_ASSERT(e == NULL, "the merge patch's ops do not apply");
    direct = merge_patch(target, patch, casei, p);
    je = chats_doc_to_json(p, engine, 0);
    jd = chats_doc_to_json(p, direct, 0);
    if (je == NULL || jd == NULL || strcmp(je, jd)) {
        fprintf(stderr, "engine: %s\nRFC 7396: %s\n", je ? je : "(deep)",
                jd ? jd : "(deep)");
    }
    FUZZ_ASSERT(je && jd && !strcmp(je, jd),
                "merge via ops differs from RFC 7396");
    FUZZ_ASSERT(chats_doc_equal(engine, direct), "the trees differ");
    apr_pool_destroy(p);
    return 0;
}
