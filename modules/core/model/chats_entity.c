/* Rows <-> canonical documents <-> SQL parameters, and client values ->
 * canonical values. The patch hook lives in chats_entity_patch.c. */
#include <apr_lib.h>
#include <apr_strings.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chats_datetime.h"
#include "chats_entity.h"
#include "chats_json.h"

static apr_size_t flag_names_value(const chats_enum_t *enums, const char *s,
                                   apr_size_t len, int *pvalue);

/* ---- canonical values ------------------------------------------------ */

static chats_doc_t *flags_doc(apr_pool_t *p, const chats_enum_t *e, int v)
{
    const char *names = NULL;

    if (v == 0) {
        return chats_doc_strz(p, chats_enum_name(e, 0));
    }
    for (; e->name; e++) {
        if (e->value && (v & e->value) == e->value) {
            names = names ? apr_pstrcat(p, names, ", ", e->name, NULL)
                          : e->name;
        }
    }
    return chats_doc_strz(p, names ? names : "");
}

static chats_doc_t *enum_doc(apr_pool_t *p, const chats_enum_t *e, int v)
{
    const char *name = chats_enum_name(e, v);

    /* Only a hand-edited row can hold an unknown value; a number is the
     * honest rendering of it. */
    return name ? chats_doc_strz(p, name) : chats_doc_int(p, v);
}

/* A group's object: every member's empty value. */
static chats_doc_t *group_empty(apr_pool_t *p, const chats_group_t *g)
{
    chats_doc_t *o = chats_doc_object(p);
    int i;

    for (i = 0; i < g->nmembers; i++) {
        chats_doc_object_add(o, g->members[i].name,
                             chats_entity_empty(p, &g->members[i]));
    }
    return o;
}

chats_doc_t *chats_entity_empty(apr_pool_t *p, const chats_field_t *f)
{
    switch (f->type) {
    case CHATS_F_STRING:   return chats_doc_strz(p, "");
    case CHATS_F_DURATION: return chats_doc_strz(p, "00:00:00");
    case CHATS_F_GROUP:    return group_empty(p, f->group);
    case CHATS_F_BOOL:     return chats_doc_bool(p, 0);
    case CHATS_F_ENUM:     return enum_doc(p, f->enums, 0);
    case CHATS_F_FLAGS:    return flags_doc(p, f->enums, 0);
    case CHATS_F_DATETIME:
    case CHATS_F_CARRIER:  return chats_doc_null(p);
    case CHATS_F_JSON:
        return (f->flags & CHATS_FF_JSON_OBJECT) ? chats_doc_object(p)
                                                 : chats_doc_array(p);
    default:               return chats_doc_int(p, 0);
    }
}

/* Reading a row: its columns in order (chats_sql.h's layout). */
typedef struct {
    apr_pool_t *p;
    const char *const *v;
    int zoned;                    /* offsets follow date-times           */
    int stamps_utc;               /* ... but stamps are shown in UTC     */
} row_reader_t;

/* The next column's text (NULL = SQL NULL) as a value of this type; a
 * date-time shown in the zone of its offset column, when read zoned. */
static chats_doc_t *next_value(row_reader_t *rd, chats_ftype_e type,
                               const chats_enum_t *enums, int stamp)
{
    apr_pool_t *p = rd->p;
    const char *v = *rd->v++, *off;
    chats_doc_t *doc;

    switch (type) {
    case CHATS_F_STRING:
        return chats_doc_strz(p, v ? v : "");
    case CHATS_F_BOOL:
        return chats_doc_bool(p, v && *v == 't');
    case CHATS_F_DATETIME:
        off = rd->zoned ? *rd->v++ : NULL;
        if (!v) {
            return chats_doc_null(p);
        }
        return chats_doc_strz(p, off && !(stamp && rd->stamps_utc)
                              ? chats_dt_format_local(p, apr_atoi64(v),
                                                      atoi(off))
                              : chats_dt_format(p, apr_atoi64(v)));
    case CHATS_F_ENUM:
        return enum_doc(p, enums, v ? atoi(v) : 0);
    case CHATS_F_FLAGS:
        return flags_doc(p, enums, v ? atoi(v) : 0);
    case CHATS_F_DURATION:
        return chats_doc_strz(p, chats_duration_format(p, v ? atoi(v) : 0));
    case CHATS_F_JSON:
        /* jsonb's text: the document stored, rendered as it is */
        if (v && !chats_json_parse(&doc, v, strlen(v), NULL, p)) {
            return doc;
        }
        return chats_doc_null(p);
    case CHATS_F_DOUBLE:
        /* float8 text may be NaN or Infinity, which JSON cannot carry */
        if (v && isfinite(strtod(v, NULL))) {
            return chats_doc_number(p, v, strlen(v));
        }
        return chats_doc_int(p, 0);
    default:
        /* An integer's text from PostgreSQL is already the canonical
         * number: kept, not parsed and printed again. */
        return v ? chats_doc_number(p, v, strlen(v)) : chats_doc_int(p, 0);
    }
}

