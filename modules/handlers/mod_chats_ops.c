/* The one place that binds an operation (chats_routes.h) to the glue
 * function that runs it, for REST and agent rows alike. */
#include "mod_chats_ops.h"

chats_method_fn *const chats_op_fn[CHATS_OP__N] = {
    [CHATS_OP_GET] = chats_resource_get,
    [CHATS_OP_PUT] = chats_resource_put,
    [CHATS_OP_PATCH] = chats_resource_patch,
    [CHATS_OP_DELETE] = chats_resource_delete,
    [CHATS_OP_CREATE] = chats_resource_post,
    [CHATS_OP_DEFAULT] = chats_resource_default,
    [CHATS_OP_LIST] = chats_list_get,
    [CHATS_OP_FOR_USER] = chats_action_for_user,
    [CHATS_OP_PICKUP_FIRST] = chats_action_pickup_first,
    [CHATS_OP_PICKUP] = chats_action_pickup,
    [CHATS_OP_TRANSFER] = chats_action_transfer,
    [CHATS_OP_ACCEPT] = chats_action_accept,
    [CHATS_OP_REJECT] = chats_action_reject,
    [CHATS_OP_RESET] = chats_action_reset,
    [CHATS_OP_MESSAGES] = chats_messages_get,
    [CHATS_OP_ADD_MESSAGE] = chats_messages_post,
    [CHATS_OP_TRANSCRIPT] = chats_transcript_post,
    [CHATS_OP_SAVE] = chats_agent_save,
    [CHATS_OP_CREATE_FOR_TOPIC] = chats_action_create_for_topic,
    [CHATS_OP_MINE] = chats_resource_mine,
};
