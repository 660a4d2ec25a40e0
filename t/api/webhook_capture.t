# Webhooks, capture (issue 20; README "Webhooks"): every write route
# writes the documented events into chats_webhook_outbox in the statement
# that makes the change, once: chatsession.created for a new session,
# chatsession.changed naming the fields that changed, chatsession.message
# for a message, in that order within one statement; nothing for a no-op,
# a refused write, a DELETE, an Idempotency-Key repeat, or a write whose
# transaction does not commit (a fault injected at each of its statements
# in turn). One row per Active webhook subscribed to the event, all with
# one EventId; FieldValues as SuperOffice's; ChangedByAssociateId the
# caller. The test holds the deliverer's lock, so nothing is delivered
# meanwhile. Delivery: t/api/webhook_delivery.t.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session db agent_req fresh_ids
                         make_topic make_caller hold_delivery);
use JSON::PP ();
use DBI ();
use POSIX ();

plan tests => 83, need_lwp, need_module('mod_dbd.c');

my $BASE = '/api/v1/ChatSession';
my $T = make_topic('webhook_capture');
my %C = map { $_ => make_caller($_, level => 'update_all',
                                topics => { $T => 'can_respond' }) }
        qw(wh_one wh_two);
my @S = fresh_ids(8);
my ($HALL, $HCHG, $HOFF, $HMSG) = fresh_ids(4);   # webhook ids

sub as { my $u = shift; return (auth => $C{$u}{auth}) }

my $dbh = db();
# No process delivers while this file runs: the rows stay to be read.
my $held = hold_delivery();
sub hooks_clear {
    $dbh->do('DELETE FROM chats_webhook WHERE id IN (?, ?, ?, ?)', undef,
             $HALL, $HCHG, $HOFF, $HMSG);
}
hooks_clear();
END { hooks_clear() if $dbh }
# $HALL: every chat event; $HCHG: changed only; $HOFF: Stopped;
# $HMSG: message only.
my $ALL = '["chatsession.created", "chatsession.changed", "chatsession.message"]';
$dbh->do(q{INSERT INTO chats_webhook (id, name, events, target_url, state)
           VALUES (?, 'all', ?::jsonb, 'https://receiver.invalid/all', 1),
                  (?, 'changed', '["chatsession.changed"]',
                   'https://receiver.invalid/chg', 1),
                  (?, 'stopped', ?::jsonb, 'https://receiver.invalid/off', 2),
                  (?, 'message', '["chatsession.message"]',
                   'https://receiver.invalid/msg', 1)},
         undef, $HALL, $ALL, $HCHG, $HOFF, $ALL, $HMSG);

# FieldValues as the outbox keeps a captured event's (schema version 8,
# chats_webhook_values): numbers in SuperOffice's order, a message's
# MessageId after them, booleans as 0/1; the texts (CustomerAlias).
my @INTS = qw(AlertLevel ChatbotIsactive Consented ContactId CustomerId
              ProjectId Rating SaleId Status TicketId TopicId UserId MessageId);
my %BOOL = (ChatbotIsactive => 1, Consented => 1);
my $json = JSON::PP->new;
sub field_values {
    my ($jsonb, $ints, $texts) = @_;
    return $json->decode($jsonb) if defined $jsonb;
    return undef unless defined $ints;
    my @n = @{ $json->decode($ints) };
    my %fv = (CustomerAlias => $json->decode($texts)->[0]);
    for my $k (0 .. $#n) {
        $fv{$INTS[$k]} = !$BOOL{$INTS[$k]} ? $n[$k]
                       : $n[$k] ? JSON::PP::true : JSON::PP::false;
    }
    return \%fv;
}

# The events written since the last call, as
# [event, primary key, changes, field values, actor, event id, webhook].
my ($seen) = $dbh->selectrow_array(
    'SELECT coalesce(max(id), 0) FROM chats_webhook_outbox');
sub events {
    my $rows = $dbh->selectall_arrayref(
        q{SELECT id, event, primary_key, changes::text, field_values::text,
                 actor, event_id::text, webhook_id,
                 array_to_json(field_ints)::text,
                 array_to_json(field_texts)::text
            FROM chats_webhook_outbox
           WHERE id > ? AND webhook_id IN (?, ?, ?, ?) ORDER BY id},
        undef, $seen, $HALL, $HCHG, $HOFF, $HMSG);
    $seen = $rows->[-1][0] if @$rows;
    return [map { [$_->[1], $_->[2], $json->decode($_->[3]),
                   field_values(@$_[4, 8, 9]),
                   $_->[5], $_->[6], $_->[7]] } @$rows];
}

