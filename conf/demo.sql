-- mod_chatsession: demo data (loaded by ./serve and ./check).
-- Associate tje0 / password Tje0 are the SuperOffice docs' sample
-- credentials; the hash is bcrypt ($2y$, cost 10), checked by
-- apr_password_validate().
--
-- Chat session 844 is the docs' seed sample, value for value: what a user
-- comparing the demo with the docs' GET sample sees is the same entity
-- (topic 498, every carrier null, the sample's date-times as instants;
-- PostgreSQL keeps microseconds, so .0074687 is stored as .007469).
-- CustomerConsented is true, as the sample response says
-- (t/data/seed-sample-response.json; t/api/demo.t compares every value).
-- Chat session 845 is the carrier-rich demo: User, Person, Contact,
-- Project, Sale and Ticket all point at the rows below.
-- t/api/demo.t checks both; tests never write them.

SET client_min_messages = warning;

-- What the topics refer to: a language, a ticket category and priority, an
-- alert template and a knowledge-base category for the widget's FAQ.
INSERT INTO cust_lang (id, value, tooltip) VALUES
    (1, 'English', 'en'), (2, 'Norwegian', 'no')
ON CONFLICT DO NOTHING;
INSERT INTO ej_category (id, value, tooltip) VALUES
    (1, 'Support', 'Questions from customers'), (2, 'Sales', 'Leads')
ON CONFLICT DO NOTHING;
INSERT INTO ticket_priority (id, value, tooltip) VALUES
    (1, 'Normal', 'Answer within a day'), (2, 'High', 'Answer within an hour')
ON CONFLICT DO NOTHING;
INSERT INTO reply_template (reply_template_id, name, description, folder_id) VALUES
    (1, 'Chat waiting', 'Sent to the alert recipients when a chat waits', 0)
ON CONFLICT DO NOTHING;
INSERT INTO kb_category (kb_category_id, name, description, fullname,
                         parent_id, sort_order) VALUES
    (1, 'FAQ', 'Frequently asked questions', 'FAQ', 0, 1),
    (2, 'Licences', 'Buying and renewing licences', 'FAQ/Licences', 1, 1)
ON CONFLICT DO NOTHING;

