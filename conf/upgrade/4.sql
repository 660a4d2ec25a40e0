-- mod_chatsession: the step to schema version 4, run by
-- `chatsession-db upgrade` on a version-3 database, in the upgrade's one
-- transaction.
--
-- Version 4 names chat_session's foreign keys (schema.sql): the module
-- tells which field of a request refers to a missing row by the name of
-- the violated constraint, from a table of its own, and no longer by the
-- names PostgreSQL generated (chat_session_topic_id_fkey, ...). A table
-- made by an older schema.sql has those: each foreign key of a column is
-- renamed, found by its column (whatever it was called), once.

SET client_min_messages = warning;

DO $$
DECLARE
    k record;
    c record;
BEGIN
    FOR k IN SELECT * FROM (VALUES
            ('topic_id', 'chat_session_topic_fk'),
            ('user_id', 'chat_session_user_fk'),
            ('customer_id', 'chat_session_customer_fk'),
            ('contact_id', 'chat_session_contact_fk'),
            ('project_id', 'chat_session_project_fk'),
            ('sale_id', 'chat_session_sale_fk'),
            ('ticket_id', 'chat_session_ticket_fk'),
            ('transfer_to', 'chat_session_transfer_to_fk')) AS v(col, name)
    LOOP
        FOR c IN SELECT con.conname
                   FROM pg_constraint con
                   JOIN pg_attribute a ON a.attrelid = con.conrelid
                                      AND a.attnum = con.conkey[1]
                  WHERE con.conrelid = 'chat_session'::regclass
                    AND con.contype = 'f'
                    AND array_length(con.conkey, 1) = 1
                    AND a.attname = k.col
                    AND con.conname <> k.name
        LOOP
            EXECUTE format('ALTER TABLE chat_session RENAME CONSTRAINT %I TO %I',
                           c.conname, k.name);
        END LOOP;
    END LOOP;
END $$;
