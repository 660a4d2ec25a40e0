/* Unit driver for the route table and its matcher (modules/core/
 * chats_routes.c): the table's shape (a pattern's rows adjacent, one row
 * per method, the agent POST only, every operation bound to some row),
 * and matching (literal before {id}, case, captures, Allow, 404/405,
 * OPTIONS), each case on a dirty result struct, so that a field the
 * matcher forgets to set shows. Prints TAP (t/engine/routes_unit.t). */
#include <apr_general.h>
#include <apr_strings.h>

#include "chats_media.h"
#include "chats_routes.h"
#include "tap.h"

static void test_table(tap_t *t)
{
    int i, j, n, bad_adjacent = 0, dup = 0, agent_post = 1;
    int ops[CHATS_OP__N];
    const chats_route_def_t *rt = chats_routes(&n);

    memset(ops, 0, sizeof(ops));
    for (i = 0; i < n; i++) {
        ops[rt[i].op]++;
        if (chats_route_family_is_agent(rt[i].family)
            && strcmp(rt[i].method, "POST")) {
            agent_post = 0;
        }
        for (j = i + 1; j < n; j++) {
            int same = rt[i].family == rt[j].family
                       && !strcasecmp(rt[i].pattern, rt[j].pattern);

            dup += same && !strcmp(rt[i].method, rt[j].method);
            /* the rows of a pattern follow each other (Allow, OpenAPI) */
            bad_adjacent += same && j > i + 1
                            && strcasecmp(rt[j - 1].pattern, rt[i].pattern);
        }
    }
    ok(t, n == 83, "83 rows: 17 ChatSession, 31 agent methods, 17 ChatTopic, "
       "10 Webhook, 8 WebhookAgent methods");
    ok(t, !bad_adjacent, "a pattern's rows are adjacent");
    ok(t, !dup, "one row per path and method");
    ok(t, agent_post, "agent rows are POST only");
    for (i = 0, j = 1; i < CHATS_OP__N; i++) {
        j &= ops[i] > 0;
    }
    ok(t, j, "every operation has a row");
}

/* The row of operation id, or NULL. */
static const chats_route_def_t *row_of(const char *operation_id)
{
    int i, n;
    const chats_route_def_t *rt = chats_routes(&n);

    for (i = 0; i < n; i++) {
        if (!strcmp(rt[i].operation_id, operation_id)) {
            return &rt[i];
        }
    }
    return NULL;
}

/* Match into a result full of garbage; "F"/"O"/"M"/"P" for the kind. */
static const char *match(tap_t *t, chats_family_e fam, const char *tail,
                         const char *method, chats_route_match_t *m)
{
    static const char kinds[] = "FOMP";

    memset(m, 0x5a, sizeof(*m));
    return apr_pstrndup(t->p, kinds + chats_route_match(t->p, fam, tail,
                                                        method, m), 1);
}

/* Paths a row takes, in any case: found, that row's operation. */
static const struct {
    chats_family_e fam;
    const char *tail, *method, *desc;
    chats_op_e op;
    const char *op_desc;
} found[] = {
    { CHATS_FAMILY_REST, "/pickup", "POST", "POST /pickup",
      CHATS_OP_PICKUP_FIRST, "... the first" },
    { CHATS_FAMILY_REST, "/7/PICKUP", "POST", "POST /7/PICKUP",
      CHATS_OP_PICKUP, "... by id" },
    { CHATS_FAMILY_REST, "/7/Messages", "POST", "POST /7/Messages",
      CHATS_OP_ADD_MESSAGE, "... adds" },
    { CHATS_FAMILY_AGENT, "/savechatsessionentity", "POST",
      "savechatsessionentity: any case", CHATS_OP_SAVE, "... Save" },
};

static void routed(tap_t *t, chats_family_e fam, chats_route_match_t *m)
{
    int i;

    for (i = 0; i < TAP_N(found); i++) {
        if (found[i].fam == fam) {
            is_str(t, match(t, fam, found[i].tail, found[i].method, m), "F",
                   found[i].desc);
            ok(t, m->row && m->row->op == found[i].op, found[i].op_desc);
        }
    }
}

