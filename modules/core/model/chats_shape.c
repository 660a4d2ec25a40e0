/* The shapes as documents (chats_shape.h): rows rendered through the
 * entity's own readers (chats_entity.h) field by field, so that a
 * carrier or a boolean reads as it does in an entity. */
#include <apr_strings.h>
#include <string.h>

#include "chats_entity.h"
#include "chats_json.h"
#include "chats_name.h"
#include "chats_shape.h"

/* An int4[] column as array_to_json wrote it: [] for NULL or junk. */
static chats_doc_t *int_array(apr_pool_t *p, const char *text)
{
    chats_doc_t *d = NULL;

    if (!text || chats_json_parse(&d, text, strlen(text), NULL, p)
        || d->type != CHATS_J_ARRAY) {
        return chats_doc_array(p);
    }
    return d;
}

chats_doc_t *chats_shape_from_row(apr_pool_t *p,
                                  const chats_entity_def_t *shape,
                                  const char *const *values)
{
    int i, n;
    const chats_field_t *f = chats_schema_fields(shape, &n);
    chats_doc_t *doc = chats_doc_object(p), *one;
    const chats_field_t *fp[1];

    for (i = 0; i < n; i++) {
        if (f[i].flags & CHATS_SHF_CHILDREN) {
            chats_doc_object_add(doc, f[i].name, chats_doc_array(p));
            continue;
        }
        if (f[i].flags & CHATS_SHF_INT_ARRAY) {
            chats_doc_object_add(doc, f[i].name, int_array(p, *values++));
            continue;
        }
        fp[0] = &f[i];
        one = chats_entity_from_cols(p, fp, 1, values++, CHATS_READ_UTC, 0);
        chats_doc_object_add(doc, f[i].name,
                             chats_doc_object_at(one, 0)->value);
    }
    return doc;
}

chats_doc_t *chats_shape_template(apr_pool_t *p,
                                  const chats_entity_def_t *shape)
{
    int i, n;
    const chats_field_t *f = chats_schema_fields(shape, &n);
    chats_doc_t *doc = chats_doc_object(p);

    for (i = 0; i < n; i++) {
        chats_doc_object_add(doc, f[i].name,
                             f[i].flags & (CHATS_SHF_CHILDREN
                                           | CHATS_SHF_INT_ARRAY)
                             ? chats_doc_array(p)
                             : chats_entity_empty(p, &f[i]));
    }
    return doc;
}

chats_doc_t *chats_shape_xml_list(apr_pool_t *p,
                                  const chats_entity_def_t *shape,
                                  const chats_doc_t *array)
{
    chats_doc_t *list = chats_doc_object(p);
    int i, n = chats_doc_array_len(array);

    for (i = 0; i < n; i++) {
        chats_doc_object_add(list, shape->type_name,
                             chats_doc_array_get(array, i));
    }
    return list;
}

/* ---- a ChatTopicAgent in a request ------------------------------------ */

static chats_err_t *bad(apr_pool_t *p, const char *at, const char *name,
                        const char *what)
{
    return chats_err_make(p, CHATS_E_INVALID, apr_pstrcat(p, at, name, NULL),
                          "%s%s: %s", at, name, what);
}

/* User: {AssociateId} above 0, else {Name}; the rest of the carrier the
 * client echoes is not read. */
static chats_err_t *user_in(apr_pool_t *p, const chats_doc_t *v,
                            const char *at, int need_user,
                            chats_agent_in_t *in)
{
    const chats_doc_t *id = NULL, *name = NULL;
    chats_doc_t *n;
    const chats_field_t key = { "AssociateId", NULL, CHATS_F_INT32, 0, 0,
                                NULL, NULL, NULL, NULL, NULL };

    if (v && v->type == CHATS_J_OBJECT) {
        id = chats_doc_object_get(v, "AssociateId", 11, 1);
        name = chats_doc_object_get(v, "Name", 4, 1);
    }
    else if (v && v->type != CHATS_J_NULL) {
        return bad(p, at, "User", "expected an Associate object");
    }
    if (id && id->type != CHATS_J_NULL) {
        if (chats_entity_coerce(&key, id, &n, p) || n->s[0] == '-') {
            return bad(p, at, "User", "AssociateId must be an associate id");
        }
        in->user_id = (apr_int32_t)apr_atoi64(n->s);
    }
    if (!in->user_id && name && name->type == CHATS_J_STRING && name->len) {
        in->login = apr_pstrmemdup(p, name->s, name->len);
    }
    if (need_user && !in->user_id && !in->login) {
        return bad(p, at, "User", "the agent's associate is required "
                   "(AssociateId or Name)");
    }
    return NULL;
}

