# The chat users (issue 19, design note §3): GetChatPresence (UserId,
# DisplayName, OngoingChats counted from the sessions, Present,
# ChatTopics), SaveChatPresence (oneself only: 204; another UserId 403,
# nothing changed), GetUserAgentList / GET ChatTopic/UserAgents (flat,
# grouped, onlyPresent). Reading needs read or membership of a topic.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body db agent_req fresh_id make_caller
                         make_topic seed_session);

plan tests => 29, need_lwp, need_module('mod_dbd.c');

my $T = make_topic('presence');
my $G = 900000 + ($T % 90000);
db()->do('INSERT INTO user_group (id, name) VALUES (?, ?)
          ON CONFLICT (id) DO UPDATE SET name = excluded.name',
         undef, $G, 'Presence desk');
my $ann = make_caller('pr_ann', level => 'update_own',
                      columns => { group_idx => $G, full_name => 'Ann Pr' },
                      topics => { $T => 'can_respond' });
my $bob = make_caller('pr_bob', level => 'none',
                      columns => { group_idx => $G, full_name => 'Bob Pr' },
                      topics => { $T => 'listen' });
my $none = make_caller('pr_none', level => 'none');

sub mine {
    my ($list, $id) = @_;
    my ($p) = grep { $_->{UserId} == $id } @{ $list || [] };
    return $p || {};
}
sub presence { json_body(agent_req('GetChatPresence', auth => $ann->{auth})) }

# ---- GetChatPresence --------------------------------------------------------
my $res = agent_req('GetChatPresence', auth => $bob->{auth});
is($res->code, 200, 'GetChatPresence as a member (level none): 200');
my $p = mine(json_body($res), $ann->{id});
is_deeply([sort keys %$p],
          [qw(ChatTopics DisplayName OngoingChats Present UserId)],
          '... the ChatPresence members');
is($p->{DisplayName}, 'Ann Pr', '... DisplayName');
is_deeply($p->{ChatTopics}, [$T], '... ChatTopics');
ok(!$p->{Present}, '... not present without a row');
is($p->{OngoingChats}, 0, '... no chats');
is(agent_req('GetChatPresence', auth => $none->{auth})->code, 403,
   'level none, no member: 403');

# OngoingChats follows Pickup and Reset.
my $sid = fresh_id();
seed_session($sid, topic_id => $T, status => 4, user_id => undef);
is(req(POST => "/api/v1/ChatSession/$sid/Pickup",
       auth => $ann->{auth})->code, 200, 'Pickup');
is(mine(presence(), $ann->{id})->{OngoingChats}, 1, '... OngoingChats 1');
is(req(POST => "/api/v1/ChatSession/$sid/Reset",
       auth => $ann->{auth})->code, 200, 'Reset');
is(mine(presence(), $ann->{id})->{OngoingChats}, 0, '... OngoingChats 0');

# ---- SaveChatPresence -------------------------------------------------------
$res = agent_req('SaveChatPresence', auth => $ann->{auth},
                 body => { chatPresence => [ { userId => $ann->{id},
                                               present => JSON::PP::true } ] });
is($res->code, 204, 'SaveChatPresence of oneself: 204');
is($res->content, '', '... no body');
ok(mine(presence(), $ann->{id})->{Present}, '... present now');
$res = agent_req('SaveChatPresence', auth => $ann->{auth},
                 body => { ChatPresence => [ { UserId => 0,
                                               Present => JSON::PP::false } ] });
is($res->code, 204, 'PascalCase, UserId 0 (the caller): 204');
ok(!mine(presence(), $ann->{id})->{Present}, '... away');
$res = agent_req('SaveChatPresence', auth => $ann->{auth},
                 body => { chatPresence => [ { userId => $bob->{id},
                                               present => JSON::PP::true } ] });
is($res->code, 403, "another user's: 403");
ok(!mine(presence(), $bob->{id})->{Present}, '... nothing changed');
is(agent_req('SaveChatPresence', auth => $ann->{auth},
             body => { chatPresence => [ { userId => 0 } ] })->code, 400,
   'no Present: 400');
agent_req('SaveChatPresence', auth => $bob->{auth},
          body => { chatPresence => [ { present => JSON::PP::true } ] });

# ---- GetUserAgentList / UserAgents -----------------------------------------
sub group_of {
    my ($list) = @_;
    my ($g) = grep { $_->{Id} == $G } @{ $list || [] };
    return $g || {};
}
$res = agent_req('GetUserAgentList', auth => $ann->{auth},
                 body => { flat => JSON::PP::false });
is($res->code, 200, 'GetUserAgentList grouped: 200');
my $g = group_of(json_body($res));
is($g->{Name}, 'Presence desk', '... the group named by user_group');
is(join(',', map { $_->{Name} } @{ $g->{ChildItems} || [] }),
   'Ann Pr,Bob Pr', '... its users by name');
is($g->{ChildItems}[0]{ExtraInfo}, 'pr_ann', '... a user item: login');
$res = agent_req('GetUserAgentList', auth => $ann->{auth},
                 body => { flat => JSON::PP::false,
                           onlyPresent => JSON::PP::true });
is(join(',', map { $_->{Name} } @{ group_of(json_body($res))->{ChildItems}
                                    || [] }), 'Bob Pr',
   'onlyPresent: the present one');
$res = agent_req('GetUserAgentList', auth => $ann->{auth},
                 body => { Flat => JSON::PP::true });
my @mine = grep { $_->{Id} == $ann->{id} || $_->{Id} == $bob->{id} }
           @{ json_body($res) || [] };
is(scalar @mine, 2, 'flat (PascalCase): the users themselves');
is_deeply($mine[0]{ChildItems}, [], '... without children');
$res = req(GET => '/api/v1/ChatTopic/UserAgents?flat=true&onlyPresent=true',
           auth => $ann->{auth});
is($res->code, 200, 'REST UserAgents: 200');
is(join(',', map { $_->{Name} } grep { $_->{Id} == $ann->{id}
                                       || $_->{Id} == $bob->{id} }
                                  @{ json_body($res) || [] }), 'Bob Pr',
   '... flat and onlyPresent');
is(req(GET => '/api/v1/ChatTopic/UserAgents?flat=maybe')->code, 400,
   'flat=maybe: 400');