/* A JSON array element as the column text it stands for (NULL = SQL
 * NULL): numbers and strings as they are, booleans as t/f. */
static const char *element_text(const chats_doc_t *e)
{
    switch (e->type) {
    case CHATS_J_NULL:   return NULL;
    case CHATS_J_BOOL:   return e->b ? "t" : "f";
    case CHATS_J_NUMBER:
    case CHATS_J_STRING: return e->s;
    default:             return "";
    }
}

/* A carrier's column: NULL, or a JSON array of its members' columns. */
static chats_doc_t *carrier_doc(row_reader_t *rd, const chats_carrier_t *c)
{
    const char *text = *rd->v++;
    const char **cols;
    chats_doc_t *arr = NULL, *o;
    row_reader_t sub;
    int j, n;

    if (!text || chats_json_parse(&arr, text, strlen(text), NULL, rd->p)
        || arr->type != CHATS_J_ARRAY) {
        return chats_doc_null(rd->p);
    }
    n = chats_doc_array_len(arr);
    cols = apr_pcalloc(rd->p, (apr_size_t)(n + 1) * sizeof(*cols));
    for (j = 0; j < n; j++) {
        cols[j] = element_text(chats_doc_array_get(arr, j));
    }
    sub = *rd;
    sub.v = cols;
    o = chats_doc_object(rd->p);
    for (j = 0; j < c->nfields && sub.v < cols + n; j++) {
        const chats_subfield_t *s = &c->fields[j];

        chats_doc_object_add(o, s->name, next_value(
                                 &sub, s->type, s->enums,
                                 (s->flags & CHATS_SF_ALWAYS_UTC) != 0));
    }
    return o;
}

/* The next field's value from rd (a carrier: its column; a group: its
 * members' columns), added to doc under the field's name. */
static void add_field(chats_doc_t *doc, row_reader_t *rd,
                      const chats_field_t *f)
{
    chats_doc_t *o;
    int i;

    if (f->flags & CHATS_FF_WRITEONLY) {
        return;                       /* never read back: no column */
    }
    if (f->type == CHATS_F_GROUP) {
        o = chats_doc_object(rd->p);
        for (i = 0; i < f->group->nmembers; i++) {
            add_field(o, rd, &f->group->members[i]);
        }
        chats_doc_object_add(doc, f->name, o);
        return;
    }
    chats_doc_object_add(doc, f->name, f->type == CHATS_F_CARRIER
                         ? carrier_doc(rd, f->carrier)
                         : next_value(rd, f->type, f->enums, 0));
}

static void reader_init(row_reader_t *rd, apr_pool_t *p,
                        const char *const *values, chats_read_e how,
                        int stamps_utc)
{
    rd->p = p;
    rd->v = values;
    rd->zoned = (how == CHATS_READ_ZONED);
    rd->stamps_utc = stamps_utc;
}

chats_doc_t *chats_entity_from_row(apr_pool_t *p,
                                   const chats_entity_def_t *def,
                                   const char *const *values,
                                   chats_read_e how, int stamps_utc)
{
    int i, n;
    const chats_field_t *f = chats_schema_fields(def, &n);
    chats_doc_t *doc = chats_doc_object(p);
    row_reader_t rd;

    reader_init(&rd, p, values, how, stamps_utc);
    for (i = 0; i < n; i++) {
        add_field(doc, &rd, &f[i]);
    }
    return doc;
}

