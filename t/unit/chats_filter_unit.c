/* Unit tests of the $filter / $orderBy compiler (core/chats_filter*.c):
 * the SQL and parameters each form compiles to, and each error class
 * with its position and token. Prints TAP. */
#include <apr_general.h>
#include <apr_strings.h>

#include "chats_filter.h"
#include "tap.h"

/* What a compile gives, as one line: "W: where | O: order | $n=value:type
 * ..." or "E: message". */
static const char *run(tap_t *t, const char *filter, const char *orderby,
                       const char *zone)
{
    chats_filter_env_t env = { 3, zone };
    chats_filter_sql_t *out = NULL;
    chats_err_t *e = chats_filter_compile(t->p, filter, orderby, &env, &out);
    const char *s;
    int i;

    if (e) {
        if (e->code != CHATS_E_INVALID) {
            return apr_psprintf(t->p, "E(code %d): %s", e->code, e->message);
        }
        return apr_pstrcat(t->p, "E: ", e->message, NULL);
    }
    s = apr_pstrcat(t->p, "W: ", out->where ? out->where : "-", " | O: ",
                    out->order_by ? out->order_by : "-", NULL);
    for (i = 0; i < out->params->nelts; i++) {
        chats_param_t *prm = &APR_ARRAY_IDX(out->params, i, chats_param_t);

        s = apr_psprintf(t->p, "%s | $%d=%s:%s", s, i + 3, prm->value,
                         chats_sql_ptype_name(prm->type));
    }
    return s;
}

/* One compile and what it must give: $filter, $orderBy, the request's
 * zone (NULL: none) -> run()'s line. */
typedef struct {
    const char *filter, *orderby, *zone, *want, *desc;
} f_case_t;

#define F(f, want, desc)      { f, NULL, NULL, want, desc }
#define FZ(f, z, want, desc)  { f, NULL, z, want, desc }
#define FO(f, o, want, desc)  { f, o, NULL, want, desc }
#define O(o, want, desc)      { NULL, o, NULL, want, desc }

static void run_cases(tap_t *t, const f_case_t *c, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        is_str(t, run(t, c[i].filter, c[i].orderby, c[i].zone), c[i].want,
               c[i].desc);
    }
}

static void f_is(tap_t *t, const char *filter, const char *want,
                 const char *desc)
{
    is_str(t, run(t, filter, NULL, NULL), want, desc);
}

/* Comparisons: each operator, literals, null, carriers */
static const f_case_t comparisons[] = {
    F("Rating eq 5", "W: cs.rating = $3 | O: - | $3=5:int4", "eq"),
    F("Rating ne 5", "W: cs.rating IS DISTINCT FROM $3 | O: - | $3=5:int4",
      "ne: a null differs from every value"),
    F("Rating lt -5", "W: cs.rating < $3 | O: - | $3=-5:int4", "lt"),
    F("Rating le 5", "W: cs.rating <= $3 | O: - | $3=5:int4", "le"),
    F("Rating gt 5", "W: cs.rating > $3 | O: - | $3=5:int4", "gt"),
    F("Rating ge 5", "W: cs.rating >= $3 | O: - | $3=5:int4", "ge"),
    F("rating EQ 5", "W: cs.rating = $3 | O: - | $3=5:int4",
      "field names and operators in any case"),
    F("CustomerName eq 'O''Hara'", "W: cs.name = $3 | O: - | $3=O'Hara:text",
      "'' in a string"),
    F("CustomerName eq 'a; DROP TABLE x --'",
      "W: cs.name = $3 | O: - | $3=a; DROP TABLE x --:text",
      "a literal is a parameter, never SQL"),
    F("ChatbotIsActive eq true",
      "W: cs.chatbot_isactive = $3 | O: - | $3=true:boolean", "true"),
    F("customerconsented ne FALSE",
      "W: cs.consented IS DISTINCT FROM $3 | O: - | $3=false:boolean",
      "false, any case"),
    F("WhenEnded eq null", "W: cs.when_ended IS NULL | O: -", "eq null"),
    F("WhenEnded ne null", "W: cs.when_ended IS NOT NULL | O: -", "ne null"),
    F("TopicId eq 0", "W: cs.topic_id IS NULL | O: -",
      "an optional id's 0 is NULL"),
    F("User ne 0", "W: cs.user_id IS NOT NULL | O: -",
      "a carrier's 0 is none"),
    F("User eq 7", "W: cs.user_id = $3 | O: - | $3=7:int4",
      "a carrier compares as its key"),
    F("User/AssociateId eq 7", "W: cs.user_id = $3 | O: - | $3=7:int4",
      "the key member is the session's column"),
    F("user/name eq 'ann'",
      "W: (SELECT m.name FROM associate m WHERE m.associate_id = "
      "cs.user_id) = $3 | O: - | $3=ann:text", "a carrier member, any case"),
    F("Sale/Amount gt 10.5",
      "W: (SELECT m.amount FROM sale m WHERE m.sale_id = cs.sale_id) > $3"
      " | O: - | $3=10.5:float8", "a decimal for a double member"),
    F("  ", "W: - | O: -", "a blank $filter is none"),
};

