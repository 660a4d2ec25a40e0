/* libFuzzer target: a webhook delivery's bytes
 * (core/webhook/chats_webhook_payload.c): the body, its signature and the
 * request headers, from whatever an outbox row and a webhook could hold.
 *
 * Input: byte 0 chooses (bit 0: FieldValues present, bit 1: a test,
 * bits 2-3: attempts, bit 4: a well-formed EventId rather than part 0,
 * bit 5 without bit 0: part 6 is FieldValues' compact numbers, bit 6:
 * part 0 its texts),
 * then up to nine NUL-separated parts: EventId, Event, Entity,
 * WebhookName, ContextIdentifier, Changes, FieldValues, Properties,
 * Headers, and the rest is the secret (a missing part: empty).
 *
 * Invariants: an accepted body re-parses (duplicates refused) as an
 * object of valid UTF-8 whose first members are the standard keys in
 * their order, none of them again later, and its length is its text's;
 * the signature is CHATS_WEBHOOK_SIG_LEN base64 characters and the same
 * when made twice; accepted headers hold no CR, LF or NUL and begin with
 * the module's five. */
#include <strings.h>

#include "chats_webhook_payload.h"
#include "fuzz.h"

static const char *const std_keys[] = {
    "EventId", "Timestamp", "Changes", "Event", "PrimaryKey", "Entity",
    "ContextIdentifier", "ChangedByAssociateId", "WebhookName",
    "FieldValues"
};

static void check_body(apr_pool_t *p, const char *body, apr_size_t len,
                       int with_fv)
{
    chats_json_limits_t lim = { 0, 0, 0, 0, CHATS_JSON_DUP_REJECT };
    int nstd = with_fv ? 10 : 9, i, j;
    chats_doc_t *d = NULL;

    FUZZ_ASSERT(len == strlen(body), "a body with a NUL or a wrong length");
    FUZZ_ASSERT(chats_utf8_valid(body, len), "a body not valid UTF-8");
    FUZZ_ASSERT(chats_json_parse(&d, body, len, &lim, p) == NULL
                && d->type == CHATS_J_OBJECT, "a body that does not re-parse");
    FUZZ_ASSERT(chats_doc_object_len(d) >= nstd, "standard keys missing");
    for (i = 0; i < nstd; i++) {
        FUZZ_ASSERT(!strcmp(chats_doc_object_at(d, i)->name, std_keys[i]),
                    "a standard key out of order");
    }
    for (; i < chats_doc_object_len(d); i++) {
        const chats_member_t *m = chats_doc_object_at(d, i);

        for (j = 0; j < 10; j++) {
            FUZZ_ASSERT(strlen(std_keys[j]) != m->name_len
                        || strncasecmp(std_keys[j], m->name, m->name_len),
                        "a property named like a standard key");
        }
    }
}

static void check_headers(apr_array_header_t *a, int signed_)
{
    int i;

    FUZZ_ASSERT(a->nelts >= 5, "a module header missing");
    for (i = 0; i < a->nelts; i++) {
        const chats_webhook_header_t *h =
            &APR_ARRAY_IDX(a, i, chats_webhook_header_t);

        FUZZ_ASSERT(*h->name && !strpbrk(h->name, "\r\n: ")
                    && !strpbrk(h->value, "\r\n"),
                    "a header that could split the request");
        if (!strcmp(h->name, "X-SuperOffice-Signature")) {
            FUZZ_ASSERT(signed_ && strlen(h->value) == CHATS_WEBHOOK_SIG_LEN,
                        "a signature where there is no secret, or short");
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    const char *s, *parts[10] = { "" }, *body, *sig, *sig2;
    chats_webhook_event_t ev;
    chats_webhook_hook_t h;
    apr_array_header_t *a;
    apr_size_t len, at = 0, n;
    int i;

    if (size < 1) {
        apr_pool_destroy(p);
        return 0;
    }
    s = fuzz_strz(p, data + 1, size - 1);
    n = size - 1;
    for (i = 0; i < 10; i++) {
        parts[i] = at <= n ? s + at : "";
        at += strlen(parts[i]) + 1;
    }
    ev.event_id = data[0] & 16 ? "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
                               : parts[0];
    ev.event = parts[1];
    ev.entity = parts[2];
    ev.primary_key = (apr_int64_t)size * 7919;
    ev.changes = *parts[5] ? parts[5] : NULL;
    ev.field_values = data[0] & 1 ? parts[6] : NULL;
    /* or FieldValues kept compactly: the outbox's numbers and texts */
    ev.field_ints = !(data[0] & 1) && (data[0] & 32) ? parts[6] : NULL;
    ev.field_texts = data[0] & 64 ? parts[0] : NULL;
    ev.actor = data[0];
    ev.captured_at = (apr_int64_t)size * APR_INT64_C(1000003);
    ev.attempts = (data[0] >> 2) & 3;
    ev.test = (data[0] >> 1) & 1;
    h.name = parts[3];
    h.context = parts[4];
    h.properties = *parts[7] ? parts[7] : NULL;
    h.headers = *parts[8] ? parts[8] : NULL;
    h.secret = parts[9];
    if (chats_webhook_payload(p, &ev, &h, &body, &len) == NULL) {
        check_body(p, body, len, ev.field_values || ev.field_ints);
        if (*h.secret) {
            FUZZ_ASSERT(chats_webhook_sign(p, h.secret, strlen(h.secret), body,
                                           len, &sig) == NULL
                        && chats_webhook_sign(p, h.secret, strlen(h.secret),
                                              body, len, &sig2) == NULL
                        && strlen(sig) == CHATS_WEBHOOK_SIG_LEN
                        && !strcmp(sig, sig2), "a signature not repeatable");
        }
        if (chats_webhook_headers(p, &ev, &h, "fuzz", body, len, &a) == NULL) {
            check_headers(a, *h.secret != '\0');
        }
    }
    apr_pool_destroy(p);
    return 0;
}
