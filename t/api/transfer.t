# TransferTo, AcceptTransfer, RejectTransfer (README "Agent actions"):
# by login or by id (a login wins), unknown and deleted associates (400
# naming toAssociate), the no-ops (not the owner, to oneself, already
# pending, not the recipient: the session unchanged, same ETag), the
# TransferedSession and TransferRejected messages, Rank on accept, 404,
# the rights; and CreateChatSessionForTopic (InitialQueuePos, rights).
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session db fresh_ids make_topic
                         make_caller);

plan tests => 93, need_lwp, need_module('mod_dbd.c');

my $BASE = '/api/v1/ChatSession';
my $AG = '/api/v1/Agents/Chat';
my $T = make_topic('transfer');      # a topic of its own

# The callers, members of $T who may respond: login => associate id.
my (%A, %C);
sub agent {
    my ($login, $level, %o) = @_;
    $C{$login} = make_caller($login, level => $level,
                             topics => { $T => 'can_respond' }, %o);
    $A{$login} = $C{$login}{id};
}
agent(tr_own  => 'update_own');
agent(tr_own2 => 'update_own');
agent(tr_all  => 'update_all');
agent(tr_read => 'read');
agent(tr_gone => 'update_own');      # deleted below
my $IDLOGIN = "$A{tr_own2}";         # a login that looks like an id:
agent($IDLOGIN => 'update_own');     # tr_own2's
agent(tr_none => 'none');
# ids of 10 digits, up to int32's largest (issue 16): the ids are the point
agent(tr_big => 'update_own', id => 2000000202);
agent(tr_max => 'update_own', id => 2147483647);
db()->do('UPDATE associate SET deleted = true WHERE associate_id = ?', undef,
         $A{tr_gone});

sub as { my $u = shift; return (auth => $C{$u}{auth}) }

# Sessions: $S, $S2, two queued, and ids of no session and of no topic.
my ($S, $S2, $Q1, $Q2, $NONE, $NO_TOPIC) = fresh_ids(6);

sub row {
    db()->selectrow_hashref('SELECT * FROM chat_session WHERE id = ?',
                            undef, shift);
}

sub messages {
    db()->selectall_arrayref('SELECT type, special_type, special_param,
                              author FROM chat_message
                              WHERE chat_session_id = ? ORDER BY id',
                             { Slice => {} }, shift);
}

