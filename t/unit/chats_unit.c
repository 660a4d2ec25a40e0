/* Unit tests of the core engine (chats_doc, chats_json, chats_patch) for
 * the edges the public conformance records do not reach. No framework:
 * prints TAP ("ok N - ...", plan at the end). Exit 1 if any failed. */
#include <stdio.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "chats_json.h"
#include "chats_patch.h"
#include "tap.h"

/* Error code of parsing s whole (CHATS_E_NONE on success). */
static chats_ecode_t parse_code(tap_t *t, const char *s, apr_size_t len,
                                const chats_json_limits_t *lim)
{
    chats_doc_t *d;
    chats_err_t *e = chats_json_parse(&d, s, len, lim, t->p);

    return e ? e->code : CHATS_E_NONE;
}

static chats_doc_t *doc(tap_t *t, const char *s)
{
    chats_doc_t *d;

    return chats_json_parse(&d, s, strlen(s), NULL, t->p) ? NULL : d;
}

static const char *js(tap_t *t, const chats_doc_t *d)
{
    return d ? chats_doc_to_json(t->p, d, 0) : "(null)";
}

static int same(const char *a, const char *b)
{
    return a && b && !strcmp(a, b);
}

/* Apply patch text to doc text; returns the result JSON or the error. */
static const char *patch(tap_t *t, const char *d, const char *ps, int flags,
                         const chats_patch_hooks_t *hooks,
                         chats_err_t **pe)
{
    chats_doc_t *target = doc(t, d);
    apr_array_header_t *ops;

    *pe = chats_patch_read(&ops, doc(t, ps), flags, t->p);
    if (!*pe) {
        *pe = chats_patch_apply(&target, ops, flags, hooks, t->p);
    }
    return *pe ? NULL : js(t, target);
}

static void test_chunks(tap_t *t)
{
    static const char s[] = "{\"a\":[1,2.5e3,true,false,null],"
        "\"b\\u00e9\":\"x\\ud83d\\ude00\\n\",\"c\":{\"d\":-0.0}}";
    chats_json_parser_t *ps = chats_json_parser_create(t->p, NULL);
    chats_err_t *e = NULL;
    chats_doc_t *whole = doc(t, s), *part = NULL;
    apr_size_t i;
    chats_json_limits_t lim = { 10, 0, 0, 0, 0 };

    for (i = 0; i < sizeof(s) - 1 && !e; i++) {
        e = chats_json_feed(ps, s + i, 1);
    }
    if (!e) {
        e = chats_json_finish(ps, &part);
    }
    ok(t, !e && whole && same(js(t, whole), js(t, part)),
       "fed one byte at a time gives the same document");
    ok(t, chats_doc_equal(whole, part), "... and equal trees");
    ok(t, same(js(t, doc(t, "\"\\ud83d\\ude00\"")), "\"\xF0\x9F\x98\x80\""),
       "surrogate pair decodes to one 4-byte character");

    ps = chats_json_parser_create(t->p, &lim);
    ok(t, chats_json_feed(ps, "[1,2,3,", 7) == NULL,
       "max_bytes: first 7 of 10 bytes accepted");
    e = chats_json_feed(ps, "4,5,6]", 6);
    ok(t, e && e->code == CHATS_E_TOO_BIG, "max_bytes: TOO_BIG mid-stream");
    ok(t, chats_json_feed(ps, "]", 1) == e, "dead parser repeats its error");
    ok(t, chats_json_finish(ps, &part) == e && part == NULL,
       "finish on a dead parser repeats its error");
}

/* The first fault in the text is the answer, however the body is cut
 * (fuzz_json: the raw escape scan used to see a whole chunk before yajl
 * saw its start, so a later lone surrogate hid an earlier duplicate). */
