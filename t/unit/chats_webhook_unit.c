/* Unit tests of a webhook delivery's bytes (issue 20, design §6,
 * modules/core/webhook/chats_webhook_payload.c): the body's exact text
 * and key order, the signature against values computed outside this
 * code (openssl dgst), escaping of hostile strings, refusals (invalid
 * UTF-8, bad row JSON, bad headers), Properties merged after the
 * standard keys, and the secret in no body or header value. No network,
 * no PostgreSQL. Prints TAP. */
#include <stdlib.h>

#include <apr_strings.h>

#include "chats_json.h"
#include "chats_webhook_payload.h"
#include "tap.h"

#define GUID "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
#define SECRET "It's a secret to everybody"
/* 2026-01-01T10:00:00.123456Z: `date -u -d 2026-01-01T10:00:00Z +%s`
 * = 1767261600, then the microseconds. */
#define T0 (APR_INT64_C(1767261600) * 1000000 + 123456)

/* The body chats_webhook_payload must make of ev0/hook0, byte for byte:
 * SuperOffice's key order, the Properties member last. */
#define BODY0 "{\"EventId\":\"" GUID "\"," \
    "\"Timestamp\":\"2026-01-01T10:00:00.1234560Z\"," \
    "\"Changes\":[\"chatSession.status\",\"chatSession.userId\"]," \
    "\"Event\":\"chatsession.changed\",\"PrimaryKey\":844," \
    "\"Entity\":\"chatsession\",\"ContextIdentifier\":\"Default\"," \
    "\"ChangedByAssociateId\":5,\"WebhookName\":\"Sales hook\"," \
    "\"FieldValues\":{\"AlertLevel\":0,\"Status\":6,\"UserId\":5}," \
    "\"Tenant\":\"acme\"}"
/* Made outside this code, when the test was written:
 *   printf %s "$BODY0" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64
 * with BODY0 and SECRET as above (OpenSSL 3.0, Debian 12). */
#define SIG0 "eKvZOMV4B5MM/u6aKe/7c6KuBcvLeo6PMBtb8kHdjvY="

static chats_webhook_event_t ev0(void)
{
    chats_webhook_event_t ev = {
        GUID, "chatsession.changed", "chatsession", 844,
        "[\"chatSession.status\",\"chatSession.userId\"]",
        "{\"AlertLevel\":0,\"Status\":6,\"UserId\":5}", NULL, NULL, 5, T0,
        0, 0
    };
    return ev;
}

static chats_webhook_hook_t hook0(void)
{
    chats_webhook_hook_t h = {
        "Sales hook", "Default", "{\"Tenant\":\"acme\"}", NULL, SECRET
    };
    return h;
}

static const char *body_of(tap_t *t, const chats_webhook_event_t *ev,
                           const chats_webhook_hook_t *h)
{
    const char *body = NULL;
    apr_size_t len = 0;
    chats_err_t *e = chats_webhook_payload(t->p, ev, h, &body, &len);

    if (e) {
        printf("# refused: %s\n", e->message ? e->message : "?");
        return NULL;
    }
    if (len != strlen(body)) {
        printf("# length %lu, text %lu\n", (unsigned long)len,
               (unsigned long)strlen(body));
        return NULL;
    }
    return body;
}

/* The field a refusal names, or "accepted". */
static const char *refused(tap_t *t, const chats_webhook_event_t *ev,
                           const chats_webhook_hook_t *h)
{
    const char *body;
    apr_size_t len;
    chats_err_t *e = chats_webhook_payload(t->p, ev, h, &body, &len);

    if (e == NULL) {
        return "accepted";
    }
    return e->code == CHATS_E_INVALID && e->field ? e->field : "other";
}

static chats_doc_t *reparse(tap_t *t, const char *body)
{
    chats_json_limits_t lim = { 0, 0, 0, 0, CHATS_JSON_DUP_REJECT };
    chats_doc_t *d = NULL;

    if (body == NULL
        || chats_json_parse(&d, body, strlen(body), &lim, t->p) != NULL) {
        return NULL;
    }
    return d;
}

static void t_body_exact(tap_t *t)
{
    chats_webhook_event_t ev = ev0();
    chats_webhook_hook_t h = hook0();

    is_str(t, body_of(t, &ev, &h), BODY0,
           "body: SuperOffice's key order, Properties last, exact bytes");
}