chats_doc_t *chats_entity_from_cols(apr_pool_t *p,
                                    const chats_field_t *const *fields,
                                    int nfields, const char *const *values,
                                    chats_read_e how, int stamps_utc)
{
    chats_doc_t *doc = chats_doc_object(p);
    row_reader_t rd;
    int i;

    reader_init(&rd, p, values, how, stamps_utc);
    for (i = 0; i < nfields; i++) {
        add_field(doc, &rd, fields[i]);
    }
    return doc;
}

/* ---- canonical values -> parameters ----------------------------------- */

const char *chats_entity_param(apr_pool_t *p, const chats_field_t *f,
                               const chats_doc_t *v)
{
    int value = 0;
    apr_int64_t usec;

    switch (f->type) {
    case CHATS_F_STRING:
        return v->s;
    case CHATS_F_BOOL:
        return v->b ? "true" : "false";
    case CHATS_F_DATETIME:
        if (v->type == CHATS_J_NULL || !chats_dt_parse(v->s, v->len, &usec)) {
            return NULL;
        }
        return chats_dt_format_sql(p, usec);
    case CHATS_F_ENUM:
        if (v->type == CHATS_J_STRING) {
            chats_enum_value(f->enums, v->s, v->len, &value);
        }
        else if (v->type == CHATS_J_NUMBER) {
            value = atoi(v->s);
        }
        return apr_itoa(p, value);
    case CHATS_F_FLAGS:
        if (v->type == CHATS_J_STRING) {
            flag_names_value(f->enums, v->s, v->len, &value);
        }
        return apr_itoa(p, value);
    case CHATS_F_DURATION:
        if (v->type == CHATS_J_STRING) {
            chats_duration_parse(v->s, v->len, &value);
        }
        return apr_itoa(p, value);
    case CHATS_F_GROUP:
        return NULL;                 /* its members are the parameters */
    case CHATS_F_JSON:
        return chats_doc_to_json(p, v, 0);
    case CHATS_F_CARRIER:
        if (v->type != CHATS_J_OBJECT) {
            return NULL;
        }
        v = chats_doc_object_get(v, f->carrier->fields[0].name,
                                 strlen(f->carrier->fields[0].name), 0);
        return v ? v->s : NULL;
    default:
        if ((f->flags & CHATS_FF_ZERO_NULL) && !strcmp(v->s, "0")) {
            return NULL;
        }
        return v->s;
    }
}

/* ---- client values -> canonical values -------------------------------- */

static chats_err_t *bad(apr_pool_t *p, const chats_field_t *f,
                        const char *what)
{
    return chats_err_make(p, CHATS_E_INVALID, f->name, "%s: %s", f->name,
                          what);
}

/* An integral JSON number within [lo, hi]; 5.0 and 5e0 are integral. */
/* Significant digits of "-12.30e1" into dig (no leading zeros), with the
 * power of ten they are scaled by; 0 if s is not a JSON number or has
 * more digits than an int64 could use. */
static int decimal_digits(const char *s, char *dig, int *pndig, int *pexp10,
                          int *pneg)
{
    int ndig = 0, exp10 = 0, e = 0, eneg = 0, frac = 0;

    *pneg = (*s == '-');
    s += *pneg;
    for (; apr_isdigit(*s) || (*s == '.' && !frac); s++) {
        if (*s == '.') {
            frac = 1;
            continue;
        }
        exp10 -= frac;
        if (ndig || *s != '0') {
            if (ndig >= 40) {
                return 0;
            }
            dig[ndig++] = *s;
        }
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-') {
            eneg = (*s++ == '-');
        }
        for (; apr_isdigit(*s) && e < 10000; s++) {
            e = e * 10 + (*s - '0');
        }
        exp10 += eneg ? -e : e;
    }
    *pndig = ndig;
    *pexp10 = exp10;
    return *s == '\0';
}

/* An integral JSON number within [lo, hi]: 5, 5.0, 5e0 and 50e-1 are.
 * Exact and without strtod, whose decimal point is the locale's. */
