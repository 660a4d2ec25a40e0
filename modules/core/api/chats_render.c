/* Canonical document -> representation. The field table decides what is
 * in it, so FieldProperties and $select never drift from the fields. */
#include <apr_strings.h>
#include <string.h>

#include "chats_render.h"

/* Names as the official client's ETableRight / EFieldRight define them,
 * composites first so that a full mask reads as one word. */
static const chats_enum_t table_right_names[] = {
    { "FULL", 15 }, { "Select", 1 }, { "Update", 2 }, { "Insert", 4 },
    { "Delete", 8 }, { "Filtering", 16 }, { "RestrictedUpdate", 32 },
    { NULL, 0 }
};

static const chats_enum_t field_right_names[] = {
    { "Update", 3 }, { "Read", 1 }, { "Write", 2 }, { "Nullable", 32 },
    { "UIHintMandatory", 64 }, { "UIHintReadOnly", 128 }, { NULL, 0 }
};

#define CHATS_FR_READ      1
#define CHATS_FR_UPDATE    3
#define CHATS_FR_NULLABLE  32
#define CHATS_FR_READONLY  128

const char *chats_rights_mask_name(apr_pool_t *p, int mask, int table)
{
    const chats_enum_t *e = table ? table_right_names : field_right_names;
    const char *out = NULL;
    int left = mask;

    for (; e->name; e++) {
        if ((left & e->value) == e->value && e->value) {
            out = out ? apr_pstrcat(p, out, ", ", e->name, NULL) : e->name;
            left &= ~e->value;
        }
    }
    return out ? out : "None";
}

static chats_err_t *select_item(chats_select_t *it, const char *name,
                                apr_pool_t *p)
{
    const char *slash = strchr(name, '/');
    apr_size_t flen = slash ? (apr_size_t)(slash - name) : strlen(name);

    it->field = chats_schema_find(name, flen);
    it->sub = NULL;
    if (it->field && slash) {
        it->sub = it->field->type == CHATS_F_CARRIER
            ? chats_carrier_find(it->field->carrier, slash + 1,
                                 strlen(slash + 1))
            : NULL;
        if (!it->sub) {
            it->field = NULL;
        }
    }
    if (!it->field) {
        return chats_err_make(p, CHATS_E_INVALID, name,
                              "$select: unknown field %s", name);
    }
    return NULL;
}

chats_err_t *chats_select_parse(apr_array_header_t **psel, const char *spec,
                                apr_pool_t *p)
{
    char *copy = apr_pstrdup(p, spec), *tok, *last;
    apr_array_header_t *sel = apr_array_make(p, 8, sizeof(chats_select_t));
    chats_err_t *e;

    for (tok = apr_strtok(copy, ",", &last); tok;
         tok = apr_strtok(NULL, ",", &last)) {
        apr_collapse_spaces(tok, tok);
        if (!*tok) {
            continue;
        }
        if ((e = select_item(apr_array_push(sel), tok, p)) != NULL) {
            return e;
        }
    }
    *psel = sel->nelts ? sel : NULL;
    return NULL;
}

/* Does the selection keep field f whole (1), in part (2), or not (0)? */
static int selected(const apr_array_header_t *sel, const chats_field_t *f)
{
    int i, part = 0;

    for (i = 0; i < sel->nelts; i++) {
        const chats_select_t *it = &APR_ARRAY_IDX(sel, i, chats_select_t);

        if (it->field == f) {
            if (!it->sub) {
                return 1;
            }
            part = 2;
        }
    }
    return part;
}

