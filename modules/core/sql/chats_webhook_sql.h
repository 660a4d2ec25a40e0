/* Webhooks' SQL (issue 20; README "Webhooks"): the capture of the
 * module's own events, made from the field tables. Core header: APR only.
 *
 * Capture is by AFTER ROW triggers, in the statement that makes the
 * change: no change commits without its events and no event outlives a
 * change that rolled back, and every path that writes a session (the
 * planner, the actions, the messages, a future one) is covered without a
 * second statement. Only a trigger sees both the old and the new row
 * version actually written, which Changes needs. */
#ifndef CHATS_WEBHOOK_SQL_H
#define CHATS_WEBHOOK_SQL_H

#include <apr_pools.h>

/** The module's event names (SuperOffice's, [D] chat-events.md) and the
 * Entity of their bodies. */
#define CHATS_WEBHOOK_EV_CREATED "chatsession.created"
#define CHATS_WEBHOOK_EV_CHANGED "chatsession.changed"
#define CHATS_WEBHOOK_EV_MESSAGE "chatsession.message"
#define CHATS_WEBHOOK_EV_TEST    "test"
#define CHATS_WEBHOOK_ENTITY     "chatsession"

/** The capture script (part of conf/render.sql, chats-schema
 * --render-sql; replaced when loaded again):
 *  - chats_webhook_session(), AFTER INSERT OR UPDATE ON chat_session:
 *    chatsession.created for a new row (Changes []), chatsession.changed
 *    when a field an API client sees changed (Changes: the fields, as
 *    "chatSession.<camelName>", a carrier as "<name>Id"). A statement
 *    that posts a message (it moves last_message_id) reports its own
 *    bookkeeping (FirstMessage, LastMessage, WhenIdle, a move between the
 *    two active states) in the message event rather than here.
 *  - chats_webhook_message(), AFTER INSERT ON chat_message:
 *    chatsession.message, with SuperOffice's fixed Changes list and
 *    FieldValues plus the message's id (MessageId).
 * Each writes one outbox row per Active webhook subscribed to the event,
 * all with one EventId; FieldValues are SuperOffice's 13 members of the
 * session, numbers as numbers; ChangedByAssociateId is the row's
 * updated_by. With no Active webhook a trigger costs one probe. */
const char *chats_webhook_capture_ddl(apr_pool_t *p);

#endif
