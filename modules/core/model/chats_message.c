/* A ChatMessage read from a request body and from a row, and rendered
 * (chats_message.h); its field table is chats_message_schema.c. Core
 * file: APR only. */
#include <apr_strings.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "chats_datetime.h"
#include "chats_entity.h"
#include "chats_message.h"
#include "chats_xml.h"

/* ---- a message to post ----------------------------------------------- */

/* XML carries every value as text: integer text of a numeric or enum
 * field becomes a number (an enum name stays a string), as the entity's
 * XML typing does. Optional sign, surrounding XML whitespace. */
static const chats_doc_t *xml_typed(apr_pool_t *p, const chats_field_t *f,
                                    const chats_doc_t *v)
{
    const char *s, *e;
    const char *d;

    if (v->type != CHATS_J_STRING
        || (f->type != CHATS_F_INT32 && f->type != CHATS_F_INT16
            && f->type != CHATS_F_ENUM)) {
        return v;
    }
    for (s = v->s; *s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'; s++) {
    }
    for (e = v->s + v->len; e > s && (e[-1] == ' ' || e[-1] == '\t'
                                      || e[-1] == '\r' || e[-1] == '\n');
         e--) {
    }
    d = s + (*s == '-' || *s == '+');
    if (d == e || e - d > 18) {
        return v;
    }
    for (; d < e && *d >= '0' && *d <= '9'; d++) {
    }
    if (d != e) {
        return v;
    }
    s += (*s == '+');
    return chats_doc_number(p, s, (apr_size_t)(e - s));
}

/* Where a body's member goes in chats_message_in_t, by its place in
 * the field table: a string, or an int (an enum by name or number). */
#define STR_AT(member) offsetof(chats_message_in_t, member), 1
#define INT_AT(member) offsetof(chats_message_in_t, member), 0
static const struct {
    chats_mfield_e place;
    apr_size_t at;
    int is_str;
} slots[] = {
    { CHATS_MF_TYPE, INT_AT(type) },
    { CHATS_MF_SPECIAL, INT_AT(special_type) },
    { CHATS_MF_READ, INT_AT(read_by_customer) },
    { CHATS_MF_MESSAGE, STR_AT(message) },
    { CHATS_MF_AUTHOR, STR_AT(author) },
    { CHATS_MF_PARAM, STR_AT(special_param) },
};
#define NSLOTS (int)(sizeof(slots) / sizeof(slots[0]))

static chats_err_t *take(const chats_field_t *f, const chats_doc_t *v,
                         chats_message_in_t *m, apr_pool_t *p)
{
    chats_doc_t *c;
    chats_err_t *e;
    int value, k;

    if ((e = chats_entity_coerce(f, v, &c, p)) != NULL) {
        return e;
    }
    for (k = 0; k < NSLOTS
                && slots[k].place != f - chats_message_fields(NULL); k++) {
    }
    if (k == NSLOTS) {
        return NULL;                      /* read-only: ignored */
    }
    if (slots[k].is_str) {
        *(const char **)((char *)m + slots[k].at) = c->s;
        return NULL;
    }
    if (f->type != CHATS_F_ENUM || c->type != CHATS_J_STRING
        || !chats_enum_value(f->enums, c->s, c->len, &value)) {
        value = atoi(c->s);
    }
    if (f->type == CHATS_F_INT16 && (value < -32768 || value > 32767)) {
        return chats_err_make(p, CHATS_E_INVALID, f->name,
                              "%s: %s is not an Int16", f->name, c->s);
    }
    *(int *)((char *)m + slots[k].at) = value;
    return NULL;
}

chats_err_t *chats_message_from_doc(const chats_doc_t *doc, int xml,
                                    chats_message_in_t *m, apr_pool_t *p)
{
    const chats_field_t *f;
    chats_member_t *mb;
    chats_err_t *e;
    int i, n;

    memset(m, 0, sizeof(*m));
    m->message = m->special_param = "";
    if (!doc || doc->type != CHATS_J_OBJECT) {
        return chats_err_make(p, CHATS_E_INVALID, NULL,
                              "expected a ChatMessage object");
    }
    n = chats_doc_object_len(doc);
    for (i = 0; i < n; i++) {
        mb = chats_doc_object_at(doc, i);
        if ((f = chats_message_find(mb->name, mb->name_len)) == NULL) {
            const char *name = apr_pstrmemdup(p, mb->name, mb->name_len);

            return chats_err_make(p, CHATS_E_INVALID, name,
                                  "unknown field %s of ChatMessage", name);
        }
        if (f->flags & CHATS_FF_READONLY) {
            continue;           /* the server's to set: echoes are fine */
        }
        if ((e = take(f, xml ? xml_typed(p, f, mb->value) : mb->value, m,
                      p)) != NULL) {
            return e;
        }
    }
    if (m->type == CHATS_MSG_INVALID) {
        return chats_err_make(p, CHATS_E_INVALID, "Type",
                              "Type: a message is ToCustomer, ToUser or "
                              "Special, not Invalid");
    }
    return NULL;
}

/* ---- reading and rendering -------------------------------------------- */

static chats_doc_t *enum_value(apr_pool_t *p, const chats_enum_t *e,
                               const char *v)
{
    int n = v ? atoi(v) : 0;
    const char *name = chats_enum_name(e, n);

    /* only a hand-written row holds an unknown value: show its number */
    return name ? chats_doc_strz(p, name) : chats_doc_int(p, n);
}

/* "…fffffff+00:00" -> "…fffffffZ": UTC said the way JavaScript's Date
 * and .NET both read as UTC. */
static const char *utc_z(apr_pool_t *p, const char *v)
{
    const char *s = chats_dt_format(p, v ? apr_atoi64(v) : 0);
    apr_size_t len = strlen(s);

    if (len > 6 && !strcmp(s + len - 6, "+00:00")) {
        return apr_pstrcat(p, apr_pstrndup(p, s, len - 6), "Z", NULL);
    }
    return s;
}

chats_doc_t *chats_message_from_row(apr_pool_t *p, const char *const *values)
{
    int i, n;
    const chats_field_t *f = chats_message_fields(&n);
    chats_doc_t *doc = chats_doc_object(p), *v;

    for (i = 0; i < n; i++) {
        const char *t = values[i];

        switch (f[i].type) {
        case CHATS_F_STRING:
            v = chats_doc_strz(p, t ? t : "");
            break;
        case CHATS_F_ENUM:
            v = enum_value(p, f[i].enums, t);
            break;
        case CHATS_F_DATETIME:
            v = chats_doc_strz(p, utc_z(p, t));
            break;
        default:
            v = chats_doc_int(p, t ? apr_atoi64(t) : 0);
            break;
        }
        chats_doc_object_add(doc, f[i].name, v);
    }
    return doc;
}

const char *chats_message_xml(apr_pool_t *p, const chats_doc_t *doc)
{
    chats_doc_t *list;
    int i, n;

    if (doc->type != CHATS_J_ARRAY) {
        return chats_xml_render(p, CHATS_MESSAGE_XML_ROOT, doc);
    }
    /* DataContract names each item after its type: an object whose
     * members all have that name renders so */
    list = chats_doc_object(p);
    n = chats_doc_array_len(doc);
    for (i = 0; i < n; i++) {
        chats_doc_object_add(list, CHATS_MESSAGE_XML_ROOT,
                             chats_doc_array_get(doc, i));
    }
    return chats_xml_render(p, CHATS_MESSAGE_XML_ARRAY, list);
}
