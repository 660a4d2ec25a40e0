/* Webhook POSTs on libcurl's multi interface (chats_webhook_http.h).
 *
 * Each request lives in its own sub-pool of the transport's pool: its
 * easy handle, parsed URL, header list and body copy are freed by that
 * pool's cleanup, which first takes the handle out of the multi handle.
 * APR destroys sub-pools before it runs a pool's own cleanups, so the
 * multi handle (the transport pool's cleanup) always outlives the easy
 * handles in it. */
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include <apr_strings.h>

#include "chats_webhook_http.h"
#include "chats_webhook_payload.h"

#define DEF_CONNECT_MS 5000
#define DEF_TIMEOUT_MS 10000
#define DEF_CAP (64 * 1024)

typedef struct req_t req_t;

struct chats_webhook_http_t {
    apr_pool_t *pool;
    CURLM *multi;
    chats_webhook_http_conf_t conf;
    req_t *live;                /* every request not yet returned */
    int pending;
};

struct req_t {
    chats_webhook_http_t *h;
    apr_pool_t *pool;
    req_t *prev, *next;
    CURL *easy;
    CURLU *url;
    struct curl_slist *hdrs;
    int attached;               /* in h->multi */
    int https;
    int done;                   /* finished without a transfer: */
    chats_webhook_outcome_e early;
    const char *early_why;
    void *user;
    apr_time_t started;
    const char *refusal;        /* the SSRF policy's reason, if it said no */
    char reason[128];           /* the status line's phrase */
    apr_size_t header_bytes;
    int over_headers;
    chats_webhook_sink_t sink;
    char errbuf[CURL_ERROR_SIZE];
};

static apr_status_t global_cleanup(void *unused)
{
    (void)unused;
    curl_global_cleanup();
    return APR_SUCCESS;
}

chats_err_t *chats_webhook_http_global_init(apr_pool_t *p)
{
    const curl_version_info_data *v;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        return chats_err_make(p, CHATS_E_MISCONFIGURED, NULL,
                              "libcurl's global set-up failed");
    }
    apr_pool_cleanup_register(p, NULL, global_cleanup,
                              apr_pool_cleanup_null);
    v = curl_version_info(CURLVERSION_NOW);
    if (v->version_num < 0x075500) {
        return chats_err_make(p, CHATS_E_MISCONFIGURED, NULL,
                              "libcurl %s is loaded; webhook deliveries "
                              "need 7.85 or later", v->version);
    }
    if (!(v->features & CURL_VERSION_SSL)) {
        return chats_err_make(p, CHATS_E_MISCONFIGURED, NULL,
                              "libcurl %s has no TLS; webhook deliveries "
                              "need https", v->version);
    }
    return NULL;
}

static apr_status_t multi_cleanup(void *data)
{
    chats_webhook_http_t *h = data;

    curl_multi_cleanup(h->multi);
    h->multi = NULL;
    return APR_SUCCESS;
}

chats_err_t *chats_webhook_http_create(apr_pool_t *p,
                                       const chats_webhook_http_conf_t *conf,
                                       chats_webhook_http_t **ph)
{
    chats_webhook_http_t *h;
    apr_pool_t *sub;

    if (apr_pool_create(&sub, p) != APR_SUCCESS) {
        return chats_err_make(p, CHATS_E_INTERNAL, NULL, "out of memory");
    }
    apr_pool_tag(sub, "chats_webhook_http");
    h = apr_pcalloc(sub, sizeof(*h));
    h->pool = sub;
    h->conf = *conf;
    if (h->conf.connect_timeout_ms <= 0) {
        h->conf.connect_timeout_ms = DEF_CONNECT_MS;
    }
    if (h->conf.timeout_ms <= 0) {
        h->conf.timeout_ms = DEF_TIMEOUT_MS;
    }
    if (h->conf.body_cap == 0) {
        h->conf.body_cap = DEF_CAP;
    }
    if ((h->multi = curl_multi_init()) == NULL) {
        apr_pool_destroy(sub);
        return chats_err_make(p, CHATS_E_INTERNAL, NULL,
                              "curl_multi_init failed");
    }
    apr_pool_cleanup_register(sub, h, multi_cleanup, apr_pool_cleanup_null);
    if (conf->max_host_connections > 0) {
        curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                          conf->max_host_connections);
    }
    if (conf->max_total_connections > 0) {
        curl_multi_setopt(h->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                          conf->max_total_connections);
    }
    *ph = h;
    return NULL;
}

