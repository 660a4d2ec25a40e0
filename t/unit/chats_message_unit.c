/* Unit tests of the ChatMessage carrier (core/chats_message.c) and of
 * transcripts (core/chats_transcript.c): the enum tables against the
 * numbers SuperOffice gives, the body reader's rules and limits, the
 * rendering of a row, HTML escaping and the transcript's two forms.
 * Prints TAP. */
#include <apr_general.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "chats_json.h"
#include "chats_message.h"
#include "chats_message_sql.h"
#include "chats_transcript.h"
#include "chats_xml.h"
#include "tap.h"

static void test_enums(tap_t *t)
{
    static const char *const types[] = {
        "Invalid", "ToCustomer", "ToUser", "Special"
    };
    static const struct { const char *name; int value; } special[] = {
        { "None", 0 }, { "Welcome", 1 }, { "Url", 2 }, { "Block", 3 },
        { "NewSession", 5 }, { "TransferedSession", 6 }, { "Error", 7 },
        { "SessionDeleted", 8 }, { "FaqSuccessQuestion", 9 },
        { "ClosedByUser", 10 }, { "ClosedByCustomer", 11 },
        { "ClosedByIdle", 12 }, { "TransferRejected", 13 },
        { "ReopenedByCustomer", 14 }, { "ClickedOption", 15 },
        { "BotMessage", 16 }, { "Options", 17 }, { "IllegalFileType", 18 }
    };
    int i, v, all = 1, n = 0;

    for (i = 0; i < 4; i++) {
        all &= chats_enum_value(chats_message_type_enums, types[i],
                                strlen(types[i]), &v) && v == i;
    }
    ok(t, all, "ChatMessageType: Invalid 0, ToCustomer 1, ToUser 2, Special 3");
    all = 1;
    for (i = 0; i < (int)(sizeof(special) / sizeof(special[0])); i++) {
        const char *name = chats_enum_name(chats_message_special_enums,
                                           special[i].value);

        all &= name && !strcmp(name, special[i].name);
    }
    for (i = 0; chats_message_special_enums[i].name; i++) {
        n++;
    }
    ok(t, all && n == 18, "ChatMessageSpecialType: the 18 names and numbers "
       "(TransferedSession with one r, no 4)");
    ok(t, chats_enum_name(chats_message_special_enums, 4) == NULL,
       "SpecialType 4 is no value");
    ok(t, chats_enum_value(chats_message_type_enums, "tocustomer", 10, &v)
       && v == 1, "names in any case");
    ok(t, chats_message_find("whenposted", 10) != NULL
       && chats_message_find("Nope", 4) == NULL, "fields found in any case");
}

/* Read a JSON (or XML) body: NULL on success, else the error's field. */
static const char *read_json(tap_t *t, const char *json, chats_message_in_t *m)
{
    chats_doc_t *d = NULL;
    chats_err_t *e = chats_json_parse(&d, json, strlen(json), NULL, t->p);

    if (!e) {
        e = chats_message_from_doc(d, 0, m, t->p);
    }
    return e ? (e->field ? e->field : "(none)") : NULL;
}

static const char *read_xml(tap_t *t, const char *xml, chats_message_in_t *m)
{
    chats_doc_t *d = NULL;
    chats_err_t *e = chats_xml_parse(&d, xml, strlen(xml), 0, t->p);

    if (!e) {
        e = chats_message_from_doc(d, 1, m, t->p);
    }
    return e ? (e->field ? e->field : "(none)") : NULL;
}

/* Bodies the reader refuses, and the field its 400 names. */
static const struct {
    const char *json, *field, *desc;
} refused[] = {
    { "{\"Type\":\"Invalid\"}", "Type", "Type Invalid: 400 naming Type" },
    { "{\"Type\":0}", "Type", "Type 0 too" },
    { "{\"Message\":\"x\"}", "Type", "no Type: 400 naming Type" },
    { "{\"Type\":\"Loud\"}", "Type", "an unknown type name" },
    { "{\"Type\":1,\"SpecialType\":4}", "SpecialType",
      "SpecialType 4 is unknown" },
    { "{\"Type\":1,\"Colour\":1}", "Colour", "an unknown member is named" },
    { "{\"Type\":1,\"Message\":5}", "Message", "a number for a string" },
    { "{\"Type\":1,\"ReadByCustomer\":32768}", "ReadByCustomer",
      "ReadByCustomer is an Int16" },
};

