-- mod_chatsession: the step to schema version 5, run by
-- `chatsession-db upgrade` on a version-4 database, in the upgrade's one
-- transaction.
--
-- Version 5 brings Idempotency-Key (README "Retrying writes safely"):
-- the table chats_idempotency, as conf/schema.sql makes it, where a
-- write records the key it was sent with in the same statement. The
-- module knows a repeated key by the violation of the table's primary
-- key, chats_idempotency_pk. A
-- table of that name that the database had before (CREATE TABLE IF NOT
-- EXISTS keeps it as it is) would not do: the upgrade stops, and leaves
-- the database as it was, rather than let the module take it. Then the
-- index the purge of expired keys reads, oldest first.

SET client_min_messages = warning;

CREATE TABLE IF NOT EXISTS chats_idempotency (
    associate_id integer NOT NULL,
    idem_key     text NOT NULL
                 CHECK (octet_length(idem_key) BETWEEN 1 AND 255),
    fingerprint  bytea NOT NULL CHECK (octet_length(fingerprint) = 32),
    status       smallint NOT NULL,
    entity_id    integer,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT chats_idempotency_pk PRIMARY KEY (associate_id, idem_key)
);

DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1
          FROM pg_constraint c
         WHERE c.conrelid = 'chats_idempotency'::regclass
           AND c.conname = 'chats_idempotency_pk'
           AND c.contype = 'p'
           AND (SELECT array_agg(a.attname::text ORDER BY k.n)
                  FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
                  JOIN pg_attribute a ON a.attrelid = c.conrelid
                                     AND a.attnum = k.attnum)
               = ARRAY['associate_id', 'idem_key'])
       OR (SELECT count(*)
             FROM pg_attribute a
            WHERE a.attrelid = 'chats_idempotency'::regclass
              AND NOT a.attisdropped
              AND (a.attname, format_type(a.atttypid, a.atttypmod)) IN (
                  ('associate_id', 'integer'), ('idem_key', 'text'),
                  ('fingerprint', 'bytea'), ('status', 'smallint'),
                  ('entity_id', 'integer'),
                  ('created_at', 'timestamp with time zone'))) <> 6
    THEN
        RAISE EXCEPTION 'table chats_idempotency is not the one mod_chatsession makes (primary key chats_idempotency_pk on associate_id, idem_key; columns associate_id, idem_key, fingerprint, status, entity_id, created_at)'
            USING HINT = 'Rename or drop that table, then run chatsession-db upgrade again.';
    END IF;
END $$;

CREATE INDEX IF NOT EXISTS chats_idempotency_created_idx
    ON chats_idempotency (created_at);