static void test_chunks_first_fault(tap_t *t)
{
    static const char s[] = "{\"a\":1,\"A\":2,\"b\":\"\\ud800\"}";
    chats_json_limits_t lim = { 0, 0, 0, 0, CHATS_JSON_DUP_CASEI };
    chats_json_parser_t *ps;
    chats_doc_t *d;
    chats_err_t *whole, *cut;

    whole = chats_json_parse(&d, s, sizeof(s) - 1, &lim, t->p);
    ps = chats_json_parser_create(t->p, &lim);
    cut = chats_json_feed(ps, s, 14);
    if (!cut) {
        cut = chats_json_feed(ps, s + 14, sizeof(s) - 1 - 14);
    }
    ok(t, whole && whole->code == CHATS_E_INVALID && whole->field
       && !strcmp(whole->field, "A"),
       "duplicate before a lone surrogate: the duplicate is the error");
    ok(t, cut && whole && cut->code == whole->code,
       "... also when the body comes in two chunks");
}

static void test_limits(tap_t *t)
{
    chats_json_limits_t lim = { 0, 3, 5, 3, 0 };
    chats_json_limits_t depth = { 0, 3, 0, 0, 0 };
    char deep[200];
    int i;

    ok(t, parse_code(t, "[[[1]]]", 7, &depth) == CHATS_E_NONE, "depth 3 ok");
    ok(t, parse_code(t, "[[[{}]]]", 8, &depth) == CHATS_E_SYNTAX,
       "depth 4 over a limit of 3");
    for (i = 0; i < 65; i++) {
        deep[i] = '[';
        deep[65 + i] = ']';
    }
    ok(t, parse_code(t, deep + 1, 128, NULL) == CHATS_E_NONE,
       "default depth: 64 levels ok");
    ok(t, parse_code(t, deep, 130, NULL) == CHATS_E_SYNTAX,
       "default depth: 65 levels refused");
    ok(t, parse_code(t, "\"abcdef\"", 8, &lim) == CHATS_E_SYNTAX,
       "max_string refuses a 6-byte string");
    ok(t, parse_code(t, "{\"abcdef\":1}", 12, &lim) == CHATS_E_SYNTAX,
       "max_string applies to member names");
    ok(t, parse_code(t, "[1,2,3]", 7, &lim) == CHATS_E_SYNTAX,
       "max_values: 4 values over 3");
    ok(t, parse_code(t, "", 0, NULL) == CHATS_E_SYNTAX, "empty input");
    ok(t, parse_code(t, "  \n", 3, NULL) == CHATS_E_SYNTAX,
       "blank input");
    ok(t, parse_code(t, "{} x", 4, NULL) == CHATS_E_SYNTAX,
       "trailing garbage");
    ok(t, parse_code(t, "1 2", 3, NULL) == CHATS_E_SYNTAX,
       "two top-level values");
    ok(t, parse_code(t, "[1,]", 4, NULL) == CHATS_E_SYNTAX,
       "trailing comma");
    ok(t, parse_code(t, "/* c */ 1", 9, NULL) == CHATS_E_SYNTAX,
       "comments refused");
}

static void test_utf8(tap_t *t)
{
    static const struct {
        const char *s;
        const char *desc;
    } bad[] = {
        { "\"\xC0\x80\"", "overlong C0 80" },
        { "\"\xE0\x80\xAF\"", "overlong 3-byte" },
        { "\"\xED\xA0\x80\"", "UTF-8-encoded surrogate ED A0 80" },
        { "\"\xF5\x80\x80\x80\"", "F5 lead byte" },
        { "\"\xF4\x90\x80\x80\"", "above U+10FFFF" },
        { "{\"\xE2\x82\":1}", "truncated sequence in a member name" },
        { "\"\\ud800\"", "lone high surrogate escape" },
        { "\"\\ud800x\"", "high surrogate escape then a letter" },
        { "\"\\udc00\"", "lone low surrogate escape" },
        { "\"\\ud800\\u0041\"", "high surrogate then a non-surrogate" },
        { "\"\\ud800\\n\"", "high surrogate then another escape" },
    };
    apr_size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        ok(t, parse_code(t, bad[i].s, strlen(bad[i].s), NULL)
              == CHATS_E_SYNTAX, apr_psprintf(t->p, "invalid: %s",
                                              bad[i].desc));
    }
    ok(t, parse_code(t, "\"\xF4\x8F\xBF\xBF \xC3\xA9\"", 9, NULL)
          == CHATS_E_NONE, "U+10FFFF and U+00E9 accepted");
    ok(t, chats_utf8_valid("a\xE2\x82\xAC", 4)
          && !chats_utf8_valid("a\xE2\x82", 3),
       "chats_utf8_valid: euro sign ok, truncated not");
    ok(t, chats_utf8_chars("h\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 10) == 4,
       "chats_utf8_chars counts code points");
}