static void test_reader(tap_t *t)
{
    chats_message_in_t m;
    char *big;
    int i;

    ok(t, !read_json(t, "{\"type\":\"ToCustomer\",\"message\":\"hi\","
                     "\"author\":\"tje0\",\"specialType\":\"None\","
                     "\"whenPosted\":\"2026-01-02T03:04:05.000Z\"}", &m)
       && m.type == 1 && !strcmp(m.message, "hi")
       && !strcmp(m.author, "tje0") && m.special_type == 0,
       "the official client's camelCase body");
    ok(t, !read_json(t, "{\"TYPE\":2,\"SpecialType\":\"welcome\","
                     "\"SpecialParam\":\"x\",\"ReadByCustomer\":1}", &m)
       && m.type == 2 && m.special_type == 1 && m.read_by_customer == 1
       && !strcmp(m.special_param, "x") && m.author == NULL
       && !strcmp(m.message, ""),
       "numbers, names in any case; no Author: NULL (the caller's)");
    ok(t, !read_json(t, "{\"Type\":1,\"ChatMessageId\":\"junk\","
                     "\"ChatSessionId\":99,\"WhenPosted\":false}", &m),
       "read-only members are ignored, whatever their value");
    for (i = 0; i < TAP_N(refused); i++) {
        is_str(t, read_json(t, refused[i].json, &m), refused[i].field,
               refused[i].desc);
    }
    ok(t, !read_json(t, "{\"Type\":1,\"ReadByCustomer\":-32768}", &m)
       && m.read_by_customer == -32768, "... -32768 fits");
    is_str(t, read_json(t, "[1]", &m), "(none)", "not an object");

    big = apr_palloc(t->p, 32768 * 2 + 64);
    strcpy(big, "{\"Type\":1,\"Message\":\"");
    {
        char *q = big + strlen(big);

        for (i = 0; i < 32768; i++) {   /* 2-byte characters: chars count */
            *q++ = (char)0xc3;
            *q++ = (char)0xa6;
        }
        strcpy(q, "\"}");
    }
    ok(t, !read_json(t, big, &m) && strlen(m.message) == 65536,
       "a Message of 32768 characters (65536 bytes)");
    big[strlen(big) - 2] = '\0';
    strcat(big, "x\"}");
    is_str(t, read_json(t, big, &m), "Message",
           "32769 characters: 400 naming Message");

    ok(t, !read_xml(t, "<ChatMessage><Type>1</Type><Message>a &amp; b"
                    "</Message><ReadByCustomer> 3 </ReadByCustomer>"
                    "<SpecialType>Url</SpecialType></ChatMessage>", &m)
       && m.type == 1 && !strcmp(m.message, "a & b")
       && m.read_by_customer == 3 && m.special_type == 2,
       "XML: numbers as text, names as text");
    ok(t, !read_xml(t, "<ChatMessage><type>tocustomer</type></ChatMessage>",
                    &m) && m.type == 1, "XML: names in any case");
    is_str(t, read_xml(t, "<ChatMessage><Type>1.5</Type></ChatMessage>", &m),
           "Type", "XML: 1.5 is no type");
}

