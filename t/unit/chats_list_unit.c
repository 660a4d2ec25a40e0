/* Unit tests of the archive list's core (core/chats_list.c): $top/$skip
 * values, query decoding with its '+' rule, the next page's query string,
 * the page's statement (text, parameters, that no request byte becomes
 * SQL) and its rows and envelope; and the entity's view beside the rows
 * (core/chats_render.c): pre-rendered FieldProperties answer the same
 * bytes as the document. Prints TAP. */
#include <apr_general.h>
#include <apr_strings.h>

#include "chats_entity.h"
#include "chats_json.h"
#include "chats_list.h"
#include "chats_qstring.h"
#include "chats_xml.h"
#include "tap.h"

/* $top and $skip: the text, the largest value allowed -> the value, or
 * "E: message [field]". */
static const struct {
    const char *text;
    apr_int64_t max;
    const char *want;
} counts[] = {
    { "0", 1000, "0" },
    { "100", 1000, "100" },
    { "1000", 1000, "1000" },
    { "0007", 1000, "7" },
    { "1001", 1000,
      "E: $top: '1001' is not a whole number from 0 to 1000 [$top]" },
    { "-1", 1000,
      "E: $top: '-1' is not a whole number from 0 to 1000 [$top]" },
    { "", 1000, "E: $top: '' is not a whole number from 0 to 1000 [$top]" },
    { "1e3", 1000,
      "E: $top: '1e3' is not a whole number from 0 to 1000 [$top]" },
    { " 5", 1000,
      "E: $top: ' 5' is not a whole number from 0 to 1000 [$top]" },
    { "99999999999999999999999", 2147483647,
      "E: $top: '99999999999999999999999' is not a whole number "
      "from 0 to 2147483647 [$top]" },
    { "2147483647", 2147483647, "2147483647" },
};

static void test_count(tap_t *t)
{
    int i;

    for (i = 0; i < TAP_N(counts); i++) {
        apr_int64_t v = -1;
        chats_err_t *e = chats_list_count(t->p, "$top", counts[i].text,
                                          counts[i].max, &v);

        is_str(t, e ? apr_psprintf(t->p, "E: %s [%s]", e->message,
                                   e->field ? e->field : "-")
                    : apr_psprintf(t->p, "%" APR_INT64_T_FMT, v),
               counts[i].want, apr_psprintf(t->p, "count '%s'",
                                            counts[i].text));
    }
}

/* A query value as sent -> decoded (the '+' rule), or "E: message". */
static const struct {
    const char *raw, *want, *desc;
} decodes[] = {
    { "Status+eq+InQueue", "Status eq InQueue", "+ is a space" },
    { "Status%20eq%20'In%27'", "Status eq 'In''", "%XX" },
    { "today%2B1", "today+1", "%2B is a plus" },
    { "WhenRequested+ge+today+1", "WhenRequested ge today+1",
      "today+1: a sign" },
    { "WhenRequested+ge+NOW+3600", "WhenRequested ge NOW+3600",
      "now+N: a sign, any case" },
    { "snow+1+eq+1", "snow 1 eq 1", "not after a longer word" },
    { "WhenRequested+lt+2024-05-01T10:00:00+02:00",
      "WhenRequested lt 2024-05-01T10:00:00+02:00",
      "an offset after a time: a sign" },
    { "WhenRequested+lt+'2024-05-01T10:00:00.123+0200'",
      "WhenRequested lt '2024-05-01T10:00:00.123+0200'",
      "... with fractions, quoted, hhmm" },
    { "CustomerName+eq+'Room+3+4'", "CustomerName eq 'Room 3 4'",
      "digits around a + without a time: a space" },
    { "Rating+eq+3+or+Rating+eq+4", "Rating eq 3 or Rating eq 4",
      "a + before a word: a space" },
    { "a%00b", "E: $filter: %00 and bad % escapes are not allowed", "%00" },
    { "a%zz", "E: $filter: %00 and bad % escapes are not allowed",
      "a bad escape" },
    { "a%4", "E: $filter: %00 and bad % escapes are not allowed",
      "a cut escape" },
    { "a%", "E: $filter: %00 and bad % escapes are not allowed", "a lone %" },
};