static void test_dups(tap_t *t)
{
    chats_json_limits_t rej = { 0, 0, 0, 0, CHATS_JSON_DUP_REJECT };
    chats_json_limits_t ci = { 0, 0, 0, 0, CHATS_JSON_DUP_CASEI };
    const char *big = "{\"m0\":0,\"m1\":1,\"m2\":2,\"m3\":3,\"m4\":4,\"m5\":5,"
        "\"m6\":6,\"m7\":7,\"m8\":8,\"m9\":9,\"m10\":0,\"m11\":1,\"m12\":2,"
        "\"m13\":3,\"m14\":4,\"m15\":5,\"m16\":6,\"M3\":7}";
    chats_doc_t *d;
    chats_err_t *e;

    e = chats_json_parse(&d, "{\"a\":1,\"a\":2}", 13, &rej, t->p);
    ok(t, e && e->code == CHATS_E_INVALID && same(e->field, "a"),
       "REJECT: exact duplicate, field names it");
    ok(t, parse_code(t, "{\"a\":1,\"A\":2}", 13, &rej) == CHATS_E_NONE,
       "REJECT: names differing in case are distinct");
    e = chats_json_parse(&d, "{\"a\":1,\"A\":2}", 13, &ci, t->p);
    ok(t, e && e->code == CHATS_E_INVALID && same(e->field, "A"),
       "CASEI: a and A collide");
    ok(t, parse_code(t, "[{\"a\":1},{\"a\":2}]", 17, &rej) == CHATS_E_NONE,
       "same name in sibling objects is fine");
    ok(t, parse_code(t, big, strlen(big), &rej) == CHATS_E_NONE
          && parse_code(t, big, strlen(big), &ci) == CHATS_E_INVALID,
       "large object (hashed names): REJECT vs CASEI");
    ok(t, same(js(t, doc(t, "{\"a\":1,\"b\":2,\"a\":3}")),
               "{\"a\":3,\"b\":2}"),
       "DUP_LAST keeps the last value in the first place");
}

/* Member lookups in large objects go through the keyed index
 * (chats_doc_index.c): the same answers as the scans of small ones. */
static void test_index(tap_t *t)
{
    chats_doc_t *o = chats_doc_object(t->p);
    char name[32];
    int i, right = 1;

    for (i = 0; i < 5000; i++) {
        sprintf(name, "m%d", i);
        chats_doc_object_set(o, name, strlen(name), chats_doc_int(t->p, i),
                             0, t->p);
    }
    for (i = 0; i < 5000 && right; i++) {
        sprintf(name, "M%d", i);
        right = chats_doc_object_find(o, name, strlen(name), 1) == i
                && chats_doc_object_find(o, name, strlen(name), 0) == -1;
    }
    ok(t, right && chats_doc_object_len(o) == 5000,
       "index: 5,000 members found by name, case-insensitively or not");
    chats_doc_object_set(o, "M7", 2, chats_doc_int(t->p, 1), 0, t->p);
    chats_doc_object_set(o, "m7", 2, chats_doc_int(t->p, 2), 0, t->p);
    ok(t, chats_doc_object_find(o, "M7", 2, 1) == 5000
          && chats_doc_object_find(o, "m7", 2, 1) == 7
          && same(js(t, chats_doc_object_get(o, "m7", 2, 0)), "2"),
       "index: an exact match wins over an earlier case-folded one");
    ok(t, chats_doc_object_remove(o, "m0", 2, 0)
          && chats_doc_object_find(o, "m1", 2, 0) == 0
          && chats_doc_object_find(o, "M7", 2, 0) == 4999
          && chats_doc_object_find(o, "m0", 2, 1) == -1,
       "index: right after a removal moved the members");
    ok(t, chats_doc_equal(o, chats_doc_copy(t->p, o)),
       "index: a copy equals its original (members looked up by name)");
}

/* Names built from blocks that collide in APR's times-33 hash ("a|",
 * "b[" and "c:" hash alike) are ordinary names to the keyed index: the
 * duplicate checks find them all, and the last one's duplicate too. */
