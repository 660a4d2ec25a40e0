/* Unit tests of the agent actions' statements (core/sql/chats_action_sql.c),
 * without PostgreSQL: every statement is built, every template name
 * resolved, its parameters are numbered 1..n with the zone first when it
 * reads a zoned row, their values and types land where the statement
 * uses them, and no request value is ever part of the text. Whether
 * PostgreSQL accepts each statement is t/api's (actions.t, transfer.t,
 * pickup_race.t): each is prepared on first use. Prints TAP. */
#include <stdlib.h>

#include <apr_general.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "chats_action_sql.h"
#include "tap.h"

static const char *const act_names[CHATS_ACT__N] = {
    "lock", "pickup_first", "pickup", "pickup_diag", "transfer",
    "transfer_diag", "accept", "reject", "reset_own", "reset_any",
    "reset_diag", "get", "for_user", "queue_pos"
};

/* The highest $n in text, and whether every $1..$max occurs; -1 when a
 * '$' is followed by a letter (an unexpanded parameter) or text keeps a
 * template brace. Dollar-quoted strings do not occur in our statements. */
static int max_param(const char *text, int *pdense)
{
    int seen[64] = { 0 }, max = 0, k;
    const char *at;

    if (strchr(text, '{') || strchr(text, '}')) {
        return -1;
    }
    for (at = strchr(text, '$'); at; at = strchr(at + 1, '$')) {
        if (apr_isalpha(at[1])) {
            return -1;
        }
        if (apr_isdigit(at[1])) {
            int n = atoi(at + 1);

            if (n < 64) {
                seen[n] = 1;
            }
            max = n > max ? n : max;
        }
    }
    *pdense = 1;
    for (k = 1; k <= max; k++) {
        *pdense &= seen[k];
    }
    return max;
}

static void each_statement(tap_t *t)
{
    const chats_action_sql_t *a = t->ctx;
    int act, how;

    for (act = 0; act < CHATS_ACT__N; act++) {
        for (how = CHATS_READ_UTC; how <= CHATS_READ_ZONED; how++) {
            const chats_act_stmt_t *s = chats_action_stmt(a, act, how);
            const char *what = apr_psprintf(t->p, "%s%s", act_names[act],
                                            how ? " (zoned)" : "");
            int dense = 0, max = max_param(s->stmt.sql, &dense);

            ok(t, max >= 0, apr_psprintf(t->p, "%s: every template name "
                                         "expanded", what));
            ok(t, max == s->zoned + s->nargs && dense,
               apr_psprintf(t->p, "%s: $1..$%d, each used (%d found)",
                            what, s->zoned + s->nargs, max));
            ok(t, s->stmt.name
               && !strncmp(s->stmt.name, "chats_act_", 10)
               && (!s->zoned || strstr(s->stmt.name, "_zoned")),
               apr_psprintf(t->p, "%s: named %s", what, s->stmt.name));
            /* A statement that renders a row reads it zoned with the
             * zone as $1; the others take no zone. */
            ok(t, s->zoned == (how == CHATS_READ_ZONED && s->row_at >= 0),
               apr_psprintf(t->p, "%s: zone parameter %s", what,
                            s->zoned ? "first" : "absent"));
        }
    }
}

/* Names are unique per text: the store prepares a name once per
 * connection, so one name for two texts would run the wrong one. */
static void unique_names(tap_t *t)
{
    const chats_action_sql_t *a = t->ctx;
    int i, j, clash = 0;
    const chats_act_stmt_t *all = &a->s[0][0];

    for (i = 0; i < CHATS_ACT__N * 2; i++) {
        for (j = 0; j < i; j++) {
            if (!strcmp(all[i].stmt.name, all[j].stmt.name)
                && strcmp(all[i].stmt.sql, all[j].stmt.sql)) {
                printf("# %s names two texts\n", all[i].stmt.name);
                clash++;
            }
        }
    }
    ok(t, clash == 0, "one text per statement name");
}

/* The values go where the statement's $n are, typed; the text carries
 * none of them, so a hostile login or toAssociate is only ever data. */
