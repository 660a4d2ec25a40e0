/* $filter values typed by their field, fields resolved through the field
 * table, and the parameters they are bound as (chats_filter.c compiles
 * the expressions around them). Core: APR only. */
#include <errno.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "chats_datetime.h"
#include "chats_filter.h"
#include "chats_filter_private.h"
#include "chats_schema.h"
#include "chats_sql.h"
#include "chats_zone.h"

const char *chats_fc_bind(chats_fc_t *cc, const char *value, chats_ptype_e type)
{
    chats_param_t *prm = apr_array_push(cc->params);

    prm->value = value;
    prm->type = type;
    return apr_psprintf(cc->lx.p, "$%d",
                        cc->env->first_param + cc->params->nelts - 1);
}

const char *chats_fc_zone(chats_fc_t *cc)
{
    if (!cc->env->zone || chats_zone_is_utc(cc->env->zone)) {
        return "'UTC'";
    }
    if (!cc->zone_sql) {
        cc->zone_sql = chats_fc_bind(cc, cc->env->zone, CHATS_P_TEXT);
    }
    return cc->zone_sql;
}

/* ---- fields -------------------------------------------------------------- */

static const char *last_segment(const char *dotnet)
{
    const char *dot = dotnet ? strrchr(dotnet, '.') : NULL;

    return dot ? dot + 1 : dotnet;
}

static void target_field(apr_pool_t *p, const chats_field_t *f, chats_ftarget_t *t)
{
    t->name = f->name;
    t->sql = apr_pstrcat(p, "cs.", f->column, NULL);
    t->type = f->type == CHATS_F_CARRIER ? CHATS_F_INT32 : f->type;
    t->enums = f->enums;
    t->enum_type = last_segment(f->dotnet);
    t->zero_null = f->type == CHATS_F_CARRIER
                   || (f->flags & CHATS_FF_ZERO_NULL);
}

/* The current token as a field (name or Carrier/Member); advances. */
chats_err_t *chats_fc_field(chats_fc_t *cc, chats_ftarget_t *t)
{
    chats_flex_t *lx = &cc->lx;
    const char *name = lx->tok.text, *slash;
    const chats_field_t *f;
    const chats_subfield_t *s;
    int i;

    if (lx->tok.kind != CHATS_FT_NAME || chats_flex_is(lx, "and")
        || chats_flex_is(lx, "or") || chats_flex_is(lx, "not")) {
        return chats_flex_unexpected(lx, "a field name");
    }
    slash = strchr(name, '/');
    /* a list is of sessions, whichever route scopes it */
    f = chats_schema_find(&chats_session_def, name,
                          slash ? (apr_size_t)(slash - name) : lx->tok.tlen);
    if (!f || (slash && f->type != CHATS_F_CARRIER)) {
        return chats_flex_err(lx, lx->tok.at, "unknown field %s",
                              chats_flex_show(lx, &lx->tok));
    }
    target_field(lx->p, f, t);
    for (i = 0; i < cc->fields->nelts
                && APR_ARRAY_IDX(cc->fields, i, const chats_field_t *) != f;
         i++) {
    }
    if (i == cc->fields->nelts) {
        APR_ARRAY_PUSH(cc->fields, const chats_field_t *) = f;
    }
    if (slash) {
        s = chats_carrier_find(f->carrier, slash + 1, strlen(slash + 1));
        if (!s) {
            return chats_flex_err(lx, lx->tok.at, "unknown field %s",
                                  chats_flex_show(lx, &lx->tok));
        }
        t->name = apr_pstrcat(lx->p, f->name, "/", s->name, NULL);
        /* The key is the session's own column (indexed); other members
         * are read from the carrier's row. */
        if (s != &f->carrier->fields[0]) {
            t->sql = chats_sql_member(lx->p, f, s, t->sql);
            t->type = s->type;
            t->enums = s->enums;
            t->enum_type = last_segment(s->dotnet);
            t->zero_null = 0;
        }
    }
    return chats_flex_next(lx);
}

/* ---- values -------------------------------------------------------------- */

static const char *type_desc(apr_pool_t *p, const chats_ftarget_t *t)
{
    switch (t->type) {
    case CHATS_F_INT32:
    case CHATS_F_INT16:    return "an integer";
    case CHATS_F_DOUBLE:   return "a number";
    case CHATS_F_STRING:   return "a string";
    case CHATS_F_BOOL:     return "true or false";
    case CHATS_F_DATETIME: return "a date-time";
    default:               return apr_pstrcat(p, "a ", t->enum_type, NULL);
    }
}

static chats_err_t *not_a(chats_fc_t *cc, const chats_ftarget_t *t)
{
    if (cc->lx.tok.kind == CHATS_FT_END) {
        return chats_flex_unexpected(&cc->lx, type_desc(cc->lx.p, t));
    }
    return chats_flex_err(&cc->lx, cc->lx.tok.at, "%s is not %s (%s)",
                          chats_flex_show(&cc->lx, &cc->lx.tok),
                          type_desc(cc->lx.p, t), t->name);
}