static void test_decode(tap_t *t)
{
    int i;

    for (i = 0; i < TAP_N(decodes); i++) {
        const char *out = NULL;
        chats_err_t *e = chats_qstring_decode(t->p, "$filter",
                                              decodes[i].raw, &out);

        is_str(t, e ? apr_pstrcat(t->p, "E: ", e->message, NULL) : out,
               decodes[i].want, decodes[i].desc);
    }
}

/* The next page's query: the request's query and the next $skip -> the
 * query string. */
static const struct {
    const char *args;
    apr_int64_t skip;
    const char *want, *desc;
} nexts[] = {
    { "$top=5&$skip=10&$filter=a+b", 15, "$top=5&$filter=a+b&$skip=15",
      "$skip replaced, the rest kept" },
    { "%24SKIP=3&x=%41&$Skip=4", 8, "x=%41&$skip=8",
      "every $skip, its name decoded, any case" },
    { NULL, 100, "$skip=100", "no query" },
    { "&&$top=1&", 1, "$top=1&$skip=1", "empty pairs dropped" },
    { "$skip", 2, "$skip=2", "a $skip without a value" },
};

static void test_next(tap_t *t)
{
    int i;

    for (i = 0; i < TAP_N(nexts); i++) {
        is_str(t, chats_qstring_replace(t->p, nexts[i].args, "$skip",
                                        apr_psprintf(t->p, "%" APR_INT64_T_FMT,
                                                     nexts[i].skip)),
               nexts[i].want, nexts[i].desc);
    }
}

/* The one rule for a repeated parameter (README "The query string"): a
 * query string and the parameters a route reads -> what is read, or the
 * error. */
static const struct {
    const char *args;
    unsigned reads;
    const char *want, *desc;
} parses[] = {
    { "$select=A&$select=B", CHATS_Q_BIT(CHATS_Q_SELECT),
      "E: $select: given more than once", "a repeated $select is refused" },
    { "$select=A&%24SELECT=B", CHATS_Q_BIT(CHATS_Q_SELECT),
      "E: $select: given more than once", "... its name decoded, any case" },
    { "$select=A&$select=B", 0, "", "a parameter the route does not read: "
      "no matter" },
    { "x=1&x=2&$top=3", CHATS_Q_BIT(CHATS_Q_TOP), "$top=3",
      "an unknown repeated one is skipped" },
    { "after=1&wait=2&After=3", CHATS_Q_BIT(CHATS_Q_AFTER)
      | CHATS_Q_BIT(CHATS_Q_WAIT), "E: after: given more than once",
      "after twice" },
    { "chatSessionEntityId=1&ChatSessionEntityId=1",
      CHATS_Q_BIT(CHATS_Q_ENTITY_ID),
      "E: chatSessionEntityId: given more than once",
      "the agent's entity id twice, even with one value" },
    { "$skip&x%00=A&%zz=1", CHATS_Q_BIT(CHATS_Q_SKIP)
      | CHATS_Q_BIT(CHATS_Q_SELECT), "$skip=",
      "no '=': the empty value; a name that does not decode is skipped" },
    { "%24select%00=A", CHATS_Q_BIT(CHATS_Q_SELECT),
      "E: $select: the parameter name is not a valid URL encoding",
      "... unless it is ours cut short by a %00" },
};

static void test_parse(tap_t *t)
{
    int i, k;

    for (i = 0; i < TAP_N(parses); i++) {
        chats_qstring_t qs;
        chats_err_t *e = chats_qstring_parse(t->p, parses[i].args,
                                             parses[i].reads, &qs);
        const char *got = "";

        for (k = 0; !e && k < CHATS_Q__N; k++) {
            if (qs.raw[k]) {
                got = apr_pstrcat(t->p, got, *got ? "&" : "",
                                  chats_qparam_name(k), "=", qs.raw[k],
                                  NULL);
            }
        }
        is_str(t, e ? apr_pstrcat(t->p, "E: ", e->message, NULL) : got,
               parses[i].want, parses[i].desc);
    }
}

