/* The setters of the base's directives (mod_chats_config.c), for the
 * module's directive table in mod_chatsession.c, which assembles every
 * layer's directives (the CORS and authentication ones are the
 * handlers' and auth's, mod_chats_cors.h and mod_chats_auth.h). Glue
 * header. */
#ifndef CHATS_CONFIG_H
#define CHATS_CONFIG_H

#include "mod_chats_private.h"

const char *chats_conf_set_max_body(cmd_parms *cmd, void *dc,
                                    const char *arg);
const char *chats_conf_add_provider(cmd_parms *cmd, void *dc,
                                    const char *arg);
const char *chats_conf_set_cache_ttl(cmd_parms *cmd, void *dc,
                                     const char *arg);
const char *chats_conf_set_retry_after(cmd_parms *cmd, void *dc,
                                       const char *arg);
const char *chats_conf_set_public_url(cmd_parms *cmd, void *dc,
                                      const char *arg);
const char *chats_conf_set_trust_proxy(cmd_parms *cmd, void *dc, int argc,
                                       char *const argv[]);
const char *chats_conf_set_proxy_headers(cmd_parms *cmd, void *dc,
                                         const char *arg);
const char *chats_conf_set_prepared(cmd_parms *cmd, void *dc, int on);
const char *chats_conf_set_listen_params(cmd_parms *cmd, void *dc,
                                         const char *arg);
const char *chats_conf_set_connect_timeout(cmd_parms *cmd, void *dc,
                                           const char *arg);
const char *chats_conf_set_longpoll_max(cmd_parms *cmd, void *dc,
                                        const char *arg);
const char *chats_conf_set_time_zone(cmd_parms *cmd, void *dc,
                                     const char *arg);
const char *chats_conf_set_language(cmd_parms *cmd, void *dc,
                                    const char *arg);

#endif
