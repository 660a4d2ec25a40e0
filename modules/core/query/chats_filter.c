/* $filter / $orderBy compiled to SQL (grammar and semantics: the header).
 * A recursive descent over chats_filter_lex.c's tokens; its depth is
 * bounded by CHATS_FILTER_MAX_DEPTH, so hostile nesting ends in an error,
 * never in a blown stack. Values and fields: chats_filter_value.c. Core:
 * APR only. */
#include <apr_lib.h>
#include <apr_strings.h>

#include "chats_filter.h"
#include "chats_filter_private.h"

/* ---- terms --------------------------------------------------------------- */

static chats_err_t *expect(chats_fc_t *cc, chats_ftok_e kind, const char *what)
{
    if (cc->lx.tok.kind != kind) {
        return chats_flex_unexpected(&cc->lx, what);
    }
    return chats_flex_next(&cc->lx);
}

static chats_err_t *count_term(chats_fc_t *cc)
{
    if (++cc->terms > CHATS_FILTER_MAX_TERMS) {
        return chats_flex_err(&cc->lx, cc->lx.tok.at,
                              "more than %d terms", CHATS_FILTER_MAX_TERMS);
    }
    return NULL;
}

static const char *const ops[][2] = {
    { "eq", "=" }, { "ne", "IS DISTINCT FROM" }, { "lt", "<" },
    { "le", "<=" }, { "gt", ">" }, { "ge", ">=" }, { NULL, NULL }
};

/* field op value */
static chats_err_t *comparison(chats_fc_t *cc, const char **psql)
{
    chats_ftarget_t t;
    chats_fval_t v;
    chats_err_t *e;
    apr_size_t op_at;
    int op;

    if ((e = chats_fc_field(cc, &t)) != NULL) {
        return e;
    }
    for (op = 0; ops[op][0] && !chats_flex_is(&cc->lx, ops[op][0]); op++) {
    }
    if (!ops[op][0]) {
        return chats_flex_unexpected(&cc->lx, "eq, ne, lt, le, gt or ge");
    }
    op_at = cc->lx.tok.at;
    if ((e = chats_flex_next(&cc->lx)) != NULL
        || (e = chats_fc_value(cc, &t, &v)) != NULL) {
        return e;
    }
    if (v.is_null && op > 1) {
        return chats_flex_err(&cc->lx, op_at, "%s cannot compare with "
                              "null (%s)", ops[op][0], t.name);
    }
    if (v.is_null) {
        *psql = apr_pstrcat(cc->lx.p, t.sql, op ? " IS NOT NULL" : " IS NULL",
                            NULL);
        return NULL;
    }
    *psql = apr_pstrcat(cc->lx.p, t.sql, " ", ops[op][1], " ", v.sql, NULL);
    return NULL;
}

/* The pattern of a contains (lead and trail %), startswith (trail) or
 * endswith (lead). LIKE's own escape character is the backslash: no
 * ESCAPE clause, so the SQL does not depend on standard_conforming_strings. */
static const char *like_pattern(apr_pool_t *p, const char *s, apr_size_t n,
                                int lead, int trail)
{
    char *out = apr_palloc(p, 2 * n + 3), *o = out;
    apr_size_t i;

    if (lead) {
        *o++ = '%';
    }
    for (i = 0; i < n; i++) {
        if (s[i] == '%' || s[i] == '_' || s[i] == '\\') {
            *o++ = '\\';
        }
        *o++ = s[i];
    }
    if (trail) {
        *o++ = '%';
    }
    *o = '\0';
    return out;
}

