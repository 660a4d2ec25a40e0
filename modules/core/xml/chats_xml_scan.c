/* The byte scan in front of expat: see chats_xml_parse.c for why, and
 * chats_xml_scan.h for what it checks. A state machine over the markup
 * that costs a few operations per byte (memchr skips text and attribute
 * values) and keeps no more than a few bytes between chunks. Core file:
 * APR only. */
#include <string.h>
#include <strings.h>

#include <apr_strings.h>

#include "chats_json.h"
#include "chats_xml.h"
#include "chats_xml_scan.h"

static chats_err_t *fail(chats_xml_scan_t *ps, chats_ecode_t code,
                         const char *msg)
{
    return chats_err_make(ps->pool, code, NULL, "%s", msg);
}

/* ---- UTF-8 across chunks ---------------------------------------------- */

static apr_size_t seq_len(unsigned char c)
{
    return (c >= 0xF0) ? 4 : (c >= 0xE0) ? 3 : (c >= 0xC0) ? 2 : 1;
}

static int utf8_feed(chats_xml_scan_t *ps, const char *data,
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

/* ---- the XML declaration's encoding ----------------------------------- */

static chats_err_t *check_encoding(chats_xml_scan_t *ps)
{
    apr_size_t n = ps->encv_len;

    if ((n == 5 && !strncasecmp(ps->encv, "utf-8", 5))
        || (n == 8 && !strncasecmp(ps->encv, "us-ascii", 8))) {
        return NULL;
    }
    return fail(ps, CHATS_E_SYNTAX, "the XML declaration names an encoding "
                "other than UTF-8; only UTF-8 bodies are accepted");
}

static chats_err_t *decl_byte(chats_xml_scan_t *ps, char c)
{
    int sp = (c == ' ' || c == '\t' || c == '\r' || c == '\n');

    if (ps->decl_at < 4) {
        /* "<?xml " is the declaration; other PIs ("<?xml-x", "<?foo")
         * are not, and their text is not looked at. */
        if (ps->decl_at < 3 ? c != "xml"[ps->decl_at] : !sp) {
            ps->in_decl = 0;
        }
        ps->decl_at++;
        return NULL;
    }
    switch (ps->enc) {
    case ENC_SCAN:
        memmove(ps->win, ps->win + 1, sizeof(ps->win) - 1);
        ps->win[sizeof(ps->win) - 1] = c;
        if (!memcmp(ps->win, "encoding", 8)) {
            ps->enc = ENC_EQ;
        }
        break;
    case ENC_EQ:
        ps->enc = (c == '=') ? ENC_QUOTE : sp ? ENC_EQ : ENC_SCAN;
        break;
    case ENC_QUOTE:
        if (c == '"' || c == '\'') {
            ps->lx_q = c;
            ps->enc = ENC_VALUE;
        }
        else if (!sp) {
            ps->enc = ENC_SCAN;
        }
        break;
    case ENC_VALUE:
        if (c == ps->lx_q) {
            ps->enc = ENC_DONE;
            return check_encoding(ps);
        }
        if (ps->encv_len == CHATS_XML_ENC_MAX) {
            return check_encoding(ps);   /* too long to be UTF-8 */
        }
        ps->encv[ps->encv_len++] = c;
        break;
    case ENC_DONE:
        break;
    }
    return NULL;
}

/* ---- the markup scan --------------------------------------------------- */

static chats_err_t *limit(chats_xml_scan_t *ps, const char *what, int max)
{
    return fail(ps, CHATS_E_SYNTAX, apr_psprintf(ps->pool,
                "XML with more than %d %s", max, what));
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The end of an attribute's name: count it, and namespace declarations
 * (xmlns, xmlns:p) apart. */
static chats_err_t *attr_named(chats_xml_scan_t *ps)
{
    if ((ps->aname_len == 5 && !memcmp(ps->aname, "xmlns", 5))
        || (ps->aname_len > 5 && !memcmp(ps->aname, "xmlns:", 6))) {
        if (++ps->nsdecls > CHATS_XML_MAX_NSDECLS) {
            return limit(ps, "namespace declarations",
                         CHATS_XML_MAX_NSDECLS);
        }
    }
    ps->lx = LX_AEQ;
    return NULL;
}

static chats_err_t *lex_lt(chats_xml_scan_t *ps, char c)
{
    ps->dashes = 0;
    ps->in_decl = 0;
    if (c == '!') {
        ps->lx = LX_BANG;
    }
    else if (c == '?') {
        ps->lx = LX_PI;
        ps->in_decl = ps->first_lt;      /* "<?" at the start only */
        ps->decl_at = 0;
    }
    else if (c == '/') {
        ps->lx = LX_ETAG;
    }
    else {
        ps->root_seen = 1;
        ps->lx = LX_STAG_NAME;
        ps->attrs = 0;
        if (++ps->elements > CHATS_XML_MAX_ELEMENTS) {
            return limit(ps, "elements", CHATS_XML_MAX_ELEMENTS);
        }
    }
    return NULL;
}

static chats_err_t *lex_tag(chats_xml_scan_t *ps, char c)
{
    switch (ps->lx) {
    case LX_STAG_NAME:
        ps->lx = (c == '>') ? LX_TEXT : is_space(c) ? LX_STAG : LX_STAG_NAME;
        break;
    case LX_STAG:
        if (c == '>') {
            ps->lx = LX_TEXT;
        }
        else if (!is_space(c) && c != '/') {
            if (++ps->attrs > CHATS_XML_MAX_ATTRS) {
                return limit(ps, "attributes on an element",
                             CHATS_XML_MAX_ATTRS);
            }
            ps->aname[0] = c;
            ps->aname_len = 1;
            ps->lx = LX_ANAME;
        }
        break;
    case LX_ANAME:
        if (c == '=' || is_space(c)) {
            return attr_named(ps);       /* LX_AEQ takes the rest */
        }
        if (ps->aname_len < sizeof(ps->aname)) {
            ps->aname[ps->aname_len] = c;
        }
        ps->aname_len++;
        break;
    case LX_AEQ:
        if (c == '"' || c == '\'') {
            ps->lx_q = c;
            ps->lx = LX_AVAL;
        }
        else if (!is_space(c) && c != '=') {
            ps->lx = LX_STAG;            /* malformed: expat says so */
        }
        break;
    case LX_AVAL:
        if (c == ps->lx_q) {
            ps->lx = LX_STAG;
        }
        break;
    default:
        break;
    }
    return NULL;
}

static chats_err_t *lex_byte(chats_xml_scan_t *ps, char c)
{
    switch (ps->lx) {
    case LX_TEXT:
        if (c == '<') {
            ps->lx = LX_LT;
        }
        break;
    case LX_LT:
        return lex_lt(ps, c);
    case LX_BANG:
        if (c == '[' && ps->root_seen) {
            ps->lx = LX_CDATA;
        }
        else if (c == '-') {
            ps->lx = LX_BANG_DASH;
        }
        else {                           /* <!DOCTYPE (or garbage) */
            return fail(ps, CHATS_E_SYNTAX, "a DOCTYPE (DTD, entity "
                        "declarations) is not accepted in a request body");
        }
        break;
    case LX_BANG_DASH:
        ps->lx = (c == '-') ? LX_COMMENT : LX_TEXT;  /* else expat refuses */
        break;
    case LX_COMMENT:
    case LX_CDATA:
        if (c == '>' && ps->dashes >= 2) {
            ps->lx = LX_TEXT;
        }
        ps->dashes = (c == (ps->lx == LX_COMMENT ? '-' : ']'))
                     ? ps->dashes + 1 : 0;
        break;
    case LX_PI:
        if (c == '>' && ps->dashes) {
            ps->lx = LX_TEXT;
            ps->in_decl = 0;
            break;
        }
        ps->dashes = (c == '?');
        return ps->in_decl ? decl_byte(ps, c) : NULL;
    case LX_ETAG:
        if (c == '>') {
            ps->lx = LX_TEXT;
        }
        break;
    default:
        return lex_tag(ps, c);
    }
    return NULL;
}

/* Before any markup: a UTF-8 BOM is fine (expat skips it); the BOMs of
 * UTF-16 and UTF-32 are not valid UTF-8, but say what they are. */
static chats_err_t *lex_start(chats_xml_scan_t *ps, unsigned char c)
{
    static const unsigned char bom[3] = { 0xEF, 0xBB, 0xBF };

    if (ps->bom_at < 3 && c == bom[ps->bom_at]) {
        ps->bom_at++;
        return NULL;
    }
    if (ps->bom_at == 0 && (c == 0xFE || c == 0xFF)) {
        return fail(ps, CHATS_E_SYNTAX, "the body is UTF-16 or UTF-32 (a "
                    "byte order mark); only UTF-8 bodies are accepted");
    }
    ps->started = 1;
    ps->first_lt = (c == '<');
    return NULL;
}

static chats_err_t *lex(chats_xml_scan_t *ps, const char *data,
                        apr_size_t len)
{
    const char *end = data + len, *s;
    chats_err_t *e;

    if (memchr(data, '\0', len)) {
        /* XML has no U+0000; UTF-16 and UTF-32 have NULs around ASCII. */
        return fail(ps, CHATS_E_SYNTAX, "the body holds a NUL byte: it is "
                    "not UTF-8 (UTF-16 or UTF-32?); only UTF-8 bodies are "
                    "accepted");
    }
    for (s = data; s < end; s++) {
        if (!ps->started) {
            if ((e = lex_start(ps, (unsigned char)*s)) != NULL) {
                return e;
            }
            if (!ps->started) {
                continue;                /* a BOM byte */
            }
        }
        if (ps->lx == LX_TEXT || ps->lx == LX_AVAL) {
            /* Skip to the next byte that matters. */
            s = memchr(s, ps->lx == LX_TEXT ? '<' : ps->lx_q,
                       (apr_size_t)(end - s));
            if (!s) {
                break;
            }
        }
        if ((e = lex_byte(ps, *s)) != NULL) {
            return e;
        }
    }
    return NULL;
}

void chats_xml_scan_init(chats_xml_scan_t *sc, apr_pool_t *p)
{
    memset(sc, 0, sizeof(*sc));
    sc->pool = p;
    sc->lx = LX_TEXT;
}

chats_err_t *chats_xml_scan_feed(chats_xml_scan_t *sc, const char *data,
                                 apr_size_t len)
{
    chats_err_t *e = lex(sc, data, len);

    if (!e && !utf8_feed(sc, data, len)) {
        e = fail(sc, CHATS_E_SYNTAX, "the body is not valid UTF-8");
    }
    return e;
}

int chats_xml_scan_complete(const chats_xml_scan_t *sc)
{
    return sc->carry_len == 0;
}
