/* The representation of an entity: the canonical document turned into
 * what a client sees ($select applied, TableRight, FieldProperties,
 * _Links). Serialising it (JSON, XML) is the caller's choice. Core. */
#ifndef CHATS_RENDER_H
#define CHATS_RENDER_H

#include "chats_doc.h"
#include "chats_err.h"
#include "chats_schema.h"

/** One $select item: a field, or one sub-field of a carrier field. */
typedef struct {
    const chats_field_t *field;
    const chats_subfield_t *sub;      /**< NULL = the whole field */
} chats_select_t;

/** ETableRight bits (spec §3). */
#define CHATS_TR_SELECT 1
#define CHATS_TR_UPDATE 2
#define CHATS_TR_INSERT 4
#define CHATS_TR_DELETE 8
#define CHATS_TR_FULL   15

typedef struct {
    const apr_array_header_t *select; /**< chats_select_t; NULL = all     */
    const char *self_url;             /**< with archive_url: _Links; NULL = none */
    const char *archive_url;
    int table_mask;                   /**< CHATS_TR_* of the caller        */
    /** const chats_field_t *: fields the caller may not change (shown
     * Read, UIHintReadOnly whatever table_mask says); NULL = none. */
    const apr_array_header_t *readonly;
} chats_view_opts_t;

/** Parse "$select" ("name,carrier/sub", names in any case). Unknown
 * names are CHATS_E_INVALID naming them. An empty spec selects all. */
chats_err_t *chats_select_parse(apr_array_header_t **psel, const char *spec,
                                apr_pool_t *p);

/** The view of entity: every field present (unselected ones null), then
 * TableRight and FieldProperties for the caller's rights, then _Links. */
chats_doc_t *chats_view_build(apr_pool_t *p, const chats_doc_t *entity,
                              const chats_view_opts_t *o);

/** The flag names of a mask ("Update, Nullable"), for ETableRight
 * (table = 1) or EFieldRight (table = 0), as the client's enums spell
 * them (no EFieldRight "FULL": the official client cannot read it). */
const char *chats_rights_mask_name(apr_pool_t *p, int mask, int table);

/* Carrier v (of field f) with only the sub-fields sel names: the others
 * null (an entity's $select) or left out (others_null 0: a list row). */
chats_doc_t *chats_render_select_carrier(apr_pool_t *p, const chats_doc_t *v,
                                         const chats_field_t *f,
                                         const apr_array_header_t *sel,
                                         int others_null);

#endif
