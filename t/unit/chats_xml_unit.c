/* Unit tests of the XML representation (chats_xml.c, chats_xml_parse.c):
 * rendering, reading, typing by the field table, and well-formedness
 * checked twice, by our reader and by xmllint (libxml2; $XMLLINT, default
 * "xmllint" on PATH; a missing xmllint fails those tests). No framework:
 * prints TAP, plan at the end; exit 1 if any failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "chats_entity_xml.h"
#include "chats_json.h"
#include "chats_schema.h"
#include "chats_xml.h"
#include "tap.h"

#define XSI "xmlns:xsi=\"" CHATS_XML_XSI_NS "\""
#define DECL "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"

static chats_doc_t *json(tap_t *t, const char *s)
{
    chats_doc_t *d = NULL;
    chats_err_t *e = chats_json_parse(&d, s, strlen(s), NULL, t->p);

    if (e) {
        printf("# bad JSON in test: %s\n", s);
    }
    return d;
}

static const char *js(tap_t *t, const chats_doc_t *d)
{
    return d ? chats_doc_to_json(t->p, d, 0) : "(null)";
}

/* Parse XML text whole; returns the JSON of the document or "E:<code>". */
static const char *xp(tap_t *t, const char *s, apr_size_t len,
                      apr_size_t max, chats_err_t **pe)
{
    chats_doc_t *d = NULL;
    chats_err_t *e = chats_xml_parse(&d, s, len, max, t->p);

    if (pe) {
        *pe = e;
    }
    return e ? apr_pstrcat(t->p, "E:", chats_err_name(e->code), NULL)
             : js(t, d);
}

static const char *xps(tap_t *t, const char *s)
{
    return xp(t, s, strlen(s), 0, NULL);
}

/* Parse, then type by the field table. */
static const char *xtyped(tap_t *t, const char *s)
{
    chats_doc_t *d = NULL, *ty = NULL;
    chats_err_t *e = chats_xml_parse(&d, s, strlen(s), 0, t->p);

    if (!e) {
        e = chats_xml_typed_entity(&chats_session_def, d, &ty, t->p);
    }
    return e ? apr_pstrcat(t->p, "E:", chats_err_name(e->code), NULL)
             : js(t, ty);
}

