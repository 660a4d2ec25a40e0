/* The Webhook family's own operations (issue 20, design §8): a test
 * event (POST Webhook/Test, TestWebhook, and an Active webhook's
 * creation), a caller's event (SignalEvent) and LastError, for REST and
 * WebhookAgent alike; and the agent's arguments of that family.
 *
 * A test never runs outbound HTTP on a request thread: the request
 * writes a probe row (chats_webhook_probe), gives its pooled connection
 * back, and looks at the row now and then until the deliverer
 * (mod_chats_deliver_probe.c) has written the outcome, or
 * ChatSessionWebhookTestWait has passed (503: no deliverer answered).
 * Each look takes a pooled connection for one statement only. Glue. */
#include <apr_lib.h>
#include <apr_strings.h>

#include "chats_netallow.h"
#include "chats_qstring.h"
#include "chats_webhook_payload.h"
#include "mod_chats_body.h"
#include "mod_chats_deliver.h"
#include "mod_chats_ops.h"
#include "mod_chats_rights.h"

/* The first look after this, then each one twice as late, up to MAX. */
#define LOOK_FIRST_MS 10
#define LOOK_MAX_MS 200

static const chats_ptype_e probe_types[] = {
    CHATS_P_TEXT, CHATS_P_TEXT, CHATS_P_TEXT, CHATS_P_JSONB, CHATS_P_JSONB,
    CHATS_P_INT4
};
static const char *const probe_cols[] = { "id", NULL };
static const chats_stmt_t probe_add = {
    "chats_webhook_probe_add",
    "INSERT INTO chats_webhook_probe (event_id, name, target_url, secret,"
    " headers, properties, actor) VALUES (gen_random_uuid(), $1, $2, $3,"
    " $4, $5, $6) RETURNING id",
    CHATS_RETRY_NEVER, 6, probe_types, probe_cols, NULL
};

static const chats_ptype_e id8_types[] = { CHATS_P_INT8 };
static const char *const look_cols[] = { "done", "ok", "message", NULL };
static const chats_stmt_t probe_look = {
    "chats_webhook_probe_look",
    "SELECT done_at IS NOT NULL AS done, ok, message"
    " FROM chats_webhook_probe WHERE id = $1",
    CHATS_RETRY_SAFE, 1, id8_types, look_cols, NULL
};
static const chats_stmt_t probe_drop = {
    "chats_webhook_probe_drop",
    "DELETE FROM chats_webhook_probe WHERE id = $1",
    CHATS_RETRY_SAFE, 1, id8_types, NULL, NULL
};

static const chats_ptype_e id4_types[] = { CHATS_P_INT4 };
static const char *const last_cols[] = { "last_error", NULL };
static const chats_stmt_t last_error = {
    "chats_webhook_last_error",
    "SELECT last_error FROM chats_webhook WHERE id = $1",
    CHATS_RETRY_SAFE, 1, id4_types, last_cols, NULL
};

/* One outbox row per Active webhook subscribed, all of one EventId; ids
 * from the outbox's sequence, as the capture triggers take them. */
static const chats_ptype_e signal_types[] = {
    CHATS_P_TEXT, CHATS_P_TEXT, CHATS_P_INT4, CHATS_P_JSONB, CHATS_P_INT4
};
static const chats_stmt_t signal_add = {
    "chats_webhook_signal",
    "INSERT INTO chats_webhook_outbox (id, webhook_id, event_id, event,"
    " entity, primary_key, field_values, actor)"
    " SELECT nextval('chats_webhook_outbox_id_seq'), h.id, e.u, $1, $2,"
    " $3, $4, $5 FROM (SELECT gen_random_uuid() AS u) e, chats_webhook h"
    " WHERE h.state = 1 AND h.events ? $1 ORDER BY h.id",
    CHATS_RETRY_NEVER, 5, signal_types, NULL, NULL
};

static chats_err_t *bad(apr_pool_t *p, const char *field, const char *what)
{
    return chats_err_make(p, CHATS_E_INVALID, field, "%s %s", field, what);
}

static const char *actor(const chats_req_t *q)
{
    const chats_caller_t *c = chats_rights_caller(q);

    return apr_itoa(q->r->pool, c ? (int)c->associate_id : 0);
}

/* Run one statement on a pooled connection, given back at once. */
static chats_err_t *run_once(request_rec *r, const chats_stmt_t *stmt,
                             int n, const char *const *params,
                             chats_rows_t **prows)
{
    chats_store_t *st;
    chats_rows_t *rows;
    chats_err_t *e;

    if ((e = chats_store_open(&st, r)) == NULL) {
        e = chats_store_exec(st, stmt, n, params, prows ? prows : &rows);
    }
    chats_store_release(r);
    return e;
}

