-- mod_chatsession: demo data (loaded by ./serve and ./check).
-- Associate tje0 / password Tje0 are the SuperOffice docs' sample
-- credentials; the hash is bcrypt ($2y$, cost 10), checked by
-- apr_password_validate(). Chat session 844 is the docs' sample id.

SET client_min_messages = warning;

INSERT INTO chat_topic (id, name) VALUES
    (1, 'Sales'), (2, 'Support')
ON CONFLICT DO NOTHING;

INSERT INTO associate (associate_id, name, person_id, rank, tooltip, type,
                       group_idx, full_name, formal_name, ej_user_id,
                       user_name, password_hash) VALUES
    (5, 'tje0', 0, 1, 'Tore Jensen', 1, 2, 'Tore Jensen', 'Mr. Jensen', 5,
     'tje0', '$2y$10$x/XiKH2szvWdDOaZgVuaIO8RBbRfXhN8dVOBZKvAf99wifXEVmSMO'),
    (7, 'ann', 0, 2, 'Ann Agent', 1, 2, 'Ann Agent', 'Ms. Agent', 7,
     'ann', NULL)
ON CONFLICT DO NOTHING;

INSERT INTO contact (contact_id, name, department, org_nr, url, city,
                     direct_phone, email_address, country_id,
                     associate_id) VALUES
    (12, 'SuperOffice ASA', 'Sales', '976 033 000', 'https://example.com',
     'Oslo', '+47 23 35 40 00', 'info@example.com', 578, 5)
ON CONFLICT DO NOTHING;

INSERT INTO person (person_id, firstname, middle_name, lastname, title,
                    email, direct_phone, mobile_phone, country_id,
                    contact_id, associate_id) VALUES
    (33, 'Kari', '', 'Nordmann', 'Buyer', 'kari@example.com',
     '+47 22 00 00 01', '+47 900 00 001', 578, 12, 5)
ON CONFLICT DO NOTHING;

INSERT INTO project (project_id, name, description, project_number, type,
                     status, associate_id) VALUES
    (321, 'Website relaunch', 'New web site', 'P-321', 'Internal',
     'Active', 5)
ON CONFLICT DO NOTHING;

INSERT INTO sale (sale_id, title, amount, currency, probability, sale_date,
                  contact_id, associate_id) VALUES
    (77, 'Chat licences', 12500.5, 'NOK', 60,
     '2011-02-01T10:00:00Z', 12, 5)
ON CONFLICT DO NOTHING;

INSERT INTO ticket (ticket_id, title, created_at, priority, from_address,
                    owned_by) VALUES
    (901, 'Cannot log in', '2011-01-11T16:00:00Z', 2, 'kari@example.com', 5)
ON CONFLICT DO NOTHING;

INSERT INTO chat_session (id, topic_id, user_id, customer_id, customer_alias,
    customer_host, name, email, phone, consented, company_name, status,
    first_message, last_message, when_requested, when_started, when_ended,
    idle, customer_fetch, session_key, initial_queue_pos, alert_level, rank,
    flags, contact_id, project_id, sale_id, ticket_id, transfer_to,
    chatbot_isactive, rating) VALUES
    (844, 1, 5, 33, 'Kari', 'client.example.com', 'Kari Nordmann',
     'kari@example.com', '+47 900 00 001', true, 'SuperOffice ASA', 9,
     'Hello, I need help with my licence.', 'Thank you, bye!',
     '2011-01-11T16:54:08.007468Z', '2011-01-11T16:55:10Z',
     '2011-01-11T17:10:42Z', '2011-01-11T17:10:40Z',
     '2011-01-11T17:10:41Z', 'a1b2c3d4e5', 1, 0, 1, 0, 12, 321, 77, 901,
     NULL, false, 5)
ON CONFLICT DO NOTHING;

SELECT setval('chat_session_id_seq', GREATEST(1000, (SELECT max(id) FROM chat_session)));
