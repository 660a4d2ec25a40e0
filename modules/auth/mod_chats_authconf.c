/* Directives of the Bearer / SO-AppToken schemes. Key files are read
 * here, at config time, into the configuration pool: a request never
 * touches the disk for a key. The directives are not allowed in
 * .htaccess (a key file read per request, secrets in the web tree). */
#include <apr_strings.h>
#include <openssl/evp.h>

#include "mod_chats_auth.h"
#include "mod_chats_config.h"
#include "chats_jwt.h"

chats_auth_conf_t *chats_auth_conf_create(apr_pool_t *p)
{
    chats_auth_conf_t *c = apr_pcalloc(p, sizeof(*c));

    c->algs = CHATS_UNSET;
    c->leeway = CHATS_UNSET;
    c->apptoken_required = CHATS_UNSET;
    return c;
}

#define AUTH_MERGE(f, u) n->f = (add->f != (u)) ? add->f : base->f

chats_auth_conf_t *chats_auth_conf_merge(apr_pool_t *p,
                                         const chats_auth_conf_t *base,
                                         const chats_auth_conf_t *add)
{
    chats_auth_conf_t *n = apr_pcalloc(p, sizeof(*n));

    AUTH_MERGE(keys, NULL);
    AUTH_MERGE(algs, CHATS_UNSET);
    AUTH_MERGE(issuer, NULL);
    AUTH_MERGE(audiences, NULL);
    AUTH_MERGE(leeway, CHATS_UNSET);
    AUTH_MERGE(user_claim, NULL);
    AUTH_MERGE(apptoken_required, CHATS_UNSET);
    AUTH_MERGE(apptokens, NULL);
    return n;
}

static chats_auth_conf_t *conf_of(void *dc)
{
    return ((chats_dir_conf_t *)dc)->auth;
}

typedef const char *(*key_loader)(chats_jwks_t *, const char *,
                                  apr_pool_t *);

static const char *add_keys(cmd_parms *cmd, void *dc, const char *arg,
                            key_loader load)
{
    chats_auth_conf_t *c = conf_of(dc);
    const char *path = ap_server_root_relative(cmd->pool, arg);
    const char *err;

    if (path == NULL) {
        return apr_psprintf(cmd->pool, "%s: bad path %s", cmd->cmd->name,
                            arg);
    }
    if (c->keys == NULL) {
        c->keys = chats_jwks_make(cmd->pool);
    }
    err = load(c->keys, path, cmd->pool);
    return err ? apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL)
               : NULL;
}

const char *chats_auth_set_keyfile(cmd_parms *cmd, void *dc, const char *a)
{
    return add_keys(cmd, dc, a, chats_jwks_add_pem);
}

const char *chats_auth_set_jwks(cmd_parms *cmd, void *dc, const char *a)
{
    return add_keys(cmd, dc, a, chats_jwks_add_jwks);
}

const char *chats_auth_set_secret(cmd_parms *cmd, void *dc, const char *a)
{
    return add_keys(cmd, dc, a, chats_jwks_add_secret);
}

const char *chats_auth_add_alg(cmd_parms *cmd, void *dc, const char *a)
{
    chats_auth_conf_t *c = conf_of(dc);
    unsigned bit = chats_jwt_alg_bit(a);

    if (bit == 0) {
        return apr_psprintf(cmd->pool, "ChatSessionJWTAlgorithms: %s is not "
                            "one of RS256, ES256, HS256", a);
    }
    c->algs = (c->algs == CHATS_UNSET ? 0 : c->algs) | (int)bit;
    return NULL;
}

const char *chats_auth_set_issuer(cmd_parms *cmd, void *dc, const char *a)
{
    (void)cmd;
    conf_of(dc)->issuer = a;
    return NULL;
}

const char *chats_auth_add_audience(cmd_parms *cmd, void *dc, const char *a)
{
    chats_auth_conf_t *c = conf_of(dc);

    if (c->audiences == NULL) {
        c->audiences = apr_array_make(cmd->pool, 2, sizeof(const char *));
    }
    APR_ARRAY_PUSH(c->audiences, const char *) = a;
    return NULL;
}

const char *chats_auth_set_leeway(cmd_parms *cmd, void *dc, const char *a)
{
    char *end;
    apr_int64_t v = apr_strtoi64(a, &end, 10);

    if (*a == '\0' || *end != '\0' || v < 0 || v > 3600) {
        return apr_psprintf(cmd->pool, "ChatSessionJWTLeeway: '%s' is not a "
                            "whole number from 0 to 3600", a);
    }
    conf_of(dc)->leeway = (int)v;
    return NULL;
}

const char *chats_auth_set_claim(cmd_parms *cmd, void *dc, const char *a)
{
    (void)cmd;
    conf_of(dc)->user_claim = a;
    return NULL;
}

const char *chats_auth_set_apptoken_req(cmd_parms *cmd, void *dc, int on)
{
    (void)cmd;
    conf_of(dc)->apptoken_required = on;
    return NULL;
}

/* Only the digest is kept: the check compares digests in constant time,
 * and a memory dump does not give the tokens away. */
const char *chats_auth_add_apptoken(cmd_parms *cmd, void *dc, const char *a)
{
    chats_auth_conf_t *c = conf_of(dc);
    unsigned char *d = apr_palloc(cmd->pool, CHATS_APPTOKEN_DIGEST);
    unsigned int n = 0;

    if (*a == '\0'
        || !EVP_Digest(a, strlen(a), d, &n, EVP_sha256(), NULL)
        || n != CHATS_APPTOKEN_DIGEST) {
        return "ChatSessionAppToken: empty token, or SHA-256 failed";
    }
    if (c->apptokens == NULL) {
        c->apptokens = apr_array_make(cmd->pool, 2, sizeof(unsigned char *));
    }
    APR_ARRAY_PUSH(c->apptokens, unsigned char *) = d;
    return NULL;
}
