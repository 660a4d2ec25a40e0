/* Builds the statements from the field table, so that adding a field
 * never means editing SQL by hand. */
#include <apr_strings.h>
#include <apr_tables.h>
#include <string.h>

#include "chats_schema.h"
#include "chats_sql.h"

/* A value as it is read: date-times as integral microseconds so that no
 * time zone and no text format stands between PostgreSQL and us. */
static const char *read_expr(apr_pool_t *p, const char *value,
                             chats_ftype_e type)
{
    if (type == CHATS_F_DATETIME) {
        return apr_pstrcat(p, "(EXTRACT(EPOCH FROM ", value,
                           ") * 1000000)::int8", NULL);
    }
    return value;
}

/* A derived member's SQL template with each "$A" replaced by alias. */
static const char *expand_alias(apr_pool_t *p, const char *tpl,
                                const char *alias)
{
    const char *out = "", *at;

    while ((at = strstr(tpl, "$A")) != NULL) {
        out = apr_pstrcat(p, out, apr_pstrndup(p, tpl, at - tpl), alias,
                          NULL);
        tpl = at + 2;
    }
    return apr_pstrcat(p, out, tpl, NULL);
}

/* A carrier member's value over the carrier row called alias: its column,
 * its expression, or either over a looked-up row (a scalar subquery, NULL
 * when the carrier row's reference is NULL or dangles). */
static const char *sub_value(apr_pool_t *p, const char *alias,
                             const chats_subfield_t *s)
{
    const chats_lookup_t *l = s->lookup;
    const char *row = l ? apr_pstrcat(p, alias, "l", NULL) : alias;
    const char *v = s->expr ? expand_alias(p, s->expr, row)
                            : apr_pstrcat(p, row, ".", s->column, NULL);

    if (!l) {
        return v;
    }
    return apr_pstrcat(p, "(SELECT ", v, " FROM ", l->table, " ", row,
                       " WHERE ", row, ".", l->key, " = ", alias, ".",
                       l->via, ")", NULL);
}

chats_ptype_e chats_sql_ptype(chats_ftype_e type)
{
    switch (type) {
    case CHATS_F_STRING:   return CHATS_P_TEXT;
    case CHATS_F_BOOL:     return CHATS_P_BOOL;
    case CHATS_F_DATETIME: return CHATS_P_TIMESTAMPTZ;
    case CHATS_F_DOUBLE:   return CHATS_P_FLOAT8;
    case CHATS_F_JSON:     return CHATS_P_JSONB;
    case CHATS_F_ENUM:
    case CHATS_F_FLAGS:
    case CHATS_F_INT16:    return CHATS_P_INT2;
    default:               return CHATS_P_INT4;
    }
}

const char *chats_sql_ptype_name(chats_ptype_e type)
{
    static const char *const names[] = {
        "text", "int2", "int4", "int8", "boolean", "float8", "timestamptz",
        "timestamp", "int8[]", "jsonb"
    };

    return names[type];
}

const char *chats_sql_member(apr_pool_t *p, const chats_field_t *f,
                             const chats_subfield_t *s, const char *key)
{
    const chats_carrier_t *c = f->carrier;

    return apr_pstrcat(p, "(SELECT ", sub_value(p, "m", s), " FROM ",
                       c->table, " m WHERE m.", c->fields[0].column, " = ",
                       key, ")", NULL);
}

/* A date-time's offset from UTC, in seconds, in zone (an SQL expression)
 * at the instant value: what the renderer adds to show local time. */
static const char *offset_expr(apr_pool_t *p, const char *value,
                               const char *zone)
{
    return apr_pstrcat(p, "EXTRACT(EPOCH FROM (", value, " AT TIME ZONE ",
                       zone, ") - (", value, " AT TIME ZONE 'UTC'))::int4",
                       NULL);
}

/* The column(s) of a value: a date-time read zoned has its offset in
 * zone beside it (zone NULL: read in UTC). */