chats_doc_t *chats_render_select_carrier(apr_pool_t *p, const chats_doc_t *v,
                                         const chats_field_t *f,
                                         const apr_array_header_t *sel,
                                         int others_null)
{
    chats_doc_t *o = chats_doc_object(p);
    int i, j;

    for (j = 0; j < f->carrier->nfields; j++) {
        const chats_subfield_t *s = &f->carrier->fields[j];
        const chats_doc_t *sv = chats_doc_object_get(v, s->name,
                                                     strlen(s->name), 0);
        int keep = 0;

        for (i = 0; i < sel->nelts; i++) {
            const chats_select_t *it = &APR_ARRAY_IDX(sel, i, chats_select_t);

            keep |= (it->field == f && it->sub == s);
        }
        if (keep && sv) {
            chats_doc_object_add(o, s->name, (chats_doc_t *)sv);
        }
        else if (others_null) {
            chats_doc_object_add(o, s->name, chats_doc_null(p));
        }
    }
    return o;
}

static chats_doc_t *mask_doc(apr_pool_t *p, int mask, int table)
{
    chats_doc_t *o = chats_doc_object(p);

    chats_doc_object_add(o, "Mask", chats_doc_strz(
                             p, chats_rights_mask_name(p, mask, table)));
    chats_doc_object_add(o, "Reason", chats_doc_strz(p, ""));
    return o;
}

static int in_set(const apr_array_header_t *set, const chats_field_t *f)
{
    int i;

    for (i = 0; set && i < set->nelts; i++) {
        if (APR_ARRAY_IDX(set, i, const chats_field_t *) == f) {
            return 1;
        }
    }
    return 0;
}

static int field_mask(const chats_field_t *f, const chats_view_opts_t *o)
{
    int nullable = (f->type == CHATS_F_DATETIME
                    || f->type == CHATS_F_CARRIER) ? CHATS_FR_NULLABLE : 0;

    if ((f->flags & CHATS_FF_READONLY) || in_set(o->readonly, f)
        || !(o->table_mask & (CHATS_TR_UPDATE | CHATS_TR_INSERT))) {
        return CHATS_FR_READ | CHATS_FR_READONLY | nullable;
    }
    return CHATS_FR_UPDATE | nullable;
}

static chats_doc_t *field_properties(apr_pool_t *p,
                                     const chats_view_opts_t *o)
{
    int i, n;
    const chats_field_t *f = chats_schema_fields(&n);
    chats_doc_t *fp = chats_doc_object(p);

    for (i = 0; i < n; i++) {
        chats_doc_t *prop = chats_doc_object(p);

        chats_doc_object_add(prop, "FieldRight",
                             mask_doc(p, field_mask(&f[i], o), 0));
        chats_doc_object_add(prop, "FieldType",
                             chats_doc_strz(p, f[i].dotnet));
        chats_doc_object_add(prop, "FieldLength",
                             chats_doc_int(p, f[i].max_len));
        chats_doc_object_add(fp, f[i].name, prop);
    }
    return fp;
}

chats_doc_t *chats_view_build(apr_pool_t *p, const chats_doc_t *entity,
                              const chats_view_opts_t *o)
{
    int i, n, how;
    const chats_field_t *f = chats_schema_fields(&n);
    chats_doc_t *view = chats_doc_object(p), *v;

    for (i = 0; i < n; i++) {
        v = chats_doc_object_get(entity, f[i].name, strlen(f[i].name), 0);
        how = o->select ? selected(o->select, &f[i]) : 1;
        if (!v || how == 0) {
            v = chats_doc_null(p);
        }
        else if (how == 2 && v->type == CHATS_J_OBJECT) {
            v = chats_render_select_carrier(p, v, &f[i], o->select, 1);
        }
        chats_doc_object_add(view, f[i].name, v);
    }
    chats_doc_object_add(view, "TableRight", mask_doc(p, o->table_mask, 1));
    chats_doc_object_add(view, "FieldProperties", field_properties(p, o));
    if (o->self_url) {
        chats_doc_t *links = chats_doc_object(p);

        chats_doc_object_add(links, "Self", chats_doc_strz(p, o->self_url));
        chats_doc_object_add(links, "Archive",
                             chats_doc_strz(p, o->archive_url));
        chats_doc_object_add(view, "_Links", links);
    }
    return view;
}
