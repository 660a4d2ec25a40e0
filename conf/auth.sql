-- mod_chatsession: SoTicket tickets (loaded after conf/schema.sql by
-- ./serve and ./check; safe to load again).
--
-- A ticket is an opaque string, "7T:" + 43 base64url characters (244
-- random bits from two gen_random_uuid(), a core function since
-- PostgreSQL 13 backed by the server's strong random source). Only its
-- SHA-256 (lower-case hex) is stored: a copy of this table lets nobody
-- log in. Issue one with
--     SELECT chats_issue_ticket('tje0', interval '8 hours');
-- and revoke it with SELECT chats_revoke_ticket('7T:...');

SET client_min_messages = warning;

CREATE TABLE IF NOT EXISTS chats_ticket (
    hash        char(64) PRIMARY KEY,        -- sha256(ticket), hex
    login       varchar(64) NOT NULL
                REFERENCES associate(name) ON DELETE CASCADE,
    issued_at   timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    CHECK (hash ~ '^[0-9a-f]{64}$')
);
CREATE INDEX IF NOT EXISTS chats_ticket_expires ON chats_ticket (expires_at);

CREATE OR REPLACE FUNCTION chats_ticket_hash(ticket text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT encode(sha256(convert_to(ticket, 'UTF8')), 'hex')
$$;

-- Issue a ticket to an associate, valid for ttl; returns the ticket (the
-- only time it is ever seen in clear). Expired tickets are purged here.
CREATE OR REPLACE FUNCTION chats_issue_ticket(p_login text,
                                              p_ttl interval DEFAULT '8 hours')
RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    raw    bytea;
    ticket text;
BEGIN
    IF p_ttl IS NULL OR p_ttl <= interval '0' THEN
        RAISE EXCEPTION 'chats_issue_ticket: ttl must be positive';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM associate
                   WHERE name = p_login AND NOT deleted) THEN
        RAISE EXCEPTION 'chats_issue_ticket: no associate %', p_login;
    END IF;
    DELETE FROM chats_ticket WHERE expires_at < now() - interval '1 day';
    raw := decode(replace(gen_random_uuid()::text, '-', '')
                  || replace(gen_random_uuid()::text, '-', ''), 'hex');
    ticket := '7T:' || translate(rtrim(encode(raw, 'base64'), '='),
                                 '+/', '-_');
    INSERT INTO chats_ticket (hash, login, expires_at)
    VALUES (chats_ticket_hash(ticket), p_login, now() + p_ttl);
    RETURN ticket;
END
$$;

CREATE OR REPLACE FUNCTION chats_revoke_ticket(ticket text) RETURNS boolean
LANGUAGE sql VOLATILE AS $$
    WITH gone AS (DELETE FROM chats_ticket
                  WHERE hash = chats_ticket_hash(ticket) RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM gone)
$$;

-- Rights on chat sessions, per associate (see README, "Authorization").
-- level, from least to most:
--   none        nothing, not even GET
--   read        GET
--   update_own  GET; PATCH/PUT of sessions whose User is the caller (and
--               that stay theirs); POST of sessions whose User is the caller
--   update_all  GET; PATCH/PUT/POST of any session
--   admin       everything, DELETE included
-- readonly_fields: ChatSessionEntity field names (any case) this associate
-- may not change whatever the level (403 naming the field).
-- An associate without a row has 'read'; so has a user who is not an
-- associate (another authn provider) or no user at all.
CREATE TABLE IF NOT EXISTS chat_session_right (
    associate_id    integer PRIMARY KEY
                    REFERENCES associate(associate_id) ON DELETE CASCADE,
    level           text NOT NULL DEFAULT 'read'
                    CHECK (level IN ('none', 'read', 'update_own',
                                     'update_all', 'admin')),
    readonly_fields text[] NOT NULL DEFAULT '{}'
);