static void t_sign_known_answers(tap_t *t)
{
    const char *sig = NULL;
    chats_err_t *e;

    /* RFC 4231 test case 2; base64 of its HMAC-SHA256 made with
     * printf %s 'what do ya want for nothing?' \
     *   | openssl dgst -sha256 -hmac Jefe -binary | base64
     * (hex 5bdcc146...64ec3843, as the RFC prints). */
    e = chats_webhook_sign(t->p, "Jefe", 4, "what do ya want for nothing?",
                           28, &sig);
    ok(t, e == NULL, "sign: RFC 4231 case 2 signs");
    is_str(t, sig, "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=",
           "sign: RFC 4231 case 2, base64 with padding");
    sig = NULL;
    e = chats_webhook_sign(t->p, SECRET, strlen(SECRET), BODY0,
                           strlen(BODY0), &sig);
    ok(t, e == NULL, "sign: the body of ev0 signs");
    is_str(t, sig, SIG0, "sign: openssl dgst's value over BODY0");
    ok(t, sig && strlen(sig) == CHATS_WEBHOOK_SIG_LEN,
       "sign: CHATS_WEBHOOK_SIG_LEN characters");
    e = chats_webhook_sign(t->p, "", 0, BODY0, strlen(BODY0), &sig);
    ok(t, e && e->code == CHATS_E_INVALID,
       "sign: an empty secret is refused, not an unkeyed MAC");
    /* A NUL inside the secret is part of the key (its length rules, not
     * strlen); made with
     *   printf %s x | openssl dgst -sha256 -mac HMAC \
     *     -macopt hexkey:610062 -binary | base64
     * (the key "a" alone gives OZuXzVQM...). */
    e = chats_webhook_sign(t->p, "a\0b", 3, "x", 1, &sig);
    ok(t, e == NULL, "sign: a key with a NUL signs");
    is_str(t, sig, "dYrPhdAQ29ZyYjiPgR/lrJI7du0TASZaZvzjl1hikbQ=",
           "sign: the whole key is used, NUL included");
}

/* The standard keys first, in order, each once. */
static void t_key_order(tap_t *t)
{
    static const char *const keys[] = {
        "EventId", "Timestamp", "Changes", "Event", "PrimaryKey", "Entity",
        "ContextIdentifier", "ChangedByAssociateId", "WebhookName",
        "FieldValues", "Tenant"
    };
    chats_webhook_event_t ev = ev0();
    chats_webhook_hook_t h = hook0();
    chats_doc_t *d = reparse(t, body_of(t, &ev, &h));
    int i, same = d != NULL && chats_doc_object_len(d) == TAP_N(keys);

    for (i = 0; same && i < TAP_N(keys); i++) {
        same = !strcmp(chats_doc_object_at(d, i)->name, keys[i]);
    }
    ok(t, same, "order: the ten standard keys, then Properties, unique");
    ev.field_values = NULL;
    ev.changes = NULL;
    h.properties = NULL;
    d = reparse(t, body_of(t, &ev, &h));
    ok(t, d && chats_doc_object_len(d) == 9
          && !chats_doc_object_get(d, "FieldValues", 11, 0),
       "order: no FieldValues member when the row has none");
    ok(t, d && chats_doc_array_len(chats_doc_object_get(d, "Changes", 7, 0))
               == 0, "order: Changes [] when the row has none");
}

static void t_hostile_strings(tap_t *t)
{
    static const char name[] = "a\"b\\c\n\x01\x1f</script>\xc3\xa6\"}";
    chats_webhook_event_t ev = ev0();
    chats_webhook_hook_t h = hook0();
    const char *body;
    chats_doc_t *d, *v;

    h.name = name;
    h.context = "\"},\"Event\":\"forged";
    h.properties = NULL;
    body = body_of(t, &ev, &h);
    ok(t, body && strstr(body, "\"WebhookName\":\"a\\\"b\\\\c\\n\\u0001"
                               "\\u001F</script>\xc3\xa6\\\"}\""),
       "escape: quote, backslash, newline and controls escaped");
    d = reparse(t, body);
    v = d ? chats_doc_object_get(d, "WebhookName", 11, 0) : NULL;
    ok(t, v && v->len == strlen(name) && !memcmp(v->s, name, v->len),
       "escape: the name reads back unchanged");
    v = d ? chats_doc_object_get(d, "Event", 5, 0) : NULL;
    ok(t, d && chats_doc_object_len(d) == 10 && v
          && !strcmp(v->s, "chatsession.changed"),
       "escape: a context cannot add or replace a member");
}