static chats_list_query_t *query(tap_t *t, const char *select,
                                 const char *filter, const char *orderby,
                                 const char *zone, apr_int64_t top,
                                 apr_int64_t skip, chats_err_t **pe)
{
    chats_list_in_t in;
    chats_list_query_t *q = NULL;
    apr_array_header_t *sel = NULL;

    memset(&in, 0, sizeof(in));
    if (select && (*pe = chats_select_parse(&sel, &chats_session_def, select, t->p)) != NULL) {
        return NULL;
    }
    in.select = sel;
    in.filter = filter;
    in.orderby = orderby;
    in.zone = zone;
    in.top = top;
    in.skip = skip;
    *pe = chats_list_query(t->p, &in, &q);
    return q;
}

static const char *params_of(tap_t *t, const chats_list_query_t *q)
{
    const char *s = "";
    int i;

    for (i = 0; i < q->nparams; i++) {
        s = apr_psprintf(t->p, "%s%s$%d=%s:%s", s, i ? " " : "", i + 1,
                         q->params[i], chats_sql_ptype_name(q->types[i]));
    }
    return s;
}

static void test_query(tap_t *t)
{
    chats_err_t *e;
    chats_list_query_t *q;
    const char *bad = "x'; DROP TABLE chat_session; --\\%_\"";

    q = query(t, "Status,CustomerName", NULL, NULL, NULL, 100, 0, &e);
    ok(t, q && !e, "a plain page compiles");
    is_str(t, q ? q->stmt.sql : NULL,
           "SELECT cs.status,cs.name,cs.id FROM chat_session cs "
           "ORDER BY cs.id LIMIT $1 OFFSET $2", "plain: the statement");
    is_str(t, q ? params_of(t, q) : NULL, "$1=101:int8 $2=0:int8",
           "plain: top + 1 rows, from skip");
    ok(t, q && q->ncols == 3 && q->nfields == 2 && !q->stmt.name,
       "plain: 3 columns, 2 fields, named by its text");

    q = query(t, "WhenRequested", "Status eq 'InQueue'", "WhenRequested",
              NULL, 50, 100, &e);
    is_str(t, q ? q->stmt.sql : NULL,
           "SELECT (EXTRACT(EPOCH FROM cs.when_requested) * 1000000)::int8,"
           "cs.id FROM chat_session cs WHERE cs.status = $1 "
           "ORDER BY cs.when_requested ASC, cs.id LIMIT $2 OFFSET $3",
           "the queue page: filter, order, cs.id tiebreak");
    is_str(t, q ? params_of(t, q) : NULL,
           "$1=4:int2 $2=51:int8 $3=100:int8", "queue page: parameters");

    q = query(t, "WhenRequested", "WhenRequested ge today", NULL,
              "Europe/Oslo", 10, 0, &e);
    ok(t, q && q->how == CHATS_READ_ZONED && q->ncols == 3,
       "zoned: a date-time reads with its offset column");
    is_str(t, q ? params_of(t, q) : NULL,
           "$1=Europe/Oslo:text $2=Europe/Oslo:text $3=11:int8 $4=0:int8",
           "zoned: the zone first, then the filter's");
    ok(t, q && strstr(q->stmt.sql, " AT TIME ZONE $1")
       && strstr(q->stmt.sql, "WHERE cs.when_requested >= "),
       "zoned: offsets in $1's zone, the filter after it");

    q = query(t, NULL, NULL, NULL, NULL, 100, 0, &e);
    ok(t, q && q->nfields == 5, "no $select: the 5 default fields");
    is_str(t, q ? apr_psprintf(t->p, "%s,%s,%s,%s,%s", q->fields[0]->name,
                               q->fields[1]->name, q->fields[2]->name,
                               q->fields[3]->name, q->fields[4]->name)
                : NULL, "ChatSessionId,CustomerName,Status,WhenRequested,User",
           "the default columns, in order");
    ok(t, q && strstr(q->stmt.sql, "chats_carrier_associate(cs.user_id, "
                      "NULL)") != NULL, "a carrier through its function");

    q = query(t, "user/name,Status,USER/FullName,status", NULL, NULL, NULL,
              1, 0, &e);
    ok(t, q && q->nfields == 2 && q->ncols == 3,
       "each field once, however often selected");

    q = query(t, "Status", apr_pstrcat(t->p, "CustomerName eq '",
                                       "x''; DROP TABLE chat_session; --\\%_\"",
                                       "' or contains(CustomerName,'%_')",
                                       NULL),
              "CustomerName desc", NULL, 5, 7, &e);
    ok(t, q && !strstr(q->stmt.sql, "DROP") && !strstr(q->stmt.sql, "%")
       && !strstr(q->stmt.sql, "'"), "a hostile literal is no SQL text");
    ok(t, q && q->nparams == 4 && !strcmp(q->params[0], bad),
       "... but its parameter");
    ok(t, q && q->filter_fields && q->filter_fields->nelts == 1,
       "the fields the filter and order read, once");

    q = query(t, "Status", "Status eq", NULL, NULL, 5, 0, &e);
    ok(t, !q && e && e->code == CHATS_E_INVALID
       && !strcmp(e->field, "$filter") && strstr(e->message, "at 10"),
       "a malformed filter: its error with the position");
    q = query(t, "Status", NULL, "Nope", NULL, 5, 0, &e);
    ok(t, !q && e && !strcmp(e->field, "$orderBy"),
       "a bad order: its error");

    q = query(t, "Status", NULL, NULL, NULL, 0, 0, &e);
    is_str(t, q ? params_of(t, q) : NULL, "$1=0:int8 $2=0:int8",
           "$top=0 reads no row");
}

