/* The client-facing base URL behind reverse proxies: glue between the
 * request and core/proto/chats_forwarded.c, which does the walk. */
#include <apr_strings.h>

#include "http_core.h"

#include "chats_forwarded.h"
#include "mod_chats_proxy.h"

/* Every line of a header, joined as one list (httpd joins the lines of
 * a request header it reads; a module may have added more since). */
typedef struct {
    apr_pool_t *p;
    const char *joined;
} lines_t;

static int join_line(void *rec, const char *key, const char *value)
{
    lines_t *l = rec;

    (void)key;
    l->joined = l->joined ? apr_pstrcat(l->p, l->joined, ", ", value, NULL)
                          : value;
    return 1;
}

static const char *all_lines(request_rec *r, const char *name)
{
    lines_t l = { r->pool, NULL };

    apr_table_do(join_line, &l, r->headers_in, name, NULL);
    return l.joined;
}

static void read_headers(request_rec *r, chats_fwd_in_t *in)
{
    in->forwarded = all_lines(r, "Forwarded");
    in->xf_for = all_lines(r, "X-Forwarded-For");
    in->xf_host = all_lines(r, "X-Forwarded-Host");
    in->xf_proto = all_lines(r, "X-Forwarded-Proto");
    in->xf_port = all_lines(r, "X-Forwarded-Port");
    in->xf_prefix = all_lines(r, "X-Forwarded-Prefix");
}

static int any_header(const chats_fwd_in_t *in)
{
    return in->forwarded || in->xf_host || in->xf_proto || in->xf_port
        || in->xf_prefix;
}

const char *chats_proxy_base_url(request_rec *r)
{
    const chats_dir_conf_t *c = chats_dir_conf(r);
    const chats_fwd_trust_t *trust = chats_conf_trust_proxy(c);
    /* The TCP peer: mod_remoteip rewrites r->useragent_ip to the client
     * it found, which is exactly the address that is not the proxy. */
    apr_sockaddr_t *peer = r->connection->client_addr;
    chats_fwd_in_t in;
    chats_fwd_t f;

    if (chats_conf_public_url(c)) {
        return chats_conf_public_url(c);
    }
    memset(&f, 0, sizeof(f));
    if (trust) {
        read_headers(r, &in);
        if (chats_fwd_trust_peer(trust, peer)) {
            chats_fwd_resolve(trust, chats_conf_proxy_headers(c), 1, &in,
                              &f, r->pool);
            if (f.ignored) {
                ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, CHATS_LOGNO(331)
                              "forwarded header ignored: %s", f.ignored);
            }
        }
        else if (any_header(&in)) {
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, CHATS_LOGNO(332)
                          "forwarded headers from %s ignored: not a "
                          "ChatSessionTrustProxy address",
                          r->connection->client_ip);
        }
    }
    return chats_fwd_base_url(&f, ap_http_scheme(r),
                              ap_get_server_name_for_url(r),
                              ap_get_server_port(r), r->pool);
}