/* Enums and flags by name or number; oneOf */
static const f_case_t enums[] = {
    F("Status eq 'InQueue'", "W: cs.status = $3 | O: - | $3=4:int2",
      "an enum by quoted name"),
    F("Status eq inqueue", "W: cs.status = $3 | O: - | $3=4:int2",
      "an enum by bare name, any case"),
    F("Status eq 4", "W: cs.status = $3 | O: - | $3=4:int2",
      "an enum by number"),
    F("Flags eq 'UserIsTyping'", "W: cs.flags = $3 | O: - | $3=1:int2",
      "a flag by name"),
    F("User/Type eq InternalAssociate",
      "W: (SELECT m.type FROM associate m WHERE m.associate_id = "
      "cs.user_id) = $3 | O: - | $3=1:int2", "a carrier member's enum"),
    F("Status eq 'Frozen'",
      "E: $filter: at 11, 'Frozen' is not a ChatSessionStatus (Status)",
      "an unknown enum name, named"),
    F("Status eq 42",
      "E: $filter: at 11, '42' is not a ChatSessionStatus (Status)",
      "a number the enum does not define"),
    F("oneOf(Status, InQueue, 'CustomerLast', 6)",
      "W: cs.status = ANY($3) | O: - | $3={4,5,6}:int8[]",
      "oneOf on an enum: one array parameter"),
    F("oneOf(TopicId, 0, 3)",
      "W: (cs.topic_id = ANY($3) OR cs.topic_id IS NULL) | O: - | "
      "$3={0,3}:int8[]", "oneOf with an optional id's 0"),
    F("oneOf(CustomerName, 'a', 'b')",
      "W: cs.name IN ($3, $4) | O: - | $3=a:text | $4=b:text",
      "oneOf on a string"),
    F("oneOf(WhenEnded, 'x')",
      "E: $filter: at 7, oneOf applies to enums, integers and strings, "
      "not to WhenEnded", "oneOf on a date-time"),
    F("oneOf(Status, Frozen)",
      "E: $filter: at 15, 'Frozen' is not a ChatSessionStatus (Status)",
      "oneOf with an unknown name"),
    F("oneOf(Status)", "E: $filter: at 13, unexpected ')', expected ','",
      "oneOf without values"),
};

