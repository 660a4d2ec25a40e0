/* The caller's rights as a plain value (chats_caller.h). */
#include <apr_strings.h>
#include <string.h>

#include "chats_caller.h"
#include "chats_schema.h"

static const struct {
    const char *name;
    chats_right_e level;
} levels[] = {
    { "none", CHATS_RIGHT_NONE }, { "read", CHATS_RIGHT_READ },
    { "update_own", CHATS_RIGHT_UPDATE_OWN },
    { "update_all", CHATS_RIGHT_UPDATE_ALL }, { "admin", CHATS_RIGHT_ADMIN },
};

#define NLEVELS (int)(sizeof(levels) / sizeof(levels[0]))

void chats_caller_default(chats_caller_t *c)
{
    memset(c, 0, sizeof(*c));
    c->level = CHATS_RIGHT_READ;
}

chats_right_e chats_right_from_name(const char *name)
{
    int i;

    for (i = 0; name && i < NLEVELS; i++) {
        if (!strcmp(name, levels[i].name)) {
            return levels[i].level;
        }
    }
    return CHATS_RIGHT_NONE;
}

const char *chats_right_name(chats_right_e level)
{
    int i;

    for (i = 0; i < NLEVELS; i++) {
        if (levels[i].level == level) {
            return levels[i].name;
        }
    }
    return "none";
}

void chats_caller_set_readonly(chats_caller_t *c, const char *list,
                               const char **punknown, apr_pool_t *p)
{
    char *copy = apr_pstrdup(p, list ? list : ""), *tok, *last;
    const chats_field_t *f, *all;
    int n;

    /* chat_session_right's read-only fields are the session's alone */
    all = chats_schema_fields(&chats_session_def, &n);
    c->nreadonly = 0;
    *punknown = NULL;
    for (tok = apr_strtok(copy, ",", &last); tok;
         tok = apr_strtok(NULL, ",", &last)) {
        apr_collapse_spaces(tok, tok);
        if (!*tok) {
            continue;
        }
        f = chats_schema_find(&chats_session_def, tok, strlen(tok));
        if (!f) {
            *punknown = *punknown ? apr_pstrcat(p, *punknown, ",", tok, NULL)
                                  : tok;
        }
        else if (!chats_caller_is_readonly(c, (int)(f - all))
                 && c->nreadonly < CHATS_CALLER_MAX_READONLY) {
            c->readonly[c->nreadonly++] = (unsigned char)(f - all);
        }
    }
}

int chats_caller_is_readonly(const chats_caller_t *c, int i)
{
    int k;

    for (k = 0; k < c->nreadonly; k++) {
        if (c->readonly[k] == i) {
            return 1;
        }
    }
    return 0;
}
