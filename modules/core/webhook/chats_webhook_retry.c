/* SuperOffice's retry rule and the LastError text (chats_webhook_retry.h).
 * LastError lands in a PostgreSQL text column and in JSON answers, so
 * what a receiver sent is made valid UTF-8 without NUL or control
 * characters here, whatever it was. */
#include <string.h>

#include <apr_strings.h>

#include "chats_webhook_retry.h"

/* The delays after the 1st and the 2nd failure (SuperOffice's). */
static const apr_interval_time_t retry_delays[CHATS_WEBHOOK_TRIES - 1] = {
    apr_time_from_sec(1), apr_time_from_sec(4)
};

const char *chats_webhook_outcome_name(chats_webhook_outcome_e o)
{
    static const char *const names[] = {
        "ok", "http_error", "timeout", "connect_error", "tls_error",
        "refused", "too_large", "dropped", "aborted"
    };

    return (int)o >= 0 && (int)o < (int)(sizeof(names) / sizeof(names[0]))
        ? names[o] : "unknown";
}

chats_webhook_next_t chats_webhook_next(int attempts_before)
{
    chats_webhook_next_t n = { 0, 0 };

    if (attempts_before < 0) {
        attempts_before = 0;
    }
    if (attempts_before >= CHATS_WEBHOOK_TRIES - 1) {
        n.drop = 1;
    }
    else {
        n.delay = retry_delays[attempts_before];
    }
    return n;
}

int chats_webhook_errors_after(int consecutive, int dropped, int ok)
{
    if (ok) {
        return 0;
    }
    if (consecutive < 0) {
        consecutive = 0;
    }
    if (dropped && consecutive < CHATS_WEBHOOK_MAX_ERRORS) {
        consecutive++;
    }
    return consecutive;
}

chats_webhook_state_e chats_webhook_state_after(chats_webhook_state_e state,
                                                int consecutive)
{
    return state == CHATS_WEBHOOK_ACTIVE
           && consecutive >= CHATS_WEBHOOK_MAX_ERRORS
        ? CHATS_WEBHOOK_TOO_MANY_ERRORS : state;
}

int chats_webhook_sink_add(chats_webhook_sink_t *s, const char *data,
                           apr_size_t n)
{
    apr_size_t room = CHATS_WEBHOOK_KEEP - s->nkept;

    if (n && room) {
        memcpy(s->kept + s->nkept, data, n < room ? n : room);
        s->nkept += n < room ? n : room;
    }
    s->total += n;
    return s->total <= s->cap;
}

/* The length of the valid UTF-8 sequence at s (n bytes left), or 0
 * (RFC 3629: no overlong form, no surrogate, nothing past U+10FFFF). */
static apr_size_t utf8_seq(const unsigned char *s, apr_size_t n)
{
    apr_size_t len, i;
    unsigned lo = 0x80, hi = 0xbf;

    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        len = 2;
    }
    else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        len = 3;
        lo = s[0] == 0xe0 ? 0xa0 : 0x80;
        hi = s[0] == 0xed ? 0x9f : 0xbf;
    }
    else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        len = 4;
        lo = s[0] == 0xf0 ? 0x90 : 0x80;
        hi = s[0] == 0xf4 ? 0x8f : 0xbf;
    }
    else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi) {
        return 0;
    }
    for (i = 2; i < len; i++) {
        if (s[i] < 0x80 || s[i] > 0xbf) {
            return 0;
        }
    }
    return len;
}

const char *chats_webhook_escape(apr_pool_t *p, const char *text,
                                 apr_size_t len, apr_size_t max)
{
    const unsigned char *s = (const unsigned char *)text;
    apr_size_t take = len < max ? len : max, i = 0, o = 0, k;
    char *out = apr_palloc(p, take * 4 + 4);

    while (i < take) {
        if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\') {
            out[o++] = (char)s[i++];
        }
        else if (s[i] == '\\') {
            out[o++] = '\\';
            out[o++] = '\\';
            i++;
        }
        else if (s[i] >= 0x80 && (k = utf8_seq(s + i, take - i)) > 0) {
            memcpy(out + o, s + i, k);
            o += k;
            i += k;
        }
        else {
            apr_snprintf(out + o, 5, "\\x%02x", s[i++]);
            o += 4;
        }
    }
    if (len > max) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return out;
}

const char *chats_webhook_last_error(apr_pool_t *p,
                                     chats_webhook_outcome_e outcome,
                                     int status, const char *reason,
                                     const char *location,
                                     const char *detail, apr_size_t len)
{
    const char *why, *line;

    if (outcome == CHATS_WEBHOOK_OK) {
        return NULL;
    }
    if (outcome != CHATS_WEBHOOK_HTTP_ERROR) {
        return apr_pstrcat(p, chats_webhook_outcome_name(outcome), ": ",
                           detail ? chats_webhook_escape(p, detail, len,
                                                         CHATS_WEBHOOK_KEEP)
                                  : "(no detail)", NULL);
    }
    why = reason && *reason
        ? chats_webhook_escape(p, reason, strlen(reason), 256) : NULL;
    line = apr_psprintf(p, "HTTP %d%s%s", status, why ? " " : "",
                        why ? why : "");
    if (status >= 300 && status < 400 && location && *location) {
        return apr_pstrcat(p, line, ": redirect to ",
                           chats_webhook_escape(p, location, strlen(location),
                                                CHATS_WEBHOOK_KEEP),
                           " not followed", NULL);
    }
    if (detail && len) {
        return apr_pstrcat(p, line, ": ",
                           chats_webhook_escape(p, detail, len,
                                                CHATS_WEBHOOK_KEEP), NULL);
    }
    return line;
}
