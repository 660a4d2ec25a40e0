/* The entities' field tables: per entity (chats_entity_def_t), the single
 * description of every field (JSON name, column, type, rules) from which
 * parsing, SQL, rendering and validation derive. The planner, the SQL
 * builder, rendering and OpenAPI take a def, never "the" table, so that a
 * second entity is a second def. Core header: APR only. */
#ifndef CHATS_SCHEMA_H
#define CHATS_SCHEMA_H

#include <apr_pools.h>

#include "chats_right.h"

typedef enum {
    CHATS_F_INT32,      /**< JSON number, int32 range                       */
    CHATS_F_INT16,      /**< carrier sub-fields only                        */
    CHATS_F_DOUBLE,     /**< carrier sub-fields only                        */
    CHATS_F_STRING,     /**< JSON string, max_len characters                */
    CHATS_F_BOOL,
    CHATS_F_DATETIME,   /**< ISO 8601, stored as timestamptz, null = unset  */
    CHATS_F_ENUM,       /**< a name (any case) or number; rendered by name  */
    CHATS_F_FLAGS,      /**< a set of flag names or a number                */
    CHATS_F_CARRIER,    /**< a row of another table, by its key; null = none */
    CHATS_F_DURATION,   /**< a time of day: integer seconds 0..86399,
                             rendered "HH:MM:SS" (chats_duration_parse) */
    CHATS_F_GROUP,      /**< a value object whose members are columns of
                             the same row (chats_group_t); no column    */
    CHATS_F_JSON        /**< a JSON value in a jsonb column: an array, or
                             an object with CHATS_FF_JSON_OBJECT; written
                             and compared whole, rendered as stored     */
} chats_ftype_e;

#define CHATS_FF_READONLY  0x01  /**< only its current value is accepted  */
#define CHATS_FF_KEY       0x02  /**< the entity's primary key            */
#define CHATS_FF_ZERO_NULL 0x04  /**< 0 is stored as SQL NULL (optional FK) */
#define CHATS_FF_OWNER     0x08  /**< the carrier naming the session's owner
                                      (update_own rights, README)        */
#define CHATS_FF_DERIVED   0x10  /**< computed (expr), or kept by the server
                                      in its column (a stamp, a counter):
                                      never a client's to write, ignored
                                      in whole-entity writes, read-only to
                                      JSON Patch (design §1.7 row 11)     */
#define CHATS_FF_WRITEONLY 0x20  /**< a secret: written, never read back
                                      (not rendered, selected, tested or
                                      compared); a whole-entity write that
                                      leaves it out keeps it             */
#define CHATS_FF_JSON_OBJECT 0x40 /**< CHATS_F_JSON: an object, not an
                                      array                               */
#define CHATS_FF_JSON_STRINGS 0x80 /**< CHATS_F_JSON: every element (or
                                      member's value) is a string         */
#define CHATS_FF_INSERT_ACTOR 0x100 /**< a carrier set to the caller's
                                      associate when the row is inserted
                                      (who registered it)                */

/** Carrier member flags. */
#define CHATS_SF_ALWAYS_UTC 0x01 /**< a created/updated stamp: rendered in
                                      UTC whatever SO-TimeZone says (spec
                                      §4 [D])                             */

typedef struct {
    const char *name;
    int value;
} chats_enum_t;                  /**< arrays end with { NULL, 0 }          */

/** A row of another table that derived carrier members read: the row of
 * `table` whose `key` equals the carrier row's column `via`. */
typedef struct {
    const char *table;
    const char *key;
    const char *via;
} chats_lookup_t;

/** A carrier member. Stored: `column` of the carrier's table. Derived:
 * `expr`, an SQL expression in which "$A" stands for the row it is read
 * from, and/or `lookup`, which makes that row (and `column`) the looked-up
 * one instead of the carrier's own. Derived members are read-only like
 * every member but the key. */
typedef struct {
    const char *name;            /**< JSON name                            */
    const char *column;          /**< column of the carrier's table (or of
                                      the lookup's); NULL with expr        */
    chats_ftype_e type;
    const chats_enum_t *enums;   /**< for CHATS_F_ENUM                     */
    const char *dotnet;          /**< .NET type name (FieldProperties)     */
    const char *expr;            /**< derived: SQL over "$A", or NULL      */
    const chats_lookup_t *lookup;   /**< derived from another table, or NULL */
    unsigned flags;              /**< CHATS_SF_*                           */
} chats_subfield_t;

typedef struct {
    const char *type_name;       /**< "Associate", "Person", ...           */
    const char *table;
    const chats_subfield_t *fields;   /**< fields[0] is the key            */
    int nfields;
} chats_carrier_t;

struct chats_group_t;