/* ---- the webhook a test is sent to ---------------------------------- */

/* Member name of hook (any case) if it is a string; "" if absent or
 * null; *pbad when it is something else. */
static const char *hook_string(apr_pool_t *p, const chats_doc_t *hook,
                               const char *name, int *pbad)
{
    const chats_doc_t *d = chats_doc_object_get(hook, name, strlen(name), 1);

    if (!d || d->type == CHATS_J_NULL) {
        return "";
    }
    if (d->type != CHATS_J_STRING) {
        *pbad = 1;
        return "";
    }
    return apr_pstrmemdup(p, d->s, d->len);
}

/* Member name of hook as JSON object text ("{}" if absent or null). */
static chats_err_t *hook_object(apr_pool_t *p, const chats_doc_t *hook,
                                const char *name, const char **pjson)
{
    const chats_doc_t *d = chats_doc_object_get(hook, name, strlen(name), 1);

    *pjson = "{}";
    if (!d || d->type == CHATS_J_NULL) {
        return NULL;
    }
    if (d->type != CHATS_J_OBJECT
        || (*pjson = chats_doc_to_json(p, d, 0)) == NULL) {
        return bad(p, name, "must be a JSON object");
    }
    return NULL;
}

/* Headers as the deliverer will send them (its own rule). */
static chats_err_t *hook_headers(apr_pool_t *p, const chats_doc_t *hook,
                                 const char **pjson)
{
    const chats_doc_t *d = chats_doc_object_get(hook, "Headers", 7, 1);
    chats_err_t *e;
    int i;

    if ((e = hook_object(p, hook, "Headers", pjson)) != NULL || !d
        || d->type != CHATS_J_OBJECT) {
        return e;
    }
    for (i = 0; i < chats_doc_object_len(d); i++) {
        const chats_member_t *m = chats_doc_object_at(d, i);

        if (m->value->type != CHATS_J_STRING) {
            return bad(p, "Headers", "must map names to strings");
        }
        if ((e = chats_webhook_header_check(
                 p, apr_pstrmemdup(p, m->name, m->name_len),
                 m->value->s)) != NULL) {
            return e;
        }
    }
    return NULL;
}

/* The probe's values ($1..$6 of probe_add) from hook; a target the
 * allow list refuses is *prefused (the test's answer), not an error. */
static chats_err_t *probe_values(chats_req_t *q, const chats_doc_t *hook,
                                 const char **v, const char **prefused)
{
    apr_pool_t *p = q->r->pool;
    chats_webhook_conf_t conf = chats_webhook_conf(q->r->server);
    chats_err_t *e;
    int wrong = 0;

    *prefused = NULL;
    if (!hook || hook->type != CHATS_J_OBJECT) {
        return chats_err_make(p, CHATS_E_INVALID, NULL,
                              "the webhook to test must be a JSON object");
    }
    v[0] = hook_string(p, hook, "Name", &wrong);
    v[1] = hook_string(p, hook, "TargetUrl", &wrong);
    v[2] = hook_string(p, hook, "Secret", &wrong);
    v[5] = actor(q);
    if (wrong) {
        return chats_err_make(p, CHATS_E_INVALID, NULL, "Name, TargetUrl "
                              "and Secret must be strings");
    }
    if ((e = hook_headers(p, hook, &v[3])) != NULL
        || (e = hook_object(p, hook, "Properties", &v[4])) != NULL) {
        return e;
    }
    if (!*v[1]) {
        return bad(p, "TargetUrl", "is required");
    }
    if ((e = chats_netallow_url_check(p, conf.allow, v[1])) != NULL) {
        *prefused = apr_pstrcat(p, "refused: ", e->message, NULL);
    }
    return NULL;
}

/* ---- the probe --------------------------------------------------------- */

/* Look at probe id until it is done or the wait is over (*pdone 0). */
static chats_err_t *probe_wait(request_rec *r, const char *id, int wait_s,
                               int *pdone, chats_rows_t **prows)
{
    apr_time_t until = apr_time_now() + apr_time_from_sec(wait_s);
    apr_interval_time_t pause = apr_time_from_msec(LOOK_FIRST_MS);
    chats_err_t *e;

    *pdone = 0;
    for (;;) {
        apr_sleep(pause);
        if ((e = run_once(r, &probe_look, 1, &id, prows)) != NULL) {
            return e;
        }
        if ((*prows)->nrows == 0) {
            return chats_err_make(r->pool, CHATS_E_INTERNAL, NULL, "the "
                                  "webhook test's probe row went away");
        }
        if ((*pdone = chats_rows_true(*prows, 0, "done")) != 0
            || apr_time_now() >= until) {
            return NULL;
        }
        pause = pause * 2 > apr_time_from_msec(LOOK_MAX_MS)
                ? apr_time_from_msec(LOOK_MAX_MS) : pause * 2;
    }
}

