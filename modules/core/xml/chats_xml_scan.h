/* The byte scan in front of expat (chats_xml_scan.c): UTF-8, the body's
 * encoding, DOCTYPEs, and the counts of elements, attributes and
 * namespace declarations, checked as chunks arrive. Private to
 * chats_xml_parse.c. Core header: APR only. */
#ifndef CHATS_XML_SCAN_H
#define CHATS_XML_SCAN_H

#include "chats_err.h"

#define CHATS_XML_ENC_MAX 16   /* longest encoding name we compare */

/* Where the scan is in the markup. */
typedef enum {
    LX_TEXT,             /* character data, or between prolog items      */
    LX_LT,               /* after '<'                                    */
    LX_BANG,             /* after "<!"                                   */
    LX_BANG_DASH,        /* after "<!-"                                  */
    LX_COMMENT,          /* inside "<!-- ... -->"                        */
    LX_CDATA,            /* inside "<![CDATA[ ... ]]>"                   */
    LX_PI,               /* inside "<? ... ?>"                           */
    LX_ETAG,             /* inside "</ ... >"                            */
    LX_STAG_NAME,        /* a start tag's element name                   */
    LX_STAG,             /* a start tag, between attributes              */
    LX_ANAME,            /* an attribute's name                          */
    LX_AEQ,              /* after an attribute's name, before its quote  */
    LX_AVAL              /* inside an attribute value (quote in lx_q)    */
} chats_xml_lex_e;

/* The XML declaration's encoding pseudo-attribute, found by a window on
 * the declaration's last bytes: the declaration is not buffered, so
 * padding cannot push the encoding out of sight. */
typedef enum { ENC_SCAN, ENC_EQ, ENC_QUOTE, ENC_VALUE, ENC_DONE } chats_xml_enc_e;

typedef struct {
    apr_pool_t *pool;
    /* UTF-8: the bytes of a sequence split across chunks */
    unsigned char carry[4];
    apr_size_t carry_len;
    /* markup scan */
    chats_xml_lex_e lx;
    char lx_q;                 /* AVAL: the quote that ends the value */
    int started;               /* anything but a BOM seen yet */
    int bom_at;                /* bytes of a UTF-8 BOM seen */
    int first_lt;              /* the body's first byte was '<' */
    int root_seen;             /* a start tag seen: the prolog is over */
    int dashes;                /* comment: '-' in a row; PI: last was '?';
                                  CDATA: ']' in a row */
    int elements;
    int attrs;                 /* of the current start tag */
    int nsdecls;
    char aname[6];             /* an attribute name's first bytes */
    apr_size_t aname_len;
    /* the XML declaration */
    int in_decl;
    int decl_at;               /* bytes of the declaration seen */
    chats_xml_enc_e enc;
    char win[8];               /* ENC_SCAN: the last 8 bytes */
    char encv[CHATS_XML_ENC_MAX];
    apr_size_t encv_len;
} chats_xml_scan_t;

/** Start a scan whose errors are made in p. */
void chats_xml_scan_init(chats_xml_scan_t *sc, apr_pool_t *p);

/** Scan the next chunk. CHATS_E_SYNTAX, the message saying what is
 * wrong: not UTF-8 (invalid sequences, NUL bytes, UTF-16/32 byte order
 * marks), an XML declaration naming another encoding, a DOCTYPE, more
 * than CHATS_XML_MAX_ELEMENTS elements, CHATS_XML_MAX_ATTRS attributes on
 * one element or CHATS_XML_MAX_NSDECLS namespace declarations. */
chats_err_t *chats_xml_scan_feed(chats_xml_scan_t *sc, const char *data,
                                 apr_size_t len);

/** At the end of the body: 0 if a UTF-8 sequence was left unfinished. */
int chats_xml_scan_complete(const chats_xml_scan_t *sc);

#endif
