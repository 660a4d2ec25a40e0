/* RFC 6901, RFC 6902 and RFC 7396 (as ops) over chats_doc_t; APR only.
 * The endpoint's rules (case-insensitive names, optional '/', read-only
 * fields) come in through flags and the prepare hook, never as code. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "chats_name.h"
#include "chats_patch.h"

#define OP_HAS_FROM(k) ((k) == CHATS_OP_MOVE || (k) == CHATS_OP_COPY)

/* What one op needs while it runs; field names the op in errors. */
typedef struct {
    apr_pool_t *p;
    int flags;
    const char *field;
} run_t;

__attribute__((format(printf, 3, 4)))
static chats_err_t *run_err(const run_t *r, chats_ecode_t code,
                            const char *fmt, ...)
{
    va_list ap;
    const char *msg;

    va_start(ap, fmt);
    msg = apr_pvsprintf(r->p, fmt, ap);
    va_end(ap);
    return chats_err_make(r->p, code, r->field, "%s", msg);
}

/* ---- RFC 6901 --------------------------------------------------------- */

chats_err_t *chats_pointer_parse(apr_array_header_t **ptokens,
                                 const char *ptr, int flags, apr_pool_t *p)
{
    apr_array_header_t *toks = apr_array_make(p, 8, sizeof(char *));
    const char *s = ptr;
    char *tok, *o;

    *ptokens = toks;
    if (!*s) {
        return NULL;
    }
    if (*s == '/') {
        s++;
    }
    else if (!(flags & CHATS_PATCH_SLASH_OPT)) {
        return chats_err_make(p, CHATS_E_INVALID, ptr,
                              "JSON pointer must start with '/'");
    }
    for (;;) {
        tok = o = apr_palloc(p, strcspn(s, "/") + 1);
        for (; *s && *s != '/'; s++) {
            if (*s != '~') {
                *o++ = *s;
            }
            else if (s[1] == '0' || s[1] == '1') {
                *o++ = (*++s == '0') ? '~' : '/';
            }
            else {
                return chats_err_make(p, CHATS_E_INVALID, ptr,
                                      "bad '~' escape in JSON pointer");
            }
        }
        *o = '\0';
        APR_ARRAY_PUSH(toks, char *) = tok;
        if (!*s++) {
            return NULL;
        }
    }
}

/* An array index token: "0" or digits without a leading zero, at most
 * max. Returns -1 otherwise ("1e0", "01", "-", "", too big). */
static int array_index(const char *tok, int max)
{
    apr_size_t n = strspn(tok, "0123456789");
    int i;

    if (n == 0 || tok[n] || (tok[0] == '0' && n > 1) || n > 9) {
        return -1;
    }
    i = atoi(tok);
    return i <= max ? i : -1;
}

static chats_doc_t *child(const chats_doc_t *d, const char *tok, int flags)
{
    int i;

    if (d->type == CHATS_J_OBJECT) {
        return chats_doc_object_get(d, tok, strlen(tok),
                                    flags & CHATS_PATCH_CASEI);
    }
    if (d->type == CHATS_J_ARRAY) {
        i = array_index(tok, chats_doc_array_len(d) - 1);
        return i < 0 ? NULL : chats_doc_array_get(d, i);
    }
    return NULL;
}

/* The value at the first n tokens, or NULL. */
static chats_doc_t *walk(chats_doc_t *d, const apr_array_header_t *t,
                         int n, int flags)
{
    int i;

    for (i = 0; d && i < n; i++) {
        d = child(d, APR_ARRAY_IDX(t, i, const char *), flags);
    }
    return d;
}

/* ---- RFC 6902 operations ---------------------------------------------- */

static chats_err_t *parent_of(const run_t *r, chats_doc_t *root,
                              const apr_array_header_t *t,
                              chats_doc_t **pparent, const char **plast)
{
    *pparent = walk(root, t, t->nelts - 1, r->flags);
    *plast = APR_ARRAY_IDX(t, t->nelts - 1, const char *);
    if (!*pparent) {
        return run_err(r, CHATS_E_PATH, "parent of the path does not exist");
    }
    if ((*pparent)->type != CHATS_J_OBJECT
        && (*pparent)->type != CHATS_J_ARRAY) {
        return run_err(r, CHATS_E_PATH, "parent of the path is not "
                       "an object or array");
    }
    return NULL;
}