static void test_flood_names(tap_t *t)
{
    static const char *blk[3] = { "a|", "b[", "c:" };
    chats_json_limits_t ci = { 0, 0, 0, 0, CHATS_JSON_DUP_CASEI };
    char *buf = apr_palloc(t->p, 2000000), *q = buf;
    chats_doc_t *d = NULL;
    chats_err_t *e;
    int i, j;

    *q++ = '{';
    for (i = 0; i < 20000; i++) {
        int x = i;

        q += sprintf(q, "%s\"", i ? "," : "");
        for (j = 0; j < 10; j++, x /= 3) {
            q += sprintf(q, "%s", blk[x % 3]);
        }
        q += sprintf(q, "\":%d", i);
    }
    *q++ = '}';
    e = chats_json_parse(&d, buf, (apr_size_t)(q - buf), &ci, t->p);
    ok(t, !e && chats_doc_object_len(d) == 20000,
       "flood: 20,000 colliding names parsed, all kept");
    q[-1] = ',';
    q += sprintf(q, "\"A|A|A|A|A|A|A|A|A|A|\":1}");
    e = chats_json_parse(&d, buf, (apr_size_t)(q - buf), &ci, t->p);
    ok(t, e && e->code == CHATS_E_INVALID
          && same(e->field, "A|A|A|A|A|A|A|A|A|A|"),
       "flood: a case-folded duplicate among them is still found");
}

/* Objects with more members than the parser allows are refused. */
static void test_max_members(tap_t *t)
{
    chats_json_parser_t *ps = chats_json_parser_create(t->p, NULL);
    chats_doc_t *d = NULL;
    chats_err_t *e;

    chats_json_parser_max_members(ps, 2);
    e = chats_json_feed(ps, "{\"a\":1,\"b\":{\"c\":1,\"d\":2},\"a\":3}", 31);
    ok(t, !e && !chats_json_finish(ps, &d) && same(js(t, d),
       "{\"a\":3,\"b\":{\"c\":1,\"d\":2}}"),
       "members: as many as allowed (a repeated name adds none)");
    ps = chats_json_parser_create(t->p, NULL);
    chats_json_parser_max_members(ps, 2);
    e = chats_json_feed(ps, "[{\"a\":1,\"b\":2,\"c\":3}]", 21);
    ok(t, e && e->code == CHATS_E_SYNTAX && strstr(e->message, "members"),
       "members: one more refused, the message names the limit");
}

/* RFC 8259: UTF-8 only; other encodings and BOMs get a message that says
 * so, not yajl's "invalid char". */
static void test_not_utf8(tap_t *t)
{
    static const struct { const char *s; apr_size_t n; const char *what; }
    c[] = {
        { "\xFF\xFE[\0]\0", 6, "UTF-16LE with a BOM" },
        { "\xFE\xFF\0[\0]", 6, "UTF-16BE with a BOM" },
        { "[\0]\0", 4, "UTF-16LE" },
        { "\0[\0]", 4, "UTF-16BE" },
        { "\xEF\xBB\xBF[]", 5, "a UTF-8 BOM" },
    };
    size_t i;

    for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        chats_doc_t *d = NULL;
        chats_err_t *e = chats_json_parse(&d, c[i].s, c[i].n, NULL, t->p);

        ok(t, e && e->code == CHATS_E_SYNTAX && strstr(e->message, "UTF-8"),
           apr_psprintf(t->p, "not UTF-8: %s refused, saying so",
                        c[i].what));
    }
}

