/* components/schemas of the OpenAPI document, generated from the field
 * tables: an entity's properties come from its def's fields, each
 * carrier's from its sub-field list, so adding a field to chats_schema.c
 * adds it here. Only what does not depend on fields (rights, links,
 * JSON Patch, the error body) is written out by hand. */
#include <apr_strings.h>
#include <string.h>

#include "chats_openapi_private.h"
#include "chats_schema.h"

/* One property to describe: a field of the entity or of a carrier. */
typedef struct {
    const char *name;
    chats_ftype_e type;
    const chats_enum_t *enums;
    const chats_carrier_t *carrier;
    const chats_group_t *group;
    const char *dotnet;
    int max_len;
    unsigned flags;             /* CHATS_FF_* */
    int readonly;
    int carrier_member;         /* a sub-field of a carrier */
    const char *note;           /* leading description text, or NULL */
} prop_t;

#define SCHEMAS "schemas"

/* "type": [t, "null"] or [t, t2, "null"]: every member of a response
 * may be null, since $select nulls the unselected ones. */
static void gen_types(chats_og_t *o, const char *t, const char *t2)
{
    chats_og_str(o, "type");
    chats_og_aopen(o);
    chats_og_str(o, t);
    if (t2) {
        chats_og_str(o, t2);
    }
    chats_og_str(o, "null");
    chats_og_aclose(o);
}

/* "Invalid (0), PreChatForm (1), ..." */
static const char *enum_list(apr_pool_t *p, const chats_enum_t *e)
{
    const char *s = "";

    for (; e->name; e++) {
        s = apr_psprintf(p, "%s%s%s (%d)", s, *s ? ", " : "", e->name,
                         e->value);
    }
    return s;
}

static const char *zero_name(const chats_enum_t *e)
{
    for (; e->name; e++) {
        if (e->value == 0) {
            return e->name;
        }
    }
    return NULL;
}

static void gen_enum(chats_og_t *o, const chats_enum_t *e)
{
    gen_types(o, "string", NULL);
    chats_og_str(o, "enum");
    chats_og_aopen(o);
    for (; e->name; e++) {
        chats_og_str(o, e->name);
    }
    chats_og_null(o);
    chats_og_aclose(o);
}

static void gen_carrier_ref(chats_og_t *o, const chats_carrier_t *c)
{
    chats_og_str(o, "oneOf");
    chats_og_aopen(o);
    chats_og_ref(o, SCHEMAS, c->type_name);
    chats_og_open(o);
    chats_og_kstr(o, "type", "null");
    chats_og_close(o);
    chats_og_aclose(o);
}

/* The JSON Schema keywords of a property's value. */
static void gen_type(chats_og_t *o, const prop_t *f)
{
    int obj;

    switch (f->type) {
    case CHATS_F_INT32:
        gen_types(o, "integer", NULL);
        chats_og_kstr(o, "format", "int32");
        break;
    case CHATS_F_INT16:
        gen_types(o, "integer", NULL);
        chats_og_kint(o, "minimum", -32768);
        chats_og_kint(o, "maximum", 32767);
        break;
    case CHATS_F_DOUBLE:
        gen_types(o, "number", NULL);
        chats_og_kstr(o, "format", "double");
        break;
    case CHATS_F_STRING:
        gen_types(o, "string", NULL);
        if (f->max_len > 0) {
            chats_og_kint(o, "maxLength", f->max_len);
        }
        break;
    case CHATS_F_BOOL:
        gen_types(o, "boolean", NULL);
        break;
    case CHATS_F_DATETIME:
        gen_types(o, "string", NULL);
        chats_og_kstr(o, "format", "date-time");
        break;
    case CHATS_F_ENUM:
        gen_enum(o, f->enums);
        break;
    case CHATS_F_FLAGS:
        /* names on output; the official client sends the number */
        gen_types(o, "string", "integer");
        chats_og_kint(o, "minimum", 0);
        break;
    case CHATS_F_CARRIER:
        gen_carrier_ref(o, f->carrier);
        break;
    case CHATS_F_DURATION:
        gen_types(o, "string", NULL);         /* input has other forms */
        break;
    case CHATS_F_JSON:          /* a string array or map, or any JSON */
        obj = (f->flags & CHATS_FF_JSON_OBJECT) != 0;
        gen_types(o, obj ? "object" : "array", NULL);
        chats_og_kopen(o, obj ? "additionalProperties" : "items");
        if (f->flags & CHATS_FF_JSON_STRINGS) {
            chats_og_kstr(o, "type", "string");
        }
        chats_og_close(o);
        break;
    case CHATS_F_GROUP:
        /* the shared shape of a $ref, which an object always is here */
        gen_carrier_ref(o, &(chats_carrier_t){ f->group->type_name, NULL,
                                               NULL, 0 });
        break;
    }
}

