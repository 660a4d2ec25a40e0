/* Authorization: the caller's level and read-only fields come from
 * chat_session_right in one query per request; everything after that is
 * decided here from the documents, so that a check is always against the
 * row actually written (update_loop calls us per attempt). */
#include <apr_strings.h>

#include "chats_entity.h"
#include "chats_render.h"
#include "chats_rights.h"

/* An associate without a row, or a user who is not one: read only. */
static const chats_stmt_t chats_stmt_rights = {
    "chats_rights_lookup",
    "SELECT a.associate_id, coalesce(r.level, 'read'), "
    "coalesce(array_to_string(r.readonly_fields, ','), '') "
    "FROM associate a "
    "LEFT JOIN chat_session_right r ON r.associate_id = a.associate_id "
    "WHERE a.name = $1 AND NOT a.deleted"
};

static const struct {
    const char *name;
    chats_right_e level;
} chats_levels[] = {
    { "none", CHATS_RIGHT_NONE }, { "read", CHATS_RIGHT_READ },
    { "update_own", CHATS_RIGHT_UPDATE_OWN },
    { "update_all", CHATS_RIGHT_UPDATE_ALL }, { "admin", CHATS_RIGHT_ADMIN },
};

#define CHATS_NLEVELS (int)(sizeof(chats_levels) / sizeof(chats_levels[0]))

static const char *level_name(chats_right_e level)
{
    int i;

    for (i = 0; i < CHATS_NLEVELS; i++) {
        if (chats_levels[i].level == level) {
            return chats_levels[i].name;
        }
    }
    return "none";
}

static const char *caller(const chats_req_t *q)
{
    return q->r->user ? ap_escape_logitem(q->r->pool, q->r->user) : "-";
}

/* "User,TransferTo" -> fields; unknown names are logged and skipped. */
static apr_array_header_t *readonly_set(request_rec *r, const char *list)
{
    apr_array_header_t *set = apr_array_make(r->pool, 2,
                                             sizeof(const chats_field_t *));
    char *copy = apr_pstrdup(r->pool, list), *tok, *last;
    const chats_field_t *f;

    for (tok = apr_strtok(copy, ",", &last); tok;
         tok = apr_strtok(NULL, ",", &last)) {
        if ((f = chats_schema_find(tok, strlen(tok))) != NULL) {
            APR_ARRAY_PUSH(set, const chats_field_t *) = f;
        }
        else {
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, CHATS_LOGNO(200)
                          "chat_session_right of %s: unknown field %s "
                          "ignored", ap_escape_logitem(r->pool, r->user),
                          ap_escape_logitem(r->pool, tok));
        }
    }
    return set;
}

static chats_err_t *lookup(chats_req_t *q, chats_store_t *st)
{
    request_rec *r = q->r;
    chats_rights_t *rt = apr_pcalloc(r->pool, sizeof(*rt));
    chats_rows_t *rows;
    chats_err_t *e;
    const char *user = r->user, *lv;
    int i;

    rt->level = CHATS_RIGHT_READ;
    if (user && *user) {
        if ((e = chats_store_exec(st, &chats_stmt_rights, 1, &user, &rows))) {
            return e;
        }
        if (rows->nrows == 1) {
            rt->associate_id = CHATS_ROWS_GET(rows, 0, 0);
            lv = CHATS_ROWS_GET(rows, 0, 1);
            rt->level = CHATS_RIGHT_NONE;      /* unknown: fail closed */
            for (i = 0; lv && i < CHATS_NLEVELS; i++) {
                if (!strcmp(lv, chats_levels[i].name)) {
                    rt->level = chats_levels[i].level;
                }
            }
            rt->readonly = readonly_set(r, CHATS_ROWS_GET(rows, 0, 2));
        }
    }
    q->rights = rt;
    return NULL;
}

static chats_err_t *denied(chats_req_t *q, const char *field,
                           const char *why)
{
    return chats_err_make(q->r->pool, CHATS_E_FORBIDDEN, field, "%s", why);
}

chats_err_t *chats_rights_require(chats_req_t *q, chats_store_t *st,
                                  chats_do_e what)
{
    static const chats_right_e need[] = {
        CHATS_RIGHT_READ, CHATS_RIGHT_UPDATE_OWN, CHATS_RIGHT_UPDATE_OWN,
        CHATS_RIGHT_ADMIN
    };
    static const char *const verb[] = {
        "read", "update", "create", "delete"
    };
    chats_err_t *e;

    if (!q->rights && (e = lookup(q, st)) != NULL) {
        return e;
    }
    if (q->rights->level >= need[what]) {
        return NULL;
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, q->r, CHATS_LOGNO(201)
                  "denied: %s (%s) may not %s chat sessions (%s %d)",
                  caller(q), level_name(q->rights->level), verb[what],
                  q->r->method, (int)q->id);
    return denied(q, NULL, apr_psprintf(q->r->pool,
                                        "you may not %s chat sessions",
                                        verb[what]));
}

