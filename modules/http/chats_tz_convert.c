/* SO-TimeZone conversions: date-times rendered in the caller's zone and
 * offset-less input read as the caller's local time (chats_tz.h). The
 * zone itself is resolved in chats_tz.c; offsets come from PostgreSQL. */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "chats_datetime.h"
#include "chats_schema.h"
#include "chats_tz.h"

#define NELTS(a) (sizeof(a) / sizeof((a)[0]))

/* Offset in seconds east of UTC of zone $1 at each instant of $2, in
 * order. */
static const chats_stmt_t stmt_tz_offsets = {
    "chats_tz_offsets",
    "SELECT CAST(EXTRACT(EPOCH FROM (u.t AT TIME ZONE $1)"
    "                              - (u.t AT TIME ZONE 'UTC')) AS integer)"
    " FROM unnest(CAST($2 AS timestamptz[])) WITH ORDINALITY AS u(t, i)"
    " ORDER BY u.i"
};

/* Local wall times $2 in zone $1 -> microseconds since the epoch (UTC),
 * in order. */
static const chats_stmt_t stmt_tz_locals = {
    "chats_tz_locals",
    "SELECT CAST(EXTRACT(EPOCH FROM (u.t AT TIME ZONE $1)) * 1000000"
    "            AS bigint)"
    " FROM unnest(CAST($2 AS timestamp[])) WITH ORDINALITY AS u(t, i)"
    " ORDER BY u.i"
};

/* Local wall time $1 in zone $2 -> microseconds since the epoch (UTC). */
static const chats_stmt_t stmt_tz_local = {
    "chats_tz_local",
    "SELECT CAST(EXTRACT(EPOCH FROM (CAST($1 AS timestamp) AT TIME ZONE $2))"
    "            * 1000000 AS bigint)"
};

/* ---- rendering --------------------------------------------------------- */

/* A date-time member to convert: where it is and its instant. */
typedef struct {
    chats_doc_t *value;
    apr_int64_t usec;
} tz_slot_t;

/* Created/updated stamps stay UTC when the caller chose a zone (spec §4:
 * "always UTC and unaffected by SO-TimeZone"). Carrier members only: the
 * entity itself has none. */
static int always_utc(const char *name)
{
    static const char *const stamps[] = {
        "Created", "CreatedAt", "CreatedDate", "Updated", "UpdatedAt",
        "UpdatedDate", "LastChanged",
    };
    apr_size_t i;

    for (i = 0; i < NELTS(stamps); i++) {
        if (!strcmp(name, stamps[i])) {
            return 1;
        }
    }
    return 0;
}

static void collect_one(apr_array_header_t *slots, chats_doc_t *v)
{
    tz_slot_t *s;
    apr_int64_t usec;

    if (v && v->type == CHATS_J_STRING && chats_dt_parse(v->s, v->len, &usec)) {
        s = apr_array_push(slots);
        s->value = v;
        s->usec = usec;
    }
}

static void collect_entity(apr_array_header_t *slots,
                           apr_array_header_t *utc_slots,
                           const chats_tz_t *tz, chats_doc_t *o)
{
    int i, j, n;
    const chats_field_t *f = chats_schema_fields(&n);
    chats_doc_t *v, *sv;

    if (!o || o->type != CHATS_J_OBJECT) {
        return;
    }
    for (i = 0; i < n; i++) {
        v = chats_doc_object_get(o, f[i].name, strlen(f[i].name), 0);
        if (!v) {
            continue;
        }
        if (f[i].type == CHATS_F_DATETIME) {
            collect_one(slots, v);
        }
        else if (f[i].type == CHATS_F_CARRIER && v->type == CHATS_J_OBJECT) {
            const chats_carrier_t *c = f[i].carrier;

            for (j = 0; j < c->nfields; j++) {
                if (c->fields[j].type != CHATS_F_DATETIME) {
                    continue;
                }
                sv = chats_doc_object_get(v, c->fields[j].name,
                                          strlen(c->fields[j].name), 0);
                collect_one(tz->from_header && always_utc(c->fields[j].name)
                            ? utc_slots : slots, sv);
            }
        }
    }
}

/* Write s's instant as local time at offset off (seconds east). */
static void write_local(apr_pool_t *p, tz_slot_t *s, int off)
{
    apr_int64_t local;
    const char *text;
    char *out;
    int mins = (off >= 0 ? off + 30 : off - 30) / 60, a;

    local = s->usec + (apr_int64_t)mins * 60 * APR_INT64_C(1000000);
    text = chats_dt_format(p, local);
    if (text[0] == '0' && !strncmp(text, "0000", 4)) {
        mins = 0;
        text = chats_dt_format(p, s->usec);
    }
    else if (strlen(text) != 33) {           /* beyond 9999 */
        mins = 0;
        text = chats_dt_format(p, s->usec);
    }
    out = apr_pstrdup(p, text);
    a = mins < 0 ? -mins : mins;
    /* "YYYY-MM-DDTHH:MM:SS.fffffff" + "+00:00" */
    apr_snprintf(out + 27, 7, "%c%02d:%02d", mins < 0 ? '-' : '+',
                 a / 60, a % 60);
    s->value->s = out;
    s->value->len = strlen(out);
}

