/* The setters of every directive, declared from the one table
 * (chats_directives.h) for the module's command table in
 * mod_chatsession.c. Each is defined by its own layer's file: the
 * base's here (mod_chats_config.c), CORS's (mod_chats_cors.c), the
 * schemes' (mod_chats_authconf.c). Glue header. */
#ifndef CHATS_CONFIG_H
#define CHATS_CONFIG_H

#include "mod_chats_private.h"
#include "chats_directives.h"

/* A setter's type by how httpd calls it (AP_INIT_<how>). */
#define CHATS_SETTER_TAKE1(fn) \
    const char *fn(cmd_parms *cmd, void *dc, const char *arg)
#define CHATS_SETTER_ITERATE(fn) CHATS_SETTER_TAKE1(fn)
#define CHATS_SETTER_FLAG(fn) const char *fn(cmd_parms *cmd, void *dc, int on)
#define CHATS_SETTER_TAKE_ARGV(fn) \
    const char *fn(cmd_parms *cmd, void *dc, int argc, char *const argv[])
#define CHATS_SETTER_DECL(how, name, setter, arg, where, syntax, dflt, \
                          help) CHATS_SETTER_##how(setter);

CHATS_DIRECTIVES(CHATS_SETTER_DECL)

#endif