/* The associate id of a session's User ("5"), or NULL for none. */
static const char *owner_of(const chats_doc_t *doc)
{
    const chats_field_t *f = chats_schema_find("User", 4);
    const char *key = f->carrier->fields[0].name;
    const chats_doc_t *u = doc ? chats_doc_object_get(doc, f->name,
                                                      strlen(f->name), 0)
                               : NULL, *id;

    if (!u || u->type != CHATS_J_OBJECT
        || !(id = chats_doc_object_get(u, key, strlen(key), 0))
        || id->type != CHATS_J_NUMBER || !strcmp(id->s, "0")) {
        return NULL;
    }
    return id->s;
}

static int is_own(const chats_req_t *q, const chats_doc_t *doc)
{
    const char *o = owner_of(doc);

    return o && q->rights->associate_id
        && !strcmp(o, q->rights->associate_id);
}

/* Has field f another value in b than in a? Carriers by their key. */
static int field_changed(const chats_field_t *f, const chats_doc_t *a,
                         const chats_doc_t *b)
{
    const chats_doc_t *va = chats_doc_object_get(a, f->name,
                                                 strlen(f->name), 0);
    const chats_doc_t *vb = chats_doc_object_get(b, f->name,
                                                 strlen(f->name), 0);

    if (f->type == CHATS_F_CARRIER) {
        const char *key = f->carrier->fields[0].name;

        va = va && va->type == CHATS_J_OBJECT
            ? chats_doc_object_get(va, key, strlen(key), 0) : NULL;
        vb = vb && vb->type == CHATS_J_OBJECT
            ? chats_doc_object_get(vb, key, strlen(key), 0) : NULL;
        if (va && va->type == CHATS_J_NUMBER && !strcmp(va->s, "0")) {
            va = NULL;
        }
        if (vb && vb->type == CHATS_J_NUMBER && !strcmp(vb->s, "0")) {
            vb = NULL;
        }
    }
    if (!va || !vb) {
        return (va && va->type != CHATS_J_NULL)
            || (vb && vb->type != CHATS_J_NULL);
    }
    return !chats_doc_equal(va, vb);
}

static chats_err_t *check_fields(chats_req_t *q, const chats_doc_t *cur,
                                 const chats_doc_t *next)
{
    const apr_array_header_t *ro = q->rights->readonly;
    int i;

    for (i = 0; ro && i < ro->nelts; i++) {
        const chats_field_t *f = APR_ARRAY_IDX(ro, i, const chats_field_t *);

        if (field_changed(f, cur, next)) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, q->r, CHATS_LOGNO(202)
                          "denied: %s may not change %s (%s %d)", caller(q),
                          f->name, q->r->method, (int)q->id);
            return denied(q, f->name, apr_psprintf(
                              q->r->pool, "you may not change %s", f->name));
        }
    }
    return NULL;
}

chats_err_t *chats_rights_check_change(chats_req_t *q, const chats_doc_t *cur,
                                       const chats_doc_t *next)
{
    if (q->rights->level == CHATS_RIGHT_UPDATE_OWN) {
        if (cur && !is_own(q, cur)) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, q->r, CHATS_LOGNO(203)
                          "denied: %s (update_own) may not change chat "
                          "session %d of another user (%s)", caller(q),
                          (int)q->id, q->r->method);
            return denied(q, NULL, "you may only change your own chat "
                                   "sessions");
        }
        if (next && !is_own(q, next)) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, q->r, CHATS_LOGNO(204)
                          "denied: %s (update_own) may not give chat "
                          "session %d to another user (%s)", caller(q),
                          (int)q->id, q->r->method);
            return denied(q, "User", "your chat sessions must stay yours: "
                                     "User must be you");
        }
    }
    return next ? check_fields(q, cur ? cur : chats_entity_template(
                                   q->r->pool), next) : NULL;
}

int chats_rights_table_mask(const chats_req_t *q, const chats_doc_t *doc,
                            int is_new)
{
    switch (q->rights ? q->rights->level : CHATS_RIGHT_NONE) {
    case CHATS_RIGHT_ADMIN:
        return CHATS_TR_FULL;
    case CHATS_RIGHT_UPDATE_ALL:
        return CHATS_TR_SELECT | CHATS_TR_UPDATE | CHATS_TR_INSERT;
    case CHATS_RIGHT_UPDATE_OWN:
        return is_new ? CHATS_TR_SELECT | CHATS_TR_INSERT
             : is_own(q, doc) ? CHATS_TR_SELECT | CHATS_TR_UPDATE
             : CHATS_TR_SELECT;
    case CHATS_RIGHT_READ:
        return CHATS_TR_SELECT;
    default:
        return 0;
    }
}

const apr_array_header_t *chats_rights_readonly(const chats_req_t *q,
                                                const chats_doc_t *doc,
                                                int is_new)
{
    apr_array_header_t *ro;

    (void)doc;
    if (!q->rights || q->rights->level != CHATS_RIGHT_UPDATE_OWN || is_new) {
        return q->rights ? q->rights->readonly : NULL;
    }
    /* Their own session: any other User would not be theirs. */
    ro = q->rights->readonly ? apr_array_copy(q->r->pool, q->rights->readonly)
        : apr_array_make(q->r->pool, 1, sizeof(const chats_field_t *));
    APR_ARRAY_PUSH(ro, const chats_field_t *) = chats_schema_find("User", 4);
    return ro;
}