/* ------------------------------------------------------------ callbacks */

/* Called for every address libcurl is about to connect to, after DNS:
 * a refused one gets no socket, so not a packet leaves for it. */
static curl_socket_t open_socket(void *clientp, curlsocktype purpose,
                                 struct curl_sockaddr *a)
{
    req_t *q = clientp;
    struct sockaddr_storage ss;
    apr_size_t len = a->addrlen;
    const char *why;

    if (purpose != CURLSOCKTYPE_IPCXN || len > sizeof(ss)) {
        q->refusal = "not an outgoing IP connection";
        return CURL_SOCKET_BAD;
    }
    memset(&ss, 0, sizeof(ss));
    memcpy(&ss, &a->addr, len);
    why = chats_netallow_check(q->pool, q->h->conf.allow, q->https,
                               (struct sockaddr *)&ss, len);
    if (why) {
        q->refusal = why;
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* Called once connected (or given a kept-alive connection) and before
 * the request is sent: the check again, on the address in use. */
static int prereq(void *clientp, char *primary_ip, char *local_ip,
                  int primary_port, int local_port)
{
    req_t *q = clientp;
    const char *why = chats_netallow_check_text(q->pool, q->h->conf.allow,
                                                q->https, primary_ip);

    (void)local_ip;
    (void)primary_port;
    (void)local_port;
    if (why) {
        q->refusal = why;
        return CURL_PREREQFUNC_ABORT;
    }
    return CURL_PREREQFUNC_OK;
}

/* Each header line: the status line's phrase kept, the bytes counted. */
static size_t on_header(char *line, size_t size, size_t n, void *userdata)
{
    req_t *q = userdata;
    size_t len = size * n;

    q->header_bytes += len;
    if (q->header_bytes > q->h->conf.body_cap) {
        q->over_headers = 1;
        return 0;
    }
    if (len > 12 && !strncmp(line, "HTTP/", 5)) {
        /* "HTTP/1.1 302 Found": the phrase after the second space (none
         * in HTTP/2); the status itself comes from CURLINFO_RESPONSE_CODE */
        const char *sp = memchr(line, ' ', len);
        size_t at = sp ? (size_t)(sp - line) + 5 : len, k = 0;

        while (at < len && line[at] != '\r' && line[at] != '\n'
               && k < sizeof(q->reason) - 1) {
            q->reason[k++] = line[at++];
        }
        q->reason[k] = '\0';
    }
    return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *userdata)
{
    req_t *q = userdata;

    return chats_webhook_sink_add(&q->sink, data, size * n) ? size * n : 0;
}

/* ------------------------------------------------------------ requests */

static apr_status_t req_cleanup(void *data)
{
    req_t *q = data;

    if (q->attached) {
        curl_multi_remove_handle(q->h->multi, q->easy);
    }
    curl_easy_cleanup(q->easy);
    curl_url_cleanup(q->url);
    curl_slist_free_all(q->hdrs);
    if (q->prev) {
        q->prev->next = q->next;
    }
    else {
        q->h->live = q->next;
    }
    if (q->next) {
        q->next->prev = q->prev;
    }
    q->h->pending--;
    return APR_SUCCESS;
}

/* The header lines of the request, "Expect:" (no 100-continue wait)
 * last; 0 when libcurl is out of memory. */
static int req_headers(req_t *q, const apr_array_header_t *headers)
{
    struct curl_slist *l;
    int i;

    for (i = 0; headers && i < headers->nelts; i++) {
        const chats_webhook_header_t *hd =
            &APR_ARRAY_IDX(headers, i, chats_webhook_header_t);
        const char *line = *hd->value
            ? apr_pstrcat(q->pool, hd->name, ": ", hd->value, NULL)
            : apr_pstrcat(q->pool, hd->name, ";", NULL);

        if ((l = curl_slist_append(q->hdrs, line)) == NULL) {
            return 0;
        }
        q->hdrs = l;
    }
    if ((l = curl_slist_append(q->hdrs, "Expect:")) == NULL) {
        return 0;
    }
    q->hdrs = l;
    return 1;
}

/* The URL as libcurl will use it; NULL, or why it will not be sent. */
static const char *req_url(req_t *q, const char *url)
{
    char *scheme = NULL, *user = NULL;
    CURLUcode uc;
    int http;

    if ((uc = curl_url_set(q->url, CURLUPART_URL, url, 0)) != CURLUE_OK) {
        return apr_psprintf(q->pool, "TargetUrl: %s", curl_url_strerror(uc));
    }
    if (curl_url_get(q->url, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
        return "TargetUrl has no scheme";
    }
    q->https = !strcasecmp(scheme, "https");
    http = !strcasecmp(scheme, "http");
    curl_free(scheme);
    if (curl_url_get(q->url, CURLUPART_USER, &user, 0) == CURLUE_OK) {
        curl_free(user);
        return "TargetUrl has user information";
    }
    if (!q->https && !http) {
        return "TargetUrl is not an http: or https: URL";
    }
    if (http && !(q->h->conf.allow && q->h->conf.allow->http)) {
        return "plain http is not allowed by ChatSessionWebhookAllow "
               "(it has no 'http')";
    }
    return NULL;
}

#define SET(opt, val) \
    (rc = (rc != CURLE_OK ? rc : curl_easy_setopt(q->easy, opt, val)))

static CURLcode req_options(req_t *q, const char *body, apr_size_t len)
{
    const chats_webhook_http_conf_t *c = &q->h->conf;
    CURLcode rc = CURLE_OK;

    SET(CURLOPT_PRIVATE, q);
    SET(CURLOPT_CURLU, q->url);
    SET(CURLOPT_PROTOCOLS_STR, q->https ? "https" : "http");
    SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    SET(CURLOPT_POSTFIELDS, body);
    SET(CURLOPT_HTTPHEADER, q->hdrs);
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_PROXY, "");
    SET(CURLOPT_NOPROXY, "*");
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    SET(CURLOPT_TIMEOUT_MS, c->timeout_ms);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    if (c->cafile) {
        SET(CURLOPT_CAINFO, c->cafile);
    }
    SET(CURLOPT_OPENSOCKETFUNCTION, open_socket);
    SET(CURLOPT_OPENSOCKETDATA, q);
    SET(CURLOPT_PREREQFUNCTION, prereq);
    SET(CURLOPT_PREREQDATA, q);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, q);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, q);
    SET(CURLOPT_ERRORBUFFER, q->errbuf);
    return rc;
}