-- The topics (README "The database: chatsession-db"). Sales does not use its opening
-- hours, so it is always open (IsOpen true); Support uses them with every
-- day disabled, so it is always closed (IsOpen false, the offline form).
-- Both keep hours Monday to Friday in Oslo for when they are switched on.
-- A cluster whose topics 1 and 2 are still as the upgrade to version 6
-- left them (a name, every other member empty, never written) gets these
-- values; a topic changed since is left alone.
INSERT INTO chat_topic (id, name, description, welcome_message, language_id,
    alert_recipient, alert_template, collect_consent, badge_header,
    custom_queue_text_enabled, custom_queue_text, warning_new_chat,
    manager_warning_new_chat, widget_enable_ticket, category_id, priority_id,
    use_opening_hours, tz_location_id,
    mon_enabled, mon_start, mon_stop, tue_enabled, tue_start, tue_stop,
    wed_enabled, wed_start, wed_stop, thu_enabled, thu_start, thu_stop,
    fri_enabled, fri_start, fri_stop, use_lunch_hours, lunch_start, lunch_stop,
    widget_auto_faq, kb_category_id, widget_pre_form, widget_pre_message,
    widget_required_fields, widget_post_form, widget_post_header,
    widget_post_message, widget_post_transcript, widget_language, widget_size,
    widget_theme, widget_color, widget_badge_color, widget_badge_text_color,
    widget_cust_msg_color, widget_cust_msg_text_color, widget_agent_msg_color,
    widget_agent_msg_text_color, widget_button_color, widget_button_text_color,
    widget_font, widget_font_size, widget_show_agent_photo,
    widget_welcome_title, widget_welcome_message, widget_offline_header,
    widget_offline_message, widget_offline_fields, widget_agent_use_firstname,
    offline_collect_consent, warning_chat_message,
    manager_warning_chat_message, use_queue_offline_form,
    offline_form_time_limit, offline_form_queue_length, widget_enable_rating,
    widget_rating_text) VALUES
    (1, 'Sales', 'Questions before you buy',
     'Welcome to Sales! Ask us about products, prices and licences.', 1,
     'sales@example.com', 1, true, 'Chat with Sales', false, '', 2, 5, false,
     2, 1, false, 261,
     true, 28800, 57600, true, 28800, 57600, true, 28800, 57600,
     true, 28800, 57600, true, 28800, 57600, false, 0, 0,
     true, 2, true, 'Tell us who you are, and we will be right with you.', 3,
     true, 'Thank you!', 'Thanks for chatting with us.', true, 'en', 0, 1,
     '#0a5e58', '#0a5e58', '#ffffff', '#e8f1f0', '#000000', '#0a5e58',
     '#ffffff', '#0a5e58', '#ffffff', 'Arial', '14px', true,
     'Sales', 'Ask us anything about our products.', 'We are away',
     'Leave a message and we will answer by e-mail.', 1, true,
     true, 1, 3, false, 0, 0, true, 'How did we do?'),
    (2, 'Support', 'Help with our products',
     'Welcome to Support. Describe your problem and an agent will help.', 1,
     'support@example.com', 1, true, 'Support', true,
     'All our agents are busy; please wait.', 3, 10, true, 1, 2, true, 261,
     false, 28800, 57600, false, 28800, 57600, false, 28800, 57600,
     false, 28800, 57600, false, 28800, 57600, true, 41400, 43200,
     true, 1, true, 'Your name and e-mail, please.', 3,
     false, '', '', false, 'en', 1, 0,
     '#1e3a8a', '#1e3a8a', '#ffffff', '#eef2ff', '#000000', '#1e3a8a',
     '#ffffff', '#1e3a8a', '#ffffff', 'Helvetica', '14px', false,
     'Support', 'We are here to help.', 'Support is closed',
     'Leave your question: it becomes a ticket, and we answer it by e-mail.',
     3, false, true, 2, 5, true, 5, 10, true, 'Rate our help')