/* Exit status of xmllint --noout on s (0 = well-formed; 127 = missing). */
static int xmllint(const char *s)
{
    const char *tool = getenv("XMLLINT");
    char *cmd;
    FILE *f;
    int rc;

    cmd = malloc(strlen(tool ? tool : "xmllint") + 32);
    sprintf(cmd, "%s --noout - 2>/dev/null", tool ? tool : "xmllint");
    fflush(stdout);
    f = popen(cmd, "w");
    free(cmd);
    if (!f) {
        return -1;
    }
    fwrite(s, 1, strlen(s), f);
    rc = pclose(f);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* ---- rendering -------------------------------------------------------- */

static void test_render(tap_t *t)
{
    const char *x;
    chats_doc_t *d;

    d = json(t, "{\"Id\":5,\"Name\":\"a&b<c>d\\\"e'f\",\"Ok\":true,"
                "\"No\":false,\"Gone\":null,\"Empty\":\"\","
                "\"Sub\":{\"X\":1.5e3,\"Y\":null}}");
    x = chats_xml_render(t->p, "ChatSessionEntity", d);
    is_str(t, x, DECL "<ChatSessionEntity " XSI "><Id>5</Id>"
           "<Name>a&amp;b&lt;c&gt;d\"e'f</Name><Ok>true</Ok><No>false</No>"
           "<Gone xsi:nil=\"true\"/><Empty></Empty>"
           "<Sub><X>1.5e3</X><Y xsi:nil=\"true\"/></Sub></ChatSessionEntity>",
           "render: members in order, null as xsi:nil, bool, number, "
           "escaping, nested object");
    ok(t, xmllint(x) == 0, "render: xmllint accepts it");

    d = json(t, "{\"A\":[1,null,{\"B\":\"x\"},[true]],\"E\":[]}");
    x = chats_xml_render(t->p, "R", d);
    is_str(t, x, DECL "<R " XSI "><A><Item>1</Item><Item xsi:nil=\"true\"/>"
           "<Item><B>x</B></Item><Item><Item>true</Item></Item></A>"
           "<E></E></R>", "render: arrays as repeated <Item>");

    d = json(t, "{\"T\":\"\\u00e9\\u20ac\\ud83d\\ude00 cr\\r lf\\n tab\\t"
                " nul\\u0000 bel\\u0007 fffe\\ufffe ]]> end\"}");
    x = chats_xml_render(t->p, "R", d);
    is_str(t, x, DECL "<R " XSI "><T>\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"
           " cr&#13; lf\n tab\t nul\xEF\xBF\xBD bel\xEF\xBF\xBD"
           " fffe\xEF\xBF\xBD ]]&gt; end</T></R>",
           "render: non-ASCII kept, CR as &#13;, forbidden characters "
           "as U+FFFD");
    ok(t, xmllint(x) == 0, "render: xmllint accepts the text edge cases");

    d = chats_doc_object(t->p);
    chats_doc_object_set(d, "T", 1, chats_doc_string(t->p, "a\xFF\xC3z",
                         4), 0, t->p);
    x = chats_xml_render(t->p, "R", d);
    is_str(t, x, DECL "<R " XSI "><T>a\xEF\xBF\xBD\xEF\xBF\xBDz</T></R>",
           "render: invalid UTF-8 bytes as U+FFFD");

    is_str(t, chats_xml_escape(t->p, "\"'<&>\t\n\r", 8, 1),
           "&quot;&apos;&lt;&amp;&gt;&#9;&#10;&#13;",
           "escape: attribute mode");
    is_str(t, chats_xml_name(t->p, "_Links", 6), "_Links",
           "name: _Links stays");
    is_str(t, chats_xml_name(t->p, "1a b:c", 6), "_x0031_a_x0020_b_x003A_c",
           "name: digit start, space, colon encoded");
    is_str(t, chats_xml_name(t->p, "_x\xC3\xA9\xF0\x9F\x98\x80", 8),
           "_x005F_x_x00E9__x0001F600_", "name: _x and non-ASCII encoded");
    is_str(t, chats_xml_name(t->p, "", 0), "_", "name: empty is _");

    d = json(t, "{\"a b\":1,\"\":2,\"x<y\":{\"1\":null}}");
    x = chats_xml_render(t->p, "bad root", d);
    ok(t, x && xmllint(x) == 0, "render: odd names still well-formed "
       "(xmllint)");
    ok(t, x && xp(t, x, strlen(x), 0, NULL)[0] == '{',
       "render: odd names still well-formed (our reader)");

    d = json(t, "null");
    is_str(t, chats_xml_render(t->p, "R", d),
           DECL "<R " XSI " xsi:nil=\"true\"/>", "render: null root");
    {
        chats_doc_t *deep = chats_doc_null(t->p), *o;
        int i;

        for (i = 0; i < 200; i++) {
            o = chats_doc_object(t->p);
            chats_doc_object_set(o, "a", 1, deep, 0, t->p);
            deep = o;
        }
        ok(t, chats_xml_render(t->p, "R", deep) == NULL,
           "render: nesting over 128 refused (NULL)");
    }
}

/* ---- the whole entity: every field and sub-field of the table --------- */

static chats_doc_t *sample(tap_t *t, chats_ftype_e type,
                           const chats_enum_t *en, int i)
{
    switch (type) {
    case CHATS_F_INT32:
        return chats_doc_int(t->p, i % 2 ? -2147483647 - 1 : 2147483647);
    case CHATS_F_INT16:
        return chats_doc_int(t->p, -12);
    case CHATS_F_DOUBLE:
        return chats_doc_number(t->p, "-1.25e3", 7);
    case CHATS_F_BOOL:
        return chats_doc_bool(t->p, i % 2);
    case CHATS_F_DATETIME:
        return chats_doc_strz(t->p, "2024-03-31T01:59:59.1234567+00:00");
    case CHATS_F_ENUM:
    case CHATS_F_FLAGS:
        return chats_doc_strz(t->p, en && en[0].name ? en[0].name : "0");
    default:
        return chats_doc_strz(t->p, i % 3 ? "" : " <x y=\"1\"> & "
                              "\xC3\xA9\r\n\t\xF0\x9F\x98\x80 ");
    }
}

static chats_doc_t *full_entity(tap_t *t)
{
    int i, k, n;
    const chats_field_t *f = chats_schema_fields(&chats_session_def, &n);
    chats_doc_t *d = chats_doc_object(t->p), *v;

    for (i = 0; i < n; i++) {
        if (f[i].type == CHATS_F_CARRIER) {
            v = chats_doc_object(t->p);
            for (k = 0; k < f[i].carrier->nfields; k++) {
                const chats_subfield_t *sf = &f[i].carrier->fields[k];

                chats_doc_object_set(v, sf->name, strlen(sf->name),
                                     sample(t, sf->type, sf->enums, k), 0,
                                     t->p);
            }
        }
        else {
            v = sample(t, f[i].type, f[i].enums, i);
        }
        chats_doc_object_set(d, f[i].name, strlen(f[i].name), v, 0, t->p);
    }
    return d;
}

static void test_entity_round_trip(tap_t *t)
{
    chats_doc_t *ent = full_entity(t), *view, *back = NULL, *ty = NULL;
    chats_doc_t *extra;
    chats_err_t *e;
    const char *x;
    int i, n, bad = 0;

    view = chats_doc_copy(t->p, ent);
    extra = json(t, "{\"TableRight\":{\"Mask\":\"Select, Update\","
        "\"Reason\":\"\"},\"FieldProperties\":{\"ChatSessionId\":"
        "{\"FieldRight\":{\"Mask\":\"Read\",\"Reason\":\"\"},"
        "\"FieldType\":\"System.Int32\",\"FieldLength\":0}},"
        "\"_Links\":{\"Self\":"
        "\"https://h.example/api/v1/ChatSession/5?a=1&b=2\","
        "\"Archive\":\"https://h.example/api/v1/ChatSession\"}}");
    for (i = 0; i < chats_doc_object_len(extra); i++) {
        chats_member_t *m = chats_doc_object_at(extra, i);

        chats_doc_object_set(view, m->name, m->name_len, m->value, 0, t->p);
    }
    /* and one carrier null */
    chats_doc_object_set(view, "Person", 6, chats_doc_null(t->p), 0, t->p);
    chats_doc_object_set(ent, "Person", 6, chats_doc_null(t->p), 0, t->p);

    x = chats_xml_render(t->p, "ChatSessionEntity", view);
    ok(t, x != NULL, "entity: the full view renders");
    ok(t, x && xmllint(x) == 0, "entity: xmllint accepts the full view");
    e = x ? chats_xml_parse(&back, x, strlen(x), 0, t->p) : NULL;
    ok(t, x && !e, "entity: our reader accepts the full view");
    if (!x || e) {
        return;
    }
    chats_xml_typed_entity(&chats_session_def, back, &ty, t->p);
    n = chats_doc_object_len(ent);
    for (i = 0; i < n; i++) {
        chats_member_t *m = chats_doc_object_at(ent, i);
        chats_doc_t *got = chats_doc_object_get(ty, m->name, m->name_len, 0);

        if (!got || !chats_doc_equal(got, m->value)) {
            bad++;
            printf("# %s: sent %s, read back %s\n", m->name,
                   js(t, m->value), got ? js(t, got) : "(absent)");
        }
    }
    ok(t, bad == 0, "entity: every field and sub-field round-trips with "
       "its JSON type (render, parse, type by the field table)");
    is_str(t, js(t, chats_doc_object_get(ty, "FieldProperties", 15, 0)),
           "{\"ChatSessionId\":{\"FieldRight\":{\"Mask\":\"Read\","
           "\"Reason\":\"\"},\"FieldType\":\"System.Int32\","
           "\"FieldLength\":\"0\"}}",
           "entity: members outside the table are left as text");
    is_str(t, js(t, chats_doc_object_get(ty, "_Links", 6, 0)),
           js(t, chats_doc_object_get(view, "_Links", 6, 0)),
           "entity: _Links round-trip (& in a URL)");
}

/* ---- reading ---------------------------------------------------------- */

/* Whole bodies and what the reader makes of them: the document as JSON,
 * or "E:" and the error kind. */
typedef struct {
    const char *xml, *want, *desc;
} xml_case_t;

static void xml_cases(tap_t *t, const xml_case_t *c, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        is_str(t, xps(t, c[i].xml), c[i].want, c[i].desc);
    }
}