/* A flags value: names joined by commas, or one name. */
static int flags_value(const chats_enum_t *e, const char *s, apr_int64_t *pv)
{
    int bits = 0, v;

    *pv = 0;
    for (;;) {
        const char *end = strchr(s, ',');
        apr_size_t n = end ? (apr_size_t)(end - s) : strlen(s);

        while (n && *s == ' ') {
            s++, n--;
        }
        while (n && s[n - 1] == ' ') {
            n--;
        }
        if (!n || !chats_enum_value(e, s, n, &v)) {
            return 0;
        }
        bits |= v;
        if (!end) {
            break;
        }
        s = end + 1;
    }
    *pv = bits;
    return 1;
}

/* The current token as an integer-typed target's value: a number in the
 * column's range (an enum's: one it defines), or an enum's name. */
chats_err_t *chats_fc_int(chats_fc_t *cc, const chats_ftarget_t *t, apr_int64_t *pv)
{
    const chats_ftok_t *k = &cc->lx.tok;
    apr_int64_t lo = t->type == CHATS_F_INT32 ? APR_INT32_MIN : -32768;
    apr_int64_t hi = t->type == CHATS_F_INT32 ? APR_INT32_MAX : 32767;
    char *end;
    int v;

    if (k->kind == CHATS_FT_NUMBER) {
        errno = 0;
        *pv = apr_strtoi64(k->text, &end, 10);
        if (errno || *end || *pv < lo || *pv > hi
            || (t->type == CHATS_F_ENUM && !chats_enum_name(t->enums,
                                                            (int)*pv))
            || (t->type == CHATS_F_FLAGS && *pv < 0)) {
            return not_a(cc, t);
        }
        return NULL;
    }
    if (t->type == CHATS_F_ENUM && (k->kind == CHATS_FT_NAME
                                    || k->kind == CHATS_FT_STRING)
        && chats_enum_value(t->enums, k->text, k->tlen, &v)) {
        *pv = v;
        return NULL;
    }
    if (t->type == CHATS_F_FLAGS && (k->kind == CHATS_FT_NAME
                                     || k->kind == CHATS_FT_STRING)
        && flags_value(t->enums, k->text, pv)) {
        return NULL;
    }
    return not_a(cc, t);
}

/* The largest N of today+N (days) and now+N (seconds): some 10,000
 * years, past which PostgreSQL's timestamps end anyway. */
#define CHATS_FILTER_MAX_DAYS    3650000
#define CHATS_FILTER_MAX_SECONDS APR_INT64_C(315360000000)

/* today or now, the current token, and a "+N" or "-N" written right after
 * it (today+1: days; now-3600: seconds), N bound. The offset is read here
 * (the lexer would take "-1" for a number of its own, and "+" for no
 * token), so lx->at moves past it. Days are added to the local date in
 * the request's zone, so that today+1 is tomorrow's start there across a
 * DST change too. */
static chats_err_t *relative_value(chats_fc_t *cc, chats_fval_t *v)
{
    chats_flex_t *lx = &cc->lx;
    apr_pool_t *p = lx->p;
    int today = chats_flex_is(lx, "today");
    apr_size_t i = lx->at, start = lx->at;
    apr_int64_t n = 0, max = today ? CHATS_FILTER_MAX_DAYS
                                   : CHATS_FILTER_MAX_SECONDS;
    const char *zone, *num;

    if (i + 1 < lx->len && (lx->s[i] == '+' || lx->s[i] == '-')
        && apr_isdigit(lx->s[i + 1])) {
        for (i++; i < lx->len && apr_isdigit(lx->s[i]) && n <= max; i++) {
            n = n * 10 + (lx->s[i] - '0');
        }
        if (n > max || (i < lx->len && apr_isalnum(lx->s[i]))) {
            return chats_flex_err(lx, start, "%s needs a whole number of "
                                  "%s up to %" APR_INT64_T_FMT " after its "
                                  "sign", today ? "today" : "now",
                                  today ? "days" : "seconds", max);
        }
        num = apr_psprintf(p, "%s%" APR_INT64_T_FMT,
                           lx->s[start] == '-' ? "-" : "", n);
        lx->at = i;
    }
    else {
        num = NULL;
    }
    if (!today) {
        v->sql = num ? apr_pstrcat(p, "(now() + ", chats_fc_bind(
                                       cc, num, CHATS_P_INT8),
                                   " * interval '1 second')", NULL)
                     : "now()";
        return NULL;
    }
    zone = chats_fc_zone(cc);
    v->sql = apr_pstrcat(p, "date_trunc('day', now(), ", zone, ")", NULL);
    if (num) {
        v->sql = apr_pstrcat(p, "((", v->sql, " AT TIME ZONE ", zone, " + ",
                             chats_fc_bind(cc, num, CHATS_P_INT4),
                             " * interval '1 day') AT TIME ZONE ", zone, ")",
                             NULL);
    }
    return NULL;
}

