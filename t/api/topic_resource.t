# ChatTopic, the second entity (issue 19): GET ChatTopic/default, POST,
# GET|PUT|PATCH|DELETE ChatTopic/{id}, ForCurrentUser, {id}/Sessions, with
# $select, XML, ETag, _Links, TableRight and FieldProperties as for
# ChatSession; durations in and out; flags and enums by name; the groups;
# bad input (400 naming the field, nothing changed); the DELETE of a topic
# with sessions (409 naming their count); rights (members read, managers
# and admin write); and the agent's ChatTopicEntity methods.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session db agent_req fresh_ids
                         make_caller);

plan tests => 127, need_lwp, need_module('mod_dbd.c');

my $BASE = '/api/v1/ChatTopic';
my ($T_MEMBER, $T_OTHER, $S1, $S2) = fresh_ids(4);

# Topics of the block, made directly: one whose member/manager callers
# are below, one they have nothing to do with.
db()->do('INSERT INTO chat_topic (id, name) VALUES (?, ?), (?, ?)', undef,
         $T_MEMBER, 'topic_resource.t member', $T_OTHER,
         'topic_resource.t other');
my %C = (
    tr_none    => make_caller('tr_none', level => 'none',
                              topics => { $T_MEMBER => 'can_respond' }),
    tr_manager => make_caller('tr_manager', level => 'none',
                              topics => { $T_MEMBER => ['can_respond',
                                                        'manager'] }),
    tr_stranger => make_caller('tr_stranger', level => 'none'),
    tr_read    => make_caller('tr_read', level => 'read'),
    tr_all     => make_caller('tr_all', level => 'update_all'),
);
sub as { my $u = shift; return (auth => $C{$u}{auth}) }

# Topics made through the API have the sequence's ids, outside the block:
# this file removes them itself.
my @made;
sub made { my $id = shift; push @made, $id; return $id }
END { db()->do('DELETE FROM chat_topic WHERE id = ANY(?)', undef, \@made)
          if @made }

sub version_of {
    return db()->selectrow_array(
        'SELECT version FROM chat_topic WHERE id = ?', undef, shift);
}

# ---- default --------------------------------------------------------------
my $res = req(GET => "$BASE/default");
is($res->code, 200, 'GET ChatTopic/default: 200') or diag($res->content);
my $tpl = json_body($res);
is($tpl->{ChatTopicId}, 0, 'template: ChatTopicId 0');
is($tpl->{Name}, '', 'template: strings empty');
is(ref $tpl->{OpeningHours}, 'HASH', 'template: OpeningHours an object');
is($tpl->{OpeningHours}{MonStart}, '00:00:00',
   'template: a duration as "HH:MM:SS"');
is($tpl->{Widget}{RequiredFields}, 'None', 'template: flags 0 is "None"');
is($tpl->{Widget}{Theme}, 'Classic', 'template: enum by name');
is(ref $tpl->{BotSettings}, 'HASH', 'template: BotSettings an object');
ok(!exists $tpl->{_Links}, 'template: no _Links');
is($tpl->{TableRight}{Mask}, 'FULL', 'admin: TableRight FULL');
ok($tpl->{FieldProperties}{Name}, 'FieldProperties per field');

# ---- POST -------------------------------------------------------------------
# (the template's own members, less those sent in another case: one
# member named twice in any case is a 400)
my %new = ((map { $_ => $tpl->{$_} } grep { $_ ne 'Description' } keys %$tpl),
           Name => 'topic_resource.t posted', description => 'lower',
           OpeningHoursEnabled => JSON::PP::true,
           OpeningHours => { %{ $tpl->{OpeningHours} }, MonEnabled => JSON::PP::true,
                             MonStart => 'PT8H', MonStop => '17:00',
                             TueEnabled => JSON::PP::true,
                             TueStart => 'PT8H30M', TueStop => 'PT23H59M59S',
                             UseLunchHours => JSON::PP::true,
                             LunchStart => '11:30:00', LunchStop => 'PT12H30M',
                             TzLocation => { TZLocationID => 261 } },
           Widget => { %{ $tpl->{Widget} }, RequiredFields => 3,
                       Theme => 'modern', Size => 'Large' });
