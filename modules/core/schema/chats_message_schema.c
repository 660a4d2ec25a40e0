/* The ChatMessage field table (spec §2 "ChatMessage", enums §3). Adding a
 * member is one row here plus its column of chat_message in
 * conf/schema.sql (t/engine/schema.t holds them together). Core file:
 * APR only. */
#include <string.h>

#include "chats_message_schema.h"
#include "chats_name.h"

/* Numbers as SuperOffice's Enums.ts gives them; TransferedSession with one
 * r, as the official client spells it (it decodes names exactly). */
const chats_enum_t chats_message_type_enums[] = {
    { "Invalid", 0 }, { "ToCustomer", 1 }, { "ToUser", 2 }, { "Special", 3 },
    { NULL, 0 }
};

const chats_enum_t chats_message_special_enums[] = {
    { "None", 0 }, { "Welcome", 1 }, { "Url", 2 }, { "Block", 3 },
    { "NewSession", 5 }, { "TransferedSession", 6 }, { "Error", 7 },
    { "SessionDeleted", 8 }, { "FaqSuccessQuestion", 9 },
    { "ClosedByUser", 10 }, { "ClosedByCustomer", 11 },
    { "ClosedByIdle", 12 }, { "TransferRejected", 13 },
    { "ReopenedByCustomer", 14 }, { "ClickedOption", 15 },
    { "BotMessage", 16 }, { "Options", 17 }, { "IllegalFileType", 18 },
    { NULL, 0 }
};

#define I32 "System.Int32"
#define I16 "System.Int16"
#define STR "System.String"

static const chats_field_t fields[CHATS_MF__N] = {
    [CHATS_MF_ID] = { "ChatMessageId", "id", CHATS_F_INT32,
                CHATS_FF_READONLY | CHATS_FF_KEY, 0, NULL, NULL, I32, NULL,
                NULL },
    [CHATS_MF_SESSION] = { "ChatSessionId", "chat_session_id", CHATS_F_INT32,
                     CHATS_FF_READONLY, 0, NULL, NULL, I32, NULL, NULL },
    [CHATS_MF_TYPE] = { "Type", "type", CHATS_F_ENUM, 0, 0,
                  chats_message_type_enums, NULL,
                  "SuperOffice.Data.ChatMessageType", NULL, NULL },
    [CHATS_MF_MESSAGE] = { "Message", "message", CHATS_F_STRING, 0,
                     CHATS_MSG_MAX_LEN, NULL, NULL, STR, NULL, NULL },
    [CHATS_MF_AUTHOR] = { "Author", "author", CHATS_F_STRING, 0, 255, NULL, NULL,
                    STR, NULL, NULL },
    /* an Int32 in REST's carrier, an Int16 in NetServer's table */
    [CHATS_MF_READ] = { "ReadByCustomer", "read_by_customer", CHATS_F_INT16, 0, 0,
                  NULL, NULL, I16, NULL, NULL },
    [CHATS_MF_SPECIAL] = { "SpecialType", "special_type", CHATS_F_ENUM, 0, 0,
                     chats_message_special_enums, NULL,
                     "SuperOffice.Data.ChatMessageSpecialType", NULL, NULL },
    [CHATS_MF_PARAM] = { "SpecialParam", "special_param", CHATS_F_STRING, 0, 1024,
                   NULL, NULL, STR, NULL, NULL },
    /* server time: a value in a body is ignored [D-15] */
    [CHATS_MF_WHEN] = { "WhenPosted", "when_posted", CHATS_F_DATETIME,
                  CHATS_FF_READONLY | CHATS_MFF_UTC_Z, 0, NULL, NULL,
                  "System.DateTime", NULL, NULL },
};

const chats_field_t *chats_message_fields(int *pn)
{
    if (pn) {
        *pn = (int)(sizeof(fields) / sizeof(fields[0]));
    }
    return fields;
}

const chats_field_t *chats_message_find(const char *name, apr_size_t len)
{
    int i, n;
    const chats_field_t *f = chats_message_fields(&n);

    for (i = 0; i < n; i++) {
        if (chats_name_eq(name, len, f[i].name, strlen(f[i].name), 1)) {
            return &f[i];
        }
    }
    return NULL;
}