static void test_render(tap_t *t)
{
    static const char *const row[] = {
        "7", "845", "3", "", "tje0", "0", "6", "ann", "1293990245123456"
    };
    static const char *const odd[] = {
        "8", "845", "9", "<x>", "", "0", "4", "", "0"
    };
    chats_doc_t *d = chats_message_from_row(t->p, row), *arr;

    is_str(t, chats_doc_to_json(t->p, d, 0),
           "{\"ChatMessageId\":7,\"ChatSessionId\":845,\"Type\":\"Special\","
           "\"Message\":\"\",\"Author\":\"tje0\",\"ReadByCustomer\":0,"
           "\"SpecialType\":\"TransferedSession\",\"SpecialParam\":\"ann\","
           "\"WhenPosted\":\"2011-01-02T17:44:05.1234560Z\"}",
           "a row: PascalCase, enum names, WhenPosted UTC with Z");
    is_str(t, chats_doc_to_json(t->p, chats_message_from_row(t->p, odd), 0),
           "{\"ChatMessageId\":8,\"ChatSessionId\":845,\"Type\":9,"
           "\"Message\":\"<x>\",\"Author\":\"\",\"ReadByCustomer\":0,"
           "\"SpecialType\":4,\"SpecialParam\":\"\","
           "\"WhenPosted\":\"1970-01-01T00:00:00.0000000Z\"}",
           "unknown enum values (a hand-written row) as numbers");
    ok(t, strstr(chats_message_xml(t->p, d), "<ChatMessage xmlns:xsi=")
       && strstr(chats_message_xml(t->p, d),
                 "<SpecialType>TransferedSession</SpecialType>"),
       "XML: root ChatMessage");
    arr = chats_doc_array(t->p);
    chats_doc_array_push(arr, d);
    chats_doc_array_push(arr, chats_message_from_row(t->p, odd));
    {
        const char *x = chats_message_xml(t->p, arr);
        const char *a = strstr(x, "<ArrayOfChatMessage xmlns:xsi=");
        const char *b = a ? strstr(a, "><ChatMessage><ChatMessageId>7<") : NULL;
        const char *c = b ? strstr(b, "</ChatMessage><ChatMessage>"
                                      "<ChatMessageId>8<") : NULL;

        ok(t, a && b && c && strstr(x, "&lt;x&gt;"),
           "XML list: ArrayOfChatMessage of ChatMessage elements");
    }
    is_str(t, chats_message_xml(t->p, chats_doc_array(t->p)),
           "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ArrayOfChatMessage "
           "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
           "</ArrayOfChatMessage>", "XML: an empty list");
}

static void test_transcript(tap_t *t)
{
    static const char *const rows[] = {
        "1", "9", "3", "", "tje0", "0", "1", "", "0", "2026-01-02 04:04:05",
        "2", "9", "2", "<script>alert(\"x\")</script>\r\nbye & 'so'",
        "Kari <k@x>", "0", "0", "", "0", "2026-01-02 04:05:00",
        "3", "9", "1", "line1\nline2\rline3", "tje0", "0", "0", "", "0",
        "2026-01-02 04:06:00",
        "4", "9", "3", "", "tje0", "0", "6", "<ann>", "0",
        "2026-01-02 04:07:00"
    };

    is_str(t, chats_html_escape(t->p, "<a href=\"x\">'&'</a>", 20),
           "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
           "html escape: & < > \" '");
    is_str(t, chats_html_escape(t->p, "plain", 5), "plain",
           "html escape: plain text unchanged");
    is_str(t, chats_transcript(t->p, rows, 0, 0), "", "no messages: \"\"");
    is_str(t, chats_transcript(t->p, rows, 0, 1),
           "<div class=\"chat-transcript\"></div>",
           "no messages, HTML: the empty div");
    is_str(t, chats_transcript(t->p, rows, 4, 0),
           "2026-01-02 04:04:05 tje0: [Welcome]\n"
           "2026-01-02 04:05:00 Kari <k@x>: <script>alert(\"x\")</script>"
           "\r\nbye & 'so'\n"
           "2026-01-02 04:06:00 tje0: line1\nline2\rline3\n"
           "2026-01-02 04:07:00 tje0: [TransferedSession <ann>]\n",
           "text: a line per message, specials in brackets");
    is_str(t, chats_transcript(t->p, rows, 4, 1),
           "<div class=\"chat-transcript\">"
           "<p class=\"special\"><span class=\"when\">2026-01-02 04:04:05"
           "</span> <b>tje0</b> [Welcome]</p>"
           "<p class=\"to-user\"><span class=\"when\">2026-01-02 04:05:00"
           "</span> <b>Kari &lt;k@x&gt;</b> &lt;script&gt;alert(&quot;x&quot;)"
           "&lt;/script&gt;<br>bye &amp; &#39;so&#39;</p>"
           "<p class=\"to-customer\"><span class=\"when\">2026-01-02 04:06:00"
           "</span> <b>tje0</b> line1<br>line2<br>line3</p>"
           "<p class=\"special\"><span class=\"when\">2026-01-02 04:07:00"
           "</span> <b>tje0</b> [TransferedSession &lt;ann&gt;]</p></div>",
           "HTML: every value escaped, line breaks as <br>");
}