chats_err_t *chats_webhook_http_add(chats_webhook_http_t *h, const char *url,
                                    const apr_array_header_t *headers,
                                    const char *body, apr_size_t len,
                                    void *user)
{
    apr_pool_t *rp;
    req_t *q;
    CURLcode rc;

    if (apr_pool_create(&rp, h->pool) != APR_SUCCESS) {
        return chats_err_make(h->pool, CHATS_E_INTERNAL, NULL,
                              "out of memory");
    }
    q = apr_pcalloc(rp, sizeof(*q));
    q->h = h;
    q->pool = rp;
    q->user = user;
    q->started = apr_time_now();
    q->sink.cap = h->conf.body_cap;
    q->next = h->live;
    if (h->live) {
        h->live->prev = q;
    }
    h->live = q;
    h->pending++;
    apr_pool_cleanup_register(rp, q, req_cleanup, apr_pool_cleanup_null);
    q->easy = curl_easy_init();
    q->url = curl_url();
    if (!q->easy || !q->url || !req_headers(q, headers)) {
        apr_pool_destroy(rp);
        return chats_err_make(h->pool, CHATS_E_INTERNAL, NULL,
                              "libcurl could not set a request up");
    }
    if ((q->early_why = req_url(q, url)) != NULL) {
        q->done = 1;
        q->early = CHATS_WEBHOOK_REFUSED;
        return NULL;
    }
    body = len ? apr_pmemdup(rp, body, len) : "";
    if ((rc = req_options(q, body, len)) != CURLE_OK
        || curl_multi_add_handle(h->multi, q->easy) != CURLM_OK) {
        apr_pool_destroy(rp);
        return chats_err_make(h->pool, CHATS_E_INTERNAL, NULL,
                              "libcurl could not set a request up: %s",
                              curl_easy_strerror(rc));
    }
    q->attached = 1;
    return NULL;
}

