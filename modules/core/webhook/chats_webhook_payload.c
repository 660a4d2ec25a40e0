/* A webhook delivery's body, signature and headers (see
 * chats_webhook_payload.h). The body is a chats_doc_t tree written by
 * chats_doc_to_json (yajl_gen): no JSON is ever formatted by hand, so a
 * hostile name, property or header value can only end up escaped. */
#include <string.h>

#include <apr_base64.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "chats_datetime.h"
#include "chats_json.h"
#include "chats_media.h"
#include "chats_webhook_payload.h"
#include "chats_webhook_sql.h"

/* The standard members, in order: a property named like one of them
 * (ignoring case: .NET receivers bind names that way) is left out. */
static const char *const std_keys[] = {
    "EventId", "Timestamp", "Changes", "Event", "PrimaryKey", "Entity",
    "ContextIdentifier", "ChangedByAssociateId", "WebhookName",
    "FieldValues", NULL
};

/* Headers a webhook may not set: ours, and those that frame the request. */
static const char *const reserved_headers[] = {
    "Content-Type", "User-Agent", "X-Hook-Test", "Host", "Content-Length",
    "Content-Encoding", "Transfer-Encoding", "Connection", "Keep-Alive",
    "Upgrade", "Expect", "TE", "Trailer", "Proxy-Authorization",
    "Proxy-Connection", NULL
};

static chats_err_t *bad(apr_pool_t *p, const char *field, const char *why)
{
    return chats_err_make(p, CHATS_E_INVALID, field, "webhook %s: %s", field,
                          why);
}

/* A string member's text: valid UTF-8 (yajl_gen would copy invalid bytes
 * through) and present. */
static chats_err_t *text_ok(apr_pool_t *p, const char *s, const char *field)
{
    if (s == NULL) {
        return bad(p, field, "missing");
    }
    if (!chats_utf8_valid(s, strlen(s))) {
        return bad(p, field, "not valid UTF-8");
    }
    return NULL;
}

/* 8-4-4-4-12 hex digits: what PostgreSQL's uuid prints. */
static int guid_ok(const char *s)
{
    int i;

    if (s == NULL || strlen(s) != 36) {
        return 0;
    }
    for (i = 0; i < 36; i++) {
        int dash = (i == 8 || i == 13 || i == 18 || i == 23);

        if (dash ? s[i] != '-' : !apr_isxdigit(s[i])) {
            return 0;
        }
    }
    return 1;
}

/* JSON text from a row, parsed; it must be of type want. */
static chats_err_t *row_json(apr_pool_t *p, const char *text,
                             chats_jtype_e want, const char *field,
                             chats_doc_t **pd)
{
    chats_err_t *e = chats_json_parse(pd, text, strlen(text), NULL, p);

    if (e != NULL) {
        return bad(p, field, e->message ? e->message : "bad JSON");
    }
    if ((*pd)->type != want) {
        return bad(p, field, want == CHATS_J_ARRAY ? "not an array"
                                                   : "not an object");
    }
    return NULL;
}

/* "YYYY-MM-DDTHH:MM:SS.fffffffZ": .NET's round-trip form, in UTC. */
static chats_err_t *timestamp(apr_pool_t *p, apr_int64_t usec,
                              chats_doc_t **pd)
{
    const char *s;

    if (usec < CHATS_DT_MIN || usec > CHATS_DT_MAX) {
        return bad(p, "Timestamp", "out of range");
    }
    s = chats_dt_format(p, usec);
    *pd = chats_doc_strz(p, apr_pstrcat(p, apr_pstrmemdup(p, s, 27), "Z",
                                        NULL));
    return NULL;
}

/* FieldValues from the outbox's compact columns (chats_webhook_values):
 * ints, a JSON array of numbers (a BOOL member's 0 or 1, then perhaps
 * MessageId), and texts, a JSON array of strings. A row that does not
 * fit the table is refused, never patched up. */
static chats_err_t *compact_values(apr_pool_t *p, const char *ints_text,
                                   const char *texts_text, chats_doc_t **pfv)
{
    const chats_webhook_value_t *vs;
    chats_doc_t *ints, *texts, *fv = chats_doc_object(p), *v;
    chats_err_t *e;
    int i, n, ni = 0, nt = 0;

    if ((e = row_json(p, ints_text, CHATS_J_ARRAY, "FieldValues", &ints))
        || (e = row_json(p, texts_text ? texts_text : "[]", CHATS_J_ARRAY,
                         "FieldValues", &texts))) {
        return e;
    }
    vs = chats_webhook_values(&n);
    for (i = 0; i < n; i++) {
        int text = vs[i].kind == CHATS_WHV_TEXT;
        chats_doc_t *from = text ? texts : ints;
        int at = text ? nt++ : ni++;

        if (at >= chats_doc_array_len(from)) {
            return bad(p, "FieldValues", "fewer values than members");
        }
        v = chats_doc_array_get(from, at);
        if (v->type != (text ? CHATS_J_STRING : CHATS_J_NUMBER)) {
            return bad(p, "FieldValues", "a value of the wrong type");
        }
        if (vs[i].kind == CHATS_WHV_BOOL) {
            v = chats_doc_bool(p, !(v->len == 1 && v->s[0] == '0'));
        }
        chats_doc_object_add(fv, chats_webhook_value_name(p, &vs[i]), v);
    }
    if (ni < chats_doc_array_len(ints)) {         /* a message's own id */
        v = chats_doc_array_get(ints, ni++);
        if (v->type != CHATS_J_NUMBER) {
            return bad(p, "FieldValues", "a value of the wrong type");
        }
        chats_doc_object_add(fv, CHATS_WEBHOOK_MESSAGE_ID, v);
    }
    if (ni != chats_doc_array_len(ints) || nt != chats_doc_array_len(texts)) {
        return bad(p, "FieldValues", "more values than members");
    }
    *pfv = fv;
    return NULL;
}

