/* Transcripts of a chat (GetChatTranscript): the messages as text lines
 * or as an HTML fragment. HTML escapes every value it interpolates: the
 * texts are the customers' and the agents' own words, and a transcript
 * ends up pasted into mails and web pages. Core. */
#include <apr_strings.h>
#include <stdlib.h>
#include <string.h>

#include "chats_message_schema.h"
#include "chats_strbuf.h"
#include "chats_transcript.h"

/* Escape into b; br: line breaks (LF, CRLF, lone CR) as <br>. */
static void sb_escape(chats_strbuf_t *b, const char *s, apr_size_t len, int br)
{
    const char *end = s + len, *run = s;

    for (; s < end; s++) {
        const char *ent = NULL;

        switch (*s) {
        case '&':  ent = "&amp;";  break;
        case '<':  ent = "&lt;";   break;
        case '>':  ent = "&gt;";   break;
        case '"':  ent = "&quot;"; break;
        case '\'': ent = "&#39;";  break;
        case '\r':
            if (!br) {
                continue;
            }
            if (s + 1 < end && s[1] == '\n') {
                chats_strbuf_add(b, run, (apr_size_t)(s - run));
                run = s + 1;    /* CRLF is one break: the LF's */
                continue;
            }
            ent = "<br>";
            break;
        case '\n':
            if (!br) {
                continue;
            }
            ent = "<br>";
            break;
        default:
            continue;
        }
        chats_strbuf_add(b, run, (apr_size_t)(s - run));
        chats_strbuf_puts(b, ent);
        run = s + 1;
    }
    chats_strbuf_add(b, run, (apr_size_t)(end - run));
}

const char *chats_html_escape(apr_pool_t *p, const char *s, apr_size_t len)
{
    chats_strbuf_t b;

    chats_strbuf_init(&b, p, 256);
    sb_escape(&b, s, len, 0);
    return b.buf;
}

/* Row columns: the message columns in field order (chats_message.h),
 * then the local time. */
enum { C_TYPE = 2, C_MESSAGE = 3, C_AUTHOR = 4, C_SPECIAL = 6, C_PARAM = 7,
       C_WHEN = CHATS_MESSAGE_NCOLS };

static const char *col(const char *const *row, int i)
{
    return row[i] ? row[i] : "";
}

/* What a message says: its text, or for a special one its kind and
 * parameter in brackets ("[TransferedSession ann]"). */
static const char *what(apr_pool_t *p, const char *const *row)
{
    int special = atoi(col(row, C_SPECIAL));
    const char *name = chats_enum_name(chats_message_special_enums, special);
    const char *param = col(row, C_PARAM);

    if (atoi(col(row, C_TYPE)) != CHATS_MSG_SPECIAL) {
        return col(row, C_MESSAGE);
    }
    if (!name) {
        name = apr_itoa(p, special);
    }
    return apr_pstrcat(p, "[", name, *param ? " " : "", param, "]", NULL);
}

static const char *html_class(int type)
{
    switch (type) {
    case CHATS_MSG_TO_CUSTOMER: return "to-customer";
    case CHATS_MSG_TO_USER:     return "to-user";
    default:                    return "special";
    }
}

const char *chats_transcript(apr_pool_t *p, const char *const *rows,
                             int nrows, int html)
{
    chats_strbuf_t b;
    int i;

    chats_strbuf_init(&b, p, 256);
    if (html) {
        chats_strbuf_puts(&b, "<div class=\"chat-transcript\">");
    }
    for (i = 0; i < nrows; i++) {
        const char *const *row = rows + (apr_size_t)i * CHATS_TRANSCRIPT_NCOLS;
        const char *text = what(p, row), *author = col(row, C_AUTHOR);
        const char *when = col(row, C_WHEN);

        if (!html) {
            chats_strbuf_puts(&b, apr_pstrcat(p, when, " ", author, ": ", text, "\n",
                                    NULL));
            continue;
        }
        chats_strbuf_puts(&b, "<p class=\"");
        chats_strbuf_puts(&b, html_class(atoi(col(row, C_TYPE))));
        chats_strbuf_puts(&b, "\"><span class=\"when\">");
        sb_escape(&b, when, strlen(when), 0);
        chats_strbuf_puts(&b, "</span> <b>");
        sb_escape(&b, author, strlen(author), 0);
        chats_strbuf_puts(&b, "</b> ");
        sb_escape(&b, text, strlen(text), 1);
        chats_strbuf_puts(&b, "</p>");
    }
    if (html) {
        chats_strbuf_puts(&b, "</div>");
    }
    return b.buf;
}