# The events for webhook $HALL only, as "event id [changes]".
sub summary {
    my $ev = shift;
    return join ' | ', map { "$_->[0] $_->[1] [" . join(',', @{ $_->[2] }) . ']' }
                       grep { $_->[6] == $HALL } @$ev;
}

sub ok_code {
    my ($res, $code, $what) = @_;
    is($res->code, $code, "$what: $code") or diag($res->as_string);
}

# ---- created ---------------------------------------------------------------
my $res = req(POST => $BASE, as('wh_one'),
              body => { TopicId => $T, CustomerName => 'webhook_capture.t',
                        Status => 'InQueue' });
ok_code($res, 200, 'POST ChatSession');
my $new = json_body($res)->{ChatSessionId};
my $ev = events();
is(summary($ev), "chatsession.created $new []", '... chatsession.created, Changes []');
is(scalar(@$ev), 1, '... for the one webhook subscribed to it (not the changed-only, message-only or Stopped ones)');
is_deeply($ev->[0][3], { AlertLevel => 0, ChatbotIsactive => JSON::PP::false,
                         Consented => JSON::PP::false, ContactId => 0,
                         CustomerAlias => '', CustomerId => 0, ProjectId => 0,
                         Rating => 0, SaleId => 0, Status => 4, TicketId => 0,
                         TopicId => $T, UserId => 0 },
          '... FieldValues: SuperOffice\'s 13 members, numbers as numbers');
is($ev->[0][4], $C{wh_one}{id}, '... ChangedByAssociateId: the caller');
like($ev->[0][5], qr/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
     '... EventId: a GUID');

$res = req(POST => "/api/v1/ChatTopic/$T/Sessions", as('wh_two'));
ok_code($res, 200, 'POST ChatTopic/{id}/Sessions (CreateChatSessionForTopic)');
my $new2 = json_body($res)->{ChatSessionId};
$ev = events();
is(summary($ev), "chatsession.created $new2 []", '... chatsession.created');
is($ev->[0][4], $C{wh_two}{id}, '... by its caller');

$res = agent_req('SaveChatSessionEntity', as('wh_one'),
                 body => { chatSessionId => 0, topicId => $T,
                           customerName => 'webhook_capture.t agent' });
ok_code($res, 200, 'agent SaveChatSessionEntity with id 0');
my $new3 = json_body($res)->{ChatSessionId};
is(summary(events()), "chatsession.created $new3 []", '... chatsession.created');

# ---- changed ---------------------------------------------------------------
seed_session($S[0], topic_id => $T, rating => 1, name => 'Kari');
events();
$res = req(PATCH => "$BASE/$S[0]", as('wh_two'),
           body => [{ op => 'replace', path => '/Rating', value => 5 }]);
ok_code($res, 200, 'PATCH Rating');
$ev = events();
is(summary($ev), "chatsession.changed $S[0] [chatSession.rating]",
   '... chatsession.changed naming rating');
is(scalar(@$ev), 2, '... to both webhooks subscribed to changed');
is($ev->[0][5], $ev->[1][5], '... with one EventId');
is($ev->[0][3]{Rating}, 5, '... FieldValues: the new row');
is($ev->[0][4], $C{wh_two}{id}, '... ChangedByAssociateId: the caller');

$res = req(PATCH => "$BASE/$S[0]", as('wh_two'),
           body => [{ op => 'replace', path => '/Rating', value => 5 }]);
ok_code($res, 200, 'PATCH to the same value (a no-op)');
is(summary(events()), '', '... no event');

$res = req(PATCH => "$BASE/$S[0]", as('wh_two'),
           body => [{ op => 'test', path => '/Rating', value => 4 },
                    { op => 'replace', path => '/Rating', value => 6 }]);
ok_code($res, 409, 'PATCH whose test fails');
is(summary(events()), '', '... no event');

$res = req(PATCH => "$BASE/$S[0]", as('wh_two'),
           body => [{ op => 'replace', path => '/Rating', value => 'x' }]);
ok_code($res, 400, 'PATCH with a bad value');
is(summary(events()), '', '... no event');