/* And, or, not: precedence and parentheses */
static const f_case_t logic[] = {
    F("Rating eq 1 or Rating eq 2 and Rating eq 3",
      "W: (cs.rating = $3 OR (cs.rating = $4 AND cs.rating = $5)) | O: - "
      "| $3=1:int4 | $4=2:int4 | $5=3:int4", "and binds tighter than or"),
    F("(Rating eq 1 or Rating eq 2) and Rating eq 3",
      "W: (((cs.rating = $3 OR cs.rating = $4)) AND cs.rating = $5) | O: "
      "- | $3=1:int4 | $4=2:int4 | $5=3:int4", "parentheses"),
    F("not Rating eq 1 and Rating eq 2",
      "W: (NOT coalesce(cs.rating = $3, false) AND cs.rating = $4) | O: - "
      "| $3=1:int4 | $4=2:int4", "not binds tighter than and"),
    F("not not Rating lt 1",
      "W: NOT coalesce(NOT coalesce(cs.rating < $3, false), false) | O: - "
      "| $3=1:int4", "not not"),
    F("Rating eq 1 and",
      "E: $filter: at 16, unexpected end, expected a field name",
      "a dangling and"),
    F("Rating eq 1 Rating",
      "E: $filter: at 13, unexpected 'Rating', expected and, or or the end",
      "two terms without an operator"),
    F("(Rating eq 1", "E: $filter: at 13, unexpected end, expected ')'",
      "an unclosed parenthesis"),
    F("Rating eq 1)",
      "E: $filter: at 12, unexpected ')', expected and, or or the end",
      "a stray parenthesis"),
    F("Rating eq 1 and and Rating eq 2",
      "E: $filter: at 17, unexpected 'and', expected a field name", "and and"),
};

/* Contains, startswith, endswith */
static const f_case_t functions[] = {
    F("contains(CustomerName,'ann')",
      "W: cs.name ILIKE $3 | O: - | $3=%ann%:text", "contains"),
    F("startsWith(CustomerName, 'ann')",
      "W: cs.name ILIKE $3 | O: - | $3=ann%:text", "startswith"),
    F("endswith(CustomerName,'ann')",
      "W: cs.name ILIKE $3 | O: - | $3=%ann:text", "endswith"),
    F("contains(CustomerName,'50%_a\\b')",
      "W: cs.name ILIKE $3 | O: - | $3=%50\\%\\_a\\\\b%:text",
      "LIKE's % _ \\ escaped"),
    F("contains(User/FullName,'x')",
      "W: (SELECT m.full_name FROM associate m WHERE m.associate_id = "
      "cs.user_id) ILIKE $3 | O: - | $3=%x%:text", "on a carrier member"),
    F("contains(Rating,'1')",
      "E: $filter: at 10, contains applies to strings, not to Rating",
      "contains on an integer"),
    F("contains(CustomerName, 5)",
      "E: $filter: at 24, unexpected '5', expected a quoted string",
      "contains with a number"),
    F("contains(CustomerName 'x')",
      "E: $filter: at 23, unexpected 'x', expected ','", "a missing comma"),
    F("not contains(CustomerName,'x')",
      "W: NOT coalesce(cs.name ILIKE $3, false) | O: - | $3=%x%:text",
      "not contains"),
};

