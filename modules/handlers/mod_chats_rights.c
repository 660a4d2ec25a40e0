/* Authorization: the caller's level and read-only fields come from
 * chat_session_right with the credential (mod_chats_identity.h: cached with
 * it, so no statement per request); the method is checked here, and
 * writes compile the per-row and per-field rules into their statement
 * (core/plan/chats_plan.c), so that they hold for the row actually written. */
#include <apr_strings.h>

#include "chats_entity.h"
#include "mod_chats_identity.h"
#include "chats_render.h"
#include "mod_chats_rights.h"

static const char *caller(const chats_req_t *q)
{
    return q->r->user ? ap_escape_logitem(q->r->pool, q->r->user) : "-";
}

/* The caller as the request carries it: found with the credential by our
 * AuthType (no statement when the credential was cached), or by r->user
 * for another AuthType (mod_chats_identity.h). */
static chats_err_t *lookup(chats_req_t *q)
{
    struct chats_rights_t *rt;
    const chats_caller_t *c;
    chats_err_t *e;

    if ((c = chats_caller_of(q->r, &e)) == NULL) {
        return e;
    }
    rt = apr_pcalloc(q->r->pool, sizeof(*rt));
    rt->caller = *c;
    q->rights = rt;
    return NULL;
}

/* The least level what needs on some row of the request's entity: its
 * rights rule's (the guarded rows' when those need less; the statement
 * decides the rest), or the actions' own. */
static chats_right_e least_need(const chats_req_t *q, chats_do_e what)
{
    const chats_entity_rights_t *rr = q->entity ? q->entity->rights : NULL;
    const chats_verb_need_t *n;

    if (what >= CHATS_DO_ACT || !rr) {
        return what == CHATS_DO_MINE ? CHATS_RIGHT_READ
                                     : CHATS_RIGHT_UPDATE_OWN;
    }
    n = &rr->need[what];            /* CHATS_DO_* in chats_verb_e order */
    return n->guarded < n->any ? n->guarded : n->any;
}

chats_err_t *chats_rights_require(chats_req_t *q, chats_do_e what)
{
    static const char *const verb[] = {
        "read", "update", "create", "delete", "act on", "list your"
    };
    const char *label = q->entity ? q->entity->label : "chat session";
    chats_err_t *e;

    if (!q->rights && (e = lookup(q)) != NULL) {
        return e;
    }
    if (q->rights->caller.level < least_need(q, what)) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, q->r, CHATS_LOGNO(201)
                      "denied: %s (%s) may not %s %ss (%s %d)",
                      caller(q), chats_right_name(q->rights->caller.level),
                      verb[what], label, q->r->method, (int)q->id);
        return chats_err_make(q->r->pool, CHATS_E_FORBIDDEN, NULL,
                              "you may not %s %ss", verb[what], label);
    }
    if (what >= CHATS_DO_ACT && q->rights->caller.associate_id <= 0) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, q->r, CHATS_LOGNO(380)
                      "denied: %s is no associate, so has no topics and "
                      "owns no session (%s %d)", caller(q), q->r->method,
                      (int)q->id);
        return chats_err_make(q->r->pool, CHATS_E_FORBIDDEN, NULL,
                              "only an associate may %s chat sessions",
                              verb[what]);
    }
    return NULL;
}

chats_do_e chats_rights_op_need(chats_op_e op)
{
    switch (op) {
    case CHATS_OP_PICKUP_FIRST:
    case CHATS_OP_PICKUP:
    case CHATS_OP_TRANSFER:
    case CHATS_OP_ACCEPT:
    case CHATS_OP_REJECT:
    case CHATS_OP_RESET:
        return CHATS_DO_ACT;
    case CHATS_OP_FOR_USER:
        return CHATS_DO_MINE;
    case CHATS_OP_CREATE_FOR_TOPIC:
        return CHATS_DO_CREATE;
    default:
        return CHATS_DO_READ;
    }
}

const chats_caller_t *chats_rights_caller(const chats_req_t *q)
{
    return q->rights ? &q->rights->caller : NULL;
}

void chats_rights_log_denial(const chats_req_t *q, const chats_err_t *e)
{
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, q->r, CHATS_LOGNO(202)
                  "denied: %s (%s): %s%s%s (%s %d)", caller(q),
                  chats_right_name(q->rights ? q->rights->caller.level
                                             : CHATS_RIGHT_NONE),
                  e->message, e->field ? ", field " : "",
                  e->field ? e->field : "", q->r->method, (int)q->id);
}

