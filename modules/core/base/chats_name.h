/* Names as the API compares them: member names, field names, keywords.
 * Below the document (chats_doc.c) and its member index
 * (chats_doc_index.c), which both look names up this way. Core header:
 * APR only. */
#ifndef CHATS_NAME_H
#define CHATS_NAME_H

#include <apr.h>

/** 1 if names (a, alen) and (b, blen) are equal; casei folds ASCII
 * letters only (bytes >= 0x80 compare exactly, whatever the locale). */
int chats_name_eq(const char *a, apr_size_t alen, const char *b,
                  apr_size_t blen, int casei);

#endif
