/* Languages: SO-Language / Accept-Language / SO-Culture, and the string
 * resources ("[SR_MANDATORY_FIELD_1281]") inside rendered strings,
 * resolved from PostgreSQL's string_resource table (conf/locale.sql).
 * Glue (httpd + the store).
 *
 * Which language (spec superoffice-chatsession.md §4 "Languages", client
 * §6 and difference 11):
 *   - SO-Language, when the header is present (even empty), decides;
 *     otherwise Accept-Language; neither: no translation (resource ids
 *     are returned raw, as SuperOffice does without a language).
 *   - Empty, "*", "x" or "-" (any case): no translation.
 *   - Otherwise a list of language ranges with optional q-values
 *     ("nb-NO, nb;q=0.9, en;q=0.8"), best first; "*" and malformed
 *     ranges in a list are skipped, q=0 excludes a range.
 *   - Each range is looked up as given (lower case, "nb-no"), then by its
 *     primary subtag ("nb"), then Norwegian aliases (no -> nb; nb -> no;
 *     nn -> nb, no); finally the default language (directive
 *     ChatSessionLanguage, default "en"). A resource missing in every one
 *     of them stays raw. So an unknown language falls back to the
 *     default, resource by resource.
 *   - SO-Culture: honoured only when a language is set (ignored
 *     otherwise); defaults to the first language asked for. It governs
 *     number/date formatting inside strings; our resources have no
 *     placeholders, so it is only recorded (and logged at trace1).
 *
 * Resource ids in the table are the token without brackets
 * ("SR_MANDATORY_FIELD_1281"); a token is "[SR_" + [A-Za-z0-9_]+ + "]". */
#ifndef CHATS_LOCALE_H
#define CHATS_LOCALE_H

#include "chats_doc.h"
#include "mod_chats_private.h"
#include "mod_chats_store_open.h"

typedef struct chats_locale_t {
    const char *language;    /**< first language asked for, lower case;
                                  NULL = no translation                  */
    const char *culture;     /**< SO-Culture or the language; NULL if none */
    const char *lookup;      /**< languages to try in order, as a
                                  PostgreSQL text[] literal, default last */
    int nlookup;             /**< how many                               */
} chats_locale_t;

/** The request's language (see above); *ploc lives in r->pool. Never
 * fails on a malformed header (it just means no usable language). */
chats_err_t *chats_locale_from_request(request_rec *r,
                                       const chats_locale_t **ploc);

/** The texts of the [SR_…] tokens of an answer, in the request's
 * languages: loaded before rendering starts, so that rendering runs no
 * statement (chats_locale_apply is pure). */
typedef struct chats_locale_texts_t chats_locale_texts_t;

/** Load the texts of the tokens in the n values read (a row's or a
 * result's columns; NULL values skipped): one statement for every
 * distinct id, on the request's connection; none when there is no
 * language or no token (*ptexts NULL then). In r->pool. */
chats_err_t *chats_locale_load(request_rec *r, const chats_locale_t *loc,
                               const char *const *values, int n,
                               chats_locale_texts_t **ptexts);

/** The same for the string values of a document read (an entity before
 * its view is built). */
chats_err_t *chats_locale_load_doc(request_rec *r, const chats_locale_t *loc,
                                   const chats_doc_t *doc,
                                   chats_locale_texts_t **ptexts);

/** Replace, in place, the [SR_…] tokens inside every string value of a
 * rendered document (member names untouched) with the loaded texts; a
 * token without one stays raw. No statement: part of rendering. t NULL:
 * nothing to replace. */
void chats_locale_apply(const chats_locale_texts_t *t, chats_doc_t *view,
                        apr_pool_t *p);

#endif