static void push_col(apr_pool_t *p, apr_array_header_t *cols,
                     const char *value, chats_ftype_e type, const char *zone)
{
    APR_ARRAY_PUSH(cols, const char *) = read_expr(p, value, type);
    if (zone && type == CHATS_F_DATETIME) {
        APR_ARRAY_PUSH(cols, const char *) = offset_expr(p, value, zone);
    }
}

/* The function that renders a carrier: one per carrier table. */
static const char *carrier_fn(apr_pool_t *p, const chats_carrier_t *c)
{
    return apr_pstrcat(p, "chats_carrier_", c->table, NULL);
}

/* A carrier as one column: the JSON array of its members that its
 * function (chats_sql_carrier_ddl) builds, called only when the session
 * has the carrier. In a function, the query is planned and initialized
 * only when it runs: inline, every carrier's subquery (some thirty index
 * scans with their lookups) would be initialized on every execution, for
 * the null references of most sessions too, which halved the throughput
 * of a read. */
static const char *carrier_col(apr_pool_t *p, const chats_field_t *f,
                               chats_read_e how)
{
    return apr_pstrcat(p, "CASE WHEN cs.", f->column, " IS NULL THEN NULL "
                       "ELSE ", carrier_fn(p, f->carrier), "(cs.", f->column,
                       how == CHATS_READ_ZONED ? ", $1" : ", NULL",
                       ") END", NULL);
}

/* The query a carrier's function returns (its key: chats_key). */
static const char *carrier_query(apr_pool_t *p, const chats_carrier_t *c,
                                 const char *zone)
{
    apr_array_header_t *vals = apr_array_make(p, 64, sizeof(const char *));
    const char *list = "";
    int j;

    for (j = 0; j < c->nfields; j++) {
        push_col(p, vals, sub_value(p, "c", &c->fields[j]),
                 c->fields[j].type, zone);
    }

    for (j = 0; j < vals->nelts; j++) {
        list = apr_pstrcat(p, list, j ? ",\n            " : "",
                           APR_ARRAY_IDX(vals, j, const char *), NULL);
    }
    return apr_pstrcat(p, "(SELECT json_build_array(\n            ", list,
                       ")\n        FROM ", c->table, " c WHERE c.",
                       c->fields[0].column, " = chats_key)", NULL);
}

/* out with c's function appended. */
static const char *carrier_fn_ddl(apr_pool_t *p, const char *out,
                                  const chats_carrier_t *c)
{
    return apr_pstrcat(p, out, "CREATE OR REPLACE FUNCTION ",
                      carrier_fn(p, c), "(chats_key integer, "
                      "chats_zone text)\nRETURNS json LANGUAGE plpgsql "
                      "STABLE AS $fn$\nBEGIN\n    IF chats_zone IS NULL "
                      "THEN\n        RETURN ", carrier_query(p, c, NULL),
                      ";\n    END IF;\n    RETURN ",
                      carrier_query(p, c, "chats_zone"),
                      ";\nEND\n$fn$;\n\n", NULL);
}

/* 1 if carrier c is at a slot before slot i of def, or of a def before
 * it: its function is made once. */
static int carrier_done(const chats_entity_def_t *const *def, int i,
                        const chats_carrier_t *c)
{
    const chats_entity_def_t *const *d;
    const chats_field_t *f;
    int k;

    for (d = chats_entity_defs; *d; d++) {
        for (k = 0; (d != def || k < i)
                    && (f = chats_schema_slot(*d, k)) != NULL; k++) {
            if (f->carrier == c) {
                return 1;
            }
        }
        if (d == def) {
            break;
        }
    }
    return 0;
}

const char *chats_sql_carrier_ddl(apr_pool_t *p)
{
    const chats_entity_def_t *const *d;
    const chats_field_t *f;
    const char *out = "";
    int i;

    for (d = chats_entity_defs; *d; d++) {
        for (i = 0; (f = chats_schema_slot(*d, i)) != NULL; i++) {
            if (f->carrier && !carrier_done(d, i, f->carrier)) {
                out = carrier_fn_ddl(p, out, f->carrier);
            }
        }
    }
    return out;
}

