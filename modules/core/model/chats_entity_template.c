/* The template a new row starts from, and values named for errors
 * (chats_entity.h): above chats_entity.c, whose coercion they use. */
#include <apr_strings.h>
#include <string.h>

#include "chats_entity.h"
#include "chats_json.h"

chats_doc_t *chats_entity_template(apr_pool_t *p,
                                   const chats_entity_def_t *def)
{
    int i, n;
    const chats_field_t *f = chats_schema_fields(def, &n);
    chats_doc_t *doc = chats_doc_object(p);

    for (i = 0; i < n; i++) {
        if (!(f[i].flags & CHATS_FF_WRITEONLY)) {
            chats_doc_object_add(doc, f[i].name,
                                 chats_entity_default(p, def, &f[i]));
        }
    }
    return doc;
}

chats_doc_t *chats_entity_default(apr_pool_t *p,
                                  const chats_entity_def_t *def,
                                  const chats_field_t *f)
{
    const chats_default_t *d = def->extras ? def->extras->defaults : NULL;
    chats_doc_t *v, *out;

    for (; d && d->field; d++) {
        if (!strcmp(d->field, f->name)
            && !chats_json_parse(&v, d->json, strlen(d->json), NULL, p)
            && !chats_entity_coerce(f, v, &out, p)) {
            return out;
        }
    }
    return chats_entity_empty(p, f);
}

chats_err_t *chats_entity_coerce_as(const chats_field_t *f, const char *name,
                                    const chats_doc_t *v, chats_doc_t **pout,
                                    apr_pool_t *p)
{
    chats_field_t named = *f;

    named.name = name;
    return chats_entity_coerce(&named, v, pout, p);
}