/* Shapes the reader takes, and the ones it refuses. */
static const xml_case_t shapes[] = {
    { "<E xmlns:i=\"" CHATS_XML_XSI_NS "\">\n  <A>1</A>\n"
      "  <B i:nil=\"true\"/>\n  <C i:nil=' 1 '></C>\n"
      "  <D xmlns:q=\"" CHATS_XML_XSI_NS "\" q:nil=\"false\"/>"
      "\n  <F nil=\"true\"/>  <G>  </G>\n</E>",
      "{\"A\":\"1\",\"B\":null,\"C\":null,\"D\":\"\",\"F\":\"\",\"G\":\"  \"}",
      "parse: text, nil by any prefix, nil false, no-namespace nil "
      "attribute ignored, whitespace kept in text-only elements" },
    { "<E><U>\n <Id>7</Id>\n <N><![CDATA[<a>&]]>&amp;&lt;"
      "&#233;&#x1F600;</N>\n</U><!-- c --><?pi x?></E>",
      "{\"U\":{\"Id\":\"7\",\"N\":\"<a>&&<\xC3\xA9\xF0\x9F\x98\x80\"}}",
      "parse: nested object, CDATA, predefined and character "
      "references, comments and PIs ignored" },
    { "<ChatSessionEntity xmlns=\"http://x/\" "
      "xmlns:z=\"http://z/\" z:Id=\"1\"><z:A>1</z:A></ChatSessionEntity>",
      "{\"A\":\"1\"}",
      "parse: element namespaces and other attributes ignored" },
    { "<E/>", "{}", "parse: empty root is an empty object" },
    { "\xEF\xBB\xBF<?xml version='1.0' encoding='UTF-8'?>"
      "<E><A>\xC3\xA9</A></E>", "{\"A\":\"\xC3\xA9\"}",
      "parse: BOM and UTF-8 declaration" },
    { "<?xml version=\"1.0\" encoding=\"us-ascii\"?><E/>", "{}",
      "parse: US-ASCII declaration" },
    { "<E><A>x<B/></A></E>", "E:invalid", "parse: mixed content refused" },
    { "<E><A xmlns:i=\"" CHATS_XML_XSI_NS "\" i:nil=\"true\">x</A></E>",
      "E:invalid", "parse: xsi:nil with content refused" },
    { "<E>text</E>", "E:invalid", "parse: text in the root refused" },
    { "<E><a:B/></E>", "E:syntax",
      "parse: undefined prefix is a syntax error" },
};

