/* The media types the API reads and answers: the one table of them. Each
 * type is spelled once, below; the request body reader, content
 * negotiation, the answers, the error sender, Accept-Patch, the error
 * messages that list them and the OpenAPI document all take them from
 * here (t/engine/answer_facts.t checks that no other file spells one).
 * Core header: APR only. */
#ifndef CHATS_MEDIA_H
#define CHATS_MEDIA_H

#include <apr_pools.h>

#define CHATS_MT_JSON         "application/json"
#define CHATS_MT_TEXT_JSON    "text/json"
#define CHATS_MT_JSON_PATCH   "application/json-patch+json"
#define CHATS_MT_MERGE_PATCH  "application/merge-patch+json"
#define CHATS_MT_XML          "application/xml"
#define CHATS_MT_TEXT_XML     "text/xml"
/** The parameter every answer's Content-Type carries. */
#define CHATS_MT_UTF8         "; charset=utf-8"
/** What an Accept may name (the patch types are answered as JSON), in
 * the table's order: for texts that must be constant (the 406 kind's
 * description, chats_err.c); t/unit/chats_routes_unit.c checks it
 * against the table. */
#define CHATS_MT_OFFERED \
    CHATS_MT_JSON ", " CHATS_MT_TEXT_JSON ", " CHATS_MT_XML ", " \
    CHATS_MT_TEXT_XML

/** The patch formats (Accept-Patch), in the table's order; checked as
 * CHATS_MT_OFFERED is. */
#define CHATS_MT_PATCHES CHATS_MT_JSON_PATCH ", " CHATS_MT_MERGE_PATCH

/** What a request body of a type is read as. */
typedef enum {
    CHATS_MEDIA_JSON,          /**< application/json, text/json: the
                                    body's shape decides            */
    CHATS_MEDIA_JSON_PATCH,    /**< application/json-patch+json              */
    CHATS_MEDIA_MERGE_PATCH,   /**< application/merge-patch+json             */
    CHATS_MEDIA_XML            /**< application/xml, text/xml: an entity     */
} chats_media_e;

/* chats_media_t.flags */
#define CHATS_MF_XML    0x1u   /**< XML (else JSON)                        */
#define CHATS_MF_PATCH  0x2u   /**< a patch format: Accept-Patch; answered
                                    as plain JSON                         */
#define CHATS_MF_ALIAS  0x4u   /**< the text/ twin of an application/ type:
                                    accepted, not named in error texts    */

/** One media type. */
typedef struct chats_media_t {
    const char *type;          /**< "application/json"                    */
    chats_media_e body;        /**< a request body of this type           */
    unsigned flags;            /**< CHATS_MF_*                            */
    const char *content_type;  /**< answered to an Accept naming it, with
                                    CHATS_MT_UTF8                         */
} chats_media_t;

/** Every media type, in our order of preference on equal q; *pn gets
 * their number. Static storage. */
const chats_media_t *chats_media_types(int *pn);

/** The row of type (compared case-insensitively, no parameters), or
 * NULL. */
const chats_media_t *chats_media_find(const char *type);

/** The row answers are sent as when nothing chose one: JSON. */
const chats_media_t *chats_media_default(void);

/** The types of the rows whose flags, masked with mask, equal want,
 * joined with sep, in p: chats_media_list(p, CHATS_MF_PATCH,
 * CHATS_MF_PATCH, ", ") is CHATS_MT_PATCHES. */
const char *chats_media_list(apr_pool_t *p, unsigned mask, unsigned want,
                             const char *sep);

#endif