static chats_err_t *op_add(const run_t *r, chats_doc_t **root,
                           const apr_array_header_t *t, chats_doc_t *v)
{
    chats_doc_t *parent;
    const char *last;
    chats_err_t *e;
    int i;

    if (t->nelts == 0) {
        *root = v;
        return NULL;
    }
    if ((e = parent_of(r, *root, t, &parent, &last)) != NULL) {
        return e;
    }
    if (parent->type == CHATS_J_OBJECT) {
        chats_doc_object_set(parent, last, strlen(last), v,
                             r->flags & CHATS_PATCH_CASEI, r->p);
        return NULL;
    }
    if (!strcmp(last, "-")) {
        chats_doc_array_push(parent, v);
        return NULL;
    }
    if ((i = array_index(last, chats_doc_array_len(parent))) < 0) {
        return run_err(r, CHATS_E_PATH, "bad array index '%.20s'", last);
    }
    chats_doc_array_insert(parent, i, v);
    return NULL;
}

/* remove (v == NULL) or replace (v != NULL) an existing value. */
static chats_err_t *op_change(const run_t *r, chats_doc_t **root,
                              const apr_array_header_t *t, chats_doc_t *v)
{
    chats_doc_t *parent;
    chats_member_t *m;
    const char *last;
    chats_err_t *e;
    int i;

    if (t->nelts == 0) {
        if (!v) {
            return run_err(r, CHATS_E_INVALID,
                           "cannot remove the whole document");
        }
        *root = v;
        return NULL;
    }
    if ((e = parent_of(r, *root, t, &parent, &last)) != NULL) {
        return e;
    }
    if (parent->type == CHATS_J_OBJECT) {
        i = chats_doc_object_find(parent, last, strlen(last),
                                  r->flags & CHATS_PATCH_CASEI);
        if (i < 0) {
            return run_err(r, CHATS_E_PATH, "path does not exist");
        }
        m = chats_doc_object_at(parent, i);
        if (v) {
            m->value = v;
        }
        else {
            chats_doc_object_remove(parent, m->name, m->name_len, 0);
        }
        return NULL;
    }
    if ((i = array_index(last, chats_doc_array_len(parent) - 1)) < 0) {
        return run_err(r, CHATS_E_PATH, "bad array index '%.20s'", last);
    }
    if (v) {
        chats_doc_array_set(parent, i, v);
    }
    else {
        chats_doc_array_remove(parent, i);
    }
    return NULL;
}

/* 1 if the tokens of a begin the tokens of b (or equal them). */
static int tokens_prefix(const apr_array_header_t *a,
                         const apr_array_header_t *b, int flags)
{
    int i;

    if (a->nelts > b->nelts) {
        return 0;
    }
    for (i = 0; i < a->nelts; i++) {
        const char *x = APR_ARRAY_IDX(a, i, const char *);
        const char *y = APR_ARRAY_IDX(b, i, const char *);

        if (!chats_name_eq(x, strlen(x), y, strlen(y),
                           flags & CHATS_PATCH_CASEI)) {
            return 0;
        }
    }
    return 1;
}

static chats_err_t *op_from(const run_t *r, chats_doc_t **root,
                            const chats_op_t *op,
                            const apr_array_header_t *t)
{
    run_t rf = *r;               /* errors about the source name "from" */
    apr_array_header_t *ft;
    chats_doc_t *v;
    chats_err_t *e;

    if (!op->from) {
        return run_err(r, CHATS_E_INVALID, "missing from");
    }
    if (!op->member) {
        rf.field = op->from;
    }
    if ((e = chats_pointer_parse(&ft, op->from, r->flags, r->p)) != NULL) {
        return e;
    }
    if (!(v = walk(*root, ft, ft->nelts, r->flags))) {
        return run_err(&rf, CHATS_E_PATH, "from location does not exist");
    }
    if (op->kind == CHATS_OP_COPY) {
        return op_add(r, root, t, chats_doc_copy(r->p, v));
    }
    if (tokens_prefix(ft, t, r->flags)) {
        if (ft->nelts == t->nelts) {
            return NULL;         /* moved onto itself */
        }
        return run_err(r, CHATS_E_INVALID,
                       "cannot move a value into one of its children");
    }
    if ((e = op_change(&rf, root, ft, NULL)) != NULL) {
        return e;
    }
    return op_add(r, root, t, v);
}