/* Date-times: literals, today, now, zones */
static const f_case_t datetimes[] = {
    F("WhenRequested ge today",
      "W: cs.when_requested >= date_trunc('day', now(), 'UTC') | O: -",
      "today in UTC"),
    F("WhenRequested lt now", "W: cs.when_requested < now() | O: -", "now"),
    FZ("WhenRequested ge today and WhenEnded lt today", "Europe/Oslo",
       "W: (cs.when_requested >= date_trunc('day', now(), $3) AND "
       "cs.when_ended < date_trunc('day', now(), $3)) | O: - | "
       "$3=Europe/Oslo:text", "today in the request's zone, bound once"),
    F("WhenRequested gt 2024-03-01T10:00:00+01:00",
      "W: cs.when_requested > $3 | O: - | "
      "$3=2024-03-01 09:00:00.000000+00:timestamptz",
      "a bare date-time with an offset"),
    F("WhenRequested gt '2024-03-01T10:00:00.5Z'",
      "W: cs.when_requested > $3 | O: - | "
      "$3=2024-03-01 10:00:00.500000+00:timestamptz", "a quoted one"),
    FZ("WhenRequested gt '2024-03-01'", "Europe/Oslo",
       "W: cs.when_requested > ($4::timestamp AT TIME ZONE $3) | O: - | "
       "$3=Europe/Oslo:text | $4=2024-03-01 00:00:00.000000:timestamp",
       "without an offset: local time in the request's zone"),
    FZ("WhenRequested gt '2024-03-01'", "UTC",
       "W: cs.when_requested > $3 | O: - | "
       "$3=2024-03-01 00:00:00.000000+00:timestamptz",
       "without an offset in UTC"),
    F("WhenRequested gt '0001-01-01T00:00:00+14:00'",
      "E: $filter: at 18, '0001-01-01T00:00:00+14:00' is not a date-time "
      "(WhenRequested)", "out of range"),
    F("WhenRequested gt 2024-13-01",
      "E: $filter: at 18, '2024-13-01' is not a date-time (WhenRequested)",
      "a bad month"),
    F("Rating eq today",
      "E: $filter: at 11, 'today' is not an integer (Rating)",
      "today for an integer"),
    FZ("WhenRequested ge today+1 and WhenRequested lt TODAY-2", "Europe/Oslo",
       "W: (cs.when_requested >= ((date_trunc('day', now(), $3) AT TIME "
       "ZONE $3 + $4 * interval '1 day') AT TIME ZONE $3) AND "
       "cs.when_requested < ((date_trunc('day', now(), $3) AT TIME ZONE "
       "$3 + $5 * interval '1 day') AT TIME ZONE $3)) | O: - | "
       "$3=Europe/Oslo:text | $4=1:int4 | $5=-2:int4",
       "today+N, today-N: days on the zone's calendar, N bound"),
    F("WhenRequested gt now-3600",
      "W: cs.when_requested > (now() + $3 * interval '1 second') | O: - | "
      "$3=-3600:int8", "now-N: seconds, bound"),
    F("(WhenRequested lt now+60)",
      "W: (cs.when_requested < (now() + $3 * interval '1 second')) | O: - "
      "| $3=60:int8", "now+N before a parenthesis"),
    F("WhenRequested lt now +60",
      "E: $filter: at 22, unexpected '+', expected and, or or the end",
      "the sign right after the word"),
    F("WhenRequested lt today+1x",
      "E: $filter: at 23, today needs a "
      "whole number of days up to 3650000 after its sign", "today+1x"),
    F("WhenRequested lt today+3650001",
      "E: $filter: at 23, today "
      "needs a whole number of days up to 3650000 after its sign",
      "today+N past its bound"),
    F("WhenRequested lt now-99999999999999999999",
      "E: $filter: at 21, "
      "now needs a whole number of seconds up to 315360000000 after its sign",
      "now-N past its bound (no overflow)"),
};

/* $orderBy */
static const f_case_t orderby[] = {
    O("WhenRequested", "W: - | O: cs.when_requested ASC", "asc by default"),
    O("status desc, customername ASC ,Rating",
      "W: - | O: cs.status DESC, cs.name ASC, cs.rating ASC",
      "several, any case"),
    O("User/Name desc",
      "W: - | O: (SELECT m.name FROM associate m WHERE m.associate_id = "
      "cs.user_id) DESC", "a carrier member"),
    FO("Status eq InQueue", "WhenRequested",
       "W: cs.status = $3 | O: cs.when_requested ASC | $3=4:int2",
       "with a filter"),
    O("Statsu", "E: $orderBy: at 1, unknown field 'Statsu'",
      "an unknown field"),
    O("Status up",
      "E: $orderBy: at 8, unexpected 'up', expected asc, desc, ',' or the end",
      "an unknown direction"),
    FO("", " ", "W: - | O: -", "blank: none"),
    O("Status desc desc",
      "E: $orderBy: at 13, unexpected 'desc', expected ',' or the end",
      "two directions"),
    O("Status,", "E: $orderBy: at 8, unexpected end, expected a field name",
      "a trailing comma"),
    O("Status,Status,Status,Status,Status,Status,Status,"
      "Status,Status,Status,Status,Status,Status,Status,Status,Status,Status",
      "E: $orderBy: at 113, more than 16 keys", "too many keys"),
};

