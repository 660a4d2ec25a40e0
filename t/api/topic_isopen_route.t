# GET ChatTopic/{id}/IsOpen and the ChatAgent's IsWithinOpeningHours
# (issue 19, design note §5): chats_topic_is_open(topic, now(), the
# vhost's ChatSessionTimeZone) answered as JSON true/false (XML
# <boolean>); a topic that does not use opening hours is open, one whose
# days are all disabled closed; an unknown topic 404 on both; reading
# needs the read level or membership.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body db agent_req make_caller make_topic);

plan tests => 14, need_lwp, need_module('mod_dbd.c');

my $open = make_topic('always open');
my $closed = make_topic('closed');
db()->do('UPDATE chat_topic SET use_opening_hours = true WHERE id = ?',
         undef, $closed);
my $none = make_caller('io_none', level => 'none');
my $member = make_caller('io_member', level => 'none',
                         topics => { $closed => 'listen' });
my $U = '/api/v1/ChatTopic';

my $res = req(GET => "$U/$open/IsOpen");
is($res->code, 200, 'IsOpen: 200');
is($res->content, 'true', '... true without opening hours');
like($res->header('Content-Type'), qr{^application/json}, '... JSON');
$res = req(GET => "$U/$closed/IsOpen");
is($res->content, 'false', 'every day disabled: false');
$res = req(GET => "$U/$closed/IsOpen",
           headers => { Accept => 'application/xml' });
like($res->content, qr{<boolean[^>]*>false</boolean>}, 'XML: <boolean>');
is(req(GET => "$U/2147483647/IsOpen")->code, 404, 'an unknown topic: 404');
is(req(GET => "$U/x/IsOpen")->code, 400, 'no id: 400');
is(req(GET => "$U/$closed/IsOpen", auth => $none->{auth})->code, 403,
   'level none, no member: 403');
is(req(GET => "$U/$closed/IsOpen", auth => $member->{auth})->content,
   'false', 'level none but a member: answered');

$res = agent_req('IsWithinOpeningHours', body => { chatTopicId => $open });
is($res->code, 200, 'IsWithinOpeningHours: 200');
is($res->content, 'true', '... true');
is(agent_req('IsWithinOpeningHours',
             body => { ChatTopicId => $closed })->content, 'false',
   '... false (PascalCase wrapper)');
is(agent_req('IsWithinOpeningHours',
             body => { chatTopicId => 2147483647 })->code, 404,
   '... an unknown topic: 404');
is(agent_req('IsWithinOpeningHours', body => 'null')->code, 400,
   '... no chatTopicId: 400');
