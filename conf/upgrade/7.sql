-- mod_chatsession: the step to schema version 7, run by
-- `chatsession-db upgrade` on a version-6 database, in the upgrade's one
-- transaction.
--
-- Version 7 brings webhooks (issue 20): updated_by on chat_session and
-- chat_topic (who wrote the row last through the module: an event's
-- ChangedByAssociateId; NULL on the rows already there), chats_webhook,
-- its outbox and its test pings, as conf/schema.sql makes them. The
-- capture triggers are render.sql's, which the upgrade loads after this.

SET client_min_messages = warning;

ALTER TABLE chat_session ADD COLUMN IF NOT EXISTS updated_by integer;
ALTER TABLE chat_topic ADD COLUMN IF NOT EXISTS updated_by integer;
