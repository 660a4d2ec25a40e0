-- mod_chatsession: the step to schema version 8, run by
-- `chatsession-db upgrade` on a version-7 database, in the upgrade's one
-- transaction.
--
-- Version 8 makes webhook capture cheaper (issue 20's bench): the
-- module's own writes to a session capture their events in their one
-- statement and mark the row (webhook_version, webhook_changes), which
-- render.sql's capture triggers, now two, leave alone; FieldValues are
-- kept compactly (field_ints, field_texts); and the outbox drops its
-- foreign key to the webhook, whose check locked the webhook's row in
-- every capturing transaction (render.sql's chats_webhook_forget does
-- the delete it cascaded), and its index on the scope, which the
-- deliverer no longer uses. Rows already in the outbox keep their
-- field_values and go out as they are.

SET client_min_messages = warning;

ALTER TABLE chat_session ADD COLUMN IF NOT EXISTS webhook_version bigint;
ALTER TABLE chat_session ADD COLUMN IF NOT EXISTS webhook_changes bigint;

ALTER TABLE chats_webhook_outbox
    DROP CONSTRAINT IF EXISTS chats_webhook_outbox_webhook_fk;
ALTER TABLE chats_webhook_outbox ADD COLUMN IF NOT EXISTS field_ints int4[];
ALTER TABLE chats_webhook_outbox ADD COLUMN IF NOT EXISTS field_texts text[];

DROP TRIGGER IF EXISTS chats_webhook_session ON chat_session;

-- The deliverer finds a session's next event within its window now,
-- with no probe of this index per row: one index less for every event.
DROP INDEX IF EXISTS chats_webhook_outbox_scope_idx;
