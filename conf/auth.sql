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

-- chats_set_associate(login, password_hash, level): creates the associate
-- `login`, or gives an existing one this password hash (and undeletes it),
-- and sets its rights level. For `chatsession-db add-user`, which hashes
-- the password the way `htpasswd -B` does (bcrypt, $2y$); a NULL hash
-- leaves the associate without a password (it cannot log in with Basic).
-- Returns the associate id.
CREATE OR REPLACE FUNCTION chats_set_associate(p_login text, p_hash text,
                                               p_level text DEFAULT 'read')
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    id integer;
BEGIN
    IF p_login IS NULL OR p_login = '' OR length(p_login) > 64 THEN
        RAISE EXCEPTION 'a login is 1 to 64 characters' USING ERRCODE = '22023';
    END IF;
    IF p_hash IS NOT NULL AND p_hash !~ '^\$2[aby]\$[0-9][0-9]\$[./A-Za-z0-9]{53}$' THEN
        RAISE EXCEPTION 'the password hash is not bcrypt as htpasswd -B writes it'
            USING ERRCODE = '22023';
    END IF;
    -- New ids are max + 1: serialize the writers that compute them.
    LOCK TABLE associate IN SHARE ROW EXCLUSIVE MODE;
    SELECT a.associate_id INTO id FROM associate a WHERE a.name = p_login;
    IF id IS NULL THEN
        SELECT coalesce(max(a.associate_id), 0) + 1 INTO id FROM associate a;
        INSERT INTO associate (associate_id, name, full_name, user_name,
                               password_hash)
            VALUES (id, p_login, p_login, p_login, p_hash);
    ELSE
        UPDATE associate SET password_hash = p_hash, deleted = false
            WHERE associate_id = id;
    END IF;
    INSERT INTO chat_session_right (associate_id, level)
        VALUES (id, coalesce(p_level, 'read'))
        ON CONFLICT (associate_id) DO UPDATE SET level = EXCLUDED.level;
    RETURN id;
END
$$;
