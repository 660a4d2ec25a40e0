/* Idempotency-Key: the header, the fingerprint, and the key's own
 * statements (mod_chats_idempotency.h). The key is the client's; it names one
 * request per associate for CHATS_IDEM_TTL. What the request was is its
 * fingerprint, a SHA-256 of the method, the route, the target (session id,
 * toAssociate, topic) and the body as parsed (so bytes that parse alike,
 * e.g. other white space, are the same request; the body is streamed into
 * the parser and never held as bytes). A key that answers another
 * fingerprint is 422. Glue. */
#include <apr_escape.h>
#include <apr_strings.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "mod_chats_idempotency.h"
#include "mod_chats_rights.h"
#include "chats_routes.h"

#define HEADER "Idempotency-Key"

static chats_err_t *bad_key(apr_pool_t *p, const char *why)
{
    return chats_err_make(p, CHATS_E_INVALID, HEADER, HEADER ": %s", why);
}

static int printable(char c)
{
    return (unsigned char)c >= 0x20 && (unsigned char)c <= 0x7e;
}

/* An RFC 8941 string ("...", with \" and \\ escaped, printable ASCII):
 * its value, NULL when malformed or followed by anything but white
 * space (no parameters). */
static const char *sf_string(apr_pool_t *p, const char *v)
{
    char *out = apr_palloc(p, strlen(v) + 1), *o = out;

    for (v++; *v && *v != '"'; v++) {
        if (*v == '\\' && (v[1] == '"' || v[1] == '\\')) {
            v++;
        }
        else if (*v == '\\' || !printable(*v)) {
            return NULL;
        }
        *o++ = *v;
    }
    if (*v != '"') {
        return NULL;
    }
    for (v++; *v == ' ' || *v == '\t'; v++) {
    }
    *o = '\0';
    return *v ? NULL : out;
}

/* The key of the header's value (httpd trimmed it): a structured
 * string, as the draft writes it, or the plain value, as most clients
 * send it. */
static chats_err_t *key_parse(apr_pool_t *p, const char *v, const char **pk)
{
    const char *c;

    if (*v == '"' && !(v = sf_string(p, v))) {
        return bad_key(p, "a quoted key must be a structured-field string "
                          "(\"...\", printable ASCII, \\\" and \\\\ "
                          "escaped)");
    }
    for (c = v; *c; c++) {
        if (!printable(*c)) {
            return bad_key(p, "the key must be printable ASCII");
        }
    }
    if (!*v || strlen(v) > CHATS_IDEM_KEY_MAX) {
        return bad_key(p, apr_psprintf(p, "the key must be 1 to %d bytes "
                                       "long", CHATS_IDEM_KEY_MAX));
    }
    *pk = v;
    return NULL;
}

/* One part of what the fingerprint covers, its length first: parts
 * cannot run into each other. */
static int digest_part(EVP_MD_CTX *c, const char *s)
{
    apr_uint64_t n = s ? strlen(s) : 0;
    unsigned char len[8];
    int i;

    for (i = 0; i < 8; i++) {
        len[i] = (unsigned char)(n >> (56 - 8 * i));
    }
    return EVP_DigestUpdate(c, len, sizeof(len))
           && (!n || EVP_DigestUpdate(c, s, (size_t)n));
}

/* The body that the request's fingerprint covers: an agent call's own
 * (its arguments: "no arguments" in any of its forms is none), the
 * REST body as read, or none. */
static const char *body_text(chats_req_t *q, const chats_doc_t *body)
{
    if (q->agent) {
        body = q->agent_body;
        if (body && body->type == CHATS_J_OBJECT
            && (!body->items || !body->items->nelts)) {
            body = NULL;
        }
    }
    return body ? chats_doc_to_json(q->r->pool, body, 0) : "";
}

static chats_err_t *fingerprint(chats_req_t *q, const chats_doc_t *body,
                                const char **pfp)
{
    apr_pool_t *p = q->r->pool;
    const char *parts[7];
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_MD_CTX *c;
    size_t i;
    int ok;

    parts[0] = "mod_chatsession idempotency 1";
    parts[1] = q->r->method;
    parts[2] = chats_route_path(p, q->route);
    parts[3] = apr_itoa(p, q->id);
    parts[4] = q->to_associate;
    parts[5] = apr_itoa(p, q->topic);
    parts[6] = body_text(q, body);
    if (!parts[6] || !(c = EVP_MD_CTX_new())) {
        return chats_err_make(p, CHATS_E_INTERNAL, NULL,
                              "the request's fingerprint could not be made");
    }
    ok = EVP_DigestInit_ex(c, EVP_sha256(), NULL);
    for (i = 0; ok && i < sizeof(parts) / sizeof(parts[0]); i++) {
        ok = digest_part(c, parts[i]);
    }
    ok = ok && EVP_DigestFinal_ex(c, md, &n);
    EVP_MD_CTX_free(c);
    if (!ok || n != 32) {
        return chats_err_make(p, CHATS_E_INTERNAL, NULL,
                              "the request's fingerprint could not be made");
    }
    *pfp = apr_pescape_hex(p, md, n, 0);
    return NULL;
}

