# A chat topic's agents (issue 19, design note §3, §6): REST
# ChatTopic/{id}/UserAgent[/{username}] and the ChatAgent methods read and
# write chat_topic_member, the one table of membership: what
# `chatsession-db add-member` writes the API reads, and what the API
# writes Pickup follows. {username} is a login or an associate id; a
# member who is no associate in use is 400 naming User; all roles false
# 400 naming CanRespond; a TopicId of another topic 400; a user twice in a
# replacing list 400 naming useragents/N/User; writes need a manager of
# the topic or admin (403, nothing changed); an unknown topic is 404.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body db agent_req fresh_id make_caller
                         make_topic seed_session);

plan tests => 83, need_lwp, need_module('mod_dbd.c');

my $T = make_topic('agents');
my $U = '/api/v1/ChatTopic';
my %C = (
    mgr  => make_caller('ta_mgr', level => 'none',
                        topics => { $T => ['manager'] }),
    adm  => make_caller('ta_adm', level => 'admin'),
    rdr  => make_caller('ta_rdr', level => 'read'),
    none => make_caller('ta_none', level => 'none'),
    ann  => make_caller('ta_ann', level => 'update_own'),
    bob  => make_caller('ta_bob', level => 'update_own'),
    gone => make_caller('ta_gone', columns => { deleted => 1 }),
);
sub as { return (auth => $C{ $_[0] }{auth}) }
sub id_of { return $C{ $_[0] }{id} }

