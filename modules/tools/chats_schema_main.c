/* chats-schema: print the field table (chats_schema.c, chats_carriers.c)
 * as JSON, so that tests can hold conf/schema.sql against it without
 * parsing C; or the SQL derived from it that lives in the database, the
 * carriers' rendering functions (conf/render.sql).
 *
 *   chats-schema > fields.json
 *   chats-schema --render-sql > conf/render.sql
 *
 * {"fields": [{"name", "column", "type", "flags": [...], "max_len",
 *              "enums": [{"name", "value"}] | null,
 *              "carrier": {"type_name", "table", "fields": [
 *                  {"name", "column", "type", "flags", "enums", "expr",
 *                   "lookup": {"table", "key", "via"} | null}]} | null}],
 *  "message_table": "chat_message",
 *  "message_fields": [the ChatMessage fields (chats_message.c), as above]}
 *
 * Types are the chats_ftype_e names in lower case (int32, string, ...);
 * flags the CHATS_FF_* (members: CHATS_SF_*) names in lower case, an
 * unknown bit as "0x..". A type this tool does not know fails it:
 * t/engine/schema.t must learn the type's column first. */
#include <stdio.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <yajl/yajl_gen.h>

#include "chats_message_schema.h"
#include "chats_message_sql.h"
#include "chats_schema.h"
#include "chats_sql.h"
#include "chats_tool.h"
#include "chats_webhook_sql.h"

/* A yajl_gen that keeps its first failure, so the writers below run
 * straight through and main() checks once. */
typedef struct {
    yajl_gen g;
    apr_pool_t *p;
    yajl_gen_status st;
} out_t;

static void keep(out_t *o, yajl_gen_status st)
{
    if (o->st == yajl_gen_status_ok) {
        o->st = st;
    }
}

static void str(out_t *o, const char *s)
{
    keep(o, s ? yajl_gen_string(o->g, (const unsigned char *)s, strlen(s))
              : yajl_gen_null(o->g));
}

static void kstr(out_t *o, const char *k, const char *s)
{
    str(o, k);
    str(o, s);
}

static void kint(out_t *o, const char *k, long long v)
{
    str(o, k);
    keep(o, yajl_gen_integer(o->g, v));
}

static const char *type_name(chats_ftype_e t)
{
    static const char *const names[] = {
        "int32", "int16", "double", "string", "bool", "datetime", "enum",
        "flags", "carrier"
    };

    if ((int)t < 0 || (size_t)t >= sizeof(names) / sizeof(names[0])) {
        return NULL;            /* written as null: the caller fails */
    }
    return names[t];
}

static void gen_type(out_t *o, chats_ftype_e t)
{
    const char *name = type_name(t);

    kstr(o, "type", name);
    if (!name) {
        keep(o, yajl_gen_invalid_string);
    }
}

typedef struct {
    unsigned bit;
    const char *name;
} flag_name_t;

static const flag_name_t field_flags[] = {
    { CHATS_FF_READONLY, "readonly" }, { CHATS_FF_KEY, "key" },
    { CHATS_FF_ZERO_NULL, "zero_null" }, { CHATS_FF_OWNER, "owner" },
    { CHATS_MFF_UTC_Z, "utc_z" }, { 0, NULL }
};

static const flag_name_t member_flags[] = {
    { CHATS_SF_ALWAYS_UTC, "always_utc" }, { 0, NULL }
};

static void gen_flags(out_t *o, unsigned flags, const flag_name_t *known)
{
    unsigned bit;
    size_t i;

    str(o, "flags");
    keep(o, yajl_gen_array_open(o->g));
    for (bit = 1; bit && bit <= flags; bit <<= 1) {
        const char *name = NULL;

        if (!(flags & bit)) {
            continue;
        }
        for (i = 0; known[i].name; i++) {
            if (known[i].bit == bit) {
                name = known[i].name;
            }
        }
        str(o, name ? name : apr_psprintf(o->p, "0x%x", bit));
    }
    keep(o, yajl_gen_array_close(o->g));
}

static void gen_enums(out_t *o, const chats_enum_t *e)
{
    str(o, "enums");
    if (!e) {
        keep(o, yajl_gen_null(o->g));
        return;
    }
    keep(o, yajl_gen_array_open(o->g));
    for (; e->name; e++) {
        keep(o, yajl_gen_map_open(o->g));
        kstr(o, "name", e->name);
        kint(o, "value", e->value);
        keep(o, yajl_gen_map_close(o->g));
    }
    keep(o, yajl_gen_array_close(o->g));
}

static void gen_subfield(out_t *o, const chats_subfield_t *s)
{
    keep(o, yajl_gen_map_open(o->g));
    kstr(o, "name", s->name);
    kstr(o, "column", s->column);
    gen_type(o, s->type);
    gen_flags(o, s->flags, member_flags);
    gen_enums(o, s->enums);
    kstr(o, "expr", s->expr);
    str(o, "lookup");
    if (s->lookup) {
        keep(o, yajl_gen_map_open(o->g));
        kstr(o, "table", s->lookup->table);
        kstr(o, "key", s->lookup->key);
        kstr(o, "via", s->lookup->via);
        keep(o, yajl_gen_map_close(o->g));
    }
    else {
        keep(o, yajl_gen_null(o->g));
    }
    keep(o, yajl_gen_map_close(o->g));
}

