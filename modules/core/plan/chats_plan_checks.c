/* The checks every write has, besides its ops (chats_plan.h): who may
 * write this row, under which preconditions, and the caller's rights on
 * the result. */
#include <apr_strings.h>
#include <string.h>

#include "chats_entity.h"
#include "chats_plan_private.h"

static chats_err_t *denied(apr_pool_t *p, const char *field,
                           const char *why)
{
    return chats_err_make(p, CHATS_E_FORBIDDEN, field, "%s", why);
}

/* The owner's key as the caller's own: an associate, or nobody's. */
static const char *me(chats_plan_t *pl)
{
    apr_int32_t id = pl->in.caller ? pl->in.caller->associate_id : 0;

    return id > 0 ? apr_itoa(pl->p, id) : NULL;
}

static void plan_preconditions(chats_plan_t *pl)
{
    const chats_precond_t *c = pl->in.precond;
    chats_err_t *stale;

    if (!chats_precond_any(c)) {
        return;
    }
    stale = chats_err_make(pl->p, CHATS_E_STALE, NULL,
                           "a precondition failed: the %s has changed",
                           pl->in.entity->label);
    if (c->if_match && !c->if_match_any) {
        chats_plan_add_check(pl, apr_pstrcat(pl->p, "cs.version = ANY(", chats_plan_typed_param(
                                      pl, c->if_match_list,
                                      CHATS_P_INT8_ARRAY), ")", NULL),
                  1, stale);
    }
    if (c->unmodified_since >= 0) {
        chats_plan_add_check(pl, apr_pstrcat(pl->p, "EXTRACT(EPOCH FROM date_trunc("
                                  "'second', cs.updated_at))::int8 <= ",
                                  chats_plan_typed_param(pl, apr_psprintf(
                                      pl->p, "%" APR_INT64_T_FMT,
                                      c->unmodified_since), CHATS_P_INT8),
                                  NULL), 1, stale);
    }
    if (c->if_none_match) {
        chats_plan_add_check(pl, c->if_none_match_any ? NULL
                  : apr_pstrcat(pl->p, "NOT cs.version = ANY(", chats_plan_typed_param(
                                    pl, c->if_none_match_list,
                                    CHATS_P_INT8_ARRAY), ")", NULL),
                  0, stale);
    }
}

/* The rights rule's guard for a caller whose level allows the verb on
 * the guarded rows alone (a session's update_own caller: their own):
 * the guard, "$me" the caller's associate id, or decided false when the
 * caller is no associate. */
static void plan_guard(chats_plan_t *pl, chats_verb_e verb)
{
    const chats_entity_rights_t *rr = pl->in.entity->rights;
    const chats_caller_t *c = pl->in.caller;
    const char *mine = me(pl), *at;

    if (!c || !rr || !rr->guard || c->level >= rr->need[verb].any
        || c->level < rr->need[verb].guarded) {
        return;
    }
    at = strstr(rr->guard, "$me");
    chats_plan_add_check(pl, mine && at ? apr_pstrcat(pl->p,
                             apr_pstrndup(pl->p, rr->guard, at - rr->guard),
                             chats_plan_typed_param(pl, mine, CHATS_P_INT4),
                             at + 3, NULL) : NULL, 0,
                         denied(pl->p, NULL, apr_pstrcat(
                             pl->p, "you may only change ", rr->guard_text,
                             NULL)));
}

/* A DELETE of a row others refer to is refused in its statement; the
 * count in the answer is the glue's (chats_plan_in_use_sql). */
static void plan_in_use(chats_plan_t *pl)
{
    const chats_in_use_t *u = pl->in.entity->in_use;

    if (u && pl->in.kind == CHATS_PLAN_DELETE) {
        chats_plan_add_check(pl, apr_pstrcat(pl->p, "(", u->count,
                                             ") = 0", NULL), 1,
                             chats_err_make(pl->p, CHATS_E_IN_USE, u->field,
                                            "the %s still has %s: delete "
                                            "or move them first",
                                            pl->in.entity->label, u->what));
    }
}