static void test_values(tap_t *t)
{
    chats_doc_t *d = doc(t, "99999999999999999999999");

    ok(t, d && d->type == CHATS_J_NUMBER
          && same(d->s, "99999999999999999999999"),
       "big integer kept as its raw text");
    ok(t, same(js(t, d), "99999999999999999999999"), "... and written back");
    ok(t, chats_doc_equal(doc(t, "1"), doc(t, "1.0"))
          && chats_doc_equal(doc(t, "1"), doc(t, "1e0"))
          && chats_doc_equal(doc(t, "100"), doc(t, "1E+2"))
          && chats_doc_equal(doc(t, "0.5"), doc(t, "50e-2")),
       "numbers equal by value");
    ok(t, chats_doc_equal(doc(t, "0"), doc(t, "-0.0"))
          && !chats_doc_equal(doc(t, "1"), doc(t, "-1"))
          && !chats_doc_equal(doc(t, "99999999999999999999999"),
                              doc(t, "99999999999999999999998")),
       "zero signs, negatives and big integers compare exactly");
    ok(t, !chats_doc_equal(doc(t, "1"), doc(t, "\"1\""))
          && chats_doc_equal(doc(t, "{\"a\":[1,{}],\"b\":null}"),
                             doc(t, "{\"b\":null,\"a\":[1.0,{}]}")),
       "types matter, member order does not");
    ok(t, same(js(t, doc(t, "\"a\\u0000b\"")), "\"a\\u0000b\"")
          && doc(t, "\"a\\u0000b\"")->len == 3,
       "\\u0000 kept inside a string");
}

static void test_gen_depth(tap_t *t)
{
    chats_doc_t *root = chats_doc_array(t->p), *d = root, *n;
    int i;

    for (i = 0; i < 129; i++) {
        n = chats_doc_array(t->p);
        chats_doc_array_push(d, n);
        d = n;
    }
    ok(t, chats_doc_to_json(t->p, root, 0) == NULL,
       "to_json returns NULL past yajl_gen's depth of 128");
}

static void test_pointer(tap_t *t)
{
    apr_array_header_t *tok;
    chats_err_t *e;

    e = chats_pointer_parse(&tok, "/a~1b/c~0d/", 0, t->p);
    ok(t, !e && tok->nelts == 3 && same(APR_ARRAY_IDX(tok, 0, char *), "a/b")
          && same(APR_ARRAY_IDX(tok, 1, char *), "c~d")
          && same(APR_ARRAY_IDX(tok, 2, char *), ""),
       "pointer unescapes ~1 and ~0, keeps an empty last token");
    ok(t, !chats_pointer_parse(&tok, "", 0, t->p) && tok->nelts == 0,
       "\"\" is the whole document");
    e = chats_pointer_parse(&tok, "a", 0, t->p);
    ok(t, e && e->code == CHATS_E_INVALID, "no leading '/' refused");
    e = chats_pointer_parse(&tok, "Department", CHATS_PATCH_SLASH_OPT, t->p);
    ok(t, !e && tok->nelts == 1 && same(APR_ARRAY_IDX(tok, 0, char *),
                                        "Department"),
       "SLASH_OPT: Department == /Department");
    e = chats_pointer_parse(&tok, "/a~2", 0, t->p);
    ok(t, e && e->code == CHATS_E_INVALID, "bad ~ escape refused");
}

static void test_casei(tap_t *t)
{
    int f = CHATS_PATCH_CASEI | CHATS_PATCH_SLASH_OPT;
    chats_err_t *e;
    const char *r;

    r = patch(t, "{\"Department\":\"x\"}",
              "[{\"op\":\"replace\",\"path\":\"department\",\"value\":\"y\"}]",
              f, NULL, &e);
    ok(t, same(r, "{\"Department\":\"y\"}"),
       "CASEI+SLASH_OPT: replace keeps the stored spelling");
    r = patch(t, "{\"User\":{\"Id\":1}}",
              "[{\"OP\":\"add\",\"Path\":\"/user/ID\",\"Value\":2}]",
              f, NULL, &e);
    ok(t, same(r, "{\"User\":{\"Id\":2}}"),
       "CASEI: op member names and add to an existing member");
    r = patch(t, "{\"Department\":\"x\"}",
              "[{\"op\":\"replace\",\"path\":\"/department\",\"value\":1}]",
              0, NULL, &e);
    ok(t, !r && e->code == CHATS_E_PATH && e->op_index == 0,
       "without CASEI the name must match exactly");
    r = patch(t, "{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"a\"}]",
              0, NULL, &e);
    ok(t, !r && e->code == CHATS_E_INVALID, "without SLASH_OPT 'a' invalid");
}

/* Hook for the tests: skips op 0, moves op 1 from /a to /b, fails op 2
 * when its path has a token "forbidden". */
