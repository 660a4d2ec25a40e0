# PATCH with a JSON Patch (RFC 6902) array: every op on every field type,
# case-insensitive paths, read-only fields, carriers by reference, and
# all-or-nothing (checked with GET and the row's version).
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session db fresh_id);

plan tests => 100, need_lwp, need_module('mod_dbd.c');

my $ID = fresh_id();

sub patch {
    my ($ops, %opts) = @_;
    my $res = req(PATCH => "/api/v1/ChatSession/$ID", body => $ops, %opts);
    return ($res, json_body($res));
}

sub get_doc {
    return json_body(req(GET => "/api/v1/ChatSession/$ID"));
}

sub version { db()->selectrow_array(
    'SELECT version FROM chat_session WHERE id = ?', undef, $ID) }

sub fresh { seed_session($ID, @_) }

# ---- strings ----------------------------------------------------------
fresh();
my ($res, $doc) = patch([{ op => 'replace', path => '/CustomerName',
                           value => 'Ola Nordmann' }]);
is($res->code, 200, 'replace string: 200') or diag($res->content);
like($res->header('Content-Type'), qr{^application/json}, 'JSON response');
is($doc->{CustomerName}, 'Ola Nordmann', 'replace string: new value');
is($doc->{ChatSessionId}, $ID, 'full entity returned');
ok($res->header('Last-Modified'), 'Last-Modified on the response');

($res, $doc) = patch([{ op => 'add', path => '/CustomerEmail',
                        value => 'ola@example.com' }]);
is($doc->{CustomerEmail}, 'ola@example.com', 'add to a field = replace');

($res, $doc) = patch([{ op => 'remove', path => '/CustomerAlias' }]);
is($res->code, 200, 'remove string: 200');
is($doc->{CustomerAlias}, '', 'remove resets a string to ""');
ok(exists $doc->{CustomerAlias}, 'the field stays in the document');

($res, $doc) = patch([{ op => 'replace', path => '/CustomerAlias',
                        value => 'x' x 65 }]);
is($res->code, 400, 'string over its length (64): 400');
is($doc->{Field}, 'CustomerAlias', 'error names the field');

($res, $doc) = patch([{ op => 'replace', path => '/CustomerAlias',
                        value => "\x{e9}" x 64 }]);
is($res->code, 200, '64 two-byte characters fit in 64 (characters, not bytes)');
is($doc->{CustomerAlias}, "\x{e9}" x 64, 'non-ASCII string kept exactly');

($res, $doc) = patch([{ op => 'replace', path => '/CustomerName',
                        value => 5 }]);
is($res->code, 400, 'number for a string: 400');

# ---- paths -------------------------------------------------------------
for my $path ('/customername', 'CustomerName', 'customerName', '/CUSTOMERNAME') {
    ($res, $doc) = patch([{ op => 'replace', path => $path,
                            value => "via $path" }]);
    is($doc && $doc->{CustomerName}, "via $path", "path '$path' works");
}
($res, $doc) = patch([{ op => 'replace', path => '/NoSuchField', value => 1 }]);
is($res->code, 400, 'unknown field: 400');
is($doc->{Field}, 'NoSuchField', 'unknown field named');
is($doc->{OpIndex}, 0, 'op index given');