chats_err_t *chats_idem_start(chats_req_t *q, const chats_doc_t *body,
                              chats_idem_t **pk)
{
    request_rec *r = q->r;
    const char *h;
    chats_idem_t *k;
    chats_err_t *e;

    *pk = NULL;
    if (!q->route || !(q->route->args & CHATS_ARG_IDEM)
        || !(h = apr_table_get(r->headers_in, HEADER))) {
        return NULL;
    }
    if (chats_rights_caller(q)->associate_id <= 0) {
        /* unreachable: only associates may write (README
         * "Authorization"); keys are an associate's */
        return chats_err_make(r->pool, CHATS_E_FORBIDDEN, HEADER,
                              HEADER ": keys are an associate's");
    }
    k = apr_pcalloc(r->pool, sizeof(*k));
    if ((e = key_parse(r->pool, h, &k->key)) != NULL
        || (e = fingerprint(q, body, &k->fp)) != NULL) {
        return e;
    }
    k->assoc = apr_itoa(r->pool, chats_rights_caller(q)->associate_id);
    k->status = "200";          /* every route that takes a key answers it */
    *pk = k;
    return NULL;
}

int chats_idem_params(const chats_idem_t *k, const char **values,
                      chats_ptype_e *types, int n)
{
    values[n] = k->assoc;
    types[n++] = CHATS_P_INT4;
    values[n] = k->key;
    types[n++] = CHATS_P_TEXT;
    values[n] = k->fp;
    types[n++] = CHATS_P_TEXT;
    values[n] = k->status;
    types[n++] = CHATS_P_INT2;
    return n;
}

int chats_idem_taken(const chats_err_t *e)
{
    return e && e->code == CHATS_E_KEY_REUSED;
}

static chats_err_t *reused(chats_req_t *q)
{
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, q->r, CHATS_LOGNO(480)
                  "Idempotency-Key sent again with another request: 422");
    return chats_err_make(q->r->pool, CHATS_E_KEY_REUSED, HEADER,
                          HEADER ": this key was used in the last %s for "
                          "another request (method, route, target or "
                          "body); nothing was written. Send this request "
                          "with a new key", CHATS_IDEM_TTL);
}

chats_err_t *chats_idem_lookup(chats_req_t *q, const chats_idem_t *k,
                               chats_idem_hit_t *hit)
{
    const chats_sql_t *sql = chats_srv_conf(q->r->server)->sql;
    const char *params[3];
    chats_store_t *st;
    chats_rows_t *rows;
    chats_err_t *e;

    memset(hit, 0, sizeof(*hit));
    params[0] = k->assoc;
    params[1] = k->key;
    params[2] = k->fp;
    if ((e = chats_store_open(&st, q->r)) != NULL
        || (e = chats_store_exec(st, &sql->idem_lookup, 3, params,
                                 &rows)) != NULL) {
        return e;
    }
    if (rows->nrows == 0) {
        return NULL;
    }
    if (!chats_rows_true(rows, 0, "same")) {
        return reused(q);
    }
    hit->found = 1;
    hit->status = chats_rows_get(rows, 0, "status")
                  ? atoi(chats_rows_get(rows, 0, "status")) : HTTP_OK;
    hit->entity = chats_rows_get(rows, 0, "entity_id");
    return NULL;
}

chats_err_t *chats_idem_after_taken(chats_req_t *q, const chats_idem_t *k,
                                    chats_idem_hit_t *hit)
{
    chats_err_t *e;

    if ((e = chats_idem_lookup(q, k, hit)) != NULL || hit->found) {
        return e;
    }
    /* the key that was in the way expired meanwhile: nothing is written,
     * and the same request with the same key may be sent again */
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, q->r, CHATS_LOGNO(481)
                  "Idempotency-Key: the key in the way of a write expired "
                  "before its answer was read: 503, nothing written");
    return chats_err_make(q->r->pool, CHATS_E_DB_DOWN, NULL,
                          "the request could not be completed, send it "
                          "again");
}

chats_err_t *chats_idem_record(chats_req_t *q, const chats_idem_t *k,
                               const char *entity, chats_idem_hit_t *hit)
{
    const chats_sql_t *sql = chats_srv_conf(q->r->server)->sql;
    const char *params[5], *stored;
    chats_store_t *st;
    chats_rows_t *rows;
    chats_err_t *e;

    memset(hit, 0, sizeof(*hit));
    params[0] = k->assoc;
    params[1] = k->key;
    params[2] = k->fp;
    params[3] = k->status;
    params[4] = entity;
    if ((e = chats_store_open(&st, q->r)) != NULL
        || (e = chats_store_exec(st, &sql->idem_record, 5, params,
                                 &rows)) != NULL) {
        return e;
    }
    stored = chats_rows_get(rows, 0, "stored");
    if (stored && strcmp(stored, "0")) {
        return NULL;
    }
    /* a request with the same key committed first: its answer */
    return chats_idem_after_taken(q, k, hit);
}

void chats_idem_replayed(chats_req_t *q, const chats_idem_hit_t *hit)
{
    request_rec *r = q->r;

    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, CHATS_LOGNO(482)
                  "Idempotency-Key: the answer of an earlier request "
                  "replayed (%d, entity %s)", hit->status,
                  hit->entity ? hit->entity : "null");
    r->status = hit->status;
    apr_table_setn(r->headers_out, "Idempotent-Replayed", "true");
}

chats_err_t *chats_idem_replayed_entity(chats_req_t *q,
                                        const chats_idem_hit_t *hit,
                                        const char *what,
                                        const chats_rows_t *rows)
{
    if (!hit->entity || !rows || rows->nrows != 1) {
        return chats_err_make(q->r->pool, CHATS_E_NOT_FOUND, NULL,
                              "%s id %s, this Idempotency-Key's answer, no "
                              "longer exists", what,
                              hit->entity ? hit->entity : "(none)");
    }
    chats_idem_replayed(q, hit);
    return NULL;
}