static chats_err_t *hook(void *ctx, int index, chats_op_t *op,
                         const apr_array_header_t *tokens,
                         const chats_doc_t *d, apr_pool_t *p)
{
    int *calls = ctx;

    (*calls)++;
    (void)d;
    if (index == 0) {
        op->kind = CHATS_OP_SKIP;
    }
    else if (tokens->nelts == 1
             && same(APR_ARRAY_IDX(tokens, 0, const char *), "a")) {
        op->path = "/b";
    }
    else if (tokens->nelts == 1
             && same(APR_ARRAY_IDX(tokens, 0, const char *), "forbidden")) {
        return chats_err_make(p, CHATS_E_READONLY, "forbidden", "read-only");
    }
    return NULL;
}

static void test_hooks(tap_t *t)
{
    int calls = 0;
    chats_patch_hooks_t h = { hook, &calls };
    chats_err_t *e;
    const char *r;

    r = patch(t, "{}", "[{\"op\":\"add\",\"path\":\"/x\",\"value\":1},"
              "{\"op\":\"add\",\"path\":\"/a\",\"value\":2}]", 0, &h, &e);
    ok(t, same(r, "{\"b\":2}") && calls == 2,
       "hook: SKIP drops an op, a rewritten path is re-parsed");
    r = patch(t, "{}", "[{\"op\":\"add\",\"path\":\"/x\",\"value\":1},"
              "{\"op\":\"add\",\"path\":\"/y\",\"value\":2},"
              "{\"op\":\"add\",\"path\":\"/forbidden\",\"value\":3}]",
              0, &h, &e);
    ok(t, !r && e->code == CHATS_E_READONLY && e->op_index == 2
          && same(e->field, "forbidden"),
       "hook error gets the op index");
}

static void test_atomic(tap_t *t)
{
    chats_doc_t *d = doc(t, "{\"a\":1,\"l\":[1,2]}"), *orig = d;
    apr_array_header_t *ops;
    chats_err_t *e;

    e = chats_patch_read(&ops, doc(t, "[{\"op\":\"add\",\"path\":\"/b\","
                         "\"value\":2},{\"op\":\"remove\",\"path\":\"/l/0\"},"
                         "{\"op\":\"remove\",\"path\":\"/zzz\"}]"), 0, t->p);
    ok(t, !e && ops->nelts == 3, "three ops read");
    e = chats_patch_apply(&d, ops, 0, NULL, t->p);
    ok(t, e && e->code == CHATS_E_PATH && e->op_index == 2
          && same(e->field, "/zzz"), "failing 3rd op: PATH at op 2");
    ok(t, d == orig && same(js(t, d), "{\"a\":1,\"l\":[1,2]}"),
       "document untouched after a failed patch");
    ok(t, !patch(t, "{}", "[{\"op\":\"remove\",\"path\":\"\"}]", 0, NULL, &e)
          && e->code == CHATS_E_INVALID, "remove \"\" refused");
    ok(t, !patch(t, "{\"a\":{}}", "[{\"op\":\"move\",\"from\":\"/a\","
                 "\"path\":\"/a/b\"}]", CHATS_PATCH_ALL_OPS, NULL, &e)
          && e->code == CHATS_E_INVALID, "move into its own child refused");
    ok(t, same(patch(t, "[]", "[{\"op\":\"add\",\"path\":\"/-\","
                     "\"value\":null},{\"op\":\"test\",\"path\":\"/0\","
                     "\"value\":null}]", 0, NULL, &e), "[null]"),
       "null is a value for add and test");
}

static void test_read(tap_t *t)
{
    apr_array_header_t *ops;
    chats_err_t *e;

    e = chats_patch_read(&ops, doc(t, "{}"), 0, t->p);
    ok(t, e && e->code == CHATS_E_INVALID && e->op_index == -1,
       "patch must be an array");
    e = chats_patch_read(&ops, doc(t, "[{\"op\":\"test\",\"path\":\"/a\","
                         "\"value\":1},{\"op\":\"add\",\"path\":5,"
                         "\"value\":1}]"), 0, t->p);
    ok(t, e && e->code == CHATS_E_INVALID && e->op_index == 1
          && same(e->field, "path"), "non-string path at op 1");
    e = chats_patch_read(&ops, doc(t, "[{\"op\":\"copy\",\"from\":\"/a\","
                         "\"path\":\"/b\"}]"), 0, t->p);
    ok(t, e && e->code == CHATS_E_INVALID && strstr(e->message, "copy"),
       "copy refused without ALL_OPS");
    e = chats_patch_read(&ops, doc(t, "[{\"op\":\"add\",\"path\":\"/a\","
                         "\"value\":1,\"extra\":true}]"), 0, t->p);
    ok(t, !e, "extra members in an op are ignored");
    e = chats_patch_read(&ops, doc(t, "[1]"), 0, t->p);
    ok(t, e && e->op_index == 0, "op must be an object");
}

