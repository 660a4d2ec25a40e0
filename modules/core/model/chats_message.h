/* The ChatMessage carrier (spec superoffice-chatsession.md §2 "ChatMessage",
 * §3 ChatMessageType / ChatMessageSpecialType): its field table, the one
 * description of a message's members from which reading a body, the SQL
 * and the rendering derive, as chats_schema.c is for the session. Core
 * header: APR only. Table: chat_message (conf/schema.sql). */
#ifndef CHATS_MESSAGE_H
#define CHATS_MESSAGE_H

#include "chats_doc.h"
#include "chats_err.h"
#include "chats_schema.h"
#include "chats_sql.h"

/** ChatMessageType values the statements test (spec §3). */
#define CHATS_MSG_INVALID     0
#define CHATS_MSG_TO_CUSTOMER 1
#define CHATS_MSG_TO_USER     2
#define CHATS_MSG_SPECIAL     3

/** ChatMessageSpecialType values the module writes itself. */
#define CHATS_MSG_SP_NONE        0
#define CHATS_MSG_SP_WELCOME     1
#define CHATS_MSG_SP_TRANSFERRED 6
#define CHATS_MSG_SP_REJECTED    13

/** Most characters of a message's text (its column is text) [D-8]. */
#define CHATS_MSG_MAX_LEN 32768

/** A message field flag (beside CHATS_FF_*): a date-time rendered in UTC
 * with "Z" whatever the request's zone (WhenPosted [D-5]: both of the
 * official client's zone modes read the same instant). */
#define CHATS_MFF_UTC_Z 0x100

extern const chats_enum_t chats_message_type_enums[];
extern const chats_enum_t chats_message_special_enums[];

/** The fields in carrier order; *pn (if pn) gets their number. */
const chats_field_t *chats_message_fields(int *pn);

/** The field named (ASCII case-insensitive), or NULL. */
const chats_field_t *chats_message_find(const char *name, apr_size_t len);

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

/** Columns of a message row: one per field in field order, date-times as
 * microseconds since the epoch. CHATS_MESSAGE_COLS(alias) is the select
 * list over a chat_message row called alias. */
#define CHATS_MESSAGE_NCOLS 9
#define CHATS_MESSAGE_COLS(a) \
    a ".id, " a ".chat_session_id, " a ".type, " a ".message, " a ".author, " \
    a ".read_by_customer, " a ".special_type, " a ".special_param, " \
    "(EXTRACT(EPOCH FROM " a ".when_posted) * 1000000)::int8"

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

/* ---- statements (chats_message_sql.c) --------------------------------- */

/** Most messages one GET Messages answers [D-16]: the caller goes on
 * with after= the last id. */
#define CHATS_MSG_PAGE 10000
#define CHATS_MSG_PAGE_TEXT "10000"

typedef enum {
    /** Post ($1 session, $2 Type, $3 Message, $4 Author, $5
     * ReadByCustomer, $6 SpecialType, $7 SpecialParam): the session's
     * LastMessage, FirstMessage, Status, WhenIdle and version, and the
     * message, in one statement; the message's row (no row: no session,
     * or not the caller's). _OWN: $8 the caller, who must be its User. */
    CHATS_MSQL_POST_ANY, CHATS_MSQL_POST_OWN,
    /** After no row: the session's User ($1 session), or no row. */
    CHATS_MSQL_DIAG,
    /** $1 session, $2 after: message rows with ids above, in id order, at
     * most CHATS_MSG_PAGE; no row: no session; one row of NULLs: none. */
    CHATS_MSQL_LIST,
    /** $1 session, $2 zone (NULL: UTC): every message as a transcript row
     * (CHATS_TRANSCRIPT_NCOLS), rows as for LIST. */
    CHATS_MSQL_TRANSCRIPT,
    /** The posts sent with an Idempotency-Key: $1..$7 as the post, $8
     * the caller's associate (_OWN: who must be its User), $9 the key,
     * $10 the fingerprint (hex), $11 the status; the key recorded in the
     * same statement (chats_sql.h), nothing written when it is live. */
    CHATS_MSQL_POST_ANY_KEYED, CHATS_MSQL_POST_OWN_KEYED,
    /** $1 message id: its row (a keyed post's repeat), or none. */
    CHATS_MSQL_GET,
    CHATS_MSQL__N
} chats_msql_e;

/** A statement, with its parameters' types and number. */
const chats_stmt_t *chats_message_stmt(chats_msql_e which,
                                       const chats_ptype_e **ptypes,
                                       int *pnparams);

/* ---- transcripts (chats_transcript.c) --------------------------------- */

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