static void t_invalid_utf8(tap_t *t)
{
    chats_webhook_event_t ev = ev0();
    chats_webhook_hook_t h = hook0();

    h.name = "bad \xc3\x28";
    is_str(t, refused(t, &ev, &h), "WebhookName",
           "utf8: an invalid name is refused");
    h = hook0();
    h.context = "\xed\xa0\x80";               /* a UTF-16 surrogate */
    is_str(t, refused(t, &ev, &h), "ContextIdentifier",
           "utf8: a surrogate in the context is refused");
    h = hook0();
    h.properties = "{\"k\":\"\xff\"}";
    is_str(t, refused(t, &ev, &h), "Properties",
           "utf8: invalid bytes in Properties are refused");
    h = hook0();
    ev.event = "chatsession.\xc0\xae";        /* overlong '.' */
    is_str(t, refused(t, &ev, &h), "Event",
           "utf8: an overlong form in the event name is refused");
    ev = ev0();
    ev.field_values = "{\"CustomerAlias\":\"\xf5\x80\x80\x80\"}";
    is_str(t, refused(t, &ev, &h), "FieldValues",
           "utf8: past U+10FFFF in FieldValues is refused");
}

static void t_refusals(tap_t *t)
{
    chats_webhook_event_t ev = ev0();
    chats_webhook_hook_t h = hook0();

    ev.event_id = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4\n";
    is_str(t, refused(t, &ev, &h), "EventId", "refuse: EventId not a GUID");
    ev = ev0();
    ev.changes = "{}";
    is_str(t, refused(t, &ev, &h), "Changes", "refuse: Changes not an array");
    ev = ev0();
    ev.field_values = "[1]";
    is_str(t, refused(t, &ev, &h), "FieldValues",
           "refuse: FieldValues not an object");
    ev = ev0();
    ev.captured_at = APR_INT64_C(253402300800000000);
    is_str(t, refused(t, &ev, &h), "Timestamp",
           "refuse: a Timestamp past 9999");
    ev = ev0();
    h.properties = "[\"a\"]";
    is_str(t, refused(t, &ev, &h), "Properties",
           "refuse: Properties not an object");
    h.properties = "{\"a\":1} x";
    is_str(t, refused(t, &ev, &h), "Properties",
           "refuse: Properties with trailing text");
    h = hook0();
    h.name = NULL;
    is_str(t, refused(t, &ev, &h), "WebhookName", "refuse: no name");
}

/* FieldValues from the outbox's compact columns (schema version 8). */
static void t_compact_values(tap_t *t)
{
    chats_webhook_event_t ev = ev0();
    chats_webhook_hook_t h = hook0();
    chats_doc_t *d, *fv;

    ev.field_values = NULL;
    ev.field_ints = "[2,1,0,7,0,0,5,0,6,0,3,9]";
    ev.field_texts = "[\"kari \\\"k\\\"\"]";
    d = reparse(t, body_of(t, &ev, &h));
    fv = d ? chats_doc_object_get(d, "FieldValues", 11, 0) : NULL;
    is_str(t, fv ? chats_doc_to_json(t->p, fv, 0) : NULL,
           "{\"AlertLevel\":2,\"ChatbotIsactive\":true,"
           "\"Consented\":false,\"ContactId\":7,"
           "\"CustomerAlias\":\"kari \\\"k\\\"\",\"CustomerId\":0,"
           "\"ProjectId\":0,\"Rating\":5,\"SaleId\":0,\"Status\":6,"
           "\"TicketId\":0,\"TopicId\":3,\"UserId\":9}",
           "compact: SuperOffice's 13 members, booleans as booleans");
    ev.field_ints = "[2,1,0,7,0,0,5,0,6,0,3,9,4711]";
    d = reparse(t, body_of(t, &ev, &h));
    fv = d ? chats_doc_object_get(d, "FieldValues", 11, 0) : NULL;
    fv = fv ? chats_doc_object_get(fv, "MessageId", 9, 0) : NULL;
    is_str(t, fv ? chats_doc_to_json(t->p, fv, 0) : NULL,
           "4711", "compact: a number after the session's is MessageId");
    ev.field_values = "{\"Signal\":1}";
    d = reparse(t, body_of(t, &ev, &h));
    fv = d ? chats_doc_object_get(d, "FieldValues", 11, 0) : NULL;
    is_str(t, fv ? chats_doc_to_json(t->p, fv, 0) : NULL, "{\"Signal\":1}",
           "compact: a signal's own FieldValues win");
    ev.field_values = NULL;
    ev.field_ints = "[2,1,0,7,0,0,5,0,6,0,3]";
    is_str(t, refused(t, &ev, &h), "FieldValues", "compact: too few numbers");
    ev.field_ints = "[2,1,0,7,0,0,5,0,6,0,3,9,1,2]";
    is_str(t, refused(t, &ev, &h), "FieldValues", "compact: too many numbers");
    ev.field_ints = "[2,1,0,7,0,0,\"5\",0,6,0,3,9]";
    is_str(t, refused(t, &ev, &h), "FieldValues",
           "compact: a string among the numbers");
    ev.field_ints = "[2,1,0,7,0,0,5,0,6,0,3,9]";
    ev.field_texts = "[1]";
    is_str(t, refused(t, &ev, &h), "FieldValues",
           "compact: a number among the texts");
    ev.field_texts = "[\"a\",\"b\"]";
    is_str(t, refused(t, &ev, &h), "FieldValues", "compact: too many texts");
    ev.field_texts = "{}";
    is_str(t, refused(t, &ev, &h), "FieldValues",
           "compact: texts not an array");
}