ON CONFLICT (id) DO UPDATE SET
    description = EXCLUDED.description,
    welcome_message = EXCLUDED.welcome_message,
    language_id = EXCLUDED.language_id,
    alert_recipient = EXCLUDED.alert_recipient,
    alert_template = EXCLUDED.alert_template,
    collect_consent = EXCLUDED.collect_consent,
    badge_header = EXCLUDED.badge_header,
    custom_queue_text_enabled = EXCLUDED.custom_queue_text_enabled,
    custom_queue_text = EXCLUDED.custom_queue_text,
    warning_new_chat = EXCLUDED.warning_new_chat,
    manager_warning_new_chat = EXCLUDED.manager_warning_new_chat,
    widget_enable_ticket = EXCLUDED.widget_enable_ticket,
    category_id = EXCLUDED.category_id,
    priority_id = EXCLUDED.priority_id,
    use_opening_hours = EXCLUDED.use_opening_hours,
    tz_location_id = EXCLUDED.tz_location_id,
    mon_enabled = EXCLUDED.mon_enabled, mon_start = EXCLUDED.mon_start,
    mon_stop = EXCLUDED.mon_stop,
    tue_enabled = EXCLUDED.tue_enabled, tue_start = EXCLUDED.tue_start,
    tue_stop = EXCLUDED.tue_stop,
    wed_enabled = EXCLUDED.wed_enabled, wed_start = EXCLUDED.wed_start,
    wed_stop = EXCLUDED.wed_stop,
    thu_enabled = EXCLUDED.thu_enabled, thu_start = EXCLUDED.thu_start,
    thu_stop = EXCLUDED.thu_stop,
    fri_enabled = EXCLUDED.fri_enabled, fri_start = EXCLUDED.fri_start,
    fri_stop = EXCLUDED.fri_stop,
    use_lunch_hours = EXCLUDED.use_lunch_hours,
    lunch_start = EXCLUDED.lunch_start, lunch_stop = EXCLUDED.lunch_stop,
    widget_auto_faq = EXCLUDED.widget_auto_faq,
    kb_category_id = EXCLUDED.kb_category_id,
    widget_pre_form = EXCLUDED.widget_pre_form,
    widget_pre_message = EXCLUDED.widget_pre_message,
    widget_required_fields = EXCLUDED.widget_required_fields,
    widget_post_form = EXCLUDED.widget_post_form,
    widget_post_header = EXCLUDED.widget_post_header,
    widget_post_message = EXCLUDED.widget_post_message,
    widget_post_transcript = EXCLUDED.widget_post_transcript,
    widget_language = EXCLUDED.widget_language,
    widget_size = EXCLUDED.widget_size, widget_theme = EXCLUDED.widget_theme,
    widget_color = EXCLUDED.widget_color,
    widget_badge_color = EXCLUDED.widget_badge_color,
    widget_badge_text_color = EXCLUDED.widget_badge_text_color,
    widget_cust_msg_color = EXCLUDED.widget_cust_msg_color,
    widget_cust_msg_text_color = EXCLUDED.widget_cust_msg_text_color,
    widget_agent_msg_color = EXCLUDED.widget_agent_msg_color,
    widget_agent_msg_text_color = EXCLUDED.widget_agent_msg_text_color,
    widget_button_color = EXCLUDED.widget_button_color,
    widget_button_text_color = EXCLUDED.widget_button_text_color,
    widget_font = EXCLUDED.widget_font,
    widget_font_size = EXCLUDED.widget_font_size,
    widget_show_agent_photo = EXCLUDED.widget_show_agent_photo,
    widget_welcome_title = EXCLUDED.widget_welcome_title,
    widget_welcome_message = EXCLUDED.widget_welcome_message,
    widget_offline_header = EXCLUDED.widget_offline_header,
    widget_offline_message = EXCLUDED.widget_offline_message,
    widget_offline_fields = EXCLUDED.widget_offline_fields,
    widget_agent_use_firstname = EXCLUDED.widget_agent_use_firstname,
    offline_collect_consent = EXCLUDED.offline_collect_consent,
    warning_chat_message = EXCLUDED.warning_chat_message,
    manager_warning_chat_message = EXCLUDED.manager_warning_chat_message,
    use_queue_offline_form = EXCLUDED.use_queue_offline_form,
    offline_form_time_limit = EXCLUDED.offline_form_time_limit,
    offline_form_queue_length = EXCLUDED.offline_form_queue_length,
    widget_enable_rating = EXCLUDED.widget_enable_rating,
    widget_rating_text = EXCLUDED.widget_rating_text
WHERE chat_topic.version = 1 AND chat_topic.description = ''
  AND chat_topic.language_id IS NULL AND NOT chat_topic.use_opening_hours;
INSERT INTO chat_topic (id, name) VALUES (498, 'Docs sample')
ON CONFLICT DO NOTHING;
SELECT setval('chat_topic_id_seq', GREATEST(1000, (SELECT max(id) FROM chat_topic)));

INSERT INTO associate (associate_id, name, person_id, rank, tooltip, type,
                       group_idx, full_name, formal_name, ej_user_id,
                       user_name, password_hash) VALUES
    (5, 'tje0', 0, 1, 'Tore Jensen', 1, 2, 'Tore Jensen', 'Mr. Jensen', 5,
     'tje0', '$2y$10$x/XiKH2szvWdDOaZgVuaIO8RBbRfXhN8dVOBZKvAf99wifXEVmSMO'),
    (7, 'ann', 0, 2, 'Ann Agent', 1, 2, 'Ann Agent', 'Ms. Agent', 7,
     'ann', NULL),
    (8, 'bob', 0, 3, 'Bob Agent', 1, 2, 'Bob Agent', 'Mr. Agent', 8,
     'bob', NULL)
