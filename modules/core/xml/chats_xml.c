/* XML rendering of a chats_doc_t (see chats_xml.h for the shape). Built
 * into a pool buffer by an escaper, never by printf, so whatever the tree
 * holds the output is well-formed XML 1.0. Knows no field table: typing
 * an entity read from XML is chats_entity_xml.c's. Core file: APR only. */
#include <string.h>

#include <apr_strings.h>

#include "chats_json.h"
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