chats_err_t *chats_tz_render(chats_store_t *st, const chats_tz_t *tz,
                             chats_doc_t *view, apr_pool_t *p)
{
    apr_array_header_t *slots = apr_array_make(p, 16, sizeof(tz_slot_t));
    apr_array_header_t *utc = apr_array_make(p, 2, sizeof(tz_slot_t));
    chats_rows_t *rows;
    chats_err_t *e;
    const char *params[2];
    char *list;
    int i;

    if (!view) {
        return NULL;
    }
    if (view->type == CHATS_J_ARRAY) {
        for (i = 0; i < chats_doc_array_len(view); i++) {
            collect_entity(slots, utc, tz, chats_doc_array_get(view, i));
        }
    }
    else {
        collect_entity(slots, utc, tz, view);
    }
    for (i = 0; i < utc->nelts; i++) {
        write_local(p, &APR_ARRAY_IDX(utc, i, tz_slot_t), 0);
    }
    if (slots->nelts == 0) {
        return NULL;
    }
    if (tz->is_utc) {
        for (i = 0; i < slots->nelts; i++) {
            write_local(p, &APR_ARRAY_IDX(slots, i, tz_slot_t), 0);
        }
        return NULL;
    }
    /* {"2021-03-28 00:59:59.000000+00",...}: no quote or backslash inside */
    list = apr_pstrdup(p, "{");
    for (i = 0; i < slots->nelts; i++) {
        list = apr_pstrcat(p, list, i ? ",\"" : "\"",
                           chats_dt_format_sql(p, APR_ARRAY_IDX(slots, i,
                                                                tz_slot_t).usec),
                           "\"", NULL);
    }
    list = apr_pstrcat(p, list, "}", NULL);
    params[0] = tz->zone;
    params[1] = list;
    if ((e = chats_store_exec(st, &stmt_tz_offsets, 2, params, &rows))) {
        return e;
    }
    if (rows->nrows != slots->nelts || rows->ncols != 1) {
        return chats_err_make(p, CHATS_E_INTERNAL, NULL,
                              "time-zone offsets: %d rows for %d instants",
                              rows->nrows, slots->nelts);
    }
    for (i = 0; i < slots->nelts; i++) {
        const char *off = CHATS_ROWS_GET(rows, i, 0);

        write_local(p, &APR_ARRAY_IDX(slots, i, tz_slot_t),
                    off ? atoi(off) : 0);
    }
    return NULL;
}

/* ---- input ------------------------------------------------------------- */

int chats_tz_has_designator(const char *s, apr_size_t len)
{
    apr_size_t i;

    if (len > 0 && (s[len - 1] == 'Z' || s[len - 1] == 'z')) {
        return 1;
    }
    /* a sign after the time part ("T" or " " then HH:MM...) */
    for (i = 0; i < len; i++) {
        if (s[i] == 'T' || s[i] == 't' || s[i] == ' ') {
            break;
        }
    }
    for (; i < len; i++) {
        if (s[i] == '+' || s[i] == '-') {
            return 1;
        }
    }
    return 0;
}

chats_err_t *chats_tz_local_to_utc(chats_store_t *st, const chats_tz_t *tz,
                                   const char *local, apr_size_t len,
                                   apr_int64_t *pusec, apr_pool_t *p)
{
    apr_int64_t wall;
    chats_rows_t *rows;
    chats_err_t *e;
    const char *params[2], *sql;

    if (!chats_dt_parse(local, len, &wall)) {
        return chats_err_make(p, CHATS_E_INVALID, NULL,
                              "not an ISO 8601 date-time");
    }
    if (chats_tz_has_designator(local, len) || tz->is_utc) {
        *pusec = wall;
        return NULL;
    }
    /* "YYYY-MM-DD HH:MM:SS.ffffff+00" without its "+00" */
    sql = chats_dt_format_sql(p, wall);
    params[0] = apr_pstrndup(p, sql, strlen(sql) - 3);
    params[1] = tz->zone;
    if ((e = chats_store_exec(st, &stmt_tz_local, 2, params, &rows))) {
        return e;
    }
    if (rows->nrows != 1 || !rows->values[0]) {
        return chats_err_make(p, CHATS_E_INTERNAL, NULL,
                              "local time conversion returned nothing");
    }
    *pusec = apr_atoi64(rows->values[0]);
    return NULL;
}

/* ---- request bodies ---------------------------------------------------- */

/* An offset-less date-time string to convert: remembered in slots. */
static void local_one(apr_array_header_t *slots, chats_doc_t *v)
{
    tz_slot_t *s;
    apr_int64_t wall;

    if (v && v->type == CHATS_J_STRING
        && !chats_tz_has_designator(v->s, v->len)
        && chats_dt_parse(v->s, v->len, &wall)) {
        s = apr_array_push(slots);
        s->value = v;
        s->usec = wall;                  /* wall time, read as if UTC */
    }
}