static void test_rows(tap_t *t)
{
    chats_err_t *e;
    chats_list_query_t *q;
    apr_array_header_t *rows = apr_array_make(t->p, 2, sizeof(chats_doc_t *));
    const char *utc[] = {
        "Ann", "4", "1700000000000000",
        "[7,\"ann\",3,1,\"\",1,0,\"Ann A\",\"\",false,0,\"ann\"]", "42", NULL
    };
    const char *zoned[] = { "1700000000000000", "3600", NULL, NULL, "43",
                            NULL };
    chats_doc_t *row;

    q = query(t, "CustomerName,Status,WhenRequested,User/Name,user/fullname",
              NULL, NULL, NULL, 10, 0, &e);
    row = q ? chats_list_row(t->p, q, utc, 0) : NULL;
    is_str(t, row ? chats_doc_to_json(t->p, row, 0) : NULL,
           "{\"PrimaryKey\":42,\"EntityName\":\"chatsession\","
           "\"CustomerName\":\"Ann\",\"Status\":\"InQueue\","
           "\"WhenRequested\":\"2023-11-14T22:13:20.0000000+00:00\","
           "\"User\":{\"Name\":\"ann\",\"FullName\":\"Ann A\"}}",
           "a row: key, entity name, fields as the entity shows them, a "
           "carrier with the selected members only");
    APR_ARRAY_PUSH(rows, chats_doc_t *) = row;

    q = query(t, "WhenRequested,WhenEnded", NULL, NULL, "Europe/Oslo", 10, 0,
              &e);
    row = q ? chats_list_row(t->p, q, zoned, 0) : NULL;
    is_str(t, row ? chats_doc_to_json(t->p, row, 0) : NULL,
           "{\"PrimaryKey\":43,\"EntityName\":\"chatsession\","
           "\"WhenRequested\":\"2023-11-14T23:13:20.0000000+01:00\","
           "\"WhenEnded\":null}", "zoned: local time with its offset, null");
    APR_ARRAY_PUSH(rows, chats_doc_t *) = row;

    q = query(t, "User", NULL, NULL, NULL, 10, 0, &e);
    {
        const char *none[] = { NULL, "44", NULL };

        row = q ? chats_list_row(t->p, q, none, 0) : NULL;
        is_str(t, row ? chats_doc_to_json(t->p, row, 0) : NULL,
               "{\"PrimaryKey\":44,\"EntityName\":\"chatsession\","
               "\"User\":null}", "no carrier: null");
    }

    is_str(t, chats_doc_to_json(t->p, chats_list_envelope(
                                    t->p, "http://h/m", "http://h/n", rows, 0),
                                0),
           apr_pstrcat(t->p, "{\"odata.metadata\":\"http://h/m\","
                       "\"odata.nextLink\":\"http://h/n\",\"value\":[",
                       chats_doc_to_json(t->p, APR_ARRAY_IDX(rows, 0,
                                                             chats_doc_t *), 0),
                       ",", chats_doc_to_json(t->p, APR_ARRAY_IDX(
                                                  rows, 1, chats_doc_t *), 0),
                       "]}", NULL), "the envelope");
    rows->nelts = 1;
    is_str(t, chats_doc_to_json(t->p, chats_list_envelope(
                                    t->p, "m", NULL, rows, 0), 0),
           apr_pstrcat(t->p, "{\"odata.metadata\":\"m\",\"value\":[",
                       chats_doc_to_json(t->p, APR_ARRAY_IDX(rows, 0,
                                                             chats_doc_t *), 0),
                       "]}", NULL), "no next page: no nextLink");
    is_str(t, chats_xml_render(t->p, "ChatSessionList", chats_list_envelope(
                                   t->p, "m", NULL, rows, 1)),
           "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ChatSessionList "
           "xmlns:xsi=\"" CHATS_XML_XSI_NS "\"><odata.metadata>m"
           "</odata.metadata><value><ChatSession><PrimaryKey>42</PrimaryKey>"
           "<EntityName>chatsession</EntityName><CustomerName>Ann"
           "</CustomerName><Status>InQueue</Status><WhenRequested>"
           "2023-11-14T22:13:20.0000000+00:00</WhenRequested><User><Name>ann"
           "</Name><FullName>Ann A</FullName></User></ChatSession></value>"
           "</ChatSessionList>", "XML: one ChatSession element per row");
    rows->nelts = 0;
    is_str(t, chats_doc_to_json(t->p, chats_list_envelope(
                                    t->p, "m", NULL, rows, 0), 0),
           "{\"odata.metadata\":\"m\",\"value\":[]}", "an empty page");
}