# ---- int32 -------------------------------------------------------------
($res, $doc) = patch([{ op => 'replace', path => '/Rating', value => 4 }]);
is($doc->{Rating}, 4, 'replace int32');
($res, $doc) = patch([{ op => 'replace', path => '/Rating', value => 2147483648 }]);
is($res->code, 400, 'int32 overflow: 400');
($res, $doc) = patch([{ op => 'replace', path => '/Rating', value => -2147483648 }]);
is($doc->{Rating}, -2147483648, 'int32 minimum accepted');
($res) = patch('[{"op":"replace","path":"/Rating","value":99999999999999999999999}]');
is($res->code, 400, 'huge integer: 400');
($res) = patch([{ op => 'replace', path => '/Rating', value => '5' }]);
is($res->code, 400, 'string for an int32: 400');
($res) = patch('[{"op":"replace","path":"/Rating","value":1.5}]');
is($res->code, 400, 'fraction for an int32: 400');
for my $n ('5.0', '5e0', '50e-1', '0.5E1') {
    ($res, $doc) = patch(qq([{"op":"replace","path":"/Rating","value":$n}]));
    is($doc && $doc->{Rating}, 5, "integral number written $n: 5");
}
($res, $doc) = patch([{ op => 'remove', path => '/Rating' }]);
is($doc->{Rating}, 0, 'remove resets an int32 to 0');
($res, $doc) = patch([{ op => 'replace', path => '/TopicId', value => 2 }]);
is($doc->{TopicId}, 2, 'TopicId replaced');
($res, $doc) = patch([{ op => 'replace', path => '/TopicId', value => 777 }]);
is($res->code, 400, 'TopicId of no topic: 400');
is($doc->{Field}, 'TopicId', '... naming TopicId');

# ---- bool --------------------------------------------------------------
($res, $doc) = patch('[{"op":"replace","path":"/CustomerConsented","value":true}]');
ok($doc->{CustomerConsented}, 'replace bool');
($res) = patch('[{"op":"replace","path":"/CustomerConsented","value":1}]');
is($res->code, 400, 'number for a bool: 400');
($res, $doc) = patch([{ op => 'remove', path => '/CustomerConsented' }]);
ok(!$doc->{CustomerConsented} && defined $doc->{CustomerConsented},
   'remove resets a bool to false');

# ---- enums -------------------------------------------------------------
($res, $doc) = patch([{ op => 'replace', path => '/Status', value => 'closed' }]);
is($doc->{Status}, 'Closed', 'enum name in any case, rendered in the spec case');
($res, $doc) = patch([{ op => 'replace', path => '/Status', value => 4 }]);
is($doc->{Status}, 'InQueue', 'enum by number, rendered by name');
is(db()->selectrow_array('SELECT status FROM chat_session WHERE id = ?',
                         undef, $ID), 4, 'enum stored as a number');
($res, $doc) = patch([{ op => 'replace', path => '/Status', value => 'Bogus' }]);
is($res->code, 400, 'unknown enum name: 400');
is($doc->{Field}, 'Status', '... naming Status');
($res) = patch([{ op => 'replace', path => '/Status', value => 42 }]);
is($res->code, 400, 'unknown enum number: 400');
($res) = patch([{ op => 'test', path => '/Status', value => 4 },
                { op => 'test', path => '/Status', value => 'INQUEUE' }]);
is($res->code, 200, 'test: enum number and name alike');
($res, $doc) = patch([{ op => 'remove', path => '/Status' }]);
is($doc->{Status}, 'Invalid', 'remove resets an enum to its zero name');

($res, $doc) = patch([{ op => 'replace', path => '/Flags', value => 1 }]);
is($doc->{Flags}, 'UserIsTyping', 'flags by number, rendered by name');
($res, $doc) = patch([{ op => 'replace', path => '/Flags', value => 'customeristyping' }]);
is($doc->{Flags}, 'CustomerIsTyping', 'flags by name, any case');
($res, $doc) = patch([{ op => 'replace', path => '/Flags',
                        value => 'CustomerIsTyping, UserIsTyping' }]);
is($doc->{Flags}, 'UserIsTyping', 'flag set as comma-separated names');
($res) = patch([{ op => 'replace', path => '/Flags', value => 2 }]);
is($res->code, 400, 'unknown flag bit: 400');
($res) = patch([{ op => 'replace', path => '/Flags', value => 'Nope' }]);
is($res->code, 400, 'unknown flag name: 400');