/* A derived field's value over the row "cs", or its column's. */
const char *chats_sql_field_value(apr_pool_t *p, const chats_field_t *f)
{
    return f->expr ? apr_pstrcat(p, "(", f->expr, ")", NULL)
                   : apr_pstrcat(p, "cs.", f->column, NULL);
}

/* Field f's column(s) pushed onto cols: a carrier's one, a group's
 * members' in order, a value's (with its offset, zoned). */
static void push_field(apr_pool_t *p, apr_array_header_t *cols,
                       const chats_field_t *f, chats_read_e how)
{
    int i;

    if (f->type == CHATS_F_GROUP) {
        for (i = 0; i < f->group->nmembers; i++) {
            push_field(p, cols, &f->group->members[i], how);
        }
    }
    else if (f->type == CHATS_F_CARRIER) {
        APR_ARRAY_PUSH(cols, const char *) = carrier_col(p, f, how);
    }
    else {
        push_col(p, cols, chats_sql_field_value(p, f), f->type,
                 how == CHATS_READ_ZONED ? "$1" : NULL);
    }
}

const char *chats_sql_field_cols(apr_pool_t *p, const chats_field_t *f,
                                 chats_read_e how)
{
    apr_array_header_t *cols = apr_array_make(p, 2, sizeof(const char *));

    push_field(p, cols, f, how);
    return apr_array_pstrcat(p, cols, ',');
}

/* The select list over a row source called "cs": a column per field,
 * collected in an array (no quadratic copying). */
static void select_parts(apr_pool_t *p, const chats_entity_def_t *def,
                         chats_read_e how, const char **plist, int *pncols)
{
    int i, n;
    const chats_field_t *f = chats_schema_fields(def, &n);
    apr_array_header_t *cols = apr_array_make(p, 64, sizeof(const char *));

    for (i = 0; i < n; i++) {
        if (f[i].flags & CHATS_FF_WRITEONLY) {
            continue;              /* never read back: not even here */
        }
        if (i == 0) {
            /* named: readers find a row by it, after their own columns */
            APR_ARRAY_PUSH(cols, const char *) = apr_pstrcat(
                p, "cs.", f[i].column, " AS " CHATS_SQL_ROW, NULL);
        }
        else {
            push_field(p, cols, &f[i], how);
        }
    }
    APR_ARRAY_PUSH(cols, const char *) = "cs." CHATS_COL_VERSION;
    APR_ARRAY_PUSH(cols, const char *) =
        "EXTRACT(EPOCH FROM date_trunc('second', cs." CHATS_COL_UPDATED
        "))::int8";
    *plist = apr_array_pstrcat(p, cols, ',');
    *pncols = cols->nelts;
}

/* ---- Idempotency-Key ---------------------------------------------------
 * The pieces of chats_sql.h at run time: each reference a marker, "\001"
 * and a letter, that subst() replaces. */
#define M_ASSOC "\001a"
#define M_KEY "\001k"
#define M_FP "\001f"
#define M_STATUS "\001s"
#define M_SRC "\001w"

static const char *subst(apr_pool_t *p, const char *tpl,
                         const chats_idem_refs_t *r, const char *src)
{
    apr_array_header_t *out = apr_array_make(p, 24, sizeof(const char *));
    const char *at;

    while ((at = strchr(tpl, '\001')) != NULL) {
        APR_ARRAY_PUSH(out, const char *) = apr_pstrndup(p, tpl, at - tpl);
        APR_ARRAY_PUSH(out, const char *) = at[1] == 'a' ? r->assoc
                                          : at[1] == 'k' ? r->key
                                          : at[1] == 'f' ? r->fp
                                          : at[1] == 's' ? r->status : src;
        tpl = at + 2;
    }
    APR_ARRAY_PUSH(out, const char *) = tpl;
    return apr_array_pstrcat(p, out, 0);
}