$res = req(PATCH => "$BASE/$S[0]", as('wh_one'),
           content_type => 'application/merge-patch+json',
           body => { CustomerName => 'Kari N', CustomerEmail => 'k@example.com',
                     AlertLevel => 2 });
ok_code($res, 200, 'merge PATCH of three fields');
is(summary(events()), "chatsession.changed $S[0] [chatSession.customerName,"
   . 'chatSession.customerEmail,chatSession.alertLevel]',
   '... chatsession.changed naming the three, in field order, with'
   . ' SuperOffice\'s names');

my $full = json_body(req(GET => "$BASE/$S[0]", as('wh_one')));
delete @$full{qw(TableRight FieldProperties _Links)};
$full->{Rating} = 9;
$res = req(PUT => "$BASE/$S[0]", as('wh_one'), body => $full);
ok_code($res, 200, 'PUT with one field changed');
is(summary(events()), "chatsession.changed $S[0] [chatSession.rating]",
   '... chatsession.changed naming only that field');
$res = req(PUT => "$BASE/$S[0]", as('wh_one'), body => $full);
ok_code($res, 200, 'the same PUT again');
is(summary(events()), '', '... no event');

$res = agent_req('SaveChatSessionEntity', as('wh_two'),
                 body => { %{ { map { lcfirst($_) => $full->{$_} } keys %$full } },
                           alertLevel => 3 });
ok_code($res, 200, 'agent SaveChatSessionEntity of an existing session');
is(summary(events()), "chatsession.changed $S[0] [chatSession.alertLevel]",
   '... chatsession.changed');

# ---- the agent's actions ---------------------------------------------------
seed_session($S[1], topic_id => $T, user_id => undef, status => 4, rank => 0);
events();
$res = req(POST => "$BASE/$S[1]/Pickup", as('wh_one'));
ok_code($res, 200, 'Pickup');
$ev = events();
my ($welcome) = $dbh->selectrow_array(
    'SELECT max(id) FROM chat_message WHERE chat_session_id = ?', undef, $S[1]);
is(summary($ev), "chatsession.changed $S[1] [chatSession.userId,"
   . 'chatSession.status,chatSession.whenStarted,chatSession.rank] | '
   . "chatsession.message $S[1] [chatSession.topicId,chatSession.userId,"
   . 'chatSession.customerId,chatSession.customerName,'
   . 'chatSession.customerEmail,chatSession.companyName,'
   . 'chatSession.customerPhone,chatMessage.sessionId,chatMessage.id,'
   . 'chatMessage.message,chatMessage.type,chatMessage.specialType,'
   . 'chatMessage.specialParam,chatMessage.author]',
   '... changed, then the Welcome message (SuperOffice\'s Changes list); the'
   . ' message\'s bookkeeping (WhenIdle) is not reported as a change');
my @msg = grep { $_->[0] eq 'chatsession.message' } @$ev;
is(scalar(@msg), 2, '... the message to both webhooks subscribed to it');
is($msg[0][3]{MessageId}, $welcome, '... FieldValues name the message (MessageId)');
is($msg[0][3]{UserId}, $C{wh_one}{id}, '... and the session as the statement left it');
is($msg[0][4], $C{wh_one}{id}, '... ChangedByAssociateId: the agent');
isnt($msg[0][5], (grep { $_->[0] eq 'chatsession.changed' } @$ev)[0][5],
     '... two events, two EventIds');

$res = req(POST => "$BASE/$S[1]/TransferTo/wh_two", as('wh_one'));
ok_code($res, 200, 'TransferTo');
is(join(' ', map { "$_->[0] [@{ $_->[2] }]" } grep { $_->[6] == $HALL } @{ events() }),
   "chatsession.changed [chatSession.transferTo] chatsession.message ["
   . 'chatSession.topicId chatSession.userId chatSession.customerId'
   . ' chatSession.customerName chatSession.customerEmail'
   . ' chatSession.companyName chatSession.customerPhone chatMessage.sessionId'
   . ' chatMessage.id chatMessage.message chatMessage.type'
   . ' chatMessage.specialType chatMessage.specialParam chatMessage.author]',
   '... changed (transferTo), then the TransferedSession message');
