-- mod_chatsession: the one-time step to schema version 3, loaded by
-- `chatsession-db upgrade` after schema.sql (which made the tables) and
-- inside the same transaction.
--
-- Version 3 brings topic membership, and Pickup serves only members. So
-- that an upgraded installation keeps a working queue, associates who
-- could already write sessions (update_own and above) become members with
-- every role (manager: admins only) of every topic that has sessions --
-- once, and only when nobody is a member yet. Narrow it afterwards with
-- `chatsession-db remove-member` / `add-member` (README "Topic members").

SET client_min_messages = warning;

INSERT INTO chat_topic_member (topic_id, associate_id, can_respond,
                               notifications, listen, manager)
SELECT t.id, r.associate_id, true, true, true, r.level = 'admin'
  FROM chat_topic t CROSS JOIN chat_session_right r
 WHERE r.level IN ('update_own', 'update_all', 'admin')
   AND EXISTS (SELECT 1 FROM chat_session s WHERE s.topic_id = t.id)
   AND NOT EXISTS (SELECT 1 FROM chat_topic_member)
ON CONFLICT DO NOTHING;