static int is_std_key(const char *name, apr_size_t len)
{
    int i;

    for (i = 0; std_keys[i]; i++) {
        if (strlen(std_keys[i]) == len
            && !strncasecmp(std_keys[i], name, len)) {
            return 1;
        }
    }
    return 0;
}

/* The webhook's Properties, after the standard members. */
static chats_err_t *add_properties(apr_pool_t *p, chats_doc_t *body,
                                   const char *text)
{
    chats_doc_t *props;
    chats_err_t *e;
    int i;

    if (text == NULL) {
        return NULL;
    }
    if ((e = row_json(p, text, CHATS_J_OBJECT, "Properties", &props))) {
        return e;
    }
    for (i = 0; i < chats_doc_object_len(props); i++) {
        chats_member_t *m = chats_doc_object_at(props, i);

        if (!is_std_key(m->name, m->name_len)) {
            chats_doc_object_set(body, m->name, m->name_len, m->value, 0, p);
        }
    }
    return NULL;
}

/* The strings of ev and hook that become string members. */
static chats_err_t *check_texts(apr_pool_t *p,
                                const chats_webhook_event_t *ev,
                                const chats_webhook_hook_t *hook)
{
    chats_err_t *e;

    if (!guid_ok(ev->event_id)) {
        return bad(p, "EventId", "not a GUID");
    }
    if ((e = text_ok(p, ev->event, "Event"))
        || (e = text_ok(p, ev->entity, "Entity"))
        || (e = text_ok(p, hook->name, "WebhookName"))
        || (e = text_ok(p, hook->context, "ContextIdentifier"))) {
        return e;
    }
    return NULL;
}

chats_err_t *chats_webhook_payload(apr_pool_t *p,
                                   const chats_webhook_event_t *ev,
                                   const chats_webhook_hook_t *hook,
                                   const char **pbody, apr_size_t *plen)
{
    chats_doc_t *body = chats_doc_object(p), *ts = NULL, *changes = NULL;
    chats_doc_t *fv = NULL;
    chats_err_t *e;
    const char *out;

    if ((e = check_texts(p, ev, hook))
        || (e = timestamp(p, ev->captured_at, &ts))
        || (e = row_json(p, ev->changes ? ev->changes : "[]", CHATS_J_ARRAY,
                         "Changes", &changes))
        || (ev->field_values
            && (e = row_json(p, ev->field_values, CHATS_J_OBJECT,
                             "FieldValues", &fv)))
        || (!ev->field_values && ev->field_ints
            && (e = compact_values(p, ev->field_ints, ev->field_texts,
                                   &fv)))) {
        return e;
    }
    chats_doc_object_add(body, "EventId", chats_doc_strz(p, ev->event_id));
    chats_doc_object_add(body, "Timestamp", ts);
    chats_doc_object_add(body, "Changes", changes);
    chats_doc_object_add(body, "Event", chats_doc_strz(p, ev->event));
    chats_doc_object_add(body, "PrimaryKey", chats_doc_int(p, ev->primary_key));
    chats_doc_object_add(body, "Entity", chats_doc_strz(p, ev->entity));
    chats_doc_object_add(body, "ContextIdentifier",
                         chats_doc_strz(p, hook->context));
    chats_doc_object_add(body, "ChangedByAssociateId",
                         chats_doc_int(p, ev->actor));
    chats_doc_object_add(body, "WebhookName", chats_doc_strz(p, hook->name));
    if (fv) {
        chats_doc_object_add(body, "FieldValues", fv);
    }
    if ((e = add_properties(p, body, hook->properties))) {
        return e;
    }
    if ((out = chats_doc_to_json(p, body, 0)) == NULL) {
        return bad(p, "Properties", "nested too deep");
    }
    *pbody = out;
    *plen = strlen(out);
    return NULL;
}