req(POST => "$BASE/$S[1]/TransferTo/wh_two", as('wh_one'));
is(summary(events()), '', 'TransferTo again (a no-op): no event');
$res = req(POST => "$BASE/$S[1]/RejectTransfer", as('wh_two'));
ok_code($res, 200, 'RejectTransfer');
like(summary(events()), qr/^chatsession\.changed $S[1] \[chatSession\.transferTo\] \| chatsession\.message $S[1] /,
     '... changed, then the TransferRejected message');
req(POST => "$BASE/$S[1]/TransferTo/wh_two", as('wh_one'));
events();
$res = req(POST => "$BASE/$S[1]/AcceptTransfer", as('wh_two'));
ok_code($res, 200, 'AcceptTransfer');
is(summary(events()), "chatsession.changed $S[1] [chatSession.userId,chatSession.transferTo]",
   '... changed (the user; Rank 1 for both agents: unchanged), no message');
$res = req(POST => "$BASE/$S[1]/Reset", as('wh_two'));
ok_code($res, 200, 'Reset');
is(summary(events()), "chatsession.changed $S[1] [chatSession.userId,"
   . 'chatSession.status,chatSession.rank]', '... changed');
$res = req(POST => "$BASE/$S[1]/Reset", as('wh_two'));
is(summary(events()), '', 'Reset again (a no-op): no event');

# ---- messages ----------------------------------------------------------------
seed_session($S[2], topic_id => $T, user_id => $C{wh_one}{id}, status => 6,
             rank => 1);
events();
$res = req(POST => "$BASE/$S[2]/Messages", as('wh_one'),
           body => { Type => 'ToCustomer', Message => 'Hello' });
ok_code($res, 200, 'POST Messages (ToCustomer)');
my $mid = json_body($res)->{ChatMessageId};
$ev = events();
is(summary($ev), "chatsession.message $S[2] [chatSession.topicId,chatSession.userId,"
   . 'chatSession.customerId,chatSession.customerName,'
   . 'chatSession.customerEmail,chatSession.companyName,'
   . 'chatSession.customerPhone,chatMessage.sessionId,chatMessage.id,'
   . 'chatMessage.message,chatMessage.type,chatMessage.specialType,'
   . 'chatMessage.specialParam,chatMessage.author]',
   '... the message event only: LastMessage, FirstMessage and WhenIdle are'
   . ' its own bookkeeping');
is((grep { $_->[6] == $HMSG } @$ev)[0][3]{MessageId}, $mid,
   '... MessageId, to the message-only webhook too');
$res = req(POST => "$BASE/$S[2]/Messages", as('wh_one'),
           body => { Type => 'ToUser', Message => 'Hi' });
ok_code($res, 200, 'POST Messages (ToUser: Status UserLast -> CustomerLast)');
is(join(' ', map { $_->[0] } grep { $_->[6] == $HALL } @{ events() }),
   'chatsession.message', '... the message event only, the move between the'
   . ' two active states included');
$res = agent_req('AddChatMessage', as('wh_one'),
                 body => { chatSessionId => $S[2],
                           message => { type => 'ToCustomer', message => 'Bye' } });
ok_code($res, 200, 'agent AddChatMessage');
is(join(' ', map { $_->[0] } grep { $_->[6] == $HALL } @{ events() }),
   'chatsession.message', '... chatsession.message');

# ---- Idempotency-Key: a repeat writes nothing --------------------------------
seed_session($S[3], topic_id => $T, rating => 0);
events();
for my $try (1, 2) {
    $res = req(PATCH => "$BASE/$S[3]", as('wh_one'),
               headers => { 'Idempotency-Key' => "webhook_capture-$S[3]" },
               body => [{ op => 'replace', path => '/Rating', value => 3 }]);
    ok_code($res, 200, "PATCH with an Idempotency-Key, try $try");
    is(scalar(grep { $_->[6] == $HALL } @{ events() }), $try == 1 ? 1 : 0,
       $try == 1 ? '... one event' : '... the repeat: none');
}

# ---- DELETE: none; the session's earlier events stay ----------------------
seed_session($S[4], topic_id => $T, rating => 0);
events();
req(PATCH => "$BASE/$S[4]", as('wh_one'),
    body => [{ op => 'replace', path => '/Rating', value => 1 }]);