/* contains / startswith / endswith (fn 0, 1, 2), after the name. */
static chats_err_t *like(chats_fc_t *cc, int fn, const char *fname,
                         const char **psql)
{
    const chats_ftok_t *k = &cc->lx.tok;
    apr_size_t field_at;
    chats_ftarget_t t;
    chats_err_t *e;

    if ((e = expect(cc, CHATS_FT_LPAREN, "'('")) != NULL) {
        return e;
    }
    field_at = k->at;
    if ((e = chats_fc_field(cc, &t)) != NULL) {
        return e;
    }
    if (t.type != CHATS_F_STRING) {
        return chats_flex_err(&cc->lx, field_at, "%s applies to strings, "
                              "not to %s", fname, t.name);
    }
    if ((e = expect(cc, CHATS_FT_COMMA, "','")) != NULL) {
        return e;
    }
    if (k->kind != CHATS_FT_STRING) {
        return chats_flex_unexpected(&cc->lx, "a quoted string");
    }
    *psql = apr_pstrcat(cc->lx.p, t.sql, " ILIKE ",
                        chats_fc_bind(cc, like_pattern(cc->lx.p, k->text, k->tlen,
                                              fn != 1, fn != 2),
                             CHATS_P_TEXT), NULL);
    if ((e = chats_flex_next(&cc->lx)) != NULL) {
        return e;
    }
    return expect(cc, CHATS_FT_RPAREN, "')'");
}

/* oneOf's values after the field, each as an array element (ints) or a
 * bound parameter (strings), into items; *pnone: a zero_null 0 seen. */
static chats_err_t *one_of_values(chats_fc_t *cc, const chats_ftarget_t *t,
                                  int ints, apr_array_header_t *items,
                                  int *pnone)
{
    chats_fval_t v;
    chats_err_t *e;

    if (cc->lx.tok.kind != CHATS_FT_COMMA) {
        return chats_flex_unexpected(&cc->lx, "','");
    }
    while (cc->lx.tok.kind == CHATS_FT_COMMA) {
        if ((e = chats_flex_next(&cc->lx)) != NULL
            || (e = count_term(cc)) != NULL) {
            return e;
        }
        if (ints) {
            apr_int64_t n;

            if ((e = chats_fc_int(cc, t, &n)) != NULL) {
                return e;
            }
            *pnone |= t->zero_null && n == 0;
            APR_ARRAY_PUSH(items, const char *) =
                apr_psprintf(cc->lx.p, "%" APR_INT64_T_FMT, n);
            e = chats_flex_next(&cc->lx);
        }
        else if (chats_flex_is(&cc->lx, "null")) {
            return chats_flex_err(&cc->lx, cc->lx.tok.at, "oneOf takes no "
                                  "null (%s)", t->name);
        }
        else if ((e = chats_fc_value(cc, t, &v)) == NULL) {
            APR_ARRAY_PUSH(items, const char *) = v.sql;
        }
        if (e) {
            return e;
        }
    }
    return NULL;
}

/* oneOf(field, v, ...) after the name: integers and enums as one int8[]
 * parameter (one statement shape whatever the count), strings as IN. */
static chats_err_t *one_of(chats_fc_t *cc, const char **psql)
{
    apr_pool_t *p = cc->lx.p;
    apr_array_header_t *items = apr_array_make(p, 8, sizeof(const char *));
    int ints, has_none = 0;
    apr_size_t field_at;
    chats_ftarget_t t;
    chats_err_t *e;

    if ((e = expect(cc, CHATS_FT_LPAREN, "'('")) != NULL) {
        return e;
    }
    field_at = cc->lx.tok.at;
    if ((e = chats_fc_field(cc, &t)) != NULL) {
        return e;
    }
    ints = t.type == CHATS_F_INT32 || t.type == CHATS_F_INT16
           || t.type == CHATS_F_ENUM || t.type == CHATS_F_FLAGS;
    if (!ints && t.type != CHATS_F_STRING) {
        return chats_flex_err(&cc->lx, field_at, "oneOf applies to enums, "
                              "integers and strings, not to %s", t.name);
    }
    if ((e = one_of_values(cc, &t, ints, items, &has_none)) != NULL) {
        return e;
    }
    if (!ints) {
        *psql = apr_pstrcat(p, t.sql, " IN (", chats_fc_join(p, items, ", "),
                            ")", NULL);
    }
    else {
        const char *arr = chats_fc_bind(cc, apr_pstrcat(
                              p, "{", chats_fc_join(p, items, ","), "}",
                              NULL), CHATS_P_INT8_ARRAY);

        *psql = has_none
            ? apr_pstrcat(p, "(", t.sql, " = ANY(", arr, ") OR ", t.sql,
                          " IS NULL)", NULL)
            : apr_pstrcat(p, t.sql, " = ANY(", arr, ")", NULL);
    }
    return expect(cc, CHATS_FT_RPAREN, "',' or ')'");
}

