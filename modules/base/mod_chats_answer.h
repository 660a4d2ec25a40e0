/* Answers: the one place where a body, an entity, a list or an error,
 * is rendered in the negotiated media type and sent with its headers
 * (Content-Type from the media table, Content-Length; the validators ETag
 * and Last-Modified). The handlers answer through chats_answer(), the
 * error sender (mod_chats_http.c) through chats_answer_bytes(). Glue. */
#ifndef CHATS_ANSWER_H
#define CHATS_ANSWER_H

#include "mod_chats_private.h"
#include "chats_doc.h"
#include "chats_media.h"

/** What to answer: a document and how it is named in XML. */
typedef struct {
    const chats_doc_t *doc;
    /** XML: the root element ("ChatSessionEntity"), for the XML writer */
    const char *root;
    /** XML: a writer of the document's own instead (root unused), or
     * NULL */
    const char *(*xml)(apr_pool_t *p, const chats_doc_t *doc);
    /** what the 500 names when the document cannot be rendered */
    const char *what;
} chats_answer_t;

/** Whether m (NULL: not negotiated) answers in XML. */
int chats_answer_xml(const chats_media_t *m);

/** The validators of a row: ETag "version" and Last-Modified mtime (on
 * the answer and on a 304; the error sender drops them from errors). */
void chats_answer_validators(request_rec *r, apr_int64_t version,
                             apr_time_t mtime);

/** Render a->doc in JSON, or in XML when m says so, and send it (see
 * chats_answer_bytes); CHATS_E_INTERNAL naming a->what when it cannot be
 * rendered (nothing sent). */
chats_err_t *chats_answer(request_rec *r, const chats_media_t *m,
                          const chats_answer_t *a);

/** Send out, a rendered body, as m's Content-Type (NULL: JSON) with its
 * Content-Length; the body unless HEAD. The status is r's. */
void chats_answer_bytes(request_rec *r, const chats_media_t *m,
                        const char *out);

#endif
