# The fault matrix (issue 17): every route that writes, every statement it
# runs, each way a database fails under a request.
#
# The test build's store (configure --enable-fault-injection, which
# ./check passes) honours the request header "Chats-Fault: N kind": the
# Nth statement of the request fails, and the response header
# Chats-Statements lists the statements the request ran. Kinds:
#   terminate  the backend is terminated (from a second connection)
#              before the statement is sent;
#   drop       the socket is closed while the statement runs (whether a
#              write committed is then unknown to the module);
#   error      the statement raises an error (deadlock_detected).
# A clean run of each route from the same starting state gives its
# statements and the row state a committed write leaves. Then, for each
# statement and each kind, from that state again:
#   - the answer is 200 only if the write is committed, else 503;
#   - the row is wholly written or unchanged;
#   - the next request on the same keep-alive connection (the 'faults'
#     virtual host has one pooled database connection per process) takes
#     the connection the fault left: outside any transaction (the test
#     build's Chats-Pool-Txn response header) and usable (200).
# The matrix is printed as TAP diagnostics.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session db keepalive_ua
                         fresh_ids make_topic make_caller);
use JSON::PP ();

my $BASE = '/api/v1/ChatSession';
my $AGENT = '/api/v1/Agents/Chat';
my $T = make_topic('fault matrix');
my %C = map { $_ => make_caller($_, level => 'update_own',
                                topics => { $T => 'can_respond' }) }
        qw(fm_one fm_two);                     # agents
my %A = map { $_ => $C{$_}{id} } keys %C;
my ($ID, $PROBE, $TID, $WID) = fresh_ids(4);   # the session of a case,
                                               # the one read after each,
                                               # a case's topic (issue 19),
                                               # its webhook (issue 20)

sub cleanup {
    db()->do('DELETE FROM chat_session WHERE name LIKE ?', undef,
             'fault_matrix %');
    db()->do('DELETE FROM chats_webhook WHERE name LIKE ?', undef,
             'fault_matrix %');
    db()->do('DROP TRIGGER IF EXISTS chats_fm_bump ON chat_session');
    db()->do('DROP FUNCTION IF EXISTS chats_fm_bump()');
    db()->do('DROP TABLE IF EXISTS chats_fm_bump');
}
cleanup();
# The locked fallback of a write (commit_faults.t): a flag makes the row
# change under the UPDATE that wrote nothing, before its diagnosis.
db()->do($_) for
    'CREATE TABLE chats_fm_bump (id integer PRIMARY KEY)',
    q{CREATE FUNCTION chats_fm_bump() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
          IF pg_trigger_depth() > 1 THEN RETURN NULL; END IF;
          WITH d AS (DELETE FROM chats_fm_bump RETURNING id)
          UPDATE chat_session SET rating = 5 WHERE id IN (SELECT id FROM d);
          RETURN NULL;
      END $$},
    'CREATE TRIGGER chats_fm_bump AFTER UPDATE ON chat_session
     FOR EACH STATEMENT EXECUTE FUNCTION chats_fm_bump()';
seed_session($PROBE, name => 'probe');

my $ua = keepalive_ua();
sub as { my $u = shift; return (auth => $C{$u}{auth}) }

# What a case compares: the session's row (without its clock columns),
# its messages, and the sessions the creates made.
# (The locked PATCH's row changes under it, by the test's own trigger:
# only the field it writes tells.)
our $cols = 'name, customer_alias, email, rating, status, user_id,
            transfer_to, rank, version, last_message_id IS NOT NULL';
sub state {
    # one statement, one snapshot: a dropped COMMIT may still be landing
    # while this reads, and it lands whole or not at all
    my $row = db()->selectrow_arrayref(
        "SELECT (SELECT row($main::cols)::text FROM chat_session
                  WHERE id = \$1),
                (SELECT count(*) FROM chat_message
                  WHERE chat_session_id = \$1),
                (SELECT count(*) FROM chat_session
                  WHERE name LIKE 'fault_matrix %'),
                (SELECT row(name, description, mon_start, version)::text
                   FROM chat_topic WHERE id = \$2),
                (SELECT count(*) FROM chat_topic
                  WHERE name LIKE 'fault_matrix %'),
                (SELECT string_agg(m.associate_id || ':' || m.listen
                                   || m.can_respond || m.manager
                                   || m.notifications, ','
                                   ORDER BY m.associate_id)
                   FROM chat_topic_member m WHERE m.topic_id = \$2),
                (SELECT present::text FROM chat_presence
                  WHERE associate_id = \$3),
                (SELECT row(name, description, target_url, state, headers,
                            version)::text
                   FROM chats_webhook WHERE id = \$4),
                (SELECT count(*) FROM chats_webhook
                  WHERE name LIKE 'fault_matrix %')", undef, $ID, $TID,
        $A{fm_one}, $WID);
    return join '|', map { $_ // 'gone' } @$row;
}

