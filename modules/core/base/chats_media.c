/* The media type table (chats_media.h). Core file: APR only. */
#include <apr_strings.h>
#include <strings.h>

#include "chats_media.h"

#define UTF8 CHATS_MT_UTF8

/* In our order of preference on equal q (content negotiation). */
static const chats_media_t types[] = {
    { CHATS_MT_JSON, CHATS_MEDIA_JSON, 0, CHATS_MT_JSON UTF8 },
    { CHATS_MT_TEXT_JSON, CHATS_MEDIA_JSON, CHATS_MF_ALIAS,
      CHATS_MT_TEXT_JSON UTF8 },
    { CHATS_MT_JSON_PATCH, CHATS_MEDIA_JSON_PATCH, CHATS_MF_PATCH,
      CHATS_MT_JSON UTF8 },
    { CHATS_MT_MERGE_PATCH, CHATS_MEDIA_MERGE_PATCH, CHATS_MF_PATCH,
      CHATS_MT_JSON UTF8 },
    { CHATS_MT_XML, CHATS_MEDIA_XML, CHATS_MF_XML, CHATS_MT_XML UTF8 },
    { CHATS_MT_TEXT_XML, CHATS_MEDIA_XML, CHATS_MF_XML | CHATS_MF_ALIAS,
      CHATS_MT_TEXT_XML UTF8 },
};

#define NTYPES (int)(sizeof(types) / sizeof(types[0]))

const chats_media_t *chats_media_types(int *pn)
{
    *pn = NTYPES;
    return types;
}

const chats_media_t *chats_media_find(const char *type)
{
    int i;

    for (i = 0; i < NTYPES; i++) {
        if (!strcasecmp(type, types[i].type)) {
            return &types[i];
        }
    }
    return NULL;
}

const chats_media_t *chats_media_default(void)
{
    return &types[0];
}

const char *chats_media_list(apr_pool_t *p, unsigned mask, unsigned want,
                             const char *sep)
{
    const char *out = "";
    int i;

    for (i = 0; i < NTYPES; i++) {
        if ((types[i].flags & mask) == want) {
            out = apr_pstrcat(p, out, *out ? sep : "", types[i].type, NULL);
        }
    }
    return out;
}