static void t_properties(tap_t *t)
{
    chats_webhook_event_t ev = ev0();
    chats_webhook_hook_t h = hook0();
    chats_doc_t *d, *v;

    h.properties = "{\"Tenant\":\"acme\",\"eventid\":\"forged\","
                   "\"Event\":\"forged\",\"FIELDVALUES\":{},"
                   "\"Nested\":{\"a\":[1,true,null]},\"n\":1.50}";
    d = reparse(t, body_of(t, &ev, &h));
    ok(t, d && chats_doc_object_len(d) == 13,
       "properties: three merged, three named like standard keys dropped");
    v = d ? chats_doc_object_get(d, "Event", 5, 0) : NULL;
    ok(t, v && !strcmp(v->s, "chatsession.changed"),
       "properties: the standard Event wins");
    ok(t, d && !chats_doc_object_get(d, "eventid", 7, 0)
          && !chats_doc_object_get(d, "FIELDVALUES", 11, 0),
       "properties: a standard key in another case is dropped");
    ok(t, d && !strcmp(chats_doc_object_at(d, 10)->name, "Tenant")
          && !strcmp(chats_doc_object_at(d, 11)->name, "Nested")
          && !strcmp(chats_doc_object_at(d, 12)->name, "n"),
       "properties: after the standard keys, in their own order");
    v = d ? chats_doc_object_get(d, "n", 1, 0) : NULL;
    ok(t, v && v->type == CHATS_J_NUMBER && !strcmp(v->s, "1.50"),
       "properties: a number keeps its text");
}

static const char *hval(apr_array_header_t *a, const char *name)
{
    int i;

    for (i = 0; a && i < a->nelts; i++) {
        chats_webhook_header_t *h = &APR_ARRAY_IDX(a, i,
                                                   chats_webhook_header_t);
        if (!strcmp(h->name, name)) {
            return h->value;
        }
    }
    return NULL;
}

static const char *hnames(tap_t *t, apr_array_header_t *a)
{
    const char *s = "";
    int i;

    for (i = 0; a && i < a->nelts; i++) {
        s = apr_pstrcat(t->p, s, i ? " " : "",
                        APR_ARRAY_IDX(a, i, chats_webhook_header_t).name,
                        NULL);
    }
    return s;
}

