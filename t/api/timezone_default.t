# ChatSessionTimeZone: the zone used when a request sends no SO-TimeZone
# (UTC unless configured), across a DST change; the header still wins.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session fresh_id);

plan tests => 8, need_lwp, need_module('mod_dbd.c');

my $ID = fresh_id();
seed_session($ID, when_started => '2021-03-28T00:59:59Z',
             when_ended => '2021-03-28T01:00:00Z');

my $res = req(GET => "/api/v1/ChatSession/$ID");
is($res->header('SO-TimeZone'), 'UTC', 'no directive, no header: UTC echoed');
is(json_body($res)->{WhenStarted}, '2021-03-28T00:59:59.0000000+00:00',
   '... dates in UTC');

$res = req(GET => "/oslo/api/v1/ChatSession/$ID");
is($res->header('SO-TimeZone'), 'NO', 'ChatSessionTimeZone NO: echoed');
my $doc = json_body($res);
is($doc->{WhenStarted}, '2021-03-28T01:59:59.0000000+01:00',
   'before the DST change: +01:00');
is($doc->{WhenEnded}, '2021-03-28T03:00:00.0000000+02:00',
   'after the DST change: +02:00');

$res = req(GET => "/oslo/api/v1/ChatSession/$ID",
           headers => { 'SO-TimeZone' => 'US-NY' });
is($res->header('SO-TimeZone'), 'US-NY', 'the header wins over the directive');
is(json_body($res)->{WhenStarted}, '2021-03-27T20:59:59.0000000-04:00',
   '... dates in New York time');

$res = req(PATCH => "/oslo/api/v1/ChatSession/$ID",
           body => [{ op => 'replace', path => '/WhenIdle',
                      value => '2021-07-01T12:00:00' }]);
is(json_body($res)->{WhenIdle}, '2021-07-01T12:00:00.0000000+02:00',
   'offset-less input read in the default zone');
