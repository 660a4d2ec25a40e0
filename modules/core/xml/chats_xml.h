/* The XML representation (spec superoffice-chatsession.md §6): a
 * chats_doc_t rendered as XML, and XML request bodies read into a
 * chats_doc_t with the same streaming API as chats_json.h. Core header:
 * APR and apr-util only.
 *
 * Shape (the .NET DataContract / XmlSerializer conventions, spec §6 leaves
 * them undocumented):
 *   - one element per object member, named after it, in member order;
 *     objects nest; no namespace on elements;
 *   - null = empty element with xsi:nil="true" (xmlns:xsi declared on the
 *     root element);
 *   - booleans "true"/"false", numbers their JSON text, strings escaped;
 *   - an array = its member element holding one <Item> per value.
 * Reading accepts any element namespace and any prefix bound to the
 * XMLSchema-instance namespace for nil. */
#ifndef CHATS_XML_H
#define CHATS_XML_H

#include "chats_doc.h"
#include "chats_err.h"

/** The XMLSchema-instance namespace (xsi:nil). */
#define CHATS_XML_XSI_NS "http://www.w3.org/2001/XMLSchema-instance"

/** Element name of array items. */
#define CHATS_XML_ITEM "Item"

/** Deepest element nesting a request body may have. */
#define CHATS_XML_MAX_DEPTH 64

/** Most elements a request body may hold (an entity has about 150 with
 * every carrier filled). */
#define CHATS_XML_MAX_ELEMENTS 10000

/** Most attributes on one element (namespace declarations included). */
#define CHATS_XML_MAX_ATTRS 32

/** Most namespace declarations (xmlns, xmlns:p) in a request body: apr_xml
 * searches them all for each element and prefixed attribute. */
#define CHATS_XML_MAX_NSDECLS 256

/** Most '<' a request body may hold (tags, comments, PIs, CDATA; as
 * chats_body's max_values for JSON): bounds apr_xml's tree, which costs
 * far more than the bytes it is built from. */
#define CHATS_XML_MAX_MARKUP 100000

/* ---- rendering (chats_xml.c) ------------------------------------------ */

/** Render doc as a UTF-8 XML document (with an XML declaration) whose
 * root element is named root and holds doc's members (doc an object) or
 * doc's value (any other type). Names that are not plain ASCII XML names
 * ([A-Za-z_][A-Za-z0-9_.-]*) are encoded much as .NET's
 * XmlConvert.EncodeLocalName does: each offending character as _xHHHH_
 * (_xHHHHHHHH_ above U+FFFF; an invalid UTF-8 byte as _xFFFD_), and a '_'
 * followed by 'x' as _x005F_ (so the encoding is reversible; we do not
 * decode names when reading). In text, & < > are escaped, CR as &#13; (so
 * it survives end-of-line normalisation); characters XML 1.0 forbids (C0
 * controls but tab/LF/CR, U+FFFE, U+FFFF) and invalid UTF-8 bytes become
 * U+FFFD, as no character reference can carry them. Result is
 * NUL-terminated in p, or NULL when doc nests deeper than 128. */
const char *chats_xml_render(apr_pool_t *p, const char *root,
                             const chats_doc_t *doc);

/** Escape (s, len) as XML character data into p (attr = 1: also quotes,
 * tab and LF as references, for an attribute value in either quotes).
 * Same replacement of forbidden characters as chats_xml_render. */
const char *chats_xml_escape(apr_pool_t *p, const char *s, apr_size_t len,
                             int attr);

/** Encode a member name as an XML element name (see chats_xml_render);
 * an empty name becomes "_". */
const char *chats_xml_name(apr_pool_t *p, const char *name, apr_size_t len);

/* ---- reading (chats_xml_parse.c) -------------------------------------- */

typedef struct chats_xml_parser_t chats_xml_parser_t;

/** Create a parser in p (apr_xml/expat, freed by a cleanup on p).
 * max_bytes bounds the body (0 = unlimited). */
chats_xml_parser_t *chats_xml_parser_create(apr_pool_t *p,
                                            apr_size_t max_bytes);

/** Feed the next chunk. Checked as bytes arrive: the size limit
 * (CHATS_E_TOO_BIG), UTF-8 validity (a UTF-8 BOM is allowed; NUL bytes,
 * so UTF-16 and UTF-32 with or without a BOM, are not), an XML
 * declaration naming another encoding than UTF-8 or US-ASCII (however
 * long the declaration), any DOCTYPE (refused outright, so no DTD is read
 * and no entity is declared), more than CHATS_XML_MAX_MARKUP '<',
 * CHATS_XML_MAX_ELEMENTS elements, CHATS_XML_MAX_ATTRS attributes on an
 * element or CHATS_XML_MAX_NSDECLS namespace declarations (all
 * CHATS_E_SYNTAX, the message naming the limit); expat's
 * well-formedness errors are CHATS_E_SYNTAX too (apr_xml gives no line
 * number). After an error the parser is dead. */
chats_err_t *chats_xml_feed(chats_xml_parser_t *ps, const char *data,
                            apr_size_t len);

/** Signal end of input; on success *pdoc is an OBJECT whose members are
 * the root element's children (in document order), each:
 *   - xsi:nil="true" (or "1")      -> null (the element must be empty);
 *   - has child elements            -> OBJECT of them (whitespace between
 *                                      them ignored; other text is
 *                                      CHATS_E_INVALID);
 *   - otherwise                     -> STRING of its text, as is ("" for
 *                                      an empty element).
 * Comments, processing instructions and attributes other than xsi:nil
 * are ignored; element namespaces are ignored. Two children whose names
 * are equal ignoring ASCII case, or text directly in the root, are
 * CHATS_E_INVALID (field = the name); nesting deeper than
 * CHATS_XML_MAX_DEPTH, an element with more than CHATS_MAX_MEMBERS
 * children (field = its name), and malformed or empty input are
 * CHATS_E_SYNTAX. */
chats_err_t *chats_xml_finish(chats_xml_parser_t *ps, chats_doc_t **pdoc);

/** The local name of the root element, after a successful finish (NULL
 * before). The caller may check it (we accept any). */
const char *chats_xml_root_name(const chats_xml_parser_t *ps);

/** Parse a whole buffer (tests). */
chats_err_t *chats_xml_parse(chats_doc_t **pdoc, const char *data,
                             apr_size_t len, apr_size_t max_bytes,
                             apr_pool_t *p);

#endif
