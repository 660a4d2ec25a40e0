/* The representation of an entity: the canonical document turned into
 * what a client sees ($select applied, TableRight, FieldProperties,
 * _Links). Serialising it (JSON, XML) is the caller's choice. Core. */
#ifndef CHATS_RENDER_H
#define CHATS_RENDER_H

#include "chats_doc.h"
#include "chats_err.h"
#include "chats_schema.h"

/** One $select item: a field, one sub-field of a carrier field, a
 * group's member, or one sub-field of a group's carrier member
 * (Widget/AutoFaqCategory/Name). */
typedef struct {
    const chats_field_t *field;       /**< top-level                     */
    const chats_subfield_t *sub;      /**< NULL = the whole field (or
                                           member)                       */
    const chats_field_t *member;      /**< a group's member, or NULL    */
} chats_select_t;

/** ETableRight bits (spec §3). */
#define CHATS_TR_SELECT 1
#define CHATS_TR_UPDATE 2
#define CHATS_TR_INSERT 4
#define CHATS_TR_DELETE 8
#define CHATS_TR_FULL   15

/** FieldProperties pre-rendered as JSON (chats_fp_json_build). */
typedef struct chats_fp_json_t chats_fp_json_t;

typedef struct {
    const apr_array_header_t *select; /**< chats_select_t; NULL = all     */
    const char *self_url;             /**< with archive_url: _Links; NULL = none */
    const char *archive_url;
    int table_mask;                   /**< CHATS_TR_* of the caller        */
    /** const chats_field_t *: fields the caller may not change (shown
     * Read, UIHintReadOnly whatever table_mask says); NULL = none. */
    const apr_array_header_t *readonly;
    /** Non-NULL: FieldProperties goes into the view as this pre-rendered
     * JSON, not as a document tree; only for a view that is serialised
     * with chats_doc_to_json(p, view, 0) and nothing else (it rides in a
     * number node, which yajl_gen_number writes as it is: XML would show
     * it as text). NULL: a document, as for XML. Same JSON either way. */
    const chats_fp_json_t *fp_json;
} chats_view_opts_t;

/** Parse "$select" ("name,carrier/sub", names in any case) over def's
 * fields. Unknown names are CHATS_E_INVALID naming them. An empty spec
 * selects all. */
chats_err_t *chats_select_parse(apr_array_header_t **psel,
                                const chats_entity_def_t *def,
                                const char *spec, apr_pool_t *p);

/** The view of entity (a document of def): every field present
 * (unselected ones null), then TableRight and FieldProperties for the
 * caller's rights, then _Links. o->fp_json is used when it is def's. */
chats_doc_t *chats_view_build(apr_pool_t *p, const chats_entity_def_t *def,
                              const chats_doc_t *entity,
                              const chats_view_opts_t *o);

/** Every field of def's FieldProperties member rendered with yajl_gen,
 * in p: its name, and its property object both for a caller who may change the
 * field and for one who may not — the only part that depends on the
 * caller. FieldProperties is some 3.4 KB of a 4.4 KB entity, the same
 * for every answer to the same rights: rendering it per request was
 * about half of httpd's instructions for a PATCH (bench/README). Build it
 * once before threads start and share it read-only; NULL if yajl_gen
 * fails. */
const chats_fp_json_t *chats_fp_json_build(apr_pool_t *p,
                                           const chats_entity_def_t *def);

/** The flag names of a mask ("Update, Nullable"), for ETableRight
 * (table = 1) or EFieldRight (table = 0), as the client's enums spell
 * them (no EFieldRight "FULL": the official client cannot read it). */
const char *chats_rights_mask_name(apr_pool_t *p, int mask, int table);

/* Carrier v (of field f, or of group member f) with only the sub-fields
 * sel names: the others null (an entity's $select) or left out
 * (others_null 0: a list row). */
chats_doc_t *chats_render_select_carrier(apr_pool_t *p, const chats_doc_t *v,
                                         const chats_field_t *f,
                                         const apr_array_header_t *sel,
                                         int others_null);

#endif