static const char *type_note(apr_pool_t *p, const prop_t *f)
{
    const char *z;

    switch (f->type) {
    case CHATS_F_DATETIME:
        return " SuperOffice's form: 7 fractional digits and an offset "
               "(2005-05-12T03:24:51.3960792+02:00), in the zone chosen by "
               "SO-TimeZone; null when unset. Input: any ISO 8601 "
               "date-time with a designator (the official client sends "
               "UTC, e.g. 2011-01-11T16:54:08.007Z).";
    case CHATS_F_ENUM:
        return apr_pstrcat(p, " Rendered by name: ", enum_list(p, f->enums),
                           ". Input: a name in any case, or the number.",
                           NULL);
    case CHATS_F_FLAGS:
        z = zero_name(f->enums);
        return apr_pstrcat(p, " A flag set rendered as names joined by "
                           "\", \": ", enum_list(p, f->enums), ".",
                           z ? apr_pstrcat(p, " ", z, " alone is the empty "
                                           "set.", NULL) : "",
                           " Input: names in any case separated by commas, "
                           "or the number (as the official client sends "
                           "it).", NULL);
    case CHATS_F_DURATION:
        return " A time of day, rendered \"HH:MM:SS\". Input: \"HH:MM:SS\", "
               "\"HH:MM\", or an ISO 8601 duration in whole numbers under "
               "24 h (PT8H, PT23H59M59S, P0D, as the official client sends "
               "it); null is 00:00:00.";
    case CHATS_F_GROUP:
        return apr_pstrcat(p, " A ", f->group->type_name, " object, always "
                           "whole in responses. A replace sets every member "
                           "(those left out to their empty value), remove "
                           "or null resets them all, a merge patch changes "
                           "the members it names; members are patched as "
                           "/", f->name, "/Member.", NULL);
    case CHATS_F_CARRIER:
        return apr_pstrcat(p, " Carrier (", f->carrier->type_name, "), "
                           "null when unset. Patched by reference: give "
                           "its ", f->carrier->fields[0].name, " (0 or null "
                           "unsets it); a reference to a missing row is a "
                           "400 naming the field. Its other members are "
                           "read-only.", NULL);
    default:
        return "";
    }
}

static const char *describe(apr_pool_t *p, const prop_t *f)
{
    const char *s = apr_pstrcat(p, f->note ? f->note : "",
                                f->note ? " " : "",
                                "FieldType ", f->dotnet, NULL);

    if (f->max_len > 0) {
        s = apr_psprintf(p, "%s, FieldLength %d", s, f->max_len);
    }
    s = apr_pstrcat(p, s, ".", NULL);
    if (f->flags & CHATS_FF_KEY) {
        s = apr_pstrcat(p, s, " The primary key, assigned by the server "
                        "on POST.", NULL);
    }
    if (f->flags & CHATS_FF_DERIVED) {
        s = apr_pstrcat(p, s, " Read-only, derived from other rows: "
                        "ignored in whole-entity writes (PUT, POST, merge "
                        "patch); a JSON Patch may only test it.", NULL);
    }
    else if (f->readonly) {
        s = apr_pstrcat(p, s, f->carrier_member
                        ? " Read-only: read from the referenced row."
                        : " Read-only: a request may only repeat the "
                          "current value.", NULL);
    }
    if (f->flags & CHATS_FF_ZERO_NULL) {
        s = apr_pstrcat(p, s, " 0 means none.", NULL);
    }
    if (f->flags & CHATS_FF_WRITEONLY) {
        s = apr_pstrcat(p, s, " Write-only: never in a response nor "
                        "$select; a PUT or POST without it keeps it, null or "
                        "\"\" clears it; a JSON Patch may not test it.", NULL);
    }
    if (f->type == CHATS_F_JSON) {
        s = apr_pstrcat(p, s, " JSON Patch paths below it work as RFC "
                        "6902 says (names case-sensitive); a merge patch "
                        "replaces it whole.", NULL);
    }
    return apr_pstrcat(p, s, type_note(p, f), NULL);
}

