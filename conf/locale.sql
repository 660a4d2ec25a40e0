-- mod_chatsession: string resources (modules/handlers/mod_chats_locale.c).
--
-- A rendered string may hold SuperOffice resource tokens such as
-- "[SR_MANDATORY_FIELD_1281]" (a FieldRight Reason, for instance). When
-- the request names a language (SO-Language, else Accept-Language), each
-- token is replaced by the text of its id (the token without brackets) in
-- the best language this table has: the tag as asked ("nb-no"), its
-- primary subtag ("nb"), Norwegian aliases (no <-> nb, nn -> nb), then
-- the ChatSessionLanguage directive's language (default en). Ids found in
-- none of them stay raw. lang is a lower-case language tag.
--
-- Load after conf/schema.sql; safe to load again (./serve does).

SET client_min_messages = warning;

CREATE TABLE IF NOT EXISTS string_resource (
    id    text NOT NULL CHECK (id ~ '^SR_[A-Za-z0-9_]+$'),
    lang  text NOT NULL CHECK (lang ~ '^[a-z]{1,8}(-[a-z0-9]{1,8})*$'),
    text  text NOT NULL,
    PRIMARY KEY (id, lang)
);

-- Demo rows: enough for the reasons the entity's FieldProperties give and
-- for the tests (t/api/locale.t). nb is Norwegian Bokmål ("no" finds it).
INSERT INTO string_resource (id, lang, text) VALUES
    ('SR_MANDATORY_FIELD_1281', 'en', 'This field is mandatory'),
    ('SR_MANDATORY_FIELD_1281', 'nb', 'Dette feltet er obligatorisk'),
    ('SR_READONLY_FIELD', 'en', 'This field is read-only'),
    ('SR_READONLY_FIELD', 'nb', 'Dette feltet kan ikke endres'),
    ('SR_NO_ACCESS', 'en', 'You do not have access to this'),
    ('SR_NO_ACCESS', 'nb', 'Du har ikke tilgang til dette'),
    ('SR_CHAT_SESSION', 'en', 'Chat session'),
    ('SR_CHAT_SESSION', 'nb', 'Chatteøkt'),
    ('SR_CHAT_SESSION', 'en-gb', 'Chat session'),
    ('SR_ONLY_ENGLISH', 'en', 'Only in English')
ON CONFLICT (id, lang) DO NOTHING;