void chats_sql_idem_refs(apr_pool_t *p, int first, chats_idem_refs_t *refs)
{
    refs->assoc = apr_psprintf(p, "$%d::int4", first);
    refs->key = apr_psprintf(p, "$%d::text", first + 1);
    refs->fp = apr_psprintf(p, "$%d::text", first + 2);
    refs->status = apr_psprintf(p, "$%d::int2", first + 3);
}

const char *chats_sql_idem_keyed(apr_pool_t *p, const char *write,
                                 const chats_idem_refs_t *refs,
                                 const char *src)
{
    if (strncmp(write, "WITH ", 5)) {
        return NULL;
    }
    return apr_pstrcat(p, "WITH RECURSIVE ",
                       subst(p, CHATS_SQL_IDEM_CTES(M_ASSOC, M_KEY, M_FP,
                                                    M_STATUS, M_SRC),
                             refs, src),
                       ", ", write + 5, NULL);
}

const char *chats_sql_idem_unused(apr_pool_t *p,
                                  const chats_idem_refs_t *refs)
{
    return subst(p, CHATS_SQL_IDEM_UNUSED(M_ASSOC, M_KEY), refs, NULL);
}

/* The key's statements of their own: the lookup, and the record of an
 * answer that wrote nothing (no write to record it with). A repeat of
 * the record finds its own row: stored = 0, then the lookup answers. */
static void idem_stmts(chats_sql_t *sql)
{
    static const chats_ptype_e lookup_types[] = {
        CHATS_P_INT4, CHATS_P_TEXT, CHATS_P_TEXT
    };
    static const chats_ptype_e record_types[] = {
        CHATS_P_INT4, CHATS_P_TEXT, CHATS_P_TEXT, CHATS_P_INT2, CHATS_P_INT4
    };
    static const char *const lookup_cols[] = {
        "same", "status", "entity_id", NULL
    };
    static const char *const record_cols[] = { "stored", NULL };
    static const chats_stmt_t lookup = {
        "chats_idem_lookup",
        "SELECT i.fingerprint = decode($3::text, 'hex') AS same, i.status,"
        " i.entity_id FROM chats_idempotency i WHERE i.associate_id ="
        " $1::int4 AND i.idem_key = $2::text AND i.created_at >= now() -"
        " interval '" CHATS_IDEM_TTL "'",
        CHATS_RETRY_SAFE, 3, lookup_types, lookup_cols, NULL
    };
    static const chats_stmt_t record = {
        "chats_idem_record",
        "WITH " CHATS_SQL_IDEM_PURGE("$1::int4", "$2::text") ", chats_k AS"
        " (INSERT INTO chats_idempotency (associate_id, idem_key,"
        " fingerprint, status, entity_id) SELECT $1::int4, $2::text,"
        " decode($3::text, 'hex'), $4::int2, $5::int4 WHERE (SELECT"
        " count(*) FROM chats_kd) >= 0 ON CONFLICT ON CONSTRAINT "
        CHATS_IDEM_CONSTRAINT " DO NOTHING RETURNING 1) SELECT count(*)"
        " AS stored FROM chats_k",
        CHATS_RETRY_NEVER, 5, record_types, record_cols, NULL
    };

    sql->idem_lookup = lookup;
    sql->idem_record = record;
}

/* guard with its "$me" (at most one) as parameter $n. */
static const char *guard_sql(apr_pool_t *p, const char *guard, int n)
{
    const char *at = strstr(guard, "$me");

    return at ? apr_psprintf(p, "%.*s$%d::int4%s", (int)(at - guard), guard,
                             n, at + 3)
              : guard;
}