static chats_err_t *op_dispatch(const run_t *r, chats_doc_t **root,
                                const chats_op_t *op,
                                const apr_array_header_t *t)
{
    chats_doc_t *v;

    if (OP_HAS_FROM(op->kind) && !(r->flags & CHATS_PATCH_ALL_OPS)) {
        return run_err(r, CHATS_E_INVALID, "%s is not supported",
                       op->kind == CHATS_OP_MOVE ? "move" : "copy");
    }
    if (!op->value && (op->kind == CHATS_OP_ADD || op->kind == CHATS_OP_TEST
                       || op->kind == CHATS_OP_REPLACE)) {
        return run_err(r, CHATS_E_INVALID, "missing value");
    }
    switch (op->kind) {
    case CHATS_OP_ADD:
        return op_add(r, root, t, chats_doc_copy(r->p, op->value));
    case CHATS_OP_REMOVE:
        return op_change(r, root, t, NULL);
    case CHATS_OP_REPLACE:
        return op_change(r, root, t, chats_doc_copy(r->p, op->value));
    case CHATS_OP_MOVE:
    case CHATS_OP_COPY:
        return op_from(r, root, op, t);
    case CHATS_OP_TEST:
        if (!(v = walk(*root, t, t->nelts, r->flags))) {
            return run_err(r, CHATS_E_PATH, "path does not exist");
        }
        if (!chats_doc_equal(v, op->value)) {
            return run_err(r, CHATS_E_TEST_FAILED, "test failed");
        }
        return NULL;
    case CHATS_OP_SKIP:
        return NULL;
    }
    return run_err(r, CHATS_E_INTERNAL, "unknown op kind %d", (int)op->kind);
}

static chats_err_t *run_op(chats_doc_t **root, const chats_op_t *given,
                           int index, int flags,
                           const chats_patch_hooks_t *hooks, apr_pool_t *p)
{
    chats_op_t op = *given;      /* the hook edits a copy: ops is const */
    apr_array_header_t *t;
    run_t r = { p, flags, NULL };
    chats_err_t *e;

    r.field = op.member ? op.member : op.path;
    if (!op.path) {
        return run_err(&r, CHATS_E_INVALID, "missing path");
    }
    if ((e = chats_pointer_parse(&t, op.path, flags, p)) != NULL) {
        return e;
    }
    if (hooks && hooks->prepare) {
        if ((e = hooks->prepare(hooks->ctx, index, &op, t, *root, p))) {
            return e;
        }
        if (op.kind == CHATS_OP_SKIP) {
            return NULL;
        }
        if (!op.path) {
            return run_err(&r, CHATS_E_INVALID, "missing path");
        }
        if (strcmp(op.path, given->path)
            && (e = chats_pointer_parse(&t, op.path, flags, p)) != NULL) {
            return e;
        }
        r.field = op.member ? op.member : op.path;
    }
    return op_dispatch(&r, root, &op, t);
}

chats_err_t *chats_patch_apply(chats_doc_t **pdoc,
                               const apr_array_header_t *ops, int flags,
                               const chats_patch_hooks_t *hooks,
                               apr_pool_t *p)
{
    chats_doc_t *doc = chats_doc_copy(p, *pdoc);
    chats_err_t *e;
    int i;

    for (i = 0; i < ops->nelts; i++) {
        e = run_op(&doc, &APR_ARRAY_IDX(ops, i, chats_op_t), i, flags,
                   hooks, p);
        if (e) {
            return chats_err_at(e, i);
        }
    }
    *pdoc = doc;
    return NULL;
}

/* ---- reading a JSON Patch document ------------------------------------ */