# ---- date-times --------------------------------------------------------
($res, $doc) = patch([{ op => 'replace', path => '/WhenStarted',
                        value => '2020-01-02T03:04:05Z' }]);
is($doc->{WhenStarted}, '2020-01-02T03:04:05.0000000+00:00',
   'date-time rendered with 7 digits and an explicit offset');
($res, $doc) = patch([{ op => 'replace', path => '/WhenStarted',
                        value => '2020-01-02T03:04:05.123+01:00' }]);
is($doc->{WhenStarted}, '2020-01-02T02:04:05.1230000+00:00', '+HH:MM offset');
($res, $doc) = patch([{ op => 'replace', path => '/WhenStarted',
                        value => '2020-01-02T03:04:05-0530' }]);
is($doc->{WhenStarted}, '2020-01-02T08:34:05.0000000+00:00', '-HHMM offset');
($res, $doc) = patch([{ op => 'replace', path => '/WhenStarted',
                        value => '2011-01-11T17:54:08.0074687+01:00' }]);
is($doc->{WhenStarted}, '2011-01-11T16:54:08.0074690+00:00',
   '7th fractional digit rounded to the microsecond');
($res, $doc) = patch([{ op => 'replace', path => '/WhenStarted',
                        value => '2011-01-11T17:54:08' }]);
is($doc->{WhenStarted}, '2011-01-11T17:54:08.0000000+00:00',
   'offset-less input read as UTC');
($res) = patch([{ op => 'test', path => '/WhenStarted',
                  value => '2011-01-11T18:54:08.000+01:00' }]);
is($res->code, 200, 'test compares date-times as instants');
($res) = patch([{ op => 'replace', path => '/WhenStarted', value => 'yesterday' }]);
is($res->code, 400, 'not a date-time: 400');
($res) = patch([{ op => 'replace', path => '/WhenStarted', value => '2021-02-30T00:00:00Z' }]);
is($res->code, 400, 'impossible date: 400');
($res, $doc) = patch([{ op => 'remove', path => '/WhenStarted' }]);
ok(exists $doc->{WhenStarted} && !defined $doc->{WhenStarted},
   'remove resets a date-time to null');

# ---- carriers ------------------------------------------------------------
fresh(user_id => 5, contact_id => undef, ticket_id => 901);
($res, $doc) = patch([{ op => 'replace', path => '/User/AssociateId', value => 7 }]);
is($res->code, 200, 'replace /User/AssociateId: 200') or diag($res->content);
is($doc->{User}{AssociateId}, 7, 'User re-pointed');
is($doc->{User}{Name}, 'ann', 'User rendered from the associate table');
($res, $doc) = patch([{ op => 'replace', path => '/Contact', value => { ContactId => 12 } }]);
is($doc->{Contact}{ContactId}, 12, 'replace /Contact {ContactId}');
is($doc->{Contact}{Name}, 'SuperOffice ASA', 'Contact rendered');
($res, $doc) = patch([{ op => 'remove', path => '/Ticket' }]);
ok(exists $doc->{Ticket} && !defined $doc->{Ticket}, 'remove /Ticket -> null');
is(db()->selectrow_array('SELECT ticket_id FROM chat_session WHERE id = ?',
                         undef, $ID), undef, 'stored as NULL');
($res, $doc) = patch([{ op => 'replace', path => '/Ticket', value => { TicketId => 424242 } }]);
is($res->code, 400, 'reference to a missing row: 400');
is($doc->{Field}, 'Ticket', '... naming the field');
($res, $doc) = patch([{ op => 'replace', path => '/User/Name', value => 'someone' }]);
is($res->code, 400, 'other carrier sub-fields are read-only');
($res) = patch([{ op => 'replace', path => '/User/Name', value => 'ann' }]);
is($res->code, 200, '... unless given their current value');
($res) = patch([{ op => 'test', path => '/User/AssociateId', value => 7 }]);
is($res->code, 200, 'test on a carrier key');
($res) = patch([{ op => 'test', path => '/Contact', value => { ContactId => 99 } }]);
is($res->code, 409, 'test on a carrier by reference fails: 409');