static chats_err_t *member_in(apr_pool_t *p, const chats_member_t *m,
                              apr_int32_t topic, const char *at,
                              int need_user, chats_agent_in_t *in)
{
    const chats_field_t *f = chats_schema_find(&chats_topic_agent_shape,
                                               m->name, m->name_len);
    int *roles[CHATS_TAF__N] = { NULL, NULL, &in->listen, &in->respond,
                                 &in->manage, &in->notify };
    chats_doc_t *v;
    int k;

    if (!f) {
        return chats_schema_is_ignored(m->name, m->name_len) ? NULL
               : bad(p, at, apr_pstrmemdup(p, m->name, m->name_len),
                     "no such member of ChatTopicAgent");
    }
    k = chats_schema_index(&chats_topic_agent_shape, f);
    if (k == CHATS_TAF_USER) {
        return user_in(p, m->value, at, need_user, in);
    }
    if (m->value->type == CHATS_J_NULL) {
        return NULL;                      /* null: 0, false */
    }
    if (chats_entity_coerce(f, m->value, &v, p)) {
        return bad(p, at, f->name, k == CHATS_TAF_TOPIC
                   ? "expected a topic id" : "expected true or false");
    }
    if (k == CHATS_TAF_TOPIC) {
        apr_int64_t t = apr_atoi64(v->s);

        return t == 0 || t == topic ? NULL
               : bad(p, at, f->name, apr_psprintf(
                         p, "%s is not this topic (%d)", v->s, (int)topic));
    }
    *roles[k] = v->b;
    return NULL;
}

chats_err_t *chats_shape_agent_in(apr_pool_t *p, const chats_doc_t *doc,
                                  apr_int32_t topic, const char *at,
                                  const char *what, int need_user,
                                  chats_agent_in_t *in)
{
    int i, user = 0;
    chats_err_t *e;

    memset(in, 0, sizeof(*in));
    if (!doc || doc->type != CHATS_J_OBJECT) {
        return chats_err_make(p, CHATS_E_INVALID, what, "%s: expected a "
                              "ChatTopicAgent object", what);
    }
    for (i = 0; i < chats_doc_object_len(doc); i++) {
        const chats_member_t *m = chats_doc_object_at(doc, i);

        user |= chats_name_eq(m->name, m->name_len, "User", 4, 1);
        if ((e = member_in(p, m, topic, at, need_user, in)) != NULL) {
            return e;
        }
    }
    if (need_user && !user) {
        return bad(p, at, "User", "the agent's associate is required "
                   "(AssociateId or Name)");
    }
    if (!(in->listen || in->respond || in->manage || in->notify)) {
        return bad(p, at, "CanRespond", "a member needs at least one role "
                   "(CanRespond, CanListen, CanManage or CanNotify)");
    }
    return NULL;
}

const char *chats_shape_agents_json(apr_pool_t *p,
                                    const chats_agent_in_t *in, int n)
{
    chats_doc_t *list = chats_doc_array(p), *o;
    int i;

    for (i = 0; i < n; i++) {
        o = chats_doc_object(p);
        chats_doc_object_add(o, "n", chats_doc_int(p, i));
        chats_doc_object_add(o, "id", chats_doc_int(p, in[i].user_id));
        chats_doc_object_add(o, "login", in[i].login
                             ? chats_doc_strz(p, in[i].login)
                             : chats_doc_null(p));
        chats_doc_object_add(o, "listen", chats_doc_bool(p, in[i].listen));
        chats_doc_object_add(o, "respond", chats_doc_bool(p, in[i].respond));
        chats_doc_object_add(o, "manage", chats_doc_bool(p, in[i].manage));
        chats_doc_object_add(o, "notify", chats_doc_bool(p, in[i].notify));
        chats_doc_array_push(list, o);
    }
    return chats_doc_to_json(p, list, 0);
}