static const struct {
    const char *name;
    chats_opkind_e kind;
} op_names[] = {
    { "add", CHATS_OP_ADD }, { "remove", CHATS_OP_REMOVE },
    { "replace", CHATS_OP_REPLACE }, { "move", CHATS_OP_MOVE },
    { "copy", CHATS_OP_COPY }, { "test", CHATS_OP_TEST }
};

/* A string member of an op object into *pout (NULL if absent). */
static chats_err_t *op_string(const char **pout, const chats_doc_t *o,
                              const char *name, int flags, apr_pool_t *p)
{
    chats_doc_t *v = chats_doc_object_get(o, name, strlen(name),
                                          flags & CHATS_PATCH_CASEI);

    *pout = NULL;
    if (!v) {
        return NULL;
    }
    /* A NUL inside would cut the C string and address another member. */
    if (v->type != CHATS_J_STRING || strlen(v->s) != v->len) {
        return chats_err_make(p, CHATS_E_INVALID, name,
                              "%s must be a string", name);
    }
    *pout = v->s;
    return NULL;
}

static chats_err_t *op_kind(chats_op_t *op, const chats_doc_t *o, int flags,
                            apr_pool_t *p)
{
    const char *name;
    chats_err_t *e;
    apr_size_t i;

    if ((e = op_string(&name, o, "op", flags, p)) != NULL) {
        return e;
    }
    if (!name) {
        return chats_err_make(p, CHATS_E_INVALID, "op", "missing op");
    }
    for (i = 0; i < sizeof(op_names) / sizeof(*op_names); i++) {
        if (!strcmp(name, op_names[i].name)) {
            op->kind = op_names[i].kind;
            if (OP_HAS_FROM(op->kind) && !(flags & CHATS_PATCH_ALL_OPS)) {
                return chats_err_make(p, CHATS_E_INVALID, "op",
                                      "%s is not supported", name);
            }
            return NULL;
        }
    }
    return chats_err_make(p, CHATS_E_INVALID, "op", "unknown op '%.32s'",
                          name);
}

/* Other members of an op object are ignored, as RFC 6902 section 4 asks. */
static chats_err_t *read_op(chats_op_t *op, const chats_doc_t *o, int flags,
                            apr_pool_t *p)
{
    chats_doc_t *v;
    chats_err_t *e;

    memset(op, 0, sizeof(*op));
    if (o->type != CHATS_J_OBJECT) {
        return chats_err_make(p, CHATS_E_INVALID, NULL,
                              "operation is not an object");
    }
    if ((e = op_kind(op, o, flags, p)) != NULL
        || (e = op_string(&op->path, o, "path", flags, p)) != NULL
        || (e = op_string(&op->from, o, "from", flags, p)) != NULL) {
        return e;
    }
    if (!op->path) {
        return chats_err_make(p, CHATS_E_INVALID, "path", "missing path");
    }
    if (OP_HAS_FROM(op->kind) && !op->from) {
        return chats_err_make(p, CHATS_E_INVALID, "from", "missing from");
    }
    if (op->kind == CHATS_OP_ADD || op->kind == CHATS_OP_REPLACE
        || op->kind == CHATS_OP_TEST) {
        if (!(v = chats_doc_object_get(o, "value", 5,
                                         flags & CHATS_PATCH_CASEI))) {
            return chats_err_make(p, CHATS_E_INVALID, "value",
                                  "missing value");
        }
        op->value = chats_doc_copy(p, v);
    }
    op->path = apr_pstrdup(p, op->path);
    op->from = op->from ? apr_pstrdup(p, op->from) : NULL;
    return NULL;
}

chats_err_t *chats_patch_read(apr_array_header_t **pops,
                              const chats_doc_t *patch, int flags,
                              apr_pool_t *p)
{
    int i, n = chats_doc_array_len(patch);
    chats_err_t *e;

    *pops = apr_array_make(p, n > 0 ? n : 1, sizeof(chats_op_t));
    if (!patch || patch->type != CHATS_J_ARRAY) {
        return chats_err_make(p, CHATS_E_INVALID, NULL,
                              "a JSON Patch must be an array");
    }
    for (i = 0; i < n; i++) {
        e = read_op(apr_array_push(*pops), chats_doc_array_get(patch, i),
                    flags, p);
        if (e) {
            return chats_err_at(e, i);
        }
    }
    return NULL;
}