chats_plan_t *chats_plan_make(apr_pool_t *p, const chats_plan_in_t *in)
{
    chats_plan_t *pl = apr_pcalloc(p, sizeof(*pl));

    pl->p = p;
    pl->in = *in;
    pl->failed = -1;
    pl->nfields = chats_schema_nslots(in->entity);
    pl->set = apr_pcalloc(p, pl->nfields * sizeof(*pl->set));
    pl->set_param = apr_pcalloc(p, pl->nfields * sizeof(*pl->set_param));
    pl->params = apr_array_make(p, 16, sizeof(chats_param_t));
    pl->checks = apr_array_make(p, 8, sizeof(chats_check_t));
    pl->seen = apr_hash_make(p);
    pl->stmt = chats_plan_stmt_make(p);
    if (in->kind == CHATS_PLAN_DELETE) {
        pl->in.zone = NULL;                 /* nothing is read back */
    }
    if (pl->in.zone) {
        chats_plan_param(pl, pl->in.zone, CHATS_P_TEXT);          /* $1 */
    }
    if (in->kind == CHATS_PLAN_INSERT) {
        pl->cur = chats_entity_template(p, in->entity);
        return pl;
    }
    pl->id_sql = chats_plan_typed_param(pl, apr_itoa(p, in->id), CHATS_P_INT4);
    /* (an INSERT has no row to guard: its owner rule is
     * chats_plan_finish's) */
    plan_guard(pl, in->kind == CHATS_PLAN_UPDATE ? CHATS_VERB_UPDATE
                                                 : CHATS_VERB_DELETE);
    plan_preconditions(pl);
    plan_in_use(pl);
    return pl;
}

/* ---- the caller's rights on the result --------------------------------- */

void chats_plan_finish(chats_plan_t *pl)
{
    const chats_caller_t *c = pl->in.caller;
    const chats_field_t *f = chats_schema_fields(pl->in.entity, NULL);
    const chats_field_t *owner = chats_schema_owner(pl->in.entity);
    chats_pval_t cur, next;
    int k, i;

    if (pl->in.kind == CHATS_PLAN_DELETE) {
        return;
    }
    /* who writes (CHATS_COL_UPDATED_BY): the plan's last parameter */
    if (pl->in.entity->flags & CHATS_ED_VERSIONED) {
        pl->actor_sql = chats_plan_typed_param(
            pl, apr_itoa(pl->p, c ? c->associate_id : 0), CHATS_P_INT4);
    }
    chats_plan_pairs(pl);          /* bad values (400) before rights (403) */
    if (!c) {
        return;
    }
    if (c->level == CHATS_RIGHT_UPDATE_OWN && owner
        && (pl->set[chats_plan_field_index(pl, owner)].sql || pl->cur)) {
        const chats_doc_t *v = chats_plan_current(pl, owner).canon;
        const chats_doc_t *key = v && v->type == CHATS_J_OBJECT
            ? chats_doc_object_get(v, owner->carrier->fields[0].name,
                                   strlen(owner->carrier->fields[0].name), 0)
            : NULL;
        const char *mine = me(pl);

        chats_plan_add_check(pl, NULL, key && mine && !strcmp(key->s, mine),
                  denied(pl->p, owner->name, "your chat sessions must stay "
                         "yours: User must be you"));
    }
    /* the caller's read-only fields index the session's table alone */
    for (k = 0; (pl->in.entity->flags & CHATS_ED_CALLER_READONLY)
                && k < c->nreadonly; k++) {
        i = c->readonly[k];
        if (!pl->set[i].sql) {
            continue;                    /* not written: not changed */
        }
        next = pl->set[i];
        pl->set[i].sql = NULL;           /* the value before the plan */
        cur = chats_plan_current(pl, &f[i]);
        pl->set[i] = next;
        chats_plan_check_equal(pl, &cur, &next,
                    denied(pl->p, f[i].name, apr_psprintf(
                               pl->p, "you may not change %s", f[i].name)));
    }
}
