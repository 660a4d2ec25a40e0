/* XML rendering of a chats_doc_t (see chats_xml.h for the shape). Built
 * into a pool buffer by an escaper, never by printf, so whatever the tree
 * holds the output is well-formed XML 1.0; and the typing pass that gives
 * a parsed body's text the field table's JSON types. Core file: APR
 * only. */
#include <string.h>
#include <strings.h>

#include <apr_strings.h>

#include "chats_json.h"
#include "chats_schema.h"
#include "chats_strbuf.h"
#include "chats_xml.h"

#define CHATS_XML_RENDER_DEPTH 128

/* U+FFFD REPLACEMENT CHARACTER in UTF-8. */
#define UTF8_FFFD "\xEF\xBF\xBD"

/* Length of the valid UTF-8 sequence at s[0..len) and its code point, or
 * 0 when the bytes there are not one. */
static apr_size_t utf8_seq(const unsigned char *s, apr_size_t len,
                           unsigned int *pcp)
{
    apr_size_t n, k;

    if (s[0] < 0x80) {
        *pcp = s[0];
        return 1;
    }
    n = (s[0] >= 0xF0) ? 4 : (s[0] >= 0xE0) ? 3 : 2;
    if (n > len || !chats_utf8_valid((const char *)s, n)) {
        return 0;
    }
    *pcp = s[0] & (0x7F >> n);
    for (k = 1; k < n; k++) {
        *pcp = (*pcp << 6) | (s[k] & 0x3F);
    }
    return n;
}

/* XML 1.0 Char production (surrogates cannot come out of utf8_seq). */
static int xml_char_ok(unsigned int cp)
{
    if (cp < 0x20) {
        return cp == 0x09 || cp == 0x0A || cp == 0x0D;
    }
    return cp != 0xFFFE && cp != 0xFFFF;
}

static void escape_into(chats_strbuf_t *b, const char *str, apr_size_t len, int attr)
{
    const unsigned char *s = (const unsigned char *)str;
    apr_size_t i = 0, run = 0, n;
    unsigned int cp;
    const char *rep;

    /* Copy runs of plain characters at once; flush before a replacement. */
    while (i < len) {
        n = utf8_seq(s + i, len - i, &cp);
        rep = NULL;
        if (n == 0 || !xml_char_ok(cp)) {
            rep = UTF8_FFFD;
            n = n ? n : 1;
        }
        else if (cp == '&') {
            rep = "&amp;";
        }
        else if (cp == '<') {
            rep = "&lt;";
        }
        else if (cp == '>') {
            rep = "&gt;";        /* also keeps "]]>" out of text */
        }
        else if (cp == '\r') {
            rep = "&#13;";       /* a raw CR would be read back as LF */
        }
        else if (attr && cp == '"') {
            rep = "&quot;";
        }
        else if (attr && cp == '\'') {
            rep = "&apos;";
        }
        else if (attr && (cp == '\t' || cp == '\n')) {
            rep = (cp == '\t') ? "&#9;" : "&#10;";   /* else normalised */
        }
        if (rep) {
            chats_strbuf_add(b, str + i - run, run);
            chats_strbuf_puts(b, rep);
            run = 0;
        }
        else {
            run += n;
        }
        i += n;
    }
    chats_strbuf_add(b, str + i - run, run);
}

const char *chats_xml_escape(apr_pool_t *p, const char *s, apr_size_t len,
                             int attr)
{
    chats_strbuf_t b;

    chats_strbuf_init(&b, p, len + 16);
    escape_into(&b, s, len, attr);
    return b.buf;
}

