/* The ChatSessionWebhook* directives (mod_chats_deliver.h): per process,
 * so in the main server's context only. */
#include <apr_strings.h>

#include "httpd.h"
#include "http_config.h"

#include "chats_directives.h"
#include "mod_chats_config.h"
#include "mod_chats_deliver.h"

/* The main server's record, made on first use. */
static chats_webhook_conf_t *conf_of(cmd_parms *cmd)
{
    chats_srv_conf_t *sc = chats_srv_conf(cmd->server);

    if (!sc->webhook) {
        sc->webhook = apr_pcalloc(cmd->pool, sizeof(*sc->webhook));
        sc->webhook->delivery = CHATS_UNSET;
        sc->webhook->timeout_s = CHATS_UNSET;
        sc->webhook->connect_timeout_s = CHATS_UNSET;
        sc->webhook->poll_ms = CHATS_UNSET;
        sc->webhook->test_wait_s = CHATS_UNSET;
    }
    return sc->webhook;
}

chats_webhook_conf_t chats_webhook_conf(const server_rec *s)
{
    const chats_webhook_conf_t *c = chats_srv_conf(s)->webhook;
    chats_webhook_conf_t out = {
        1, NULL, NULL, CHATS_DEFAULT_WEBHOOK_TIMEOUT,
        CHATS_DEFAULT_WEBHOOK_CONNECT, CHATS_DEFAULT_WEBHOOK_POLL_MS,
        CHATS_DEFAULT_WEBHOOK_CONTEXT, CHATS_DEFAULT_WEBHOOK_TEST_WAIT
    };

    if (c) {
        out.delivery = c->delivery == CHATS_UNSET ? 1 : c->delivery;
        out.allow = c->allow;
        out.cafile = c->cafile;
        out.timeout_s = c->timeout_s == CHATS_UNSET ? out.timeout_s
                                                    : c->timeout_s;
        out.connect_timeout_s = c->connect_timeout_s == CHATS_UNSET
                                ? out.connect_timeout_s : c->connect_timeout_s;
        out.poll_ms = c->poll_ms == CHATS_UNSET ? out.poll_ms : c->poll_ms;
        out.context = c->context ? c->context : out.context;
        out.test_wait_s = c->test_wait_s == CHATS_UNSET ? out.test_wait_s
                                                        : c->test_wait_s;
    }
    return out;
}

const char *chats_webhook_set_delivery(cmd_parms *cmd, void *dc, int on)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);

    (void)dc;
    if (!err) {
        conf_of(cmd)->delivery = on;
    }
    return err;
}

const char *chats_webhook_set_allow(cmd_parms *cmd, void *dc, int argc,
                                    char *const argv[])
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    chats_err_t *e;
    chats_netallow_t *allow = NULL;

    (void)dc;
    if (err) {
        return err;
    }
    if (argc == 0) {
        return "ChatSessionWebhookAllow: give http, addresses or subnets";
    }
    if ((e = chats_netallow_parse(cmd->pool, argc, (const char *const *)argv,
                                  &allow)) != NULL) {
        return apr_pstrdup(cmd->pool, e->message);
    }
    conf_of(cmd)->allow = allow;
    return NULL;
}

const char *chats_webhook_set_cafile(cmd_parms *cmd, void *dc,
                                     const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    const char *path;

    (void)dc;
    if (err) {
        return err;
    }
    path = ap_server_root_relative(cmd->pool, arg);
    if (!path) {
        return apr_pstrcat(cmd->pool, "ChatSessionWebhookCAFile: bad path '",
                           arg, "'", NULL);
    }
    conf_of(cmd)->cafile = path;
    return NULL;
}

/* A whole number of seconds (or milliseconds), at least 1. */
static const char *number(cmd_parms *cmd, const char *arg, int max, int *pv)
{
    apr_int64_t v = 0;
    const char *err = chats_conf_global_number(cmd, arg, max, &v);

    if (!err && v < 1) {
        err = apr_pstrcat(cmd->pool, cmd->cmd->name, ": at least 1", NULL);
    }
    if (!err) {
        *pv = (int)v;
    }
    return err;
}

const char *chats_webhook_set_timeout(cmd_parms *cmd, void *dc,
                                      const char *arg)
{
    (void)dc;
    return number(cmd, arg, 3600, &conf_of(cmd)->timeout_s);
}

const char *chats_webhook_set_connect_timeout(cmd_parms *cmd, void *dc,
                                              const char *arg)
{
    (void)dc;
    return number(cmd, arg, 3600, &conf_of(cmd)->connect_timeout_s);
}

const char *chats_webhook_set_poll(cmd_parms *cmd, void *dc, const char *arg)
{
    (void)dc;
    return number(cmd, arg, 60000, &conf_of(cmd)->poll_ms);
}

const char *chats_webhook_set_context(cmd_parms *cmd, void *dc,
                                      const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);

    (void)dc;
    if (!err) {
        conf_of(cmd)->context = arg;
    }
    return err;
}

const char *chats_webhook_set_test_wait(cmd_parms *cmd, void *dc,
                                        const char *arg)
{
    (void)dc;
    return number(cmd, arg, 3600, &conf_of(cmd)->test_wait_s);
}