/* ------------------------------------------------------------ outcomes */

static int tls_error(CURLcode rc)
{
    switch (rc) {
    case CURLE_SSL_CONNECT_ERROR: case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM: case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE: case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH: case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE: case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED: case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED: case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
        return 1;
    default:
        return 0;
    }
}

/* The outcome of a transfer that ended with rc. */
static chats_webhook_outcome_e outcome_of(req_t *q, CURLcode rc, long status,
                                          chats_webhook_result_t *r)
{
    int by_status = rc == CURLE_OK
        || (rc == CURLE_WRITE_ERROR && !q->over_headers && status > 0);

    if (by_status) {
        r->truncated = rc != CURLE_OK;
        return status >= 200 && status < 300 ? CHATS_WEBHOOK_OK
                                             : CHATS_WEBHOOK_HTTP_ERROR;
    }
    if (q->over_headers) {
        return CHATS_WEBHOOK_TOO_LARGE;
    }
    if (q->refusal && (rc == CURLE_COULDNT_CONNECT
                       || rc == CURLE_ABORTED_BY_CALLBACK)) {
        return CHATS_WEBHOOK_REFUSED;
    }
    if (rc == CURLE_OPERATION_TIMEDOUT) {
        return CHATS_WEBHOOK_TIMEOUT;
    }
    if (tls_error(rc)) {
        return CHATS_WEBHOOK_TLS_ERROR;
    }
    if (rc == CURLE_WEIRD_SERVER_REPLY || rc == CURLE_UNSUPPORTED_PROTOCOL
        || rc == CURLE_HTTP2 || rc == CURLE_HTTP2_STREAM) {
        return CHATS_WEBHOOK_HTTP_ERROR;
    }
    return CHATS_WEBHOOK_CONNECT_ERROR;
}

/* LastError of a transfer that did not end with a 2xx. */
static const char *failure_text(req_t *q, apr_pool_t *rp, CURLcode rc,
                                chats_webhook_result_t *r)
{
    const char *detail, *loc = NULL;

    if (r->outcome == CHATS_WEBHOOK_HTTP_ERROR && r->status > 0) {
        if (r->status >= 300 && r->status < 400) {
            curl_easy_getinfo(q->easy, CURLINFO_REDIRECT_URL, &loc);
        }
        detail = chats_webhook_last_error(rp, r->outcome, r->status,
                                          q->reason, loc, q->sink.kept,
                                          q->sink.nkept);
        return q->sink.total > q->sink.nkept && !loc
            ? apr_pstrcat(rp, detail, "...", NULL) : detail;
    }
    if (r->outcome == CHATS_WEBHOOK_REFUSED) {
        detail = q->refusal;
    }
    else if (r->outcome == CHATS_WEBHOOK_TOO_LARGE) {
        detail = apr_psprintf(rp, "the response headers passed %lu bytes",
                              (unsigned long)q->h->conf.body_cap);
    }
    else {
        detail = *q->errbuf ? q->errbuf : curl_easy_strerror(rc);
    }
    return chats_webhook_last_error(rp, r->outcome, 0, NULL, NULL, detail,
                                    strlen(detail));
}