static int name_char(unsigned int cp, int first)
{
    if ((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || cp == '_') {
        return 1;
    }
    return !first && ((cp >= '0' && cp <= '9') || cp == '.' || cp == '-');
}

/* ASCII only on purpose: expat and libxml2 disagree on which non-ASCII
 * characters XML 1.0 (4th vs 5th edition) allows in names. */
static void name_into(chats_strbuf_t *b, const char *str, apr_size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    apr_size_t i = 0, n;
    unsigned int cp;
    char hex[16];

    if (len == 0) {
        chats_strbuf_puts(b, "_");
        return;
    }
    while (i < len) {
        n = utf8_seq(s + i, len - i, &cp);
        if (n == 0) {
            cp = 0xFFFD;
            n = 1;
        }
        if (name_char(cp, i == 0)
            && !(cp == '_' && i + 1 < len && s[i + 1] == 'x')) {
            chats_strbuf_add(b, str + i, 1);
        }
        else {
            apr_snprintf(hex, sizeof(hex), cp > 0xFFFF ? "_x%08X_"
                         : "_x%04X_", cp);
            chats_strbuf_puts(b, hex);
        }
        i += n;
    }
}

const char *chats_xml_name(apr_pool_t *p, const char *name, apr_size_t len)
{
    chats_strbuf_t b;

    chats_strbuf_init(&b, p, len + 16);
    name_into(&b, name, len);
    return b.buf;
}

static int render_value(chats_strbuf_t *b, const char *name, apr_size_t name_len,
                        const chats_doc_t *d, int depth);

static int render_children(chats_strbuf_t *b, const chats_doc_t *d, int depth)
{
    int i, n;

    if (d->type == CHATS_J_OBJECT) {
        n = chats_doc_object_len(d);
        for (i = 0; i < n; i++) {
            chats_member_t *m = chats_doc_object_at(d, i);

            if (!render_value(b, m->name, m->name_len, m->value, depth + 1)) {
                return 0;
            }
        }
        return 1;
    }
    n = chats_doc_array_len(d);
    for (i = 0; i < n; i++) {
        if (!render_value(b, CHATS_XML_ITEM, strlen(CHATS_XML_ITEM),
                          chats_doc_array_get(d, i), depth + 1)) {
            return 0;
        }
    }
    return 1;
}

/* The open tag is written by the caller up to its attributes; this
 * closes it and writes the content and the end tag. */
static int render_content(chats_strbuf_t *b, const char *name, apr_size_t name_len,
                          const chats_doc_t *d, int depth)
{
    switch (d->type) {
    case CHATS_J_NULL:
        chats_strbuf_puts(b, " xsi:nil=\"true\"/>");
        return 1;
    case CHATS_J_BOOL:
        chats_strbuf_puts(b, d->b ? ">true" : ">false");
        break;
    case CHATS_J_NUMBER:
    case CHATS_J_STRING:
        chats_strbuf_puts(b, ">");
        escape_into(b, d->s, d->len, 0);
        break;
    case CHATS_J_ARRAY:
    case CHATS_J_OBJECT:
        chats_strbuf_puts(b, ">");
        if (depth >= CHATS_XML_RENDER_DEPTH
            || !render_children(b, d, depth)) {
            return 0;
        }
        break;
    }
    chats_strbuf_puts(b, "</");
    name_into(b, name, name_len);
    chats_strbuf_puts(b, ">");
    return 1;
}

static int render_value(chats_strbuf_t *b, const char *name, apr_size_t name_len,
                        const chats_doc_t *d, int depth)
{
    chats_strbuf_puts(b, "<");
    name_into(b, name, name_len);
    return render_content(b, name, name_len, d, depth);
}

const char *chats_xml_render(apr_pool_t *p, const char *root,
                             const chats_doc_t *doc)
{
    chats_strbuf_t b;

    chats_strbuf_init(&b, p, 4096);
    chats_strbuf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<");
    name_into(&b, root, strlen(root));
    chats_strbuf_puts(&b, " xmlns:xsi=\"" CHATS_XML_XSI_NS "\"");
    if (!render_content(&b, root, strlen(root), doc, 0)) {
        return NULL;
    }
    return b.buf;
}

/* ---- typing an entity body by the field table ------------------------- */

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

chats_err_t *chats_xml_typed_entity(const chats_doc_t *in, chats_doc_t **pout,
                                    apr_pool_t *p)
{
    chats_doc_t *out, *v;
    const chats_field_t *f;
    int i;

    if (in->type != CHATS_J_OBJECT) {
        *pout = chats_doc_copy(p, in);
        return NULL;
    }
    out = chats_doc_object(p);
    for (i = 0; i < chats_doc_object_len(in); i++) {
        chats_member_t *m = chats_doc_object_at(in, i);

        f = chats_schema_find(m->name, m->name_len);
        if (!f) {
            v = chats_doc_copy(p, m->value);
        }
        else if (f->type == CHATS_F_CARRIER) {
            v = (m->value->type == CHATS_J_OBJECT)
                ? typed_carrier(p, f->carrier, m->value)
                : chats_doc_copy(p, m->value);
        }
        else {
            v = typed_leaf(p, f->type, m->value);
        }
        chats_doc_object_set(out, m->name, m->name_len, v, 0, p);
    }
    *pout = out;
    return NULL;
}
