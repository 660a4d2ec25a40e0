/* JSON-valued fields (CHATS_F_JSON: a webhook's Events, Headers,
 * Properties), and the column lookup of chats_entity.h. Below
 * chats_entity.c, which uses it (and nothing of it is used here). A
 * JSON field is written and compared whole: its canonical value is the
 * client's own document, checked for its shape; jsonb compares as RFC
 * 6902's test does (numbers by value, member order ignored). */
#include <apr_strings.h>
#include <string.h>

#include "chats_entity.h"

static chats_err_t *bad(apr_pool_t *p, const char *field, const char *what)
{
    return chats_err_make(p, CHATS_E_INVALID, field, "%s: %s", field, what);
}

/* PostgreSQL's jsonb cannot hold U+0000, in a string or a member name:
 * refused here, naming the field, rather than by the database. */
static int has_nul(const chats_doc_t *v)
{
    const chats_member_t *m;
    int i;

    switch (v->type) {
    case CHATS_J_STRING:
        return memchr(v->s, '\0', v->len) != NULL;
    case CHATS_J_ARRAY:
        for (i = 0; i < chats_doc_array_len(v); i++) {
            if (has_nul(chats_doc_array_get(v, i))) {
                return 1;
            }
        }
        return 0;
    case CHATS_J_OBJECT:
        for (i = 0; i < chats_doc_object_len(v); i++) {
            m = chats_doc_object_at(v, i);
            if (memchr(m->name, '\0', m->name_len) || has_nul(m->value)) {
                return 1;
            }
        }
        return 0;
    default:
        return 0;
    }
}

/* CHATS_FF_JSON_STRINGS: every element, or member value, a string. */
static chats_err_t *strings_only(apr_pool_t *p, const char *name,
                                 const chats_doc_t *v)
{
    const chats_member_t *m;
    int i, obj = v->type == CHATS_J_OBJECT;
    int n = obj ? chats_doc_object_len(v) : chats_doc_array_len(v);

    for (i = 0; i < n; i++) {
        m = obj ? chats_doc_object_at(v, i) : NULL;
        if ((m ? m->value : chats_doc_array_get(v, i))->type
            != CHATS_J_STRING) {
            return obj ? bad(p, apr_pstrcat(p, name, "/", apr_pstrmemdup(
                                                p, m->name, m->name_len),
                                            NULL), "expected a string")
                       : bad(p, name, apr_psprintf(p, "element %d is not a "
                                                   "string", i));
        }
    }
    return NULL;
}

chats_err_t *chats_entity_json_coerce(const chats_field_t *f,
                                      const chats_doc_t *v,
                                      chats_doc_t **pout, apr_pool_t *p)
{
    int obj = (f->flags & CHATS_FF_JSON_OBJECT) != 0;
    chats_err_t *e;

    if (v->type == CHATS_J_NULL) {         /* the empty value */
        *pout = obj ? chats_doc_object(p) : chats_doc_array(p);
        return NULL;
    }
    if (v->type != (obj ? CHATS_J_OBJECT : CHATS_J_ARRAY)) {
        return bad(p, f->name, obj ? "expected an object" : "expected an "
                   "array");
    }
    if ((f->flags & CHATS_FF_JSON_STRINGS)
        && (e = strings_only(p, f->name, v)) != NULL) {
        return e;
    }
    if (has_nul(v)) {
        return bad(p, f->name, "a string may not contain U+0000");
    }
    *pout = (chats_doc_t *)v;
    return NULL;
}

const chats_field_t *chats_entity_field_by_column(
    const chats_entity_def_t *def, const char *column)
{
    const chats_field_t *f;
    int i;

    for (i = 0; (f = chats_schema_slot(def, i)) != NULL; i++) {
        if (f->column && !strcmp(f->column, column)) {
            return f;
        }
    }
    return NULL;
}
