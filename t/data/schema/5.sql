-- mod_chatsession: PostgreSQL schema.
--
-- chat_session holds one column per ChatSessionEntity field (names follow
-- SuperOffice's own chat_session table where the docs give them), plus
-- version (the strong ETag, If-Match) and updated_at (Last-Modified,
-- If-Unmodified-Since). Carriers (User, Person, Contact, ...) are rows of their
-- own tables, referenced by nullable foreign keys: NULL renders as null.
-- A carrier table has one column per stored member of the carrier
-- (modules/core/schema/chats_carriers.c); derived members (FullName,
-- ContactName, ...) are computed from these columns and the rows they
-- reference. The column lists here and the field table in
-- modules/core/schema/chats_schema.c describe the same thing;
-- t/engine/schema.t checks that they agree.
--
-- This file creates the CURRENT schema version in an empty database
-- (`chatsession-db upgrade`, with auth.sql, locale.sql and render.sql).
-- It is never run over an older database: every change between two
-- versions lives only in conf/upgrade/N.sql, the step from version N-1
-- to N, which `chatsession-db upgrade` runs in order. A change to a
-- table here therefore comes with its step (and CHATS_SCHEMA_VERSION);
-- t/api/schema_upgrade.t upgrades the databases of every older version,
-- made by the schema.sql of their day (t/data/schema/), and holds them
-- against a fresh one.

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
    contact_id         integer PRIMARY KEY,
    name               varchar(255) NOT NULL DEFAULT '',
    department         varchar(255) NOT NULL DEFAULT '',
    org_nr             varchar(64) NOT NULL DEFAULT '',
    url                varchar(255) NOT NULL DEFAULT '',
    city               varchar(255) NOT NULL DEFAULT '',
    direct_phone       varchar(64) NOT NULL DEFAULT '',
    email_address      varchar(255) NOT NULL DEFAULT '',
    country_id         integer NOT NULL DEFAULT 0,
    associate_id       integer REFERENCES associate(associate_id),
    kananame           varchar(255) NOT NULL DEFAULT '',
    email_address_name varchar(255) NOT NULL DEFAULT '',
    url_name           varchar(255) NOT NULL DEFAULT '',
    business_name      varchar(255) NOT NULL DEFAULT '',
    category_name      varchar(255) NOT NULL DEFAULT '',
    country_name       varchar(255) NOT NULL DEFAULT '',
    formatted_address  varchar(2000) NOT NULL DEFAULT '',
    is_owner_contact   boolean NOT NULL DEFAULT false,
    active_erp_links   integer NOT NULL DEFAULT 0,
    number1            varchar(64) NOT NULL DEFAULT '',
    number2            varchar(64) NOT NULL DEFAULT '',
    fax_phone          varchar(64) NOT NULL DEFAULT ''  -- Person.ContactFax
);

CREATE TABLE IF NOT EXISTS person (
    person_id            integer PRIMARY KEY,
    firstname            varchar(255) NOT NULL DEFAULT '',
    middle_name          varchar(255) NOT NULL DEFAULT '',
    lastname             varchar(255) NOT NULL DEFAULT '',
    title                varchar(255) NOT NULL DEFAULT '',
    email                varchar(255) NOT NULL DEFAULT '',
    direct_phone         varchar(64) NOT NULL DEFAULT '',
    mobile_phone         varchar(64) NOT NULL DEFAULT '',
    country_id           integer NOT NULL DEFAULT 0,
    contact_id           integer REFERENCES contact(contact_id),
    associate_id         integer REFERENCES associate(associate_id),
    position             varchar(255) NOT NULL DEFAULT '',
    mrmrs                varchar(64) NOT NULL DEFAULT '',
    description          varchar(2000) NOT NULL DEFAULT '',
    retired              smallint NOT NULL DEFAULT 0,
    rank                 smallint NOT NULL DEFAULT 0,
    active_interests     smallint NOT NULL DEFAULT 0,
    fax_phone            varchar(64) NOT NULL DEFAULT '',
    use_person_address   boolean NOT NULL DEFAULT false,
    kanafname            varchar(255) NOT NULL DEFAULT '',
    kanalname            varchar(255) NOT NULL DEFAULT '',
    post1                varchar(255) NOT NULL DEFAULT '',
    post2                varchar(255) NOT NULL DEFAULT '',
    post3                varchar(255) NOT NULL DEFAULT '',
    email_name           varchar(255) NOT NULL DEFAULT '',
    active_erp_links     integer NOT NULL DEFAULT 0,
    ticket_priority_id   integer NOT NULL DEFAULT 0,
    support_language_id  integer NOT NULL DEFAULT 0,
    support_associate_id integer NOT NULL DEFAULT 0,
    person_number        varchar(64) NOT NULL DEFAULT ''
);

