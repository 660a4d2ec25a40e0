/* Streaming JSON reader: yajl's callback parser builds a chats_doc_t with
 * an explicit container stack (the shape of yajl's src/yajl_tree.c), and
 * every limit is checked as values arrive, so a hostile body is refused
 * before it is buffered. Core file: APR and yajl only. */
#include <string.h>

#include <apr_strings.h>
#include <yajl/yajl_parse.h>

#include "chats_json.h"

#define CHATS_JSON_DEF_DEPTH  64

/* yajl turns a lone high surrogate escape into '?' and swallows the next
 * character, and pairs a high surrogate with any following \u escape (see
 * yajl_string_decode in src/yajl_encode.c). That damage cannot be seen in
 * the decoded string, so escapes are checked on the raw input instead. */
typedef enum { ESC_OUT, ESC_IN, ESC_BACKSLASH, ESC_HEX } esc_state_e;

typedef struct {
    esc_state_e st;
    int ndigits;
    unsigned int cp;
    int want_low;            /* a high surrogate waits for its low half */
} esc_scan_t;

typedef struct {
    chats_doc_t *node;
    const char *key;         /* object: name of the value to come */
    apr_size_t key_len;
    int slot;                /* DUP_LAST: member to overwrite, else -1 */
} frame_t;

struct chats_json_parser_t {
    apr_pool_t *pool;
    yajl_handle h;
    chats_json_limits_t lim;
    chats_err_t *err;        /* sticky: a parser after an error is dead */
    int finished;
    apr_size_t fed;          /* bytes fed so far */
    int nvalues;
    int max_members;         /* 0 = unlimited */
    apr_array_header_t *stack;   /* frame_t */
    chats_doc_t *root;
    esc_scan_t esc;
};

/* ---- UTF-8 ------------------------------------------------------------ */

int chats_utf8_valid(const char *str, apr_size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    apr_size_t i = 0, n, k;
    unsigned int cp, min;

    while (i < len) {
        unsigned char c = s[i];

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1, cp = c & 0x1F, min = 0x80;
        }
        else if ((c & 0xF0) == 0xE0) {
            n = 2, cp = c & 0x0F, min = 0x800;
        }
        else if (c >= 0xF0 && c <= 0xF4) {
            n = 3, cp = c & 0x07, min = 0x10000;
        }
        else {
            return 0;            /* continuation byte, C0/C1, F5..FF */
        }
        if (len - i <= n) {
            return 0;            /* truncated */
        }
        for (k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80) {
                return 0;
            }
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return 0;            /* overlong, too big, or a surrogate */
        }
        i += n + 1;
    }
    return 1;
}

apr_size_t chats_utf8_chars(const char *s, apr_size_t len)
{
    apr_size_t i, n = 0;

    for (i = 0; i < len; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            n++;
        }
    }
    return n;
}

/* ---- raw escape scan ------------------------------------------------- */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Returns 0 when a \u escape forms a lone or mismatched surrogate. Other
 * malformed input is left for yajl to report. */
static int esc_hex_done(esc_scan_t *sc)
{
    int high = (sc->cp >= 0xD800 && sc->cp <= 0xDBFF);
    int low = (sc->cp >= 0xDC00 && sc->cp <= 0xDFFF);

    sc->st = ESC_IN;
    if (sc->want_low) {
        sc->want_low = 0;
        return low;
    }
    sc->want_low = high;
    return !low;
}

/* The offset of the byte that makes a bad surrogate escape, or len. */
static apr_size_t esc_scan(esc_scan_t *sc, const char *data, apr_size_t len)
{
    apr_size_t i;
    int v;

    for (i = 0; i < len; i++) {
        char c = data[i];

        switch (sc->st) {
        case ESC_OUT:
            sc->st = (c == '"') ? ESC_IN : ESC_OUT;
            break;
        case ESC_IN:
            if (sc->want_low && c != '\\') {
                return i;
            }
            sc->st = (c == '\\') ? ESC_BACKSLASH
                   : (c == '"') ? ESC_OUT : ESC_IN;
            break;
        case ESC_BACKSLASH:
            if (c == 'u') {
                sc->st = ESC_HEX, sc->ndigits = 0, sc->cp = 0;
                break;
            }
            if (sc->want_low) {
                return i;
            }
            sc->st = ESC_IN;
            break;
        case ESC_HEX:
            if ((v = hex_value(c)) < 0) {
                sc->st = ESC_IN, sc->want_low = 0;   /* yajl rejects it */
                break;
            }
            sc->cp = (sc->cp << 4) | (unsigned int)v;
            if (++sc->ndigits == 4 && !esc_hex_done(sc)) {
                return i;
            }
            break;
        }
    }
    return len;
}