typedef struct chats_field_t {
    const char *name;            /**< JSON name, PascalCase                */
    const char *column;          /**< column of the entity's table; NULL
                                      for a group or a derived field     */
    chats_ftype_e type;
    unsigned flags;              /**< CHATS_FF_*                           */
    int max_len;                 /**< characters, for strings              */
    const chats_enum_t *enums;   /**< for ENUM and FLAGS                   */
    const chats_carrier_t *carrier;   /**< for CARRIER                     */
    const char *dotnet;          /**< .NET type name (FieldProperties)     */
    const struct chats_group_t *group;   /**< for GROUP                   */
    const char *expr;            /**< CHATS_FF_DERIVED: SQL over the row
                                      "cs"                               */
} chats_field_t;

/** A check over a group's resulting values: member stop is not before
 * member start (equal is allowed), else a 400 naming Group/stop. */
typedef struct {
    const char *start;
    const char *stop;
} chats_pair_t;

/** A group's members: fields of the entity's own table (a group nests no
 * group), written, read and patched one by one; the planner's slots for
 * them follow the top-level fields' (chats_schema_slot). */
typedef struct chats_group_t {
    const char *type_name;       /**< "ChatOpeningHours": OpenAPI, XML     */
    const chats_field_t *members;
    int nmembers;
    const chats_pair_t *pairs;   /**< NULL or npairs of them               */
    int npairs;
} chats_group_t;

/** The carriers (modules/chats_carriers.c). */
extern const chats_carrier_t chats_associate_carrier;
extern const chats_carrier_t chats_person_carrier;
extern const chats_carrier_t chats_contact_carrier;
extern const chats_carrier_t chats_project_carrier;
extern const chats_carrier_t chats_sale_carrier;
extern const chats_carrier_t chats_ticket_carrier;

/** A CHATS_ED_VERSIONED entity's two validator columns, no field:
 * version feeds the strong ETag and If-Match, updated_at Last-Modified
 * and If-Unmodified-Since (conf/schema.sql). */
#define CHATS_COL_VERSION "version"
#define CHATS_COL_UPDATED "updated_at"
/** ... and who wrote the row last through the module (NULL: no
 * associate, or SQL from elsewhere): ChangedByAssociateId of a webhook
 * event (schema version 7). */
#define CHATS_COL_UPDATED_BY "updated_by"

/** Entity flags. */
#define CHATS_ED_CARRIER  0x01   /**< a Carrier: TableRight, FieldProperties */
#define CHATS_ED_VERSIONED 0x02  /**< version and updated_at columns: ETag,
                                      Last-Modified, If-Match (412)       */
#define CHATS_ED_CALLER_READONLY 0x04 /**< chat_session_right's
                                      readonly_fields apply              */

/** What a verb needs: any row at level `any`, the guarded rows (the
 * rule's guard) at level `guarded`. */
typedef struct {
    chats_right_e any;
    chats_right_e guarded;
} chats_verb_need_t;

/** The verbs of a rights rule, in need[]'s order. */
typedef enum {
    CHATS_VERB_READ = 0,
    CHATS_VERB_UPDATE,
    CHATS_VERB_CREATE,
    CHATS_VERB_DELETE
} chats_verb_e;

/** Who may do what to an entity's rows (README "Authorization"). */
typedef struct {
    chats_verb_need_t need[4];     /**< by chats_verb_e                    */
    const char *guard;             /**< SQL over the row "cs" naming the
                                        guarded rows; "$me" is the caller's
                                        associate id                      */
    const char *guard_text;        /**< what a denial says the caller may
                                        change: "your own chat sessions" */
    const char *read_guard;        /**< SQL over "cs", "$me": the rows a
                                        caller below need[READ].any reads
                                        (a topic's members); NULL: none  */
} chats_entity_rights_t;

/** An entity: its table, its fields and its names. */
/** What keeps a row from being deleted: other rows that refer to it
 * (a topic's sessions). A DELETE refuses it with CHATS_E_IN_USE (409)
 * in its one statement; the foreign key that makes them refer to it
 * answers the same, when one is added between the check and the end of
 * the statement. */
typedef struct {
    const char *count;             /**< SQL over "cs": how many refer     */
    const char *field;             /**< named in the 409: "Sessions"      */
    const char *what;              /**< "chat sessions"                   */
} chats_in_use_t;

/** A field's value in the template a new row starts from, when it is
 * not the field's empty value: JSON text (chats_entity_default). */
typedef struct {
    const char *field;
    const char *json;
} chats_default_t;

/** A query parameter that filters a list of the entity's rows (GET on
 * the collection): names it is accepted by (any case), the field whose
 * value it takes (coerced as the field's), and the predicate over the
 * row "cs" in which "$v" is that value. An enum's zero value filters
 * nothing (WebhookState Unknown). */
typedef struct {
    const char *name;              /**< "name"                             */
    const char *alias;             /**< "nameFilter", or NULL              */
    const char *field;             /**< "Name"                             */
    const char *pred;              /**< "cs.name = $v"                     */
} chats_list_filter_t;

/** What some entities have besides their fields. */
typedef struct {
    const chats_default_t *defaults;   /**< { NULL } ended, or NULL       */
    const chats_list_filter_t *filters; /**< { NULL } ended, or NULL: the
                                            entity has no filtered list */
} chats_entity_extras_t;