static void gen_carrier(out_t *o, const chats_carrier_t *c)
{
    int i;

    str(o, "carrier");
    if (!c) {
        keep(o, yajl_gen_null(o->g));
        return;
    }
    keep(o, yajl_gen_map_open(o->g));
    kstr(o, "type_name", c->type_name);
    kstr(o, "table", c->table);
    str(o, "fields");
    keep(o, yajl_gen_array_open(o->g));
    for (i = 0; i < c->nfields; i++) {
        gen_subfield(o, &c->fields[i]);
    }
    keep(o, yajl_gen_array_close(o->g));
    keep(o, yajl_gen_map_close(o->g));
}

/* def: whose foreign keys the fields' are (NULL: none named) */
static void gen_field_list(out_t *o, const char *key,
                           const chats_entity_def_t *def,
                           const chats_field_t *f, int n)
{
    int i;

    str(o, key);
    keep(o, yajl_gen_array_open(o->g));
    for (i = 0; i < n; i++) {
        keep(o, yajl_gen_map_open(o->g));
        kstr(o, "name", f[i].name);
        kstr(o, "column", f[i].column);
        kstr(o, "fk_name", def ? chats_schema_fk_name(o->p, def, &f[i])
                               : NULL);
        gen_type(o, f[i].type);
        gen_flags(o, f[i].flags, field_flags);
        kint(o, "max_len", f[i].max_len);
        gen_enums(o, f[i].enums);
        gen_carrier(o, f[i].carrier);
        keep(o, yajl_gen_map_close(o->g));
    }
    keep(o, yajl_gen_array_close(o->g));
}

static void gen_fields(out_t *o)
{
    int n;
    const chats_field_t *f;

    keep(o, yajl_gen_map_open(o->g));
    f = chats_schema_fields(&chats_session_def, &n);
    gen_field_list(o, "fields", &chats_session_def, f, n);
    kstr(o, "message_table", "chat_message");
    f = chats_message_fields(&n);
    gen_field_list(o, "message_fields", NULL, f, n);
    keep(o, yajl_gen_map_close(o->g));
}

/* The document, or NULL if yajl refused a value or a type is unknown. */
static const char *fields_json(apr_pool_t *p)
{
    out_t o;
    const unsigned char *buf;
    size_t len;
    const char *json = NULL;

    o.p = p;
    o.st = yajl_gen_status_ok;
    if ((o.g = yajl_gen_alloc(NULL)) == NULL) {
        return NULL;
    }
    yajl_gen_config(o.g, yajl_gen_beautify, 1);
    yajl_gen_config(o.g, yajl_gen_indent_string, "  ");
    gen_fields(&o);
    if (o.st == yajl_gen_status_ok
        && yajl_gen_get_buf(o.g, &buf, &len) == yajl_gen_status_ok) {
        json = apr_pstrmemdup(p, (const char *)buf, len);
    }
    yajl_gen_free(o.g);
    return json;
}

/* conf/render.sql: the carriers' rendering functions, from the table,
 * and the messages' announcement, from its channel. */
static const char *render_sql(apr_pool_t *p)
{
    return apr_pstrcat(p,
        "-- mod_chatsession: the carriers' rendering functions, the\n"
        "-- announcement of new messages and the webhooks' capture.\n"
        "--\n"
        "-- GENERATED by `chats-schema --render-sql` from the field table\n"
        "-- (modules/core/schema/chats_schema.c, chats_carriers.c) and the\n"
        "-- channel (chats_message_schema.h): do not\n"
        "-- edit; ./check fails when this file is stale. Every statement\n"
        "-- that reads a chat session calls these, only for the carriers a\n"
        "-- session has (README \"Design decisions\"). Loaded by\n"
        "-- `chatsession-db upgrade` after schema.sql, auth.sql and\n"
        "-- locale.sql; safe to load again.\n\n",
        chats_sql_carrier_ddl(p), chats_message_notify_ddl(),
        chats_webhook_capture_ddl(p), chats_sql_version_stamp(p), NULL);
}

static const char *schema_text(apr_pool_t *p, const char *sql)
{
    return sql ? render_sql(p) : fields_json(p);
}

int main(int argc, const char *const *argv)
{
    int sql = (argc == 2 && !strcmp(argv[1], "--render-sql"));

    if (argc != 1 && !sql) {
        fprintf(stderr, "usage: chats-schema [--render-sql]\n");
        return 2;
    }
    return chats_tool_print("chats-schema", "the field table could not be "
                            "written (a type this tool does not know?)",
                            schema_text, sql ? "sql" : NULL);
}
