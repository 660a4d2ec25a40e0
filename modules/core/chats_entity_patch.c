/* The patch hook: holds every op to the entity's rules before the generic
 * engine applies it. Because values are made canonical here, the engine's
 * plain equality serves "test" for enums (name or number), date-times (as
 * instants) and strings (exactly). */
#include <apr_strings.h>
#include <string.h>

#include "chats_entity.h"

static const char *tok(const apr_array_header_t *tokens, int i)
{
    return APR_ARRAY_IDX(tokens, i, const char *);
}

static chats_err_t *readonly(apr_pool_t *p, const char *field)
{
    return chats_err_make(p, CHATS_E_READONLY, field,
                          "%s is read-only", field);
}

static chats_err_t *test_failed(apr_pool_t *p, const char *field)
{
    return chats_err_make(p, CHATS_E_TEST_FAILED, field,
                          "test failed: %s has another value", field);
}

/* Ops on a whole field. */
static chats_err_t *prepare_field(const chats_field_t *f, chats_op_t *op,
                                  const chats_doc_t *cur, apr_pool_t *p)
{
    chats_doc_t *v;
    chats_err_t *e;

    if (op->kind == CHATS_OP_REMOVE) {
        op->kind = CHATS_OP_REPLACE;
        op->value = chats_entity_empty(p, f);
    }
    else if ((e = chats_entity_coerce(f, op->value, &v, p)) != NULL) {
        return e;
    }
    else {
        op->value = v;
    }
    if (f->type == CHATS_F_CARRIER) {
        /* By reference: only the keys count, not the derived members. */
        const char *key = f->carrier->fields[0].name;
        const chats_doc_t *a = cur->type == CHATS_J_OBJECT
            ? chats_doc_object_get(cur, key, strlen(key), 0) : NULL;
        const chats_doc_t *b = op->value->type == CHATS_J_OBJECT
            ? chats_doc_object_get(op->value, key, strlen(key), 0) : NULL;
        int same = (!a && !b) || (a && b && chats_doc_equal(a, b));

        if (op->kind == CHATS_OP_TEST) {
            return same ? (op->kind = CHATS_OP_SKIP, NULL)
                        : test_failed(p, f->name);
        }
        if (same) {
            op->kind = CHATS_OP_SKIP;    /* keep the full, joined object */
        }
        return NULL;
    }
    if (op->kind != CHATS_OP_TEST && (f->flags & CHATS_FF_READONLY)
        && !chats_doc_equal(op->value, cur)) {
        return readonly(p, f->name);
    }
    return NULL;
}

/* Is v (from a client) the sub-field's current value cur? Compared as the
 * sub-field's type: an echoed date-time in another form is the same
 * instant, an enum by number is its name. */
static int same_sub_value(const chats_subfield_t *s, const chats_doc_t *cur,
                          const chats_doc_t *v, apr_pool_t *p)
{
    chats_field_t as_field;
    chats_doc_t *canon;

    memset(&as_field, 0, sizeof(as_field));
    as_field.name = s->name;
    as_field.type = s->type;
    as_field.enums = s->enums;
    if (s->type == CHATS_F_INT32 || s->type == CHATS_F_DATETIME
        || s->type == CHATS_F_ENUM || s->type == CHATS_F_BOOL
        || s->type == CHATS_F_STRING) {
        if (chats_entity_coerce(&as_field, v, &canon, p) != NULL) {
            return 0;
        }
        v = canon;
    }
    return chats_doc_equal(cur, v);
}

/* Ops on a carrier's sub-field: its key re-points the carrier; the other
 * members are read-only (derived from the referenced row). */
static chats_err_t *prepare_sub(const chats_field_t *f, chats_op_t *op,
                                const char *name, const chats_doc_t *cur,
                                apr_pool_t *p)
{
    const chats_carrier_t *c = f->carrier;
    const chats_subfield_t *s = chats_carrier_find(c, name, strlen(name));
    const char *path;
    const chats_doc_t *have;
    chats_doc_t *wrapped;

    if (!s) {
        path = apr_pstrcat(p, f->name, "/", name, NULL);
        return chats_err_make(p, CHATS_E_INVALID, path,
                              "unknown field %s", path);
    }
    path = apr_pstrcat(p, f->name, "/", s->name, NULL);
    if (s == &c->fields[0]) {
        /* Same as an op on the whole carrier with {key: value}. */
        op->path = apr_pstrcat(p, "/", f->name, NULL);
        if (op->kind == CHATS_OP_REMOVE) {
            return prepare_field(f, op, cur, p);
        }
        wrapped = chats_doc_object(p);
        chats_doc_object_set(wrapped, s->name, strlen(s->name), op->value,
                             0, p);
        op->value = wrapped;
        if (op->kind == CHATS_OP_ADD) {
            op->kind = CHATS_OP_REPLACE;
        }
        return prepare_field(f, op, cur, p);
    }
    have = cur->type == CHATS_J_OBJECT
        ? chats_doc_object_get(cur, s->name, strlen(s->name), 0) : NULL;
    if (op->kind == CHATS_OP_REMOVE) {
        /* a merge null for a member that is null already changes nothing */
        if (!have || have->type == CHATS_J_NULL) {
            op->kind = CHATS_OP_SKIP;
            return NULL;
        }
        return readonly(p, path);
    }
    if (op->kind == CHATS_OP_TEST) {
        if (have ? !same_sub_value(s, have, op->value, p)
                 : op->value->type != CHATS_J_NULL) {
            return test_failed(p, path);
        }
        op->kind = CHATS_OP_SKIP;
        return NULL;
    }
    /* An echo of the current value, or of a member of a carrier that this
     * patch re-pointed (no longer known here), changes nothing. */
    if (!have || same_sub_value(s, have, op->value, p)) {
        op->kind = CHATS_OP_SKIP;
        return NULL;
    }
    return readonly(p, path);
}

chats_err_t *chats_entity_prepare(void *ctx, int index, chats_op_t *op,
                                  const apr_array_header_t *tokens,
                                  const chats_doc_t *doc, apr_pool_t *p)
{
    const char *name;
    const chats_field_t *f;
    const chats_doc_t *cur;

    (void)ctx;
    (void)index;
    if (tokens->nelts == 0) {
        return chats_err_make(p, CHATS_E_INVALID, NULL,
                              "a path must name a field");
    }
    name = tok(tokens, 0);
    if (chats_schema_is_ignored(name, strlen(name))) {
        op->kind = CHATS_OP_SKIP;        /* response-only, echoed back */
        return NULL;
    }
    if (!(f = chats_schema_find(name, strlen(name)))) {
        return chats_err_make(p, CHATS_E_INVALID, name,
                              "unknown field %s", name);
    }
    if (op->kind == CHATS_OP_MOVE || op->kind == CHATS_OP_COPY) {
        return chats_err_make(p, CHATS_E_INVALID, f->name,
                              "move and copy are not supported");
    }
    cur = chats_doc_object_get(doc, f->name, strlen(f->name), 0);
    op->path = apr_pstrcat(p, "/", f->name, NULL);
    if (tokens->nelts == 1) {
        return prepare_field(f, op, cur, p);
    }
    if (tokens->nelts == 2 && f->type == CHATS_F_CARRIER) {
        return prepare_sub(f, op, tok(tokens, 1), cur, p);
    }
    return chats_err_make(p, CHATS_E_INVALID, f->name,
                          "%s has no member %s", f->name, tok(tokens, 1));
}
