# One SQL text, two statements: a write whose check fails (an unknown
# Status) is diagnosed by reading the row with the GET's own text while
# binding the write's values. PostgreSQL sees two statements (other
# parameter types); the module once cached them as one, so the next GET on
# that connection bound 1 value to an 8-parameter statement (or 8 to the
# GET's), PostgreSQL refused the bind (08P01), and the connection was reset
# under mod_dbd: mod_authn_dbd's prepared queries on it were gone, and its
# users "not found" (seen as auth_cache.t failing after agent_entity.t).
# Here: a PUT with a bad Status then a GET, over and over on one keep-alive
# connection (one process, one pooled connection), in UTC and in a zone
# (the zoned GET text); each answers as it should and nothing is logged.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session keepalive_ua
                         error_log_since fresh_id);

plan tests => 1 + 2 * 6 * 4 + 2, need_lwp, need_module('mod_dbd.c');

my $BASE = '/api/v1/ChatSession';
my $ID = fresh_id();
seed_session($ID, name => 'Shapes');
my $from = -s Apache::Test::vars('t_logs') . '/error_log';
my $ua = keepalive_ua();

my $put = json_body(req(GET => "$BASE/$ID", ua => $ua));
ok($put && $put->{ChatSessionId} == $ID, 'the session reads');
delete @$put{qw(TableRight FieldProperties _Links)};

for my $zone (undef, 'NO') {
    my @tz = defined $zone ? (headers => ['SO-TimeZone' => $zone]) : ();
    my $as = defined $zone ? "SO-TimeZone $zone" : 'UTC';
    for my $round (1 .. 6) {
        my $res = req(PUT => "$BASE/$ID", ua => $ua, @tz,
                      body => { %$put, Status => 'Bogus' });
        is($res->code, 400, "[$as $round] PUT with Status 'Bogus': 400");
        is((json_body($res) || {})->{Field}, 'Status', "[$as $round] ... naming Status");
        $res = req(GET => "$BASE/$ID", ua => $ua, @tz);
        is($res->code, 200, "[$as $round] GET: 200");
        is((json_body($res) || {})->{CustomerName}, 'Shapes', "[$as $round] ... the row");
    }
}

my $log = error_log_since($from);
unlike($log, qr/CHATS14:/, 'no connection reset (CHATS14)');
unlike($log, qr/CHATS11:|bind message supplies/,
       'no statement prepared under another one\'s name (CHATS11)');