/* ---- expressions --------------------------------------------------------- */

static chats_err_t *or_expr(chats_fc_t *cc, const char **psql);

static chats_err_t *deeper(chats_fc_t *cc)
{
    if (++cc->depth > CHATS_FILTER_MAX_DEPTH) {
        return chats_flex_err(&cc->lx, cc->lx.tok.at, "nested deeper than %d",
                              CHATS_FILTER_MAX_DEPTH);
    }
    return NULL;
}

static const char *const fns[] = { "contains", "startswith", "endswith",
                                   "oneOf", NULL };

/* "(" or ")" | function | comparison */
static chats_err_t *primary(chats_fc_t *cc, const char **psql)
{
    chats_err_t *e;
    const char *inner;
    int fn;

    if (cc->lx.tok.kind == CHATS_FT_LPAREN) {
        if ((e = deeper(cc)) != NULL || (e = chats_flex_next(&cc->lx)) != NULL
            || (e = or_expr(cc, &inner)) != NULL
            || (e = expect(cc, CHATS_FT_RPAREN, "')'")) != NULL) {
            return e;
        }
        cc->depth--;
        *psql = apr_pstrcat(cc->lx.p, "(", inner, ")", NULL);
        return NULL;
    }
    if ((e = count_term(cc)) != NULL) {
        return e;
    }
    for (fn = 0; fns[fn] && !chats_flex_is(&cc->lx, fns[fn]); fn++) {
    }
    if (!fns[fn]) {
        return comparison(cc, psql);
    }
    if ((e = chats_flex_next(&cc->lx)) != NULL) {
        return e;
    }
    return fn == 3 ? one_of(cc, psql) : like(cc, fn, fns[fn], psql);
}

/* not unary | primary. A comparison with null is false under not too
 * (coalesce): SQL's unknown would drop the row either way. */
static chats_err_t *unary(chats_fc_t *cc, const char **psql)
{
    chats_err_t *e;
    const char *inner;

    if (!chats_flex_is(&cc->lx, "not")) {
        return primary(cc, psql);
    }
    if ((e = deeper(cc)) != NULL || (e = chats_flex_next(&cc->lx)) != NULL
        || (e = unary(cc, &inner)) != NULL) {
        return e;
    }
    cc->depth--;
    *psql = apr_pstrcat(cc->lx.p, "NOT coalesce(", inner, ", false)", NULL);
    return NULL;
}

/* A chain of "and" (and = 1) or "or" operands, each an and-chain or a
 * unary; joined without recursion. */
static chats_err_t *chain(chats_fc_t *cc, int and, const char **psql)
{
    const char *kw = and ? "and" : "or", *sep = and ? " AND " : " OR ";
    apr_array_header_t *parts = apr_array_make(cc->lx.p, 4,
                                                sizeof(const char *));
    const char *part;
    chats_err_t *e;

    for (;;) {
        if ((e = and ? unary(cc, &part) : chain(cc, 1, &part)) != NULL) {
            return e;
        }
        APR_ARRAY_PUSH(parts, const char *) = part;
        if (!chats_flex_is(&cc->lx, kw)) {
            break;
        }
        if ((e = chats_flex_next(&cc->lx)) != NULL) {
            return e;
        }
    }
    *psql = parts->nelts == 1 ? part
          : apr_pstrcat(cc->lx.p, "(", chats_fc_join(cc->lx.p, parts, sep), ")",
                        NULL);
    return NULL;
}

