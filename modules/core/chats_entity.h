/* The ChatSessionEntity as a canonical document: every field present, in
 * field-table order, each value in one canonical form (enums and flags by
 * name, date-times as "…fffffff+00:00" UTC strings, carriers as objects or
 * null), so that plain JSON equality is the typed equality a "test" op
 * needs. Converts rows to documents, documents to SQL parameters, and
 * client values to canonical ones. Core header. */
#ifndef CHATS_ENTITY_H
#define CHATS_ENTITY_H

#include "chats_doc.h"
#include "chats_err.h"
#include "chats_patch.h"
#include "chats_schema.h"

/** Build the document from a row in chats_sql's column order. */
chats_doc_t *chats_entity_from_row(apr_pool_t *p, const char *const *values);

/** The update parameters (every field but the key, in chats_sql order;
 * NULL = SQL NULL) for a canonical document. */
const char **chats_entity_to_params(apr_pool_t *p, const chats_doc_t *doc);

/** The template a new session starts from (GET default, POST): every
 * field empty, ChatSessionId 0. */
chats_doc_t *chats_entity_template(apr_pool_t *p);

/** The canonical empty value of a field (what remove / merge null set). */
chats_doc_t *chats_entity_empty(apr_pool_t *p, const chats_field_t *f);

/** Canonical form of a client value v for field f, or CHATS_E_INVALID
 * naming the field. Enums take a name (any case) or a number; flags a
 * number or names joined by commas; date-times ISO 8601; carriers null,
 * or an object with the carrier's key (0 = none). */
chats_err_t *chats_entity_coerce(const chats_field_t *f, const chats_doc_t *v,
                                 chats_doc_t **pout, apr_pool_t *p);

/** The patch hook that holds patches to the entity's rules: known fields
 * only (TableRight, FieldProperties and _Links are skipped), values
 * coerced, remove = reset to empty, read-only fields may only be given
 * their current value, carriers changed by reference. ctx is unused. */
chats_err_t *chats_entity_prepare(void *ctx, int index, chats_op_t *op,
                                  const apr_array_header_t *tokens,
                                  const chats_doc_t *doc, apr_pool_t *p);

/** The field owning a chat_session column (for SQL errors), or NULL. */
const chats_field_t *chats_entity_field_by_column(const char *column);

#endif