/* A read guard's statements (chats_entity_sql_t.get_guarded, mine). */
static void guarded_stmts(apr_pool_t *p, chats_entity_sql_t *es,
                          chats_read_e how)
{
    static const char *const row_cols[] = { CHATS_SQL_ROW, NULL };
    const chats_entity_def_t *def = es->def;
    const chats_entity_rights_t *rr = def->rights;
    int me = how ? 3 : 2;
    const char *may = apr_pstrcat(p, ", (", guard_sql(p, rr->read_guard, me),
                                  ") AS may_read, (",
                                  guard_sql(p, rr->guard, me),
                                  ") AS may_write", NULL);

    es->get_guarded[how] = es->get[how];
    es->get_guarded[how].name = apr_pstrcat(p, es->get[how].name,
                                            "_guarded", NULL);
    es->get_guarded[how].sql = apr_pstrcat(p, "SELECT ", es->list[how], may,
                                           " FROM ", def->table, " cs WHERE"
                                           " cs.", def->key_column,
                                           how ? " = $2::int4"
                                               : " = $1::int4", NULL);
    me = how ? 2 : 1;
    es->mine[how].name = apr_pstrcat(p, def->stmt_prefix, "_mine",
                                     how ? "_zoned" : "", NULL);
    es->mine[how].sql = apr_pstrcat(p, "SELECT ", es->list[how], ", true "
                                    "AS may_read, (",
                                    guard_sql(p, rr->guard, me), ") AS "
                                    "may_write FROM ", def->table, " cs "
                                    "WHERE ", guard_sql(p, rr->read_guard,
                                                        me),
                                    " ORDER BY cs.", def->key_column, NULL);
    es->mine[how].retry = CHATS_RETRY_SAFE;
    es->mine[how].cols = row_cols;
}

/* tpl with every "$v" replaced by ref. */
static const char *expand_value(apr_pool_t *p, const char *tpl,
                                const char *ref)
{
    const char *out = "", *at;

    while ((at = strstr(tpl, "$v")) != NULL) {
        out = apr_pstrcat(p, out, apr_pstrndup(p, tpl, at - tpl), ref, NULL);
        tpl = at + 2;
    }
    return apr_pstrcat(p, out, tpl, NULL);
}

/* The filtered list's statements (chats_entity_sql_t.filtered): each
 * filter's predicate, or nothing when its parameter is NULL. */
static void filtered_stmts(apr_pool_t *p, chats_entity_sql_t *es,
                           chats_read_e how)
{
    static const char *const row_cols[] = { CHATS_SQL_ROW, NULL };
    const chats_entity_def_t *def = es->def;
    const chats_list_filter_t *lf = def->extras->filters;
    const chats_field_t *f;
    chats_ptype_e *types = apr_pcalloc(p, 16 * sizeof(*types));
    const char *where = "", *ref;
    int n = 0;

    if (how) {
        types[n++] = CHATS_P_TEXT;
    }
    for (; lf->name && n < 16; lf++) {
        f = lf->field ? chats_schema_find(def, lf->field, strlen(lf->field))
                      : NULL;
        types[n] = f ? chats_sql_ptype(f->type) : CHATS_P_TEXT;
        ref = apr_psprintf(p, "$%d::%s", n + 1,
                           chats_sql_ptype_name(types[n]));
        where = apr_pstrcat(p, where, *where ? " AND " : "", "(", ref,
                            " IS NULL OR ", expand_value(p, lf->pred, ref),
                            ")", NULL);
        n++;
    }
    es->filtered[how].name = apr_pstrcat(p, def->stmt_prefix, "_filtered",
                                         how ? "_zoned" : "", NULL);
    es->filtered[how].sql = apr_pstrcat(p, "SELECT ", es->list[how],
                                        " FROM ", def->table, " cs WHERE ",
                                        *where ? where : "true",
                                        " ORDER BY cs.", def->key_column,
                                        NULL);
    es->filtered[how].retry = CHATS_RETRY_SAFE;
    es->filtered[how].nparams = n;
    es->filtered[how].types = types;
    es->filtered[how].cols = row_cols;
}