/* Malformed bodies, DOCTYPEs, encodings. */
static const xml_case_t malformed[] = {
    { "", "E:syntax", "malformed: empty body" },
    { "   ", "E:syntax", "malformed: blank body" },
    { "<E/><F/>", "E:syntax", "malformed: two roots" },
    { "<E/>junk", "E:syntax", "malformed: text after root" },
    { "<E>&foo;</E>", "E:syntax", "malformed: undefined entity" },
    { "<E><A>\x01</A></E>", "E:syntax", "malformed: control character" },
    { "{\"A\":1}", "E:syntax", "malformed: JSON" },
    { "<?xml version=\"1.0\"?>\n<!-- x - y -->\n<!-- y -->"
      "<!DOCTYPE E SYSTEM \"file:///etc/passwd\"><E/>", "E:syntax",
      "DOCTYPE after declaration and comments refused" },
    { "\xEF\xBB\xBF<!DOCTYPE E><E/>", "E:syntax",
      "DOCTYPE after a BOM refused" },
    { "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol "
      "\"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]><lolz>&lol2;</lolz>",
      "E:syntax", "billion laughs refused" },
    { "<!-- <!DOCTYPE E> --><E><A><![CDATA[<!DOCTYPE x>]]></A></E>",
      "{\"A\":\"<!DOCTYPE x>\"}",
      "DOCTYPE text in a comment or CDATA is only text" },
    { "<E/><!DOCTYPE E>", "E:syntax",
      "DOCTYPE after the root: expat refuses it" },
    { "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><E><A>x</A></E>",
      "E:syntax", "encoding other than UTF-8 refused" },
    { "<E><A>\xE9</A></E>", "E:syntax", "invalid UTF-8 refused" },
    { "<E><A>\xED\xA0\x80</A></E>", "E:syntax", "UTF-8 surrogate refused" },
    { "<E/>\xC3", "E:syntax", "truncated UTF-8 at the end refused" },
};

