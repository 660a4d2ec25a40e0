/* The $filter / $orderBy lexer: tokens with their positions, so that
 * every error can name where it is and what it saw. Core: APR only. */
#include <stdarg.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "chats_doc.h"
#include "chats_filter.h"
#include "chats_filter_private.h"
#include "chats_json.h"
#include "chats_name.h"

/* Characters, not bytes: what a person counts in the URL they wrote. */
static apr_size_t position(const chats_flex_t *lx, apr_size_t at)
{
    return chats_utf8_chars(lx->s, at) + 1;
}

chats_err_t *chats_flex_err(const chats_flex_t *lx, apr_size_t at,
                            const char *fmt, ...)
{
    va_list ap;
    const char *msg;

    va_start(ap, fmt);
    msg = apr_pvsprintf(lx->p, fmt, ap);
    va_end(ap);
    return chats_err_make(lx->p, CHATS_E_INVALID, lx->what, "%s: at %lu, %s",
                          lx->what, (unsigned long)position(lx, at), msg);
}

const char *chats_flex_show(const chats_flex_t *lx, const chats_ftok_t *t)
{
    apr_size_t n = t->len;
    /* a string shows as written, in its own quotes */
    const char *q = t->kind == CHATS_FT_STRING ? "" : "'";

    if (n <= 40) {
        return apr_psprintf(lx->p, "%s%.*s%s", q, (int)n, lx->s + t->at, q);
    }
    /* Cut at a character boundary: the message must stay UTF-8. */
    for (n = 40; n > 0 && ((unsigned char)lx->s[t->at + n] & 0xC0) == 0x80;
         n--) {
    }
    return apr_psprintf(lx->p, "%s%.*s...%s", q, (int)n, lx->s + t->at, q);
}

chats_err_t *chats_flex_unexpected(const chats_flex_t *lx,
                                   const char *expected)
{
    const char *seen = lx->tok.kind == CHATS_FT_END
        ? "unexpected end" : apr_pstrcat(lx->p, "unexpected ",
                                         chats_flex_show(lx, &lx->tok), NULL);

    if (expected) {
        return chats_flex_err(lx, lx->tok.at, "%s, expected %s", seen,
                              expected);
    }
    return chats_flex_err(lx, lx->tok.at, "%s", seen);
}

int chats_flex_is(const chats_flex_t *lx, const char *kw)
{
    return lx->tok.kind == CHATS_FT_NAME
        && chats_name_eq(lx->tok.text, lx->tok.tlen, kw, strlen(kw), 1);
}

/* The first byte offset at which s stops being UTF-8, for the error:
 * each character is the shortest prefix the validator accepts. */
static apr_size_t utf8_bad_at(const char *s, apr_size_t len)
{
    apr_size_t at = 0, k;

    while (at < len) {
        for (k = 1; k <= 4 && at + k <= len; k++) {
            if (chats_utf8_valid(s + at, k)) {
                break;
            }
        }
        if (k > 4 || at + k > len) {
            return at;
        }
        at += k;
    }
    return at;
}

chats_err_t *chats_flex_init(chats_flex_t *lx, apr_pool_t *p,
                             const char *what, const char *s)
{
    lx->p = p;
    lx->what = what;
    lx->s = s;
    lx->len = strlen(s);
    lx->at = 0;
    if (lx->len > CHATS_FILTER_MAX_LEN) {
        return chats_err_make(p, CHATS_E_INVALID, what,
                              "%s: longer than %d bytes", what,
                              CHATS_FILTER_MAX_LEN);
    }
    if (!chats_utf8_valid(s, lx->len)) {
        apr_size_t bad = utf8_bad_at(s, lx->len);

        /* position() counts characters, so only over the valid prefix */
        lx->len = bad;
        return chats_flex_err(lx, bad, "invalid UTF-8");
    }
    return chats_flex_next(lx);
}

/* A quoted string from lx->at (the opening quote): '' is one quote. */
static chats_err_t *lex_string(chats_flex_t *lx)
{
    char *out = apr_palloc(lx->p, lx->len - lx->at);
    apr_size_t i = lx->at + 1, n = 0;

    for (;;) {
        if (i >= lx->len) {
            return chats_flex_err(lx, lx->at, "unterminated string");
        }
        if (lx->s[i] == '\'') {
            if (i + 1 < lx->len && lx->s[i + 1] == '\'') {
                out[n++] = '\'';
                i += 2;
                continue;
            }
            break;
        }
        out[n++] = lx->s[i++];
    }
    out[n] = '\0';
    lx->tok.kind = CHATS_FT_STRING;
    lx->tok.text = out;
    lx->tok.tlen = n;
    lx->tok.len = i + 1 - lx->at;
    return NULL;
}

static int name_char(char c)
{
    return apr_isalnum(c) || c == '_';
}

/* A number-like run: digits, letters and the punctuation of decimals and
 * date-times (2024-03-01T10:00:00.5+01:00); typed by the field later. */
static int number_char(char c)
{
    return apr_isalnum(c) || c == '.' || c == ':' || c == '+' || c == '-';
}

chats_err_t *chats_flex_next(chats_flex_t *lx)
{
    const char *s = lx->s;
    apr_size_t i;
    char c;

    while (lx->at < lx->len && apr_isspace(s[lx->at])) {
        lx->at++;
    }
    lx->tok.at = i = lx->at;
    lx->tok.len = 1;
    if (i >= lx->len) {
        lx->tok.kind = CHATS_FT_END;
        lx->tok.len = 0;
        lx->tok.text = "";
        lx->tok.tlen = 0;
        return NULL;
    }
    c = s[i];
    if (c == '\'') {
        chats_err_t *e = lex_string(lx);

        lx->at += lx->tok.len;
        return e;
    }
    if (apr_isdigit(c) || (c == '-' && i + 1 < lx->len
                           && apr_isdigit(s[i + 1]))) {
        for (i++; i < lx->len && number_char(s[i]); i++) {
        }
        lx->tok.kind = CHATS_FT_NUMBER;
    }
    else if (apr_isalpha(c) || c == '_') {
        /* a name, or Carrier/Member */
        for (i++; i < lx->len && (name_char(s[i])
                                  || (s[i] == '/' && i + 1 < lx->len
                                      && (apr_isalpha(s[i + 1])
                                          || s[i + 1] == '_'))); i++) {
        }
        lx->tok.kind = CHATS_FT_NAME;
    }
    else {
        lx->tok.kind = c == '(' ? CHATS_FT_LPAREN : c == ')' ? CHATS_FT_RPAREN
                     : c == ',' ? CHATS_FT_COMMA : CHATS_FT_BAD;
        /* a bad byte shows as its whole character */
        for (i++; i < lx->len && ((unsigned char)s[i] & 0xC0) == 0x80; i++) {
        }
    }
    lx->tok.len = i - lx->tok.at;
    lx->tok.text = apr_pstrmemdup(lx->p, s + lx->tok.at, lx->tok.len);
    lx->tok.tlen = lx->tok.len;
    lx->at = i;
    return NULL;
}