static void gen_prop(chats_og_t *o, const prop_t *f)
{
    chats_og_kopen(o, f->name);
    gen_type(o, f);
    if (f->readonly) {
        chats_og_kbool(o, "readOnly", 1);
    }
    if (f->flags & CHATS_FF_WRITEONLY) {
        chats_og_kbool(o, "writeOnly", 1);
    }
    chats_og_kstr(o, "description", describe(o->p, f));
    chats_og_close(o);
}

void chats_openapi_field_props(chats_og_t *o, const chats_field_t *f, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        prop_t pr = { f[i].name, f[i].type, f[i].enums, f[i].carrier,
                      f[i].group, f[i].dotnet, f[i].max_len, f[i].flags,
                      (f[i].flags & CHATS_FF_READONLY) != 0, 0, NULL };

        gen_prop(o, &pr);
    }
}

/* "k": {"oneOf": [{"$ref": ...}, {"type": "null"}], "description": d} */
static void nullable_ref(chats_og_t *o, const char *k, const char *name,
                         const char *d)
{
    chats_carrier_t c = { name, NULL, NULL, 0 };

    chats_og_kopen(o, k);
    gen_carrier_ref(o, &c);
    chats_og_kstr(o, "description", d);
    chats_og_close(o);
}

static void gen_entity(chats_og_t *o, const chats_entity_def_t *def)
{
    const chats_field_t *f;
    int n;

    chats_og_kopen(o, def->type_name);
    chats_og_kstr(o, "type", "object");
    chats_og_kstr(o, "description", apr_pstrcat(o->p,
        "A ", def->label, " (SuperOffice's ", def->type_name, "), generated "
        "from mod_chatsession's field table. Responses carry every field; "
        "fields left out by $select are null. Requests may name members "
        "in any case (the official client sends camelCase); TableRight, "
        "FieldProperties and _Links sent back are accepted and ignored. "
        "In XML each member is an element named after it, carriers "
        "nested, and a null is an empty element with xsi:nil=\"true\" "
        "(the .NET serializer's convention).", NULL));
    chats_og_kopen(o, "xml");
    chats_og_kstr(o, "name", def->type_name);
    chats_og_close(o);
    chats_og_kopen(o, "properties");
    f = chats_schema_fields(def, &n);
    chats_openapi_field_props(o, f, n);
    if (def->flags & CHATS_ED_CARRIER) {
        nullable_ref(o, "TableRight", "TableRight",
                     "The caller's rights on this row (responses only).");
        nullable_ref(o, "FieldProperties", "FieldProperties", "Per-field "
                     "rights, .NET type and length (responses only).");
    }
    chats_og_close(o);
    chats_og_close(o);
}

static void gen_with_links(chats_og_t *o, const chats_entity_def_t *def)
{
    int i, n;
    const chats_field_t *f = chats_schema_fields(def, &n);

    chats_og_kopen(o, apr_pstrcat(o->p, def->type_name, "WithLinks", NULL));
    chats_og_kstr(o, "description", "The entity plus _Links, as GET, "
                  "POST, PUT and PATCH answer; every member is present.");
    chats_og_str(o, "allOf");
    chats_og_aopen(o);
    chats_og_ref(o, SCHEMAS, def->type_name);
    chats_og_open(o);
    chats_og_kstr(o, "type", "object");
    chats_og_str(o, "required");
    chats_og_aopen(o);
    for (i = 0; i < n; i++) {
        if (!(f[i].flags & CHATS_FF_WRITEONLY)) {
            chats_og_str(o, f[i].name);
        }
    }
    if (def->flags & CHATS_ED_CARRIER) {
        chats_og_str(o, "TableRight");
        chats_og_str(o, "FieldProperties");
    }
    chats_og_str(o, "_Links");
    chats_og_aclose(o);
    chats_og_kopen(o, "properties");
    chats_og_kref(o, "_Links", SCHEMAS, "Links");
    chats_og_close(o);
    chats_og_close(o);
    chats_og_aclose(o);
    chats_og_close(o);
}

/* "User, TransferTo": the entity fields (and group members, by their
 * paths) a carrier type is used by. */
static const char *carrier_users(apr_pool_t *p, const chats_entity_def_t *def,
                                 const chats_carrier_t *c)
{
    const chats_field_t *f;
    const char *s = "";
    int i;

    for (i = 0; (f = chats_schema_slot(def, i)) != NULL; i++) {
        if (f->carrier && !strcmp(f->carrier->type_name, c->type_name)) {
            s = apr_pstrcat(p, s, *s ? ", " : "",
                            chats_schema_path(p, def, f), NULL);
        }
    }
    return s;
}