static int integral(const chats_doc_t *v, apr_int64_t lo, apr_int64_t hi,
                    apr_int64_t *pn)
{
    char dig[40];
    int ndig, exp10, neg, i;
    apr_int64_t n = 0;

    if (v->type != CHATS_J_NUMBER
        || !decimal_digits(v->s, dig, &ndig, &exp10, &neg)) {
        return 0;
    }
    while (ndig > 0 && exp10 < 0 && dig[ndig - 1] == '0') {
        ndig--;                         /* trailing zeros of a fraction */
        exp10++;
    }
    if (ndig > 0 && (exp10 < 0 || ndig + exp10 > 18)) {
        return 0;                       /* a fraction, or far too big */
    }
    for (i = 0; i < ndig + (ndig ? exp10 : 0); i++) {
        n = n * 10 + (i < ndig ? dig[i] - '0' : 0);
    }
    n = neg ? -n : n;
    if (n < lo || n > hi) {
        return 0;
    }
    *pn = n;
    return 1;
}

static chats_err_t *coerce_int(const chats_field_t *f, const chats_doc_t *v,
                               chats_doc_t **pout, apr_pool_t *p)
{
    apr_int64_t n;

    if (v->type != CHATS_J_NUMBER) {
        return bad(p, f, "expected a number (System.Int32)");
    }
    if (!integral(v, INT32_MIN, INT32_MAX, &n)) {
        return bad(p, f, apr_psprintf(p, "%s is not an Int32", v->s));
    }
    *pout = chats_doc_int(p, n);
    return NULL;
}

static chats_err_t *coerce_string(const chats_field_t *f,
                                  const chats_doc_t *v, chats_doc_t **pout,
                                  apr_pool_t *p)
{
    if (v->type == CHATS_J_NULL) {
        *pout = chats_doc_strz(p, "");
        return NULL;
    }
    if (v->type != CHATS_J_STRING) {
        return bad(p, f, "expected a string");
    }
    if (memchr(v->s, '\0', v->len)) {
        return bad(p, f, "a string may not contain U+0000");
    }
    if (f->max_len && chats_utf8_chars(v->s, v->len) > (apr_size_t)f->max_len) {
        return bad(p, f, apr_psprintf(p, "longer than %d characters",
                                      f->max_len));
    }
    *pout = chats_doc_string(p, v->s, v->len);
    return NULL;
}

static chats_err_t *coerce_enum(const chats_field_t *f, const chats_doc_t *v,
                                chats_doc_t **pout, apr_pool_t *p)
{
    apr_int64_t n;
    int value;

    if (v->type == CHATS_J_STRING
        && chats_enum_value(f->enums, v->s, v->len, &value)) {
        *pout = enum_doc(p, f->enums, value);
        return NULL;
    }
    if (integral(v, 0, INT16_MAX, &n) && chats_enum_name(f->enums, (int)n)) {
        *pout = enum_doc(p, f->enums, (int)n);
        return NULL;
    }
    return bad(p, f, "not a known value (a name or its number)");
}

/* "A, B" -> A|B; empty names are skipped. On an unknown name returns its
 * length with *pvalue = its offset in s; 0 when every name is known. */
static apr_size_t flag_names_value(const chats_enum_t *enums, const char *s,
                                   apr_size_t len, int *pvalue)
{
    const char *end = s + len, *tok, *tend;
    int bit;

    *pvalue = 0;
    while (s < end) {
        while (s < end && (*s == ',' || apr_isspace(*s))) {
            s++;
        }
        for (tok = s; s < end && *s != ','; s++) {
        }
        for (tend = s; tend > tok && apr_isspace(tend[-1]); tend--) {
        }
        if (tend == tok) {
            continue;
        }
        if (!chats_enum_value(enums, tok, tend - tok, &bit)) {
            *pvalue = (int)(tok - (end - len));
            return tend - tok;
        }
        *pvalue |= bit;
    }
    return 0;
}

/* Flags: a number of known bits, or names separated by commas. */
static chats_err_t *coerce_flags(const chats_field_t *f, const chats_doc_t *v,
                                 chats_doc_t **pout, apr_pool_t *p)
{
    apr_int64_t n = 0, all = 0;
    const chats_enum_t *e;
    apr_size_t badlen;
    int value;

    for (e = f->enums; e->name; e++) {
        all |= e->value;
    }
    if (v->type == CHATS_J_NUMBER) {
        if (!integral(v, 0, all, &n) || (n & ~all)) {
            return bad(p, f, apr_psprintf(p, "%s is not a set of flags",
                                          v->s));
        }
    }
    else if (v->type == CHATS_J_STRING) {
        badlen = flag_names_value(f->enums, v->s, v->len, &value);
        if (badlen) {
            return bad(p, f, apr_psprintf(p, "'%.*s' is not a flag",
                                          (int)badlen, v->s + value));
        }
        n = value;
    }
    else if (v->type != CHATS_J_NULL) {
        return bad(p, f, "expected flag names or a number");
    }
    *pout = flags_doc(p, f->enums, (int)n);
    return NULL;
}