static void test_parse_shapes(tap_t *t)
{
    chats_err_t *e = NULL;
    const char *s;

    xml_cases(t, shapes, TAP_N(shapes));
    s = xp(t, "<E><A>1</A><a>2</a></E>", 23, 0, &e);
    is_str(t, s, "E:invalid", "parse: names repeated (any case) refused");
    is_str(t, e ? e->field : NULL, "a", "parse: ... naming the element");
    {
        char buf[2048];
        int i, k = 0;

        k += sprintf(buf + k, "<E>");
        for (i = 0; i < 40; i++) {
            k += sprintf(buf + k, "<M%d/>", i);
        }
        k += sprintf(buf + k, "<m33/></E>");
        is_str(t, xp(t, buf, k, 0, &e), "E:invalid",
               "parse: repeated name among many members refused (hash)");
        is_str(t, e ? e->field : NULL, "m33", "parse: ... naming it");
    }
}

static void test_parse_errors(tap_t *t)
{
    chats_err_t *e = NULL;
    char deep[2048];
    int i, k;

    is_str(t, xp(t, "<E><A></E>", 10, 0, &e), "E:syntax",
           "malformed: mismatched tag");
    ok(t, e && e->message && strstr(e->message, "malformed XML"),
       "malformed: message says so");
    xml_cases(t, malformed, TAP_N(malformed));
    is_str(t, xp(t, "<!DOCTYPE E [<!ENTITY a \"b\">]><E>&a;</E>", 39, 0,
                 &e), "E:syntax", "DOCTYPE with an entity refused");
    ok(t, e && e->message && strstr(e->message, "DOCTYPE"),
       "DOCTYPE: message names it");

    k = 0;
    for (i = 0; i < CHATS_XML_MAX_DEPTH; i++) {
        k += sprintf(deep + k, "<a>");
    }
    for (i = 0; i < CHATS_XML_MAX_DEPTH; i++) {
        k += sprintf(deep + k, "</a>");
    }
    ok(t, xp(t, deep, k, 0, NULL)[0] == '{', "depth: 64 levels accepted");
    memmove(deep + 3, deep, k);
    memcpy(deep, "<b>", 3);
    memcpy(deep + k + 3, "</b>", 4);
    is_str(t, xp(t, deep, k + 7, 0, NULL), "E:syntax",
           "depth: 65 levels refused");
    {
        /* Comments are markup but no elements. */
        apr_size_t n = CHATS_XML_MAX_MARKUP - 2, j;   /* root: 2 tags */
        char *many = apr_palloc(t->p, 7 * (n + 1) + 16);

        k = sprintf(many, "<E>");
        for (j = 0; j < n; j++) {
            k += sprintf(many + k, "<!---->");
        }
        k += sprintf(many + k, "</E>");
        is_str(t, xp(t, many, k, 0, NULL), "{}",
               "markup: as many tags as allowed parsed");
        memcpy(many + k - 4, "<!----></E>", 11);
        is_str(t, xp(t, many, k + 7, 0, &e), "E:syntax",
               "markup: one tag more refused");
    }
}

/* A body of n copies of fmt (printf'd with the copy's number) between
 * head and tail. */
static const char *repeat(tap_t *t, const char *head, const char *fmt,
                          int n, const char *tail, apr_size_t *plen)
{
    apr_size_t cap = strlen(head) + strlen(tail) + (strlen(fmt) + 12)
                     * (apr_size_t)n + 1;
    char *b = apr_palloc(t->p, cap);
    apr_size_t k = strlen(head);
    int i;

    memcpy(b, head, k);
    for (i = 0; i < n; i++) {
        k += (apr_size_t)snprintf(b + k, cap - k, fmt, i, i);
    }
    memcpy(b + k, tail, strlen(tail) + 1);
    *plen = k + strlen(tail);
    return b;
}

/* Each limit: the most allowed parse, one more is refused, the message
 * naming what was exceeded (issue 8, finding 1). */
