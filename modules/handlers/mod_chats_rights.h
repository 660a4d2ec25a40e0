/* The caller's rights on chat sessions (table chat_session_right, see
 * conf/auth.sql and README "Authorization"): found with the credential
 * (mod_chats_identity.h; no statement on a cached one) and checked per method
 * here; per row and per field, writes compile them into their statement
 * (core/plan/chats_plan.h). Glue. */
#ifndef CHATS_RIGHTS_H
#define CHATS_RIGHTS_H

#include "chats_caller.h"
#include "mod_chats_resource.h"
#include "chats_routes.h"

struct chats_rights_t {
    chats_caller_t caller;
};

/** What a request wants to do. CHATS_DO_ACT: an agent's action on a
 * session (Pickup, TransferTo, Accept, Reject, Reset; at least
 * update_own); CHATS_DO_MINE: read the sessions of one's own topics
 * (ForCurrentUser; at least read). Both need the caller to be an
 * associate: topic membership and ownership are an associate's. */
typedef enum {
    /* the first four in chats_verb_e's order: the entity's rights rule */
    CHATS_DO_READ = CHATS_VERB_READ, CHATS_DO_UPDATE = CHATS_VERB_UPDATE,
    CHATS_DO_CREATE = CHATS_VERB_CREATE, CHATS_DO_DELETE = CHATS_VERB_DELETE,
    CHATS_DO_ACT, CHATS_DO_MINE
} chats_do_e;

/** What an operation needs at least, for a check made before anything
 * is read (the agent's binder reads the body after it): the actions'
 * own rights; CHATS_DO_READ for the operations that check more
 * themselves once they know more (SaveChatSessionEntity: create or
 * replace). */
chats_do_e chats_rights_op_need(chats_op_e op);

/** Take the caller's rights (once; q->rights) from the request
 * (chats_caller_of) and check that they allow what at all:
 * CHATS_E_FORBIDDEN if not, logged; the store's error when the rights of
 * a user another module authenticated cannot be read. */
chats_err_t *chats_rights_require(chats_req_t *q, chats_do_e what);

/** The caller, once chats_rights_require has looked it up. */
const chats_caller_t *chats_rights_caller(const chats_req_t *q);

/** Log a denial a write's checks decided (CHATS_E_FORBIDDEN). */
void chats_rights_log_denial(const chats_req_t *q, const chats_err_t *e);

/** TableRight of an entity with a read guard (a topic): from its rights
 * rule, may_write saying whether the rule's guard holds for the row (a
 * topic's manager), 0 when unknown or not. */
int chats_rights_table_mask_ruled(const chats_req_t *q, int is_new,
                                  int may_write);

/** The ETableRight mask of the caller for doc (is_new: the template). */
int chats_rights_table_mask(const chats_req_t *q, const chats_doc_t *doc,
                            int is_new);

/** The fields the caller may not change in doc (for FieldProperties):
 * const chats_field_t *, or NULL for none. */
const apr_array_header_t *chats_rights_readonly(const chats_req_t *q,
                                                const chats_doc_t *doc,
                                                int is_new);

#endif
