/* Merge patches and whole entities as planner ops (chats_plan.h). Their
 * errors name the member (Field), not an op index. */
#include <apr_strings.h>
#include <string.h>

#include "chats_plan_private.h"

/* A member name as a JSON Pointer token (RFC 6901: ~ -> ~0, / -> ~1). */
static const char *pointer_token(apr_pool_t *p, const char *s, apr_size_t n)
{
    char *out = apr_palloc(p, 2 * n + 1), *d = out;
    apr_size_t i;

    for (i = 0; i < n; i++) {
        if (s[i] == '~' || s[i] == '/') {
            *d++ = '~';
            *d++ = s[i] == '~' ? '0' : '1';
        }
        else {
            *d++ = s[i];
        }
    }
    *d = '\0';
    return out;
}

static void member_op(chats_plan_t *pl, chats_opkind_e kind,
                      const char *path, const char *member,
                      chats_doc_t *value)
{
    chats_op_t op;

    memset(&op, 0, sizeof(op));
    op.kind = kind;
    op.path = path;
    op.member = member;
    op.value = value;
    chats_plan_op(pl, &op, -1);
}

/* A carrier object without its key: the members of the carrier there is
 * (null: nothing to take away; a value: only the one it has). */
static void merge_members(chats_plan_t *pl, const chats_field_t *f,
                          const char *path, const char *member,
                          const chats_doc_t *obj)
{
    int i;

    chats_plan_require_carrier(pl, f);
    for (i = 0; i < chats_doc_object_len(obj); i++) {
        chats_member_t *m = chats_doc_object_at(obj, i);
        const char *sub = apr_pstrcat(pl->p, path, "/", pointer_token(
                                          pl->p, m->name, m->name_len), NULL);
        const char *name = apr_pstrcat(pl->p, member, "/", m->name, NULL);

        if (m->value->type != CHATS_J_NULL) {
            member_op(pl, CHATS_OP_REPLACE, sub, name, m->value);
        }
        else if (chats_carrier_find(f->carrier, m->name, m->name_len)) {
            member_op(pl, CHATS_OP_REMOVE, sub, name, NULL);
        }
    }
}

/* One member of a merge patch (of the entity, or of a group g): f the
 * field it names, or NULL. */
static void merge_one(chats_plan_t *pl, const chats_field_t *f,
                      const char *path, const char *member,
                      const chats_doc_t *value)
{
    if (value->type == CHATS_J_NULL) {
        if (f) {                             /* only what exists goes */
            member_op(pl, CHATS_OP_REMOVE, path, member, NULL);
        }
    }
    else if (f && f->type == CHATS_F_CARRIER
             && value->type == CHATS_J_OBJECT
             && !chats_doc_object_get(value, f->carrier->fields[0].name,
                                      strlen(f->carrier->fields[0].name),
                                      1)) {
        merge_members(pl, f, path, member, value);
    }
    else if (f && f->type == CHATS_F_GROUP
             && value->type == CHATS_J_OBJECT) {
        chats_plan_merge_group(pl, f, path, value);
    }
    else {
        member_op(pl, CHATS_OP_REPLACE, path, member, (chats_doc_t *)value);
    }
}

void chats_plan_merge_group(chats_plan_t *pl, const chats_field_t *g,
                            const char *path, const chats_doc_t *obj)
{
    int i;

    for (i = 0; i < chats_doc_object_len(obj) && pl->failed < 0; i++) {
        chats_member_t *m = chats_doc_object_at(obj, i);

        merge_one(pl, chats_group_find(g, m->name, m->name_len),
                  apr_pstrcat(pl->p, path, "/", pointer_token(
                                  pl->p, m->name, m->name_len), NULL),
                  apr_pstrcat(pl->p, g->name, "/", m->name, NULL), m->value);
    }
}

void chats_plan_merge(chats_plan_t *pl, const chats_doc_t *merge)
{
    int i;

    for (i = 0; i < chats_doc_object_len(merge) && pl->failed < 0; i++) {
        chats_member_t *m = chats_doc_object_at(merge, i);
        const chats_field_t *f = chats_schema_find(pl->in.entity, m->name,
                                                   m->name_len);

        if (memchr(m->name, '\0', m->name_len)) {
            member_op(pl, CHATS_OP_REPLACE, NULL, m->name, m->value);
            continue;                        /* "missing path": refused */
        }
        if (f && (f->flags & CHATS_FF_DERIVED)) {
            continue;              /* an echo of what we rendered (§1.7) */
        }
        merge_one(pl, f, apr_pstrcat(pl->p, "/", pointer_token(
                                         pl->p, m->name, m->name_len), NULL),
                  m->name, m->value);
    }
}

chats_err_t *chats_plan_entity(chats_plan_t *pl, const chats_doc_t *body)
{
    int i, n;
    const chats_field_t *f = chats_schema_fields(pl->in.entity, &n);

    if (body->type != CHATS_J_OBJECT) {
        return chats_err_make(pl->p, CHATS_E_INVALID, NULL,
                              "the body must be a %s object",
                              pl->in.entity->type_name);
    }
    for (i = 0; i < chats_doc_object_len(body); i++) {
        const chats_member_t *m = chats_doc_object_at(body, i);

        if (!chats_schema_find(pl->in.entity, m->name, m->name_len)
            && !chats_schema_is_ignored(m->name, m->name_len)) {
            return chats_err_make(pl->p, CHATS_E_INVALID, m->name,
                                  "unknown field %s", m->name);
        }
    }
    for (i = 0; i < n && pl->failed < 0; i++) {
        chats_doc_t *v = chats_doc_object_get(body, f[i].name,
                                              strlen(f[i].name), 1);

        /* The key: absent, null or 0 leave it to the URL (or the
         * database, for a new row); any other value must match. */
        if ((f[i].flags & CHATS_FF_KEY)
            && (!v || v->type == CHATS_J_NULL
                || (v->type == CHATS_J_NUMBER && !strcmp(v->s, "0")))) {
            continue;
        }
        if (f[i].flags & CHATS_FF_DERIVED) {
            continue;              /* an echo of what we rendered (§1.7) */
        }
        if ((f[i].flags & CHATS_FF_WRITEONLY) && !v) {
            continue;    /* never rendered, so never echoed: it is kept */
        }
        member_op(pl, v ? CHATS_OP_REPLACE : CHATS_OP_REMOVE,
                  apr_pstrcat(pl->p, "/", f[i].name, NULL), f[i].name, v);
    }
    return NULL;
}
