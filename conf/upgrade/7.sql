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

CREATE OR REPLACE FUNCTION chats_json_is_string_array(v jsonb)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $fn$
    SELECT jsonb_typeof(v) = 'array'
       AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(v) e
                        WHERE jsonb_typeof(e) <> 'string')
$fn$;
CREATE OR REPLACE FUNCTION chats_json_is_string_map(v jsonb)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $fn$
    SELECT jsonb_typeof(v) = 'object'
       AND NOT EXISTS (SELECT 1 FROM jsonb_each(v) e
                        WHERE jsonb_typeof(e.value) <> 'string')
$fn$;
-- An event name: "test", or entity.action in lower case
-- ("chatsession.changed"; a signalled event's own).
CREATE OR REPLACE FUNCTION chats_json_is_event_list(v jsonb)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $fn$
    SELECT chats_json_is_string_array(v)
       AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements_text(v) e
                        WHERE e !~ '^([a-z0-9_]+\.[a-z0-9_]+|test)$')
$fn$;

CREATE SEQUENCE IF NOT EXISTS chats_webhook_id_seq;
-- State: 0 Unknown, 1 Active, 2 Stopped, 3 TooManyErrors (WebhookState);
-- only Active webhooks get events. The counters and last_error are the
-- deliverer's, which never moves version: they are not a client's write.
CREATE TABLE IF NOT EXISTS chats_webhook (
    id                 integer PRIMARY KEY
                       DEFAULT nextval('chats_webhook_id_seq'),
    name               varchar(255) NOT NULL DEFAULT '',
    events             jsonb NOT NULL DEFAULT '[]'
                       CONSTRAINT chats_webhook_events_ck
                       CHECK (chats_json_is_event_list(events)),
    target_url         varchar(2048) NOT NULL DEFAULT '',
    secret             varchar(255) NOT NULL DEFAULT '',
    state              smallint NOT NULL DEFAULT 1
                       CONSTRAINT chats_webhook_state_ck
                       CHECK (state BETWEEN 0 AND 3),
    type               varchar(32) NOT NULL DEFAULT 'webhook'
                       CONSTRAINT chats_webhook_type_ck
                       CHECK (type = 'webhook'),
    headers            jsonb NOT NULL DEFAULT '{}'
                       CONSTRAINT chats_webhook_headers_ck
                       CHECK (chats_json_is_string_map(headers)),
    properties         jsonb NOT NULL DEFAULT '{}'
                       CONSTRAINT chats_webhook_properties_ck
                       CHECK (jsonb_typeof(properties) = 'object'),
    description        varchar(2000) NOT NULL DEFAULT '',
    errors_email       varchar(255) NOT NULL DEFAULT '',
    error_emails       jsonb NOT NULL DEFAULT '[]'
                       CONSTRAINT chats_webhook_error_emails_ck
                       CHECK (chats_json_is_string_array(error_emails)),
    error_associates   jsonb NOT NULL DEFAULT '[]'
                       CONSTRAINT chats_webhook_error_associates_ck
                       CHECK (jsonb_typeof(error_associates) = 'array'),
    notify_via         smallint NOT NULL DEFAULT 0,
    notify_when        smallint NOT NULL DEFAULT 0,
    registered_at      timestamptz NOT NULL DEFAULT now(),
    registered_by      integer,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    updated_by         integer,
    version            bigint NOT NULL DEFAULT 1,
    total_calls        bigint NOT NULL DEFAULT 0,
    total_errors       bigint NOT NULL DEFAULT 0,
    consecutive_errors integer NOT NULL DEFAULT 0,
    last_error         text NOT NULL DEFAULT ''
);

-- The outbox. An event's rows share its event_id (EventId, the same on
-- every retry). id comes from the sequence while the statement that
-- makes the change holds the row lock of what changed (the capture
-- triggers run inside it), so per (webhook, entity, primary_key) ids are
-- in commit order: the deliverer sends a scope's rows in id order, one
-- at a time. A row goes when delivered or dropped. No foreign key to the
-- session: a deleted session's committed events still go out.
CREATE SEQUENCE IF NOT EXISTS chats_webhook_outbox_id_seq;
CREATE TABLE IF NOT EXISTS chats_webhook_outbox (
    id           bigint PRIMARY KEY,
    webhook_id   integer NOT NULL
                 CONSTRAINT chats_webhook_outbox_webhook_fk
                 REFERENCES chats_webhook(id) ON DELETE CASCADE,
    event_id     uuid NOT NULL,
    event        text NOT NULL,
    entity       text NOT NULL,
    primary_key  integer NOT NULL,
    changes      jsonb NOT NULL DEFAULT '[]',
    field_values jsonb,                  -- NULL: the body has none
    actor        integer NOT NULL DEFAULT 0,   -- ChangedByAssociateId
    captured_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    attempts     smallint NOT NULL DEFAULT 0,  -- failed tries so far
    not_before   timestamptz NOT NULL DEFAULT '-infinity'
);
CREATE INDEX IF NOT EXISTS chats_webhook_outbox_scope_idx
    ON chats_webhook_outbox (webhook_id, entity, primary_key, id);
-- A webhook's rows in id order: the deliverer's window
-- (core/sql/chats_webhook_sql.h, CHATS_WEBHOOK_SQL_CLAIM).
CREATE INDEX IF NOT EXISTS chats_webhook_outbox_hook_idx
    ON chats_webhook_outbox (webhook_id, id);

-- Test pings (a webhook's creation, POST Webhook/Test): self-contained,
-- since the webhook tested may not be saved. The deliverer tries once and
-- writes the outcome, which the request waits for.
CREATE TABLE IF NOT EXISTS chats_webhook_probe (
    id          bigserial PRIMARY KEY,
    event_id    uuid NOT NULL,
    name        text NOT NULL,
    target_url  text NOT NULL,
    secret      text NOT NULL DEFAULT '',
    headers     jsonb NOT NULL DEFAULT '{}',
    properties  jsonb NOT NULL DEFAULT '{}',
    actor       integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    done_at     timestamptz,                -- NULL: not tried yet
    ok          boolean,
    message     text
);
