/* The ChatSessionEntity field table and def (spec:
 * superoffice-chatsession.md §2, §3; the carriers, §2a, are in
 * chats_carriers.c), and the lookups every def's table shares. Adding a
 * field is one row here plus its column in conf/schema.sql. */
#include <apr_lib.h>
#include <apr_strings.h>
#include <string.h>

#include "chats_doc.h"
#include "chats_name.h"
#include "chats_schema.h"

static const chats_enum_t status_enum[] = {
    { "Invalid", 0 }, { "PreChatForm", 1 }, { "Faq", 2 },
    { "OfflineForm", 3 }, { "InQueue", 4 }, { "CustomerLast", 5 },
    { "UserLast", 6 }, { "Finished", 7 }, { "Deleted", 8 }, { "Closed", 9 },
    { "RequestPosted", 10 }, { "ClosedFromQueue", 11 }, { NULL, 0 }
};

/* A [Flags] enum: CustomerIsTyping is the zero value (the client's
 * ChatSessionFlags agrees), UserIsTyping the one bit. */
static const chats_enum_t flags_enum[] = {
    { "CustomerIsTyping", 0 }, { "UserIsTyping", 1 }, { NULL, 0 }
};

#define I32 "System.Int32"
#define STR "System.String"
#define DT "System.DateTime"
#define FIELD(n, c, t, fl, len, d) { n, c, t, fl, len, NULL, NULL, d, \
                                    NULL, NULL }
#define CARRIER(n, c, k, T) CARRIER_F(n, c, k, T, 0)
#define CARRIER_F(n, c, k, T, fl) { n, c, CHATS_F_CARRIER, fl, 0, NULL, \
                                   &chats_##k##_carrier, \
                                   "SuperOffice.CRM." #T, NULL, NULL }

static const chats_field_t fields[] = {
    FIELD("ChatSessionId", "id", CHATS_F_INT32,
          CHATS_FF_READONLY | CHATS_FF_KEY, 0, I32),
    FIELD("TopicId", "topic_id", CHATS_F_INT32, CHATS_FF_ZERO_NULL, 0, I32),
    CARRIER_F("User", "user_id", associate, Associate, CHATS_FF_OWNER),
    CARRIER("Person", "customer_id", person, Person),
    FIELD("CustomerAlias", "customer_alias", CHATS_F_STRING, 0, 64, STR),
    FIELD("CustomerHost", "customer_host", CHATS_F_STRING, 0, 255, STR),
    FIELD("CustomerName", "name", CHATS_F_STRING, 0, 255, STR),
    FIELD("CustomerEmail", "email", CHATS_F_STRING, 0, 255, STR),
    FIELD("CustomerPhone", "phone", CHATS_F_STRING, 0, 32, STR),
    FIELD("CustomerConsented", "consented", CHATS_F_BOOL, 0, 0,
          "System.Boolean"),
    FIELD("CustomerCompanyName", "company_name", CHATS_F_STRING, 0, 255, STR),
    { "Status", "status", CHATS_F_ENUM, 0, 0, status_enum, NULL,
      "SuperOffice.Data.ChatSessionStatus", NULL, NULL },
    FIELD("FirstMessage", "first_message", CHATS_F_STRING, 0, 1024, STR),
    FIELD("LastMessage", "last_message", CHATS_F_STRING, 0, 1024, STR),
    FIELD("WhenRequested", "when_requested", CHATS_F_DATETIME, 0, 0, DT),
    FIELD("WhenStarted", "when_started", CHATS_F_DATETIME, 0, 0, DT),
    FIELD("WhenEnded", "when_ended", CHATS_F_DATETIME, 0, 0, DT),
    FIELD("WhenIdle", "idle", CHATS_F_DATETIME, 0, 0, DT),
    FIELD("WhenFetched", "customer_fetch", CHATS_F_DATETIME, 0, 0, DT),
    FIELD("SessionKey", "session_key", CHATS_F_STRING, 0, 255, STR),
    FIELD("InitialQueuePos", "initial_queue_pos", CHATS_F_INT32, 0, 0, I32),
    FIELD("AlertLevel", "alert_level", CHATS_F_INT32, 0, 0, I32),
    FIELD("Rank", "rank", CHATS_F_INT32, 0, 0, I32),
    { "Flags", "flags", CHATS_F_FLAGS, 0, 0, flags_enum, NULL,
      "SuperOffice.Data.ChatSessionFlags", NULL, NULL },
    CARRIER("Contact", "contact_id", contact, Contact),
    CARRIER("Project", "project_id", project, Project),
    CARRIER("Sale", "sale_id", sale, Sale),
    CARRIER("Ticket", "ticket_id", ticket, Ticket),
    CARRIER("TransferTo", "transfer_to", associate, Associate),
    FIELD("ChatbotIsActive", "chatbot_isactive", CHATS_F_BOOL, 0, 0,
          "System.Boolean"),
    FIELD("Rating", "rating", CHATS_F_INT32, 0, 0, I32),
};

