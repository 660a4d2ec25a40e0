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

-- ---------------------------------------------------------------- version 6
-- ChatTopicEntity (issue 19; the ChatTopic field table is
-- modules/core/schema/chats_topic_schema.c): its lookups first, each a
-- carrier's table keyed by the carrier's key member. tz_location holds
-- the zones of GET /api/v1/timezone whose ids SuperOffice documents;
-- zone is the IANA name the opening hours are read in (spelled as
-- modules/core/proto/chats_zone.c spells it). Rows for other zones an
-- administrator may add.
CREATE TABLE IF NOT EXISTS cust_lang (
    id       integer PRIMARY KEY,
    value    varchar(255) NOT NULL DEFAULT '',
    tooltip  varchar(255) NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS reply_template (
    reply_template_id integer PRIMARY KEY,
    name              varchar(255) NOT NULL DEFAULT '',
    description       varchar(255) NOT NULL DEFAULT '',
    folder_id         integer NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS ej_category (
    id       integer PRIMARY KEY,
    value    varchar(255) NOT NULL DEFAULT '',
    tooltip  varchar(255) NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS ticket_priority (
    id       integer PRIMARY KEY,
    value    varchar(255) NOT NULL DEFAULT '',
    tooltip  varchar(255) NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS kb_category (
    kb_category_id integer PRIMARY KEY,
    name           varchar(255) NOT NULL DEFAULT '',
    description    varchar(2000) NOT NULL DEFAULT '',
    fullname       varchar(1000) NOT NULL DEFAULT '',
    parent_id      integer NOT NULL DEFAULT 0,
    sort_order     integer NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS tz_location (
    tz_location_id integer PRIMARY KEY,
    name           varchar(255) NOT NULL DEFAULT '',
    code           varchar(16) NOT NULL DEFAULT '',
    cities         varchar(255) NOT NULL DEFAULT '',
    iso_number     integer NOT NULL DEFAULT 0,
    zone           text NOT NULL
);
INSERT INTO tz_location (tz_location_id, name, code, cities, iso_number,
                         zone) VALUES
    (1, 'Coordinated Universal Time', 'UTC', '', 0, 'UTC'),
    (140, 'Denmark', 'DK', 'Copenhagen', 208, 'Europe/Copenhagen'),
    (261, 'Norway', 'NO', 'Oslo', 578, 'Europe/Oslo'),
    (460, 'United States, Eastern', 'US-NY', 'New York', 840,
     'America/New_York')
ON CONFLICT DO NOTHING;

-- chat_topic: one column per ChatTopicEntity field (SuperOffice's
-- chat_topic names where its docs give them; the groups OpeningHours,
-- Widget and BotSettings flattened into their members' columns), plus
-- version and updated_at, as on chat_session. A time of day (Start,
-- Stop) is integer seconds since midnight, 0..86399; enums and flags are
-- smallint within their values. The foreign keys are named as
-- chat_session's are (chat_topic_<column without _id>_fk).
CREATE SEQUENCE IF NOT EXISTS chat_topic_id_seq;
CREATE TABLE IF NOT EXISTS chat_topic (
    id                            integer PRIMARY KEY
                                  DEFAULT nextval('chat_topic_id_seq'),
    name                          varchar(255) NOT NULL DEFAULT '',
    description                   varchar(255) NOT NULL DEFAULT '',
    welcome_message               text NOT NULL DEFAULT '',
    language_id                   integer CONSTRAINT chat_topic_language_fk
                                  REFERENCES cust_lang(id),
    alert_recipient               varchar(255) NOT NULL DEFAULT '',
    alert_template                integer CONSTRAINT chat_topic_alert_template_fk
                                  REFERENCES reply_template(reply_template_id),
    collect_consent               boolean NOT NULL DEFAULT false,
    badge_header                  varchar(255) NOT NULL DEFAULT '',
    custom_queue_text_enabled     boolean NOT NULL DEFAULT false,
    custom_queue_text             varchar(255) NOT NULL DEFAULT '',
    warning_new_chat              integer NOT NULL DEFAULT 0,
    manager_warning_new_chat      integer NOT NULL DEFAULT 0,
    widget_enable_ticket          boolean NOT NULL DEFAULT false,
    category_id                   integer CONSTRAINT chat_topic_category_fk
                                  REFERENCES ej_category(id),
    priority_id                   integer CONSTRAINT chat_topic_priority_fk
                                  REFERENCES ticket_priority(id),
    use_opening_hours             boolean NOT NULL DEFAULT false,
    tz_location_id                integer CONSTRAINT chat_topic_tz_location_fk
                                  REFERENCES tz_location(tz_location_id),
    mon_enabled                   boolean NOT NULL DEFAULT false,
    mon_start                     integer NOT NULL DEFAULT 0
                                  CHECK (mon_start BETWEEN 0 AND 86399),
    mon_stop                      integer NOT NULL DEFAULT 0
                                  CHECK (mon_stop BETWEEN 0 AND 86399),
    tue_enabled                   boolean NOT NULL DEFAULT false,
    tue_start                     integer NOT NULL DEFAULT 0
                                  CHECK (tue_start BETWEEN 0 AND 86399),
    tue_stop                      integer NOT NULL DEFAULT 0
                                  CHECK (tue_stop BETWEEN 0 AND 86399),
    wed_enabled                   boolean NOT NULL DEFAULT false,
    wed_start                     integer NOT NULL DEFAULT 0
                                  CHECK (wed_start BETWEEN 0 AND 86399),
    wed_stop                      integer NOT NULL DEFAULT 0
                                  CHECK (wed_stop BETWEEN 0 AND 86399),
    thu_enabled                   boolean NOT NULL DEFAULT false,
    thu_start                     integer NOT NULL DEFAULT 0
                                  CHECK (thu_start BETWEEN 0 AND 86399),
    thu_stop                      integer NOT NULL DEFAULT 0
                                  CHECK (thu_stop BETWEEN 0 AND 86399),
    fri_enabled                   boolean NOT NULL DEFAULT false,
    fri_start                     integer NOT NULL DEFAULT 0
                                  CHECK (fri_start BETWEEN 0 AND 86399),
    fri_stop                      integer NOT NULL DEFAULT 0
                                  CHECK (fri_stop BETWEEN 0 AND 86399),
    sat_enabled                   boolean NOT NULL DEFAULT false,
    sat_start                     integer NOT NULL DEFAULT 0
                                  CHECK (sat_start BETWEEN 0 AND 86399),
    sat_stop                      integer NOT NULL DEFAULT 0
                                  CHECK (sat_stop BETWEEN 0 AND 86399),
    sun_enabled                   boolean NOT NULL DEFAULT false,
    sun_start                     integer NOT NULL DEFAULT 0
                                  CHECK (sun_start BETWEEN 0 AND 86399),
    sun_stop                      integer NOT NULL DEFAULT 0
                                  CHECK (sun_stop BETWEEN 0 AND 86399),
    use_lunch_hours               boolean NOT NULL DEFAULT false,
    lunch_start                   integer NOT NULL DEFAULT 0
                                  CHECK (lunch_start BETWEEN 0 AND 86399),
    lunch_stop                    integer NOT NULL DEFAULT 0
                                  CHECK (lunch_stop BETWEEN 0 AND 86399),
    widget_auto_faq               boolean NOT NULL DEFAULT false,
    kb_category_id                integer CONSTRAINT chat_topic_kb_category_fk
                                  REFERENCES kb_category(kb_category_id),
    widget_pre_form               boolean NOT NULL DEFAULT false,
    widget_pre_message            varchar(1024) NOT NULL DEFAULT '',
    widget_required_fields        smallint NOT NULL DEFAULT 0
                                  CHECK (widget_required_fields BETWEEN 0 AND 31),
    widget_post_form              boolean NOT NULL DEFAULT false,
    widget_post_header            varchar(255) NOT NULL DEFAULT '',
    widget_post_message           varchar(1024) NOT NULL DEFAULT '',
    widget_post_transcript        boolean NOT NULL DEFAULT false,
    widget_language               varchar(63) NOT NULL DEFAULT '',
    widget_size                   smallint NOT NULL DEFAULT 0
                                  CHECK (widget_size BETWEEN 0 AND 1),
    widget_theme                  smallint NOT NULL DEFAULT 0
                                  CHECK (widget_theme BETWEEN 0 AND 1),
    widget_color                  varchar(16) NOT NULL DEFAULT '',
    widget_badge_color            varchar(16) NOT NULL DEFAULT '',
    widget_badge_text_color       varchar(16) NOT NULL DEFAULT '',
    widget_cust_msg_color         varchar(16) NOT NULL DEFAULT '',
    widget_cust_msg_text_color    varchar(16) NOT NULL DEFAULT '',
    widget_agent_msg_color        varchar(16) NOT NULL DEFAULT '',
    widget_agent_msg_text_color   varchar(16) NOT NULL DEFAULT '',
    widget_button_color           varchar(16) NOT NULL DEFAULT '',
    widget_button_text_color      varchar(16) NOT NULL DEFAULT '',
    widget_font                   varchar(64) NOT NULL DEFAULT '',
    widget_font_size              varchar(16) NOT NULL DEFAULT '',
    widget_show_logo              boolean NOT NULL DEFAULT false,
    widget_logo_blob_id           integer NOT NULL DEFAULT 0,
    widget_logo_name              varchar(255) NOT NULL DEFAULT '',
    widget_show_agent_photo       boolean NOT NULL DEFAULT false,
    widget_welcome_title          varchar(255) NOT NULL DEFAULT '',
    widget_welcome_message        varchar(255) NOT NULL DEFAULT '',
    widget_offline_header         varchar(255) NOT NULL DEFAULT '',
    widget_offline_message        varchar(1024) NOT NULL DEFAULT '',
    widget_offline_fields         smallint NOT NULL DEFAULT 0
                                  CHECK (widget_offline_fields BETWEEN 0 AND 31),
    widget_agent_use_firstname    boolean NOT NULL DEFAULT false,
    bot_enabled                   boolean NOT NULL DEFAULT false,
    bot_name                      varchar(80) NOT NULL DEFAULT '',
    bot_register_scriptid         integer NOT NULL DEFAULT 0,
    bot_session_created_scriptid  integer NOT NULL DEFAULT 0,
    bot_session_changed_scriptid  integer NOT NULL DEFAULT 0,
    bot_message_received_scriptid integer NOT NULL DEFAULT 0,
    offline_collect_consent       boolean NOT NULL DEFAULT false,
    warning_chat_message          integer NOT NULL DEFAULT 0,
    manager_warning_chat_message  integer NOT NULL DEFAULT 0,
    use_queue_offline_form        boolean NOT NULL DEFAULT false,
    offline_form_time_limit       integer NOT NULL DEFAULT 0,
    offline_form_queue_length     integer NOT NULL DEFAULT 0,
    widget_enable_rating          boolean NOT NULL DEFAULT false,
    widget_rating_text            varchar(1024) NOT NULL DEFAULT '',
    version                       bigint NOT NULL DEFAULT 1,
    updated_at                    timestamptz NOT NULL DEFAULT now(),
    updated_by                    integer    -- version 7, as on chat_session
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
    -- Who wrote the row last through the module (version 7): the
    -- associate id of the caller, NULL for one who is no associate or for
    -- SQL from elsewhere. A webhook event's ChangedByAssociateId.
    updated_by        integer,
    -- The module's own writes capture their webhook events in their one
    -- statement (version 8; core/sql/chats_webhook_sql.h): the version
    -- such a write made, which tells the capture triggers to leave it
    -- alone, and the fields it changed, one bit each.
    webhook_version   bigint,
    webhook_changes   bigint,
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

-- Presence (ChatPresence.Present, issue 19): one row per associate who
-- has said whether they are present; no row is "not present".
CREATE TABLE IF NOT EXISTS chat_presence (
    associate_id integer PRIMARY KEY
                 CONSTRAINT chat_presence_associate_fk
                 REFERENCES associate(associate_id) ON DELETE CASCADE,
    present      boolean NOT NULL DEFAULT false,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- The names of associate.group_idx's groups (GetUserAgentList groups
-- users by them); a group without a row has a made-up name.
CREATE TABLE IF NOT EXISTS user_group (
    id    integer PRIMARY KEY,
    name  varchar(255) NOT NULL DEFAULT ''
);

-- Whether chat topic p_topic is open at instant p_at (IsOpen, GET
-- ChatTopic/{id}/IsOpen; t/api/topic_isopen.t); NULL when there is no
-- such topic. A topic that does not use opening hours is always open.
-- Otherwise the wall clock of the topic's zone (tz_location.zone; none:
-- p_default_zone, the module's ChatSessionTimeZone) decides: open when
-- that day of the week is enabled and start <= time < stop, a stop of
-- 23:59:59 lasting to the end of the day, and not start <= time < stop
-- of the lunch hours, when used. So a local time the spring change skips
-- is never seen, and the hour the autumn change repeats is judged on
-- both passes.
CREATE OR REPLACE FUNCTION chats_topic_is_open(p_topic integer,
                                               p_at timestamptz,
                                               p_default_zone text)
RETURNS boolean LANGUAGE plpgsql STABLE AS $fn$
DECLARE
    t     chat_topic%ROWTYPE;
    local timestamp;
    secs  numeric;
    day   record;
BEGIN
    SELECT * INTO t FROM chat_topic WHERE id = p_topic;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF NOT t.use_opening_hours THEN
        RETURN true;
    END IF;
    local := p_at AT TIME ZONE coalesce(
        (SELECT z.zone FROM tz_location z
          WHERE z.tz_location_id = t.tz_location_id), p_default_zone);
    secs := extract(epoch FROM local - date_trunc('day', local));
    SELECT w.enabled, w.start, w.stop INTO day
      FROM (VALUES (1, t.mon_enabled, t.mon_start, t.mon_stop),
                   (2, t.tue_enabled, t.tue_start, t.tue_stop),
                   (3, t.wed_enabled, t.wed_start, t.wed_stop),
                   (4, t.thu_enabled, t.thu_start, t.thu_stop),
                   (5, t.fri_enabled, t.fri_start, t.fri_stop),
                   (6, t.sat_enabled, t.sat_start, t.sat_stop),
                   (7, t.sun_enabled, t.sun_start, t.sun_stop))
           AS w(dow, enabled, start, stop)
     WHERE w.dow = extract(isodow FROM local);
    RETURN day.enabled
       AND secs >= day.start
       AND (secs < day.stop OR day.stop = 86399)
       AND NOT (t.use_lunch_hours
                AND secs >= t.lunch_start AND secs < t.lunch_stop);
END
$fn$;

-- ---------------------------------------------------------------- version 7
-- Webhooks (issue 20; README "Webhooks"). A webhook is a subscription of
-- a target URL to event names; the module's own events are captured by
-- the triggers of render.sql (chats-schema --render-sql) in the
-- statement that makes the change, into chats_webhook_outbox, one row per
-- event and subscribed Active webhook, and delivered from there.
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
-- session: a deleted session's committed events still go out. None to
-- the webhook either (version 8): checking it locked the webhook's row
-- in every capturing transaction; render.sql's chats_webhook_forget
-- deletes a deleted webhook's rows.
CREATE SEQUENCE IF NOT EXISTS chats_webhook_outbox_id_seq;
CREATE TABLE IF NOT EXISTS chats_webhook_outbox (
    id           bigint PRIMARY KEY,
    webhook_id   integer NOT NULL,
    event_id     uuid NOT NULL,
    event        text NOT NULL,
    entity       text NOT NULL,
    primary_key  integer NOT NULL,
    changes      jsonb NOT NULL DEFAULT '[]',
    field_values jsonb,                  -- a signal's; NULL: see below
    -- A captured event's FieldValues, compactly (version 8;
    -- chats_webhook_values): numbers, and texts. NULL: the body has none.
    field_ints   int4[],
    field_texts  text[],
    actor        integer NOT NULL DEFAULT 0,   -- ChangedByAssociateId
    captured_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    attempts     smallint NOT NULL DEFAULT 0,  -- failed tries so far
    not_before   timestamptz NOT NULL DEFAULT '-infinity'
);
-- A webhook's rows in id order: the deliverer's window, in which it
-- finds each session's head (core/sql/chats_webhook_sql.h,
-- CHATS_WEBHOOK_SQL_CLAIM; version 8 dropped the index on the scope).
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