/* A date-time literal: with an offset an instant, without one local time
 * in the request's zone (as in bodies, chats_plan.c). */
static chats_err_t *dt_value(chats_fc_t *cc, const chats_ftarget_t *t, chats_fval_t *v)
{
    const chats_ftok_t *k = &cc->lx.tok;
    apr_pool_t *p = cc->lx.p;
    apr_int64_t usec;
    const char *text;

    if (k->kind == CHATS_FT_NAME && (chats_flex_is(&cc->lx, "now")
                                     || chats_flex_is(&cc->lx, "today"))) {
        return relative_value(cc, v);
    }
    if ((k->kind != CHATS_FT_STRING && k->kind != CHATS_FT_NUMBER)
        || !chats_dt_parse(k->text, k->tlen, &usec)) {
        return not_a(cc, t);
    }
    text = chats_dt_format_sql(p, usec);
    if (chats_dt_has_designator(k->text, k->tlen) || !cc->env->zone
        || chats_zone_is_utc(cc->env->zone)) {
        v->sql = chats_fc_bind(cc, text, CHATS_P_TIMESTAMPTZ);
        return NULL;
    }
    v->sql = apr_pstrcat(p, "(", chats_fc_bind(cc, apr_pstrndup(p, text,
                                                       strlen(text) - 3),
                                      CHATS_P_TIMESTAMP),
                         "::timestamp AT TIME ZONE ", chats_fc_zone(cc), ")",
                         NULL);
    return NULL;
}

/* Decimal text: -?digits[.digits] (no exponent, no NaN). */
static int is_decimal(const char *s)
{
    s += *s == '-';
    if (!apr_isdigit(*s)) {
        return 0;
    }
    while (apr_isdigit(*s)) {
        s++;
    }
    if (*s == '.') {
        for (s++; apr_isdigit(*s); s++) {
        }
        return apr_isdigit(s[-1]) && !*s;
    }
    return !*s;
}

/* The current token as a value for t (its SQL in v); advances. */
chats_err_t *chats_fc_value(chats_fc_t *cc, const chats_ftarget_t *t, chats_fval_t *v)
{
    const chats_ftok_t *k = &cc->lx.tok;
    chats_err_t *e = NULL;

    memset(v, 0, sizeof(*v));
    if (chats_flex_is(&cc->lx, "null")) {
        v->is_null = 1;
        return chats_flex_next(&cc->lx);
    }
    switch (t->type) {
    case CHATS_F_STRING:
        if (k->kind != CHATS_FT_STRING) {
            return not_a(cc, t);
        }
        v->sql = chats_fc_bind(cc, k->text, CHATS_P_TEXT);
        break;
    case CHATS_F_BOOL:
        if (!chats_flex_is(&cc->lx, "true")
            && !chats_flex_is(&cc->lx, "false")) {
            return not_a(cc, t);
        }
        v->sql = chats_fc_bind(cc, chats_flex_is(&cc->lx, "true") ? "true" : "false",
                      CHATS_P_BOOL);
        break;
    case CHATS_F_DOUBLE:
        if (k->kind != CHATS_FT_NUMBER || !is_decimal(k->text)) {
            return not_a(cc, t);
        }
        v->sql = chats_fc_bind(cc, k->text, CHATS_P_FLOAT8);
        break;
    case CHATS_F_DATETIME:
        e = dt_value(cc, t, v);
        break;
    default:
        if ((e = chats_fc_int(cc, t, &v->num)) == NULL) {
            v->is_null = t->zero_null && v->num == 0;
            v->sql = v->is_null ? NULL
                : chats_fc_bind(cc, apr_psprintf(cc->lx.p, "%" APR_INT64_T_FMT,
                                        v->num), chats_sql_ptype(t->type));
        }
    }
    return e ? e : chats_flex_next(&cc->lx);
}

/* The strings of a, sep between them (one allocation). */
const char *chats_fc_join(apr_pool_t *p, const apr_array_header_t *a,
                        const char *sep)
{
    apr_size_t n = 0, seplen = strlen(sep);
    char *out, *o;
    int i;

    for (i = 0; i < a->nelts; i++) {
        n += strlen(APR_ARRAY_IDX(a, i, const char *)) + seplen;
    }
    o = out = apr_palloc(p, n + 1);
    for (i = 0; i < a->nelts; i++) {
        const char *s = APR_ARRAY_IDX(a, i, const char *);

        if (i) {
            memcpy(o, sep, seplen);
            o += seplen;
        }
        memcpy(o, s, strlen(s));
        o += strlen(s);
    }
    *o = '\0';
    return out;
}