/* The associate id of a row's owner (a session's User), or 0 for none
 * (or an entity without an owner). */
static apr_int32_t owner_of(const chats_req_t *q, const chats_doc_t *doc)
{
    const chats_field_t *f = chats_schema_owner(q->entity);
    const char *key = f ? f->carrier->fields[0].name : NULL;
    const chats_doc_t *u = doc && f ? chats_doc_object_get(doc, f->name,
                                                           strlen(f->name), 0)
                                    : NULL, *id;

    if (!u || u->type != CHATS_J_OBJECT
        || !(id = chats_doc_object_get(u, key, strlen(key), 0))
        || id->type != CHATS_J_NUMBER) {
        return 0;
    }
    return (apr_int32_t)apr_atoi64(id->s);
}

static int is_own(const chats_req_t *q, const chats_doc_t *doc)
{
    apr_int32_t o = owner_of(q, doc);

    return o > 0 && o == q->rights->caller.associate_id;
}

int chats_rights_table_mask(const chats_req_t *q, const chats_doc_t *doc,
                            int is_new)
{
    switch (q->rights ? q->rights->caller.level : CHATS_RIGHT_NONE) {
    case CHATS_RIGHT_ADMIN:
        return CHATS_TR_FULL;
    case CHATS_RIGHT_UPDATE_ALL:
        return CHATS_TR_SELECT | CHATS_TR_UPDATE | CHATS_TR_INSERT;
    case CHATS_RIGHT_UPDATE_OWN:
        return is_new ? CHATS_TR_SELECT | CHATS_TR_INSERT
             : is_own(q, doc) ? CHATS_TR_SELECT | CHATS_TR_UPDATE
             : CHATS_TR_SELECT;
    case CHATS_RIGHT_READ:
        return CHATS_TR_SELECT;
    default:
        return 0;
    }
}

int chats_rights_table_mask_ruled(const chats_req_t *q, int is_new,
                                  int may_write)
{
    static const int bit[] = {
        CHATS_TR_SELECT, CHATS_TR_UPDATE, CHATS_TR_INSERT, CHATS_TR_DELETE
    };
    const chats_entity_rights_t *rr = q->entity->rights;
    chats_right_e level = q->rights ? q->rights->caller.level
                                    : CHATS_RIGHT_NONE;
    int verb, mask = CHATS_TR_SELECT;     /* it was read: the caller may */

    if (level == CHATS_RIGHT_ADMIN) {
        return CHATS_TR_FULL;
    }
    for (verb = CHATS_VERB_UPDATE; rr && verb <= CHATS_VERB_DELETE; verb++) {
        const chats_verb_need_t *n = &rr->need[verb];

        if (level >= n->any || (!is_new && may_write && level >= n->guarded
                                && verb != CHATS_VERB_CREATE)) {
            mask |= bit[verb];
        }
    }
    return mask;
}

const apr_array_header_t *chats_rights_readonly(const chats_req_t *q,
                                                const chats_doc_t *doc,
                                                int is_new)
{
    const chats_caller_t *c = chats_rights_caller(q);
    /* the caller's read-only fields index the session's table */
    const chats_field_t *f = chats_schema_fields(&chats_session_def, NULL);
    const chats_field_t *owner = chats_schema_owner(q->entity);
    apr_array_header_t *ro;
    int k;

    (void)doc;
    if (!c) {
        return NULL;
    }
    if (!(q->entity->flags & CHATS_ED_CALLER_READONLY)) {
        f = NULL;
    }
    ro = apr_array_make(q->r->pool, c->nreadonly + 1,
                        sizeof(const chats_field_t *));
    for (k = 0; f && k < c->nreadonly; k++) {
        APR_ARRAY_PUSH(ro, const chats_field_t *) = &f[c->readonly[k]];
    }
    /* Their own session: any other User would not be theirs. */
    if (c->level == CHATS_RIGHT_UPDATE_OWN && !is_new && owner) {
        APR_ARRAY_PUSH(ro, const chats_field_t *) = owner;
    }
    return ro->nelts ? ro : NULL;
}