static void result_of(req_t *q, CURLcode rc, apr_pool_t *rp,
                      chats_webhook_result_t *r)
{
    long status = 0, conns = 0;
    char *ip = NULL;

    memset(r, 0, sizeof(*r));
    r->user = q->user;
    r->elapsed = apr_time_now() - q->started;
    r->ip = "";
    if (q->done) {
        r->outcome = q->early;
        r->last_error = chats_webhook_last_error(rp, q->early, 0, NULL, NULL,
                                                 q->early_why,
                                                 strlen(q->early_why));
        r->body = "";
        return;
    }
    curl_easy_getinfo(q->easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(q->easy, CURLINFO_NUM_CONNECTS, &conns);
    if (curl_easy_getinfo(q->easy, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK
        && ip) {
        r->ip = apr_pstrdup(rp, ip);
    }
    r->status = (int)status;
    r->new_connections = conns;
    r->outcome = outcome_of(q, rc, status, r);
    r->body = apr_pstrmemdup(rp, q->sink.kept, q->sink.nkept);
    r->body_len = q->sink.nkept;
    if (r->outcome != CHATS_WEBHOOK_OK) {
        r->last_error = failure_text(q, rp, rc, r);
    }
}

/* Everything finished into done; each request's pool destroyed. */
static void collect(chats_webhook_http_t *h, apr_pool_t *rp,
                    apr_array_header_t *done)
{
    req_t *q, *next;
    CURLMsg *m;
    int left;

    for (q = h->live; q; q = next) {
        next = q->next;
        if (q->done) {
            result_of(q, CURLE_OK, rp,
                      &APR_ARRAY_PUSH(done, chats_webhook_result_t));
            apr_pool_destroy(q->pool);
        }
    }
    while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
        CURL *easy = m->easy_handle;
        CURLcode rc = m->data.result;
        char *priv = NULL;

        if (m->msg != CURLMSG_DONE
            || curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv) != CURLE_OK
            || priv == NULL) {
            continue;
        }
        q = (req_t *)priv;
        result_of(q, rc, rp, &APR_ARRAY_PUSH(done, chats_webhook_result_t));
        apr_pool_destroy(q->pool);
    }
}

chats_err_t *chats_webhook_http_perform(chats_webhook_http_t *h,
                                        int timeout_ms, apr_pool_t *rp,
                                        apr_array_header_t **pdone)
{
    CURLMcode mc;
    int running = 0;

    *pdone = apr_array_make(rp, 4, sizeof(chats_webhook_result_t));
    mc = curl_multi_perform(h->multi, &running);
    collect(h, rp, *pdone);
    if (mc == CURLM_OK && (*pdone)->nelts == 0) {
        mc = curl_multi_poll(h->multi, NULL, 0, timeout_ms, NULL);
        if (mc == CURLM_OK) {
            mc = curl_multi_perform(h->multi, &running);
        }
        collect(h, rp, *pdone);
    }
    if (mc != CURLM_OK) {
        return chats_err_make(rp, CHATS_E_INTERNAL, NULL, "libcurl: %s",
                              curl_multi_strerror(mc));
    }
    return NULL;
}

int chats_webhook_http_pending(const chats_webhook_http_t *h)
{
    return h->pending;
}

void chats_webhook_http_wakeup(chats_webhook_http_t *h)
{
    curl_multi_wakeup(h->multi);
}

void chats_webhook_http_cancel(chats_webhook_http_t *h, apr_pool_t *rp,
                               apr_array_header_t **pdone)
{
    *pdone = apr_array_make(rp, 4, sizeof(chats_webhook_result_t));
    while (h->live) {
        req_t *q = h->live;
        chats_webhook_result_t *r =
            &APR_ARRAY_PUSH(*pdone, chats_webhook_result_t);

        memset(r, 0, sizeof(*r));
        r->user = q->user;
        r->outcome = CHATS_WEBHOOK_ABORTED;
        r->body = "";
        r->ip = "";
        r->elapsed = apr_time_now() - q->started;
        r->last_error = "aborted: the deliverer stopped";
        apr_pool_destroy(q->pool);
    }
}

void chats_webhook_http_set_allow(chats_webhook_http_t *h,
                                  const chats_netallow_t *allow)
{
    h->conf.allow = allow;
}
