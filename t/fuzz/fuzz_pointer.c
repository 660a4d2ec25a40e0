/* libFuzzer target: JSON Pointer parsing (core/chats_patch.c) and the
 * path matching built on it: the engine resolving a pointer in a
 * document, and the field table matching a path (core/chats_schema.c,
 * as the write planner does).
 *
 * Input: byte 0 flags (bit 0 CHATS_PATCH_CASEI, bit 1 SLASH_OPT), then
 * the pointer.
 *
 * Invariants: the tokens escaped again (~ as ~0, / as ~1) and joined
 * give the pointer back (with its leading '/' when it was optional and
 * left out); a value added at a pointer tests equal to itself there
 * (but at "-", which appends and then names no element); a field the
 * table finds is named like the token, ignoring case. */
#include <strings.h>

#include <apr_strings.h>

#include "chats_doc.h"
#include "chats_entity.h"
#include "chats_json.h"
#include "chats_patch.h"
#include "chats_schema.h"
#include "fuzz.h"

static const char sample[] =
    "{\"a\":{\"b\":[1,{\"c/d\":2,\"e~f\":[[3]]}],\"\":{\"\":0}},"
    "\"User\":{\"AssociateId\":5,\"Name\":\"tje0\"},\"n\":null,"
    "\"Arr\":[true,false,\"s\",{\"x\":{}}]}";

static const char *escape_join(apr_pool_t *p, const apr_array_header_t *t)
{
    const char *out = "";
    int i;

    for (i = 0; i < t->nelts; i++) {
        const char *tok = APR_ARRAY_IDX(t, i, const char *), *c;
        char *esc = apr_palloc(p, 2 * strlen(tok) + 1), *o = esc;

        for (c = tok; *c; c++) {
            if (*c == '~' || *c == '/') {
                *o++ = '~';
                *o++ = *c == '~' ? '0' : '1';
            }
            else {
                *o++ = *c;
            }
        }
        *o = '\0';
        out = apr_pstrcat(p, out, "/", esc, NULL);
    }
    return out;
}

/* The pointer resolves in doc: a test of it against its own value (an
 * add of that value before) passes. */
static void check_resolve(apr_pool_t *p, chats_doc_t *doc, const char *ptr,
                          int flags)
{
    apr_array_header_t *ops = apr_array_make(p, 2, sizeof(chats_op_t));
    chats_op_t *op = apr_array_push(ops);
    chats_doc_t *d = doc;
    chats_err_t *e;
    size_t len;

    memset(op, 0, sizeof(*op));
    op->kind = CHATS_OP_ADD;
    op->path = ptr;
    op->value = chats_doc_strz(p, "probe");
    op = apr_array_push(ops);
    memset(op, 0, sizeof(*op));
    op->kind = CHATS_OP_TEST;
    op->path = ptr;
    op->value = chats_doc_strz(p, "probe");
    e = chats_patch_apply(&d, ops, flags, NULL, p);
    if (e == NULL) {
        return;
    }
    FUZZ_ASSERT(d == doc, "a failed patch replaced the document");
    len = strlen(ptr);
    if (e->op_index == 1 && e->code == CHATS_E_PATH && len >= 1
        && ptr[len - 1] == '-' && (len == 1 || ptr[len - 2] == '/')) {
        return;        /* "-" appends, and names no element to test */
    }
    FUZZ_ASSERT(e->op_index == 0,
                "a value just added does not test equal to itself");
    FUZZ_ASSERT(e->code == CHATS_E_PATH || e->code == CHATS_E_INVALID,
                "an add fails with an unexpected error");
}

static void check_schema(const apr_array_header_t *t)
{
    const chats_field_t *f;
    const char *name;

    if (t->nelts == 0) {
        return;
    }
    name = APR_ARRAY_IDX(t, 0, const char *);
    f = chats_schema_find(&chats_session_def, name, strlen(name));
    chats_schema_is_ignored(name, strlen(name));
    if (f == NULL) {
        return;
    }
    FUZZ_ASSERT(!strcasecmp(f->name, name), "a field found by another name");
    if (f->type == CHATS_F_CARRIER && t->nelts > 1) {
        const char *sub = APR_ARRAY_IDX(t, 1, const char *);
        const chats_subfield_t *s = chats_carrier_find(f->carrier, sub,
                                                       strlen(sub));

        FUZZ_ASSERT(s == NULL || !strcasecmp(s->name, sub),
                    "a carrier member found by another name");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    apr_array_header_t *t = NULL;
    chats_doc_t *doc = NULL;
    const char *ptr, *back;
    int flags;

    if (size < 1) {
        return 0;
    }
    flags = data[0] & (CHATS_PATCH_CASEI | CHATS_PATCH_SLASH_OPT);
    p = fuzz_pool();
    ptr = fuzz_strz(p, data + 1, size - 1);
    if (chats_pointer_parse(&t, ptr, flags, p) == NULL) {
        back = escape_join(p, t);
        FUZZ_ASSERT(!strcmp(back, ptr)
                    || ((flags & CHATS_PATCH_SLASH_OPT) && *ptr != '/'
                        && !strcmp(back + 1, ptr)),
                    "tokens do not join back into the pointer");
        check_schema(t);
    }
    else {
        FUZZ_ASSERT(*ptr != '\0', "the empty pointer is refused");
    }
    FUZZ_ASSERT(chats_json_parse(&doc, sample, sizeof(sample) - 1, NULL, p)
                == NULL, "the sample document does not read");
    check_resolve(p, doc, ptr, flags);
    check_resolve(p, chats_entity_template(p, &chats_session_def), ptr, flags);
    apr_pool_destroy(p);
    return 0;
}