static void test_limits(tap_t *t)
{
    chats_err_t *e = NULL;
    const char *b;
    apr_size_t n;

    b = repeat(t, "<E><A>", "<F%d/>", CHATS_MAX_MEMBERS, "</A></E>", &n);
    ok(t, xp(t, b, n, 0, NULL)[0] == '{', "children: as many as allowed");
    b = repeat(t, "<E><A>", "<F%d/>", CHATS_MAX_MEMBERS + 1, "</A></E>", &n);
    is_str(t, xp(t, b, n, 0, &e), "E:syntax", "children: one more refused");
    ok(t, e && strstr(e->message, "child elements") && e->field
          && !strcmp(e->field, "A"), "children: message and field name them");

    b = repeat(t, "<E>", "<A%d/>", CHATS_XML_MAX_ELEMENTS - 1, "</E>", &n);
    is_str(t, xp(t, b, n, 0, &e), "E:syntax",
           "elements: as many as allowed get past the count (then the "
           "children limit)");
    ok(t, e && strstr(e->message, "child elements"),
       "elements: ... which is what refused them");
    b = repeat(t, "<E>", "<A%d/>", CHATS_XML_MAX_ELEMENTS, "</E>", &n);
    is_str(t, xp(t, b, n, 0, &e), "E:syntax", "elements: one more refused");
    ok(t, e && strstr(e->message, "elements"),
       "elements: the message names the limit");

    b = repeat(t, "<E", " a%d='%d'", CHATS_XML_MAX_ATTRS, "/>", &n);
    is_str(t, xp(t, b, n, 0, NULL), "{}", "attributes: as many as allowed");
    b = repeat(t, "<E", " a%d='%d'", CHATS_XML_MAX_ATTRS + 1, "/>", &n);
    is_str(t, xp(t, b, n, 0, &e), "E:syntax", "attributes: one more refused");
    ok(t, e && strstr(e->message, "attributes"),
       "attributes: the message names the limit");
    b = repeat(t, "<E a='>' b=\">\"", " c%d='%d'", CHATS_XML_MAX_ATTRS - 1,
               "/>", &n);
    is_str(t, xp(t, b, n, 0, &e), "E:syntax",
           "attributes: '>' in values does not end the count");

    b = repeat(t, "<E>", "<A%d xmlns:p='u%d'/>", CHATS_XML_MAX_NSDECLS,
               "</E>", &n);
    ok(t, xp(t, b, n, 0, NULL)[0] == '{',
       "namespace declarations: as many as allowed");
    b = repeat(t, "<E>", "<A%d xmlns='u%d'/>", CHATS_XML_MAX_NSDECLS + 1,
               "</E>", &n);
    is_str(t, xp(t, b, n, 0, &e), "E:syntax",
           "namespace declarations: one more refused");
    ok(t, e && strstr(e->message, "namespace declarations"),
       "namespace declarations: the message names the limit");
    is_str(t, xps(t, "<E xmlnsx='1' xmlns:p='u' p:a='1'><p:A/></E>"),
           "{\"A\":\"\"}", "namespace declarations: xmlnsx is an attribute");
}

/* Only UTF-8 reaches expat (issue 8, finding 7). */
static void test_encodings(tap_t *t)
{
    static const struct { const char *s; apr_size_t n; const char *what; }
    c[] = {
        { "<\0E\0/\0>\0", 8, "UTF-16LE, no BOM, no declaration" },
        { "\0<\0E\0/\0>", 8, "UTF-16BE, no BOM, no declaration" },
        { "\xFF\xFE<\0E\0/\0>\0", 10, "UTF-16LE with a BOM" },
        { "\xFE\xFF\0<\0E\0/\0>", 10, "UTF-16BE with a BOM" },
        { "\xFF\xFE\0\0<\0\0\0E\0\0\0/\0\0\0>\0\0\0", 20,
          "UTF-32LE with a BOM" },
        { "<\0?\0x\0m\0l\0 \0v\0e\0r\0s\0i\0o\0n\0=\0'\0001\0.\0000\0'\0?\0"
          ">\0<\0E\0/\0>\0", 50, "UTF-16LE with a declaration" },
        { "<E>\0</E>", 8, "a NUL byte in UTF-8" },
    };
    chats_err_t *e = NULL;
    const char *b;
    apr_size_t n, i;

    for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        is_str(t, xp(t, c[i].s, c[i].n, 0, &e), "E:syntax",
               apr_psprintf(t->p, "encoding: %s refused", c[i].what));
        ok(t, e && strstr(e->message, "UTF-8"),
           apr_psprintf(t->p, "encoding: %s: the message says UTF-8 only",
                        c[i].what));
    }
    b = repeat(t, "<?xml version='1.0'", "        ", 80,
               " encoding='ISO-8859-1'?><E><A>K\xC3\xA5ri</A></E>", &n);
    is_str(t, xp(t, b, n, 0, &e), "E:syntax",
           "encoding: declared past 640 bytes of padding, still refused");
    b = repeat(t, "<?xml version='1.0'", "        ", 80,
               " encoding = \"UTF-8\" ?><E><A>K\xC3\xA5ri</A></E>", &n);
    is_str(t, xp(t, b, n, 0, NULL), "{\"A\":\"K\xC3\xA5ri\"}",
           "encoding: UTF-8 declared past the padding is fine");
    is_str(t, xps(t, "<?xml version='1.0' encoding='UTF-8x'?><E/>"),
           "E:syntax", "encoding: a longer name refused");
    is_str(t, xps(t, "<?xml version='1.0' encoding='us-ascii'?><E/>"), "{}",
           "encoding: US-ASCII accepted");
    is_str(t, xps(t, "\xEF\xBB\xBF<E><A>\xC3\xA5</A></E>"),
           "{\"A\":\"\xC3\xA5\"}", "encoding: a UTF-8 BOM is accepted");
    is_str(t, xps(t, "<?foo encoding='latin1'?><E><?bar encoding='latin1'?>"
                     "<A>x</A></E>"),
           "{\"A\":\"x\"}", "encoding: other PIs are not declarations");
}

