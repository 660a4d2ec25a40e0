/* Streaming XML request bodies: apr_xml (expat underneath) parses each
 * chunk as it arrives; our own byte scan in front of it enforces the size
 * limit, UTF-8, and refuses a DOCTYPE before expat sees it. Core file:
 * APR and apr-util only.
 *
 * Why our own DOCTYPE guard: apr_xml 1.6 stops the parse when an entity
 * is *declared* (XML_SetEntityDeclHandler + XML_StopParser in
 * xml/apr_xml.c), and expat reads no external DTD unless asked; but a
 * DOCTYPE is never needed for an entity body, its parameter entities and
 * external subset are attack surface, and apr_xml's parser is opaque (no
 * handler of ours can be installed). A DOCTYPE can only sit in the
 * prolog, so the scan covers the prolog only and costs nothing after the
 * root start tag. */
#include <string.h>
#include <strings.h>

#include <apr_hash.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_xml.h>

#include "chats_json.h"
#include "chats_xml.h"

#define DECL_MAX  256    /* bytes of the XML declaration we look at */
#define HASH_AT   16     /* members before duplicate checks use a hash */

/* Where the prolog scan is. */
typedef enum {
    PRO_MISC,            /* between prolog items                       */
    PRO_LT,              /* after '<'                                  */
    PRO_BANG,            /* after "<!"                                 */
    PRO_BANG_DASH,       /* after "<!-"                                */
    PRO_COMMENT,         /* inside "<!-- ... -->"                      */
    PRO_PI,              /* inside "<? ... ?>"                         */
    PRO_DONE             /* root start tag (or garbage expat reports)  */
} prolog_e;

struct chats_xml_parser_t {
    apr_pool_t *pool;
    apr_xml_parser *xp;
    apr_size_t max_bytes;
    apr_size_t fed;
    apr_size_t markup;         /* '<' seen */
    chats_err_t *err;          /* sticky: a parser after an error is dead */
    int finished;
    const char *root_name;
    /* UTF-8: the bytes of a sequence split across chunks */
    unsigned char carry[4];
    apr_size_t carry_len;
    /* prolog scan */
    prolog_e pro;
    int pro_seen;              /* anything but a BOM seen yet */
    int dashes;                /* comment: '-' in a row; PI: last was '?' */
    int in_decl;               /* this PI is at offset 0: the XML decl */
    char decl[DECL_MAX + 1];
    apr_size_t decl_len;
};

static chats_err_t *fail(chats_xml_parser_t *ps, chats_ecode_t code,
                         const char *msg)
{
    ps->err = chats_err_make(ps->pool, code, NULL, "%s", msg);
    return ps->err;
}

/* ---- UTF-8 across chunks ---------------------------------------------- */

static apr_size_t seq_len(unsigned char c)
{
    return (c >= 0xF0) ? 4 : (c >= 0xE0) ? 3 : (c >= 0xC0) ? 2 : 1;
}

static int utf8_feed(chats_xml_parser_t *ps, const char *data,
                     apr_size_t len)
{
    const unsigned char *s = (const unsigned char *)data;
    apr_size_t take, cut, k;

    if (ps->carry_len) {
        take = seq_len(ps->carry[0]) - ps->carry_len;
        take = (take < len) ? take : len;
        memcpy(ps->carry + ps->carry_len, s, take);
        ps->carry_len += take;
        s += take;
        len -= take;
        if (ps->carry_len < seq_len(ps->carry[0])) {
            return 1;                    /* still incomplete */
        }
        if (!chats_utf8_valid((const char *)ps->carry, ps->carry_len)) {
            return 0;
        }
        ps->carry_len = 0;
    }
    /* A lead byte among the last three whose sequence runs past the end
     * waits for the next chunk. */
    cut = len;
    for (k = 1; k <= 3 && k <= len; k++) {
        if ((s[len - k] & 0xC0) == 0xC0) {
            if (seq_len(s[len - k]) > k) {
                cut = len - k;
            }
            break;
        }
        if (s[len - k] < 0x80) {
            break;
        }
    }
    if (!chats_utf8_valid((const char *)s, cut)) {
        return 0;
    }
    memcpy(ps->carry, s + cut, len - cut);
    ps->carry_len = len - cut;
    return 1;
}

/* ---- prolog scan ------------------------------------------------------ */

/* The XML declaration may name UTF-8 or its subset US-ASCII only: we
 * checked the bytes as UTF-8, expat must decode them the same way. */
static chats_err_t *check_decl(chats_xml_parser_t *ps)
{
    const char *e, *v;
    apr_size_t n;
    char q;

    ps->decl[ps->decl_len] = '\0';
    if (strncmp(ps->decl, "xml", 3) || !apr_isspace(ps->decl[3])
        || (e = strstr(ps->decl, "encoding")) == NULL) {
        return NULL;                     /* no encoding: UTF-8 */
    }
    for (e += 8; apr_isspace(*e) || *e == '='; e++) {
    }
    q = *e++;
    v = e;
    for (n = 0; v[n] && v[n] != q; n++) {
    }
    if ((q == '"' || q == '\'')
        && ((n == 5 && !strncasecmp(v, "utf-8", 5))
            || (n == 8 && !strncasecmp(v, "us-ascii", 8)))) {
        return NULL;
    }
    return fail(ps, CHATS_E_SYNTAX, "the XML declaration names an encoding "
                "other than UTF-8; only UTF-8 bodies are accepted");
}