chats_entity_sql_t *chats_entity_sql_build(apr_pool_t *p,
                                          const chats_entity_def_t *def)
{
    static const char *const row_cols[] = { CHATS_SQL_ROW, NULL };
    chats_entity_sql_t *es = apr_pcalloc(p, sizeof(*es));
    int how;

    es->def = def;
    for (how = CHATS_READ_UTC; how <= CHATS_READ_ZONED; how++) {
        select_parts(p, def, how, &es->list[how], &es->ncols[how]);
        es->get[how].name = apr_pstrcat(p, def->stmt_prefix, "_get",
                                        how ? "_zoned" : "", NULL);
        es->get[how].sql = apr_pstrcat(p, "SELECT ", es->list[how],
                                       " FROM ", def->table, " cs WHERE cs.",
                                       def->key_column,
                                       how ? " = $2::int4" : " = $1::int4",
                                       NULL);
        es->get[how].retry = CHATS_RETRY_SAFE;
        es->get[how].cols = row_cols;
        if (def->rights && def->rights->read_guard && def->rights->guard) {
            guarded_stmts(p, es, (chats_read_e)how);
        }
        if (def->extras && def->extras->filters) {
            filtered_stmts(p, es, (chats_read_e)how);
        }
    }
    if (def->in_use) {
        static const char *const n_cols[] = { "n", NULL };

        es->in_use.name = apr_pstrcat(p, def->stmt_prefix, "_in_use", NULL);
        es->in_use.sql = apr_pstrcat(p, "SELECT (", def->in_use->count,
                                     ") AS n FROM ", def->table, " cs WHERE"
                                     " cs.", def->key_column, " = $1::int4",
                                     NULL);
        es->in_use.retry = CHATS_RETRY_SAFE;
        es->in_use.cols = n_cols;
    }
    return es;
}

const chats_entity_sql_t *chats_sql_entity(const chats_sql_t *sql,
                                           const chats_entity_def_t *def)
{
    const chats_entity_sql_t **es;

    for (es = sql ? sql->entities : NULL; es && *es; es++) {
        if ((*es)->def == def) {
            return *es;
        }
    }
    return NULL;
}

chats_sql_t *chats_sql_build(apr_pool_t *p)
{
    static const char *const password_cols[] = { "password_hash", NULL };
    chats_sql_t *sql = apr_pcalloc(p, sizeof(*sql));
    const chats_entity_def_t *const *d;
    int n = 0;

    for (d = chats_entity_defs; *d; d++) {
        n++;
    }
    sql->entities = apr_pcalloc(p, (n + 1) * sizeof(*sql->entities));
    for (n = 0, d = chats_entity_defs; *d; d++) {
        sql->entities[n++] = chats_entity_sql_build(p, *d);
    }
    sql->session = chats_sql_entity(sql, &chats_session_def);
    sql->password.name = "chats_password";
    sql->password.sql = "SELECT password_hash FROM associate WHERE name = $1"
                          " AND NOT deleted";
    sql->password.retry = CHATS_RETRY_SAFE;
    sql->password.cols = password_cols;
    idem_stmts(sql);
    return sql;
}

const char *chats_sql_version_stamp(apr_pool_t *p)
{
    return apr_psprintf(p,
        "-- The schema version this module needs: loaded last by\n"
        "-- `chatsession-db upgrade`, it records that the files before it\n"
        "-- brought the database to this version.\n"
        "CREATE TABLE IF NOT EXISTS chats_schema_version (\n"
        "    version    integer PRIMARY KEY,\n"
        "    applied_at timestamptz NOT NULL DEFAULT now()\n"
        ");\n"
        "INSERT INTO chats_schema_version (version) VALUES (%d)\n"
        "    ON CONFLICT (version) DO NOTHING;\n", CHATS_SCHEMA_VERSION);
}
