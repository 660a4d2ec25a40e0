/* Every directive of the module, once: its name, the words it takes,
 * its default and its help (README "Directives"; t/engine/directives.t
 * holds the README's table equal to `chats-openapi --directives`, which
 * prints this one). The module's command table (mod_chatsession.c), the
 * setters' declarations (mod_chats_config.h) and the defaults the
 * configuration falls back to all derive from it. Core header: no httpd;
 * the columns that name httpd's things (how, setter, arg, where) are
 * only tokens until mod_chatsession.c expands them.
 *
 * X(how, name, setter, arg, where, syntax, default, help)
 *   how      AP_INIT_<how>: TAKE1, ITERATE, FLAG, TAKE_ARGV
 *   default  the README's Default column as text (a number through
 *            CHATS_XSTR of its CHATS_DEFAULT_* below, which the code reads)
 *   help     what httpd -L says, without the default (appended) */
#ifndef CHATS_DIRECTIVES_H
#define CHATS_DIRECTIVES_H

#include <apr_pools.h>

#define CHATS_STR(x) #x
#define CHATS_XSTR(x) CHATS_STR(x)

/* The defaults the configuration falls back to. */
#define CHATS_DEFAULT_MAX_BODY        1048576
#define CHATS_DEFAULT_CACHE_TTL       60
#define CHATS_DEFAULT_RETRY_AFTER     5
#define CHATS_DEFAULT_CONNECT_TIMEOUT 5
#define CHATS_DEFAULT_CORS_MAX_AGE    600
#define CHATS_DEFAULT_JWT_LEEWAY      60
#define CHATS_DEFAULT_PROVIDER        "chatsession"
#define CHATS_DEFAULT_TIME_ZONE       "UTC"
#define CHATS_DEFAULT_LANGUAGE        "en"
#define CHATS_DEFAULT_JWT_CLAIM       "sub"
#define CHATS_DEFAULT_WEBHOOK_TIMEOUT 10
#define CHATS_DEFAULT_WEBHOOK_CONNECT 5
#define CHATS_DEFAULT_WEBHOOK_POLL_MS 100
#define CHATS_DEFAULT_WEBHOOK_CONTEXT "Default"
#define CHATS_DEFAULT_WEBHOOK_TEST_WAIT 15

#define CHATS_DIR_BASE(X) \
X(ITERATE, "ChatSessionAuthProvider", chats_conf_add_provider, NULL, \
  OR_AUTHCFG, "name...", CHATS_DEFAULT_PROVIDER, \
  "authn providers that check Basic passwords, in order") \
X(TAKE1, "ChatSessionMaxBody", chats_conf_set_max_body, NULL, OR_ALL, \
  "bytes", CHATS_XSTR(CHATS_DEFAULT_MAX_BODY), \
  "largest request body in bytes") \
X(TAKE1, "ChatSessionAuthCacheTTL", chats_conf_set_dir_seconds, \
  (void *)APR_OFFSETOF(chats_dir_conf_t, cache_ttl), OR_AUTHCFG, "seconds", CHATS_XSTR(CHATS_DEFAULT_CACHE_TTL), \
  "seconds a verified credential is remembered per process (0 = off)") \
X(TAKE1, "ChatSessionRetryAfter", chats_conf_set_dir_seconds, \
  (void *)APR_OFFSETOF(chats_dir_conf_t, retry_after), OR_ALL, "seconds", CHATS_XSTR(CHATS_DEFAULT_RETRY_AFTER), \
  "Retry-After seconds sent with 503") \
X(FLAG, "ChatSessionPreparedStatements", chats_conf_set_prepared, NULL, \
  RSRC_CONF, "On|Off", "On", "prepare statements once per connection; " \
  "Off sends each as an unnamed statement, as a transaction pooler " \
  "such as PgBouncer needs") \
X(TAKE1, "ChatSessionListenParams", chats_conf_set_listen_params, NULL, \
  RSRC_CONF, "conninfo", "the server's DBDParams", "libpq connection " \
  "string of the connection each process LISTENs on for long polls " \
  "(needed behind a transaction pooler)") \
X(TAKE1, "ChatSessionConnectTimeout", chats_conf_set_connect_timeout, \
  NULL, RSRC_CONF, "seconds", CHATS_XSTR(CHATS_DEFAULT_CONNECT_TIMEOUT), \
  "seconds a connect to PostgreSQL may take where DBDParams has no " \
  "connect_timeout: libpq's PGCONNECT_TIMEOUT for the pooled " \
  "connections, and the bound of the probe and the long-poll listener") \