static void params(tap_t *t)
{
    const chats_action_sql_t *a = t->ctx;
    const char *vals[CHATS_AP__N] = {
        [CHATS_AP_ASSOC] = "7",
        [CHATS_AP_LOGIN] = "x'); DROP TABLE chat_session; --",
        [CHATS_AP_ID] = "844",
        [CHATS_AP_TO] = "ann' OR '1'='1",
        [CHATS_AP_TOPIC] = "3",
        [CHATS_AP_KEY] = "key'); DELETE FROM chats_idempotency; --",
        [CHATS_AP_FP] = "9f86d081884c7d659a2feaa0c55ad015",
        [CHATS_AP_STATUS] = "200"
    };
    const char **values;
    chats_ptype_e *types;
    const chats_act_stmt_t *s;
    int n, act, how, leaks = 0;

    s = chats_action_stmt(a, CHATS_ACT_TRANSFER, CHATS_READ_ZONED);
    n = chats_action_params(t->p, s, "Europe/Oslo", vals, &values, &types);
    ok(t, n == 5, "transfer (zoned): 5 parameters");
    is_str(t, values[0], "Europe/Oslo", "transfer (zoned): $1 is the zone");
    ok(t, types[0] == CHATS_P_TEXT, "the zone is text");
    is_str(t, values[1], "7", "$2 is the caller's associate");
    ok(t, types[1] == CHATS_P_INT4, "the associate is int4");
    is_str(t, values[2], vals[CHATS_AP_LOGIN], "$3 is the login (Author)");
    is_str(t, values[3], "844", "$4 is the session");
    is_str(t, values[4], vals[CHATS_AP_TO], "$5 is toAssociate");
    ok(t, types[4] == CHATS_P_TEXT, "toAssociate is text (a login or id)");
    ok(t, strstr(s->stmt.sql, "$4::int4") && strstr(s->stmt.sql, "$5::text")
       && strstr(s->stmt.sql, "$2::int4"), "each use carries its type");

    s = chats_action_stmt(a, CHATS_ACT_TRANSFER, CHATS_READ_UTC);
    n = chats_action_params(t->p, s, NULL, vals, &values, &types);
    ok(t, n == 4 && !strcmp(values[0], "7") && !strcmp(values[3],
                                                        vals[CHATS_AP_TO]),
       "transfer (UTC): no zone, the others from $1");

    s = chats_action_stmt(a, CHATS_ACT_QUEUE_POS, CHATS_READ_ZONED);
    n = chats_action_params(t->p, s, "Europe/Oslo", vals, &values, &types);
    ok(t, n == 1 && !strcmp(values[0], "3") && types[0] == CHATS_P_INT4,
       "queue position: the topic only, no zone (no row rendered)");

    s = chats_action_stmt(a, CHATS_ACT_RESET_ANY, CHATS_READ_UTC);
    n = chats_action_params(t->p, s, NULL, vals, &values, &types);
    ok(t, n == 2 && !strcmp(values[0], "844")
       && !strcmp(values[1], vals[CHATS_AP_ASSOC]),
       "reset of any session: the id, and the caller who writes (no owner "
       "predicate)");
    ok(t, strstr(s->stmt.sql, "updated_by = NULLIF($2::int4, 0)") != NULL,
       "... recorded as the row's writer (a webhook's ChangedByAssociateId)");
    ok(t, !strstr(s->stmt.sql, "user_id = $"),
       "reset of any session: no owner predicate");
    s = chats_action_stmt(a, CHATS_ACT_RESET_OWN, CHATS_READ_UTC);
    ok(t, strstr(s->stmt.sql, "cs.user_id = $1::int4") != NULL,
       "reset of one's own session: the owner predicate");

    for (act = 0; act < CHATS_ACT__N; act++) {
        for (how = 0; how < 2; how++) {
            int k;

            s = chats_action_stmt(a, act, how);
            for (k = 0; k < CHATS_AP__N; k++) {
                leaks += strstr(s->stmt.sql, vals[k]) && strlen(vals[k]) > 3;
            }
        }
    }
    ok(t, leaks == 0, "no statement text holds a request value");
}

/* What the templates must say, spot-checked on the text: each row's
 * statement holds every one of its strings. */
static const struct {
    chats_act_e act;
    chats_read_e how;
    const char *has[3];
    const char *desc;
} shape_rows[] = {
    { CHATS_ACT_PICKUP_FIRST, CHATS_READ_UTC, { "FOR UPDATE SKIP LOCKED" },
      "pickup: a locked queued session is skipped, not waited for" },
    { CHATS_ACT_PICKUP_FIRST, CHATS_READ_UTC,
      { "cs.status = 4", "status = 6" },
      "pickup: InQueue (4) becomes UserLast (6)" },
    { CHATS_ACT_PICKUP_FIRST, CHATS_READ_UTC,
      { "ORDER BY cs.when_requested NULLS LAST, cs.id LIMIT 1" },
      "pickup first: the oldest WhenRequested, then the id" },
    { CHATS_ACT_PICKUP_FIRST, CHATS_READ_UTC, { "3, 1, left($2::text, 255)" },
      "pickup: a Special (3) Welcome (1) message by the caller" },
    { CHATS_ACT_PICKUP_FIRST, CHATS_READ_UTC,
      { "nextval('chat_message_id_seq')" },
      "pickup: the message id is taken under the session's lock" },
    { CHATS_ACT_LOCK, CHATS_READ_UTC, { "FOR NO KEY UPDATE" },
      "lock: NO KEY UPDATE (in a transaction: the store never retries it)" },
    { CHATS_ACT_FOR_USER, CHATS_READ_UTC,
      { "LIMIT 1000", "NOT IN (7, 8, 9, 11)", "ORDER BY cs.id" },
      "for current user: open sessions, id order, at most 1000" },
    { CHATS_ACT_GET, CHATS_READ_ZONED, { "cs.id = $2::int4", ", $1)" },
      "get (zoned): carriers read in $1's zone, the id is $2" },
    { CHATS_ACT_TRANSFER, CHATS_READ_UTC,
      { "ORDER BY a.name = $4::text DESC" },
      "transfer: a login wins over an id" },
    { CHATS_ACT_TRANSFER, CHATS_READ_UTC,
      { "CASE WHEN $4::text ~ '^[0-9]+$'" },
      "transfer: only digits are cast to an id" },
};

static void shapes(tap_t *t)
{
    const chats_action_sql_t *a = t->ctx;
    int i, k;

    for (i = 0; i < TAP_N(shape_rows); i++) {
        const char *sql = chats_action_stmt(a, shape_rows[i].act,
                                            shape_rows[i].how)->stmt.sql;
        int all = 1;

        for (k = 0; k < TAP_N(shape_rows[i].has) && shape_rows[i].has[k];
             k++) {
            all &= strstr(sql, shape_rows[i].has[k]) != NULL;
        }
        ok(t, all, shape_rows[i].desc);
    }
}

/* The statements are built once, for every test. */
static int setup(tap_t *t)
{
    const chats_action_sql_t *a =
        chats_action_sql_build(t->p, chats_sql_build(t->p));

    ok(t, a != NULL, "every action statement builds (with chats_sql)");
    t->ctx = a;
    return a != NULL;
}

static const tap_test_fn tests[] = {
    each_statement, unique_names, params, shapes, NULL
};

const tap_suite_t tap_suite = { setup, tests, NULL };