my $before = (grep { $_->[6] == $HALL } @{ events() })[0][5];
my $admin = make_caller('wh_admin', level => 'admin');
$res = req(DELETE => "$BASE/$S[4]", auth => $admin->{auth});
ok_code($res, 204, 'DELETE');
is(summary(events()), '', '... no event (SuperOffice has no chatsession.deleted)');
is($dbh->selectrow_array(q{SELECT count(*) FROM chats_webhook_outbox
                            WHERE event_id = ?::uuid AND webhook_id = ?},
                         undef, $before, $HALL), 1,
   '... the event committed before it is still there to deliver');

# ---- a write whose transaction does not commit: no event ------------------
# A fault at each statement of a Pickup (the agent's lock, the pickup, the
# COMMIT) in turn, and of a PATCH: the session changed iff its events are
# there.
for my $case (
    ['Pickup', sub { seed_session($S[5], topic_id => $T, user_id => undef,
                                  status => 4, rank => 0) },
     sub { req(POST => "$BASE/$S[5]/Pickup", vhost => 'faults', @_) }],
    ['PATCH', sub { seed_session($S[5], topic_id => $T, rating => 0) },
     sub { req(PATCH => "$BASE/$S[5]", vhost => 'faults', @_,
               body => [{ op => 'replace', path => '/Rating', value => 2 }]) }],
) {
    my ($what, $seed, $send) = @$case;
    # (terminate and drop may let the write commit: a backend
    # terminated before a statement is sent is replaced, and a dropped
    # connection's one statement may have committed)
    for my $kind (qw(error terminate drop)) {
        my ($faulted, $consistent) = (0, 1);
        for my $n (1 .. 4) {
            $seed->();
            events();
            my ($v0) = $dbh->selectrow_array(
                'SELECT version FROM chat_session WHERE id = ?', undef, $S[5]);
            my $r = $send->(auth => $C{wh_one}{auth},
                            headers => { 'Chats-Fault' => "$n $kind" });
            my $hit = defined $r->header('Chats-Fault-Hit');
            # A dropped connection's backend may still be finishing the
            # statement (and commit it) after the answer: wait until the
            # faults host's backends are idle, so that what is read below
            # is what they leave.
            for (1 .. 100) {
                last unless $dbh->selectrow_array(q{SELECT count(*)
                    FROM pg_stat_activity WHERE application_name = 'chats_fault'
                     AND state <> 'idle'});
                select(undef, undef, undef, 0.1);
            }
            my ($v1) = $dbh->selectrow_array(
                'SELECT version FROM chat_session WHERE id = ?', undef, $S[5]);
            my $n_ev = scalar grep { $_->[1] == $S[5] && $_->[6] == $HALL }
                              @{ events() };
            $faulted++ if $hit && $v1 == $v0;
            unless (($v1 == $v0) == ($n_ev == 0)) {
                $consistent = 0;
                diag("$what, fault $n $kind: version $v0 -> $v1, $n_ev event(s), "
                     . $r->status_line);
            }
        }
        ok($faulted >= 1, "$what, a fault ($kind) that kept the change from"
           . " committing ($faulted of 4 statements)") if $kind eq 'error';
        ok($consistent, "$what, $kind at each statement: the session changed"
           . ' iff its events were written');
    }
}

# ---- SQL: a rolled-back change leaves none; one from elsewhere, actor 0 -------
seed_session($S[6], topic_id => $T, rating => 0);
events();
$dbh->begin_work;
$dbh->do('UPDATE chat_session SET rating = 8 WHERE id = ?', undef, $S[6]);
$dbh->rollback;
is(summary(events()), '', 'an UPDATE rolled back: no event');
$dbh->do('UPDATE chat_session SET rating = 8, updated_by = NULL WHERE id = ?',
         undef, $S[6]);
$ev = events();
is(summary($ev), "chatsession.changed $S[6] [chatSession.rating]",
   'an UPDATE from elsewhere: chatsession.changed');
is($ev->[0][4], 0, '... ChangedByAssociateId 0: no associate known');
$dbh->do('UPDATE chat_session SET version = version + 1 WHERE id = ?',
         undef, $S[6]);
is(summary(events()), '', 'an UPDATE of bookkeeping only: no event');

# ---- order and the Stopped webhook -----------------------------------------
seed_session($S[7], topic_id => $T, rating => 0);
events();
for my $v (1 .. 5) {
    req(PATCH => "$BASE/$S[7]", as('wh_one'),
        body => [{ op => 'replace', path => '/Rating', value => $v }]);
}
$ev = [grep { $_->[6] == $HALL } @{ events() }];
is(join(' ', map { $_->[3]{Rating} } @$ev), '1 2 3 4 5',
   'five PATCHes: five events, in commit order');