static chats_err_t *coerce_datetime(const chats_field_t *f,
                                    const chats_doc_t *v, chats_doc_t **pout,
                                    apr_pool_t *p)
{
    apr_int64_t usec;

    if (v->type == CHATS_J_NULL) {
        *pout = chats_doc_null(p);
        return NULL;
    }
    if (v->type != CHATS_J_STRING || !chats_dt_parse(v->s, v->len, &usec)) {
        return bad(p, f, "expected an ISO 8601 date-time from "
                   "0001-01-01T00:00:00Z to 9999-12-31T23:59:59.9999999Z");
    }
    *pout = chats_doc_strz(p, chats_dt_format(p, usec));
    return NULL;
}

/* A time of day: "HH:MM[:SS]" or an ISO 8601 duration under a day; null
 * is midnight, the empty value. */
static chats_err_t *coerce_duration(const chats_field_t *f,
                                    const chats_doc_t *v, chats_doc_t **pout,
                                    apr_pool_t *p)
{
    int sec = 0;

    if (v->type != CHATS_J_NULL
        && (v->type != CHATS_J_STRING
            || !chats_duration_parse(v->s, v->len, &sec))) {
        return bad(p, f, "expected \"HH:MM:SS\" or an ISO 8601 duration "
                   "under 24 h");
    }
    *pout = chats_doc_strz(p, chats_duration_format(p, sec));
    return NULL;
}

/* A carrier by reference: null, or an object with the key (other members
 * are derived from the referenced row, so they are not ours to take). */
static chats_err_t *coerce_carrier(const chats_field_t *f,
                                   const chats_doc_t *v, chats_doc_t **pout,
                                   apr_pool_t *p)
{
    const chats_subfield_t *key = &f->carrier->fields[0];
    const chats_doc_t *k;
    apr_int64_t n;

    if (v->type == CHATS_J_NULL) {
        *pout = chats_doc_null(p);
        return NULL;
    }
    if (v->type != CHATS_J_OBJECT) {
        return bad(p, f, apr_psprintf(p, "expected null or an object with "
                                      "%s", key->name));
    }
    k = chats_doc_object_get(v, key->name, strlen(key->name), 1);
    if (!k || !integral(k, 0, INT32_MAX, &n)) {
        return chats_err_make(p, CHATS_E_INVALID,
                              apr_pstrcat(p, f->name, "/", key->name, NULL),
                              "%s/%s: expected a non-negative Int32",
                              f->name, key->name);
    }
    if (n == 0) {
        *pout = chats_doc_null(p);
        return NULL;
    }
    *pout = chats_doc_object(p);
    chats_doc_object_set(*pout, key->name, strlen(key->name),
                         chats_doc_int(p, n), 0, p);
    return NULL;
}

chats_err_t *chats_entity_coerce(const chats_field_t *f, const chats_doc_t *v,
                                 chats_doc_t **pout, apr_pool_t *p)
{
    switch (f->type) {
    case CHATS_F_STRING:   return coerce_string(f, v, pout, p);
    case CHATS_F_ENUM:     return coerce_enum(f, v, pout, p);
    case CHATS_F_FLAGS:    return coerce_flags(f, v, pout, p);
    case CHATS_F_DATETIME: return coerce_datetime(f, v, pout, p);
    case CHATS_F_CARRIER:  return coerce_carrier(f, v, pout, p);
    case CHATS_F_DURATION: return coerce_duration(f, v, pout, p);
    case CHATS_F_JSON:     return chats_entity_json_coerce(f, v, pout, p);
    case CHATS_F_GROUP:
        /* a group's members are coerced one by one (chats_plan_group.c) */
        return bad(p, f, "expected an object");
    case CHATS_F_BOOL:
        if (v->type != CHATS_J_BOOL) {
            return bad(p, f, "expected true or false");
        }
        *pout = chats_doc_bool(p, v->b);
        return NULL;
    default:
        return coerce_int(f, v, pout, p);
    }
}