static chats_err_t *prolog_misc(chats_xml_parser_t *ps, unsigned char c)
{
    static const unsigned char bom[3] = { 0xEF, 0xBB, 0xBF };

    if (!ps->pro_seen && ps->fed < 3 && c == bom[ps->fed]) {
        return NULL;                     /* a UTF-8 byte order mark */
    }
    if (c == '<') {
        ps->in_decl = !ps->pro_seen;
        ps->pro = PRO_LT;
    }
    else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
        ps->pro = PRO_DONE;              /* malformed: expat says so */
    }
    ps->pro_seen = 1;
    return NULL;
}

static chats_err_t *prolog_byte(chats_xml_parser_t *ps, unsigned char c)
{
    switch (ps->pro) {
    case PRO_MISC:
        return prolog_misc(ps, c);
    case PRO_LT:
        ps->pro = (c == '!') ? PRO_BANG : (c == '?') ? PRO_PI : PRO_DONE;
        ps->dashes = 0;
        ps->decl_len = 0;
        break;
    case PRO_BANG:
        if (c != '-') {                  /* <!DOCTYPE (or garbage) */
            return fail(ps, CHATS_E_SYNTAX, "a DOCTYPE (DTD, entity "
                        "declarations) is not accepted in a request body");
        }
        ps->pro = PRO_BANG_DASH;
        break;
    case PRO_BANG_DASH:
        ps->pro = (c == '-') ? PRO_COMMENT : PRO_DONE;
        break;
    case PRO_COMMENT:
        if (c == '>' && ps->dashes >= 2) {
            ps->pro = PRO_MISC;
        }
        ps->dashes = (c == '-') ? ps->dashes + 1 : 0;
        break;
    case PRO_PI:
        if (c == '>' && ps->dashes) {
            ps->pro = PRO_MISC;
            if (ps->in_decl && ps->decl_len) {
                ps->decl_len--;          /* drop the '?' */
                return check_decl(ps);
            }
            break;
        }
        ps->dashes = (c == '?');
        if (ps->in_decl && ps->decl_len < DECL_MAX) {
            ps->decl[ps->decl_len++] = (char)c;
        }
        break;
    case PRO_DONE:
        break;
    }
    return NULL;
}

/* ---- feeding ---------------------------------------------------------- */

chats_xml_parser_t *chats_xml_parser_create(apr_pool_t *p,
                                            apr_size_t max_bytes)
{
    chats_xml_parser_t *ps = apr_pcalloc(p, sizeof(*ps));

    ps->pool = p;
    ps->max_bytes = max_bytes;
    ps->pro = PRO_MISC;
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
    apr_size_t i;
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
    if (!utf8_feed(ps, data, len)) {
        return fail(ps, CHATS_E_SYNTAX, "the body is not valid UTF-8");
    }
    for (i = 0; i < len && ps->pro != PRO_DONE; i++, ps->fed++) {
        if ((e = prolog_byte(ps, (unsigned char)data[i])) != NULL) {
            return e;
        }
    }
    ps->fed += len - i;
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

static char *fold(apr_pool_t *p, const char *s)
{
    char *f = apr_pstrdup(p, s), *c;

    for (c = f; *c; c++) {
        *c = (char)apr_tolower(*c);
    }
    return f;
}

static chats_err_t *elem_value(chats_xml_parser_t *ps,
                               const apr_xml_doc *xd,
                               const apr_xml_elem *el, chats_doc_t **pv);

/* The children of el as members of a new object. */
static chats_err_t *elem_members(chats_xml_parser_t *ps,
                                 const apr_xml_doc *xd,
                                 const apr_xml_elem *el, chats_doc_t **pobj)
{
    chats_doc_t *obj = chats_doc_object(ps->pool), *v;
    apr_hash_t *names = NULL;
    const apr_xml_elem *c;
    chats_err_t *e;
    int n = 0, dup;

    for (c = el->first_child; c; c = c->next, n++) {
        if (n == HASH_AT) {              /* many members: index them */
            int i;

            names = apr_hash_make(ps->pool);
            for (i = 0; i < n; i++) {
                apr_hash_set(names, fold(ps->pool,
                             chats_doc_object_at(obj, i)->name),
                             APR_HASH_KEY_STRING, "");
            }
        }
        if (names) {
            const char *f = fold(ps->pool, c->name);

            dup = apr_hash_get(names, f, APR_HASH_KEY_STRING) != NULL;
            apr_hash_set(names, f, APR_HASH_KEY_STRING, "");
        }
        else {
            dup = chats_doc_object_find(obj, c->name, strlen(c->name), 1) >= 0;
        }
        if (dup) {
            return chats_err_make(ps->pool, CHATS_E_INVALID, c->name,
                                  "element %s appears more than once",
                                  c->name);
        }
        if ((e = elem_value(ps, xd, c, &v)) != NULL) {
            return e;
        }
        chats_doc_object_set(obj, c->name, strlen(c->name), v, 0, ps->pool);
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
    if (ps->carry_len) {
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