# ChatAgent's Save as the official client sends it: the default entity
# (CreateDefaultChatSessionEntity), camelCase, id 0 (a create).
my $tpl = json_body(req(POST => "$AGENT/CreateDefaultChatSessionEntity",
                        body => 'null'));
delete @$tpl{qw(TableRight FieldProperties)};
my $save = { map { lcfirst($_) => $tpl->{$_} } keys %$tpl };
@$save{qw(chatSessionId customerName status flags whenRequested)} =
    (0, 'fault_matrix Save', 'InQueue', 0, '2026-01-02T03:04:05.000Z');

# A chat topic of the case's own (issue 19): the same engine as a session.
sub seed_topic {
    db()->do('DELETE FROM chat_topic WHERE id = ?', undef, $TID);
    db()->do(q{INSERT INTO chat_topic (id, name, description, mon_start,
                                      mon_stop)
               VALUES (?, 'fault_matrix topic', 'Before', 3600, 7200)},
             undef, $TID);
}
my $TOPIC = '/api/v1/ChatTopic';
# A webhook of the case's own (issue 20), Stopped: nothing is sent.
sub seed_webhook {
    db()->do('DELETE FROM chats_webhook WHERE id = ?', undef, $WID);
    db()->do(q{INSERT INTO chats_webhook (id, name, description, events,
                                         target_url, state)
               VALUES (?, 'fault_matrix hook', 'Before',
                       '["chatsession.changed"]',
                       'https://receiver.invalid/fm', 2)}, undef, $WID);
}
my $WEBHOOK = '/api/v1/Webhook';
my $webhook_entity;
sub add_member {
    db()->do('INSERT INTO chat_topic_member (topic_id, associate_id,
              can_respond) VALUES (?, ?, true)', undef, $TID, shift);
}
my $topic_entity;

