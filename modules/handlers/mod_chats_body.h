/* The request body: media type and streaming read into a document. */
#ifndef CHATS_BODY_H
#define CHATS_BODY_H

#include "mod_chats_private.h"
#include "chats_doc.h"
#include "chats_media.h"
#include "chats_schema.h"

/** The request's Content-Type as one of ours, or CHATS_E_MEDIA. */
chats_err_t *chats_body_media(request_rec *r, chats_media_e *pmedia);

/** Read the body through a streaming parser (yajl, or expat for XML,
 * typed by def's field table), bucket by bucket.
 * CHATS_E_TOO_BIG as soon as more than limit bytes are declared or have
 * arrived; CHATS_E_SYNTAX for malformed JSON or invalid UTF-8;
 * CHATS_E_INVALID for member names that differ only in case. */
chats_err_t *chats_body_read(request_rec *r, const chats_entity_def_t *def,
                             chats_media_e media, apr_off_t limit,
                             chats_doc_t **pdoc);

#endif