static void gen_carrier(chats_og_t *o, const chats_entity_def_t *def,
                        const chats_carrier_t *c)
{
    int i;

    chats_og_kopen(o, c->type_name);
    chats_og_kstr(o, "type", "object");
    chats_og_kstr(o, "description", apr_pstrcat(o->p, "The ", c->type_name,
        " carrier (", carrier_users(o->p, def, c), "), rendered from the ",
        c->table, " table. A request references a row by ",
        c->fields[0].name, " alone; the other members are read-only.",
        NULL));
    chats_og_kopen(o, "properties");
    for (i = 0; i < c->nfields; i++) {
        const chats_subfield_t *s = &c->fields[i];
        prop_t pr = { s->name, s->type, s->enums, NULL, NULL, s->dotnet, 0,
                      0, i > 0, 1, NULL };

        if (i == 0) {
            pr.note = "The key: what a reference sets.";
        }

        gen_prop(o, &pr);
    }
    chats_og_close(o);
    chats_og_close(o);
}

/* Each carrier type once, in the order the entity first uses it (its
 * fields', then its groups' members'). */
static void gen_carriers(chats_og_t *o, const chats_entity_def_t *def)
{
    const chats_field_t *f, *e;
    int i, j;

    for (i = 0; (f = chats_schema_slot(def, i)) != NULL; i++) {
        if (!f->carrier) {
            continue;
        }
        for (j = 0; j < i; j++) {
            e = chats_schema_slot(def, j);
            if (e->carrier && !strcmp(e->carrier->type_name,
                                      f->carrier->type_name)) {
                break;
            }
        }
        if (j == i) {
            gen_carrier(o, def, f->carrier);
        }
    }
}

/* Each group's object: its members' properties, as the entity's. */
static void gen_groups(chats_og_t *o, const chats_entity_def_t *def)
{
    const chats_group_t *g;
    int i, n;
    const chats_field_t *f = chats_schema_fields(def, &n);

    for (i = 0; i < n; i++) {
        if ((g = f[i].group) == NULL) {
            continue;
        }
        chats_og_kopen(o, g->type_name);
        chats_og_kstr(o, "type", "object");
        chats_og_kstr(o, "description", apr_pstrcat(o->p, "The ",
            g->type_name, " of a ", def->label, " (", f[i].name, "): "
            "members stored in the ", def->table, " row itself.", NULL));
        chats_og_kopen(o, "properties");
        chats_openapi_field_props(o, g->members, g->nmembers);
        chats_og_close(o);
        chats_og_close(o);
    }
}

void chats_openapi_entity_schemas(chats_og_t *o,
                                  const chats_entity_def_t *def)
{
    gen_entity(o, def);
    gen_with_links(o, def);
    gen_groups(o, def);
    gen_carriers(o, def);
}

/* {"type": "object", "description": d, "properties": { — left open */
static void object_open(chats_og_t *o, const char *name, const char *d)
{
    chats_og_kopen(o, name);
    chats_og_kstr(o, "type", "object");
    chats_og_kstr(o, "description", d);
    chats_og_kopen(o, "properties");
}

static void object_close(chats_og_t *o)
{
    chats_og_close(o);
    chats_og_close(o);
}

/* "k": {"type": t or [t, "null"], "description": d} */
static void simple(chats_og_t *o, const char *k, const char *t, int null,
                   const char *d)
{
    chats_og_kopen(o, k);
    if (null) {
        gen_types(o, t, NULL);
    }
    else {
        chats_og_kstr(o, "type", t);
    }
    if (d) {
        chats_og_kstr(o, "description", d);
    }
    chats_og_close(o);
}

static void gen_right(chats_og_t *o, const char *name, const char *names)
{
    object_open(o, name, apr_pstrcat(o->p, "A ", name, ": a mask and the "
                                     "reason for it.", NULL));
    chats_og_kopen(o, "Mask");
    chats_og_str(o, "type");
    chats_og_aopen(o);
    chats_og_str(o, "string");
    chats_og_str(o, "integer");
    chats_og_aclose(o);
    chats_og_kstr(o, "description", apr_pstrcat(o->p, "Rendered as flag "
        "names joined by \", \" (", names, "); the official client sends "
        "the number back, which is accepted and ignored.", NULL));
    chats_og_close(o);
    simple(o, "Reason", "string", 1, "Why the mask is what it is; may be "
           "a string resource such as [SR_MANDATORY_FIELD_1281], "
           "translated when a language is set.");
    object_close(o);
}

