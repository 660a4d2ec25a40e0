/* A ChatMessage (spec superoffice-chatsession.md §2 "ChatMessage") read
 * from a request body and from a row, and rendered: the model over its
 * field table (chats_message_schema.h) and its statements' rows
 * (chats_message_sql.h). Core header: APR only. */
#ifndef CHATS_MESSAGE_H
#define CHATS_MESSAGE_H

#include "chats_doc.h"
#include "chats_err.h"
#include "chats_message_schema.h"
#include "chats_message_sql.h"

/* ---- a message to post (chats_message.c) ------------------------------ */

/** What a request body says of a message to post. */
typedef struct {
    int type;                  /**< ChatMessageType, never Invalid       */
    int special_type;          /**< ChatMessageSpecialType               */
    int read_by_customer;      /**< Int16                                */
    const char *message;       /**< at most CHATS_MSG_MAX_LEN characters */
    const char *author;        /**< NULL: absent (the caller's login)    */
    const char *special_param;
} chats_message_in_t;

/** Read a ChatMessage body (a parsed JSON object, or the members of an
 * XML document: xml = 1 reads integer text as numbers) into *m. Names
 * are ASCII case-insensitive; Type and SpecialType a name in any case or
 * its number; the read-only members (ChatMessageId, ChatSessionId,
 * WhenPosted) are ignored, whatever their value. CHATS_E_INVALID naming
 * the field: an unknown member, a value of the wrong type or range, a
 * Message over CHATS_MSG_MAX_LEN characters, and a Type that is absent or
 * Invalid (a message is to a customer, to a user, or special). */
chats_err_t *chats_message_from_doc(const chats_doc_t *doc, int xml,
                                    chats_message_in_t *m, apr_pool_t *p);

/* ---- reading and rendering (chats_message.c) -------------------------- */

/** The ChatMessage a row (CHATS_MESSAGE_NCOLS values) stands for: every
 * member, PascalCase, enums by their exact names (the official client
 * decodes names exactly), WhenPosted in UTC with "Z". */
chats_doc_t *chats_message_from_row(apr_pool_t *p, const char *const *values);

/** XML element names (the .NET DataContract names) [D-10]. */
#define CHATS_MESSAGE_XML_ROOT  "ChatMessage"
#define CHATS_MESSAGE_XML_ARRAY "ArrayOfChatMessage"

/** The XML of one message (doc an object) or of a list of them (doc an
 * array of objects: one ChatMessage element each). */
const char *chats_message_xml(apr_pool_t *p, const chats_doc_t *doc);

#endif