X(TAKE1, "ChatSessionLongPollMax", chats_conf_set_longpoll_max, NULL, \
  RSRC_CONF, "n", "ThreadsPerChild / 2", "requests per process that " \
  "may wait for messages at once (0 = never wait)") \
X(TAKE1, "ChatSessionPublicURL", chats_conf_set_public_url, NULL, \
  OR_ALL, "url", "none", "scheme://host[:port][/prefix] that _Links " \
  "start with (none: the request's own scheme and Host)") \
X(TAKE1, "ChatSessionOpenAPIPath", chats_conf_set_openapi_path, NULL, \
  OR_ALL, "path", "<collection>/openapi.json", "URI path the OpenAPI " \
  "document is served at, where the chatsession handler runs") \
X(TAKE_ARGV, "ChatSessionTrustProxy", chats_conf_set_trust_proxy, NULL, \
  OR_ALL, "addr...", "Off", "addresses or subnets of the reverse " \
  "proxies whose forwarded headers build _Links and Location; On " \
  "trusts any peer for one hop") \
X(TAKE1, "ChatSessionProxyHeaders", chats_conf_set_proxy_headers, NULL, \
  OR_ALL, "X-Forwarded|Forwarded", "X-Forwarded", \
  "which headers the trusted proxies write") \
X(TAKE1, "ChatSessionFamily", chats_conf_set_family, NULL, OR_ALL, \
  "ChatSession|ChatAgent|ChatTopic", "from the <Location> path", \
  "the family a <Location> serves when its path does not end with the " \
  "family's segments (/ChatSession, /Agents/Chat, /ChatTopic)")

#define CHATS_DIR_CORS(X) \
X(ITERATE, "ChatSessionCORSOrigin", chats_cors_add_origin, NULL, OR_ALL, \
  "origin...", "Off", "origins (scheme://host[:port]) whose browser " \
  "apps may call the API, or * for any, or Off") \
X(FLAG, "ChatSessionCORSCredentials", chats_cors_set_credentials, NULL, \
  OR_ALL, "On|Off", "Off", "let allowed origins send cookies and HTTP " \
  "authentication with credentials: 'include' (never with *)") \
X(TAKE1, "ChatSessionCORSMaxAge", chats_cors_set_max_age, NULL, OR_ALL, \
  "seconds", CHATS_XSTR(CHATS_DEFAULT_CORS_MAX_AGE), \
  "seconds a browser may cache a preflight answer")

#define CHATS_DIR_LOCALE(X) \
X(TAKE1, "ChatSessionTimeZone", chats_conf_set_time_zone, NULL, OR_ALL, \
  "zone", CHATS_DEFAULT_TIME_ZONE, "zone for date-times without " \
  "SO-TimeZone: a SuperOffice code (NO, US-NY, ...) or a tz database " \
  "name") \
X(TAKE1, "ChatSessionLanguage", chats_conf_set_language, NULL, OR_ALL, \
  "tag", CHATS_DEFAULT_LANGUAGE, \
  "language string resources fall back to")

#define CHATS_DIR_AUTH(X) \
X(TAKE1, "ChatSessionJWTKeyFile", chats_auth_set_keyfile, NULL, \
  ACCESS_CONF | RSRC_CONF, "path", "none", "PEM public key (RSA or EC " \
  "P-256) that verifies Bearer JWTs; repeatable") \
X(TAKE1, "ChatSessionJWKSFile", chats_auth_set_jwks, NULL, \
  ACCESS_CONF | RSRC_CONF, "path", "none", \
  "JWKS file of Bearer JWT keys (kid rotation); repeatable") \
X(TAKE1, "ChatSessionJWTSecretFile", chats_auth_set_secret, NULL, \
  ACCESS_CONF | RSRC_CONF, "path", "none", \
  "file holding an HS256 secret (>= 32 bytes); repeatable") \
X(ITERATE, "ChatSessionJWTAlgorithms", chats_auth_add_alg, NULL, \
  ACCESS_CONF | RSRC_CONF, "alg...", "RS256 ES256 HS256", \
  "JWS algorithms accepted") \
