/* Streaming JSON reader: yajl's callback parser builds a chats_doc_t as
 * chunks arrive, enforcing limits while it parses. Core header. */
#ifndef CHATS_JSON_H
#define CHATS_JSON_H

#include "chats_doc.h"
#include "chats_err.h"

/** Duplicate member names within one object: */
#define CHATS_JSON_DUP_LAST   0   /**< keep the last (plain JSON)         */
#define CHATS_JSON_DUP_REJECT 1   /**< exact duplicates are an error      */
#define CHATS_JSON_DUP_CASEI  2   /**< names equal ignoring case: error   */

/** Most members of one object in a request body, JSON or XML (an entity
 * has about 40, a carrier a handful). */
#define CHATS_MAX_MEMBERS 1000

typedef struct {
    apr_size_t max_bytes;   /**< total input bytes, 0 = unlimited (TOO_BIG) */
    int max_depth;          /**< nesting of arrays/objects, 0 = 64          */
    apr_size_t max_string;  /**< bytes in one string or name, 0 = unlimited */
    int max_values;         /**< values in the document, 0 = unlimited      */
    int dup_policy;         /**< CHATS_JSON_DUP_*                           */
} chats_json_limits_t;

typedef struct chats_json_parser_t chats_json_parser_t;

/** Create a parser in p (yajl handle freed by a cleanup on p).
 * limits may be NULL (no limits but the default depth). */
chats_json_parser_t *chats_json_parser_create(apr_pool_t *p,
                                              const chats_json_limits_t *limits);

/** A request body's limits, their one home (README "Request bodies:
 * limits"): nesting and values here, members CHATS_MAX_MEMBERS, bytes
 * ChatSessionMaxBody. */
#define CHATS_BODY_MAX_DEPTH  32
#define CHATS_BODY_MAX_VALUES 100000

/** A parser for a request body of at most max_bytes: the limits above,
 * member names that differ only in case refused. */
chats_json_parser_t *chats_json_body_parser(apr_pool_t *p,
                                            apr_size_t max_bytes);

/** Refuse objects with more than max members (CHATS_E_SYNTAX; 0 =
 * unlimited, the default). A setter, not a field of the limits, so that
 * the limits' positional initializers stay valid. */
void chats_json_parser_max_members(chats_json_parser_t *ps, int max);

/** Feed the next chunk. Errors: CHATS_E_SYNTAX (bad JSON, invalid UTF-8
 * or unpaired surrogate escape, too deep, too many values or members, a
 * string or name over max_string), CHATS_E_TOO_BIG, CHATS_E_INVALID (duplicate
 * member, field = its name). After an error the parser is dead. */
chats_err_t *chats_json_feed(chats_json_parser_t *ps, const char *data,
                             apr_size_t len);

/** Signal end of input; on success *pdoc is the document. Empty input
 * is CHATS_E_SYNTAX. */
chats_err_t *chats_json_finish(chats_json_parser_t *ps, chats_doc_t **pdoc);

/** Parse a whole buffer (for the tool and tests). */
chats_err_t *chats_json_parse(chats_doc_t **pdoc, const char *data,
                              apr_size_t len,
                              const chats_json_limits_t *limits,
                              apr_pool_t *p);

/** 1 if s[0..len) is well-formed UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF). */
int chats_utf8_valid(const char *s, apr_size_t len);

/** Number of code points in valid UTF-8. */
apr_size_t chats_utf8_chars(const char *s, apr_size_t len);

#endif
