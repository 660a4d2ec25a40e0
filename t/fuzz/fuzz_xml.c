/* libFuzzer target: the XML body reader (core/chats_xml_parse.c) fed in
 * chunks the input chooses, the typing pass and the XML renderer.
 *
 * Input: byte 0 options (bit 0: a size limit below the text's length),
 * byte 1 the number of cuts (0-15), one byte per cut, then the body.
 *
 * Invariants: chunked and whole-buffer parses agree (document, root
 * name, error code; the size limit may be seen before or after a fault
 * as the chunks fall); a document read renders as XML that reads back
 * as the same document, when its names are plain ASCII XML names that
 * the renderer keeps as they are (others are encoded, _xHHHH_, and we
 * do not decode names when reading). */
#include <apr_strings.h>

#include "chats_doc.h"
#include "chats_entity_xml.h"
#include "chats_xml.h"
#include "fuzz.h"

/* Names the renderer writes unchanged: [A-Za-z_][A-Za-z0-9_.-]*, no
 * "_x" (escaped as _x005F_). */
static int plain_name(const char *s, apr_size_t len)
{
    apr_size_t i;

    if (len == 0) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        char c = s[i];
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'
                 || (i > 0 && ((c >= '0' && c <= '9') || c == '.'
                               || c == '-'));

        if (!ok || (c == '_' && i + 1 < len && s[i + 1] == 'x')) {
            return 0;
        }
    }
    return 1;
}

static int plain_names(const chats_doc_t *d)
{
    int i;

    if (d->type != CHATS_J_OBJECT) {
        return 1;
    }
    for (i = 0; i < chats_doc_object_len(d); i++) {
        chats_member_t *m = chats_doc_object_at(d, i);

        if (!plain_name(m->name, m->name_len) || !plain_names(m->value)) {
            return 0;
        }
    }
    return 1;
}

static chats_err_t *parse_chunked(chats_xml_parser_t *ps, const char *text,
                                  const size_t *cuts, size_t ncuts,
                                  chats_doc_t **pdoc)
{
    chats_err_t *e = NULL;
    size_t i, at = 0;

    for (i = 0; i <= ncuts && e == NULL; i++) {
        e = chats_xml_feed(ps, text + at, cuts[i] - at);
        at = cuts[i];
    }
    return e ? e : chats_xml_finish(ps, pdoc);
}

static void check_rendering(apr_pool_t *p, const chats_doc_t *doc,
                            const char *root)
{
    const char *x = chats_xml_render(p, root ? root : "R", doc);
    chats_doc_t *back = NULL, *typed = NULL;
    chats_err_t *e;

    FUZZ_ASSERT(x != NULL, "a document read does not render");
    FUZZ_ASSERT(chats_xml_typed_entity(&chats_session_def, doc, &typed, p) == NULL
                && typed != NULL, "typing failed");
    if (!plain_names(doc) || (root && !plain_name(root, strlen(root)))) {
        return;
    }
    e = chats_xml_parse(&back, x, strlen(x), 0, p);
    if (e != NULL) {
        fprintf(stderr, "rendered: %s\nerror: %s\n", x,
                e->message ? e->message : "?");
    }
    FUZZ_ASSERT(e == NULL, "a rendered document does not read back");
    FUZZ_ASSERT(chats_doc_equal(doc, back), "a rendered document reads "
                "back as another");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    chats_xml_parser_t *pw, *pc;
    chats_doc_t *whole = NULL, *chunked = NULL;
    chats_err_t *ew, *ec;
    size_t cuts[FUZZ_MAX_CUTS + 1], len, max;
    const char *text;
    int ncuts;

    if ((ncuts = fuzz_cuts(data, size, cuts, &text, &len)) < 0) {
        return 0;
    }
    max = (data[0] & 1) ? (len > 2 ? len - len / 4 : 1) : 0;

    p = fuzz_pool();
    pw = chats_xml_parser_create(p, max);
    ew = chats_xml_feed(pw, text, len);
    if (ew == NULL) {
        ew = chats_xml_finish(pw, &whole);
    }
    pc = chats_xml_parser_create(p, max);
    ec = parse_chunked(pc, text, cuts, (size_t)ncuts, &chunked);

    fuzz_same_verdict(ew, ec);
    if (!ew) {
        const char *rw = chats_xml_root_name(pw), *rc = chats_xml_root_name(pc);

        FUZZ_ASSERT(whole && chunked && whole->type == CHATS_J_OBJECT,
                    "a successful parse gives no object");
        FUZZ_ASSERT(chats_doc_equal(whole, chunked),
                    "chunked and whole documents differ");
        FUZZ_ASSERT((rw == NULL) == (rc == NULL)
                    && (rw == NULL || !strcmp(rw, rc)),
                    "chunked and whole root names differ");
        check_rendering(p, whole, rw);
    }
    apr_pool_destroy(p);
    return 0;
}
