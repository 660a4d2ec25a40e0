/* Canonical document -> representation. The field table decides what is
 * in it, so FieldProperties and $select never drift from the fields. */
#include <apr_strings.h>
#include <string.h>

#include "chats_render.h"
#include "chats_strbuf.h"

/* Each field's FieldProperties member as JSON: its name (a JSON string)
 * and its property object, [0] for a caller who may change the field,
 * [1] for one who may not. */
struct chats_fp_json_t {
    const chats_entity_def_t *def;
    int n;
    const char **name;
    apr_size_t *name_len;
    const char **prop[2];
    apr_size_t *prop_len[2];
    apr_size_t size;              /* the longest FieldProperties' bytes */
};

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

/* The length of the first segment of s ("User" of "User/Name"), and in
 * *prest what follows its slash (NULL: none). */
static apr_size_t segment(const char *s, const char **prest)
{
    const char *slash = strchr(s, '/');

    *prest = slash ? slash + 1 : NULL;
    return slash ? (apr_size_t)(slash - s) : strlen(s);
}

/* Sub-field rest of carrier field f into it->sub: 0 if it has none. */
static int select_sub(chats_select_t *it, const chats_field_t *f,
                      const char *rest)
{
    it->sub = f->type == CHATS_F_CARRIER
        ? chats_carrier_find(f->carrier, rest, strlen(rest)) : NULL;
    return it->sub != NULL;
}

static chats_err_t *select_item(chats_select_t *it,
                                const chats_entity_def_t *def,
                                const char *name, apr_pool_t *p)
{
    const char *rest, *rest2;
    apr_size_t flen = segment(name, &rest), mlen;

    it->field = chats_schema_find(def, name, flen);
    it->sub = NULL;
    it->member = NULL;
    if (it->field && rest && it->field->type == CHATS_F_GROUP) {
        mlen = segment(rest, &rest2);
        it->member = chats_group_find(it->field, rest, mlen);
        if (!it->member || (rest2 && !select_sub(it, it->member, rest2))) {
            it->field = NULL;
        }
    }
    else if (it->field && rest && !select_sub(it, it->field, rest)) {
        it->field = NULL;
    }
    if (!it->field) {
        return chats_err_make(p, CHATS_E_INVALID, name,
                              "$select: unknown field %s", name);
    }
    if (it->field->flags & CHATS_FF_WRITEONLY) {
        return chats_err_make(p, CHATS_E_INVALID, it->field->name,
                              "$select: %s is write-only", it->field->name);
    }
    return NULL;
}