static void gen_rights(chats_og_t *o)
{
    gen_right(o, "TableRight", "ETableRight: None, Select, Update, Insert, "
              "Delete, Filtering, RestrictedUpdate, Unused1, Uninitialized; "
              "composites R, UR, RI, URI, UDR, FULL, F, RF, FI, URU, WRITE");
    gen_right(o, "FieldRight", "EFieldRight: None, Read, Write, Update, "
              "Unused1, Unused2, Unused3, Unused4, Nullable, "
              "UIHintMandatory, UIHintReadOnly, UIHints; never FULL, which "
              "the official client does not know");
    object_open(o, "FieldProperty", "One field's right, .NET type and "
                "length.");
    nullable_ref(o, "FieldRight", "FieldRight", "The caller's right on "
                 "the field.");
    simple(o, "FieldType", "string", 0, ".NET type name, e.g. "
           "System.Int32, System.String.");
    chats_og_kopen(o, "FieldLength");
    chats_og_kstr(o, "type", "integer");
    chats_og_kstr(o, "format", "int32");
    chats_og_kstr(o, "description", "Maximum length for strings.");
    chats_og_close(o);
    object_close(o);
    chats_og_kopen(o, "FieldProperties");
    chats_og_kstr(o, "type", "object");
    chats_og_kstr(o, "description", "Field name -> FieldProperty, one "
                  "member per entity field.");
    chats_og_kref(o, "additionalProperties", SCHEMAS, "FieldProperty");
    chats_og_close(o);
}

static void gen_links(chats_og_t *o)
{
    object_open(o, "Links", "Named absolute URLs (right behind a reverse "
                "proxy: the configured public base URL, else the request's "
                "scheme and host).");
    chats_og_kopen(o, "Self");
    chats_og_kstr(o, "type", "string");
    chats_og_kstr(o, "format", "uri");
    chats_og_kstr(o, "description", ".../api/v1/ChatSession/{id}");
    chats_og_close(o);
    chats_og_kopen(o, "Archive");
    chats_og_kstr(o, "type", "string");
    chats_og_kstr(o, "format", "uri");
    chats_og_kstr(o, "description", ".../api/v1/ChatSession");
    chats_og_close(o);
    chats_og_close(o);
    chats_og_kopen(o, "additionalProperties");
    chats_og_kstr(o, "type", "string");
    chats_og_close(o);
    chats_og_close(o);
}

static void string_array(chats_og_t *o, const char *k,
                         const char *const *v)
{
    chats_og_str(o, k);
    chats_og_aopen(o);
    for (; *v; v++) {
        chats_og_str(o, *v);
    }
    chats_og_aclose(o);
}

static void gen_patch_op(chats_og_t *o)
{
    static const char *const ops[] = { "add", "remove", "replace", "test",
                                       NULL };
    static const char *const valued[] = { "add", "replace", "test", NULL };
    static const char *const req[] = { "op", "path", NULL };
    static const char *const req_value[] = { "value", NULL };

    object_open(o, "JsonPatchOperation", "An RFC 6902 operation; move and "
                "copy are not supported (400).");
    chats_og_kopen(o, "op");
    chats_og_kstr(o, "type", "string");
    string_array(o, "enum", ops);
    chats_og_close(o);
    simple(o, "path", "string", 0, "RFC 6901 pointer, case-insensitive, "
           "leading / optional: /Department, Department and department are "
           "the same; carrier members as /User/AssociateId.");
    chats_og_kopen(o, "value");
    chats_og_kstr(o, "description", "Any JSON value (add, replace, test).");
    chats_og_close(o);
    chats_og_close(o);
    string_array(o, "required", req);
    chats_og_kopen(o, "if");
    chats_og_kopen(o, "properties");
    chats_og_kopen(o, "op");
    string_array(o, "enum", valued);
    chats_og_close(o);
    chats_og_close(o);
    chats_og_close(o);
    chats_og_kopen(o, "then");
    string_array(o, "required", req_value);
    chats_og_close(o);
    chats_og_close(o);
    chats_og_kopen(o, "JsonPatch");
    chats_og_kstr(o, "type", "array");
    chats_og_kref(o, "items", SCHEMAS, "JsonPatchOperation");
    chats_og_close(o);
}

void chats_openapi_schemas(chats_og_t *o)
{
    const chats_entity_def_t *const *d;

    for (d = chats_entity_defs; *d; d++) {
        chats_openapi_entity_schemas(o, *d);
    }
    gen_links(o);
    gen_rights(o);
    gen_patch_op(o);
    chats_openapi_error_body(o);
}