/* s without its white space: the statements' texts compared as tokens. */
static const char *squeeze(apr_pool_t *p, const char *s)
{
    char *out = apr_palloc(p, strlen(s) + 1), *o = out;

    for (; *s; s++) {
        if (!apr_isspace(*s)) {
            *o++ = *s;
        }
    }
    *o = '\0';
    return out;
}

/* The statements are built from the field tables: the numbers and
 * columns the SQL once spelled out come out of them (the session's
 * FirstMessage max_len, the statuses CustomerLast 5 and UserLast 6, the
 * types ToCustomer 1 and ToUser 2, the message's columns in field
 * order). */
static void test_statements(tap_t *t)
{
    const chats_message_sql_t *m = chats_message_sql_build(t->p);
    const chats_ptype_e *types;
    const chats_stmt_t *s;
    const char *post;
    int n;

    ok(t, m != NULL, "the messages' statements build");
    if (!m) {
        return;
    }
    s = chats_message_stmt(m, CHATS_MSQL_POST_OWN, &types, &n);
    post = squeeze(t->p, s->sql);
    ok(t, n == 8 && types == s->types && !strcmp(s->name,
                                                 "chats_msg_post_own"),
       "post_own: 8 typed parameters, its name");
    ok(t, strstr(post, "has_text_message=cs.has_text_messageOR$2IN(1,2),"
                 "first_message=CASEWHEN$2IN(1,2)ANDNOTcs.has_text_message"
                 "THENleft($3,1024)ELSEcs.first_messageEND,last_message="
                 "CASEWHEN$2IN(1,2)THENleft($3,1024)") != NULL,
       "post: FirstMessage/LastMessage from ToCustomer/ToUser text, cut "
       "at the fields' max_len");
    ok(t, strstr(post, "status=CASEWHENcs.statusIN(5,6)AND$2=2THEN5WHEN"
                 "cs.statusIN(5,6)AND$2=1THEN6ELSEcs.statusEND,idle=now(),"
                 "version=cs.version+1,updated_at=now(),"
                 "updated_by=NULLIF($8,0)WHEREcs.id=$1AND"
                 "cs.user_id=$8") != NULL,
       "post: the status moves between CustomerLast and UserLast; the "
       "validators bump; the writer recorded; the owner's column");
    ok(t, strstr(post, "INSERTINTOchat_message(id,chat_session_id,type,"
                 "message,author,read_by_customer,special_type,"
                 "special_param,when_posted)") != NULL,
       "post: the message's columns");
    is_str(t, chats_message_sql_cols(t->p, "x"),
           "x.id,x.chat_session_id,x.type,x.message,x.author,"
           "x.read_by_customer,x.special_type,x.special_param,"
           "(EXTRACT(EPOCH FROM x.when_posted) * 1000000)::int8",
           "a message row: a column per field, WhenPosted in microseconds");
    s = chats_message_stmt(m, CHATS_MSQL_DIAG, &types, &n);
    ok(t, s->cols && !strcmp(s->cols[0], "user_id") && !s->cols[1]
       && strstr(s->sql, "cs.user_id") != NULL,
       "the diagnosis reads the owner's column");
    s = chats_message_stmt(m, CHATS_MSQL_LIST, &types, &n);
    ok(t, s->cols && !strcmp(s->cols[0], "id")
       && strstr(squeeze(t->p, s->sql), "x.chat_session_id=cs.idANDx.id>$2"
                 "ORDERBYx.idLIMIT10000") != NULL,
       "the list: by session, after an id, a page at most");
}

static const tap_test_fn tests[] = {
    test_enums, test_reader, test_render, test_transcript, test_statements,
    NULL
};

const tap_suite_t tap_suite = { NULL, tests, NULL };