/* ---- building the tree ------------------------------------------------ */

static int fail(chats_json_parser_t *ps, chats_ecode_t code,
                const char *field, const char *msg)
{
    ps->err = chats_err_make(ps->pool, code, field, "%s", msg);
    return 0;                    /* makes yajl return client_canceled */
}

static frame_t *top(chats_json_parser_t *ps)
{
    if (ps->stack->nelts == 0) {
        return NULL;
    }
    return &APR_ARRAY_IDX(ps->stack, ps->stack->nelts - 1, frame_t);
}

/* Index of an earlier member with this name under the policy, or -1.
 * chats_doc_object_find keys large objects by a seeded hash, so no set of
 * names makes this slow (issue 8, finding 2: APR's times-33 hash was). */
static int find_dup(chats_json_parser_t *ps, frame_t *f, const char *name,
                    apr_size_t len)
{
    return chats_doc_object_find(f->node, name, len,
                                 ps->lim.dup_policy == CHATS_JSON_DUP_CASEI);
}

static int add_value(chats_json_parser_t *ps, chats_doc_t *v)
{
    frame_t *f = top(ps);
    chats_member_t *m;

    if (ps->lim.max_values > 0 && ++ps->nvalues > ps->lim.max_values) {
        return fail(ps, CHATS_E_SYNTAX, NULL, "too many values");
    }
    if (!f) {
        ps->root = v;
    }
    else if (f->node->type == CHATS_J_ARRAY) {
        chats_doc_array_push(f->node, v);
    }
    else if (f->slot >= 0) {
        chats_doc_object_at(f->node, f->slot)->value = v;
    }
    else {
        /* Appended directly: the object's index catches up by itself. */
        m = apr_array_push(f->node->items);
        m->name = f->key;
        m->name_len = f->key_len;
        m->value = v;
    }
    return 1;
}

static int check_text(chats_json_parser_t *ps, const unsigned char *s,
                      size_t len)
{
    if (ps->lim.max_string && len > ps->lim.max_string) {
        return fail(ps, CHATS_E_SYNTAX, NULL, "string too long");
    }
    if (!chats_utf8_valid((const char *)s, len)) {
        return fail(ps, CHATS_E_SYNTAX, NULL, "invalid UTF-8");
    }
    return 1;
}

static int on_null(void *ctx)
{
    chats_json_parser_t *ps = ctx;

    return add_value(ps, chats_doc_null(ps->pool));
}

static int on_boolean(void *ctx, int b)
{
    chats_json_parser_t *ps = ctx;

    return add_value(ps, chats_doc_bool(ps->pool, b));
}

static int on_number(void *ctx, const char *s, size_t len)
{
    chats_json_parser_t *ps = ctx;

    /* Kept as text: the caller decides what range a field accepts. */
    return add_value(ps, chats_doc_number(ps->pool, s, len));
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
    chats_json_parser_t *ps = ctx;

    if (!check_text(ps, s, len)) {
        return 0;
    }
    return add_value(ps, chats_doc_string(ps->pool, (const char *)s, len));
}

static int on_map_key(void *ctx, const unsigned char *s, size_t len)
{
    chats_json_parser_t *ps = ctx;
    frame_t *f = top(ps);
    const char *name;
    int dup;

    if (!check_text(ps, s, len)) {
        return 0;
    }
    name = apr_pstrmemdup(ps->pool, (const char *)s, len);
    dup = find_dup(ps, f, name, len);
    if (dup >= 0 && ps->lim.dup_policy != CHATS_JSON_DUP_LAST) {
        return fail(ps, CHATS_E_INVALID, name, "duplicate member name");
    }
    if (dup < 0 && ps->max_members > 0
        && chats_doc_object_len(f->node) >= ps->max_members) {
        ps->err = chats_err_make(ps->pool, CHATS_E_SYNTAX, NULL,
                                 "an object with more than %d members",
                                 ps->max_members);
        return 0;
    }
    f->key = name;
    f->key_len = len;
    f->slot = dup;
    return 1;
}