# The members of $T as "login:roles" (l r m n), by login.
sub members {
    my $rows = db()->selectall_arrayref(
        'SELECT a.name, m.listen, m.can_respond, m.manager, m.notifications
           FROM chat_topic_member m JOIN associate a USING (associate_id)
          WHERE m.topic_id = ? ORDER BY a.name', undef, $T);
    return join ' ', map {
        my ($n, @r) = @$_;
        "$n:" . join('', map { $r[$_] ? qw(l r m n)[$_] : '-' } 0 .. 3)
    } @$rows;
}

sub err_field { my $d = json_body($_[0]); return ref $d eq 'HASH'
                    ? ($d->{Field} // '') : '' }
sub msg { my $d = json_body($_[0]); return ref $d eq 'HASH'
              ? ($d->{ErrorMessage} // '') : '' }

# ---- reading --------------------------------------------------------------
my $res = req(GET => "$U/$T/UserAgent", as('rdr'));
is($res->code, 200, 'GET UserAgent as read: 200');
my $list = json_body($res);
is(ref $list eq 'ARRAY' ? scalar @$list : -1, 1, '... the one member');
is($list->[0]{User}{Name}, 'ta_mgr', '... the manager, User rendered');
ok($list->[0]{CanManage} && !$list->[0]{CanRespond}, '... CanManage only');
is($list->[0]{TopicId}, $T, '... TopicId');
ok(!exists $list->[0]{TableRight}, '... no TableRight (not a Carrier)');
is(req(GET => "$U/$T/UserAgent", as('none'))->code, 403,
   'level none, no member: 403');
is(req(GET => "$U/$T/UserAgent", as('mgr'))->code, 200,
   'level none but a member: 200');
is(req(GET => "$U/2147483647/UserAgent", as('adm'))->code, 404,
   'an unknown topic: 404');
$res = req(GET => "$U/$T/UserAgent", as('rdr'),
           headers => { Accept => 'application/xml' });
like($res->content, qr{<ArrayOfChatTopicAgent[^>]*><ChatTopicAgent>.*<CanManage>true</CanManage>}s,
     'XML: ArrayOfChatTopicAgent of ChatTopicAgent');

# ---- Add (POST), as the manager -------------------------------------------
my $before = members();
$res = req(POST => "$U/$T/UserAgent", as('mgr'),
           body => { User => { Name => 'ta_ann' }, CanRespond => JSON::PP::true });
is($res->code, 200, 'POST UserAgent by login: 200');
is(json_body($res)->{User}{AssociateId}, id_of('ann'), '... the associate');
is(members(), "ta_ann:-r-- $before", '... one row more');
$res = req(POST => "$U/$T/UserAgent", as('mgr'),
           body => { TopicId => $T, User => { AssociateId => id_of('ann') },
                     CanListen => JSON::PP::true,
                     CanRespond => JSON::PP::false });
is($res->code, 200, 'POST again by id: 200 (updates)');
is(members(), "ta_ann:l--- $before", '... the row updated, not added');

$before = members();
for my $case (
    [ 'a deleted associate', { User => { Name => 'ta_gone' },
                               CanRespond => JSON::PP::true }, 'User' ],
    [ 'no such login', { User => { Name => 'ta_nobody_here' },
                         CanRespond => JSON::PP::true }, 'User' ],
    [ 'no User', { CanRespond => JSON::PP::true }, 'User' ],
    [ 'every role false', { User => { Name => 'ta_bob' } }, 'CanRespond' ],
    [ 'another TopicId', { TopicId => $T + 1, User => { Name => 'ta_bob' },
                           CanRespond => JSON::PP::true }, 'TopicId' ],
    [ 'a role no boolean', { User => { Name => 'ta_bob' },
                             CanRespond => 'yes' }, 'CanRespond' ],
    [ 'an unknown member', { User => { Name => 'ta_bob' },
                             CanRespond => JSON::PP::true, Boss => 1 },
      'Boss' ],
) {
    my ($name, $body, $field) = @$case;
    $res = req(POST => "$U/$T/UserAgent", as('mgr'), body => $body);
    is($res->code, 400, "$name: 400");
    is(err_field($res), $field, "... naming $field");
}
is(members(), $before, 'none of them changed a row');

# ---- Get / Update / Delete by {username} ----------------------------------
$res = req(GET => "$U/$T/UserAgent/ta_ann", as('rdr'));
is($res->code, 200, 'GET UserAgent/ta_ann: 200');
is(json_body($res)->{User}{Name}, 'ta_ann', '... by login');
$res = req(GET => "$U/$T/UserAgent/" . id_of('ann'), as('rdr'));
is(json_body($res)->{User}{Name}, 'ta_ann', '... and by associate id');
$res = req(GET => "$U/$T/UserAgent/ta_bob", as('rdr'));
is($res->code, 404, 'not a member: 404');
like(msg($res), qr/not an agent of chat topic $T/, '... saying so');
is(req(PUT => "$U/$T/UserAgent/ta_bob", as('mgr'),
       body => { CanRespond => JSON::PP::true,
                 User => { Name => 'ta_bob' } })->code, 404,
   'PUT a non-member: 404');
is(req(DELETE => "$U/$T/UserAgent/ta_bob", as('mgr'))->code, 404,
   'DELETE a non-member: 404');
$res = req(PUT => "$U/$T/UserAgent/ta_ann", as('mgr'),
           body => { CanRespond => JSON::PP::true,
                     User => { Name => 'ta_bob' } });
is($res->code, 400, 'PUT naming another User: 400');
is(err_field($res), 'User', '... naming User');

# ---- rights: a write refused changes nothing -------------------------------
$before = members();
for my $who (qw(rdr none ann)) {
    $res = req(PUT => "$U/$T/UserAgent/ta_ann", as($who),
               body => { CanRespond => JSON::PP::true });
    is($res->code, 403, "PUT as $who: 403");
    like(msg($res), qr/manager of chat topic $T or have the admin right/,
         '... naming what is missing');
}
is(req(POST => "$U/$T/UserAgent", as('rdr'),
       body => { User => { Name => 'ta_bob' },
                 CanRespond => JSON::PP::true })->code, 403,
   'POST as read: 403');
is(req(PUT => "$U/$T/UserAgent", as('rdr'), body => [])->code, 403,
   'replace as read: 403');
is(req(DELETE => "$U/$T/UserAgent/ta_ann", as('rdr'))->code, 403,
   'DELETE as read: 403');
is(members(), $before, 'nothing changed');
$res = req(PUT => "$U/$T/UserAgent/ta_ann", as('mgr'),
           body => { CanRespond => JSON::PP::true,
                     CanNotify => JSON::PP::true });
is($res->code, 200, 'PUT as the manager: 200');
ok(json_body($res)->{CanNotify}, '... the answer as stored');
like(members(), qr/ta_ann:-r-n/, '... the row');

# ---- replace all (PUT UserAgent), as admin ---------------------------------
$before = members();
$res = req(PUT => "$U/$T/UserAgent", as('adm'),
           body => [ { User => { Name => 'ta_ann' },
                       CanRespond => JSON::PP::true },
                     { User => { AssociateId => id_of('ann') },
                       CanListen => JSON::PP::true } ]);
is($res->code, 400, 'the same user twice: 400');
is(err_field($res), 'useragents/1/User', '... naming useragents/1/User');
$res = req(PUT => "$U/$T/UserAgent", as('adm'),
           body => [ { User => { Name => 'ta_bob' },
                       CanRespond => JSON::PP::true },
                     { User => { Name => 'ta_gone' },
                       CanRespond => JSON::PP::true } ]);
is(err_field($res), 'useragents/1/User', 'a deleted one: 400 naming it');
is(members(), $before, '... nothing changed');
$res = req(PUT => "$U/$T/UserAgent", as('adm'),
           body => [ { User => { Name => 'ta_bob' },
                       CanRespond => JSON::PP::true },
                     { User => { AssociateId => id_of('ann') },
                       CanListen => JSON::PP::true } ]);
is($res->code, 200, 'replace: 200');
is(join(',', map { $_->{User}{Name} } @{ json_body($res) }),
   join(',', map { $_->[1] } sort { $a->[0] <=> $b->[0] }
             ([id_of('ann'), 'ta_ann'], [id_of('bob'), 'ta_bob'])),
   '... the new list, by associate id');
is(members(), 'ta_ann:l--- ta_bob:-r--', '... the manager gone, two rows');
$res = req(PUT => "$U/$T/UserAgent", as('adm'), body => []);
is($res->code, 200, 'replace with []: 200');
is_deeply(json_body($res), [], '... answers []');
is(members(), '', '... no member left');

# ---- the ChatAgent twins (camelCase, as the client sends) ------------------
$res = agent_req('CreateDefaultChatTopicAgent', as('rdr'), body => 'null');
my $tpl = json_body($res);
ok($res->code == 200 && $tpl->{CanRespond} && !defined $tpl->{User},
   'CreateDefaultChatTopicAgent: CanRespond, User null');
$res = agent_req('AddChatTopicUserAgent', as('adm'),
                 body => { chatTopicId => $T,
                           useragent => { topicId => 0,
                                          user => { associateId => id_of('bob') },
                                          canRespond => JSON::PP::true,
                                          canListen => JSON::PP::false } });
is($res->code, 200, 'AddChatTopicUserAgent: 200');
is(members(), 'ta_bob:-r--', '... the row');
$res = agent_req('AddChatTopicUserAgent', as('adm'),
                 body => { ChatTopicId => $T,
                           UserAgent => { User => { Name => 'ta_ann' },
                                          CanManage => JSON::PP::true } });
is($res->code, 200, 'PascalCase wrapper: 200');
$res = agent_req('GetChatTopicUserAgentList', as('rdr'),
                 body => { chatTopicId => $T });
is(scalar @{ json_body($res) || [] }, 2, 'GetChatTopicUserAgentList: two');
$res = agent_req('GetChatTopicUserAgent', as('rdr'),
                 body => { chatTopicId => $T, username => id_of('bob') });
is(json_body($res)->{User}{Name}, 'ta_bob',
   'GetChatTopicUserAgent: a number as the username');
$res = agent_req('UpdateChatTopicUserAgent', as('adm'),
                 body => { chatTopicId => $T, username => 'ta_bob',
                           useragent => { canListen => JSON::PP::true } });
is($res->code, 200, 'UpdateChatTopicUserAgent: 200');
is(members(), 'ta_ann:--m- ta_bob:l---', '... the row');
$res = agent_req('UpdateChatTopicUserAgents', as('adm'),
                 body => { chatTopicId => $T,
                           useragents => [ { user => { name => 'ta_ann' },
                                             canRespond => JSON::PP::true } ] });
is($res->code, 200, 'UpdateChatTopicUserAgents: 200');
is(members(), 'ta_ann:-r--', '... replaced');
$res = agent_req('DeleteChatTopicUserAgent', as('adm'),
                 body => { chatTopicId => $T, username => 'ta_ann' });
is($res->code, 204, 'DeleteChatTopicUserAgent: 204');
is(members(), '', '... gone');
$res = agent_req('GetChatTopicUserAgentList', as('adm'),
                 body => { chatTopicId => 2147483647 });
is($res->code, 404, 'an unknown topic: 404, as an unknown session');
is(agent_req('GetChatTopicUserAgentList', as('adm'), body => '{}')->code,
   400, 'no chatTopicId: 400');

# ---- chatsession-db add-member and the API: one table ----------------------
my $tool = Apache::Test::vars('top_dir') . '/modules/tools/chatsession-db';
local $ENV{PATH} = "$ENV{CHATS_PG_BIN}:$ENV{PATH}" if $ENV{CHATS_PG_BIN};
my $cmd = join ' ', map { "'$_'" } $tool, '-h', $ENV{CHATS_TEST_PGHOST},
    '-p', $ENV{CHATS_TEST_PGPORT}, '-U', $ENV{CHATS_TEST_PGUSER},
    '-d', $ENV{CHATS_TEST_PGDATABASE}, 'add-member', 'ta_ann', $T, 'listen';
is(system("$cmd >/dev/null 2>&1") >> 8, 0, 'chatsession-db add-member');
$res = req(GET => "$U/$T/UserAgent/ta_ann", as('rdr'));
my $a = json_body($res);
ok($res->code == 200 && $a->{CanListen} && !$a->{CanRespond},
   '... the API sees the row it wrote');

# ---- Pickup follows a new CanRespond ---------------------------------------
my $sid = fresh_id();
seed_session($sid, topic_id => $T, status => 4, user_id => undef,
             when_requested => '2001-01-01T00:00:00Z');
$res = req(POST => "/api/v1/ChatSession/$sid/Pickup", as('ann'));
ok(!ref json_body($res) || !defined json_body($res)
   || $res->code != 200, 'listen only: Pickup does not take it');
is(db()->selectrow_array('SELECT user_id FROM chat_session WHERE id = ?',
                         undef, $sid), undef, '... the session stays queued');
is(req(PUT => "$U/$T/UserAgent/ta_ann", as('adm'),
       body => { CanRespond => JSON::PP::true })->code, 200,
   'CanRespond through the API');
$res = req(POST => "/api/v1/ChatSession/$sid/Pickup", as('ann'));
is($res->code, 200, 'Pickup now: 200');
is(json_body($res)->{User}{AssociateId}, id_of('ann'), '... taken by ann');