/* Send hook's test event through the deliverer: *pok and *pmsg say how it
 * went (a refused target without sending anything). */
static chats_err_t *probe_run(chats_req_t *q, const chats_doc_t *hook,
                              int *pok, const char **pmsg)
{
    request_rec *r = q->r;
    const char *v[6], *id;
    chats_rows_t *rows;
    chats_err_t *e;
    int done, wait_s = chats_webhook_conf(r->server).test_wait_s;

    *pok = 0;
    if ((e = probe_values(q, hook, v, pmsg)) != NULL || *pmsg) {
        return e;
    }
    if ((e = run_once(r, &probe_add, 6, v, &rows)) != NULL) {
        return e;
    }
    id = apr_pstrdup(r->pool, chats_rows_get(rows, 0, "id"));
    e = probe_wait(r, id, wait_s, &done, &rows);
    /* gone either way: a late deliverer finds nothing to send */
    (void)run_once(r, &probe_drop, 1, &id, NULL);
    if (e) {
        return e;
    }
    if (!done) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, CHATS_LOGNO(720)
                      "webhook test: no deliverer sent it within %d s "
                      "(ChatSessionWebhookTestWait; is "
                      "ChatSessionWebhookDelivery Off everywhere?)", wait_s);
        return chats_err_make(r->pool, CHATS_E_DB_DOWN, NULL,
                              "no webhook deliverer sent the test event "
                              "within %d s (ChatSessionWebhookTestWait)",
                              wait_s);
    }
    *pok = chats_rows_true(rows, 0, "ok");
    *pmsg = chats_rows_get(rows, 0, "message");
    *pmsg = *pmsg ? apr_pstrdup(r->pool, *pmsg) : "";
    return NULL;
}

/* ---- bodies ------------------------------------------------------------ */

/* Whether the request has no body at all. */
static int no_body(request_rec *r)
{
    const char *cl = apr_table_get(r->headers_in, "Content-Length");
    apr_off_t n;

    if (apr_table_get(r->headers_in, "Transfer-Encoding")) {
        return 0;
    }
    return !cl || (ap_parse_strict_length(&n, cl) && n == 0);
}

/* The REST body as a document (NULL for none when may_lack), JSON, or
 * the agent's member bound already (q->arg_body). */
static chats_err_t *body_doc(chats_req_t *q, int may_lack,
                             const chats_doc_t **pdoc)
{
    request_rec *r = q->r;
    chats_media_e media;
    chats_doc_t *doc;
    chats_err_t *e;

    *pdoc = q->arg_body;
    if (q->agent || q->arg_body || (may_lack && no_body(r))) {
        return NULL;
    }
    /* A slow upload must not hold one of DBDMax connections meanwhile. */
    chats_store_release(r);
    if ((e = chats_body_media(r, &media)) != NULL
        || (e = chats_body_read(r, q->entity, media,
                                chats_conf_max_body(chats_dir_conf(r)),
                                &doc)) != NULL) {
        return e;
    }
    chats_http_body_read(r);
    *pdoc = doc->type == CHATS_J_NULL && may_lack ? NULL : doc;
    return NULL;
}

/* ---- Test -------------------------------------------------------------- */

chats_err_t *chats_webhook_test(chats_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    const chats_doc_t *hook;
    chats_doc_t *res;
    const char *msg;
    chats_err_t *e;
    int ok;

    if ((e = chats_rights_require(q, CHATS_DO_READ)) != NULL
        || (e = body_doc(q, 0, &hook)) != NULL
        || (e = probe_run(q, hook, &ok, &msg)) != NULL) {
        return e;
    }
    res = chats_doc_object(p);
    chats_doc_object_add(res, "Success", chats_doc_bool(p, ok));
    chats_doc_object_add(res, "Message", chats_doc_strz(p, msg));
    return chats_resource_answer(q, res, "WebhookResult", "the result");
}

/* ---- create ------------------------------------------------------------ */

/* Whether a new webhook's State (absent: the table's default) is
 * Active; a value that is no state is left to the write's own check. */
