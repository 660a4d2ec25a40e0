-- mod_chatsession: PostgreSQL schema.
--
-- chat_session holds one column per ChatSessionEntity field (names follow
-- SuperOffice's own chat_session table where the docs give them), plus
-- version (optimistic concurrency, the strong ETag) and updated_at
-- (Last-Modified). Carriers (User, Person, Contact, ...) are rows of their
-- own tables, referenced by nullable foreign keys: NULL renders as null.
-- The column lists here and the field table in modules/chats_schema.c
-- describe the same thing; t/api/schema.t checks that they agree.

SET client_min_messages = warning;

CREATE TABLE IF NOT EXISTS chat_topic (
    id          integer PRIMARY KEY,
    name        varchar(255) NOT NULL DEFAULT ''
);

CREATE TABLE IF NOT EXISTS associate (
    associate_id  integer PRIMARY KEY,
    name          varchar(64) NOT NULL UNIQUE,   -- login name / initials
    person_id     integer NOT NULL DEFAULT 0,
    rank          smallint NOT NULL DEFAULT 0,
    tooltip       varchar(255) NOT NULL DEFAULT '',
    type          smallint NOT NULL DEFAULT 1,   -- UserType
    group_idx     integer NOT NULL DEFAULT 0,
    full_name     varchar(255) NOT NULL DEFAULT '',
    formal_name   varchar(255) NOT NULL DEFAULT '',
    deleted       boolean NOT NULL DEFAULT false,
    ej_user_id    integer NOT NULL DEFAULT 0,
    user_name     varchar(255) NOT NULL DEFAULT '',
    -- apr_password_validate() format; bcrypt ($2y$) in the demo data
    password_hash varchar(255)
);

CREATE TABLE IF NOT EXISTS contact (
    contact_id    integer PRIMARY KEY,
    name          varchar(255) NOT NULL DEFAULT '',
    department    varchar(255) NOT NULL DEFAULT '',
    org_nr        varchar(64) NOT NULL DEFAULT '',
    url           varchar(255) NOT NULL DEFAULT '',
    city          varchar(255) NOT NULL DEFAULT '',
    direct_phone  varchar(64) NOT NULL DEFAULT '',
    email_address varchar(255) NOT NULL DEFAULT '',
    country_id    integer NOT NULL DEFAULT 0,
    associate_id  integer REFERENCES associate(associate_id)
);

CREATE TABLE IF NOT EXISTS person (
    person_id     integer PRIMARY KEY,
    firstname     varchar(255) NOT NULL DEFAULT '',
    middle_name   varchar(255) NOT NULL DEFAULT '',
    lastname      varchar(255) NOT NULL DEFAULT '',
    title         varchar(255) NOT NULL DEFAULT '',
    email         varchar(255) NOT NULL DEFAULT '',
    direct_phone  varchar(64) NOT NULL DEFAULT '',
    mobile_phone  varchar(64) NOT NULL DEFAULT '',
    country_id    integer NOT NULL DEFAULT 0,
    contact_id    integer REFERENCES contact(contact_id),
    associate_id  integer REFERENCES associate(associate_id)
);

CREATE TABLE IF NOT EXISTS project (
    project_id     integer PRIMARY KEY,
    name           varchar(255) NOT NULL DEFAULT '',
    description    varchar(2000) NOT NULL DEFAULT '',
    project_number varchar(64) NOT NULL DEFAULT '',
    type           varchar(255) NOT NULL DEFAULT '',
    status         varchar(255) NOT NULL DEFAULT '',
    associate_id   integer REFERENCES associate(associate_id)
);

CREATE TABLE IF NOT EXISTS sale (
    sale_id      integer PRIMARY KEY,
    title        varchar(255) NOT NULL DEFAULT '',
    amount       double precision NOT NULL DEFAULT 0,
    currency     varchar(16) NOT NULL DEFAULT '',
    probability  smallint NOT NULL DEFAULT 0,
    sale_date    timestamptz,
    contact_id   integer REFERENCES contact(contact_id),
    associate_id integer REFERENCES associate(associate_id)
);

CREATE TABLE IF NOT EXISTS ticket (
    ticket_id    integer PRIMARY KEY,
    title        varchar(255) NOT NULL DEFAULT '',
    created_at   timestamptz,
    priority     integer NOT NULL DEFAULT 0,
    from_address varchar(255) NOT NULL DEFAULT '',
    owned_by     integer REFERENCES associate(associate_id)
);

CREATE SEQUENCE IF NOT EXISTS chat_session_id_seq;

CREATE TABLE IF NOT EXISTS chat_session (
    id                integer PRIMARY KEY DEFAULT nextval('chat_session_id_seq'),
    topic_id          integer REFERENCES chat_topic(id),
    user_id           integer REFERENCES associate(associate_id),
    customer_id       integer REFERENCES person(person_id),
    customer_alias    varchar(64) NOT NULL DEFAULT '',
    customer_host     varchar(255) NOT NULL DEFAULT '',
    name              varchar(255) NOT NULL DEFAULT '',
    email             varchar(255) NOT NULL DEFAULT '',
    phone             varchar(32) NOT NULL DEFAULT '',
    consented         boolean NOT NULL DEFAULT false,
    company_name      varchar(255) NOT NULL DEFAULT '',
    status            smallint NOT NULL DEFAULT 0,     -- ChatSessionStatus
    first_message     varchar(1024) NOT NULL DEFAULT '',
    last_message      varchar(1024) NOT NULL DEFAULT '',
    when_requested    timestamptz,
    when_started      timestamptz,
    when_ended        timestamptz,
    idle              timestamptz,
    customer_fetch    timestamptz,
    session_key       varchar(255) NOT NULL DEFAULT '',
    initial_queue_pos integer NOT NULL DEFAULT 0,
    alert_level       integer NOT NULL DEFAULT 0,
    rank              integer NOT NULL DEFAULT 0,
    flags             smallint NOT NULL DEFAULT 0,     -- ChatSessionFlags
    contact_id        integer REFERENCES contact(contact_id),
    project_id        integer REFERENCES project(project_id),
    sale_id           integer REFERENCES sale(sale_id),
    ticket_id         integer REFERENCES ticket(ticket_id),
    transfer_to       integer REFERENCES associate(associate_id),
    chatbot_isactive  boolean NOT NULL DEFAULT false,
    rating            integer NOT NULL DEFAULT 0,
    version           bigint NOT NULL DEFAULT 1,
    updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS chat_session_topic_idx ON chat_session (topic_id);
CREATE INDEX IF NOT EXISTS chat_session_user_idx ON chat_session (user_id);
CREATE INDEX IF NOT EXISTS chat_session_customer_idx ON chat_session (customer_id);
CREATE INDEX IF NOT EXISTS chat_session_status_idx
    ON chat_session (status, topic_id, id);
