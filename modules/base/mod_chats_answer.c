/* Answers (mod_chats_answer.h): the JSON-or-XML choice, the media type's
 * headers and the validators, made here once for every route. */
#include <apr_strings.h>

#include "mod_chats_answer.h"
#include "chats_xml.h"

int chats_answer_xml(const chats_media_t *m)
{
    return m && (m->flags & CHATS_MF_XML);
}

void chats_answer_validators(request_rec *r, apr_int64_t version,
                             apr_time_t mtime)
{
    r->mtime = mtime;
    ap_set_last_modified(r);
    apr_table_setn(r->headers_out, "ETag",
                   apr_psprintf(r->pool, "\"%" APR_INT64_T_FMT "\"",
                                version));
}

void chats_answer_bytes(request_rec *r, const chats_media_t *m,
                        const char *out)
{
    ap_set_content_type(r, (m ? m : chats_media_default())->content_type);
    ap_set_content_length(r, strlen(out));
    if (!r->header_only) {
        ap_rputs(out, r);
    }
}

chats_err_t *chats_answer(request_rec *r, const chats_media_t *m,
                          const chats_answer_t *a)
{
    const char *out;

    if (!chats_answer_xml(m)) {
        out = chats_doc_to_json(r->pool, a->doc, 0);
    }
    else {
        out = a->xml ? a->xml(r->pool, a->doc)
                     : chats_xml_render(r->pool, a->root, a->doc);
    }
    if (!out) {
        return chats_err_make(r->pool, CHATS_E_INTERNAL, NULL,
                              "%s could not be rendered", a->what);
    }
    chats_answer_bytes(r, m, out);
    return NULL;
}
