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
use ChatSession::Test qw(req json_body seed_session db bcrypt_hash);

plan tests => 93, need_lwp, need_module('mod_dbd.c');

my $BASE = '/api/v1/ChatSession';
my $AG = '/api/v1/Agents/Chat';
my $PASS = "Tr-$$-" . time;
my $T = 8611;                        # a topic of its own

my %A = (
    tr_own   => [8621, 'update_own'],
    tr_own2  => [8622, 'update_own'],
    tr_all   => [8623, 'update_all'],
    tr_read  => [8624, 'read'],
    tr_gone  => [8625, 'update_own'],    # deleted below
    '8622'   => [8626, 'update_own'],    # a login that looks like an id
    tr_none  => [8627, 'none'],
    # ids of 10 digits, up to int32's largest (issue 16)
    tr_big   => [2000000202, 'update_own'],
    tr_max   => [2147483647, 'update_own'],
);
my $IDS = 'BETWEEN 8621 AND 8627 OR %s IN (2000000202, 2147483647)';

sub cleanup {
    db()->do('DELETE FROM chat_session WHERE id BETWEEN 8630 AND 8649
              OR topic_id = ?', undef, $T);
    db()->do('DELETE FROM chat_session WHERE user_id ' . sprintf($IDS, 'user_id')
             . ' OR transfer_to ' . sprintf($IDS, 'transfer_to'));
    db()->do('DELETE FROM chat_topic_member WHERE associate_id '
             . sprintf($IDS, 'associate_id'));
    db()->do('DELETE FROM chat_session_right WHERE associate_id '
             . sprintf($IDS, 'associate_id'));
    db()->do('DELETE FROM associate WHERE associate_id '
             . sprintf($IDS, 'associate_id'));
    db()->do('DELETE FROM chat_topic WHERE id = ?', undef, $T);
}

cleanup();
db()->do(q{INSERT INTO chat_topic (id, name) VALUES (?, 'transfer')},
         undef, $T);
my $hash = bcrypt_hash('tr', $PASS);
for my $u (sort keys %A) {
    my ($id, $level) = @{ $A{$u} };
    db()->do('INSERT INTO associate (associate_id, name, password_hash)
              VALUES (?, ?, ?)', undef, $id, $u, $hash);
    db()->do('INSERT INTO chat_session_right (associate_id, level)
              VALUES (?, ?)', undef, $id, $level);
    db()->do('INSERT INTO chat_topic_member (topic_id, associate_id,
              can_respond) VALUES (?, ?, true)', undef, $T, $id);
}
db()->do('UPDATE associate SET deleted = true WHERE associate_id = 8625');

sub as { my $u = shift; return (auth => [$u, $PASS]) }

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
active(8631, 8621);
my $v = row(8631)->{version};
my $res = req(POST => "$BASE/8631/TransferTo/tr_own2", as('tr_own'));
is($res->code, 200, 'TransferTo a login: 200') or diag($res->as_string);
my $doc = json_body($res);
is($doc->{TransferTo}{AssociateId}, 8622, '... TransferTo is the recipient');
is($doc->{User}{AssociateId}, 8621, '... User unchanged until accepted');
ok(!exists $doc->{_Links}, '... no _Links');
is(row(8631)->{version}, $v + 1, '... version + 1');
is_deeply(messages(8631), [{ type => 3, special_type => 6,
                             special_param => 'tr_own2',
                             author => 'tr_own' }],
          '... a Special TransferedSession message naming the recipient');

unchanged(req(POST => "$BASE/8631/TransferTo/tr_own2", as('tr_own')),
          8631, $v + 1, 'the same transfer again');
is(scalar @{ messages(8631) }, 1, '... no second message');

# --- every int32 id, 10 digits too (issue 16) ------------------------------------
for my $id (2000000202, 2147483647) {
    $res = req(POST => "$BASE/8631/TransferTo/$id", as('tr_own'));
    is($res->code, 200, "TransferTo the 10-digit id $id: 200")
        or diag($res->as_string);
    is(eval { json_body($res)->{TransferTo}{AssociateId} }, $id,
       '... TransferTo is that associate');
}
$res = req(POST => "$AG/TransferChatSession", as('tr_own'),
           body => { chatSessionId => 8631, toAssociate => '2000000202' });
is(eval { json_body($res)->{TransferTo}{AssociateId} }, 2000000202,
   'agent TransferChatSession to a 10-digit id: pending')
    or diag($res->as_string);

# --- by id; a login wins over an id ---------------------------------------------
$res = req(POST => "$BASE/8631/TransferTo/8623", as('tr_own'));
is(json_body($res)->{TransferTo}{AssociateId}, 8623,
   'TransferTo an id ("8623"): that associate');
$res = req(POST => "$BASE/8631/TransferTo/8622", as('tr_own'));
is(json_body($res)->{TransferTo}{AssociateId}, 8626,
   'TransferTo "8622": the associate whose login it is, not id 8622');

# --- errors and no-ops ------------------------------------------------------------
$v = row(8631)->{version};
for my $case (['nosuchlogin', 'an unknown login'],
              ['tr_gone', 'a deleted associate'],
              ['8625', 'a deleted associate by id'],
              ['2147483648', 'int32\'s largest + 1'],
              ['99999999999', 'a number past int32']) {
    my ($to, $what) = @$case;
    $res = req(POST => "$BASE/8631/TransferTo/$to", as('tr_own'));
    is($res->code, 400, "TransferTo $what: 400");
    is(eval { json_body($res)->{Field} }, 'toAssociate',
       "... the error names toAssociate");
}
is(row(8631)->{version}, $v, 'none of them wrote');

unchanged(req(POST => "$BASE/8631/TransferTo/tr_all", as('tr_own2')),
          8631, $v, 'TransferTo by one who does not own the session');
unchanged(req(POST => "$BASE/8631/TransferTo/tr_own", as('tr_own')),
          8631, $v, 'TransferTo oneself');
unchanged(req(POST => "$BASE/8631/TransferTo/tr_own2", as('tr_all')),
          8631, $v, 'TransferTo by update_all, not the owner');
is(req(POST => "$BASE/8649/TransferTo/tr_own2", as('tr_own'))->code, 404,
   'TransferTo, no such session: 404');
forbidden(req(POST => "$BASE/8631/TransferTo/tr_own2", as('tr_read')),
          'TransferTo (read)');
forbidden(req(POST => "$BASE/8631/TransferTo/tr_own2", as('tr_none')),
          'TransferTo (none)');
forbidden(req(POST => "/authfile$BASE/8631/TransferTo/tr_own2",
              auth => ['filebob', 'Filebob1']),
          'TransferTo (not an associate)');

# --- AcceptTransfer -----------------------------------------------------------------
req(POST => "$BASE/8631/TransferTo/tr_own2", as('tr_own'));
active(8632, 8622, 1);                  # tr_own2 has Rank 1 taken
$v = row(8631)->{version};
unchanged(req(POST => "$BASE/8631/AcceptTransfer", as('tr_all')),
          8631, $v, 'AcceptTransfer by one who is not the recipient');
unchanged(req(POST => "$BASE/8631/AcceptTransfer", as('tr_own')),
          8631, $v, 'AcceptTransfer by the owner');
$res = req(POST => "$BASE/8631/AcceptTransfer", as('tr_own2'));
is($res->code, 200, 'AcceptTransfer by the recipient: 200')
    or diag($res->as_string);
$doc = json_body($res);
is($doc->{User}{AssociateId}, 8622, '... User is the recipient');
ok(!defined $doc->{TransferTo}, '... TransferTo cleared');
is($doc->{Rank}, 2, '... Rank: the lowest free among the recipient\'s');
is(row(8631)->{version}, $v + 1, '... version + 1');
unchanged(req(POST => "$BASE/8631/AcceptTransfer", as('tr_own2')),
          8631, $v + 1, 'AcceptTransfer with nothing pending');
is(req(POST => "$BASE/8649/AcceptTransfer", as('tr_own2'))->code, 404,
   'AcceptTransfer, no such session: 404');
forbidden(req(POST => "$BASE/8631/AcceptTransfer", as('tr_read')),
          'AcceptTransfer (read)');

# --- RejectTransfer -----------------------------------------------------------------
req(POST => "$BASE/8631/TransferTo/tr_own", as('tr_own2'));
$v = row(8631)->{version};
unchanged(req(POST => "$BASE/8631/RejectTransfer", as('tr_own2')),
          8631, $v, 'RejectTransfer by the owner, not the recipient');
$res = req(POST => "$BASE/8631/RejectTransfer", as('tr_own'));
is($res->code, 200, 'RejectTransfer by the recipient: 200');
$doc = json_body($res);
ok(!defined $doc->{TransferTo}, '... TransferTo cleared');
is($doc->{User}{AssociateId}, 8622, '... the owner keeps it');
is(row(8631)->{version}, $v + 1, '... version + 1');
is_deeply(messages(8631)->[-1], { type => 3, special_type => 13,
                                  special_param => '', author => 'tr_own' },
          '... a Special TransferRejected message by the recipient');
unchanged(req(POST => "$BASE/8631/RejectTransfer", as('tr_own')),
          8631, $v + 1, 'RejectTransfer with nothing pending');
is(req(POST => "$BASE/8649/RejectTransfer", as('tr_own'))->code, 404,
   'RejectTransfer, no such session: 404');
forbidden(req(POST => "$BASE/8631/RejectTransfer", as('tr_none')),
          'RejectTransfer (none)');

# --- the agent twins ------------------------------------------------------------------
$res = req(POST => "$AG/TransferChatSession", as('tr_own2'),
           body => { chatSessionId => 8631, toAssociate => 'tr_own' });
is($res->code, 200, 'agent TransferChatSession: 200') or diag($res->as_string);
is(json_body($res)->{TransferTo}{AssociateId}, 8621, '... pending');
$res = req(POST => "$AG/TransferChatSession", as('tr_own2'),
           body => { chatSessionId => 8631, toAssociate => 'nosuchlogin' });
is(eval { json_body($res)->{Field} }, 'toAssociate',
   'agent TransferChatSession to no one: 400 naming toAssociate');
$res = req(POST => "$AG/AcceptChatSessionTransfer", as('tr_own'),
           body => { chatSessionId => 8631 });
is(json_body($res)->{User}{AssociateId}, 8621,
   'agent AcceptChatSessionTransfer');
req(POST => "$AG/TransferChatSession", as('tr_own'),
    body => { chatSessionId => 8631, toAssociate => '8622' });
$res = req(POST => "$AG/RejectChatSessionTransfer", as('8622'),
           body => { chatSessionId => 8631 });
ok(!defined json_body($res)->{TransferTo},
   'agent RejectChatSessionTransfer (after a transfer to login "8622")')
    or diag($res->as_string);

# --- CreateChatSessionForTopic --------------------------------------------------------
seed_session(8633, topic_id => $T, user_id => undef, status => 4);
seed_session(8634, topic_id => $T, user_id => undef, status => 4);
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
           body => { chatTopicId => 8699 });
is($res->code, 400, 'CreateChatSessionForTopic, no such topic: 400');
is(eval { json_body($res)->{Field} }, 'TopicId', '... naming TopicId');
forbidden(req(POST => "$AG/CreateChatSessionForTopic", as('tr_own'),
              body => { chatTopicId => $T }),
          'CreateChatSessionForTopic (update_own: it would not be theirs)');
forbidden(req(POST => "$AG/CreateChatSessionForTopic", as('tr_read'),
              body => { chatTopicId => $T }),
          'CreateChatSessionForTopic (read)');

cleanup();