ON CONFLICT DO NOTHING;

-- tje0 administers chat sessions; ann and bob update their own
-- (conf/auth.sql).
INSERT INTO chat_session_right (associate_id, level) VALUES
    (5, 'admin'), (7, 'update_own'), (8, 'update_own')
ON CONFLICT DO NOTHING;

-- Topic members (README "Topic members"): tje0 has every role in Sales and
-- Support, ann may answer Sales chats only, bob Support chats only.
INSERT INTO chat_topic_member (topic_id, associate_id, can_respond,
                               notifications, listen, manager) VALUES
    (1, 5, true, true, true, true), (2, 5, true, true, true, true),
    (1, 7, true, false, false, false), (2, 8, true, false, false, false)
ON CONFLICT DO NOTHING;

INSERT INTO contact (contact_id, name, department, org_nr, url, city,
                     direct_phone, email_address, country_id, associate_id,
                     kananame, email_address_name, url_name, business_name,
                     category_name, country_name, formatted_address,
                     is_owner_contact, active_erp_links, number1, number2,
                     fax_phone) VALUES
    (12, 'SuperOffice ASA', 'Sales', '976 033 000', 'https://example.com',
     'Oslo', '+47 23 35 40 00', 'info@example.com', 578, 5,
     '', 'SuperOffice info', 'Home page', 'Software', 'Customer', 'Norway',
     'Wergelandsveien 27, 0167 Oslo', true, 0, '10012', '', '+47 23 35 40 01')
ON CONFLICT DO NOTHING;

INSERT INTO person (person_id, firstname, middle_name, lastname, title,
                    email, direct_phone, mobile_phone, country_id,
                    contact_id, associate_id, position, mrmrs, description,
                    retired, rank, active_interests, fax_phone,
                    use_person_address, kanafname, kanalname, post1, post2,
                    post3, email_name, active_erp_links, ticket_priority_id,
                    support_language_id, support_associate_id,
                    person_number) VALUES
    (33, 'Kari', '', 'Nordmann', 'Buyer', 'kari@example.com',
     '+47 22 00 00 01', '+47 900 00 001', 578, 12, 5, 'Purchasing manager',
     'Ms.', 'Prefers chat to phone', 0, 1, 2, '', false, '', '', '', '', '',
     'Kari Nordmann', 0, 0, 0, 5, 'P-33')
ON CONFLICT DO NOTHING;

INSERT INTO project (project_id, name, description, project_number, type,
                     status, associate_id, url, type_id, updated, status_id,
                     text_id, publish_to, publish_from, is_published,
                     url_name, active_erp_links, event_id,
                     start_date) VALUES
    (321, 'Website relaunch', 'New web site', 'P-321', 'Internal',
     'Active', 5, 'https://example.com/relaunch', 1, '2011-01-05T09:00:00Z',
     2, 0, NULL, NULL, false, 'Project site', 0, 0, '2011-01-03T08:00:00Z')
ON CONFLICT DO NOTHING;

INSERT INTO sale (sale_id, title, amount, currency, probability, sale_date,
                  contact_id, associate_id, description, status, project_id,
                  earning_percent, earning, person_id, sale_type_id,
                  sale_type_name, completed, active_erp_links, next_due_date,
                  number) VALUES
    (77, 'Chat licences', 12500.5, 'NOK', 60,
     '2011-02-01T10:00:00Z', 12, 5, 'Ten chat seats', 1, 321, 40, 5000.2, 33,
     1, 'Licence', 1, 0, '2011-03-01T10:00:00Z', 'S-77')
ON CONFLICT DO NOTHING;