static void t_headers(tap_t *t)
{
    chats_webhook_event_t ev = ev0();
    chats_webhook_hook_t h = hook0();
    apr_array_header_t *a = NULL;
    chats_err_t *e;

    h.headers = "{\"X-Tenant\":\"acme\",\"Authorization\":\"Bearer t\"}";
    ev.attempts = 2;
    e = chats_webhook_headers(t->p, &ev, &h, "1.2.3", BODY0, strlen(BODY0),
                              &a);
    ok(t, e == NULL, "headers: made");
    is_str(t, hnames(t, a), "Content-Type User-Agent X-SuperOffice-Event "
           "X-SuperOffice-EventId X-SuperOffice-Retry X-SuperOffice-Signature"
           " X-Tenant Authorization", "headers: the design's order");
    is_str(t, hval(a, "X-SuperOffice-Signature"), SIG0,
           "headers: the signature is openssl's over the body");
    is_str(t, hval(a, "X-SuperOffice-EventId"), GUID,
           "headers: EventId is the body's");
    is_str(t, hval(a, "X-SuperOffice-Retry"), "2", "headers: Retry");
    is_str(t, hval(a, "User-Agent"),
           "NetServer-Webhook/1.0 mod_chatsession/1.2.3",
           "headers: User-Agent keeps NetServer's token first");
    h.secret = "";
    ev.test = 1;
    ev.attempts = 0;
    h.headers = NULL;
    e = chats_webhook_headers(t->p, &ev, &h, "1", BODY0, strlen(BODY0), &a);
    is_str(t, e ? "refused" : hnames(t, a),
           "Content-Type User-Agent X-SuperOffice-Event X-SuperOffice-EventId"
           " X-SuperOffice-Retry X-Hook-Test",
           "headers: a test, no secret: X-Hook-Test, no signature");
}

/* The field a refusal of the webhook's headers names. */
static const char *bad_header(tap_t *t, const char *headers)
{
    chats_webhook_event_t ev = ev0();
    chats_webhook_hook_t h = hook0();
    apr_array_header_t *a;
    chats_err_t *e;

    h.headers = headers;
    e = chats_webhook_headers(t->p, &ev, &h, "1", BODY0, strlen(BODY0), &a);
    return e == NULL ? "accepted" : e->field ? e->field : "?";
}

static void t_header_refusals(tap_t *t)
{
    is_str(t, bad_header(t, "{\"X-SuperOffice-Signature\":\"x\"}"),
           "Headers/X-SuperOffice-Signature", "own: a forged signature");
    is_str(t, bad_header(t, "{\"content-length\":\"0\"}"),
           "Headers/content-length", "own: framing, any case");
    is_str(t, bad_header(t, "{\"X-A\":\"v\\r\\nX-B: w\"}"), "Headers/X-A",
           "own: CRLF in a value");
    is_str(t, bad_header(t, "{\"X-A\":\"v\\u0000w\"}"), "Headers",
           "own: NUL in a value");
    is_str(t, bad_header(t, "{\"X A\":\"v\"}"), "Headers",
           "own: a name that is not a token");
    is_str(t, bad_header(t, "{\"\":\"v\"}"), "Headers", "own: an empty name");
    is_str(t, bad_header(t, "{\"X-A\":1}"), "Headers",
           "own: a value that is not a string");
    is_str(t, bad_header(t, "{\"X-A\":\"caf\xc3\xa9\\tok\"}"), "accepted",
           "own: UTF-8 and HTAB pass");
}

/* The secret goes into no body and no header value. */
static void t_no_secret(tap_t *t)
{
    chats_webhook_event_t ev = ev0();
    chats_webhook_hook_t h = hook0();
    apr_array_header_t *a = NULL;
    const char *body;
    int i, leak = 0;

    h.secret = "S3CRET-MARKER";
    h.headers = "{\"X-Tenant\":\"acme\"}";
    body = body_of(t, &ev, &h);
    ok(t, body && !strstr(body, "S3CRET") && !strstr(body, "Secret"),
       "secret: not in the body, no Secret member");
    ok(t, chats_webhook_headers(t->p, &ev, &h, "1", body, strlen(body), &a)
          == NULL, "secret: headers made");
    for (i = 0; a && i < a->nelts; i++) {
        leak |= strstr(APR_ARRAY_IDX(a, i, chats_webhook_header_t).value,
                       "S3CRET") != NULL;
    }
    ok(t, a && !leak, "secret: in no header value");
}

static const tap_test_fn tests[] = {
    t_body_exact, t_sign_known_answers, t_key_order, t_hostile_strings,
    t_invalid_utf8, t_refusals, t_compact_values, t_properties, t_headers, t_header_refusals,
    t_no_secret, NULL
};

const tap_suite_t tap_suite = { NULL, tests, NULL };
