# Idempotency-Key (issue 17, README "Retrying writes safely"): a client
# that got a 503 during a failover does not know whether its write
# committed; sent again with the same key, it gets the first answer and
# nothing is written twice.
#
# For every route that takes the header (REST and ChatAgent): the first
# request writes and records the key (its entity's id); the same request
# again answers 200 with the same entity, marked Idempotent-Replayed, and
# writes nothing (the session's version, its messages, the sessions
# created are as they were); the key with another request (body, target
# or route) is 422 and writes nothing. Then: a null answer and a no-op
# are recorded too; keys are per associate; a key expires after 24 hours
# (aged here by SQL) and is purged; a request that failed stores nothing
# and may be sent again; bad keys are 400; PATCH ignores the header;
# the replay is the entity as it is now (404 once deleted); a keyed
# write is still one statement; 8 concurrent requests with one key write
# once; and a write whose connection dropped (the test build's
# Chats-Fault) or whose COMMIT was lost, sent again with its key, is
# there exactly once.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use JSON::PP ();
use ChatSession::Test qw(req json_body seed_session db bcrypt_hash
                         run_forked keepalive_ua agent_req);

my $BASE = '/api/v1/ChatSession';
my ($T, $T2) = (8931, 8932);      # T: the queue A and B pick up from
my %A = (idem_a => [8941, 'update_own'], idem_b => [8942, 'update_own'],
         idem_all => [8943, 'update_all'], idem_all2 => [8944, 'update_all']);
my $GHOST = 8949;                 # keys of no one, for the purge
my $PASS = "Id-$$-" . time;
my $MARK = "idem_t $$";           # the name of every session created here
my @ASSOC = ((map { $_->[0] } values %A), $GHOST);

sub cleanup {
    db()->do(q{DELETE FROM chat_session WHERE id BETWEEN 8900 AND 8929
               OR topic_id IN (?, ?) OR name LIKE 'idem_t %'}, undef, $T, $T2);
    db()->do('DELETE FROM chats_idempotency WHERE associate_id IN ('
             . join(',', @ASSOC) . ')');
    db()->do('DELETE FROM chat_topic_member WHERE topic_id IN (?, ?)',
             undef, $T, $T2);
    db()->do('DELETE FROM chat_session_right WHERE associate_id BETWEEN 8941 AND 8944');
    db()->do('DELETE FROM associate WHERE associate_id BETWEEN 8941 AND 8944');
    db()->do('DELETE FROM chat_topic WHERE id IN (?, ?)', undef, $T, $T2);
}
cleanup();
db()->do(q{INSERT INTO chat_topic (id, name) VALUES (?, 'idem queue'),
           (?, 'idem other')}, undef, $T, $T2);
