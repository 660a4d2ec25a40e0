/* A webhook's values beyond their types (issue 20, design §2), checked
 * when a plan writes them (chats_plan_in_t.check): the events it
 * subscribes to, where it posts (chats_netallow_url_check: an http URL
 * or a literal address that ChatSessionWebhookAllow refuses is a 400),
 * how, and the headers it adds -- the last by the deliverer's own rule
 * (chats_webhook_header_check), so that what is saved is what can be
 * sent. The table's CHECK constraints hold
 * the same shapes for SQL written elsewhere. */
#include <apr_lib.h>
#include <apr_strings.h>
#include <string.h>

#include "chats_webhook_payload.h"
#include "chats_webhook_check.h"

static chats_err_t *bad(apr_pool_t *p, const char *name, const char *what)
{
    return chats_err_make(p, CHATS_E_INVALID, name, "%s: %s", name, what);
}

/* "test", or entity.action in lower case (chatsession.changed): the
 * table's chats_json_is_event_list says the same. */
static int event_name_ok(const char *s, apr_size_t len)
{
    apr_size_t i, dot = 0;

    if (len == 4 && !memcmp(s, "test", 4)) {
        return 1;
    }
    for (i = 0; i < len; i++) {
        if (s[i] == '.' && !dot && i > 0) {
            dot = i;
        }
        else if (!apr_islower(s[i]) && !apr_isdigit(s[i]) && s[i] != '_') {
            return 0;
        }
    }
    return dot && dot + 1 < len;
}

static chats_err_t *check_events(apr_pool_t *p, const char *name,
                                 const chats_doc_t *v)
{
    const chats_doc_t *e;
    int i;

    for (i = 0; i < chats_doc_array_len(v); i++) {
        e = chats_doc_array_get(v, i);
        if (e->type != CHATS_J_STRING || !event_name_ok(e->s, e->len)) {
            return bad(p, name, apr_psprintf(
                           p, "element %d is no event name (test, or "
                           "entity.action in lower case)", i));
        }
    }
    return NULL;
}


static chats_err_t *check_headers(apr_pool_t *p, const chats_doc_t *v)
{
    const chats_member_t *m;
    chats_err_t *e;
    int i;

    for (i = 0; i < chats_doc_object_len(v); i++) {
        m = chats_doc_object_at(v, i);
        if ((e = chats_webhook_header_check(
                 p, apr_pstrmemdup(p, m->name, m->name_len),
                 m->value->s)) != NULL) {
            return e;
        }
    }
    return NULL;
}

/* ctx: the allow list (ChatSessionWebhookAllow), or NULL for none. */
static chats_err_t *webhook_check(const void *ctx, apr_pool_t *p,
                                  const chats_field_t *f, const char *name,
                                  const chats_doc_t *v)
{
    if (!strcmp(f->name, "Events")) {
        return check_events(p, name, v);
    }
    /* where it may point is checked again on the address connected,
     * when delivering (design §7): a name passes here */
    if (!strcmp(f->name, "TargetUrl")) {
        return chats_netallow_url_check(p, ctx, v->s);
    }
    if (!strcmp(f->name, "Type") && strcmp(v->s, "webhook")) {
        return bad(p, name, "only \"webhook\" is supported (crmscript "
                   "runs CRMScript, which this server does not have)");
    }
    if (!strcmp(f->name, "Headers")) {
        return check_headers(p, v);
    }
    return NULL;
}

chats_value_check_fn *chats_entity_value_check(const chats_entity_def_t *def)
{
    return def == &chats_webhook_def ? webhook_check : NULL;
}