sub active {
    my ($id, $user, $rank) = @_;
    return seed_session($id, topic_id => $T, user_id => $user, status => 6,
                        rank => $rank // 1);
}

sub forbidden {
    my ($res, $name) = @_;
    is($res->code, 403, "$name: 403") or diag($res->as_string);
    is(eval { json_body($res)->{ErrorType} }, 'SoAccessDeniedException',
       "$name: SuperOffice error body");
}

sub unchanged {
    my ($res, $id, $v, $name) = @_;
    is($res->code, 200, "$name: 200") or diag($res->as_string);
    is($res->header('ETag'), qq{"$v"}, "$name: unchanged (same ETag)");
    is(row($id)->{version}, $v, "$name: nothing written");
}

# --- TransferTo by login --------------------------------------------------------
active($S, $A{tr_own});
my $v = row($S)->{version};
my $res = req(POST => "$BASE/$S/TransferTo/tr_own2", as('tr_own'));
is($res->code, 200, 'TransferTo a login: 200') or diag($res->as_string);
my $doc = json_body($res);
is($doc->{TransferTo}{AssociateId}, $A{tr_own2},
   '... TransferTo is the recipient');
is($doc->{User}{AssociateId}, $A{tr_own},
   '... User unchanged until accepted');
ok(!exists $doc->{_Links}, '... no _Links');
is(row($S)->{version}, $v + 1, '... version + 1');
is_deeply(messages($S), [{ type => 3, special_type => 6,
                             special_param => 'tr_own2',
                             author => 'tr_own' }],
          '... a Special TransferedSession message naming the recipient');

unchanged(req(POST => "$BASE/$S/TransferTo/tr_own2", as('tr_own')),
          $S, $v + 1, 'the same transfer again');
is(scalar @{ messages($S) }, 1, '... no second message');

# --- every int32 id, 10 digits too (issue 16) ------------------------------------
for my $id (2000000202, 2147483647) {
    $res = req(POST => "$BASE/$S/TransferTo/$id", as('tr_own'));
    is($res->code, 200, "TransferTo the 10-digit id $id: 200")
        or diag($res->as_string);
    is(eval { json_body($res)->{TransferTo}{AssociateId} }, $id,
       '... TransferTo is that associate');
}
$res = req(POST => "$AG/TransferChatSession", as('tr_own'),
           body => { chatSessionId => $S, toAssociate => '2000000202' });
is(eval { json_body($res)->{TransferTo}{AssociateId} }, 2000000202,
   'agent TransferChatSession to a 10-digit id: pending')
    or diag($res->as_string);

# --- by id; a login wins over an id ---------------------------------------------
$res = req(POST => "$BASE/$S/TransferTo/$A{tr_all}", as('tr_own'));
is(json_body($res)->{TransferTo}{AssociateId}, $A{tr_all},
   qq{TransferTo an id ("$A{tr_all}"): that associate});
$res = req(POST => "$BASE/$S/TransferTo/$IDLOGIN", as('tr_own'));
is(json_body($res)->{TransferTo}{AssociateId}, $A{$IDLOGIN},
   qq{TransferTo "$IDLOGIN": the associate whose login it is, not id }
   . $IDLOGIN);

# --- errors and no-ops ------------------------------------------------------------
$v = row($S)->{version};
for my $case (['nosuchlogin', 'an unknown login'],
              ['tr_gone', 'a deleted associate'],
              [$A{tr_gone}, 'a deleted associate by id'],
              ['2147483648', 'int32\'s largest + 1'],
              ['99999999999', 'a number past int32']) {
    my ($to, $what) = @$case;
    $res = req(POST => "$BASE/$S/TransferTo/$to", as('tr_own'));
    is($res->code, 400, "TransferTo $what: 400");
    is(eval { json_body($res)->{Field} }, 'toAssociate',
       "... the error names toAssociate");
}
is(row($S)->{version}, $v, 'none of them wrote');

unchanged(req(POST => "$BASE/$S/TransferTo/tr_all", as('tr_own2')),
          $S, $v, 'TransferTo by one who does not own the session');
unchanged(req(POST => "$BASE/$S/TransferTo/tr_own", as('tr_own')),
          $S, $v, 'TransferTo oneself');
unchanged(req(POST => "$BASE/$S/TransferTo/tr_own2", as('tr_all')),
          $S, $v, 'TransferTo by update_all, not the owner');
is(req(POST => "$BASE/$NONE/TransferTo/tr_own2", as('tr_own'))->code, 404,
   'TransferTo, no such session: 404');
forbidden(req(POST => "$BASE/$S/TransferTo/tr_own2", as('tr_read')),
          'TransferTo (read)');
forbidden(req(POST => "$BASE/$S/TransferTo/tr_own2", as('tr_none')),
          'TransferTo (none)');
forbidden(req(POST => "/authfile$BASE/$S/TransferTo/tr_own2",
              auth => ['filebob', 'Filebob1']),
          'TransferTo (not an associate)');

# --- AcceptTransfer -----------------------------------------------------------------
req(POST => "$BASE/$S/TransferTo/tr_own2", as('tr_own'));
active($S2, $A{tr_own2}, 1);            # tr_own2 has Rank 1 taken
$v = row($S)->{version};
unchanged(req(POST => "$BASE/$S/AcceptTransfer", as('tr_all')),
          $S, $v, 'AcceptTransfer by one who is not the recipient');
unchanged(req(POST => "$BASE/$S/AcceptTransfer", as('tr_own')),
          $S, $v, 'AcceptTransfer by the owner');
$res = req(POST => "$BASE/$S/AcceptTransfer", as('tr_own2'));
is($res->code, 200, 'AcceptTransfer by the recipient: 200')
    or diag($res->as_string);
$doc = json_body($res);
is($doc->{User}{AssociateId}, $A{tr_own2}, '... User is the recipient');
ok(!defined $doc->{TransferTo}, '... TransferTo cleared');
is($doc->{Rank}, 2, '... Rank: the lowest free among the recipient\'s');
is(row($S)->{version}, $v + 1, '... version + 1');
unchanged(req(POST => "$BASE/$S/AcceptTransfer", as('tr_own2')),
          $S, $v + 1, 'AcceptTransfer with nothing pending');
is(req(POST => "$BASE/$NONE/AcceptTransfer", as('tr_own2'))->code, 404,
   'AcceptTransfer, no such session: 404');
forbidden(req(POST => "$BASE/$S/AcceptTransfer", as('tr_read')),
          'AcceptTransfer (read)');

# --- RejectTransfer -----------------------------------------------------------------
req(POST => "$BASE/$S/TransferTo/tr_own", as('tr_own2'));
$v = row($S)->{version};
unchanged(req(POST => "$BASE/$S/RejectTransfer", as('tr_own2')),
          $S, $v, 'RejectTransfer by the owner, not the recipient');
$res = req(POST => "$BASE/$S/RejectTransfer", as('tr_own'));
is($res->code, 200, 'RejectTransfer by the recipient: 200');
$doc = json_body($res);
ok(!defined $doc->{TransferTo}, '... TransferTo cleared');
is($doc->{User}{AssociateId}, $A{tr_own2}, '... the owner keeps it');
is(row($S)->{version}, $v + 1, '... version + 1');
is_deeply(messages($S)->[-1], { type => 3, special_type => 13,
                                  special_param => '', author => 'tr_own' },
          '... a Special TransferRejected message by the recipient');
unchanged(req(POST => "$BASE/$S/RejectTransfer", as('tr_own')),
          $S, $v + 1, 'RejectTransfer with nothing pending');
is(req(POST => "$BASE/$NONE/RejectTransfer", as('tr_own'))->code, 404,
   'RejectTransfer, no such session: 404');
forbidden(req(POST => "$BASE/$S/RejectTransfer", as('tr_none')),
          'RejectTransfer (none)');

# --- the agent twins ------------------------------------------------------------------
$res = req(POST => "$AG/TransferChatSession", as('tr_own2'),
           body => { chatSessionId => $S, toAssociate => 'tr_own' });
is($res->code, 200, 'agent TransferChatSession: 200') or diag($res->as_string);
is(json_body($res)->{TransferTo}{AssociateId}, $A{tr_own}, '... pending');
$res = req(POST => "$AG/TransferChatSession", as('tr_own2'),
           body => { chatSessionId => $S, toAssociate => 'nosuchlogin' });
is(eval { json_body($res)->{Field} }, 'toAssociate',
   'agent TransferChatSession to no one: 400 naming toAssociate');
$res = req(POST => "$AG/AcceptChatSessionTransfer", as('tr_own'),
           body => { chatSessionId => $S });
is(json_body($res)->{User}{AssociateId}, $A{tr_own},
   'agent AcceptChatSessionTransfer');
req(POST => "$AG/TransferChatSession", as('tr_own'),
    body => { chatSessionId => $S, toAssociate => $IDLOGIN });
$res = req(POST => "$AG/RejectChatSessionTransfer", as($IDLOGIN),
           body => { chatSessionId => $S });
ok(!defined json_body($res)->{TransferTo},
   'agent RejectChatSessionTransfer (after a transfer to the login that '
   . 'looks like an id)')
    or diag($res->as_string);

# --- CreateChatSessionForTopic --------------------------------------------------------
seed_session($Q1, topic_id => $T, user_id => undef, status => 4);
seed_session($Q2, topic_id => $T, user_id => undef, status => 4);
$res = req(POST => "$AG/CreateChatSessionForTopic", as('tr_all'),
           body => { chatTopicId => $T });
is($res->code, 200, 'CreateChatSessionForTopic: 200') or diag($res->as_string);
$doc = json_body($res);
ok($doc->{ChatSessionId} > 0, '... a new session');
is($doc->{TopicId}, $T, '... in the topic');
is($doc->{Status}, 'InQueue', '... queued');
is($doc->{InitialQueuePos}, 3, '... InitialQueuePos: 2 queued before it + 1');
ok($doc->{WhenRequested}, '... WhenRequested set');
my $stored = row($doc->{ChatSessionId});
ok($stored && abs(time - db()->selectrow_array(
       'SELECT extract(epoch FROM when_requested) FROM chat_session
        WHERE id = ?', undef, $doc->{ChatSessionId})) < 60,
   '... WhenRequested is now');
$res = req(POST => "$AG/CreateChatSessionForTopic", as('tr_all'),
           body => { chatTopicId => $NO_TOPIC });
is($res->code, 400, 'CreateChatSessionForTopic, no such topic: 400');
is(eval { json_body($res)->{Field} }, 'TopicId', '... naming TopicId');
forbidden(req(POST => "$AG/CreateChatSessionForTopic", as('tr_own'),
              body => { chatTopicId => $T }),
          'CreateChatSessionForTopic (update_own: it would not be theirs)');
forbidden(req(POST => "$AG/CreateChatSessionForTopic", as('tr_read'),
              body => { chatTopicId => $T }),
          'CreateChatSessionForTopic (read)');