typedef struct chats_entity_def_t {
    const char *name;              /**< "ChatSession": REST segment        */
    const char *type_name;         /**< "ChatSessionEntity": XML root,
                                        OpenAPI, "the body must be a …"   */
    const char *label;             /**< "chat session": messages, logs    */
    const char *table;             /**< "chat_session"                     */
    const char *key_column;        /**< "id" (fields[0] is the key field) */
    const char *fk_prefix;         /**< "chat_session_": foreign key names */
    const char *agent_id_query;    /**< "chatSessionEntityId"              */
    const char *stmt_prefix;       /**< "chats": its statements' names
                                        ("chats_get")                     */
    const chats_field_t *fields;   /**< in entity order; fields[0]: key    */
    int nfields;
    unsigned flags;                /**< CHATS_ED_*                         */
    const chats_entity_rights_t *rights;   /**< NULL: a shape only         */
    const chats_in_use_t *in_use;  /**< NULL: a row may always be deleted */
    const chats_entity_extras_t *extras;   /**< NULL: none                */
} chats_entity_def_t;

/** ChatSessionEntity (chats_schema.c). */
extern const chats_entity_def_t chats_session_def;

/** ChatTopicEntity (chats_topic_schema.c). */
extern const chats_entity_def_t chats_topic_def;

/** Webhook (chats_webhook_schema.c; issue 20). */
extern const chats_entity_def_t chats_webhook_def;

/** The entities with a table, NULL-terminated (foreign key lookups, the
 * carriers' SQL functions). */
extern const chats_entity_def_t *const chats_entity_defs[];

/** def's field flagged CHATS_FF_OWNER (User), or NULL. */
const chats_field_t *chats_schema_owner(const chats_entity_def_t *def);

/** def's fields in entity order; *pn (if pn) gets their number. */
const chats_field_t *chats_schema_fields(const chats_entity_def_t *def,
                                         int *pn);

/** def's field named (ASCII case-insensitive), or NULL. */
const chats_field_t *chats_schema_find(const chats_entity_def_t *def,
                                       const char *name, apr_size_t len);

/** f's slot in def: a top-level field's index in def's fields, a group
 * member's after them, group by group (the planner's set[] index). -1
 * when f is not def's. */
int chats_schema_index(const chats_entity_def_t *def, const chats_field_t *f);

/** The number of def's slots: its fields and every group's members. */
int chats_schema_nslots(const chats_entity_def_t *def);

/** The field at slot i of def (chats_schema_index's inverse). */
const chats_field_t *chats_schema_slot(const chats_entity_def_t *def, int i);

/** The group field of def that member f belongs to, or NULL (f is a
 * top-level field). */
const chats_field_t *chats_schema_group_of(const chats_entity_def_t *def,
                                           const chats_field_t *f);

/** Group g's member named (case-insensitive), or NULL. */
const chats_field_t *chats_group_find(const chats_field_t *g,
                                      const char *name, apr_size_t len);

/** The path an error names f by: "OpeningHours/MonStart" for a group's
 * member, the name of a top-level field. */
const char *chats_schema_path(apr_pool_t *p, const chats_entity_def_t *def,
                              const chats_field_t *f);

/** The name conf/schema.sql gives the foreign key on f's column: def's
 * fk_prefix + the column without its "_id" + "_fk"
 * (chat_session_contact_fk, chat_session_transfer_to_fk), so that an
 * error names its field whatever PostgreSQL would generate. */
const char *chats_schema_fk_name(apr_pool_t *p, const chats_entity_def_t *def,
                                 const chats_field_t *f);

/** The field whose foreign key is named constraint, or NULL; *pdef (if
 * pdef) gets its entity. Every def of chats_entity_defs is searched. */
const chats_field_t *chats_schema_fk_field(const char *constraint,
                                           const chats_entity_def_t **pdef);

/** The field whose CHECK constraint is named constraint, or NULL; *pdef
 * (if pdef) gets its entity. conf/schema.sql names a column's check
 * <table>_<column>_ck (chats_webhook_events_ck). */
const chats_field_t *chats_schema_check_field(const char *constraint,
                                              const chats_entity_def_t **pdef);

/** 1 for response-only members a client may echo back (TableRight,
 * FieldProperties, _Links): accepted in bodies and ignored. */
int chats_schema_is_ignored(const char *name, apr_size_t len);

/** The carrier sub-field named (case-insensitive), or NULL. */
const chats_subfield_t *chats_carrier_find(const chats_carrier_t *c,
                                           const char *name, apr_size_t len);

/** Enum value for a name (case-insensitive): 1 if found. */
int chats_enum_value(const chats_enum_t *e, const char *name,
                     apr_size_t len, int *pvalue);

/** Enum name for a value, or NULL. */
const char *chats_enum_name(const chats_enum_t *e, int value);

#endif