CREATE TABLE IF NOT EXISTS project (
    project_id       integer PRIMARY KEY,
    name             varchar(255) NOT NULL DEFAULT '',
    description      varchar(2000) NOT NULL DEFAULT '',
    project_number   varchar(64) NOT NULL DEFAULT '',
    type             varchar(255) NOT NULL DEFAULT '',
    status           varchar(255) NOT NULL DEFAULT '',
    associate_id     integer REFERENCES associate(associate_id),
    url              varchar(255) NOT NULL DEFAULT '',
    type_id          integer NOT NULL DEFAULT 0,
    updated          timestamptz,
    status_id        integer NOT NULL DEFAULT 0,
    text_id          integer NOT NULL DEFAULT 0,
    publish_to       timestamptz,
    publish_from     timestamptz,
    is_published     boolean NOT NULL DEFAULT false,
    url_name         varchar(255) NOT NULL DEFAULT '',
    active_erp_links integer NOT NULL DEFAULT 0,
    event_id         integer NOT NULL DEFAULT 0,
    start_date       timestamptz
);

CREATE TABLE IF NOT EXISTS sale (
    sale_id          integer PRIMARY KEY,
    title            varchar(255) NOT NULL DEFAULT '',
    amount           double precision NOT NULL DEFAULT 0,
    currency         varchar(16) NOT NULL DEFAULT '',
    probability      smallint NOT NULL DEFAULT 0,
    sale_date        timestamptz,
    contact_id       integer REFERENCES contact(contact_id),
    associate_id     integer REFERENCES associate(associate_id),
    description      varchar(2000) NOT NULL DEFAULT '',
    status           smallint NOT NULL DEFAULT 1,  -- SaleStatus
    project_id       integer REFERENCES project(project_id),
    earning_percent  double precision NOT NULL DEFAULT 0,
    earning          double precision NOT NULL DEFAULT 0,
    person_id        integer REFERENCES person(person_id),
    sale_type_id     integer NOT NULL DEFAULT 0,
    sale_type_name   varchar(255) NOT NULL DEFAULT '',
    completed        smallint NOT NULL DEFAULT 0,  -- ActivityStatus
    active_erp_links integer NOT NULL DEFAULT 0,
    next_due_date    timestamptz,
    number           varchar(64) NOT NULL DEFAULT ''
);

CREATE TABLE IF NOT EXISTS ticket (
    ticket_id                   integer PRIMARY KEY,
    title                       varchar(255) NOT NULL DEFAULT '',
    created_at                  timestamptz,
    priority                    integer NOT NULL DEFAULT 0,
    from_address                varchar(255) NOT NULL DEFAULT '',
    owned_by                    integer REFERENCES associate(associate_id),
    last_changed                timestamptz,
    read_by_owner               timestamptz,
    read_by_customer            timestamptz,
    first_read_by_user          timestamptz,
    activate                    timestamptz,
    closed_at                   timestamptz,
    replied_at                  timestamptz,
    alert_timeout               timestamptz,
    deadline                    timestamptz,
    created_by                  integer REFERENCES associate(associate_id),
    author                      varchar(255) NOT NULL DEFAULT '',
    category                    integer NOT NULL DEFAULT 0,
    category_name               varchar(255) NOT NULL DEFAULT '',
    category_fullname           varchar(1000) NOT NULL DEFAULT '',
    slevel                      smallint NOT NULL DEFAULT 0,  -- TicketSecurityLevel
    priority_name               varchar(255) NOT NULL DEFAULT '',
    base_status                 smallint NOT NULL DEFAULT 1,  -- TicketBaseStatus
    ticket_status               integer NOT NULL DEFAULT 0,
    ticket_status_display_value varchar(255) NOT NULL DEFAULT '',
    origin                      smallint NOT NULL DEFAULT 0,  -- TicketOrigin
    cust_id                     integer REFERENCES person(person_id),
    alert_level                 smallint NOT NULL DEFAULT 0,
    connect_id                  integer NOT NULL DEFAULT 0,
    read_status                 smallint NOT NULL DEFAULT 0,  -- TicketReadStatus
    time_to_reply               integer NOT NULL DEFAULT 0,
    real_time_to_reply          integer NOT NULL DEFAULT 0,
    time_to_close               integer NOT NULL DEFAULT 0,
    real_time_to_close          integer NOT NULL DEFAULT 0,
    time_spent_internally       integer NOT NULL DEFAULT 0,
    time_spent_externally       integer NOT NULL DEFAULT 0,
    time_spent_queue            integer NOT NULL DEFAULT 0,
    real_time_spent_internally  integer NOT NULL DEFAULT 0,
    real_time_spent_externally  integer NOT NULL DEFAULT 0,
    real_time_spent_queue       integer NOT NULL DEFAULT 0,
    time_spent                  integer NOT NULL DEFAULT 0,
    has_attachment              boolean NOT NULL DEFAULT false,
    num_replies                 integer NOT NULL DEFAULT 0,
    num_messages                integer NOT NULL DEFAULT 0,
    contact_id                  integer REFERENCES contact(contact_id),
    language                    varchar(64) NOT NULL DEFAULT '',
    sentiment                   integer NOT NULL DEFAULT 0,
    sentiment_confidence        integer NOT NULL DEFAULT 0,
    sale_id                     integer REFERENCES sale(sale_id),
    project_id                  integer REFERENCES project(project_id),
    form_submission_id          integer NOT NULL DEFAULT 0,
    ticket_type_id              integer NOT NULL DEFAULT 0,
    ticket_type_name            varchar(255) NOT NULL DEFAULT ''
);