static void test_streaming(tap_t *t)
{
    const char *doc = "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?>"
        "<!-- c --><E xmlns:xsi=\"" CHATS_XML_XSI_NS "\"><A>\xC3\xA9\xE2\x82"
        "\xAC\xF0\x9F\x98\x80 &amp; x</A><B xsi:nil=\"true\"/><C><D>1</D></C>"
        "</E>";
    const char *want = "{\"A\":\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80 & x\","
                       "\"B\":null,\"C\":{\"D\":\"1\"}}";
    apr_size_t len = strlen(doc), i;
    chats_xml_parser_t *ps;
    chats_doc_t *d = NULL;
    chats_err_t *e = NULL;

    ps = chats_xml_parser_create(t->p, 0);
    for (i = 0; i < len && !e; i++) {
        e = chats_xml_feed(ps, doc + i, 1);
    }
    if (!e) {
        e = chats_xml_finish(ps, &d);
    }
    is_str(t, e ? chats_err_name(e->code) : js(t, d), want,
           "stream: 1 byte at a time (BOM, declaration, UTF-8 split)");
    is_str(t, chats_xml_root_name(ps), "E", "stream: root name");

    ps = chats_xml_parser_create(t->p, 0);
    e = NULL;
    for (i = 0; i < len && !e; i++) {
        e = chats_xml_feed(ps, doc + i, 0);
        e = e ? e : chats_xml_feed(ps, doc + i, 1);
    }
    ok(t, !e && !chats_xml_finish(ps, &d), "stream: empty chunks are fine");

    {
        static const char dt[] = "<!DOCTYPE E><E/>";

        ps = chats_xml_parser_create(t->p, 0);
        e = NULL;
        for (i = 0; i < sizeof(dt) - 1 && !e; i++) {
            e = chats_xml_feed(ps, dt + i, 1);
        }
        ok(t, e && e->code == CHATS_E_SYNTAX && i == 3,
           "stream: DOCTYPE refused at its third byte");
        ok(t, chats_xml_feed(ps, "x", 1) == e && chats_xml_finish(ps, &d)
           == e, "stream: the parser stays dead after an error");
    }

    is_str(t, xp(t, "<E><A>1</A></E>", 15, 15, NULL), "{\"A\":\"1\"}",
           "limit: exactly max_bytes accepted");
    is_str(t, xp(t, "<E><A>1</A></E>", 15, 14, NULL), "E:too_big",
           "limit: one byte over refused");
    ps = chats_xml_parser_create(t->p, 100);
    e = NULL;
    for (i = 0; i < 20; i++) {     /* 3 + 8 * 12 = 99 bytes, then 111 */
        if ((e = chats_xml_feed(ps, i ? "<A/><B/><C/>" : "<E>",
                                i ? 12 : 3)) != NULL) {
            break;
        }
    }
    ok(t, e && e->code == CHATS_E_TOO_BIG && i == 9,
       "limit: decided while streaming, at the chunk that crosses it");
}

/* ---- typing ----------------------------------------------------------- */