/* What no row matches, in either family: 404. */
static const struct {
    chats_family_e fam;
    const char *tail, *method, *desc;
} unmatched[] = {
    { CHATS_FAMILY_REST, "/7/Bogus", "POST", "/7/Bogus: 404" },
    { CHATS_FAMILY_REST, "/7/TransferTo", "POST", "/7/TransferTo: 404" },
    { CHATS_FAMILY_REST, "/7/TransferTo/", "POST",
      "/7/TransferTo/ (empty {toAssociate}): 404" },
    { CHATS_FAMILY_REST, "/7/", "GET", "/7/: 404" },
    { CHATS_FAMILY_REST, "//", "GET", "//: 404" },
    { CHATS_FAMILY_REST, "x", "GET", "a tail without '/': 404" },
    { CHATS_FAMILY_AGENT, "/GetChatTopic", "POST",
      "another ChatAgent method: 404" },
    { CHATS_FAMILY_AGENT, "", "POST", "no method: 404" },
    { CHATS_FAMILY_AGENT, "/GetChatMessages/1", "POST",
      "a tail after the method: 404" },
    { CHATS_FAMILY_AGENT, "/default", "GET",
      "REST's literals are not agent methods" },
};

static void not_found(tap_t *t, chats_family_e fam, chats_route_match_t *m)
{
    int i;

    for (i = 0; i < TAP_N(unmatched); i++) {
        if (unmatched[i].fam == fam) {
            is_str(t, match(t, fam, unmatched[i].tail, unmatched[i].method,
                            m), "P", unmatched[i].desc);
        }
    }
}

static void test_rest(tap_t *t)
{
    chats_route_match_t m;

    is_str(t, match(t, CHATS_FAMILY_REST, "", "GET", &m), "F", "GET ''");
    ok(t, m.row && m.row->op == CHATS_OP_LIST && !m.id && !m.to_associate,
       "... the list, no captures");
    is_str(t, m.allow, "GET, HEAD, POST, OPTIONS", "... Allow");
    is_str(t, match(t, CHATS_FAMILY_REST, "", "DELETE", &m), "M",
           "DELETE '': 405");
    ok(t, m.row == NULL && !m.patch, "... no row, no PATCH");
    is_str(t, match(t, CHATS_FAMILY_REST, "/844", "HEAD", &m), "F",
           "HEAD /844: as GET");
    ok(t, m.row && m.row->op == CHATS_OP_GET && m.patch,
       "... GET, PATCH allowed");
    is_str(t, m.id, "844", "... {id} captured");
    is_str(t, match(t, CHATS_FAMILY_REST, "/default", "GET", &m), "F",
           "GET /default");
    ok(t, m.row && m.row->op == CHATS_OP_DEFAULT && !m.id,
       "... a literal beats {id}");
    is_str(t, match(t, CHATS_FAMILY_REST, "/DeFaUlT", "POST", &m), "M",
           "POST /DeFaUlT: 405 (any case)");
    is_str(t, m.allow, "GET, HEAD, OPTIONS", "... Allow of default");
    is_str(t, match(t, CHATS_FAMILY_REST, "/7/TransferTo/ann", "POST", &m),
           "F", "POST /7/TransferTo/ann");
    is_str(t, m.id, "7", "... {id}");
    is_str(t, m.to_associate, "ann", "... {toAssociate}");
    is_str(t, match(t, CHATS_FAMILY_REST, "/7/Messages", "OPTIONS", &m),
           "O", "OPTIONS /7/Messages");
    is_str(t, m.allow, "GET, HEAD, POST, OPTIONS", "... Allow");
    is_str(t, match(t, CHATS_FAMILY_REST, "/x/Reset", "POST", &m), "F",
           "POST /x/Reset: matched (the id is the glue's to refuse)");
    is_str(t, m.id, "x", "... {id} as sent");
    routed(t, CHATS_FAMILY_REST, &m);
    not_found(t, CHATS_FAMILY_REST, &m);
    is_str(t, match(t, CHATS_FAMILY_REST, "/Pickupx", "POST", &m), "M",
           "POST /Pickupx: literals match whole, so {id}'s 405");
    is_str(t, m.id, "Pickupx", "... captured as the {id}");
}

static void test_agent(tap_t *t)
{
    chats_route_match_t m;
    int n;

    is_str(t, match(t, CHATS_FAMILY_AGENT, "/GetChatMessages", "POST", &m),
           "F", "POST GetChatMessages");
    ok(t, m.row && m.row->op == CHATS_OP_MESSAGES && !m.id && !m.patch,
       "... the Messages operation, no captures");
    is_str(t, m.allow, "POST, OPTIONS", "... Allow");
    is_str(t, match(t, CHATS_FAMILY_AGENT, "/GetChatMessages", "GET", &m),
           "M", "GET GetChatMessages: 405");
    is_str(t, m.allow, "POST, OPTIONS", "... Allow");
    routed(t, CHATS_FAMILY_AGENT, &m);
    not_found(t, CHATS_FAMILY_AGENT, &m);
    is_str(t, chats_route_path(t->p, m.row = chats_routes(&n)),
           "/api/v1/ChatSession", "the collection's OpenAPI path");
    is_str(t, chats_route_path(t->p, row_of("Chat_AddChatMessage")),
           "/api/v1/Agents/Chat/AddChatMessage", "an agent's OpenAPI path");
}

