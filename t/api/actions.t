# The agent's actions (README "Agent actions"): Pickup (first and by id),
# Reset and ForCurrentUser -- each answer (the entity without _Links, or
# null), the version bumped only by a change, the Welcome message, Rank
# (the lowest number free among the agent's active sessions), 404, and
# the rights: each level, topic membership and its roles, a caller who
# is no associate. TransferTo, Accept and Reject: t/api/transfer.t;
# concurrent pickups: t/api/pickup_race.t.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session db fresh_id fresh_ids
                         make_topic make_caller);
use Apache::TestRequest ();
use IO::Select ();
use IO::Socket::INET ();

plan tests => 96, need_lwp, need_module('mod_dbd.c');

my $BASE = '/api/v1/ChatSession';
my ($T1, $T2, $TBIG) = map { make_topic("actions $_") } 1, 2, 'big';

# The callers (login => [level, topic $T1 role]).
my %A = (
    ac_own    => ['update_own', 'can_respond'],
    ac_own2   => ['update_own', 'can_respond'],
    ac_read   => ['read',       'can_respond'],
    ac_all    => ['update_all', 'can_respond'],
    ac_listen => ['update_own', 'listen'],
    ac_none   => ['none',       'can_respond'],
    ac_nomem  => ['update_own', undef],
);
my %C;
for my $u (sort keys %A) {
    my ($level, $role) = @{ $A{$u} };
    $C{$u} = make_caller($u, level => $level,
                         topics => $role ? { $T1 => $role } : {});
}
# Sessions $S[1] .. $S[9], in id order; $NONE is no session.
my @S = (undef, fresh_ids(9));
my $NONE = fresh_id();

sub as { my $u = shift; return (auth => $C{$u}{auth}) }

sub queued {
    my ($id, %cols) = @_;
    return seed_session($id, topic_id => $T1, user_id => undef, status => 4,
                        rank => 0, %cols);
}

sub row {
    db()->selectrow_hashref('SELECT * FROM chat_session WHERE id = ?',
                            undef, shift);
}