static void test_typing(tap_t *t)
{
    is_str(t, xtyped(t, "<E><chatsessionid> +0042 </chatsessionid>"
                        "<Rank>-0</Rank><AlertLevel>00</AlertLevel>"
                        "<CustomerConsented>TRUE</CustomerConsented>"
                        "<ChatbotIsActive>0</ChatbotIsActive>"
                        "<CustomerName> 7 </CustomerName>"
                        "<Status>InQueue</Status><Flags>UserIsTyping</Flags>"
                        "<WhenStarted>2024-01-01T00:00:00Z</WhenStarted>"
                        "</E>"),
           "{\"chatsessionid\":42,\"Rank\":0,\"AlertLevel\":0,"
           "\"CustomerConsented\":true,\"ChatbotIsActive\":false,"
           "\"CustomerName\":\" 7 \",\"Status\":\"InQueue\","
           "\"Flags\":\"UserIsTyping\",\"WhenStarted\":"
           "\"2024-01-01T00:00:00Z\"}",
           "typing: int32, bool (any case, 0/1); strings, enums, flags, "
           "date-times stay text; names any case");
    is_str(t, xtyped(t, "<E><ChatSessionId>4x</ChatSessionId><Rank>1.5</Rank>"
                        "<AlertLevel></AlertLevel><CustomerConsented>yes"
                        "</CustomerConsented><Rating>99999999999999999999"
                        "</Rating></E>"),
           "{\"ChatSessionId\":\"4x\",\"Rank\":\"1.5\",\"AlertLevel\":\"\","
           "\"CustomerConsented\":\"yes\",\"Rating\":99999999999999999999}",
           "typing: text that is not the type stays text (coercion names "
           "the field); range is coercion's job");
    is_str(t, xtyped(t, "<E xmlns:i=\"" CHATS_XML_XSI_NS "\"><User>"
                        "<AssociateId> 7 </AssociateId><Name>1</Name>"
                        "<rank>3</rank><Deleted>false</Deleted>"
                        "<Nope>1</Nope></User><Person i:nil=\"true\"/>"
                        "<Contact></Contact><Unknown>1</Unknown>"
                        "<TableRight><Mask>1</Mask></TableRight></E>"),
           "{\"User\":{\"AssociateId\":7,\"Name\":\"1\",\"rank\":3,"
           "\"Deleted\":false,\"Nope\":\"1\"},\"Person\":null,"
           "\"Contact\":\"\",\"Unknown\":\"1\",\"TableRight\":"
           "{\"Mask\":\"1\"}}",
           "typing: carrier sub-fields by the carrier; null kept; unknown "
           "members unchanged");
    {
        /* A DOUBLE sub-field, wherever the table has one. */
        int i, k, n;
        const chats_field_t *f = chats_schema_fields(&chats_session_def, &n);
        const char *where = NULL, *sub = NULL;

        for (i = 0; i < n && !where; i++) {
            for (k = 0; f[i].type == CHATS_F_CARRIER
                 && k < f[i].carrier->nfields; k++) {
                if (f[i].carrier->fields[k].type == CHATS_F_DOUBLE) {
                    where = f[i].name;
                    sub = f[i].carrier->fields[k].name;
                    break;
                }
            }
        }
        if (where) {
            const char *in = apr_psprintf(t->p, "<E><%s><%s>%s</%s></%s>"
                                          "</E>", where, sub, "%s", sub,
                                          where);
            const char *out = apr_psprintf(t->p, "{\"%s\":{\"%s\":%s}}",
                                           where, sub, "%s");
            static const char *const cases[][2] = {
                { "+1.50", "1.50" }, { ".5", "0.5" }, { "5.", "5" },
                { "-007.25E+02", "-7.25e+02" }, { "1e5", "1e5" },
                { "INF", "\"INF\"" }, { "NaN", "\"NaN\"" },
                { "1e", "\"1e\"" }, { ".", "\".\"" }, { "", "\"\"" },
            };
            int c;

            for (c = 0; c < (int)(sizeof(cases) / sizeof(cases[0])); c++) {
                is_str(t, xtyped(t, apr_psprintf(t->p, in, cases[c][0])),
                       apr_psprintf(t->p, out, cases[c][1]),
                       apr_psprintf(t->p, "typing: double \"%s\"",
                                    cases[c][0]));
            }
        }
        else {
            ok(t, 0, "typing: the table has a DOUBLE sub-field to test");
        }
    }
}

static void test_xmllint_sanity(tap_t *t)
{
    ok(t, xmllint("<a><b></a>") == 1,
       "xmllint runs and refuses malformed XML (install libxml2-utils)");
}

static const tap_test_fn tests[] = {
    test_xmllint_sanity, test_render, test_entity_round_trip,
    test_parse_shapes, test_parse_errors, test_limits, test_encodings,
    test_streaming, test_typing, NULL
};

const tap_suite_t tap_suite = { NULL, tests, NULL };
