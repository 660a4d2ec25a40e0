/* The caller's rights on chat sessions (table chat_session_right, see
 * conf/auth.sql and README "Authorization"): looked up once per request,
 * then checked per method, per row and per field. Glue. */
#ifndef CHATS_RIGHTS_H
#define CHATS_RIGHTS_H

#include "chats_resource.h"

/** Levels, each including the ones before it. */
typedef enum {
    CHATS_RIGHT_NONE = 0,
    CHATS_RIGHT_READ,
    CHATS_RIGHT_UPDATE_OWN,
    CHATS_RIGHT_UPDATE_ALL,
    CHATS_RIGHT_ADMIN
} chats_right_e;

struct chats_rights_t {
    chats_right_e level;
    const char *associate_id;        /**< decimal; NULL = not an associate */
    apr_array_header_t *readonly;    /**< const chats_field_t *: never    */
};

/** What a request wants to do. */
typedef enum {
    CHATS_DO_READ, CHATS_DO_UPDATE, CHATS_DO_CREATE, CHATS_DO_DELETE
} chats_do_e;

/** Look the caller's rights up (once; q->rights) and check that they
 * allow what at all: CHATS_E_FORBIDDEN if not, logged. */
chats_err_t *chats_rights_require(chats_req_t *q, chats_store_t *st,
                                  chats_do_e what);

/** May the caller change the session cur (NULL for a new one) into next?
 * cur must be theirs for update_own, next must be theirs for update_own,
 * and no field in their read-only set may change: CHATS_E_FORBIDDEN
 * naming the field (User for ownership), logged. next NULL checks only
 * cur (before the change is made). */
chats_err_t *chats_rights_check_change(chats_req_t *q, const chats_doc_t *cur,
                                       const chats_doc_t *next);

/** The ETableRight mask of the caller for doc (is_new: the template). */
int chats_rights_table_mask(const chats_req_t *q, const chats_doc_t *doc,
                            int is_new);

/** The fields the caller may not change in doc (for FieldProperties):
 * const chats_field_t *, or NULL for none. */
const apr_array_header_t *chats_rights_readonly(const chats_req_t *q,
                                                const chats_doc_t *doc,
                                                int is_new);

#endif
