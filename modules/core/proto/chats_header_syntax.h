/* The grammar of request header values we parse in more than one place
 * (RFC 9110 qvalues, BCP 47 language tags), without the C locale. Core
 * header: APR only. */
#ifndef CHATS_HEADER_SYNTAX_H
#define CHATS_HEADER_SYNTAX_H

/** An RFC 9110 qvalue ("0.5", "1", "0.125") in thousandths (0..1000),
 * or -1 if malformed; no locale, unlike atof. */
int chats_qvalue_parse(const char *s);

/** 1 if s is a language tag as we accept it ("en", "nb-NO"): subtags of
 * 1-8 letters or digits joined by "-", the first of letters only. */
int chats_lang_tag_is_valid(const char *s);

#endif