chats_err_t *chats_webhook_sign(apr_pool_t *p, const char *secret,
                                apr_size_t secret_len, const char *body,
                                apr_size_t len, const char **psig)
{
    unsigned char mac[32];
    size_t maclen = 0;
    char *sig;

    if (secret == NULL || secret_len == 0) {
        return bad(p, "Secret", "empty: nothing to sign with");
    }
    /* One-shot HMAC: a delivery signs once per attempt, so there is no
     * fetched EVP_MAC worth keeping (chats_authcache.c keeps one because
     * it hashes on every request, with its own random key). */
    if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, secret, secret_len,
                  (const unsigned char *)body, len, mac, sizeof(mac),
                  &maclen) == NULL
        || maclen != sizeof(mac)) {
        return chats_err_make(p, CHATS_E_INTERNAL, NULL,
                              "webhook signature: HMAC-SHA256 failed");
    }
    sig = apr_palloc(p, apr_base64_encode_len(sizeof(mac)));
    apr_base64_encode(sig, (const char *)mac, sizeof(mac));
    OPENSSL_cleanse(mac, sizeof(mac));
    *psig = sig;
    return NULL;
}

/* RFC 9110 tchar. */
static int is_tchar(int c)
{
    return apr_isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int reserved(const char *name)
{
    int i;

    if (!strncasecmp(name, "X-SuperOffice-", 14)) {
        return 1;
    }
    for (i = 0; reserved_headers[i]; i++) {
        if (!strcasecmp(name, reserved_headers[i])) {
            return 1;
        }
    }
    return 0;
}

/* No CR, LF, NUL or other control but HTAB: one line, one value. */
static int value_ok(const char *v)
{
    const unsigned char *s = (const unsigned char *)v;

    for (; *s; s++) {
        if ((*s < 0x20 && *s != '\t') || *s == 0x7f) {
            return 0;
        }
    }
    return chats_utf8_valid(v, strlen(v));
}

chats_err_t *chats_webhook_header_check(apr_pool_t *p, const char *name,
                                        const char *value)
{
    const char *field = apr_pstrcat(p, "Headers/", name, NULL);
    const char *s;

    if (*name == '\0') {
        return bad(p, "Headers", "an empty header name");
    }
    for (s = name; *s; s++) {
        if (!is_tchar((unsigned char)*s)) {
            return bad(p, "Headers", "a header name that is not a token");
        }
    }
    if (reserved(name)) {
        return bad(p, field, "a header the module sets");
    }
    if (!value_ok(value)) {
        return bad(p, field, "a control character or invalid UTF-8");
    }
    return NULL;
}

static void push(apr_array_header_t *a, const char *name, const char *value)
{
    chats_webhook_header_t *h = apr_array_push(a);

    h->name = name;
    h->value = value;
}

/* The webhook's own headers, after the module's. */
static chats_err_t *own_headers(apr_pool_t *p, apr_array_header_t *a,
                                const char *text)
{
    chats_doc_t *hs;
    chats_err_t *e;
    int i;

    if (text == NULL) {
        return NULL;
    }
    if ((e = row_json(p, text, CHATS_J_OBJECT, "Headers", &hs))) {
        return e;
    }
    for (i = 0; i < chats_doc_object_len(hs); i++) {
        chats_member_t *m = chats_doc_object_at(hs, i);

        /* A NUL inside a name or value would cut it short: refuse. */
        if (m->value->type != CHATS_J_STRING
            || strlen(m->name) != m->name_len
            || strlen(m->value->s) != m->value->len) {
            return bad(p, "Headers", "a value that is not a plain string");
        }
        if ((e = chats_webhook_header_check(p, m->name, m->value->s))) {
            return e;
        }
        push(a, m->name, m->value->s);
    }
    return NULL;
}

chats_err_t *chats_webhook_headers(apr_pool_t *p,
                                   const chats_webhook_event_t *ev,
                                   const chats_webhook_hook_t *hook,
                                   const char *version, const char *body,
                                   apr_size_t len,
                                   apr_array_header_t **phdrs)
{
    apr_array_header_t *a = apr_array_make(p, 12, sizeof(chats_webhook_header_t));
    chats_err_t *e;
    const char *sig;

    if (!guid_ok(ev->event_id)) {
        return bad(p, "EventId", "not a GUID");
    }
    if (ev->event == NULL || !value_ok(ev->event)) {
        return bad(p, "Event", "not a header value");
    }
    push(a, "Content-Type", CHATS_MT_JSON CHATS_MT_UTF8);
    push(a, "User-Agent", apr_pstrcat(p, "NetServer-Webhook/1.0 "
                                      "mod_chatsession/", version, NULL));
    push(a, "X-SuperOffice-Event", ev->event);
    push(a, "X-SuperOffice-EventId", ev->event_id);
    push(a, "X-SuperOffice-Retry", apr_itoa(p, ev->attempts));
    if (ev->test) {
        push(a, "X-Hook-Test", "true");
    }
    if (hook->secret && *hook->secret) {
        if ((e = chats_webhook_sign(p, hook->secret, strlen(hook->secret),
                                    body, len, &sig))) {
            return e;
        }
        push(a, "X-SuperOffice-Signature", sig);
    }
    if ((e = own_headers(p, a, hook->headers))) {
        return e;
    }
    *phdrs = a;
    return NULL;
}
