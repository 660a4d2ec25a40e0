/* The chat users (README "Presence"): GetChatPresence, SaveChatPresence
 * and GetUserAgentList (REST: GET ChatTopic/UserAgents?flat=&onlyPresent=).
 * "Chat users" are the associates in use that are topic members or may
 * own sessions; OngoingChats is counted from their active sessions per
 * read, never stored; Present is chat_presence's (none: false). Reading
 * needs the read level or membership of any topic; each caller sets
 * their own presence only. One statement each
 * (core/sql/chats_agents_sql.c). Glue. */
#include <apr_strings.h>

#include "chats_shape.h"
#include "mod_chats_agents.h"
#include "mod_chats_ops.h"
#include "mod_chats_rights.h"

/* Run which (x started) and take the head row's verdict (allowed). */
static chats_err_t *users(chats_agents_t *x, chats_asql_e which,
                          chats_rows_t **prows)
{
    chats_err_t *e;

    if ((e = chats_agents_run(x, which, prows)) != NULL) {
        return e;
    }
    if (!chats_rows_true(*prows, 0, "allowed")) {
        return chats_agents_denied(x, "you must be a member of a chat topic "
                                   "or have the read right");
    }
    return NULL;
}

chats_err_t *chats_presence_get(chats_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    chats_doc_t *list = chats_doc_array(p);
    chats_agents_t x;
    chats_rows_t *rows;
    chats_err_t *e;
    int i;

    if ((e = chats_agents_start(q, &x)) != NULL
        || (e = users(&x, CHATS_ASQL_PRESENCE, &rows)) != NULL) {
        return e;
    }
    for (i = 0; i < rows->nrows; i++) {
        const char *const *row = chats_rows_from(rows, i, CHATS_SQL_ROW);

        if (row && row[0]) {
            chats_doc_array_push(list, chats_shape_from_row(
                                           p, &chats_presence_shape, row));
        }
    }
    return chats_agents_send(q, &chats_presence_shape, list);
}

/* A group's item (design note §3): its Id and Name, the rest empty. */
static chats_doc_t *group_item(apr_pool_t *p, const chats_rows_t *rows,
                               int i)
{
    chats_doc_t *g = chats_shape_template(p, &chats_mdo_item_shape);
    const char *name = chats_rows_get(rows, i, "group_name");

    const char *id = chats_rows_get(rows, i, "group_id");

    chats_doc_object_set(g, "Id", 2, chats_doc_number(p, id, strlen(id)), 0,
                         p);
    chats_doc_object_set(g, "Name", 4, chats_doc_strz(p, name), 0, p);
    chats_doc_object_set(g, "FullName", 8, chats_doc_strz(p, name), 0, p);
    chats_doc_object_set(g, "Type", 4, chats_doc_strz(p, "group"), 0, p);
    return g;
}

chats_err_t *chats_user_agents_get(chats_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    chats_doc_t *list = chats_doc_array(p), *group = NULL;
    const char *gid = NULL;
    chats_agents_t x;
    chats_rows_t *rows;
    chats_err_t *e;
    int i;

    if ((e = chats_agents_start(q, &x)) != NULL) {
        return e;
    }
    x.vals[CHATS_AGP_ONLY_PRESENT] = q->only_present ? "t" : "f";
    if ((e = users(&x, CHATS_ASQL_USER_AGENTS, &rows)) != NULL) {
        return e;
    }
    /* rows come by group: a group's item opens with its first user, so
     * a group left without users (onlyPresent) has none */
    for (i = 0; i < rows->nrows; i++) {
        const char *const *row = chats_rows_from(rows, i, CHATS_SQL_ROW);
        chats_doc_t *item;

        if (!row || !row[0]) {
            continue;
        }
        item = chats_shape_from_row(p, &chats_mdo_item_shape, row);
        if (!q->flat && (!gid || strcmp(gid, chats_rows_get(rows, i,
                                                            "group_id")))) {
            gid = chats_rows_get(rows, i, "group_id");
            chats_doc_array_push(list, group = group_item(p, rows, i));
        }
        chats_doc_array_push(q->flat ? list : chats_doc_object_get(
                                 group, "ChildItems", 10, 0), item);
    }
    return chats_agents_send(q, &chats_mdo_item_shape, list);
}

/* The caller's entry: UserId 0 or absent is the caller; Present a
 * boolean. */
static chats_err_t *presence_in(chats_req_t *q, const chats_doc_t *el,
                                int i, apr_int32_t me, int *ppresent)
{
    apr_pool_t *p = q->r->pool;
    const chats_doc_t *id, *pr;
    const char *at = apr_psprintf(p, "chatPresence/%d", i);

    if (!el || el->type != CHATS_J_OBJECT) {
        return chats_err_make(p, CHATS_E_INVALID, at, "%s: expected a "
                              "ChatPresence object", at);
    }
    id = chats_doc_object_get(el, "UserId", 6, 1);
    pr = chats_doc_object_get(el, "Present", 7, 1);
    if (id && id->type != CHATS_J_NULL
        && (id->type != CHATS_J_NUMBER || (apr_atoi64(id->s) != 0
                                           && apr_atoi64(id->s) != me))) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, q->r, CHATS_LOGNO(640)
                      "denied: associate %d may only set their own "
                      "presence, not %.32s's", (int)me,
                      id->type == CHATS_J_NUMBER ? id->s : "?");
        return chats_err_make(p, CHATS_E_FORBIDDEN, NULL, "you may only set "
                              "your own presence");
    }
    if (!pr || pr->type != CHATS_J_BOOL) {
        return chats_err_make(p, CHATS_E_INVALID, apr_pstrcat(p, at,
                                                              "/Present",
                                                              NULL),
                              "%s/Present: expected true or false", at);
    }
    *ppresent = pr->b;
    return NULL;
}

chats_err_t *chats_presence_save(chats_req_t *q)
{
    const chats_caller_t *c;
    chats_agents_t x;
    chats_rows_t *rows;
    chats_err_t *e;
    int i, n, present = -1;

    if ((e = chats_agents_start(q, &x)) != NULL) {
        return e;
    }
    c = chats_rights_caller(q);
    if (c->associate_id <= 0) {
        return chats_agents_denied(&x, "only an associate has a presence");
    }
    n = chats_doc_array_len(q->arg_body);
    for (i = 0; i < n; i++) {
        if ((e = presence_in(q, chats_doc_array_get(q->arg_body, i), i,
                             c->associate_id, &present)) != NULL) {
            return e;
        }
    }
    if (present >= 0) {         /* the last entry holds; none: no change */
        x.vals[CHATS_AGP_PRESENT] = present ? "t" : "f";
        if ((e = chats_agents_run(&x, CHATS_ASQL_PRESENCE_SAVE, &rows))) {
            return e;
        }
    }
    q->r->status = HTTP_NO_CONTENT;
    return NULL;
}