/* Carrier object: its date-time members (a "test" may compare them). */
static void local_carrier(apr_array_header_t *slots,
                          const chats_carrier_t *c, chats_doc_t *o)
{
    int i;
    const chats_subfield_t *sf;
    chats_member_t *m;

    if (!o || o->type != CHATS_J_OBJECT) {
        return;
    }
    for (i = 0; i < chats_doc_object_len(o); i++) {
        m = chats_doc_object_at(o, i);
        sf = chats_carrier_find(c, m->name, m->name_len);
        if (sf && sf->type == CHATS_F_DATETIME) {
            local_one(slots, m->value);
        }
    }
}

/* Entity or merge-patch object: members by name, any case. */
static void local_entity(apr_array_header_t *slots, chats_doc_t *o)
{
    int i;
    const chats_field_t *f;
    chats_member_t *m;

    if (!o || o->type != CHATS_J_OBJECT) {
        return;
    }
    for (i = 0; i < chats_doc_object_len(o); i++) {
        m = chats_doc_object_at(o, i);
        f = chats_schema_find(m->name, m->name_len);
        if (!f) {
            continue;
        }
        if (f->type == CHATS_F_DATETIME) {
            local_one(slots, m->value);
        }
        else if (f->type == CHATS_F_CARRIER) {
            local_carrier(slots, f->carrier, m->value);
        }
    }
}

/* One JSON Patch op: the value of add/replace/test at a date-time path
 * ("/WhenIdle", "whenidle", "/Sale/SaleDate", "/Sale", "" = whole). */
static void local_op(apr_array_header_t *slots, chats_doc_t *op)
{
    chats_doc_t *path, *value;
    const char *s, *slash, *end;
    const chats_field_t *f;
    const chats_subfield_t *sf;

    if (!op || op->type != CHATS_J_OBJECT
        || !(path = chats_doc_object_get(op, "path", 4, 1))
        || path->type != CHATS_J_STRING
        || !(value = chats_doc_object_get(op, "value", 5, 1))) {
        return;
    }
    s = path->s;
    end = path->s + path->len;
    if (s < end && *s == '/') {
        s++;
    }
    if (s == end) {
        local_entity(slots, value);
        return;
    }
    slash = memchr(s, '/', (apr_size_t)(end - s));
    if (!(f = chats_schema_find(s, (apr_size_t)((slash ? slash : end) - s)))) {
        return;
    }
    if (!slash) {
        if (f->type == CHATS_F_DATETIME) {
            local_one(slots, value);
        }
        else if (f->type == CHATS_F_CARRIER) {
            local_carrier(slots, f->carrier, value);
        }
    }
    else if (f->type == CHATS_F_CARRIER && !memchr(slash + 1, '/',
                                                   (apr_size_t)(end - slash - 1))
             && (sf = chats_carrier_find(f->carrier, slash + 1,
                                         (apr_size_t)(end - slash - 1)))
             && sf->type == CHATS_F_DATETIME) {
        local_one(slots, value);
    }
}

chats_err_t *chats_tz_localize_body(chats_store_t *st, const chats_tz_t *tz,
                                    chats_doc_t *body, apr_pool_t *p)
{
    apr_array_header_t *slots;
    chats_rows_t *rows;
    chats_err_t *e;
    const char *params[2], *sql;
    char *list;
    int i;

    /* Offset-less values are read as UTC by the entity code already. */
    if (!body || !tz || tz->is_utc) {
        return NULL;
    }
    slots = apr_array_make(p, 8, sizeof(tz_slot_t));
    if (body->type == CHATS_J_ARRAY) {
        for (i = 0; i < chats_doc_array_len(body); i++) {
            local_op(slots, chats_doc_array_get(body, i));
        }
    }
    else {
        local_entity(slots, body);
    }
    if (slots->nelts == 0) {
        return NULL;
    }
    list = apr_pstrdup(p, "{");
    for (i = 0; i < slots->nelts; i++) {
        sql = chats_dt_format_sql(p, APR_ARRAY_IDX(slots, i, tz_slot_t).usec);
        /* "YYYY-MM-DD HH:MM:SS.ffffff" (its "+00" dropped), quoted */
        list = apr_pstrcat(p, list, i ? ",\"" : "\"",
                           apr_pstrndup(p, sql, strlen(sql) - 3), "\"", NULL);
    }
    params[0] = tz->zone;
    params[1] = apr_pstrcat(p, list, "}", NULL);
    if ((e = chats_store_exec(st, &stmt_tz_locals, 2, params, &rows))) {
        return e;
    }
    if (rows->nrows != slots->nelts || rows->ncols != 1) {
        return chats_err_make(p, CHATS_E_INTERNAL, NULL,
                              "local times: %d rows for %d values",
                              rows->nrows, slots->nelts);
    }
    for (i = 0; i < slots->nelts; i++) {
        tz_slot_t *s = &APR_ARRAY_IDX(slots, i, tz_slot_t);
        const char *us = CHATS_ROWS_GET(rows, i, 0);
        const char *text = chats_dt_format(p, us ? apr_atoi64(us) : s->usec);

        s->value->s = text;
        s->value->len = strlen(text);
    }
    return NULL;
}
