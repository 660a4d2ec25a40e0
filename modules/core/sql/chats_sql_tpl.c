/* SQL templates (chats_sql_tpl.h): the one reader of the field tables'
 * facts that hand-written statements name. Core file: APR only. */
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include <string.h>

#include "chats_message_schema.h"
#include "chats_sql_tpl.h"

/* An enum's value of the name, as text. */
static const char *enum_text(apr_pool_t *p, const chats_enum_t *e,
                             const char *name, apr_size_t len)
{
    int v;

    return e && chats_enum_value(e, name, len, &v) ? apr_itoa(p, v) : NULL;
}

/* name begins with prefix (and has more after it). */
static int has_prefix(const char *name, apr_size_t len, const char *prefix)
{
    apr_size_t n = strlen(prefix);

    return len > n && !strncmp(name, prefix, n);
}

const char *chats_sql_tpl_fact(apr_pool_t *p, const char *name,
                               apr_size_t len)
{
    const chats_field_t *f;

    if (len > 1 && name[0] == '=') {
        f = chats_schema_find(&chats_session_def, "Status", 6);
        return f ? enum_text(p, f->enums, name + 1, len - 1) : NULL;
    }
    if (has_prefix(name, len, "type.")) {
        return enum_text(p, chats_message_type_enums, name + 5, len - 5);
    }
    if (has_prefix(name, len, "special.")) {
        return enum_text(p, chats_message_special_enums, name + 8, len - 8);
    }
    if (has_prefix(name, len, "m.")) {
        f = chats_message_find(name + 2, len - 2);
        return f ? f->column : NULL;
    }
    if (has_prefix(name, len, "len.")) {
        f = chats_schema_find(&chats_session_def, name + 4, len - 4);
        return f && f->max_len > 0 ? apr_itoa(p, f->max_len) : NULL;
    }
    f = chats_schema_find(&chats_session_def, name, len);
    return f ? f->column : NULL;
}

/* The reference at *pat ({name} or $x), its end in *pat after. */
static const char *reference(apr_pool_t *p, const char **pat,
                             chats_sql_tpl_ref_fn *ref, void *ctx)
{
    const char *at = *pat, *end, *part = NULL;
    char kind = *at;

    if (kind == '{') {
        if (!(end = strchr(at, '}'))) {
            return NULL;
        }
        *pat = end + 1;
    }
    else {
        for (end = at + 1; apr_isalpha(*end); end++) {
        }
        *pat = end;
    }
    if (ref) {
        part = ref(p, ctx, kind, at + 1, end - at - 1);
    }
    if (!part && kind == '{') {
        part = chats_sql_tpl_fact(p, at + 1, end - at - 1);
    }
    return part;
}

const char *chats_sql_tpl_expand(apr_pool_t *p, const char *tpl,
                                 chats_sql_tpl_ref_fn *ref, void *ctx)
{
    apr_array_header_t *out = apr_array_make(p, 32, sizeof(const char *));
    const char *at = tpl, *part;

    while (*at) {
        if (*at == '{' || (*at == '$' && apr_isalpha(at[1]))) {
            if (!(part = reference(p, &at, ref, ctx))) {
                return NULL;
            }
        }
        else {
            apr_size_t len = strcspn(at + 1, "{$") + 1;

            part = apr_pstrndup(p, at, len);
            at += len;
        }
        APR_ARRAY_PUSH(out, const char *) = part;
    }
    return apr_array_pstrcat(p, out, 0);
}

int chats_sql_letters_parse(apr_pool_t *p, const chats_sql_letters_t *l,
                            const char *spec, int *args, int max,
                            int *nargs)
{
    char *copy = apr_pstrdup(p, spec), *tok, *last;
    int k;

    *nargs = 0;
    for (tok = apr_strtok(copy, " ", &last); tok;
         tok = apr_strtok(NULL, " ", &last)) {
        for (k = 0; k < l->n && strcmp(l->v[k].letter, tok); k++) {
        }
        if (k == l->n || *nargs == max) {
            return 0;
        }
        args[(*nargs)++] = l->v[k].which;
    }
    return 1;
}

chats_ptype_e chats_sql_letter_type(const chats_sql_letters_t *l, int which)
{
    int k;

    for (k = 0; k < l->n && l->v[k].which != which; k++) {
    }
    return k < l->n ? l->v[k].type : CHATS_P_TEXT;
}

const char *chats_sql_letter_ref(apr_pool_t *p, const chats_sql_letters_t *l,
                                 const int *args, int nargs, int first,
                                 const char *name, apr_size_t len)
{
    int k, j;

    for (k = 0; k < l->n; k++) {
        if (strlen(l->v[k].letter) != len
            || strncmp(l->v[k].letter, name, len)) {
            continue;
        }
        for (j = 0; j < nargs; j++) {
            if (args[j] == l->v[k].which) {
                return apr_psprintf(p, "$%d::%s", first + j + 1,
                                    chats_sql_ptype_name(l->v[k].type));
            }
        }
    }
    return NULL;
}
