/* The yajl_gen writer of the OpenAPI document (chats_openapi_private.h):
 * each call writes one token and keeps the first failure in o->st, so the
 * generators stay straight-line and chats_openapi_json() checks once. And
 * the lists of names (methods, headers) that the paths and CORS build,
 * here below both. */
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include <string.h>

#include "chats_media.h"
#include "chats_openapi_private.h"

static void og_check(chats_og_t *o, yajl_gen_status st)
{
    if (st != yajl_gen_status_ok && o->st == yajl_gen_status_ok) {
        o->st = st;
    }
}

void chats_og_str(chats_og_t *o, const char *s)
{
    og_check(o, yajl_gen_string(o->g, (const unsigned char *)s, strlen(s)));
}

void chats_og_int(chats_og_t *o, long long v)
{
    og_check(o, yajl_gen_integer(o->g, v));
}

void chats_og_bool(chats_og_t *o, int b)
{
    og_check(o, yajl_gen_bool(o->g, b));
}

void chats_og_null(chats_og_t *o)
{
    og_check(o, yajl_gen_null(o->g));
}

void chats_og_open(chats_og_t *o)
{
    og_check(o, yajl_gen_map_open(o->g));
}

void chats_og_close(chats_og_t *o)
{
    og_check(o, yajl_gen_map_close(o->g));
}

void chats_og_aopen(chats_og_t *o)
{
    og_check(o, yajl_gen_array_open(o->g));
}

void chats_og_aclose(chats_og_t *o)
{
    og_check(o, yajl_gen_array_close(o->g));
}

void chats_og_kstr(chats_og_t *o, const char *k, const char *s)
{
    chats_og_str(o, k);
    chats_og_str(o, s);
}

void chats_og_kint(chats_og_t *o, const char *k, long long v)
{
    chats_og_str(o, k);
    chats_og_int(o, v);
}

void chats_og_kbool(chats_og_t *o, const char *k, int b)
{
    chats_og_str(o, k);
    chats_og_bool(o, b);
}

void chats_og_kopen(chats_og_t *o, const char *k)
{
    if (k) {
        chats_og_str(o, k);
    }
    chats_og_open(o);
}

void chats_og_ref(chats_og_t *o, const char *kind, const char *name)
{
    chats_og_open(o);
    chats_og_kstr(o, "$ref", apr_pstrcat(o->p, "#/components/", kind, "/",
                                         name, NULL));
    chats_og_close(o);
}

void chats_og_kref(chats_og_t *o, const char *k, const char *kind,
                   const char *name)
{
    chats_og_str(o, k);
    chats_og_ref(o, kind, name);
}

void chats_og_media(chats_og_t *o, unsigned mask, unsigned want,
                    const char *schema)
{
    int i, n;
    const chats_media_t *m = chats_media_types(&n);

    for (i = 0; i < n; i++) {
        if ((m[i].flags & mask) == want) {
            chats_og_kopen(o, m[i].type);
            chats_og_kref(o, "schema", "schemas", schema);
            chats_og_close(o);
        }
    }
}

void chats_og_content(chats_og_t *o, unsigned mask, unsigned want,
                      const char *schema)
{
    chats_og_kopen(o, "content");
    chats_og_media(o, mask, want, schema);
    chats_og_close(o);
}

/* ", "-joined, each name once (case-insensitively), upper-cased when
 * upper: methods are compared case-sensitively by browsers. */
void chats_openapi_add_name(apr_array_header_t *a, const char *name,
                            int upper)
{
    char *n = apr_pstrdup(a->pool, name), *c;
    int i;

    for (i = 0; i < a->nelts; i++) {
        if (!strcasecmp(APR_ARRAY_IDX(a, i, const char *), name)) {
            return;
        }
    }
    for (c = n; upper && *c; c++) {
        *c = (char)apr_toupper(*c);
    }
    APR_ARRAY_PUSH(a, const char *) = n;
}