sub messages {
    db()->selectall_arrayref('SELECT id, type, special_type, author, message
                              FROM chat_message WHERE chat_session_id = ?
                              ORDER BY id', { Slice => {} }, shift);
}

sub forbidden {
    my ($res, $name) = @_;
    is($res->code, 403, "$name: 403") or diag($res->as_string);
    is(eval { json_body($res)->{ErrorType} }, 'SoAccessDeniedException',
       "$name: SuperOffice error body");
}

sub is_null {
    my ($res, $name) = @_;
    is($res->code, 200, "$name: 200") or diag($res->as_string);
    is($res->content, 'null', "$name: the body is null");
}

# --- Pickup first: the oldest queued session of the agent's topics ------------
queued($S[1], when_requested => '2026-01-01T10:00:00Z');
queued($S[2], when_requested => '2026-01-01T10:05:00Z');
queued($S[3], when_requested => '2026-01-01T09:00:00Z', topic_id => $T2);
my $v1 = row($S[1])->{version};

my $res = req(POST => "$BASE/Pickup", as('ac_own'));
is($res->code, 200, 'Pickup: 200') or diag($res->as_string);
my $doc = json_body($res);
is($doc->{ChatSessionId}, $S[1],
   'Pickup: the oldest queued session of my topics (not topic 2)');
is($doc->{Status}, 'UserLast', '... Status UserLast');
is($doc->{User}{AssociateId}, $C{ac_own}{id}, '... User is the caller');
is($doc->{Rank}, 1, '... Rank 1: my first active session');
ok($doc->{WhenStarted}, '... WhenStarted set');
ok(!exists $doc->{_Links}, '... the entity without _Links');
ok($doc->{TableRight}, '... with the caller\'s TableRight');
is($res->header('ETag'), '"' . ($v1 + 1) . '"', '... ETag: the version + 1');
is(row($S[1])->{version}, $v1 + 1, '... the version bumped once');
my $m = messages($S[1]);
is(scalar @$m, 1, '... one message posted');
is_deeply([@{ $m->[0] }{qw(type special_type author message)}],
          [3, 1, 'ac_own', ''], '... a Special Welcome by the agent');
is(row($S[1])->{last_message_id}, $m->[0]{id}, '... the last message id');

$doc = json_body(req(POST => "$BASE/Pickup", as('ac_own')));
is($doc->{ChatSessionId}, $S[2], 'Pickup again: the next one');
is($doc->{Rank}, 2, '... Rank 2');

is_null(req(POST => "$BASE/Pickup", as('ac_own')), 'Pickup, nothing queued');
$res = req(POST => "$BASE/Pickup", as('ac_own'),
           headers => { Accept => 'application/xml' });
is($res->code, 200, 'Pickup, nothing queued, XML: 200');
like($res->content, qr{<ChatSessionEntity [^>]*xsi:nil="true"\s*/>},
     '... the nil entity element');
is(row($S[3])->{status}, 4, 'the other topic\'s session is still queued');

# --- Reset: back to the queue; Rank's free number used again ------------------
db()->do('UPDATE chat_session SET chatbot_isactive = true WHERE id = ?',
         undef, $S[1]);
my $before = row($S[1]);
$res = req(POST => "$BASE/$S[1]/Reset", as('ac_own'));
is($res->code, 200, 'Reset of my session: 200') or diag($res->as_string);
$doc = json_body($res);
is($doc->{Status}, 'InQueue', '... Status InQueue');
ok(!defined $doc->{User}, '... no User');
ok(!$doc->{ChatbotIsActive}, '... ChatbotIsActive false');
is($doc->{Rank}, 0, '... Rank 0');
is(row($S[1])->{when_requested}, $before->{when_requested},
   '... WhenRequested kept: its place in the queue');
is(row($S[1])->{version}, $before->{version} + 1, '... version + 1');

$res = req(POST => "$BASE/$S[1]/Pickup", as('ac_own'));
is($res->code, 200, 'Pickup by id: 200');
$doc = json_body($res);
is($doc->{ChatSessionId}, $S[1], '... that session');
is($doc->{Rank}, 1, '... Rank 1 again: the lowest free (the second has 2)');
is(scalar @{ messages($S[1]) }, 2, '... a second Welcome');

is_null(req(POST => "$BASE/$S[1]/Pickup", as('ac_own2')),
        'Pickup by id of a session not queued');
is(row($S[1])->{user_id}, $C{ac_own}{id}, '... still mine');
$res = req(POST => "$BASE/$NONE/Pickup", as('ac_own'));
is($res->code, 404, 'Pickup by id of no session: 404');

# --- Reset: no-op, other's session, any session --------------------------------
queued($S[4], chatbot_isactive => 0);
my $v4 = row($S[4])->{version};
$res = req(POST => "$BASE/$S[4]/Reset", as('ac_all'));
is($res->code, 200, 'Reset of a queued session: 200');
is($res->header('ETag'), qq{"$v4"}, '... unchanged: same ETag');
is(row($S[4])->{version}, $v4, '... no write');
is(json_body($res)->{ChatSessionId}, $S[4], '... the session as it is');

seed_session($S[5], topic_id => $T1, user_id => $C{ac_own2}{id}, status => 5,
             rank => 1);
my $v5 = row($S[5])->{version};
forbidden(req(POST => "$BASE/$S[5]/Reset", as('ac_own')),
          'Reset of another\'s session (update_own)');
is(row($S[5])->{version}, $v5, '... unchanged');
$res = req(POST => "$BASE/$S[5]/Reset", as('ac_all'));
is($res->code, 200, 'Reset of another\'s session (update_all): 200');
is(row($S[5])->{status}, 4, '... queued');
is(req(POST => "$BASE/$NONE/Reset", as('ac_all'))->code, 404,
   'Reset of no session: 404');
forbidden(req(POST => "$BASE/$S[5]/Reset", as('ac_read')), 'Reset (read)');

# --- rights on Pickup ----------------------------------------------------------
queued($S[6]);
forbidden(req(POST => "$BASE/$S[6]/Pickup", as('ac_listen')),
          'Pickup by id, member without Can Respond');
forbidden(req(POST => "$BASE/$S[6]/Pickup", as('ac_nomem')),
          'Pickup by id, not a member');
forbidden(req(POST => "$BASE/$S[6]/Pickup", as('ac_read')),
          'Pickup by id, read');
forbidden(req(POST => "$BASE/$S[6]/Pickup", as('ac_none')),
          'Pickup by id, none');
forbidden(req(POST => "$BASE/Pickup", as('ac_read')), 'Pickup first, read');
forbidden(req(POST => "/authfile$BASE/Pickup",
              auth => ['filebob', 'Filebob1']),
          'Pickup first, not an associate');
forbidden(req(POST => "/authfile$BASE/$S[6]/Reset",
              auth => ['filebob', 'Filebob1']),
          'Reset, not an associate');
is_null(req(POST => "$BASE/Pickup", as('ac_listen')),
        'Pickup first, member without Can Respond: nothing for me');
is(row($S[6])->{status}, 4, '... the sixth still queued');
is(req(POST => "$BASE/$NONE/Pickup", as('ac_read'))->code, 403,
   'Pickup by id as read: 403 before the id is looked at');

# The body of an action is not read: any type, and $select is ignored.
$res = req(POST => "$BASE/$S[6]/Pickup?\$select=CustomerName", as('ac_own'),
           body => 'whatever', content_type => 'text/plain');
is($res->code, 200, 'Pickup with a text/plain body and $select: 200')
    or diag($res->as_string);
$doc = json_body($res);
ok(exists $doc->{Status} && exists $doc->{CustomerEmail},
   '... the whole entity ($select ignored)');
is($doc->{Rank}, 3, '... Rank 3 (1, 2 taken)');

# A refused caller's body is never read: the head announces 500000 bytes
# and none follow; the 403 comes at once (a read would wait for them).
for my $path ("$BASE/$S[6]/Pickup", '/api/v1/Agents/Chat/PickUpChatSession') {
    my $hostport = Apache::TestRequest::hostport(Apache::Test::config());
    my $sock = IO::Socket::INET->new(PeerAddr => $hostport, Timeout => 10)
        or die "connect $hostport: $!";
    my $t0 = time;
    syswrite($sock, "POST $path HTTP/1.1\r\nHost: $hostport\r\n"
                    . "Authorization: $C{ac_read}{authorization}\r\n"
                    . "Content-Type: application/json\r\n"
                    . "Content-Length: 500000\r\n\r\n");
    my ($buf, $sel) = ('', IO::Select->new($sock));
    while ($buf !~ /\r\n\r\n/ && $sel->can_read(10 - (time - $t0))) {
        sysread($sock, my $chunk, 65536) or last;
        $buf .= $chunk;
    }
    my $took = time - $t0;
    close $sock;
    like($buf, qr{^HTTP/1\.1 403 }, "read user, POST $path announcing a "
                                   . 'body it does not send: 403');
    ok($took < 5, "... answered before any body byte (${took} s)");
}

# --- ForCurrentUser --------------------------------------------------------------
seed_session($S[7], topic_id => $T1, user_id => undef, status => 9);  # Closed
seed_session($S[8], topic_id => $T1, user_id => $C{ac_own2}{id},
             status => 7);                                          # Finished
$res = req(GET => "$BASE/ForCurrentUser", as('ac_listen'));
is($res->code, 200, 'ForCurrentUser: 200') or diag($res->as_string);
$doc = json_body($res);
is(ref $doc, 'ARRAY', '... an array');
is_deeply([map { $_->{ChatSessionId} } @$doc], [$S[1], $S[2], @S[4 .. 6]],
          '... the open sessions of my topics (any role), id order');
ok(!grep({ exists $_->{_Links} } @$doc), '... entities without _Links');
is_deeply(json_body(req(GET => "$BASE/ForCurrentUser", as('ac_nomem'))), [],
          'ForCurrentUser, member of no topic: []');
forbidden(req(GET => "$BASE/ForCurrentUser", as('ac_none')),
          'ForCurrentUser, none');
forbidden(req(GET => "/authfile$BASE/ForCurrentUser",
              auth => ['filebob', 'Filebob1']),
          'ForCurrentUser, not an associate');
$res = req(GET => "$BASE/ForCurrentUser", as('ac_read'),
           headers => { Accept => 'application/xml' });
is($res->code, 200, 'ForCurrentUser, read, XML: 200');
my $xml = $res->content;
like($xml, qr{<ArrayOfChatSessionEntity\b}, '... ArrayOfChatSessionEntity');
my @ids = $xml =~ m{<ChatSessionEntity>\s*<ChatSessionId>(\d+)<}g;
is_deeply(\@ids, [$S[1], $S[2], @S[4 .. 6]], '... one element per session');

# At most 1000: a topic with 1001 open sessions.
db()->do(q{INSERT INTO chat_topic_member (topic_id, associate_id, listen)
           VALUES (?, ?, true)}, undef, $TBIG, $C{ac_nomem}{id});
db()->do(q{INSERT INTO chat_session (topic_id, status, name)
           SELECT ?, 4, 'bulk ' || g FROM generate_series(1, 1001) g},
         undef, $TBIG);
$doc = json_body(req(GET => "$BASE/ForCurrentUser", as('ac_nomem')));
is(scalar @$doc, 1000, 'ForCurrentUser answers at most 1000 sessions');
my @sorted = sort { $a <=> $b } map { $_->{ChatSessionId} } @$doc;
is_deeply([map { $_->{ChatSessionId} } @$doc], \@sorted, '... in id order');

# --- the agent twins run the same functions --------------------------------------
queued($S[9], when_requested => '2000-01-01T00:00:00Z');
my $AG = '/api/v1/Agents/Chat';
$res = req(POST => "$AG/PickUpFirstChatSession", as('ac_own2'));
is($res->code, 200, 'agent PickUpFirstChatSession: 200')
    or diag($res->as_string);
is(json_body($res)->{ChatSessionId}, $S[9], '... the oldest queued');
$res = req(POST => "$AG/ResetChatSession", as('ac_own2'),
           body => { chatSessionId => $S[9] });
is($res->code, 200, 'agent ResetChatSession: 200');
is(json_body($res)->{Status}, 'InQueue', '... back in the queue');
$res = req(POST => "$AG/PickUpChatSession", as('ac_own2'),
           body => { chatSessionId => $S[9] });
is(json_body($res)->{User}{AssociateId}, $C{ac_own2}{id},
   'agent PickUpChatSession');
is(req(POST => "$AG/PickUpChatSession", as('ac_own2'),
       body => { chatSessionId => $NONE })->code, 404,
   'agent PickUpChatSession of no session: 404');
forbidden(req(POST => "$AG/PickUpFirstChatSession", as('ac_read')),
          'agent PickUpFirstChatSession, read');
$doc = json_body(req(POST => "$AG/ChatSessionsForUser", as('ac_own2')));
is(ref $doc, 'ARRAY', 'agent ChatSessionsForUser: an array');
ok((grep { $_->{ChatSessionId} == $S[9] } @$doc), '... with my session');

