/* Transcripts of a chat (GetChatTranscript): the messages as text lines
 * or as an HTML fragment (chats_transcript.c). Core header: APR only. */
#ifndef CHATS_TRANSCRIPT_H
#define CHATS_TRANSCRIPT_H

#include <apr_pools.h>

#include "chats_message_sql.h"

/** Escape (s, len) for HTML text and attribute values: & < > " ' become
 * entities. */
const char *chats_html_escape(apr_pool_t *p, const char *s, apr_size_t len);

/** A transcript row: the message columns (CHATS_MESSAGE_NCOLS) and then
 * its WhenPosted as "YYYY-MM-DD HH:MM:SS" in the request's zone. */
#define CHATS_TRANSCRIPT_NCOLS (CHATS_MESSAGE_NCOLS + 1)

/** The transcript of nrows rows (row-major, CHATS_TRANSCRIPT_NCOLS each),
 * in their order. Text: a line per message, "when Author: Message\n"
 * (special ones "when Author: [SpecialType param]"). HTML: a div of class
 * chat-transcript holding a p per message (class to-customer, to-user or
 * special) with the time in a span of class when, the author in b, the
 * text with its line breaks as <br>; every value escaped. No messages:
 * "" (text) or the empty div (HTML). */
const char *chats_transcript(apr_pool_t *p, const char *const *rows,
                             int nrows, int html);

#endif