static chats_err_t *or_expr(chats_fc_t *cc, const char **psql)
{
    return chain(cc, 0, psql);
}

/* ---- the two parameters -------------------------------------------------- */

/* Nothing to compile: absent, or blanks within the length limit. */
static int blank(const char *s)
{
    if (s && strlen(s) > CHATS_FILTER_MAX_LEN) {
        return 0;
    }
    while (s && apr_isspace(*s)) {
        s++;
    }
    return !s || !*s;
}

static chats_err_t *compile_filter(chats_fc_t *cc, const char *filter,
                                   const char **psql)
{
    chats_err_t *e;

    if ((e = chats_flex_init(&cc->lx, cc->lx.p, "$filter", filter)) != NULL
        || (e = or_expr(cc, psql)) != NULL) {
        return e;
    }
    if (cc->lx.tok.kind != CHATS_FT_END) {
        return chats_flex_unexpected(&cc->lx, "and, or or the end");
    }
    return NULL;
}

static chats_err_t *compile_order(chats_fc_t *cc, const char *orderby,
                                  const char **psql)
{
    apr_array_header_t *keys = apr_array_make(cc->lx.p, 4,
                                              sizeof(const char *));
    chats_err_t *e;
    chats_ftarget_t t;
    const char *dir;

    if ((e = chats_flex_init(&cc->lx, cc->lx.p, "$orderBy", orderby))
        != NULL) {
        return e;
    }
    for (;;) {
        if (keys->nelts == CHATS_FILTER_MAX_ORDER) {
            return chats_flex_err(&cc->lx, cc->lx.tok.at, "more than %d "
                                  "keys", CHATS_FILTER_MAX_ORDER);
        }
        if ((e = chats_fc_field(cc, &t)) != NULL) {
            return e;
        }
        dir = NULL;
        if (chats_flex_is(&cc->lx, "asc") || chats_flex_is(&cc->lx, "desc")) {
            dir = chats_flex_is(&cc->lx, "desc") ? " DESC" : " ASC";
            if ((e = chats_flex_next(&cc->lx)) != NULL) {
                return e;
            }
        }
        APR_ARRAY_PUSH(keys, const char *) =
            apr_pstrcat(cc->lx.p, t.sql, dir ? dir : " ASC", NULL);
        if (cc->lx.tok.kind == CHATS_FT_END) {
            break;
        }
        if ((e = expect(cc, CHATS_FT_COMMA, dir ? "',' or the end"
                                                : "asc, desc, ',' or the end"))
            != NULL) {
            return e;
        }
    }
    *psql = chats_fc_join(cc->lx.p, keys, ", ");
    return NULL;
}

chats_err_t *chats_filter_compile(apr_pool_t *p, const char *filter,
                                  const char *orderby,
                                  const chats_filter_env_t *env,
                                  chats_filter_sql_t **pout)
{
    chats_filter_sql_t *out = apr_pcalloc(p, sizeof(*out));
    chats_err_t *e;
    chats_fc_t cc;

    memset(&cc, 0, sizeof(cc));
    cc.lx.p = p;
    cc.env = env;
    cc.params = out->params = apr_array_make(p, 8, sizeof(chats_param_t));
    cc.fields = out->fields = apr_array_make(p, 8,
                                             sizeof(const chats_field_t *));
    if ((!blank(filter) && (e = compile_filter(&cc, filter, &out->where))
                           != NULL)
        || (!blank(orderby) && (e = compile_order(&cc, orderby,
                                                  &out->order_by)) != NULL)) {
        return e;
    }
    *pout = out;
    return NULL;
}