INSERT INTO ticket (ticket_id, title, created_at, priority, from_address,
                    owned_by, last_changed, created_by, author, category,
                    category_name, category_fullname, slevel, priority_name,
                    base_status, ticket_status, ticket_status_display_value,
                    origin, cust_id, read_status, num_replies, num_messages,
                    contact_id, language) VALUES
    (901, 'Cannot log in', '2011-01-11T16:00:00Z', 2, 'kari@example.com', 5,
     '2011-01-11T16:30:00Z', 5, 'Kari Nordmann', 1, 'Support',
     'Support/Login', 2, 'High', 1, 1, 'Open', 11, 33, 1, 1, 2, 12, 'en')
ON CONFLICT DO NOTHING;

INSERT INTO chat_session (id, topic_id, user_id, customer_id, customer_alias,
    customer_host, name, email, phone, consented, company_name, status,
    first_message, last_message, when_requested, when_started, when_ended,
    idle, customer_fetch, session_key, initial_queue_pos, alert_level, rank,
    flags, contact_id, project_id, sale_id, ticket_id, transfer_to,
    chatbot_isactive, rating) VALUES
    -- 844: the docs' seed sample (Status 9 = Closed, Flags 0 =
    -- CustomerIsTyping).
    (844, 498, NULL, NULL, 'dicta', 'rerum',
     'Leffler, Lemke and Pfannerstill', 'greta@mcclureleffler.com',
     '(311)163-3014 x529', true, 'Upton Inc and Sons', 9,
     'qui', 'atque',
     '2011-01-11T17:54:08.0074687+01:00', '2024-04-15T17:54:08.0074687+02:00',
     '2020-01-05T17:54:08.0074687+01:00', '2022-01-01T17:54:08.0074687+01:00',
     '2020-10-14T17:54:08.0074687+02:00', 'voluptates', 48, 420, 301, 0,
     NULL, NULL, NULL, NULL, NULL, true, 546),
    -- 845: the carrier-rich demo session (tje0 handles Kari Nordmann of
    -- SuperOffice ASA, about a project, a sale and a ticket).
    (845, 1, 5, 33, 'Kari', 'client.example.com', 'Kari Nordmann',
     'kari@example.com', '+47 900 00 001', true, 'SuperOffice ASA', 9,
     'Hello, I need help with my licence.', 'Thank you, bye!',
     '2011-01-11T16:54:08.007468Z', '2011-01-11T16:55:10Z',
     '2011-01-11T17:10:42Z', '2011-01-11T17:10:40Z',
     '2011-01-11T17:10:41Z', 'a1b2c3d4e5', 1, 0, 1, 0, 12, 321, 77, 901,
     NULL, false, 5)
ON CONFLICT DO NOTHING;

SELECT setval('chat_session_id_seq', GREATEST(1000, (SELECT max(id) FROM chat_session)));

-- 845's conversation (its FirstMessage and LastMessage are the first and
-- the last text message), for GET Messages and the transcript.
INSERT INTO chat_message (id, chat_session_id, type, message, author,
                          read_by_customer, special_type, special_param,
                          when_posted) VALUES
    (1, 845, 3, '', 'tje0', 1, 1, '', '2011-01-11T16:55:10Z'),
    (2, 845, 2, 'Hello, I need help with my licence.', 'Kari', 1, 0, '',
     '2011-01-11T16:55:12Z'),
    (3, 845, 1, 'Sure: which one?', 'tje0', 1, 0, '',
     '2011-01-11T16:56:00Z'),
    (4, 845, 2, 'Thank you, bye!', 'Kari', 1, 0, '',
     '2011-01-11T17:10:40Z')
ON CONFLICT DO NOTHING;
UPDATE chat_session SET last_message_id = 4, has_text_message = true
 WHERE id = 845 AND last_message_id IS NULL;
SELECT setval('chat_message_id_seq', GREATEST(1000, (SELECT max(id) FROM chat_message)));