/* ---- RFC 7396 as ops -------------------------------------------------- */

/* MergePatch({}, v): objects lose their null members, recursively;
 * arrays and scalars are taken as they are. */
static chats_doc_t *strip_nulls(apr_pool_t *p, const chats_doc_t *v)
{
    chats_doc_t *o;
    int i;

    if (v->type != CHATS_J_OBJECT) {
        return chats_doc_copy(p, v);
    }
    o = chats_doc_object(p);
    for (i = 0; i < chats_doc_object_len(v); i++) {
        chats_member_t *m = chats_doc_object_at(v, i);

        if (m->value->type != CHATS_J_NULL) {
            chats_doc_object_set(o, m->name, m->name_len,
                                 strip_nulls(p, m->value), 0, p);
        }
    }
    return o;
}

static char *pointer_escape(apr_pool_t *p, const char *s, apr_size_t len)
{
    char *out = apr_palloc(p, 2 * len + 1), *o = out;
    apr_size_t i;

    for (i = 0; i < len; i++) {
        if (s[i] == '~' || s[i] == '/') {
            *o++ = '~';
            *o++ = (s[i] == '~') ? '0' : '1';
        }
        else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return out;
}

static void push_op(apr_array_header_t *ops, chats_opkind_e kind,
                    const char *path, const char *member, chats_doc_t *v)
{
    chats_op_t *op = apr_array_push(ops);

    memset(op, 0, sizeof(*op));
    op->kind = kind;
    op->path = path;
    op->member = member;
    op->value = v;
}

/* Ops merging the object patch into target (NULL: target had nothing
 * here, so nulls remove nothing). */
static chats_err_t *merge_obj(apr_array_header_t *ops,
                              const chats_doc_t *target,
                              const chats_doc_t *patch, const char *path,
                              const char *member, int flags, apr_pool_t *p)
{
    int i;

    for (i = 0; i < chats_doc_object_len(patch); i++) {
        chats_member_t *m = chats_doc_object_at(patch, i);
        const char *mpath, *mname;
        chats_doc_t *cur;

        mname = member ? apr_pstrcat(p, member, "/", m->name, NULL)
                       : m->name;
        if (memchr(m->name, '\0', m->name_len)) {
            return chats_err_make(p, CHATS_E_INVALID, mname,
                                  "member name contains NUL");
        }
        mpath = apr_pstrcat(p, path, "/",
                            pointer_escape(p, m->name, m->name_len), NULL);
        cur = chats_doc_object_get(target, m->name, m->name_len,
                                   flags & CHATS_PATCH_CASEI);
        if (m->value->type == CHATS_J_NULL) {
            if (cur) {
                push_op(ops, CHATS_OP_REMOVE, mpath, mname, NULL);
            }
        }
        else if (m->value->type == CHATS_J_OBJECT && cur
                 && cur->type == CHATS_J_OBJECT) {
            chats_err_t *e = merge_obj(ops, cur, m->value, mpath, mname,
                                       flags, p);
            if (e) {
                return e;
            }
        }
        else {
            push_op(ops, CHATS_OP_ADD, mpath, mname,
                    strip_nulls(p, m->value));
        }
    }
    return NULL;
}

chats_err_t *chats_merge_to_ops(apr_array_header_t **pops,
                                const chats_doc_t *target,
                                const chats_doc_t *merge, int flags,
                                apr_pool_t *p)
{
    *pops = apr_array_make(p, 8, sizeof(chats_op_t));
    if (!merge) {
        return chats_err_make(p, CHATS_E_INVALID, NULL, "missing merge patch");
    }
    if (merge->type != CHATS_J_OBJECT) {
        push_op(*pops, CHATS_OP_REPLACE, "", "", chats_doc_copy(p, merge));
        return NULL;
    }
    if (!target || target->type != CHATS_J_OBJECT) {
        push_op(*pops, CHATS_OP_REPLACE, "", "", chats_doc_object(p));
        target = NULL;
    }
    return merge_obj(*pops, target, merge, "", NULL, flags, p);
}
