/* Streaming XML request bodies: apr_xml (expat underneath) parses each
 * chunk as it arrives; our own byte scan in front of it enforces the size
 * limit, UTF-8, the counts of elements, attributes and namespace
 * declarations, and refuses a DOCTYPE before expat sees it. Core file:
 * APR and apr-util only.
 *
 * Why our own scan: apr_xml's parser is opaque (no handler of ours can be
 * installed), and its costs are not linear: each namespace declaration
 * searches every URI declared before it (apr_xml_insert_uri), and each
 * element and prefixed attribute searches every declaration in scope
 * (find_prefix). Bounding attributes and declarations before expat sees
 * a chunk bounds that work (issue 8, finding 1). A DOCTYPE is never
 * needed for an entity body; its parameter entities and external subset
 * are attack surface, so it is refused outright.
 *
 * Encodings: we check the bytes as UTF-8, so expat must decode them as
 * UTF-8. It would not if the body were UTF-16 or UTF-32 (detected by
 * expat from a BOM or from the NUL bytes around '<', which are valid
 * UTF-8) or declared another encoding; all three are refused, the
 * declaration however long it is (issue 8, finding 7). */
#include <string.h>
#include <strings.h>

#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_xml.h>

#include "chats_json.h"
#include "chats_xml.h"
#include "chats_xml_scan.h"

struct chats_xml_parser_t {
    apr_pool_t *pool;
    apr_xml_parser *xp;
    apr_size_t max_bytes;
    apr_size_t fed;
    apr_size_t markup;         /* '<' seen */
    chats_err_t *err;          /* sticky: a parser after an error is dead */
    int finished;
    const char *root_name;
    chats_xml_scan_t scan;
};

static chats_err_t *fail(chats_xml_parser_t *ps, chats_ecode_t code,
                         const char *msg)
{
    ps->err = chats_err_make(ps->pool, code, NULL, "%s", msg);
    return ps->err;
}

/* ---- feeding ---------------------------------------------------------- */

chats_xml_parser_t *chats_xml_parser_create(apr_pool_t *p,
                                            apr_size_t max_bytes)
{
    chats_xml_parser_t *ps = apr_pcalloc(p, sizeof(*ps));

    ps->pool = p;
    ps->max_bytes = max_bytes;
    chats_xml_scan_init(&ps->scan, p);
    ps->xp = apr_xml_parser_create(p);
    return ps;
}

static apr_size_t count_markup(chats_xml_parser_t *ps, const char *data,
                               apr_size_t len)
{
    const char *end = data + len;

    while ((data = memchr(data, '<', end - data)) != NULL) {
        ps->markup++;
        data++;
    }
    return ps->markup;
}

static chats_err_t *expat_error(chats_xml_parser_t *ps)
{
    char buf[200];

    apr_xml_parser_geterror(ps->xp, buf, sizeof(buf));
    ps->err = chats_err_make(ps->pool, CHATS_E_SYNTAX, NULL,
                             "malformed XML: %s", buf);
    return ps->err;
}

chats_err_t *chats_xml_feed(chats_xml_parser_t *ps, const char *data,
                            apr_size_t len)
{
    chats_err_t *e;

    if (ps->err || ps->finished) {
        return ps->err ? ps->err
            : fail(ps, CHATS_E_INTERNAL, "XML parser fed after finish");
    }
    if (ps->max_bytes && len > ps->max_bytes - ps->fed) {
        return fail(ps, CHATS_E_TOO_BIG, apr_psprintf(ps->pool,
                    "the body is over %" APR_SIZE_T_FMT " bytes",
                    ps->max_bytes));
    }
    if ((e = chats_xml_scan_feed(&ps->scan, data, len)) != NULL) {
        return ps->err = e;
    }
    ps->fed += len;
    if (count_markup(ps, data, len) > CHATS_XML_MAX_MARKUP) {
        return fail(ps, CHATS_E_SYNTAX, apr_psprintf(ps->pool,
                    "XML with more than %d tags", CHATS_XML_MAX_MARKUP));
    }
    if (len && apr_xml_parser_feed(ps->xp, data, len) != APR_SUCCESS) {
        return expat_error(ps);
    }
    return NULL;
}

/* ---- the element tree to a document ----------------------------------- */

static int is_space_text(const apr_text *t)
{
    const char *s;

    for (; t; t = t->next) {
        for (s = t->text; *s; s++) {
            if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n') {
                return 0;
            }
        }
    }
    return 1;
}

static chats_doc_t *text_of(apr_pool_t *p, const apr_text *t)
{
    apr_size_t n = 0;
    const apr_text *u;
    char *s, *q;

    for (u = t; u; u = u->next) {
        n += strlen(u->text);
    }
    q = s = apr_palloc(p, n + 1);
    for (u = t; u; u = u->next) {
        apr_size_t k = strlen(u->text);

        memcpy(q, u->text, k);
        q += k;
    }
    *q = '\0';
    return chats_doc_string(p, s, n);
}

/* xsi:nil="true" (or "1"), whatever the prefix. The namespace table
 * holds URIs as apr_xml quoted them: the XSI URI has nothing to quote. */