$res = req(POST => $BASE, body => \%new);
is($res->code, 200, 'POST ChatTopic: 200') or diag($res->content);
my $doc = json_body($res);
my $id = made($doc->{ChatTopicId} // 0);
ok($id > 0, "POST: a new id ($id)");
like($res->header('Location') // '', qr{\Q$BASE\E/$id$},
     'POST: Location of the new topic');
is($doc->{_Links}{Self}, $res->header('Location'), '_Links.Self = Location');
is($doc->{Description}, 'lower', 'a camelCase member taken');
is($doc->{OpeningHours}{MonStart}, '08:00:00', 'PT8H answered as 08:00:00');
is($doc->{OpeningHours}{MonStop}, '17:00:00', '"17:00" answered 17:00:00');
is($doc->{OpeningHours}{TueStart}, '08:30:00', 'PT8H30M');
is($doc->{OpeningHours}{TueStop}, '23:59:59', 'PT23H59M59S');
is($doc->{OpeningHours}{LunchStop}, '12:30:00', 'lunch hours');
is($doc->{OpeningHours}{TzLocation}{TZLocationID}, 261,
   'TzLocation by its key, rendered');
is($doc->{Widget}{RequiredFields}, 'Email, Name',
   'flags sent as a number, answered by name');
is($doc->{Widget}{Theme}, 'Modern', 'an enum name in any case');
is($doc->{Widget}{Size}, 'Large', 'ChatWidgetSize');
ok($res->header('ETag'), 'POST: ETag');

# ---- GET --------------------------------------------------------------------
$res = req(GET => "$BASE/$id");
is($res->code, 200, 'GET ChatTopic/{id}: 200');
my $etag = $res->header('ETag');
ok($etag, 'GET: ETag');
ok($res->header('Last-Modified'), 'GET: Last-Modified');
is(json_body($res)->{OpeningHours}{MonStart}, '08:00:00', 'GET: as stored');
$res = req(GET => "$BASE/$id", headers => { 'If-None-Match' => $etag });
is($res->code, 304, 'If-None-Match: 304');
$res = req(GET => "$BASE/$id?\$select=Name,OpeningHours/MonStart");
$doc = json_body($res);
is($doc->{Name}, 'topic_resource.t posted', '$select: a selected field');
ok(!defined $doc->{Description}, '$select: an unselected field null');
is($doc->{OpeningHours}{MonStart}, '08:00:00', '$select: a group member');
ok(!defined $doc->{OpeningHours}{MonStop},
   '$select: the group kept, its unselected members null');
$res = req(GET => "$BASE/$id", headers => { Accept => 'application/xml' });
is($res->code, 200, 'GET as XML: 200');
like($res->content, qr{<ChatTopicEntity\b}, 'XML: the ChatTopicEntity root');
like($res->content, qr{<MonStart>08:00:00</MonStart>}, 'XML: a duration');
$res = req(GET => "$BASE/2147483000");
is($res->code, 404, 'an unknown topic: 404');
like(json_body($res)->{Message} // '', qr/ChatTopic id 2147483000 not found/,
     '... naming ChatTopic');
$res = req(GET => "$BASE/abc");
is($res->code, 400, 'a bad id: 400');

# ---- PATCH: the session's engine --------------------------------------------
my $v = version_of($id);
$res = req(PATCH => "$BASE/$id", body => [
    { op => 'test', path => '/OpeningHours/MonStart', value => 'PT8H' },
    { op => 'replace', path => '/OpeningHours/WedStart', value => '09:00' },
    { op => 'replace', path => '/OpeningHours/WedStop', value => '10:00:00' },
    { op => 'replace', path => '/Widget/RequiredFields', value => 'Phone' },
]);
is($res->code, 200, 'JSON Patch: test a duration in ISO form, replace members')
    or diag($res->content);
$doc = json_body($res);
is($doc->{OpeningHours}{WedStart}, '09:00:00', '... a member replaced');
is($doc->{Widget}{RequiredFields}, 'Phone', '... a flag by name');
is($doc->{OpeningHours}{MonStop}, '17:00:00', '... the others kept');
is(version_of($id), $v + 1, '... the version bumped once');

$res = req(PATCH => "$BASE/$id", content_type => 'application/merge-patch+json',
           body => { Widget => { Theme => 'Classic' },
                     OpeningHours => { FriEnabled => JSON::PP::true } });
is($res->code, 200, 'merge patch: nested members') or diag($res->content);
$doc = json_body($res);
is($doc->{Widget}{Theme}, 'Classic', '... the member changed');
is($doc->{Widget}{RequiredFields}, 'Phone', '... its siblings kept');
ok($doc->{OpeningHours}{FriEnabled}, '... in another group too');

$res = req(PATCH => "$BASE/$id", body => [
    { op => 'replace', path => '/Name', value => 'never' },
    { op => 'test', path => '/OpeningHours/MonStart', value => '07:00:00' },
]);
is($res->code, 409, 'a failed test: 409');
is(json_body($res)->{OpIndex}, 1, '... naming its op');

# Each bad input: 400 naming the field, nothing changed.
$v = version_of($id);
for my $case (
    [ [{ op => 'replace', path => '/OpeningHours/MonStart', value => 'PT24H' }],
      'OpeningHours/MonStart', 'a duration of 24 h' ],
    [ [{ op => 'replace', path => '/OpeningHours/MonStart', value => 28800 }],
      'OpeningHours/MonStart', 'a duration as a number' ],
    [ [{ op => 'replace', path => '/OpeningHours/MonStart', value => '1.08:00:00' }],
      'OpeningHours/MonStart', 'a .NET TimeSpan with days' ],
    [ [{ op => 'replace', path => '/OpeningHours/MonStop', value => '07:00:00' }],
      'OpeningHours/MonStop', 'a stop before its start' ],
    [ [{ op => 'replace', path => '/OpeningHours/LunchStop', value => '11:00:00' }],
      'OpeningHours/LunchStop', 'lunch ending before it starts' ],
    [ [{ op => 'replace', path => '/Widget/Theme', value => 'Neon' }],
      'Widget/Theme', 'an unknown enum name' ],
    [ [{ op => 'replace', path => '/Widget/RequiredFields', value => 64 }],
      'Widget/RequiredFields', 'a flag value out of range' ],
    [ [{ op => 'replace', path => '/Widget/RequiredFields', value => 'Email, Fax' }],
      'Widget/RequiredFields', 'an unknown flag name' ],
    [ [{ op => 'replace', path => '/OpeningHours/TzLocation',
         value => { TZLocationID => 999999 } }],
      'OpeningHours/TzLocation', 'an unknown time zone' ],
    [ [{ op => 'replace', path => '/LastAccept', value => '2020-01-01T00:00:00Z' }],
      'LastAccept', 'a derived field' ],
    [ [{ op => 'replace', path => '/ChatTopicId', value => 5 }],
      'ChatTopicId', 'the key' ],
) {
    my ($ops, $field, $what) = @$case;
    $res = req(PATCH => "$BASE/$id", body => $ops);
    is($res->code, 400, "$what: 400") or diag($res->content);
    is(json_body($res)->{Field} // '', $field, "... naming $field");
}
is(version_of($id), $v, 'none of them changed the topic');

# ---- PUT --------------------------------------------------------------------
$doc = json_body(req(GET => "$BASE/$id"));
$doc->{Name} = 'topic_resource.t put';
$doc->{OpeningHours}{SunEnabled} = JSON::PP::true;
$res = req(PUT => "$BASE/$id", body => $doc,
           headers => { 'If-Match' => req(GET => "$BASE/$id")->header('ETag') });
is($res->code, 200, 'PUT the topic as read (echoed LastAccept and all)')
    or diag($res->content);
is(json_body($res)->{Name}, 'topic_resource.t put', '... written');
$res = req(PUT => "$BASE/$id", body => $doc,
           headers => { 'If-Match' => '"1"' });
is($res->code, 412, 'PUT with a stale If-Match: 412');

# ---- the topic's sessions ---------------------------------------------------
seed_session($S1, name => 'topic_resource.t s1', topic_id => $id);
seed_session($S2, name => 'topic_resource.t s2', topic_id => $T_OTHER);
$res = req(GET => "$BASE/$id/Sessions?\$select=customerName,topicId");
is($res->code, 200, 'GET ChatTopic/{id}/Sessions: 200') or diag($res->content);
my $rows = json_body($res)->{value} // [];
is(scalar(@$rows), 1, '... only the topic\'s sessions');
is($rows->[0]{PrimaryKey}, $S1, '... that one');
$res = req(GET => "$BASE/2147483000/Sessions");
is($res->code, 404, 'the sessions of an unknown topic: 404');
$res = req(POST => "$BASE/$id/Sessions");
is($res->code, 200, 'POST ChatTopic/{id}/Sessions: 200') or diag($res->content);
$doc = json_body($res);
is($doc->{TopicId}, $id, '... a session of the topic');
is($doc->{Status}, 'InQueue', '... queued');
like($res->header('Location') // '', qr{/api/v1/ChatSession/$doc->{ChatSessionId}$},
     '... Location: the session, under ChatSession');
db()->do('DELETE FROM chat_session WHERE id = ?', undef, $doc->{ChatSessionId});
$res = req(POST => "$BASE/2147483000/Sessions");
is($res->code, 404, 'POST the sessions of an unknown topic: 404');

# ---- DELETE -----------------------------------------------------------------
$v = version_of($id);
$res = req(DELETE => "$BASE/$id");
is($res->code, 409, 'DELETE a topic with a session: 409');
my $err = json_body($res);
is($err->{Field}, 'Sessions', '... naming Sessions');
like($err->{Message} // '', qr/\b1 chat sessions\b/, '... and their count');
is(version_of($id), $v, '... the topic is still there');
db()->do('DELETE FROM chat_session WHERE id = ?', undef, $S1);
$res = req(DELETE => "$BASE/$id");
is($res->code, 204, 'DELETE a topic without sessions: 204');
is(req(GET => "$BASE/$id")->code, 404, '... then 404');

# ---- rights -----------------------------------------------------------------
$res = req(GET => "$BASE/$T_MEMBER", as('tr_none'));
is($res->code, 200, 'a member without a right reads their topic');
is(json_body($res)->{TableRight}{Mask}, 'Select', '... TableRight Select');
$res = req(GET => "$BASE/$T_OTHER", as('tr_none'));
is($res->code, 403, '... not another one: 403');
$res = req(GET => "$BASE/$T_OTHER", as('tr_read'));
is($res->code, 200, 'the read right reads any topic');
$res = req(GET => "$BASE/$T_MEMBER", as('tr_manager'));
is($res->code, 200, 'a manager reads the topic');
like(json_body($res)->{TableRight}{Mask}, qr/Update/,
     '... TableRight says Update');
like(json_body($res)->{TableRight}{Mask}, qr/Delete/, '... and Delete');
$v = version_of($T_MEMBER);
$res = req(PATCH => "$BASE/$T_MEMBER", as('tr_none'),
           body => [{ op => 'replace', path => '/Name', value => 'x' }]);
is($res->code, 403, 'a member who is no manager may not change it: 403');
like(json_body($res)->{Message} // '', qr/manage/, '... naming what is missing');
is(version_of($T_MEMBER), $v, '... unchanged');
$res = req(PATCH => "$BASE/$T_MEMBER", as('tr_all'),
           body => [{ op => 'replace', path => '/Name', value => 'x' }]);
is($res->code, 403, 'update_all, no manager, may not change a topic: 403');
is(version_of($T_MEMBER), $v, '... unchanged');
$res = req(PATCH => "$BASE/$T_MEMBER", as('tr_manager'),
           body => [{ op => 'replace', path => '/Description', value => 'm' }]);
is($res->code, 200, 'its manager changes it') or diag($res->content);
$res = req(PATCH => "$BASE/$T_OTHER", as('tr_manager'),
           body => [{ op => 'replace', path => '/Description', value => 'm' }]);
is($res->code, 403, '... not a topic they do not manage');
$res = req(POST => $BASE, as('tr_manager'), body => { Name => 'no' });
is($res->code, 403, 'creating a topic needs admin: 403');
$res = req(DELETE => "$BASE/$T_OTHER", as('tr_manager'));
is($res->code, 403, 'deleting a topic one does not manage: 403');

$res = req(GET => "$BASE/ForCurrentUser", as('tr_none'));
is($res->code, 200, 'ForCurrentUser: 200') or diag($res->content);
my @ids = map { $_->{ChatTopicId} } @{ json_body($res) || [] };
is_deeply(\@ids, [$T_MEMBER], '... the caller\'s topics');
$res = req(GET => "$BASE/ForCurrentUser", as('tr_stranger'));
is_deeply(json_body($res), [], '... none for a member of none');

# ---- the agent's ChatTopicEntity methods --------------------------------------
$res = agent_req('CreateDefaultChatTopicEntity');
is($res->code, 200, 'CreateDefaultChatTopicEntity: 200');
is(json_body($res)->{ChatTopicId}, 0, '... the template');
$res = agent_req('SaveChatTopicEntity',
                 body => { chatTopicId => 0, name => 'topic_resource.t agent',
                           openingHours => { monStart => 'PT9H',
                                             monStop => 'PT17H' },
                           widget => { requiredFields => 5 } });
is($res->code, 200, 'SaveChatTopicEntity (id 0): creates') or diag($res->content);
$doc = json_body($res);
my $aid = made($doc->{ChatTopicId} // 0);
ok($aid > 0, '... a new topic');
ok(!exists $doc->{_Links}, '... no _Links (agent)');
is($doc->{Widget}{RequiredFields}, 'Email, Company', '... flags by name');
$doc->{Name} = 'topic_resource.t agent saved';
$res = agent_req('SaveChatTopicEntity', body => $doc);
is($res->code, 200, 'SaveChatTopicEntity (an id): replaces');
is(json_body($res)->{Name}, 'topic_resource.t agent saved', '... written');
$res = agent_req('GetChatTopicEntity', query => "chatTopicEntityId=$aid");
is($res->code, 200, 'GetChatTopicEntity');
is(json_body($res)->{OpeningHours}{MonStop}, '17:00:00', '... as saved');
$res = agent_req('GetChatTopicEntity', query => 'chatTopicEntityId=2147483000');
is($res->code, 404, 'GetChatTopicEntity of an unknown topic: 404');
$res = agent_req('ChatTopicsForUser', as('tr_manager'));
is($res->code, 200, 'ChatTopicsForUser: 200');
is_deeply([map { $_->{ChatTopicId} } @{ json_body($res) }], [$T_MEMBER],
          '... the caller\'s topics');
$res = agent_req('DeleteChatTopicEntity', query => "ChatTopicEntityId=$aid");
is($res->code, 204, 'DeleteChatTopicEntity (ChatTopicEntityId): 204');
is(req(GET => "$BASE/$aid")->code, 404, '... gone');
