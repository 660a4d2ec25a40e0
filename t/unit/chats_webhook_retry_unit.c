/* Unit tests of SuperOffice's webhook retry rule and of the LastError
 * text (issue 20, design §5, modules/core/webhook/chats_webhook_retry.c):
 * 3 tries 1 s and 4 s apart, a drop adds 1 to the consecutive errors, 9
 * stop an Active webhook, a 2xx resets; the body kept for LastError, its
 * cap, and the escaping that keeps a receiver's bytes out of the
 * database's and the JSON's way. No network. Prints TAP. */
#include <apr_strings.h>

#include "chats_webhook_retry.h"
#include "tap.h"

static void t_next(tap_t *t)
{
    chats_webhook_next_t n0 = chats_webhook_next(0);
    chats_webhook_next_t n1 = chats_webhook_next(1);
    chats_webhook_next_t n2 = chats_webhook_next(2);

    ok(t, !n0.drop && n0.delay == apr_time_from_sec(1),
       "next: after the 1st failure, again 1 s later");
    ok(t, !n1.drop && n1.delay == apr_time_from_sec(4),
       "next: after the 2nd failure, again 4 s later");
    ok(t, n2.drop, "next: after the 3rd failure, the event is dropped");
    ok(t, chats_webhook_next(7).drop && !chats_webhook_next(-1).drop
          && chats_webhook_next(-1).delay == apr_time_from_sec(1),
       "next: more failures drop; a negative count is the first try");
}

static void t_errors_and_state(tap_t *t)
{
    int c = 0, i, stopped_at = 0;
    chats_webhook_state_e s = CHATS_WEBHOOK_ACTIVE;

    for (i = 1; i <= 12 && !stopped_at; i++) {
        c = chats_webhook_errors_after(c, 1, 0);
        s = chats_webhook_state_after(s, c);
        if (s == CHATS_WEBHOOK_TOO_MANY_ERRORS) {
            stopped_at = i;
        }
    }
    ok(t, stopped_at == 9 && c == 9,
       "state: the 9th dropped event in a row makes TooManyErrors (3)");
    ok(t, chats_webhook_errors_after(5, 0, 0) == 5,
       "errors: a failed try that does not drop changes nothing");
    ok(t, chats_webhook_errors_after(8, 0, 1) == 0
          && chats_webhook_errors_after(9, 1, 1) == 0,
       "errors: a 2xx resets to 0");
    ok(t, chats_webhook_errors_after(9, 1, 0) == 9,
       "errors: no count past 9");
    ok(t, chats_webhook_state_after(CHATS_WEBHOOK_ACTIVE, 8)
          == CHATS_WEBHOOK_ACTIVE
          && chats_webhook_state_after(CHATS_WEBHOOK_STOPPED, 9)
          == CHATS_WEBHOOK_STOPPED
          && chats_webhook_state_after(CHATS_WEBHOOK_TOO_MANY_ERRORS, 0)
          == CHATS_WEBHOOK_TOO_MANY_ERRORS,
       "state: 8 leave Active alone; Stopped stays; TooManyErrors stays "
       "(only a write resumes)");
}

static void t_sink(tap_t *t)
{
    chats_webhook_sink_t s;
    char chunk[700];
    int i, more = 1;

    memset(&s, 0, sizeof(s));
    s.cap = 4000;
    memset(chunk, 'a', sizeof(chunk));
    chunk[0] = 'X';
    for (i = 0; i < 5 && more; i++) {
        more = chats_webhook_sink_add(&s, chunk, sizeof(chunk));
    }
    ok(t, more && s.total == 3500 && s.nkept == CHATS_WEBHOOK_KEEP
          && s.kept[0] == 'X' && s.kept[700] == 'X',
       "sink: 1 KiB kept, everything counted, under the cap");
    ok(t, !chats_webhook_sink_add(&s, chunk, sizeof(chunk))
          && s.total == 4200 && s.nkept == CHATS_WEBHOOK_KEEP,
       "sink: over the cap says stop");
}

static void t_escape(tap_t *t)
{
    static const char raw[] = "a\\b\r\n\t\x01\x7f\0z \xc3\xa9 \xe2\x82\xac "
                              "\xc3 \xed\xa0\x80 \xf4\x90\x80\x80 \xc0\xaf";

    is_str(t, chats_webhook_escape(t->p, raw, sizeof(raw) - 1, 1024),
           "a\\\\b\\x0d\\x0a\\x09\\x01\\x7f\\x00z \xc3\xa9 \xe2\x82\xac "
           "\\xc3 \\xed\\xa0\\x80 \\xf4\\x90\\x80\\x80 \\xc0\\xaf",
           "escape: controls, NUL, DEL, backslash and invalid UTF-8 "
           "(lone, surrogate, past U+10FFFF, overlong) as \\xNN; "
           "valid UTF-8 kept");
    is_str(t, chats_webhook_escape(t->p, "abcdef", 6, 3), "abc...",
           "escape: at most max bytes, then ...");
    is_str(t, chats_webhook_escape(t->p, "ab\xe2\x82\xac", 5, 4),
           "ab\\xe2\\x82...",
           "escape: a sequence cut by max is escaped, not kept half");
}

static void t_last_error(tap_t *t)
{
    static const char body[] = "{\"error\":\"db down\"}\n";
    char big[3000];

    is_str(t, chats_webhook_last_error(t->p, CHATS_WEBHOOK_HTTP_ERROR, 500,
                                       "Internal Server Error", NULL, body,
                                       sizeof(body) - 1),
           "HTTP 500 Internal Server Error: {\"error\":\"db down\"}\\x0a",
           "LastError: status line and body");
    is_str(t, chats_webhook_last_error(t->p, CHATS_WEBHOOK_HTTP_ERROR, 503,
                                       "", NULL, NULL, 0), "HTTP 503",
           "LastError: no phrase (HTTP/2), no body");
    is_str(t, chats_webhook_last_error(t->p, CHATS_WEBHOOK_HTTP_ERROR, 302,
                                       "Found", "http://10.0.0.1/", "moved",
                                       5),
           "HTTP 302 Found: redirect to http://10.0.0.1/ not followed",
           "LastError: a redirect names its target, not followed");
    is_str(t, chats_webhook_last_error(t->p, CHATS_WEBHOOK_REFUSED, 0, NULL,
                                       NULL, "10.0.0.1 is a private address",
                                       29),
           "refused: 10.0.0.1 is a private address",
           "LastError: refused, with the policy's reason");
    is_str(t, chats_webhook_last_error(t->p, CHATS_WEBHOOK_TIMEOUT, 0, NULL,
                                       NULL, NULL, 0),
           "timeout: (no detail)", "LastError: an outcome without detail");
    ok(t, chats_webhook_last_error(t->p, CHATS_WEBHOOK_OK, 200, "OK", NULL,
                                   NULL, 0) == NULL, "LastError: none on ok");
    memset(big, 'b', sizeof(big));
    ok(t, strlen(chats_webhook_last_error(t->p, CHATS_WEBHOOK_HTTP_ERROR, 500,
                                          "X", NULL, big, sizeof(big)))
          == strlen("HTTP 500 X: ") + CHATS_WEBHOOK_KEEP + 3,
       "LastError: a body is cut at 1 KiB, marked ...");
    is_str(t, chats_webhook_outcome_name(CHATS_WEBHOOK_TOO_LARGE),
           "too_large", "outcome names: the metrics' labels");
}

static const tap_test_fn tests[] = {
    t_next, t_errors_and_state, t_sink, t_escape, t_last_error, NULL
};

const tap_suite_t tap_suite = { NULL, tests, NULL };