static int active(const chats_doc_t *hook)
{
    const chats_doc_t *s = chats_doc_object_get(hook, "State", 5, 1);

    if (!s || s->type == CHATS_J_NULL) {
        return 1;
    }
    return (s->type == CHATS_J_STRING && !strcasecmp(s->s, "Active"))
           || (s->type == CHATS_J_NUMBER && !strcmp(s->s, "1"));
}

chats_err_t *chats_resource_create(chats_req_t *q)
{
    const chats_doc_t *hook;
    const char *msg;
    chats_err_t *e;
    int ok;

    if (q->entity != &chats_webhook_def) {
        return chats_resource_post(q);
    }
    /* An Active webhook is tested first, as SuperOffice registers one: a
     * target that does not answer 2xx is not saved. */
    if ((e = chats_rights_require(q, CHATS_DO_CREATE)) != NULL
        || (e = body_doc(q, 0, &hook)) != NULL) {
        return e;
    }
    if (hook->type == CHATS_J_OBJECT && active(hook)) {
        if ((e = probe_run(q, hook, &ok, &msg)) != NULL) {
            return e;
        }
        if (!ok) {
            return chats_err_make(q->r->pool, CHATS_E_INVALID, "TargetUrl",
                                  "TargetUrl: the test event failed (%s); "
                                  "nothing was saved (a webhook created "
                                  "with State Stopped is not tested)", msg);
        }
    }
    q->arg_body = hook;
    return chats_resource_post(q);
}

/* ---- LastError ----------------------------------------------------------- */

chats_err_t *chats_webhook_get_last_error(chats_req_t *q)
{
    const char *id = apr_itoa(q->r->pool, q->id);
    chats_rows_t *rows;
    chats_err_t *e;

    if ((e = chats_rights_require(q, CHATS_DO_READ)) != NULL
        || (e = run_once(q->r, &last_error, 1, &id, &rows)) != NULL) {
        return e;
    }
    if (!rows->nrows) {
        return chats_resource_not_found(q);
    }
    return chats_resource_answer(q, chats_doc_strz(q->r->pool,
                                                   chats_rows_get(rows, 0,
                                                                  "last_error")),
                                 "string", "the last error");
}

/* ---- Signal ------------------------------------------------------------ */

/* entity.action in lower case (letters, digits, _), as a webhook's
 * Events hold them (chats_webhook_check.c); *pdot: the dot's offset. */
static int event_name_ok(const char *s, apr_size_t *pdot)
{
    apr_size_t i, dot = 0;

    for (i = 0; s[i]; i++) {
        if (s[i] == '.' && !dot && i > 0) {
            dot = i;
        }
        else if (!apr_islower(s[i]) && !apr_isdigit(s[i]) && s[i] != '_') {
            return 0;
        }
    }
    *pdot = dot;
    return dot && dot + 1 < i && i <= 255;
}

/* The module's own events are the module's to send: nobody forges one. */
static chats_err_t *signal_name(apr_pool_t *p, const char *name,
                                const char **pentity)
{
    apr_size_t dot;

    if (!name || !event_name_ok(name, &dot)) {
        return bad(p, "eventName", "must be entity.action in lower case "
                   "(letters, digits, _)");
    }
    *pentity = apr_pstrmemdup(p, name, dot);
    if (!strcmp(*pentity, "chatsession") || !strcmp(*pentity, "webhook")) {
        return chats_err_make(p, CHATS_E_INVALID, "eventName", "eventName "
                              "%s: %s.* events are the server's own", name,
                              *pentity);
    }
    return NULL;
}

/* A decimal int32 (0 or more), else -1. */
static apr_int64_t int32_of(const char *s, apr_size_t len)
{
    apr_int64_t v = 0;
    apr_size_t i;

    for (i = 0; i < len; i++) {
        if (!apr_isdigit(s[i]) || (v = v * 10 + (s[i] - '0')) > INT32_MAX) {
            return -1;
        }
    }
    return len ? v : -1;
}