# ---- read-only, ignored members, op forms ---------------------------------
($res) = patch([{ op => 'replace', path => '/ChatSessionId', value => $ID }]);
is($res->code, 200, 'read-only field given its current value: accepted');
($res, $doc) = patch([{ op => 'replace', path => '/ChatSessionId', value => 1 }]);
is($res->code, 400, 'read-only field changed: 400');
is($doc->{Field}, 'ChatSessionId', '... naming ChatSessionId');
($res) = patch([{ op => 'replace', path => '/TableRight', value => { Mask => 'FULL' } },
                { op => 'add', path => '/FieldProperties', value => {} },
                { op => 'add', path => '/_Links', value => {} }]);
is($res->code, 200, 'TableRight, FieldProperties, _Links ignored');
for my $op (qw(move copy)) {
    ($res, $doc) = patch([{ op => $op, from => '/CustomerName', path => '/CustomerEmail' }]);
    is($res->code, 400, "$op: 400");
}
($res, $doc) = patch([{ path => '/CustomerName', value => 'x' }]);
is($res->code, 400, 'missing op: 400');
($res, $doc) = patch([{ op => 'replace', value => 'x' }]);
is($res->code, 400, 'missing path: 400');
($res, $doc) = patch([{ op => 'replace', path => '/Rating', value => 1 },
                      { op => 'replace', path => '/CustomerName' }]);
is($res->code, 400, 'missing value: 400');
is($doc->{OpIndex}, 1, '... at op 1');
($res) = patch([{ op => 'frobnicate', path => '/CustomerName', value => 'x' }]);
is($res->code, 400, 'unknown op: 400');
($res) = patch('[{"op":"replace","path":"/CustomerName","value":"a","VALUE":"b"}]');
is($res->code, 400, 'members differing only in case: 400');
($res) = patch([]);
is($res->code, 200, 'empty patch: 200');

# ---- test op, all or nothing -------------------------------------------
fresh(name => 'Before', rating => 3);
my $v0 = version();
($res, $doc) = patch([{ op => 'replace', path => '/CustomerName', value => 'After' },
                      { op => 'test', path => '/Rating', value => 4 }]);
is($res->code, 409, 'failing test: 409');
is($doc->{OpIndex}, 1, '... at op 1');
is(get_doc()->{CustomerName}, 'Before', 'nothing written after a failed test');
is(version(), $v0, 'version unchanged');
($res) = patch([{ op => 'test', path => '/CustomerName', value => 'before' }]);
is($res->code, 409, 'test compares strings exactly (case matters)');
($res, $doc) = patch([{ op => 'replace', path => '/CustomerName', value => 'After' },
                      { op => 'replace', path => '/Rating', value => 'bad' }]);
is($res->code, 400, 'bad value in op 1: 400');
is($doc->{OpIndex}, 1, '... at op 1');
is($doc->{Field}, 'Rating', '... naming Rating');
is(get_doc()->{CustomerName}, 'Before', 'op 0 not written either');
is(version(), $v0, 'version unchanged');
($res, $doc) = patch([{ op => 'test', path => '/Rating', value => 3 },
                      { op => 'replace', path => '/CustomerName', value => 'After' }]);
is($res->code, 200, 'passing test then replace: 200');
is(version(), $v0 + 1, 'one write, version + 1');

# ---- other media types -------------------------------------------------
($res, $doc) = patch([{ op => 'replace', path => '/Rating', value => 2 }],
                     content_type => 'application/json-patch+json');
is($doc->{Rating}, 2, 'application/json-patch+json accepted');
($res, $doc) = patch([{ op => 'replace', path => '/Rating', value => 1 }],
                     content_type => 'text/json; charset=utf-8');
is($doc->{Rating}, 1, 'text/json with a charset accepted');