static int open_container(chats_json_parser_t *ps, chats_doc_t *node)
{
    frame_t *f;

    if (ps->stack->nelts >= ps->lim.max_depth) {
        return fail(ps, CHATS_E_SYNTAX, NULL, "nesting too deep");
    }
    if (!add_value(ps, node)) {
        return 0;
    }
    f = apr_array_push(ps->stack);
    memset(f, 0, sizeof(*f));
    f->node = node;
    f->slot = -1;
    return 1;
}

static int on_start_map(void *ctx)
{
    chats_json_parser_t *ps = ctx;

    return open_container(ps, chats_doc_object(ps->pool));
}

static int on_start_array(void *ctx)
{
    chats_json_parser_t *ps = ctx;

    return open_container(ps, chats_doc_array(ps->pool));
}

static int on_end(void *ctx)
{
    chats_json_parser_t *ps = ctx;

    apr_array_pop(ps->stack);
    return 1;
}

static const yajl_callbacks chats_json_callbacks = {
    on_null, on_boolean, NULL, NULL, on_number, on_string,
    on_start_map, on_map_key, on_end, on_start_array, on_end
};

/* ---- parser ----------------------------------------------------------- */

static apr_status_t yajl_cleanup(void *data)
{
    yajl_free(data);
    return APR_SUCCESS;
}

chats_json_parser_t *chats_json_parser_create(apr_pool_t *p,
                                              const chats_json_limits_t *lim)
{
    chats_json_parser_t *ps = apr_pcalloc(p, sizeof(*ps));

    ps->pool = p;
    if (lim) {
        ps->lim = *lim;
    }
    if (ps->lim.max_depth <= 0) {
        ps->lim.max_depth = CHATS_JSON_DEF_DEPTH;
    }
    ps->stack = apr_array_make(p, 8, sizeof(frame_t));
    ps->h = yajl_alloc(&chats_json_callbacks, NULL, ps);
    if (!ps->h) {
        ps->err = chats_err_make(p, CHATS_E_INTERNAL, NULL,
                                 "cannot allocate the JSON parser");
        return ps;
    }
    apr_pool_cleanup_register(p, ps->h, yajl_cleanup, apr_pool_cleanup_null);
    /* Spelled out although these are yajl's defaults: the checks above
     * rely on them. */
    yajl_config(ps->h, yajl_allow_comments, 0);
    yajl_config(ps->h, yajl_dont_validate_strings, 0);
    yajl_config(ps->h, yajl_allow_trailing_garbage, 0);
    yajl_config(ps->h, yajl_allow_multiple_values, 0);
    yajl_config(ps->h, yajl_allow_partial_values, 0);
    return ps;
}

chats_json_parser_t *chats_json_body_parser(apr_pool_t *p,
                                            apr_size_t max_bytes)
{
    chats_json_limits_t lim = { 0 };
    chats_json_parser_t *ps;

    lim.max_bytes = max_bytes;
    lim.max_depth = CHATS_BODY_MAX_DEPTH;
    lim.max_values = CHATS_BODY_MAX_VALUES;
    lim.dup_policy = CHATS_JSON_DUP_CASEI;
    ps = chats_json_parser_create(p, &lim);
    chats_json_parser_max_members(ps, CHATS_MAX_MEMBERS);
    return ps;
}

void chats_json_parser_max_members(chats_json_parser_t *ps, int max)
{
    ps->max_members = max;
}

/* Turn a yajl status into our error; yajl's verbose text quotes the
 * input, so only its short form and an offset are kept. */
static chats_err_t *status_err(chats_json_parser_t *ps, yajl_status st,
                               apr_size_t before)
{
    unsigned char *msg;
    apr_size_t at, n;

    if (st == yajl_status_ok) {
        return NULL;
    }
    if (st == yajl_status_client_canceled && ps->err) {
        return ps->err;
    }
    at = before + yajl_get_bytes_consumed(ps->h);
    if (at > ps->fed) {
        at = ps->fed;            /* yajl_complete_parse feeds a blank */
    }
    msg = yajl_get_error(ps->h, 0, NULL, 0);
    n = msg ? strcspn((const char *)msg, "\n") : 0;
    ps->err = chats_err_make(ps->pool, CHATS_E_SYNTAX, NULL,
                             "malformed JSON at byte %" APR_SIZE_T_FMT
                             " (%.*s)", at, (int)n, msg ? (char *)msg : "");
    if (msg) {
        yajl_free_error(ps->h, msg);
    }
    return ps->err;
}