my $entity;
my %routes = (
    'PATCH ops' => [sub { seed_session($ID, name => 'Before') },
        sub { req(PATCH => "$BASE/$ID", body => [{ op => 'replace',
              path => '/CustomerName', value => 'After' }], @_) }],
    'PATCH merge' => [sub { seed_session($ID, customer_alias => 'Before') },
        sub { req(PATCH => "$BASE/$ID", body => { CustomerAlias => 'After' },
                  content_type => 'application/merge-patch+json', @_) }],
    'PATCH locked' => [sub {
            seed_session($ID, name => 'Before', rating => 4);
            db()->do('INSERT INTO chats_fm_bump VALUES (?)', undef, $ID) },
        sub { req(PATCH => "$BASE/$ID", body => [
              { op => 'test', path => '/Rating', value => 5 },
              { op => 'replace', path => '/CustomerName', value => 'After' }],
              @_) }],
    'PUT' => [sub { seed_session($ID, email => 'before@example.com');
                    $entity = json_body(req(GET => "$BASE/$ID"));
                    $entity->{CustomerEmail} = 'after@example.com' },
        sub { req(PUT => "$BASE/$ID", body => $entity, @_) }],
    'POST' => [sub { seed_session($ID) },
        sub { req(POST => $BASE, body => { CustomerName => 'fault_matrix POST' },
                  @_) }],
    'DELETE' => [sub { seed_session($ID) },
        sub { req(DELETE => "$BASE/$ID", @_) }],
    'Pickup first' => [sub { seed_session($ID, topic_id => $T, user_id => undef,
                                           status => 4) },
        sub { req(POST => "$BASE/Pickup", as('fm_one'), @_) }],
    'Pickup by id' => [sub { seed_session($ID, topic_id => $T, user_id => undef,
                                           status => 4) },
        sub { req(POST => "$BASE/$ID/Pickup", as('fm_one'), @_) }],
    'TransferTo' => [sub { seed_session($ID, topic_id => $T, status => 6,
                                         user_id => $A{fm_one}) },
        sub { req(POST => "$BASE/$ID/TransferTo/fm_two", as('fm_one'), @_) }],
    'Accept' => [sub { seed_session($ID, topic_id => $T, status => 6,
                          user_id => $A{fm_one}, transfer_to => $A{fm_two}) },
        sub { req(POST => "$BASE/$ID/AcceptTransfer", as('fm_two'), @_) }],
    'Reject' => [sub { seed_session($ID, topic_id => $T, status => 6,
                          user_id => $A{fm_one}, transfer_to => $A{fm_two}) },
        sub { req(POST => "$BASE/$ID/RejectTransfer", as('fm_two'), @_) }],
    'Reset' => [sub { seed_session($ID, topic_id => $T, status => 6,
                                    user_id => $A{fm_one}) },
        sub { req(POST => "$BASE/$ID/Reset", as('fm_one'), @_) }],
    'AddChatMessage REST' => [sub { seed_session($ID) },
        sub { req(POST => "$BASE/$ID/Messages", body => { Type => 'ToCustomer',
                  Message => 'fault matrix' }, @_) }],
    'AddChatMessage agent' => [sub { seed_session($ID) },
        sub { req(POST => "$AGENT/AddChatMessage", body => {
                  chatSessionId => $ID, message => { type => 'ToCustomer',
                  message => 'fault matrix', author => 'tje0',
                  specialType => 'None' } }, @_) }],
    'ChatAgent Save' => [sub { seed_session($ID) },
        sub { req(POST => "$AGENT/SaveChatSessionEntity", body => $save,
                  @_) }],
    'topic PATCH' => [sub { seed_session($ID); seed_topic() },
        sub { req(PATCH => "$TOPIC/$TID", body => [{ op => 'replace',
              path => '/OpeningHours/MonStart', value => 'PT2H' }], @_) }],
    'topic PUT' => [sub { seed_session($ID); seed_topic();
                          $topic_entity = json_body(req(GET => "$TOPIC/$TID"));
                          $topic_entity->{Description} = 'After' },
        sub { req(PUT => "$TOPIC/$TID", body => $topic_entity, @_) }],
    'topic POST' => [sub { seed_session($ID); seed_topic() },
        sub { req(POST => $TOPIC, body => { Name => 'fault_matrix POST' },
                  @_) }],
    'topic DELETE' => [sub { seed_session($ID); seed_topic() },
        sub { req(DELETE => "$TOPIC/$TID", @_) }],
    'UserAgent add' => [sub { seed_session($ID); seed_topic() },
        sub { req(POST => "$TOPIC/$TID/UserAgent", body => {
                  User => { AssociateId => $A{fm_two} },
                  CanRespond => JSON::PP::true }, @_) }],
    'UserAgent update' => [sub { seed_session($ID); seed_topic();
                                 add_member($A{fm_one}) },
        sub { req(PUT => "$TOPIC/$TID/UserAgent/fm_one", body => {
                  CanListen => JSON::PP::true,
                  CanManage => JSON::PP::true }, @_) }],
    'UserAgents replace' => [sub { seed_session($ID); seed_topic();
                                   add_member($A{fm_one}) },
        sub { req(PUT => "$TOPIC/$TID/UserAgent", body => [
                  { User => { AssociateId => $A{fm_two} },
                    CanNotify => JSON::PP::true }], @_) }],
    'UserAgent delete' => [sub { seed_session($ID); seed_topic();
                                 add_member($A{fm_one}) },
        sub { req(DELETE => "$TOPIC/$TID/UserAgent/fm_one", @_) }],
    'Webhook PATCH' => [sub { seed_session($ID); seed_webhook() },
        sub { req(PATCH => "$WEBHOOK/$WID", body => [{ op => 'replace',
              path => '/Description', value => 'After' }], @_) }],
    'Webhook PUT' => [sub { seed_session($ID); seed_webhook();
                            $webhook_entity = json_body(req(GET => "$WEBHOOK/$WID"));
                            $webhook_entity->{Headers} = { 'X-After' => '1' } },
        sub { req(PUT => "$WEBHOOK/$WID", body => $webhook_entity, @_) }],
    'Webhook POST' => [sub { seed_session($ID); seed_webhook() },
        sub { req(POST => $WEBHOOK, body => { Name => 'fault_matrix POST',
                  Events => ['chatsession.created'], State => 'Stopped',
                  TargetUrl => 'https://receiver.invalid/post' }, @_) }],
    'Webhook DELETE' => [sub { seed_session($ID); seed_webhook() },
        sub { req(DELETE => "$WEBHOOK/$WID", @_) }],
    'SaveChatPresence' => [sub { seed_session($ID);
            db()->do('DELETE FROM chat_presence WHERE associate_id = ?',
                     undef, $A{fm_one}) },
        sub { req(POST => "$AGENT/SaveChatPresence", as('fm_one'),
                  body => { chatPresence => [{ userId => 0,
                                               present => JSON::PP::true }] },
                  @_) }],
);
my @order = ('PATCH ops', 'PATCH merge', 'PATCH locked', 'PUT', 'POST',
             'DELETE', 'Pickup first', 'Pickup by id', 'TransferTo',
             'Accept', 'Reject', 'Reset', 'AddChatMessage REST',
             'AddChatMessage agent', 'ChatAgent Save', 'topic PATCH',
             'topic PUT', 'topic POST', 'topic DELETE', 'UserAgent add',
             'UserAgent update', 'UserAgents replace', 'UserAgent delete',
             'Webhook PATCH', 'Webhook PUT', 'Webhook POST', 'Webhook DELETE',
             'SaveChatPresence');

