/* An entity (chats_entity_def_t: ChatSessionEntity, ...) as a canonical
 * document: every field present, in field-table order, each value in one canonical form (enums and flags by
 * name, date-times as "…fffffff+00:00" UTC strings, times of day as
 * "HH:MM:SS", carriers as objects or null, groups as objects of all their
 * members), so that plain JSON equality is the typed equality a "test" op
 * needs. Converts rows to documents, documents to SQL parameters, and
 * client values to canonical ones. Core header. */
#ifndef CHATS_ENTITY_H
#define CHATS_ENTITY_H

#include "chats_doc.h"
#include "chats_err.h"
#include "chats_patch.h"
#include "chats_schema.h"
#include "chats_sql.h"

/** Build the document from a row in chats_sql's layout, read as how
 * says: CHATS_READ_ZONED shows date-times in the zone of their offset
 * columns (stamps_utc: but CHATS_SF_ALWAYS_UTC members in UTC, as when
 * the caller named the zone). */
chats_doc_t *chats_entity_from_row(apr_pool_t *p,
                                   const chats_entity_def_t *def,
                                   const char *const *values,
                                   chats_read_e how, int stamps_utc);

/** The members of fields[0..nfields) alone, in that order, from a row
 * holding only their columns (each field's columns as chats_sql.h's
 * layout has them, read as how says): what a list row selects. */
chats_doc_t *chats_entity_from_cols(apr_pool_t *p,
                                    const chats_field_t *const *fields,
                                    int nfields, const char *const *values,
                                    chats_read_e how, int stamps_utc);

/** The SQL parameter text of canonical value v of field f (NULL = SQL
 * NULL): enums and flags as numbers, carriers as their key, date-times
 * in PostgreSQL's input form. */
const char *chats_entity_param(apr_pool_t *p, const chats_field_t *f,
                               const chats_doc_t *v);

/** The template a new row of def starts from (GET default, POST): every
 * field empty or its default, the key 0; no write-only field. */
chats_doc_t *chats_entity_template(apr_pool_t *p,
                                   const chats_entity_def_t *def);

/** The canonical empty value of a field (what remove / merge null set). */
chats_doc_t *chats_entity_empty(apr_pool_t *p, const chats_field_t *f);

/** The value field f of def has in the template: its default
 * (def->extras), else its empty value. What a PUT or POST leaving f out
 * and a remove set (chats_entity_json.c). */
chats_doc_t *chats_entity_default(apr_pool_t *p,
                                  const chats_entity_def_t *def,
                                  const chats_field_t *f);

/** Canonical form of a client value for JSON field f: its shape checked
 * (array or object, strings where the field says), null its empty
 * value (chats_entity_json.c). */
chats_err_t *chats_entity_json_coerce(const chats_field_t *f,
                                      const chats_doc_t *v,
                                      chats_doc_t **pout, apr_pool_t *p);

/** Canonical form of a client value v for field f, or CHATS_E_INVALID
 * naming the field. Enums take a name (any case) or a number; flags a
 * number or names joined by commas; date-times ISO 8601; carriers null,
 * or an object with the carrier's key (0 = none). */
chats_err_t *chats_entity_coerce(const chats_field_t *f, const chats_doc_t *v,
                                 chats_doc_t **pout, apr_pool_t *p);

/** chats_entity_coerce with the errors naming f as name (a group's
 * member by its path, "OpeningHours/MonStart"). */
chats_err_t *chats_entity_coerce_as(const chats_field_t *f, const char *name,
                                    const chats_doc_t *v, chats_doc_t **pout,
                                    apr_pool_t *p);

/** The field of def owning a column of its table (for SQL errors), or
 * NULL. */
const chats_field_t *chats_entity_field_by_column(
    const chats_entity_def_t *def, const char *column);

#endif