CREATE SEQUENCE IF NOT EXISTS chat_session_id_seq;

-- The foreign keys are named (schema version 4): the module maps a
-- violation's constraint name to the API field it refers from (a table in
-- modules/store/mod_chats_store_err.c), not PostgreSQL's generated names.
CREATE TABLE IF NOT EXISTS chat_session (
    id                integer PRIMARY KEY DEFAULT nextval('chat_session_id_seq'),
    topic_id          integer CONSTRAINT chat_session_topic_fk
                      REFERENCES chat_topic(id),
    user_id           integer CONSTRAINT chat_session_user_fk
                      REFERENCES associate(associate_id),
    customer_id       integer CONSTRAINT chat_session_customer_fk
                      REFERENCES person(person_id),
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
    contact_id        integer CONSTRAINT chat_session_contact_fk
                      REFERENCES contact(contact_id),
    project_id        integer CONSTRAINT chat_session_project_fk
                      REFERENCES project(project_id),
    sale_id           integer CONSTRAINT chat_session_sale_fk
                      REFERENCES sale(sale_id),
    ticket_id         integer CONSTRAINT chat_session_ticket_fk
                      REFERENCES ticket(ticket_id),
    transfer_to       integer CONSTRAINT chat_session_transfer_to_fk
                      REFERENCES associate(associate_id),
    chatbot_isactive  boolean NOT NULL DEFAULT false,
    rating            integer NOT NULL DEFAULT 0,
    version           bigint NOT NULL DEFAULT 1,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    -- The messages' bookkeeping (version 3; no entity field, like
    -- version): the last message's id, taken under the row lock (see
    -- chat_message), and whether a ToUser/ToCustomer message exists
    -- (FirstMessage is set once).
    last_message_id   integer,
    has_text_message  boolean NOT NULL DEFAULT false
);

CREATE INDEX IF NOT EXISTS chat_session_topic_idx ON chat_session (topic_id);
CREATE INDEX IF NOT EXISTS chat_session_user_idx ON chat_session (user_id);
CREATE INDEX IF NOT EXISTS chat_session_customer_idx ON chat_session (customer_id);
CREATE INDEX IF NOT EXISTS chat_session_status_idx
    ON chat_session (status, topic_id, id);

-- ---------------------------------------------------------------- version 3
-- Topic membership (spec §1 ForCurrentUser: "Can Respond, Notifications,
-- Listen or Manager"); a member has at least one role. Pickup needs
-- can_respond. The primary key leads with the associate: "my topics" is an
-- index-only scan.
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

-- Messages: the ChatMessage carrier (spec §2), one column per member; the
-- field table is modules/core/schema/chats_message_schema.c
-- (t/engine/schema.t holds the two together). Message ids are taken
-- under the session's row lock (every
-- statement that inserts one sets chat_session.last_message_id from the
-- sequence first), so per session they are commit-ordered and "after=N"
-- never skips a message that commits later.
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

-- The queue: the list's "Status eq 'InQueue' orderBy WhenRequested" and
-- Pickup's "oldest InQueue of my topics" read it in order, without a sort.
CREATE INDEX IF NOT EXISTS chat_session_queue_idx
    ON chat_session (status, when_requested, id);

-- Live consoles: the trigger that announces every new message at commit
-- is made from the module's channel name, in the generated render.sql
-- (chats-schema --render-sql).

-- Idempotency-Key (schema version 5; README "Retrying writes safely"): a
-- write sent with a key records here, in the same statement, the answer
-- it was given: per associate and key, a SHA-256 of the request (method,
-- route, target, body), the status, and the id of the entity answered
-- (NULL: a null answer, e.g. Pickup with nothing queued). A repeat of
-- the request within 24 hours gets that answer without writing; the key
-- with another request, 422. The statements of the module purge rows
-- past 24 hours a few at a time (created_at's index), and ignore them
-- meanwhile. The primary key's name is what the module
-- maps a repeat's unique violation by.
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
CREATE INDEX IF NOT EXISTS chats_idempotency_created_idx
    ON chats_idempotency (created_at);
