/* An entity read from XML: an XML body (chats_xml.h) holds only text,
 * which this gives the JSON types of the field table before the entity
 * coercion reads it as it reads JSON. Core header: APR only. */
#ifndef CHATS_ENTITY_XML_H
#define CHATS_ENTITY_XML_H

#include "chats_doc.h"
#include "chats_err.h"
#include "chats_schema.h"

/** Give the string leaves of a parsed body of def the JSON types of its
 * field table (names ASCII case-insensitive; carrier objects by their
 * carrier's sub-fields): INT32/INT16 with XSD integer text (whitespace
 * trimmed, optional sign, leading zeros) and DOUBLE with decimal text ->
 * NUMBER in JSON form; BOOL "true"/"false" (any case) or "1"/"0" ->
 * BOOL. Anything else, text that does not fit the type, and unknown
 * members are copied unchanged, so the entity coercion reports them
 * naming the field. *pout is a new tree in p; never fails today (the
 * error return is for symmetry with the other passes). */
chats_err_t *chats_xml_typed_entity(const chats_entity_def_t *def,
                                    const chats_doc_t *in, chats_doc_t **pout,
                                    apr_pool_t *p);

#endif