static int is_nil(const apr_xml_doc *xd, const apr_xml_elem *el)
{
    const apr_xml_attr *a;
    const char *v;
    apr_size_t n;

    for (a = el->attr; a; a = a->next) {
        if (a->ns < 0 || strcmp(a->name, "nil")
            || strcmp(APR_XML_GET_URI_ITEM(xd->namespaces, a->ns),
                      CHATS_XML_XSI_NS)) {
            continue;
        }
        for (v = a->value; apr_isspace(*v); v++) {
        }
        for (n = strlen(v); n && apr_isspace(v[n - 1]); n--) {
        }
        return (n == 4 && !strncmp(v, "true", 4)) || (n == 1 && *v == '1');
    }
    return 0;
}

static chats_err_t *elem_value(chats_xml_parser_t *ps,
                               const apr_xml_doc *xd,
                               const apr_xml_elem *el, chats_doc_t **pv);

/* The children of el as members of a new object. Duplicates are found
 * through chats_doc_object_find, which keys large objects by a seeded
 * hash: no set of names makes this quadratic (issue 8, finding 1). */
static chats_err_t *elem_members(chats_xml_parser_t *ps,
                                 const apr_xml_doc *xd,
                                 const apr_xml_elem *el, chats_doc_t **pobj)
{
    chats_doc_t *obj = chats_doc_object(ps->pool), *v;
    const apr_xml_elem *c;
    chats_err_t *e;

    for (c = el->first_child; c; c = c->next) {
        if (chats_doc_object_len(obj) >= CHATS_MAX_MEMBERS) {
            return chats_err_make(ps->pool, CHATS_E_SYNTAX, el->name,
                                  "element %s has more than %d child "
                                  "elements", el->name, CHATS_MAX_MEMBERS);
        }
        if (chats_doc_object_find(obj, c->name, strlen(c->name), 1) >= 0) {
            return chats_err_make(ps->pool, CHATS_E_INVALID, c->name,
                                  "element %s appears more than once",
                                  c->name);
        }
        if ((e = elem_value(ps, xd, c, &v)) != NULL) {
            return e;
        }
        chats_doc_object_add(obj, c->name, v);
    }
    *pobj = obj;
    return NULL;
}

/* Text beside child elements, or in a nil element, is not ours to drop. */
static int mixed(const apr_xml_elem *el)
{
    const apr_xml_elem *c;

    if (!is_space_text(el->first_cdata.first)) {
        return 1;
    }
    for (c = el->first_child; c; c = c->next) {
        if (!is_space_text(c->following_cdata.first)) {
            return 1;
        }
    }
    return 0;
}

static chats_err_t *elem_value(chats_xml_parser_t *ps,
                               const apr_xml_doc *xd,
                               const apr_xml_elem *el, chats_doc_t **pv)
{
    if (is_nil(xd, el)) {
        if (el->first_child || mixed(el)) {
            return chats_err_make(ps->pool, CHATS_E_INVALID, el->name,
                                  "element %s is xsi:nil but not empty",
                                  el->name);
        }
        *pv = chats_doc_null(ps->pool);
        return NULL;
    }
    if (!el->first_child) {
        *pv = text_of(ps->pool, el->first_cdata.first);
        return NULL;
    }
    if (mixed(el)) {
        return chats_err_make(ps->pool, CHATS_E_INVALID, el->name,
                              "element %s mixes text and elements",
                              el->name);
    }
    return elem_members(ps, xd, el, pv);
}

/* Iterative, so a deep hostile tree is refused before any recursion. */
static int too_deep(const apr_xml_elem *el)
{
    int depth = 1;

    while (el) {
        if (el->first_child) {
            el = el->first_child;
            if (++depth > CHATS_XML_MAX_DEPTH) {
                return 1;
            }
            continue;
        }
        while (el && !el->next) {
            el = el->parent;
            depth--;
        }
        el = el ? el->next : NULL;
    }
    return 0;
}

chats_err_t *chats_xml_finish(chats_xml_parser_t *ps, chats_doc_t **pdoc)
{
    apr_xml_doc *xd = NULL;
    chats_err_t *e;

    if (ps->err || ps->finished) {
        return ps->err ? ps->err
            : fail(ps, CHATS_E_INTERNAL, "XML parser finished twice");
    }
    ps->finished = 1;
    if (!chats_xml_scan_complete(&ps->scan)) {
        return fail(ps, CHATS_E_SYNTAX, "the body is not valid UTF-8");
    }
    if (apr_xml_parser_done(ps->xp, &xd) != APR_SUCCESS || !xd->root) {
        return expat_error(ps);
    }
    if (too_deep(xd->root)) {
        return fail(ps, CHATS_E_SYNTAX, apr_psprintf(ps->pool,
                    "XML nested deeper than %d elements",
                    CHATS_XML_MAX_DEPTH));
    }
    if (is_nil(xd, xd->root) || mixed(xd->root)) {
        return (ps->err = chats_err_make(ps->pool, CHATS_E_INVALID,
                xd->root->name, "the root element %s must hold elements",
                xd->root->name));
    }
    if ((e = elem_members(ps, xd, xd->root, pdoc)) != NULL) {
        return (ps->err = e);
    }
    ps->root_name = xd->root->name;
    return NULL;
}

const char *chats_xml_root_name(const chats_xml_parser_t *ps)
{
    return ps->root_name;
}

chats_err_t *chats_xml_parse(chats_doc_t **pdoc, const char *data,
                             apr_size_t len, apr_size_t max_bytes,
                             apr_pool_t *p)
{
    chats_xml_parser_t *ps = chats_xml_parser_create(p, max_bytes);
    chats_err_t *e = chats_xml_feed(ps, data, len);

    return e ? e : chats_xml_finish(ps, pdoc);
}