is($dbh->selectrow_array(q{SELECT count(*) FROM chats_webhook_outbox
                            WHERE webhook_id = ?}, undef, $HOFF), 0,
   'the Stopped webhook got nothing');
$dbh->do('UPDATE chats_webhook SET state = 3 WHERE id = ?', undef, $HALL);
req(PATCH => "$BASE/$S[7]", as('wh_one'),
    body => [{ op => 'replace', path => '/Rating', value => 6 }]);
is(scalar(grep { $_->[6] == $HALL } @{ events() }), 0,
   'a webhook in TooManyErrors gets nothing');
$dbh->do('UPDATE chats_webhook SET state = 1 WHERE id = ?', undef, $HALL);

# ---- the module's statement captures its own write (schema version 8) ------
# Its UPDATE's SET sees the row version it replaces, also when it waited
# for another writer's lock (PostgreSQL then re-reads the row): Changes
# names what it changed in that version, not in the one its snapshot saw.
my ($E1, $HDEL) = fresh_ids(2);
seed_session($E1, topic_id => $T, rating => 0, name => 'before');
events();
my $other = DBI->connect("dbi:Pg:dbname=$ENV{CHATS_TEST_PGDATABASE};"
                         . "host=$ENV{CHATS_TEST_PGHOST};"
                         . "port=$ENV{CHATS_TEST_PGPORT}",
                         $ENV{CHATS_TEST_PGUSER}, '',
                         { RaiseError => 1, PrintError => 0, AutoCommit => 1 });
$other->begin_work;
$other->do('UPDATE chat_session SET rating = 7 WHERE id = ?', undef, $E1);
my $pid = fork // die "fork: $!";
if (!$pid) {
    my $r = req(PATCH => "$BASE/$E1", as('wh_one'),
                content_type => 'application/merge-patch+json',
                body => { Rating => 7, CustomerName => 'after' });
    POSIX::_exit($r->code == 200 ? 0 : 1);
}
my $waiting = 0;
for (1 .. 400) {
    ($waiting) = $dbh->selectrow_array(
        q{SELECT count(*) FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock'
             AND query LIKE '%UPDATE chat_session cs SET%'});
    last if $waiting;
    select(undef, undef, undef, 0.05);
}
ok($waiting, 'a PATCH of Rating and CustomerName waits for the row another'
   . ' transaction changed the Rating of');
$other->commit;
waitpid $pid, 0;
is($? >> 8, 0, '... then answers 200');
is(summary(events()), "chatsession.changed $E1 [chatSession.rating] | "
   . "chatsession.changed $E1 [chatSession.customerName]",
   '... two events: the other writer\'s (its trigger), then the PATCH\'s,'
   . ' naming only the field it changed in the version it replaced');
$dbh->do('UPDATE chat_session SET rating = 9 WHERE id = ?', undef, $E1);
is(summary(events()), "chatsession.changed $E1 [chatSession.rating]",
   'an UPDATE from elsewhere after the module\'s: its trigger captures it');

# ---- a deleted webhook's events go with it (no foreign key: a trigger) -----
$dbh->do(q{INSERT INTO chats_webhook (id, name, events, target_url, state)
           VALUES (?, 'deleted', '["chatsession.changed"]',
                   'https://receiver.invalid/del', 1)}, undef, $HDEL);
req(PATCH => "$BASE/$E1", as('wh_one'),
    body => [{ op => 'replace', path => '/Rating', value => 3 }]);
my $waiting_rows = q{SELECT count(*) FROM chats_webhook_outbox WHERE webhook_id = ?};
is($dbh->selectrow_array($waiting_rows, undef, $HDEL), 1,
   'a webhook with an event waiting');
$dbh->do('DELETE FROM chats_webhook WHERE id = ?', undef, $HDEL);
is($dbh->selectrow_array($waiting_rows, undef, $HDEL), 0,
   '... deleted: its event is gone too');
events();
$dbh->do('DELETE FROM chat_session WHERE id = ?', undef, $E1);

$dbh->do('DELETE FROM chat_session WHERE id IN (?, ?, ?)', undef,
         $new, $new2, $new3);