/* Sessions: reading needs read; writing, update_all, or update_own on
 * the caller's own (User is them); deleting, admin. */
static const chats_entity_rights_t session_rights = {
    { { CHATS_RIGHT_READ, CHATS_RIGHT_READ },
      { CHATS_RIGHT_UPDATE_ALL, CHATS_RIGHT_UPDATE_OWN },
      { CHATS_RIGHT_UPDATE_ALL, CHATS_RIGHT_UPDATE_OWN },
      { CHATS_RIGHT_ADMIN, CHATS_RIGHT_ADMIN } },
    "cs.user_id = $me", "your own chat sessions", NULL
};

const chats_entity_def_t chats_session_def = {
    "ChatSession", "ChatSessionEntity", "chat session", "chat_session",
    "id", "chat_session_", "chatSessionEntityId", "chats",
    fields, (int)(sizeof(fields) / sizeof(fields[0])),
    CHATS_ED_CARRIER | CHATS_ED_VERSIONED | CHATS_ED_CALLER_READONLY,
    &session_rights, NULL, NULL
};

const chats_entity_def_t *const chats_entity_defs[] = {
    &chats_session_def, &chats_topic_def, &chats_webhook_def, NULL
};

static const char *const ignored_members[] = {
    "TableRight", "FieldProperties", "_Links", NULL
};

const chats_field_t *chats_schema_owner(const chats_entity_def_t *def)
{
    int i;

    for (i = 0; i < def->nfields; i++) {
        if (def->fields[i].flags & CHATS_FF_OWNER) {
            return &def->fields[i];
        }
    }
    return NULL;
}

const chats_field_t *chats_schema_fields(const chats_entity_def_t *def,
                                         int *pn)
{
    if (pn) {
        *pn = def->nfields;
    }
    return def->fields;
}

int chats_schema_index(const chats_entity_def_t *def, const chats_field_t *f)
{
    const chats_group_t *g;
    int i, base = def->nfields;

    if (f >= def->fields && f < def->fields + def->nfields) {
        return (int)(f - def->fields);
    }
    for (i = 0; i < def->nfields; i++) {
        if ((g = def->fields[i].group) != NULL) {
            if (f >= g->members && f < g->members + g->nmembers) {
                return base + (int)(f - g->members);
            }
            base += g->nmembers;
        }
    }
    return -1;
}

int chats_schema_nslots(const chats_entity_def_t *def)
{
    int i, n = def->nfields;

    for (i = 0; i < def->nfields; i++) {
        n += def->fields[i].group ? def->fields[i].group->nmembers : 0;
    }
    return n;
}

const chats_field_t *chats_schema_slot(const chats_entity_def_t *def, int i)
{
    const chats_group_t *g;
    int k;

    if (i < def->nfields) {
        return &def->fields[i];
    }
    i -= def->nfields;
    for (k = 0; k < def->nfields; k++) {
        if ((g = def->fields[k].group) != NULL) {
            if (i < g->nmembers) {
                return &g->members[i];
            }
            i -= g->nmembers;
        }
    }
    return NULL;
}

const chats_field_t *chats_schema_group_of(const chats_entity_def_t *def,
                                           const chats_field_t *f)
{
    const chats_group_t *g;
    int i;

    for (i = 0; i < def->nfields; i++) {
        g = def->fields[i].group;
        if (g && f >= g->members && f < g->members + g->nmembers) {
            return &def->fields[i];
        }
    }
    return NULL;
}