/* The entity's JSON view, FieldProperties pre-rendered or not. */
static const char *view_json(tap_t *t, const chats_doc_t *ent,
                             chats_view_opts_t *o, const chats_fp_json_t *fj)
{
    o->fp_json = fj;
    return chats_doc_to_json(t->p, chats_view_build(t->p, &chats_session_def, ent, o), 0);
}

/* The same view whatever the member order of the entity document. */
static chats_doc_t *reversed(tap_t *t, const chats_doc_t *ent)
{
    chats_doc_t *r = chats_doc_object(t->p);
    int i;

    for (i = chats_doc_object_len(ent) - 1; i >= 0; i--) {
        chats_member_t *m = chats_doc_object_at(ent, i);

        chats_doc_object_add(r, m->name, m->value);
    }
    return r;
}

static void test_view(tap_t *t)
{
    static const int masks[] = { 0, 1, 3, 5, 7, 15 };
    const chats_fp_json_t *fj = chats_fp_json_build(t->p, &chats_session_def);
    const chats_field_t *f = chats_schema_fields(&chats_session_def, NULL);
    apr_array_header_t *ro = apr_array_make(t->p, 3, sizeof(f)), *sel;
    chats_doc_t *ent = chats_entity_template(t->p, &chats_session_def);
    chats_view_opts_t o;
    const char *a, *b;
    int i, k, same_all = 1, runs = 0;

    chats_doc_object_set(ent, "CustomerName", 12,
                         chats_doc_strz(t->p, "Ann \"A\" \xc3\xa5"), 0, t->p);
    ok(t, fj != NULL, "view: FieldProperties pre-render");
    for (k = 0; k < 8; k++) {
        memset(&o, 0, sizeof(o));
        o.table_mask = masks[k % 6];
        o.readonly = k >= 6 ? ro : NULL;
        if (k == 6) {
            APR_ARRAY_PUSH(ro, const chats_field_t *) = &f[1];
            APR_ARRAY_PUSH(ro, const chats_field_t *) = chats_schema_owner(&chats_session_def);
        }
        for (i = 0; i < 2; i++) {
            o.self_url = i ? "http://h/api/v1/ChatSession/5" : NULL;
            o.archive_url = i ? "http://h/api/v1/ChatSession" : NULL;
            if (i && chats_select_parse(&sel, &chats_session_def, "CustomerName,User/Name",
                                        t->p) == NULL) {
                o.select = sel;
            }
            a = view_json(t, ent, &o, NULL);
            b = view_json(t, ent, &o, fj);
            same_all &= a && b && !strcmp(a, b);
            b = view_json(t, reversed(t, ent), &o, fj);
            same_all &= a && b && !strcmp(a, b);
            runs++;
        }
    }
    ok(t, same_all && runs == 16, "view: the same JSON with FieldProperties "
       "pre-rendered, for every table mask, read-only fields, $select and "
       "links, and from an entity in another member order");
    memset(&o, 0, sizeof(o));
    o.table_mask = 15;
    a = view_json(t, ent, &o, fj);
    ok(t, a && strstr(a, "\"FieldProperties\":{\"ChatSessionId\":{"
                         "\"FieldRight\":{\"Mask\":\"Read, UIHintReadOnly\","
                         "\"Reason\":\"\"},\"FieldType\":\"System.Int32\","
                         "\"FieldLength\":0},\"TopicId\":{\"FieldRight\":"
                         "{\"Mask\":\"Update\",\"Reason\":\"\"}"),
       "view: FieldProperties as an object of objects, in field order");
}