/* Each error class, with its position and token */
static const f_case_t errors[] = {
    F("Statsu eq 1", "E: $filter: at 1, unknown field 'Statsu'",
      "an unknown field"),
    F("Status/Name eq 1", "E: $filter: at 1, unknown field 'Status/Name'",
      "members of a non-carrier"),
    F("User/Nope eq 1", "E: $filter: at 1, unknown field 'User/Nope'",
      "an unknown member"),
    F("Rating is 1",
      "E: $filter: at 8, unexpected 'is', expected eq, ne, lt, le, gt or ge",
      "an unknown operator"),
    F("Rating eq", "E: $filter: at 10, unexpected end, expected an integer",
      "a missing value"),
    F("Rating eq '5'", "E: $filter: at 11, '5' is not an integer (Rating)",
      "a string for an integer"),
    F("Rating eq 2147483648",
      "E: $filter: at 11, '2147483648' is not an integer (Rating)",
      "past int32"),
    F("Rating eq 1.5", "E: $filter: at 11, '1.5' is not an integer (Rating)",
      "a decimal for an integer"),
    F("CustomerName eq abc",
      "E: $filter: at 17, 'abc' is not a string (CustomerName)",
      "a bare name for a string"),
    F("ChatbotIsActive eq 1",
      "E: $filter: at 20, '1' is not true or false (ChatbotIsActive)",
      "a number for a Boolean"),
    F("Rating lt null",
      "E: $filter: at 8, lt cannot compare with null (Rating)",
      "null with lt"),
    F("CustomerName eq 'abc", "E: $filter: at 17, unterminated string",
      "an unterminated string"),
    F("Rating eq 1 & Rating eq 2",
      "E: $filter: at 13, unexpected '&', expected and, or or the end",
      "a stray byte"),
    F("CustomerName eq 'ø' and ø",
      "E: $filter: at 25, unexpected 'ø', expected a field name",
      "positions count characters"),
    F("CustomerName eq 'a\xff'", "E: $filter: at 19, invalid UTF-8",
      "invalid UTF-8, where"),
    F("CustomerName eq 'a\xc0\xaf'", "E: $filter: at 19, invalid UTF-8",
      "an overlong sequence"),
};

static void test_cases(tap_t *t)
{
    run_cases(t, comparisons, TAP_N(comparisons));
    run_cases(t, enums, TAP_N(enums));
    run_cases(t, logic, TAP_N(logic));
    run_cases(t, functions, TAP_N(functions));
    run_cases(t, datetimes, TAP_N(datetimes));
    run_cases(t, orderby, TAP_N(orderby));
    run_cases(t, errors, TAP_N(errors));
}

/* The fields a filter and an order read, for the list's carriers. */
static void test_fields(tap_t *t)
{
    chats_filter_env_t env = { 1, NULL };
    chats_filter_sql_t *out = NULL;
    const chats_field_t *const *f;

    chats_filter_compile(t->p, "Rating eq 1 or user/name eq 'x' or "
                         "rating gt 2", "User, Status", &env, &out);
    f = out ? (const chats_field_t *const *)out->fields->elts : NULL;
    ok(t, f && out->fields->nelts == 3 && !strcmp(f[0]->name, "Rating")
       && !strcmp(f[1]->name, "User") && !strcmp(f[2]->name, "Status"),
       "the fields named, once each, in order");
}