/* RFC 8259: JSON exchanged between systems is UTF-8, without a byte
 * order mark. yajl would refuse the others too, but as "invalid char";
 * say what is wrong instead. UTF-16 and UTF-32 put a NUL byte in the
 * first two bytes of any JSON text; their BOMs and UTF-8's start with
 * 0xEF, 0xFE, 0xFF or NUL, which no JSON text does. */
static int bad_start(apr_size_t at, const char *data, apr_size_t len)
{
    apr_size_t i;

    for (i = 0; at + i < 2 && i < len; i++) {
        unsigned char c = (unsigned char)data[i];

        if (c == 0 || (at + i == 0 && (c == 0xEF || c == 0xFE || c == 0xFF))) {
            return 1;
        }
    }
    return 0;
}

chats_err_t *chats_json_feed(chats_json_parser_t *ps, const char *data,
                             apr_size_t len)
{
    apr_size_t before = ps->fed, bad;

    if (ps->err) {
        return ps->err;
    }
    if (ps->finished) {
        return ps->err = chats_err_make(ps->pool, CHATS_E_INTERNAL, NULL,
                                        "JSON input after its end");
    }
    ps->fed += len;
    if (ps->lim.max_bytes && ps->fed > ps->lim.max_bytes) {
        return ps->err = chats_err_make(ps->pool, CHATS_E_TOO_BIG, NULL,
                                        "JSON larger than %" APR_SIZE_T_FMT
                                        " bytes", ps->lim.max_bytes);
    }
    if (bad_start(before, data, len)) {
        return ps->err = chats_err_make(ps->pool, CHATS_E_SYNTAX, NULL,
                                        "JSON must be UTF-8 without a byte "
                                        "order mark (RFC 8259); this body "
                                        "starts like UTF-16, UTF-32 or a "
                                        "BOM");
    }
    if ((bad = esc_scan(&ps->esc, data, len)) < len) {
        /* yajl sees the bytes before it first: a fault there comes first
         * in the text, and must be the answer however the body is cut */
        chats_err_t *e = status_err(ps, yajl_parse(ps->h,
                                                   (const unsigned char *)data,
                                                   bad), before);

        if (e == NULL) {
            e = ps->err = chats_err_make(ps->pool, CHATS_E_SYNTAX, NULL,
                                         "invalid UTF-8 (unpaired "
                                         "surrogate escape)");
        }
        return e;
    }
    return status_err(ps, yajl_parse(ps->h, (const unsigned char *)data,
                                     len), before);
}

chats_err_t *chats_json_finish(chats_json_parser_t *ps, chats_doc_t **pdoc)
{
    chats_err_t *e;

    *pdoc = NULL;
    if (ps->err) {
        return ps->err;
    }
    if (ps->finished) {
        *pdoc = ps->root;
        return NULL;
    }
    if (ps->fed == 0) {
        return ps->err = chats_err_make(ps->pool, CHATS_E_SYNTAX, NULL,
                                        "empty JSON input");
    }
    e = status_err(ps, yajl_complete_parse(ps->h), ps->fed);
    if (e) {
        return e;
    }
    if (!ps->root) {
        return ps->err = chats_err_make(ps->pool, CHATS_E_SYNTAX, NULL,
                                        "empty JSON input");
    }
    ps->finished = 1;
    /* Done with yajl: give its buffers back now, not at pool end. */
    apr_pool_cleanup_run(ps->pool, ps->h, yajl_cleanup);
    ps->h = NULL;
    *pdoc = ps->root;
    return NULL;
}

chats_err_t *chats_json_parse(chats_doc_t **pdoc, const char *data,
                              apr_size_t len,
                              const chats_json_limits_t *limits,
                              apr_pool_t *p)
{
    chats_json_parser_t *ps = chats_json_parser_create(p, limits);
    chats_err_t *e = chats_json_feed(ps, data, len);

    *pdoc = NULL;
    return e ? e : chats_json_finish(ps, pdoc);
}