/* The ChatTopic family (issue 19): literals before {id}, {username}
 * captured like {toAssociate}, Allow per pattern. */
static void test_topic(tap_t *t)
{
    chats_route_match_t m;

    is_str(t, match(t, CHATS_FAMILY_TOPIC, "/useragents", "GET", &m), "F",
           "GET /useragents: found");
    ok(t, m.row->op == CHATS_OP_USER_AGENTS && !m.id,
       "... GetUserAgentList, no id");
    is_str(t, match(t, CHATS_FAMILY_TOPIC, "/7/UserAgent", "OPTIONS", &m),
           "O", "OPTIONS /7/UserAgent");
    is_str(t, m.allow, "GET, HEAD, POST, PUT, OPTIONS", "... its Allow");
    is_str(t, match(t, CHATS_FAMILY_TOPIC, "/7/UserAgent/ann", "PUT", &m),
           "F", "PUT /7/UserAgent/ann: found");
    ok(t, m.row->op == CHATS_OP_TOPIC_AGENT_UPDATE && !strcmp(m.id, "7")
          && !strcmp(m.to_associate, "ann"),
       "... UpdateChatTopicUserAgent, id 7, username ann");
    is_str(t, match(t, CHATS_FAMILY_TOPIC, "/7/IsOpen", "DELETE", &m), "M",
           "DELETE /7/IsOpen: 405");
    is_str(t, m.allow, "GET, HEAD, OPTIONS", "... Allow GET");
    is_str(t, match(t, CHATS_FAMILY_TOPIC, "/7/UserAgent/ann/x", "GET", &m),
           "P", "/7/UserAgent/ann/x: 404");
    is_str(t, match(t, CHATS_FAMILY_AGENT, "/getchatpresence", "POST", &m),
           "F", "the agent's getchatpresence: found");
    ok(t, m.row->op == CHATS_OP_PRESENCE_GET, "... GetChatPresence");
    is_str(t, chats_route_path(t->p, row_of("IsWithinOpeningHours")),
           "/api/v1/ChatTopic/{id}/IsOpen", "a topic's OpenAPI path");
    ok(t, chats_route_family_of_path("/x/api/v1/chattopic/") ==
          CHATS_FAMILY_TOPIC && chats_route_family_of_label("ChatTopic")
          == CHATS_FAMILY_TOPIC, "the family by its path and its label");
}

/* A row's error statuses, from the error kinds (chats_route_answers), as
 * "304 400 ...". */
static const char *statuses(tap_t *t, const chats_route_def_t *row)
{
    const char *out = "";
    int s;

    for (s = chats_err_next_status(0); s; s = chats_err_next_status(s)) {
        if (chats_route_has_status(row, s)) {
            out = apr_psprintf(t->p, "%s%s%d", out, *out ? " " : "", s);
        }
    }
    return out;
}

/* Statuses per route (issue 18): derived, not listed. A few rows whose
 * every argument and operation matters; every status has a reason. */
static void test_statuses(tap_t *t)
{
    static const struct {
        const char *op, *want;
    } cases[] = {
        { "GetChatSessionEntity", "304 400 401 403 404 406 412 503" },
        { "PatchChatSessionEntity",
          "400 401 403 404 406 409 412 413 415 503" },
        { "PutChatSessionEntity", "400 401 403 404 406 412 413 415 503" },
        { "DeleteChatSessionEntity", "400 401 403 404 412 503" },
        { "PostChatSessionEntity", "400 401 403 404 406 413 415 422 503" },
        { "DefaultChatSessionEntity", "400 401 403 406 503" },
        { "GetAll", "400 401 403 406 503" },
        { "AcceptChatSessionTransfer", "400 401 403 404 406 422 503" },
        { "GetChatTranscript", "400 401 403 404 406 503" },
        { "Chat_CreateDefaultChatSessionEntity",
          "400 401 403 406 413 415 503" },
        { "Chat_DeleteChatSessionEntity", "400 401 403 404 413 415 503" },
        { "Chat_AddChatMessage", "400 401 403 404 406 413 415 422 503" },
        { "DeleteChatTopicUserAgent", "400 401 403 404 503" },
        { "AddChatTopicUserAgent", "400 401 403 404 406 413 415 503" },
        { "Chat_SaveChatPresence", "400 401 403 413 415 503" },
        { "GetUserAgentList", "400 401 403 406 503" },
    };
    int i, n, s, named = 1;

    for (i = 0; i < TAP_N(cases); i++) {
        const chats_route_def_t *row = row_of(cases[i].op);

        is_str(t, row ? statuses(t, row) : "(no row)", cases[i].want,
               apr_psprintf(t->p, "%s: its statuses", cases[i].op));
    }
    for (s = chats_err_next_status(0); s; s = chats_err_next_status(s)) {
        named &= chats_err_reason(s) != NULL;
    }
    ok(t, named, "every status of the error kinds has a reason phrase");
    chats_routes(&n);
    ok(t, n > 0 && !chats_route_has_status(row_of("GetAll"), 418),
       "a status of no kind is no route's");
}