# Send on the keep-alive connection, in the 'faults' virtual host.
sub send_case {
    my ($send, @headers) = @_;
    return $send->(vhost => 'faults', ua => $ua, headers => [@headers]);
}

# The request after a case, on the same connection: the database
# connection it takes is outside any transaction, and works.
sub next_ok {
    my ($what, $n0) = @_;
    my $res = send_case(sub { req(GET => "$BASE/$PROBE", @_) });
    my $same = ($res->header('Client-Response-Num') // 0) == $n0 + 1;
    my $txn = $res->header('Chats-Pool-Txn') // '(none)';
    # A dropped connection's backend ends when it reads the end of its
    # socket, a moment after the answer: wait for it (a backend that
    # stays idle in transaction fails after 10 s).
    my $open;
    for (1 .. 100) {
        ($open) = db()->selectrow_array(q{SELECT count(*)
            FROM pg_stat_activity WHERE application_name = 'chats_fault'
             AND state LIKE 'idle in transaction%'});
        last unless $open;
        select(undef, undef, undef, 0.1);
    }
    ok($res->code == 200 && $txn eq 'idle' && !$open,
       "$what: the next request: 200, its pooled connection idle")
        or diag(sprintf '%s: %s, Chats-Pool-Txn %s, %s connection, %d '
                . 'idle in transaction', $what, $res->status_line, $txn,
                $same ? 'same' : 'another', $open);
    return $same ? 'same' : 'new';
}

my @matrix;
for my $route (@order) {
    my ($setup, $send) = @{$routes{$route}};
    local $main::cols = 'name' if $route eq 'PATCH locked';
    cleanup_made();
    $setup->();
    my $before = state();
    my $res = send_case($send);
    my $written = state();
    my @stmts = split /,/, $res->header('Chats-Statements') // '';
    ok($res->code =~ /^20[04]$/ && $written ne $before && @stmts,
       "$route: without a fault, written (" . scalar(@stmts) . ' statements: '
       . join(' ', @stmts) . ')') or diag($res->status_line . ' ' . $res->content);
    next_ok("$route, clean", $res->header('Client-Response-Num') // 0);
    for my $n (1 .. @stmts) {
        for my $kind (qw(terminate drop error)) {
            cleanup_made();
            $setup->();
            $res = send_case($send, 'Chats-Fault' => "$n $kind");
            my $after = state();
            my $row = $after eq $written ? 'written'
                    : $after eq $before ? 'unchanged' : "OTHER ($after)";
            my $code = $res->code;
            my $what = "$route, $stmts[$n - 1] ($n), $kind";
            ok(($code =~ /^20[04]$/ && $row eq 'written')
               || ($code == 503 && $row =~ /^(written|unchanged)$/),
               "$what: $code, $row")
                or diag("$what: " . $res->status_line . ', row ' . $row
                        . ', fault at ' . ($res->header('Chats-Fault-Hit') // '-')
                        . "\n" . $res->content);
            my $conn = next_ok($what, $res->header('Client-Response-Num') // 0);
            push @matrix, sprintf '%-22s %-26s %-9s -> %s %s (next: %s)',
                $route, "$n $stmts[$n - 1]", $kind, $code, $row, $conn;
        }
    }
}
diag('fault matrix: route, statement, fault -> status, row');
diag($_) for @matrix;

sub cleanup_made {
    db()->do(q{DELETE FROM chat_session WHERE name LIKE 'fault_matrix %'});
    db()->do(q{DELETE FROM chat_topic WHERE name LIKE 'fault_matrix %'});
    db()->do(q{DELETE FROM chats_webhook WHERE name LIKE 'fault_matrix %'});
    db()->do('DELETE FROM chats_fm_bump');
}

cleanup();
done_testing();