static void test_limits(tap_t *t)
{
    char *deep, *many, *longs;
    int i;


    deep = apr_pstrcat(t->p, apr_psprintf(t->p, "%0*d", 33, 0), NULL);
    memset(deep, '(', 33);
    deep = apr_pstrcat(t->p, deep, "Rating eq 1", NULL);
    f_is(t, deep, "E: $filter: at 33, nested deeper than 32",
         "33 parentheses");
    deep = apr_pstrdup(t->p, "");
    for (i = 0; i < 33; i++) {
        deep = apr_pstrcat(t->p, deep, "not ", NULL);
    }
    deep = apr_pstrcat(t->p, deep, "Rating eq 1", NULL);
    f_is(t, deep, "E: $filter: at 129, nested deeper than 32", "33 nots");
    deep = apr_pstrdup(t->p, "");
    for (i = 0; i < 32; i++) {
        deep = apr_pstrcat(t->p, deep, "(", NULL);
    }
    deep = apr_pstrcat(t->p, deep, "Rating eq 1", NULL);
    for (i = 0; i < 32; i++) {
        deep = apr_pstrcat(t->p, deep, ")", NULL);
    }
    ok(t, !strncmp(run(t, deep, NULL, NULL), "W: ", 3), "32 parentheses");
    many = apr_pstrdup(t->p, "Rating eq 1");
    for (i = 1; i < 101; i++) {
        many = apr_pstrcat(t->p, many, " or Rating eq 1", NULL);
    }
    f_is(t, many, "E: $filter: at 1501, more than 100 terms",
         "101 comparisons");
    many[strlen(many) - strlen(" or Rating eq 1")] = '\0';
    ok(t, !strncmp(run(t, many, NULL, NULL), "W: ", 3), "100 comparisons");
    longs = apr_palloc(t->p, CHATS_FILTER_MAX_LEN + 2);
    memset(longs, ' ', CHATS_FILTER_MAX_LEN + 1);
    longs[CHATS_FILTER_MAX_LEN + 1] = '\0';
    f_is(t, longs, "E: $filter: longer than 4096 bytes", "too long");
    is_str(t, run(t, NULL, longs, NULL),
           "E: $orderBy: longer than 4096 bytes", "$orderBy too long");
    longs[CHATS_FILTER_MAX_LEN] = '\0';
    f_is(t, longs, "W: - | O: -", "4096 blanks are no filter");
}

/* --sql: for t/engine/filter_sql.t, which runs what the compiler makes
 * against PostgreSQL. Reads "filter TAB orderby TAB zone" lines (empty:
 * none) and prints for each "S TAB where TAB order", a "P TAB type TAB
 * value" line per parameter (from $1), then "E" (or "X TAB message"). */
static int print_sql(apr_pool_t *p, int argc, char **argv)
{
    char line[8192];

    (void)argc;
    (void)argv;
    while (fgets(line, sizeof(line), stdin)) {
        char *f = line, *o, *z;
        chats_filter_env_t env = { 1, NULL };
        chats_filter_sql_t *out;
        chats_err_t *e;
        int i;

        line[strcspn(line, "\n")] = '\0';
        if (!(o = strchr(f, '\t')) || !(z = strchr(o + 1, '\t'))) {
            return 2;
        }
        *o++ = '\0';
        *z++ = '\0';
        env.zone = *z ? z : NULL;
        e = chats_filter_compile(p, *f ? f : NULL, *o ? o : NULL, &env, &out);
        if (e) {
            printf("X\t%s\n", e->message);
            continue;
        }
        printf("S\t%s\t%s\n", out->where ? out->where : "",
               out->order_by ? out->order_by : "");
        for (i = 0; i < out->params->nelts; i++) {
            chats_param_t *prm = &APR_ARRAY_IDX(out->params, i, chats_param_t);

            printf("P\t%s\t%s\n", chats_sql_ptype_name(prm->type),
                   prm->value);
        }
        printf("E\n");
    }
    return 0;
}

static const tap_test_fn tests[] = {
    test_cases, test_fields, test_limits, NULL
};

static const tap_mode_t modes[] = {
    { "--sql", print_sql }, { NULL, NULL }
};

const tap_suite_t tap_suite = { NULL, tests, modes };
