-- mod_chatsession: the step to schema version 6, run by
-- `chatsession-db upgrade` on a version-5 database, in the upgrade's one
-- transaction.
--
-- Version 6 brings ChatTopicEntity, topic agents and presence (issue 19):
-- the lookup tables a topic refers to (tz_location with its seed rows),
-- every column of chat_topic but id and name, its id sequence (set past
-- the ids the table holds, so the module's POST does not collide with
-- them), chat_presence, user_group, and chats_topic_is_open(), all as
-- conf/schema.sql makes them. A topic that was there keeps its id and
-- name; every new member is empty (opening hours off: always open), its
-- version 1 and updated_at the upgrade's time.

SET client_min_messages = warning;

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

CREATE SEQUENCE IF NOT EXISTS chat_topic_id_seq;
SELECT setval('chat_topic_id_seq', coalesce(max(id), 0) + 1, false)
  FROM chat_topic;
ALTER TABLE chat_topic
    ALTER COLUMN id SET DEFAULT nextval('chat_topic_id_seq'),
    ADD COLUMN IF NOT EXISTS description varchar(255) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS welcome_message text NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS language_id integer CONSTRAINT chat_topic_language_fk REFERENCES cust_lang(id),
    ADD COLUMN IF NOT EXISTS alert_recipient varchar(255) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS alert_template integer CONSTRAINT chat_topic_alert_template_fk REFERENCES reply_template(reply_template_id),
    ADD COLUMN IF NOT EXISTS collect_consent boolean NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS badge_header varchar(255) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS custom_queue_text_enabled boolean NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS custom_queue_text varchar(255) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS warning_new_chat integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS manager_warning_new_chat integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS widget_enable_ticket boolean NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS category_id integer CONSTRAINT chat_topic_category_fk REFERENCES ej_category(id),
    ADD COLUMN IF NOT EXISTS priority_id integer CONSTRAINT chat_topic_priority_fk REFERENCES ticket_priority(id),
    ADD COLUMN IF NOT EXISTS use_opening_hours boolean NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS tz_location_id integer CONSTRAINT chat_topic_tz_location_fk REFERENCES tz_location(tz_location_id),
    ADD COLUMN IF NOT EXISTS mon_enabled boolean NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS mon_start integer NOT NULL DEFAULT 0 CHECK (mon_start BETWEEN 0 AND 86399),
    ADD COLUMN IF NOT EXISTS mon_stop integer NOT NULL DEFAULT 0 CHECK (mon_stop BETWEEN 0 AND 86399),
    ADD COLUMN IF NOT EXISTS tue_enabled boolean NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS tue_start integer NOT NULL DEFAULT 0 CHECK (tue_start BETWEEN 0 AND 86399),
    ADD COLUMN IF NOT EXISTS tue_stop integer NOT NULL DEFAULT 0 CHECK (tue_stop BETWEEN 0 AND 86399),
    ADD COLUMN IF NOT EXISTS wed_enabled boolean NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS wed_start integer NOT NULL DEFAULT 0 CHECK (wed_start BETWEEN 0 AND 86399),
    ADD COLUMN IF NOT EXISTS wed_stop integer NOT NULL DEFAULT 0 CHECK (wed_stop BETWEEN 0 AND 86399),
    ADD COLUMN IF NOT EXISTS thu_enabled boolean NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS thu_start integer NOT NULL DEFAULT 0 CHECK (thu_start BETWEEN 0 AND 86399),
    ADD COLUMN IF NOT EXISTS thu_stop integer NOT NULL DEFAULT 0 CHECK (thu_stop BETWEEN 0 AND 86399),
    ADD COLUMN IF NOT EXISTS fri_enabled boolean NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS fri_start integer NOT NULL DEFAULT 0 CHECK (fri_start BETWEEN 0 AND 86399),
    ADD COLUMN IF NOT EXISTS fri_stop integer NOT NULL DEFAULT 0 CHECK (fri_stop BETWEEN 0 AND 86399),
    ADD COLUMN IF NOT EXISTS sat_enabled boolean NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS sat_start integer NOT NULL DEFAULT 0 CHECK (sat_start BETWEEN 0 AND 86399),
    ADD COLUMN IF NOT EXISTS sat_stop integer NOT NULL DEFAULT 0 CHECK (sat_stop BETWEEN 0 AND 86399),
    ADD COLUMN IF NOT EXISTS sun_enabled boolean NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS sun_start integer NOT NULL DEFAULT 0 CHECK (sun_start BETWEEN 0 AND 86399),
    ADD COLUMN IF NOT EXISTS sun_stop integer NOT NULL DEFAULT 0 CHECK (sun_stop BETWEEN 0 AND 86399),
    ADD COLUMN IF NOT EXISTS use_lunch_hours boolean NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS lunch_start integer NOT NULL DEFAULT 0 CHECK (lunch_start BETWEEN 0 AND 86399),
    ADD COLUMN IF NOT EXISTS lunch_stop integer NOT NULL DEFAULT 0 CHECK (lunch_stop BETWEEN 0 AND 86399),
    ADD COLUMN IF NOT EXISTS widget_auto_faq boolean NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS kb_category_id integer CONSTRAINT chat_topic_kb_category_fk REFERENCES kb_category(kb_category_id),
    ADD COLUMN IF NOT EXISTS widget_pre_form boolean NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS widget_pre_message varchar(1024) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS widget_required_fields smallint NOT NULL DEFAULT 0 CHECK (widget_required_fields BETWEEN 0 AND 31),
    ADD COLUMN IF NOT EXISTS widget_post_form boolean NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS widget_post_header varchar(255) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS widget_post_message varchar(1024) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS widget_post_transcript boolean NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS widget_language varchar(63) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS widget_size smallint NOT NULL DEFAULT 0 CHECK (widget_size BETWEEN 0 AND 1),
    ADD COLUMN IF NOT EXISTS widget_theme smallint NOT NULL DEFAULT 0 CHECK (widget_theme BETWEEN 0 AND 1),
    ADD COLUMN IF NOT EXISTS widget_color varchar(16) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS widget_badge_color varchar(16) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS widget_badge_text_color varchar(16) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS widget_cust_msg_color varchar(16) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS widget_cust_msg_text_color varchar(16) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS widget_agent_msg_color varchar(16) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS widget_agent_msg_text_color varchar(16) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS widget_button_color varchar(16) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS widget_button_text_color varchar(16) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS widget_font varchar(64) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS widget_font_size varchar(16) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS widget_show_logo boolean NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS widget_logo_blob_id integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS widget_logo_name varchar(255) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS widget_show_agent_photo boolean NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS widget_welcome_title varchar(255) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS widget_welcome_message varchar(255) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS widget_offline_header varchar(255) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS widget_offline_message varchar(1024) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS widget_offline_fields smallint NOT NULL DEFAULT 0 CHECK (widget_offline_fields BETWEEN 0 AND 31),
    ADD COLUMN IF NOT EXISTS widget_agent_use_firstname boolean NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS bot_enabled boolean NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS bot_name varchar(80) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS bot_register_scriptid integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS bot_session_created_scriptid integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS bot_session_changed_scriptid integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS bot_message_received_scriptid integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS offline_collect_consent boolean NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS warning_chat_message integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS manager_warning_chat_message integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS use_queue_offline_form boolean NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS offline_form_time_limit integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS offline_form_queue_length integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS widget_enable_rating boolean NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS widget_rating_text varchar(1024) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS version bigint NOT NULL DEFAULT 1,
    ADD COLUMN IF NOT EXISTS updated_at timestamptz NOT NULL DEFAULT now();
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
