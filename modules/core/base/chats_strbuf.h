/* A string growing in a pool, always NUL-terminated: what the XML writer
 * and the transcripts build their answers in. Core. */
#ifndef CHATS_STRBUF_H
#define CHATS_STRBUF_H

#include <apr_pools.h>
#include <string.h>

typedef struct {
    apr_pool_t *p;
    char *buf;
    apr_size_t len;
    apr_size_t cap;
} chats_strbuf_t;

static inline void chats_strbuf_init(chats_strbuf_t *b, apr_pool_t *p,
                                     apr_size_t cap)
{
    b->p = p;
    b->cap = cap ? cap : 1;
    b->len = 0;
    b->buf = apr_palloc(p, b->cap);
    b->buf[0] = '\0';
}

/* Amortized doubling; always leaves room for the terminating NUL. */
static inline void chats_strbuf_add(chats_strbuf_t *b, const char *s,
                                    apr_size_t n)
{
    if (b->len + n + 1 > b->cap) {
        apr_size_t cap = b->cap * 2;
        char *nb;

        while (cap < b->len + n + 1) {
            cap *= 2;
        }
        nb = apr_palloc(b->p, cap);
        memcpy(nb, b->buf, b->len);
        b->buf = nb;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

static inline void chats_strbuf_puts(chats_strbuf_t *b, const char *s)
{
    chats_strbuf_add(b, s, strlen(s));
}

#endif