/* --sql SELECT FILTER ORDERBY ZONE TOP SKIP ('' = none): the page's
 * statement as the module runs it, for t/api/list_explain.t to EXPLAIN:
 * "S\t<sql>", then "P\t<type>\t<value>" per parameter; or "X\t<error>". */
static int print_sql(apr_pool_t *p, int argc, char **argv)
{
    chats_err_t *e = NULL;
    chats_list_query_t *q;
    tap_t t = { p, 0, 0, NULL };
    int i;

    if (argc != 6) {
        fprintf(stderr, "--sql SELECT FILTER ORDERBY ZONE TOP SKIP\n");
        return 2;
    }
    q = query(&t, *argv[0] ? argv[0] : NULL, *argv[1] ? argv[1] : NULL,
              *argv[2] ? argv[2] : NULL, *argv[3] ? argv[3] : NULL,
              apr_atoi64(argv[4]), apr_atoi64(argv[5]), &e);
    if (!q) {
        printf("X\t%s\n", e ? e->message : "?");
        return 1;
    }
    printf("S\t%s\n", q->stmt.sql);
    for (i = 0; i < q->nparams; i++) {
        printf("P\t%s\t%s\n", chats_sql_ptype_name(q->types[i]),
               q->params[i]);
    }
    return 0;
}

static const tap_test_fn tests[] = {
    test_count, test_decode, test_next, test_parse, test_query, test_rows,
    test_view,
    NULL
};

static const tap_mode_t modes[] = {
    { "--sql", print_sql }, { NULL, NULL }
};

const tap_suite_t tap_suite = { NULL, tests, modes };