my $hash = bcrypt_hash('idem', $PASS);
for my $u (sort keys %A) {
    my ($id, $level) = @{ $A{$u} };
    db()->do('INSERT INTO associate (associate_id, name, password_hash)
              VALUES (?, ?, ?)', undef, $id, $u, $hash);
    db()->do('INSERT INTO chat_session_right (associate_id, level)
              VALUES (?, ?)', undef, $id, $level);
}
for my $u (qw(idem_a idem_b)) {
    db()->do('INSERT INTO chat_topic_member (topic_id, associate_id,
              can_respond) VALUES (?, ?, true)', undef, $T, $A{$u}[0]);
}

sub as { my $u = shift; return (auth => [$u, $PASS]) }
my $serial = 0;
sub newkey { return "idem-$$-" . ++$serial . '-' . time }

# A queued session of T (the only one A and B pick up from), and a
# session of T2 the caller works in.
sub queued { seed_session(shift, topic_id => $T, user_id => undef,
                          status => 4, rank => 0, @_) }
sub active { seed_session(shift, topic_id => $T2, status => 6, @_) }

# The state a case watches: a session's row (as far as the actions
# change it), its messages, the sessions made here, and the queue.
sub state_of {
    my ($id) = @_;
    my $row = db()->selectrow_arrayref(q{
        SELECT (SELECT row(version, status, user_id, transfer_to, rank,
                           customer_alias)::text
                  FROM chat_session WHERE id = $1),
               (SELECT count(*) FROM chat_message WHERE chat_session_id = $1),
               (SELECT count(*) FROM chat_session WHERE name LIKE $2),
               (SELECT count(*) FROM chat_session
                 WHERE topic_id IN ($3, $4) AND status = 4)},
        undef, $id // 0, "$MARK%", $T, $T2);
    return join '|', map { $_ // 'gone' } @$row;
}

sub key_row {
    my ($user, $key) = @_;
    return db()->selectrow_hashref('SELECT status, entity_id FROM
        chats_idempotency WHERE associate_id = ? AND idem_key = ?',
        undef, $A{$user}[0], $key);
}

# The id of the entity answered: a session's, a message's, or 'null'.
sub entity_of {
    my ($res) = @_;
    my $text = $res->content // '';
    return 'null' if $text eq 'null';
    my $doc = eval { JSON::PP->new->utf8->decode($text) };
    return 'none' unless ref $doc eq 'HASH';
    return $doc->{ChatMessageId} // $doc->{ChatSessionId} // 'none';
}

sub replayed { return ($_[0]->header('Idempotent-Replayed') // '') eq 'true' }

sub is_422 {
    my ($res, $what) = @_;
    my $doc = $res->code == 422 ? json_body($res) : undef;
    ok($res->code == 422 && $doc && $doc->{Error}
       && ($doc->{Field} // '') eq 'Idempotency-Key'
       && ($doc->{ErrorType} // '') eq 'IdempotencyKeyReusedException'
       && ($doc->{ErrorMessage} // '') =~ /Idempotency-Key/,
       "$what: 422, the error names Idempotency-Key")
        or diag($res->as_string);
}

# One route: setup, then the request with a key (writes, records the
# key), the same again (the same answer, replayed, nothing written), and
# another request with the key (422, nothing written).
sub route_case {
    my (%c) = @_;
    my ($what, $user) = @c{qw(what user)};
    my $key = newkey();
    $c{setup}->() if $c{setup};
    my $s0 = state_of($c{watch});
    my $r1 = $c{send}->('Idempotency-Key' => $key);
    my $s1 = state_of($c{watch});
    my $id = entity_of($r1);
    ok($r1->code == 200 && !replayed($r1) && $s1 ne $s0,
       "$what: 200, written ($id)") or diag($r1->as_string . "\n$s0\n$s1");
    my $row = key_row($user, $key) || {};
    is(($row->{entity_id} // 'null') . ' ' . ($row->{status} // '-'),
       "$id 200", "$what: the key recorded with the answer's entity and status");
    my $r2 = $c{send}->('Idempotency-Key' => $key);
    ok($r2->code == 200 && replayed($r2), "$what: again: 200, Idempotent-Replayed")
        or diag($r2->as_string);
    is(entity_of($r2), $id, "$what: again: the same entity");
    is(state_of($c{watch}), $s1, "$what: again: nothing written");
    if ($c{location}) {
        is($r2->header('Location'), $r1->header('Location'),
           "$what: again: the same Location");
    }
    if ($c{other}) {
        is_422($c{other}->('Idempotency-Key' => $key), "$what: the key with $c{other_is}");
        is(state_of($c{watch}), $s1, "$what: the key with $c{other_is}: nothing written");
    }
    return ($key, $id, $r1);
}

my $A_ID = $A{idem_a}[0];
my $B_ID = $A{idem_b}[0];
sub hdr { return (headers => [@_]) }

# ------------------------------------------------------------- REST
route_case(what => 'POST', user => 'idem_all', location => 1,
    send => sub { req(POST => $BASE, as('idem_all'), hdr(@_),
                      body => { CustomerName => "$MARK post" }) },
    other => sub { req(POST => $BASE, as('idem_all'), hdr(@_),
                       body => { CustomerName => "$MARK post 2" }) },
    other_is => 'another body');

route_case(what => 'Pickup (first)', user => 'idem_a', watch => 8901,
    setup => sub { queued(8901) },
    send => sub { req(POST => "$BASE/Pickup", as('idem_a'), hdr(@_)) },
    other => sub { req(POST => "$BASE/8901/Pickup", as('idem_a'), hdr(@_)) },
    other_is => 'another route');

route_case(what => 'Pickup by id', user => 'idem_a', watch => 8902,
    setup => sub { queued(8902) },
    send => sub { req(POST => "$BASE/8902/Pickup", as('idem_a'), hdr(@_)) },
    other => sub { req(POST => "$BASE/8903/Pickup", as('idem_a'), hdr(@_)) },
    other_is => 'another target');

route_case(what => 'TransferTo', user => 'idem_a', watch => 8904,
    setup => sub { active(8904, user_id => $A_ID) },
    send => sub { req(POST => "$BASE/8904/TransferTo/idem_b", as('idem_a'),
                      hdr(@_)) },
    other => sub { req(POST => "$BASE/8904/TransferTo/idem_all", as('idem_a'),
                       hdr(@_)) },
    other_is => 'another toAssociate');

route_case(what => 'AcceptTransfer', user => 'idem_b', watch => 8905,
    setup => sub { active(8905, user_id => $A_ID, transfer_to => $B_ID) },
    send => sub { req(POST => "$BASE/8905/AcceptTransfer", as('idem_b'),
                      hdr(@_)) },
    other => sub { req(POST => "$BASE/8906/AcceptTransfer", as('idem_b'),
                       hdr(@_)) },
    other_is => 'another target');

route_case(what => 'RejectTransfer', user => 'idem_b', watch => 8906,
    setup => sub { active(8906, user_id => $A_ID, transfer_to => $B_ID) },
    send => sub { req(POST => "$BASE/8906/RejectTransfer", as('idem_b'),
                      hdr(@_)) },
    other => sub { req(POST => "$BASE/8906/AcceptTransfer", as('idem_b'),
                       hdr(@_)) },
    other_is => 'another route');

route_case(what => 'Reset (own)', user => 'idem_a', watch => 8907,
    setup => sub { active(8907, user_id => $A_ID) },
    send => sub { req(POST => "$BASE/8907/Reset", as('idem_a'), hdr(@_)) });
# Without a key the same Reset again is refused: the session, queued, is
# no longer the agent's. With it, the first answer.
is(req(POST => "$BASE/8907/Reset", as('idem_a'))->code, 403,
   'Reset (own) again without a key: 403 (the answer a key spares)');

route_case(what => 'Reset (update_all)', user => 'idem_all', watch => 8908,
    setup => sub { active(8908, user_id => $B_ID) },
    send => sub { req(POST => "$BASE/8908/Reset", as('idem_all'), hdr(@_)) },
    other => sub { req(POST => "$BASE/8907/Reset", as('idem_all'), hdr(@_)) },
    other_is => 'another target');

route_case(what => 'AddChatMessage (own)', user => 'idem_a', watch => 8909,
    setup => sub { active(8909, user_id => $A_ID) },
    send => sub { req(POST => "$BASE/8909/Messages", as('idem_a'), hdr(@_),
                      body => { Type => 'ToCustomer', Message => 'once' }) },
    other => sub { req(POST => "$BASE/8909/Messages", as('idem_a'), hdr(@_),
                       body => { Type => 'ToCustomer', Message => 'twice' }) },
    other_is => 'another body');

route_case(what => 'AddChatMessage (update_all)', user => 'idem_all',
    watch => 8910, setup => sub { active(8910, user_id => $B_ID) },
    send => sub { req(POST => "$BASE/8910/Messages", as('idem_all'), hdr(@_),
                      body => { Type => 'ToUser', Message => 'once' }) });

# ---------------------------------------------------------- ChatAgent
route_case(what => 'agent Save (create)', user => 'idem_all',
    send => sub { agent_req('SaveChatSessionEntity', as('idem_all'), hdr(@_),
                            body => { chatSessionId => 0,
                                      customerName => "$MARK save" }) },
    other => sub { agent_req('SaveChatSessionEntity', as('idem_all'), hdr(@_),
                             body => { chatSessionId => 0,
                                       customerName => "$MARK save 2" }) },
    other_is => 'another body');

# (the entity as the client has it, one field changed)
my $saved;
route_case(what => 'agent Save (replace)', user => 'idem_all', watch => 8911,
    setup => sub { active(8911, user_id => $A_ID);
                   $saved = json_body(req(GET => "$BASE/8911", as('idem_all')));
                   $saved->{CustomerAlias} = 'saved' },
    send => sub { agent_req('SaveChatSessionEntity', as('idem_all'), hdr(@_),
                            body => $saved) });

route_case(what => 'agent CreateChatSessionForTopic', user => 'idem_all',
    send => sub { agent_req('CreateChatSessionForTopic', as('idem_all'),
                            hdr(@_), body => { chatTopicId => $T2 }) },
    other => sub { agent_req('CreateChatSessionForTopic', as('idem_all'),
                             hdr(@_), body => { chatTopicId => $T }) },
    other_is => 'another topic');

route_case(what => 'agent PickUpChatSession', user => 'idem_a', watch => 8912,
    setup => sub { queued(8912) },
    send => sub { agent_req('PickUpChatSession', as('idem_a'), hdr(@_),
                            body => { chatSessionId => 8912 }) },
    other => sub { agent_req('PickUpChatSession', as('idem_a'), hdr(@_),
                             body => { chatSessionId => 8913 }) },
    other_is => 'another body');

route_case(what => 'agent PickUpFirstChatSession', user => 'idem_b',
    watch => 8914, setup => sub { queued(8914) },
    send => sub { agent_req('PickUpFirstChatSession', as('idem_b'), hdr(@_),
                            body => 'null') });

route_case(what => 'agent TransferChatSession', user => 'idem_a',
    watch => 8915, setup => sub { active(8915, user_id => $A_ID) },
    send => sub { agent_req('TransferChatSession', as('idem_a'), hdr(@_),
                            body => { chatSessionId => 8915,
                                      toAssociate => 'idem_b' }) },
    other => sub { agent_req('TransferChatSession', as('idem_a'), hdr(@_),
                             body => { chatSessionId => 8915,
                                       toAssociate => 'idem_all' }) },
    other_is => 'another body');

route_case(what => 'agent AcceptChatSessionTransfer', user => 'idem_b',
    watch => 8916,
    setup => sub { active(8916, user_id => $A_ID, transfer_to => $B_ID) },
    send => sub { agent_req('AcceptChatSessionTransfer', as('idem_b'), hdr(@_),
                            body => { chatSessionId => 8916 }) });

route_case(what => 'agent RejectChatSessionTransfer', user => 'idem_b',
    watch => 8917,
    setup => sub { active(8917, user_id => $A_ID, transfer_to => $B_ID) },
    send => sub { agent_req('RejectChatSessionTransfer', as('idem_b'), hdr(@_),
                            body => { chatSessionId => 8917 }) });

route_case(what => 'agent ResetChatSession', user => 'idem_a', watch => 8918,
    setup => sub { active(8918, user_id => $A_ID) },
    send => sub { agent_req('ResetChatSession', as('idem_a'), hdr(@_),
                            body => { chatSessionId => 8918 }) });

route_case(what => 'agent AddChatMessage', user => 'idem_a', watch => 8919,
    setup => sub { active(8919, user_id => $A_ID) },
    send => sub { agent_req('AddChatMessage', as('idem_a'), hdr(@_),
                            body => { chatSessionId => 8919, message => {
                                type => 'ToCustomer', message => 'agent once',
                                author => 'idem_a', specialType => 'None' } }) },
    other => sub { agent_req('AddChatMessage', as('idem_a'), hdr(@_),
                             body => { chatSessionId => 8919, message => {
                                 type => 'ToCustomer', message => 'agent twice',
                                 author => 'idem_a', specialType => 'None' } }) },
    other_is => 'another body');

# ------------------------------------------ answers that wrote nothing
# A null answer (nothing queued) is recorded: later, with a session
# queued, the key still answers null and the session stays queued.
{
    my $key = newkey();
    db()->do('DELETE FROM chat_session WHERE topic_id = ? AND status = 4',
             undef, $T);
    my $r1 = req(POST => "$BASE/Pickup", as('idem_a'), hdr('Idempotency-Key' => $key));
    is($r1->code . ' ' . $r1->content, '200 null', 'Pickup, nothing queued: null');
    my $row = key_row(idem_a => $key);
    ok($row && !defined $row->{entity_id}, '... recorded as a null answer');
    queued(8920);
    my $s = state_of(8920);
    my $r2 = req(POST => "$BASE/Pickup", as('idem_a'), hdr('Idempotency-Key' => $key));
    ok($r2->code == 200 && $r2->content eq 'null' && replayed($r2),
       '... again, with a session queued now: null, replayed');
    is(state_of(8920), $s, '... and the session stays queued');
}
# A no-op (the transfer is pending already) is recorded with the session.
{
    my $key = newkey();
    active(8921, user_id => $A_ID, transfer_to => $B_ID);
    my $s = state_of(8921);
    my $r1 = req(POST => "$BASE/8921/TransferTo/idem_b", as('idem_a'),
                 hdr('Idempotency-Key' => $key));
    ok($r1->code == 200 && entity_of($r1) eq '8921' && state_of(8921) eq $s,
       'TransferTo, pending already: 200, the session as it is');
    is((key_row(idem_a => $key) || {})->{entity_id}, 8921, '... recorded');
    # B rejects meanwhile; the key still answers, with the session now
    is(req(POST => "$BASE/8921/RejectTransfer", as('idem_b'))->code, 200,
       '(B rejects it)');
    $s = state_of(8921);
    my $r2 = req(POST => "$BASE/8921/TransferTo/idem_b", as('idem_a'),
                 hdr('Idempotency-Key' => $key));
    my $doc = json_body($r2) || {};
    ok($r2->code == 200 && replayed($r2) && !defined $doc->{TransferTo},
       '... again after a reject: replayed, the session as it is now (no TransferTo)');
    is(state_of(8921), $s, '... and not transferred again');
}

# ----------------------------------------------- keys per associate
{
    my $key = newkey();
    my @r = map { req(POST => $BASE, as($_), hdr('Idempotency-Key' => $key),
                      body => { CustomerName => "$MARK per assoc" }) }
            qw(idem_all idem_all2 idem_all idem_all2);
    my @ids = map { entity_of($_) } @r;
    ok($ids[0] ne $ids[1] && !replayed($r[0]) && !replayed($r[1]),
       'one key, two associates: two sessions');
    ok($ids[2] eq $ids[0] && $ids[3] eq $ids[1] && replayed($r[2])
       && replayed($r[3]), '... each associate gets its own answer again');
}

# ------------------------------------------------ expiry and the purge
{
    my $key = newkey();
    my $r1 = req(POST => $BASE, as('idem_all'), hdr('Idempotency-Key' => $key),
                 body => { CustomerName => "$MARK expiry" });
    my $id1 = entity_of($r1);
    db()->do(q{UPDATE chats_idempotency SET created_at = now()
               - interval '24 hours 1 second' WHERE associate_id = ?
               AND idem_key = ?}, undef, $A{idem_all}[0], $key);
    my $r2 = req(POST => $BASE, as('idem_all'), hdr('Idempotency-Key' => $key),
                 body => { CustomerName => "$MARK expiry 2" });
    my $id2 = entity_of($r2);
    ok($r2->code == 200 && !replayed($r2) && $id2 ne $id1,
       'a key 24 hours old: another body is a new request (200, a new session)');
    my ($n, $e) = db()->selectrow_array('SELECT count(*), max(entity_id)
        FROM chats_idempotency WHERE associate_id = ? AND idem_key = ?',
        undef, $A{idem_all}[0], $key);
    is(($n // 0) . ' ' . ($e // 'none'), "1 $id2",
       '... the key now records the new answer, once');
    db()->do(q{UPDATE chats_idempotency SET created_at = now()
               - interval '25 hours' WHERE associate_id = ? AND idem_key = ?},
             undef, $A{idem_all}[0], $key);
    my $r3 = req(POST => $BASE, as('idem_all'), hdr('Idempotency-Key' => $key),
                 body => { CustomerName => "$MARK expiry 2" });
    ok($r3->code == 200 && !replayed($r3) && entity_of($r3) ne $id2,
       '... expired, the same request again writes again');

    db()->do(q{INSERT INTO chats_idempotency (associate_id, idem_key,
               fingerprint, status, entity_id, created_at)
               SELECT ?, 'old ' || g, decode(repeat('00', 32), 'hex'), 200,
                      NULL, now() - interval '30 hours'
                 FROM generate_series(1, 3) g}, undef, $GHOST);
    req(POST => $BASE, as('idem_all'), hdr('Idempotency-Key' => newkey()),
        body => { CustomerName => "$MARK purge" });
    is(db()->selectrow_array('SELECT count(*) FROM chats_idempotency
                              WHERE associate_id = ?', undef, $GHOST), 0,
       'a keyed write purges expired keys (of anyone, a few at a time)');
}

# ---------------------------------- a request that failed stores nothing
{
    my $key = newkey();
    my $bad = req(POST => $BASE, as('idem_all'), hdr('Idempotency-Key' => $key),
                  body => { CustomerName => "$MARK failed", Status => 'Bogus' });
    is($bad->code, 400, 'POST with a bad body and a key: 400');
    ok(!key_row(idem_all => $key), '... no key recorded');
    my $ok = req(POST => $BASE, as('idem_all'), hdr('Idempotency-Key' => $key),
                 body => { CustomerName => "$MARK failed" });
    ok($ok->code == 200 && !replayed($ok),
       '... the key with the corrected body: 200, written (not 422)');

    $key = newkey();
    active(8922, user_id => $A_ID);
    is(req(POST => "$BASE/8922/TransferTo/nobody_here", as('idem_a'),
           hdr('Idempotency-Key' => $key))->code, 400,
       'TransferTo an unknown associate with a key: 400');
    is(req(POST => "$BASE/8922/Reset", as('idem_b'),
           hdr('Idempotency-Key' => $key))->code, 403,
       'Reset of another agent\'s session with a key: 403');
    ok(!key_row(idem_a => $key) && !key_row(idem_b => $key),
       '... neither recorded the key');
}

# ------------------------------------------------------------ bad keys
{
    my $sent = state_of();
    for my $case (['', 'empty'], ['x' x 256, '256 bytes'],
                  ['"unterminated', 'a malformed quoted string'],
                  ["caf\xC3\xA9", 'not ASCII'], ['"a";p=1', 'a parameter']) {
        my ($k, $what) = @$case;
        my $res = req(POST => $BASE, as('idem_all'), hdr('Idempotency-Key' => $k),
                      body => { CustomerName => "$MARK bad key" });
        my $doc = json_body($res) || {};
        ok($res->code == 400 && ($doc->{Field} // '') eq 'Idempotency-Key'
           && ($doc->{ErrorMessage} // '') =~ /^Idempotency-Key: /,
           "a key $what: 400 naming Idempotency-Key") or diag($res->as_string);
    }
    is(state_of(), $sent, '... nothing written');
    my $long = 'k' x 255;
    db()->do('DELETE FROM chats_idempotency WHERE associate_id = ? AND idem_key = ?',
             undef, $A{idem_all}[0], $long);
    is(req(POST => $BASE, as('idem_all'), hdr('Idempotency-Key' => $long),
           body => { CustomerName => "$MARK long key" })->code, 200,
       'a key of 255 bytes: 200');
    my $key = newkey();
    my $r1 = req(POST => $BASE, as('idem_all'), hdr('Idempotency-Key' => "\"$key\""),
                 body => { CustomerName => "$MARK quoted" });
    my $r2 = req(POST => $BASE, as('idem_all'), hdr('Idempotency-Key' => $key),
                 body => { CustomerName => "$MARK quoted" });
    ok($r1->code == 200 && replayed($r2) && entity_of($r2) eq entity_of($r1),
       'a structured-field string "k" is the key k');
}

# -------------------------------- PATCH: If-Match's, the header ignored
{
    my $key = newkey();
    seed_session(8923, name => "$MARK patch");
    my $v0 = db()->selectrow_array('SELECT version FROM chat_session WHERE id = 8923');
    for (1, 2) {
        req(PATCH => "$BASE/8923", as('idem_all'), hdr('Idempotency-Key' => $key),
            body => [{ op => 'replace', path => '/Rating', value => 3 + $_ }]);
    }
    is(db()->selectrow_array('SELECT version FROM chat_session WHERE id = 8923'),
       $v0 + 2, 'PATCH ignores Idempotency-Key: both applied');
    ok(!key_row(idem_all => $key), '... and records no key');
}

# ------------------------------- the replay is the entity as it is now
{
    my $key = newkey();
    my @h = (as('idem_all'), hdr('Idempotency-Key' => $key));
    my $r1 = req(POST => $BASE, @h, body => { CustomerName => "$MARK now" });
    my $id = entity_of($r1);
    req(PATCH => "$BASE/$id", as('idem_all'),
        body => [{ op => 'replace', path => '/CustomerAlias', value => 'changed' }]);
    my $r2 = req(POST => $BASE, @h, body => { CustomerName => "$MARK now" });
    my $doc = json_body($r2) || {};
    ok(replayed($r2) && $doc->{ChatSessionId} == $id
       && $doc->{CustomerAlias} eq 'changed' && $r2->header('ETag'),
       'the replay: the session as it is now, with its ETag');
    db()->do('DELETE FROM chat_session WHERE id = ?', undef, $id);
    is(req(POST => $BASE, @h, body => { CustomerName => "$MARK now" })->code, 404,
       '... once deleted: 404');
}

# ---------------------------- a keyed write is still one statement
# (the test build traces them in Chats-Statements; on a warm connection)
{
    my $ua = keepalive_ua();
    my $stmts = sub {
        my ($res) = @_;
        return [split /,/, $res->header('Chats-Statements') // ''];
    };
    req(GET => "$BASE/8922", as('idem_a'), ua => $ua);
    my $key = newkey();
    active(8924, user_id => $A_ID);
    my $r = req(POST => "$BASE/8924/TransferTo/idem_b", as('idem_a'), ua => $ua,
                hdr('Idempotency-Key' => $key));
    is(scalar(@{ $stmts->($r) }), 1, 'a keyed TransferTo: one statement')
        or diag(join ' ', @{ $stmts->($r) });
    $r = req(POST => "$BASE/8924/TransferTo/idem_b", as('idem_a'), ua => $ua,
             hdr('Idempotency-Key' => $key));
    is(join(' ', @{ $stmts->($r) }),
       'chats_act_transfer_keyed chats_idem_lookup chats_act_get',
       '... its repeat: the write (which writes nothing), the lookup, the '
       . 'session read');
    req(GET => "$BASE/8922", as('idem_all'), ua => $ua);
    $r = req(POST => $BASE, as('idem_all'), ua => $ua,
             hdr('Idempotency-Key' => newkey()),
             body => { CustomerName => "$MARK counted" });
    is(scalar(@{ $stmts->($r) }), 1, 'a keyed POST: one statement')
        or diag(join ' ', @{ $stmts->($r) });
}

# ------------------------------------------------------- concurrency
# 8 clients at once with one key: one write, one answer for all.
sub eight {
    my ($send) = @_;
    my $out = run_forked(8, sub {
        my $res = $send->();
        return { code => $res->code, id => entity_of($res),
                 replayed => replayed($res) ? 1 : 0 };
    });
    my %codes = map { ($_->{code} // $_->{died}) => 1 } @$out;
    my %ids = map { $_->{id} // '' => 1 } @$out;
    my $fresh = grep { !$_->{replayed} } @$out;
    return (join(',', sort keys %codes), scalar(keys %ids), $fresh,
            (keys %ids)[0]);
}
{
    my $key = newkey();
    my $before = state_of();
    my ($codes, $nids, $fresh, $id) = eight(sub {
        req(POST => $BASE, as('idem_all'), hdr('Idempotency-Key' => $key),
            body => { CustomerName => "$MARK eight" }) });
    is("$codes $nids $fresh", '200 1 1',
       '8 concurrent POSTs, one key: all 200, one session id, one not replayed');
    is(db()->selectrow_array(q{SELECT count(*) FROM chat_session
                               WHERE name = ?}, undef, "$MARK eight"), 1,
       '... exactly one session created');

    db()->do('DELETE FROM chat_session WHERE topic_id = ? AND status = 4',
             undef, $T);
    queued($_, when_requested => "2011-01-0${\($_ - 8924)}T00:00:00Z")
        for 8925 .. 8927;
    $key = newkey();
    ($codes, $nids, $fresh, $id) = eight(sub {
        req(POST => "$BASE/Pickup", as('idem_a'), hdr('Idempotency-Key' => $key)) });
    is("$codes $nids $fresh", '200 1 1',
       '8 concurrent Pickups (first), one key: all 200, one session, one not replayed');
    is(db()->selectrow_array(q{SELECT string_agg(id || ':' || status, ' '
        ORDER BY id) FROM chat_session WHERE id BETWEEN 8925 AND 8927}),
       '8925:6 8926:4 8927:4', '... the oldest picked up, the others still queued');
    is(db()->selectrow_array('SELECT count(*) FROM chat_message
                              WHERE chat_session_id = 8925'), 1,
       '... one Welcome message');

    active(8928, user_id => $A_ID);
    $key = newkey();
    ($codes, $nids, $fresh) = eight(sub {
        req(POST => "$BASE/8928/Messages", as('idem_a'),
            hdr('Idempotency-Key' => $key),
            body => { Type => 'ToCustomer', Message => 'eight' }) });
    is("$codes $nids $fresh", '200 1 1',
       '8 concurrent AddChatMessage, one key: all 200, one message id');
    is(db()->selectrow_array('SELECT count(*) FROM chat_message
                              WHERE chat_session_id = 8928'), 1,
       '... one message');
}

# ----------------------------------------- failover: the fault hook
# The statement or the COMMIT fails under the request (Chats-Fault: N
# kind, the test build's): the backend terminated before it (a dead
# connection found before anything is sent is opened again, and the
# write runs: 200), the connection dropped while it runs (whether it
# commits is unknown to the client: 503), or it raises an error (503).
# The client sends it again with its key: the write is there exactly
# once, and the retry answers the first write (replayed) when that
# committed, else writes now. (A dropped statement may still commit
# while the retry runs: the retry then waits on the key and replays it.)
my @matrix;
sub fault_case {
    my (%c) = @_;
    my $key = newkey();
    $c{setup}->();
    my $r1 = $c{send}->('Idempotency-Key' => $key, 'Chats-Fault' => $c{fault});
    my $hit = $r1->header('Chats-Fault-Hit') // '-';
    my $r2 = $c{send}->('Idempotency-Key' => $key);
    my ($n, $id) = $c{written}->();
    ok(($r1->code == 503 || ($r1->code == 200 && $c{fault} =~ /terminate/))
       && $hit =~ $c{hit}, "$c{what}: $c{fault} at $hit: " . $r1->code)
        or diag($r1->as_string);
    ok($r2->code == 200 && $n == 1 && entity_of($r2) eq $id
       && ($r1->code == 503 || (replayed($r2) && entity_of($r1) eq $id)),
       "$c{what}, $c{fault}: sent again with its key: 200, written once, "
       . 'its answer that write')
        or diag($r2->as_string . "\nwritten: $n ($id)");
    push @matrix, sprintf '%-15s %-12s %-24s -> %d; retry %d %s; written %d',
        $c{what}, $c{fault}, $hit, $r1->code, $r2->code,
        replayed($r2) ? 'replayed (the first had committed)'
                      : 'written now (the first had not)', $n;
}
for my $kind (qw(drop terminate error)) {
    fault_case(what => 'POST', fault => "1 $kind", hit => qr/^write$/,
        setup => sub { db()->do(q{DELETE FROM chat_session WHERE name = ?},
                                undef, "$MARK fault") },
        send => sub { req(POST => $BASE, as('idem_all'), hdr(@_),
                          body => { CustomerName => "$MARK fault" }) },
        written => sub { db()->selectrow_array(q{SELECT count(*), max(id)
            FROM chat_session WHERE name = ?}, undef, "$MARK fault") });
    fault_case(what => 'AddChatMessage', fault => "1 $kind",
        hit => qr/^chats_msg_post_own_keyed$/,
        setup => sub { active(8929, user_id => $A_ID) },
        send => sub { req(POST => "$BASE/8929/Messages", as('idem_a'), hdr(@_),
                          body => { Type => 'ToCustomer', Message => 'fault' }) },
        written => sub { db()->selectrow_array('SELECT count(*), max(id)
            FROM chat_message WHERE chat_session_id = 8929') });
    # Pickup: BEGIN, the agent's lock, the pickup, COMMIT
    for my $n (3, 4) {
        fault_case(what => 'Pickup', fault => "$n $kind",
            hit => $n == 3 ? qr/^chats_act_pickup_keyed$/ : qr/^chats_commit$/,
            setup => sub { queued(8929) },
            send => sub { req(POST => "$BASE/8929/Pickup", as('idem_a'),
                              hdr(@_)) },
            written => sub { db()->selectrow_array(q{SELECT count(*),
                max(chat_session_id) FROM chat_message
                WHERE chat_session_id = 8929}) });
    }
}
diag('Idempotency-Key under faults: route, fault, statement -> first answer; the retry');
diag($_) for @matrix;

cleanup();
done_testing();