const char *chats_schema_path(apr_pool_t *p, const chats_entity_def_t *def,
                              const chats_field_t *f)
{
    const chats_field_t *g = chats_schema_group_of(def, f);

    return g ? apr_pstrcat(p, g->name, "/", f->name, NULL) : f->name;
}

/* A name from a request against one of ours, ignoring ASCII case. */
static int name_is(const char *a, apr_size_t alen, const char *ours)
{
    return chats_name_eq(a, alen, ours, strlen(ours), 1);
}

const chats_field_t *chats_schema_find(const chats_entity_def_t *def,
                                       const char *name, apr_size_t len)
{
    int i;

    for (i = 0; i < def->nfields; i++) {
        if (name_is(name, len, def->fields[i].name)) {
            return &def->fields[i];
        }
    }
    return NULL;
}

/* Writes f's foreign key name into buf (size n): 0 if it does not fit. */
static int fk_name(char *buf, apr_size_t n, const chats_entity_def_t *def,
                   const chats_field_t *f)
{
    apr_size_t len = f->column ? strlen(f->column) : 0;

    if (len > 3 && !strcmp(f->column + len - 3, "_id")) {
        len -= 3;
    }
    return len && apr_snprintf(buf, n, "%s%.*s_fk", def->fk_prefix,
                               (int)len, f->column) < (int)n;
}

const char *chats_schema_fk_name(apr_pool_t *p, const chats_entity_def_t *def,
                                 const chats_field_t *f)
{
    char buf[128];

    return fk_name(buf, sizeof(buf), def, f) ? apr_pstrdup(p, buf) : NULL;
}

const chats_field_t *chats_schema_fk_field(const char *constraint,
                                           const chats_entity_def_t **pdef)
{
    const chats_entity_def_t *const *d;
    const chats_field_t *f;
    char buf[128];
    int i;

    for (d = chats_entity_defs; constraint && *d; d++) {
        for (i = 0; (f = chats_schema_slot(*d, i)) != NULL; i++) {
            if (fk_name(buf, sizeof(buf), *d, f)
                && !strcmp(buf, constraint)) {
                if (pdef) {
                    *pdef = *d;
                }
                return f;
            }
        }
    }
    return NULL;
}

const chats_field_t *chats_schema_check_field(const char *constraint,
                                              const chats_entity_def_t **pdef)
{
    const chats_entity_def_t *const *d;
    const chats_field_t *f;
    apr_size_t n;
    int i;

    for (d = chats_entity_defs; constraint && *d; d++) {
        n = strlen((*d)->table);
        if (strncmp(constraint, (*d)->table, n) || constraint[n] != '_') {
            continue;
        }
        for (i = 0; (f = chats_schema_slot(*d, i)) != NULL; i++) {
            apr_size_t c = f->column ? strlen(f->column) : 0;

            if (c && !strncmp(constraint + n + 1, f->column, c)
                && !strcmp(constraint + n + 1 + c, "_ck")) {
                if (pdef) {
                    *pdef = *d;
                }
                return f;
            }
        }
    }
    return NULL;
}

int chats_schema_is_ignored(const char *name, apr_size_t len)
{
    int i;

    for (i = 0; ignored_members[i]; i++) {
        if (name_is(name, len, ignored_members[i])) {
            return 1;
        }
    }
    return 0;
}

const chats_field_t *chats_group_find(const chats_field_t *g,
                                      const char *name, apr_size_t len)
{
    int i;

    for (i = 0; g->group && i < g->group->nmembers; i++) {
        if (name_is(name, len, g->group->members[i].name)) {
            return &g->group->members[i];
        }
    }
    return NULL;
}

const chats_subfield_t *chats_carrier_find(const chats_carrier_t *c,
                                           const char *name, apr_size_t len)
{
    int i;

    for (i = 0; i < c->nfields; i++) {
        if (name_is(name, len, c->fields[i].name)) {
            return &c->fields[i];
        }
    }
    return NULL;
}

int chats_enum_value(const chats_enum_t *e, const char *name,
                     apr_size_t len, int *pvalue)
{
    for (; e->name; e++) {
        if (name_is(name, len, e->name)) {
            *pvalue = e->value;
            return 1;
        }
    }
    return 0;
}

const char *chats_enum_name(const chats_enum_t *e, int value)
{
    for (; e->name; e++) {
        if (e->value == value) {
            return e->name;
        }
    }
    return NULL;
}