X(TAKE1, "ChatSessionJWTIssuer", chats_auth_set_issuer, NULL, \
  ACCESS_CONF | RSRC_CONF, "iss", "not checked", "required \"iss\"") \
X(ITERATE, "ChatSessionJWTAudience", chats_auth_add_audience, NULL, \
  ACCESS_CONF | RSRC_CONF, "aud...", "not checked", \
  "accepted \"aud\" values") \
X(TAKE1, "ChatSessionJWTLeeway", chats_auth_set_leeway, NULL, \
  ACCESS_CONF | RSRC_CONF, "seconds", CHATS_XSTR(CHATS_DEFAULT_JWT_LEEWAY), \
  "seconds of clock skew for exp/nbf") \
X(TAKE1, "ChatSessionJWTUserClaim", chats_auth_set_claim, NULL, \
  ACCESS_CONF | RSRC_CONF, "name", CHATS_DEFAULT_JWT_CLAIM, \
  "claim holding the associate login") \
X(FLAG, "ChatSessionAppTokenRequired", chats_auth_set_apptoken_req, NULL, \
  ACCESS_CONF | RSRC_CONF, "On|Off", "Off", "require a known SO-AppToken") \
X(ITERATE, "ChatSessionAppToken", chats_auth_add_apptoken, NULL, \
  ACCESS_CONF | RSRC_CONF, "token...", "none", "accepted SO-AppToken values")

#define CHATS_DIR_WEBHOOK(X) \
X(FLAG, "ChatSessionWebhookDelivery", chats_webhook_set_delivery, NULL, \
  RSRC_CONF, "On|Off", "On", "deliver webhook events from this server's " \
  "processes (one process of all servers on a database delivers at a " \
  "time); Off leaves it to other servers") \
X(TAKE_ARGV, "ChatSessionWebhookAllow", chats_webhook_set_allow, NULL, \
  RSRC_CONF, "[http] addr|subnet...", "none: https to public addresses " \
  "only", "addresses or subnets webhook deliveries may connect to though " \
  "they are private, loopback, link-local, ...; http also allows plain " \
  "http: to them") \
X(TAKE1, "ChatSessionWebhookCAFile", chats_webhook_set_cafile, NULL, \
  RSRC_CONF, "path", "the system's CA certificates", "PEM CA " \
  "certificates that verify webhook targets") \
X(TAKE1, "ChatSessionWebhookTimeout", chats_webhook_set_timeout, NULL, \
  RSRC_CONF, "seconds", CHATS_XSTR(CHATS_DEFAULT_WEBHOOK_TIMEOUT), \
  "seconds a delivery may take, connect to last byte") \
X(TAKE1, "ChatSessionWebhookConnectTimeout", \
  chats_webhook_set_connect_timeout, NULL, RSRC_CONF, "seconds", \
  CHATS_XSTR(CHATS_DEFAULT_WEBHOOK_CONNECT), \
  "seconds a delivery's connect may take") \
X(TAKE1, "ChatSessionWebhookPoll", chats_webhook_set_poll, NULL, \
  RSRC_CONF, "milliseconds", CHATS_XSTR(CHATS_DEFAULT_WEBHOOK_POLL_MS), \
  "how often the deliverer looks for new events when it has none") \
X(TAKE1, "ChatSessionWebhookContext", chats_webhook_set_context, NULL, \
  RSRC_CONF, "text", CHATS_DEFAULT_WEBHOOK_CONTEXT, \
  "ContextIdentifier of every webhook event") \
X(TAKE1, "ChatSessionWebhookTestWait", chats_webhook_set_test_wait, NULL, \
  RSRC_CONF, "seconds", CHATS_XSTR(CHATS_DEFAULT_WEBHOOK_TEST_WAIT), \
  "seconds a webhook's test (POST Webhook/Test, an Active webhook's " \
  "creation) waits for the deliverer to send it; then 503")

/** The whole table, in the README's order. */
#define CHATS_DIRECTIVES(X) \
    CHATS_DIR_BASE(X) CHATS_DIR_CORS(X) CHATS_DIR_LOCALE(X) \
    CHATS_DIR_AUTH(X) CHATS_DIR_WEBHOOK(X)

/** The table as text, one directive a line: name, syntax, default and
 * help separated by tabs (chats-openapi --directives). */
const char *chats_directives_text(apr_pool_t *p);

#endif
