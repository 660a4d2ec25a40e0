-- mod_chatsession: the step to schema version 3, run by
-- `chatsession-db upgrade` on a version-2 database, in the upgrade's one
-- transaction (the trigger that announces new messages comes after it,
-- from render.sql).
--
-- Version 3 brings the messages and topic membership: the tables, the
-- session's two bookkeeping columns and the queue's index, as
-- conf/schema.sql makes them. The index is built inside the
-- transaction; one made beforehand with CREATE INDEX CONCURRENTLY under
-- that name is kept (README "Upgrading to 3").
--
-- Pickup serves only members. So
-- that an upgraded installation keeps a working queue, associates who
-- could already write sessions (update_own and above) become members with
-- every role (manager: admins only) of every topic that has sessions --
-- once, and only when nobody is a member yet. Narrow it afterwards with
-- `chatsession-db remove-member` / `add-member` (README "Topic members").

SET client_min_messages = warning;

CREATE TABLE IF NOT EXISTS chat_topic_member (
    topic_id      integer NOT NULL REFERENCES chat_topic(id) ON DELETE CASCADE,
    associate_id  integer NOT NULL
                  REFERENCES associate(associate_id) ON DELETE CASCADE,
    can_respond   boolean NOT NULL DEFAULT false,
    notifications boolean NOT NULL DEFAULT false,
    listen        boolean NOT NULL DEFAULT false,
    manager       boolean NOT NULL DEFAULT false,
    PRIMARY KEY (associate_id, topic_id),
    CONSTRAINT chat_topic_member_some_role
        CHECK (can_respond OR notifications OR listen OR manager)
);
CREATE INDEX IF NOT EXISTS chat_topic_member_topic_idx
    ON chat_topic_member (topic_id);

CREATE SEQUENCE IF NOT EXISTS chat_message_id_seq;
CREATE TABLE IF NOT EXISTS chat_message (
    id               integer PRIMARY KEY DEFAULT nextval('chat_message_id_seq'),
    chat_session_id  integer NOT NULL
                     REFERENCES chat_session(id) ON DELETE CASCADE,
    type             smallint NOT NULL DEFAULT 0,   -- ChatMessageType
    message          text NOT NULL DEFAULT '',      -- max_len 32768
    author           varchar(255) NOT NULL DEFAULT '',
    read_by_customer smallint NOT NULL DEFAULT 0,   -- Int16 in NetServer
    special_type     smallint NOT NULL DEFAULT 0,   -- ChatMessageSpecialType
    special_param    varchar(1024) NOT NULL DEFAULT '',
    when_posted      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS chat_message_session_idx
    ON chat_message (chat_session_id, id);

ALTER TABLE chat_session
    ADD COLUMN IF NOT EXISTS last_message_id  integer,
    ADD COLUMN IF NOT EXISTS has_text_message boolean NOT NULL DEFAULT false;

CREATE INDEX IF NOT EXISTS chat_session_queue_idx
    ON chat_session (status, when_requested, id);

INSERT INTO chat_topic_member (topic_id, associate_id, can_respond,
                               notifications, listen, manager)
SELECT t.id, r.associate_id, true, true, true, r.level = 'admin'
  FROM chat_topic t CROSS JOIN chat_session_right r
 WHERE r.level IN ('update_own', 'update_all', 'admin')
   AND EXISTS (SELECT 1 FROM chat_session s WHERE s.topic_id = t.id)
   AND NOT EXISTS (SELECT 1 FROM chat_topic_member)
ON CONFLICT DO NOTHING;
