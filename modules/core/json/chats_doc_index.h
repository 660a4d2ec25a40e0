/* The member index of large objects (chats_doc_index.c). Private to
 * chats_doc.c. Core header: APR only. */
#ifndef CHATS_DOC_INDEX_H
#define CHATS_DOC_INDEX_H

#include "chats_doc.h"

/** Objects with fewer members are searched by a linear scan, which costs
 * less than an index for the small objects of real bodies. */
#define CHATS_DOC_INDEX_AT 16

/** Index of the member named (name, len) in o as chats_doc_object_find
 * defines it, through o's index, which is made or brought up to date
 * (members appended since) first. The index is a cache: o is logically
 * unchanged. */
int chats_doc_index_find(const chats_doc_t *o, const char *name,
                         apr_size_t len, int casei);

#endif