chats_err_t *chats_select_parse(apr_array_header_t **psel,
                                const chats_entity_def_t *def,
                                const char *spec, apr_pool_t *p)
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
        if ((e = select_item(apr_array_push(sel), def, tok, p)) != NULL) {
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
            if (!it->sub && !it->member) {
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

            keep |= ((it->member ? it->member : it->field) == f
                     && it->sub == s);
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

/* Group v (of group field g) with only the members sel names, the others
 * null: the object is kept, as a carrier's is. */
static chats_doc_t *select_group(apr_pool_t *p, const chats_doc_t *v,
                                 const chats_field_t *g,
                                 const apr_array_header_t *sel)
{
    chats_doc_t *o = chats_doc_object(p);
    const chats_field_t *m;
    chats_doc_t *mv;
    int i, j, how;

    for (j = 0; j < g->group->nmembers; j++) {
        m = &g->group->members[j];
        mv = chats_doc_object_get(v, m->name, strlen(m->name), 0);
        how = 0;
        for (i = 0; i < sel->nelts; i++) {
            const chats_select_t *it = &APR_ARRAY_IDX(sel, i, chats_select_t);

            if (it->member == m) {
                how = it->sub ? (how ? how : 2) : 1;
            }
        }
        if (how == 2 && mv && mv->type == CHATS_J_OBJECT) {
            mv = chats_render_select_carrier(p, mv, m, sel, 1);
        }
        chats_doc_object_add(o, m->name, how && mv ? mv : chats_doc_null(p));
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

/* May this caller not change field f? Its FieldRight then says Read. */
static int field_readonly(const chats_field_t *f, const chats_view_opts_t *o)
{
    return (f->flags & CHATS_FF_READONLY) || in_set(o->readonly, f)
           || !(o->table_mask & (CHATS_TR_UPDATE | CHATS_TR_INSERT));
}

static int field_mask(const chats_field_t *f, int readonly)
{
    int nullable = (f->type == CHATS_F_DATETIME
                    || f->type == CHATS_F_CARRIER) ? CHATS_FR_NULLABLE : 0;

    if (readonly) {
        return CHATS_FR_READ | CHATS_FR_READONLY | nullable;
    }
    return CHATS_FR_UPDATE | nullable;
}

static chats_doc_t *field_prop(apr_pool_t *p, const chats_field_t *f,
                               int readonly)
{
    chats_doc_t *prop = chats_doc_object(p);

    chats_doc_object_add(prop, "FieldRight",
                         mask_doc(p, field_mask(f, readonly), 0));
    chats_doc_object_add(prop, "FieldType", chats_doc_strz(p, f->dotnet));
    chats_doc_object_add(prop, "FieldLength", chats_doc_int(p, f->max_len));
    return prop;
}

static chats_doc_t *field_properties(apr_pool_t *p,
                                     const chats_entity_def_t *def,
                                     const chats_view_opts_t *o)
{
    int i, n;
    const chats_field_t *f = chats_schema_fields(def, &n);
    chats_doc_t *fp = chats_doc_object(p);

    for (i = 0; i < n; i++) {
        if (!(f[i].flags & CHATS_FF_WRITEONLY)) {
            chats_doc_object_add(fp, f[i].name, field_prop(
                                     p, &f[i], field_readonly(&f[i], o)));
        }
    }
    return fp;
}

/* The JSON of d, and its length; NULL if yajl_gen refuses it. */
static const char *json_of(apr_pool_t *p, const chats_doc_t *d,
                           apr_size_t *plen)
{
    const char *js = chats_doc_to_json(p, d, 0);

    *plen = js ? strlen(js) : 0;
    return js;
}

const chats_fp_json_t *chats_fp_json_build(apr_pool_t *p,
                                           const chats_entity_def_t *def)
{
    int i, ro, n;
    const chats_field_t *f = chats_schema_fields(def, &n);
    chats_fp_json_t *fj = apr_pcalloc(p, sizeof(*fj));
    apr_size_t longest;

    fj->def = def;
    fj->n = n;
    fj->name = apr_pcalloc(p, (apr_size_t)n * sizeof(*fj->name));
    fj->name_len = apr_pcalloc(p, (apr_size_t)n * sizeof(apr_size_t));
    fj->size = 2;                                   /* the braces */
    for (ro = 0; ro < 2; ro++) {
        fj->prop[ro] = apr_pcalloc(p, (apr_size_t)n * sizeof(char *));
        fj->prop_len[ro] = apr_pcalloc(p, (apr_size_t)n * sizeof(apr_size_t));
    }
    for (i = 0; i < n; i++) {
        fj->name[i] = json_of(p, chats_doc_strz(p, f[i].name),
                              &fj->name_len[i]);
        if (!fj->name[i]) {
            return NULL;
        }
        longest = 0;
        for (ro = 0; ro < 2; ro++) {
            fj->prop[ro][i] = json_of(p, field_prop(p, &f[i], ro),
                                      &fj->prop_len[ro][i]);
            if (!fj->prop[ro][i]) {
                return NULL;
            }
            longest = fj->prop_len[ro][i] > longest ? fj->prop_len[ro][i]
                                                    : longest;
        }
        fj->size += fj->name_len[i] + 1 + longest + 1;  /* ':' and ',' */
    }
    return fj;
}

/* FieldProperties from its pre-rendered members: the same bytes
 * yajl_gen writes for field_properties()' tree, joined as it joins them.
 * The JSON rides in a number node, which chats_doc_to_json writes as it
 * is (yajl_gen_number prints a number's text without looking at it). */
static chats_doc_t *field_properties_json(apr_pool_t *p,
                                          const chats_view_opts_t *o)
{
    const chats_fp_json_t *fj = o->fp_json;
    const chats_field_t *f = chats_schema_fields(fj->def, NULL);
    chats_strbuf_t b;
    int i, ro;

    chats_strbuf_init(&b, p, fj->size + 1);
    chats_strbuf_add(&b, "{", 1);
    for (i = 0; i < fj->n; i++) {
        ro = field_readonly(&f[i], o) ? 1 : 0;
        if (i) {
            chats_strbuf_add(&b, ",", 1);
        }
        chats_strbuf_add(&b, fj->name[i], fj->name_len[i]);
        chats_strbuf_add(&b, ":", 1);
        chats_strbuf_add(&b, fj->prop[ro][i], fj->prop_len[ro][i]);
    }
    chats_strbuf_add(&b, "}", 1);
    return chats_doc_number(p, b.buf, b.len);
}

/* Field i's value in entity. An entity document holds its fields in
 * field-table order (chats_entity.h), so member i is tried first: a
 * search by name would build the object's lookup index (a keyed hash
 * with a random key, one getrandom() per answer) for 30-odd members. */
static chats_doc_t *field_value(const chats_doc_t *entity, int i,
                                const chats_field_t *f)
{
    const chats_member_t *m = chats_doc_object_at(entity, i);
    apr_size_t len = strlen(f->name);

    if (m && m->name_len == len && !memcmp(m->name, f->name, len)) {
        return m->value;
    }
    return chats_doc_object_get(entity, f->name, len, 0);
}

chats_doc_t *chats_view_build(apr_pool_t *p, const chats_entity_def_t *def,
                              const chats_doc_t *entity,
                              const chats_view_opts_t *o)
{
    int i, n, how;
    const chats_field_t *f = chats_schema_fields(def, &n);
    chats_doc_t *view = chats_doc_object(p), *v;

    for (i = 0; i < n; i++) {
        if (f[i].flags & CHATS_FF_WRITEONLY) {
            continue;                            /* never read back */
        }
        v = field_value(entity, i, &f[i]);
        how = o->select ? selected(o->select, &f[i]) : 1;
        if (!v || how == 0) {
            v = chats_doc_null(p);
        }
        else if (how == 2 && v->type == CHATS_J_OBJECT) {
            v = f[i].type == CHATS_F_GROUP
                ? select_group(p, v, &f[i], o->select)
                : chats_render_select_carrier(p, v, &f[i], o->select, 1);
        }
        chats_doc_object_add(view, f[i].name, v);
    }
    if (def->flags & CHATS_ED_CARRIER) {      /* a Carrier's members */
        chats_doc_object_add(view, "TableRight",
                             mask_doc(p, o->table_mask, 1));
        chats_doc_object_add(view, "FieldProperties",
                             o->fp_json && o->fp_json->def == def
                                 ? field_properties_json(p, o)
                                 : field_properties(p, def, o));
    }
    if (o->self_url) {
        chats_doc_t *links = chats_doc_object(p);

        chats_doc_object_add(links, "Self", chats_doc_strz(p, o->self_url));
        chats_doc_object_add(links, "Archive",
                             chats_doc_strz(p, o->archive_url));
        chats_doc_object_add(view, "_Links", links);
    }
    return view;
}