static void test_merge(tap_t *t)
{
    int f = CHATS_PATCH_CASEI;
    chats_doc_t *target = doc(t, "{\"User\":{\"AssociateId\":1,\"N\":2},"
                              "\"Gone\":1,\"Keep\":3}");
    apr_array_header_t *ops;
    chats_op_t *op;
    chats_err_t *e;

    e = chats_merge_to_ops(&ops, target, doc(t, "{\"user\":{\"associateId\":"
                           "5},\"gone\":null,\"absent\":null,\"a/b\":"
                           "{\"k\":null,\"j\":1}}"), f, t->p);
    ok(t, !e && ops->nelts == 3, "merge: three ops (absent null dropped)");
    op = &APR_ARRAY_IDX(ops, 0, chats_op_t);
    ok(t, op->kind == CHATS_OP_ADD && same(op->path, "/user/associateId")
          && same(op->member, "user/associateId"),
       "merge: nested member found case-insensitively, member path set");
    op = &APR_ARRAY_IDX(ops, 1, chats_op_t);
    ok(t, op->kind == CHATS_OP_REMOVE && same(op->member, "gone"),
       "merge: null removes an existing member");
    op = &APR_ARRAY_IDX(ops, 2, chats_op_t);
    ok(t, op->kind == CHATS_OP_ADD && same(op->path, "/a~1b")
          && same(op->member, "a/b") && same(js(t, op->value), "{\"j\":1}"),
       "merge: pointer escaped, nulls stripped from a new object");
    e = chats_patch_apply(&target, ops, f, NULL, t->p);
    ok(t, !e && same(js(t, target), "{\"User\":{\"AssociateId\":5,\"N\":2},"
                     "\"Keep\":3,\"a/b\":{\"j\":1}}"),
       "merge: applied result");
    e = chats_merge_to_ops(&ops, doc(t, "[1]"), doc(t, "{\"a\":{\"b\":null}}"),
                           0, t->p);
    ok(t, !e && ops->nelts == 2
          && APR_ARRAY_IDX(ops, 0, chats_op_t).kind == CHATS_OP_REPLACE
          && same(js(t, APR_ARRAY_IDX(ops, 1, chats_op_t).value), "{}"),
       "merge into a non-object: replace \"\" {} then adds");
    e = chats_merge_to_ops(&ops, target, doc(t, "[null]"), 0, t->p);
    ok(t, !e && ops->nelts == 1 && same(APR_ARRAY_IDX(ops, 0, chats_op_t)
                                        .path, ""),
       "merge: a non-object patch replaces the document");
}

static void test_err(tap_t *t)
{
    chats_err_t *e = chats_err_make(t->p, CHATS_E_PATH, "f", "x %d", 7);

    ok(t, same(e->message, "x 7") && e->op_index == -1
          && chats_err_at(chats_err_at(e, 3), 5)->op_index == 3,
       "chats_err_make formats; chats_err_at keeps the first index");
    ok(t, same(chats_err_name(CHATS_E_TOO_BIG), "too_big")
          && same(chats_err_name((chats_ecode_t)999), "unknown"),
       "chats_err_name");
}

static const tap_test_fn tests[] = {
    test_chunks, test_chunks_first_fault, test_limits, test_utf8, test_dups,
    test_index, test_flood_names, test_max_members, test_not_utf8,
    test_values, test_gen_depth, test_pointer, test_casei, test_hooks,
    test_atomic, test_read, test_merge, test_err, NULL
};

const tap_suite_t tap_suite = { NULL, tests, NULL };