chats_err_t *chats_webhook_signal(chats_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    const char *v[5];
    const chats_doc_t *data;
    apr_int64_t key = q->primary_key;
    chats_err_t *e;

    if ((e = chats_rights_require(q, CHATS_DO_CREATE)) != NULL) {
        return e;
    }
    if (!q->agent) {
        q->event_name = q->to_associate;
        key = q->key_seg ? int32_of(q->key_seg, strlen(q->key_seg)) : -1;
    }
    if ((e = signal_name(p, q->event_name, &v[1])) != NULL) {
        return e;
    }
    if (key < 0) {
        return bad(p, "primaryKey", "must be a whole number (0 to "
                   "2147483647)");
    }
    if ((e = body_doc(q, 1, &data)) != NULL) {
        return e;
    }
    if (data && data->type != CHATS_J_OBJECT) {
        return bad(p, "data", "must be a JSON object");
    }
    v[0] = q->event_name;
    v[2] = apr_psprintf(p, "%" APR_INT64_T_FMT, key);
    v[3] = data ? chats_doc_to_json(p, data, 0) : NULL;
    v[4] = actor(q);
    if (data && !v[3]) {
        return bad(p, "data", "is nested too deeply");
    }
    if ((e = run_once(q->r, &signal_add, 5, v, NULL)) != NULL) {
        return e;
    }
    q->r->status = HTTP_NO_CONTENT;
    return NULL;
}

/* ---- the WebhookAgent's arguments ----------------------------------------- */

static const chats_doc_t *member(const chats_req_t *q, const char *name)
{
    const chats_doc_t *d = q->agent_body;

    d = d && d->type == CHATS_J_OBJECT
        ? chats_doc_object_get(d, name, strlen(name), 1) : NULL;
    return d && d->type != CHATS_J_NULL ? d : NULL;
}

static chats_err_t *member_id(chats_req_t *q, const char *name,
                              apr_int64_t *pv)
{
    const chats_doc_t *d = member(q, name);

    if (!d) {
        return chats_err_make(q->r->pool, CHATS_E_INVALID, name,
                              "%s is required", name);
    }
    if ((d->type != CHATS_J_NUMBER && d->type != CHATS_J_STRING)
        || (*pv = int32_of(d->s, d->len)) < 0) {
        return bad(q->r->pool, name, "must be a whole number (0 to "
                   "2147483647)");
    }
    return NULL;
}

/* A member's value as a query string would carry it: every byte but
 * letters and digits %XX, so that decoding gives it back as it is. */
static const char *as_query(apr_pool_t *p, const chats_doc_t *d)
{
    char *out = apr_palloc(p, d->len * 3 + 1), *o = out;
    apr_size_t i;

    for (i = 0; i < d->len; i++) {
        unsigned char c = (unsigned char)d->s[i];

        if (apr_isalnum(c)) {
            *o++ = (char)c;
        }
        else {
            o += apr_snprintf(o, 4, "%%%02X", c);
        }
    }
    *o = '\0';
    return out;
}

/* GetAllWebhooks: its members are the REST list's aliases. */
static chats_err_t *bind_filters(chats_req_t *q)
{
    static const chats_qparam_e which[] = {
        CHATS_Q_NAME_FILTER, CHATS_Q_EVENT_FILTER, CHATS_Q_STATUS_FILTER
    };
    chats_qstring_t *qs = apr_pcalloc(q->r->pool, sizeof(*qs));
    size_t i;

    for (i = 0; i < sizeof(which) / sizeof(which[0]); i++) {
        const char *name = chats_qparam_name(which[i]);
        const chats_doc_t *d = member(q, name);

        if (d && d->type != CHATS_J_STRING && d->type != CHATS_J_NUMBER) {
            return bad(q->r->pool, name, "must be a string");
        }
        qs->raw[which[i]] = d ? as_query(q->r->pool, d) : NULL;
    }
    q->qs = qs;
    return NULL;
}

chats_err_t *chats_webhook_bind(chats_req_t *q)
{
    unsigned args = q->route->args;
    const chats_doc_t *d;
    apr_int64_t v;
    chats_err_t *e;

    if (args & CHATS_ARG_HOOK_ID) {
        if ((e = member_id(q, "webhookId", &v)) != NULL) {
            return e;
        }
        q->id = (apr_int32_t)v;
    }
    if (args & CHATS_ARG_WEBHOOK) {
        if (!(d = member(q, "webhook")) || d->type != CHATS_J_OBJECT) {
            return bad(q->r->pool, "webhook", "must be a Webhook object");
        }
        q->arg_body = d;
    }
    if (args & CHATS_ARG_EVENT) {
        d = member(q, "eventName");
        q->event_name = d && d->type == CHATS_J_STRING
                        ? apr_pstrmemdup(q->r->pool, d->s, d->len) : NULL;
        if ((e = member_id(q, "primaryKey", &v)) != NULL) {
            return e;
        }
        q->primary_key = (apr_int32_t)v;
        q->arg_body = member(q, "data");
    }
    return (args & CHATS_ARG_FILTERS) ? bind_filters(q) : NULL;
}
