/* An entity read from XML (chats_entity_xml.h): the field table's JSON
 * types given to the text of a parsed body, above the XML reader, which
 * knows no field table. Core file: APR only. */
#include <string.h>
#include <strings.h>

#include <apr_strings.h>

#include "chats_entity_xml.h"
#include "chats_schema.h"

static int xml_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static apr_size_t digits(const char *s, apr_size_t i, apr_size_t len)
{
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        i++;
    }
    return i;
}

/* XSD integer (frac = 0) or decimal/double text (frac = 1) as JSON
 * number text: sign '+' and leading zeros dropped, ".5" -> "0.5", or
 * NULL when it is neither (INF and NaN included: JSON has no such). */
static const char *json_number(apr_pool_t *p, const char *s, apr_size_t len,
                               int frac)
{
    apr_size_t b = 0, i, i0, f0 = 0, f1 = 0, e0 = 0, int_end;
    int neg = 0;

    while (len && xml_space(s[len - 1])) {
        len--;
    }
    while (b < len && xml_space(s[b])) {
        b++;
    }
    if (b < len && (s[b] == '-' || s[b] == '+')) {
        neg = (s[b++] == '-');
    }
    i = digits(s, b, len);
    i0 = b;
    while (i0 + 1 < i && s[i0] == '0') {
        i0++;                           /* keep one digit of "000" */
    }
    if (frac && i < len && s[i] == '.') {
        f0 = i + 1;
        i = f1 = digits(s, f0, len);
    }
    if (i == b || (i == b + 1 && f0 == b + 1 && f1 == f0)) {
        return NULL;                    /* no digit at all */
    }
    if (frac && i < len && (s[i] == 'e' || s[i] == 'E')) {
        e0 = i + 1;
        i = (e0 < len && (s[e0] == '-' || s[e0] == '+')) ? e0 + 1 : e0;
        if (digits(s, i, len) == i) {
            return NULL;
        }
        i = digits(s, i, len);
    }
    if (i != len) {
        return NULL;
    }
    int_end = f0 ? f0 - 1 : e0 ? e0 - 1 : len;
    if (!frac && int_end - i0 == 1 && s[i0] == '0') {
        neg = 0;                        /* "-0" -> "0" */
    }
    return apr_pstrcat(p, neg ? "-" : "",
                       i0 < int_end ? apr_pstrmemdup(p, s + i0, int_end - i0)
                                    : "0",
                       f1 > f0 ? "." : "",
                       f1 > f0 ? apr_pstrmemdup(p, s + f0, f1 - f0) : "",
                       e0 ? "e" : "",
                       e0 ? apr_pstrmemdup(p, s + e0, len - e0) : "",
                       NULL);
}

static int bool_text(const char *s, apr_size_t len, int *pb)
{
    while (len && xml_space(s[len - 1])) {
        len--;
    }
    while (len && xml_space(*s)) {
        s++, len--;
    }
    if ((len == 4 && !strncasecmp(s, "true", 4)) || (len == 1 && *s == '1')) {
        *pb = 1;
        return 1;
    }
    if ((len == 5 && !strncasecmp(s, "false", 5)) || (len == 1 && *s == '0')) {
        *pb = 0;
        return 1;
    }
    return 0;
}

static chats_doc_t *typed_leaf(apr_pool_t *p, chats_ftype_e t,
                               const chats_doc_t *v)
{
    const char *num = NULL;
    int b;

    if (v->type != CHATS_J_STRING) {
        return chats_doc_copy(p, v);
    }
    switch (t) {
    case CHATS_F_INT32:
    case CHATS_F_INT16:
    case CHATS_F_DOUBLE:
        num = json_number(p, v->s, v->len, t == CHATS_F_DOUBLE);
        return num ? chats_doc_number(p, num, strlen(num))
                   : chats_doc_copy(p, v);
    case CHATS_F_BOOL:
        return bool_text(v->s, v->len, &b) ? chats_doc_bool(p, b)
                                           : chats_doc_copy(p, v);
    default:
        return chats_doc_copy(p, v);
    }
}

static chats_doc_t *typed_carrier(apr_pool_t *p, const chats_carrier_t *c,
                                  const chats_doc_t *in)
{
    chats_doc_t *out = chats_doc_object(p), *v;
    const chats_subfield_t *sf;
    int i;

    for (i = 0; i < chats_doc_object_len(in); i++) {
        chats_member_t *m = chats_doc_object_at(in, i);

        sf = chats_carrier_find(c, m->name, m->name_len);
        v = sf ? typed_leaf(p, sf->type, m->value)
               : chats_doc_copy(p, m->value);
        chats_doc_object_set(out, m->name, m->name_len, v, 0, p);
    }
    return out;
}

static chats_doc_t *typed_group(apr_pool_t *p, const chats_field_t *g,
                                const chats_doc_t *in);

/* v, the value of field f (NULL: no such field), typed as f says. */
static chats_doc_t *typed_field(apr_pool_t *p, const chats_field_t *f,
                                const chats_doc_t *v)
{
    if (!f) {
        return chats_doc_copy(p, v);
    }
    if (f->type == CHATS_F_CARRIER || f->type == CHATS_F_GROUP) {
        if (v->type != CHATS_J_OBJECT) {
            return chats_doc_copy(p, v);
        }
        return f->type == CHATS_F_CARRIER ? typed_carrier(p, f->carrier, v)
                                          : typed_group(p, f, v);
    }
    return typed_leaf(p, f->type, v);
}

/* A group's members are fields: typed as they are at the top level. */
static chats_doc_t *typed_group(apr_pool_t *p, const chats_field_t *g,
                                const chats_doc_t *in)
{
    chats_doc_t *out = chats_doc_object(p);
    int i;

    for (i = 0; i < chats_doc_object_len(in); i++) {
        chats_member_t *m = chats_doc_object_at(in, i);

        chats_doc_object_set(out, m->name, m->name_len, typed_field(
                                 p, chats_group_find(g, m->name, m->name_len),
                                 m->value), 0, p);
    }
    return out;
}

chats_err_t *chats_xml_typed_entity(const chats_entity_def_t *def,
                                    const chats_doc_t *in, chats_doc_t **pout,
                                    apr_pool_t *p)
{
    chats_doc_t *out;
    int i;

    if (in->type != CHATS_J_OBJECT) {
        *pout = chats_doc_copy(p, in);
        return NULL;
    }
    out = chats_doc_object(p);
    for (i = 0; i < chats_doc_object_len(in); i++) {
        chats_member_t *m = chats_doc_object_at(in, i);

        chats_doc_object_set(out, m->name, m->name_len, typed_field(
                                 p, chats_schema_find(def, m->name,
                                                      m->name_len),
                                 m->value), 0, p);
    }
    *pout = out;
    return NULL;
}