/* The media type table (core/base/chats_media.h): the constant lists
 * agree with it; lookups are case-insensitive; every answer's
 * Content-Type carries the charset. */
static void test_media(tap_t *t)
{
    int i, n, utf8 = 1;
    const chats_media_t *m = chats_media_types(&n);

    is_str(t, chats_media_list(t->p, CHATS_MF_PATCH, 0, ", "),
           CHATS_MT_OFFERED, "CHATS_MT_OFFERED is the table's");
    is_str(t, chats_media_list(t->p, CHATS_MF_PATCH, CHATS_MF_PATCH, ", "),
           CHATS_MT_PATCHES, "CHATS_MT_PATCHES is the table's");
    for (i = 0; i < n; i++) {
        size_t len = strlen(m[i].content_type);

        utf8 &= len > strlen(CHATS_MT_UTF8)
                && !strcmp(m[i].content_type + len - strlen(CHATS_MT_UTF8),
                           CHATS_MT_UTF8);
    }
    ok(t, utf8, "every answer's Content-Type ends with the charset");
    ok(t, chats_media_find("Application/JSON") == chats_media_default()
          && chats_media_default()->body == CHATS_MEDIA_JSON,
       "types compare case-insensitively; JSON is the default");
    ok(t, chats_media_find("text/XML")
          && (chats_media_find("text/XML")->flags & CHATS_MF_XML)
          && !chats_media_find("text/plain"),
       "text/xml is XML; text/plain is none of ours");
    is_str(t, chats_media_find(CHATS_MT_MERGE_PATCH)->content_type,
           chats_media_default()->content_type,
           "a patch type is answered as JSON");
}

/* The Webhook families (issue 20, slice D). */
static void test_webhook(tap_t *t)
{
    chats_route_match_t m;

    ok(t, chats_route_family_of_path("/api/v1/Agents/Webhook")
          == CHATS_FAMILY_WEBHOOK_AGENT
          && chats_route_family_of_path("/api/v1/Webhook/")
             == CHATS_FAMILY_WEBHOOK
          && chats_route_family_of_label("WebhookAgent")
             == CHATS_FAMILY_WEBHOOK_AGENT,
       "Agents/Webhook is WebhookAgent's (the longest ending), not "
       "Webhook's");
    is_str(t, match(t, CHATS_FAMILY_WEBHOOK, "/ops.order/42", "POST", &m),
           "F", "POST /ops.order/42: found");
    ok(t, m.row->op == CHATS_OP_WEBHOOK_SIGNAL && !m.id
          && m.to_associate && !strcmp(m.to_associate, "ops.order")
          && m.key && !strcmp(m.key, "42"),
       "... the signal: {eventName} and {primaryKey} bound apart");
    is_str(t, match(t, CHATS_FAMILY_WEBHOOK, "/7/lasterror", "GET", &m),
           "F", "GET /7/lasterror: found (any case)");
    ok(t, m.row->op == CHATS_OP_WEBHOOK_LAST_ERROR && m.id
          && !strcmp(m.id, "7"), "... LastError of {id} 7");
    is_str(t, match(t, CHATS_FAMILY_WEBHOOK, "/7/LastError", "POST", &m),
           "M", "POST /7/LastError: 405 (a literal beats {primaryKey})");
    is_str(t, match(t, CHATS_FAMILY_WEBHOOK, "/Test", "POST", &m), "F",
           "POST /Test: found");
    ok(t, m.row->op == CHATS_OP_WEBHOOK_TEST, "... the test");
    is_str(t, match(t, CHATS_FAMILY_WEBHOOK_AGENT, "/savewebhook", "POST",
                    &m), "F", "the agent's savewebhook: found");
    ok(t, m.row->op == CHATS_OP_SAVE
          && chats_route_entity(m.row) == &chats_webhook_def,
       "... Save, of a webhook");
    is_str(t, chats_route_path(t->p, m.row),
           "/api/v1/Agents/Webhook/SaveWebhook", "... its OpenAPI path");
}

static const tap_test_fn tests[] = {
    test_table, test_rest, test_agent, test_topic, test_statuses,
    test_media, test_webhook, NULL
};

const tap_suite_t tap_suite = { NULL, tests, NULL };
