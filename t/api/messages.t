# GET and POST ChatSession/{id}/Messages (README "Messages and
# transcripts"): a post writes the message and the session's LastMessage,
# FirstMessage, Status, WhenIdle and version in one statement; JSON and
# XML bodies; Type and SpecialType as names in any case or numbers; the
# reader's errors name the field and change nothing; after=N pages; the
# rights per level and ownership; 404, 413, 415.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session db run_forked fresh_ids
                         make_caller);

plan tests => 135, need_lwp, need_module('mod_dbd.c');

my $BASE = '/api/v1/ChatSession';
my %LEVEL = (msg_none => 'none', msg_read => 'read', msg_own => 'update_own',
             msg_all => 'update_all');
my %C = map { $_ => make_caller($_, level => $LEVEL{$_}) } sort keys %LEVEL;
my %AID = map { $_ => $C{$_}{id} } keys %C;
sub as { return (auth => $C{+shift}{auth}) }
# The sessions: $S, the conversation, then $S2 .. $S6; $NONE is none.
my ($S, $S2, $S3, $S4, $S5, $S6, $NONE) = fresh_ids(7);

sub row {
    return db()->selectrow_hashref(
        q{SELECT *, extract(epoch FROM now() - idle) AS idle_age
            FROM chat_session WHERE id = ?}, undef, shift);
}
sub post { my ($id, $body, @o) = @_; req(POST => "$BASE/$id/Messages", body => $body, @o) }
sub get  { my ($id, $q, @o) = @_; req(GET => "$BASE/$id/Messages" . ($q // ''), @o) }
sub nmessages { db()->selectrow_array(
    'SELECT count(*) FROM chat_message WHERE chat_session_id = ?', undef, shift) }

sub error_ok {
    my ($res, $code, $field, $what) = @_;
    is($res->code, $code, "$what: $code") or diag($res->as_string);
    my $doc = json_body($res) || {};
    if (defined $field) {
        is($doc->{Field}, $field, "$what: the error names $field")
            or diag($res->content);
    }
    else {
        ok($doc->{ErrorMessage}, "$what: SuperOffice error body");
    }
}

# --------------------------------------------------- a conversation
seed_session($S, status => 5, user_id => 5, first_message => '',
             last_message => '', idle => '2011-01-01T00:00:00Z');
my $v0 = row($S)->{version};

my $res = post($S, { Type => 'ToCustomer', Message => 'Hello, Kari' });
is($res->code, 200, 'POST ToCustomer: 200') or diag($res->as_string);
like($res->header('Content-Type'), qr{^application/json}, '... JSON');
my $m1 = json_body($res);
ok($m1->{ChatMessageId} > 0, '... the stored message with its id');
is($m1->{ChatSessionId}, $S, '... of the session');
is($m1->{Type}, 'ToCustomer', '... Type by its exact name');
is($m1->{SpecialType}, 'None', '... SpecialType None');
is($m1->{Message}, 'Hello, Kari', '... the text');
is($m1->{Author}, 'tje0', "... Author: the caller's login by default");
is($m1->{ReadByCustomer}, 0, '... ReadByCustomer 0');
like($m1->{WhenPosted}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/,
     '... WhenPosted in UTC with Z');
is_deeply([sort keys %$m1], [sort qw(ChatMessageId ChatSessionId Type Message
          Author ReadByCustomer SpecialType SpecialParam WhenPosted)],
   '... every member, PascalCase');
my $r = row($S);
is($r->{last_message}, 'Hello, Kari', 'the session: LastMessage');
is($r->{first_message}, 'Hello, Kari', '... FirstMessage (the first text)');
is($r->{status}, 6, '... Status UserLast (the agent wrote)');
ok($r->{idle_age} < 60, '... WhenIdle now');
is($r->{version}, $v0 + 1, '... version + 1');
is($r->{last_message_id}, $m1->{ChatMessageId}, '... its last message id');

$res = post($S, { type => 'touser', message => 'Thanks!', author => 'Kari' });
is($res->code, 200, 'POST ToUser, camelCase, name in lower case: 200');
my $m2 = json_body($res);
ok($m2->{ChatMessageId} > $m1->{ChatMessageId}, '... a greater id');
is($m2->{Author}, 'Kari', '... the Author given');
$r = row($S);
is($r->{status}, 5, '... Status CustomerLast');
is($r->{first_message}, 'Hello, Kari', '... FirstMessage unchanged');
is($r->{last_message}, 'Thanks!', '... LastMessage the new text');
is($r->{version}, $v0 + 2, '... version + 2');

db()->do(q{UPDATE chat_session SET idle = '2011-01-01T00:00:00Z' WHERE id = ?},
         undef, $S);
$res = post($S, { Type => 3, SpecialType => 2, SpecialParam => 'https://x.example/' });
is($res->code, 200, 'POST Special by numbers: 200');
my $m3 = json_body($res);
is("$m3->{Type}/$m3->{SpecialType}/$m3->{SpecialParam}",
   'Special/Url/https://x.example/', '... rendered by name');
$r = row($S);
is("$r->{status}|$r->{last_message}", '5|Thanks!',
   '... a special message changes neither Status nor LastMessage');
ok($r->{idle_age} < 60, '... but WhenIdle');
is($r->{version}, $v0 + 3, '... and the version');

$res = post($S, { Type => 'TOCUSTOMER', SpecialType => 'WELCOME',
                  ChatMessageId => 1, ChatSessionId => 1,
                  WhenPosted => '2000-01-01T00:00:00Z', ReadByCustomer => 1 });
is($res->code, 200, 'names in upper case, read-only members echoed: 200');
my $m4 = json_body($res);
ok($m4->{ChatMessageId} > $m3->{ChatMessageId} && $m4->{ChatSessionId} == $S,
   '... the read-only members are ignored (id, session)');
unlike($m4->{WhenPosted}, qr/^2000/, '... WhenPosted is the server time');
is("$m4->{SpecialType}/$m4->{ReadByCustomer}", 'Welcome/1', '... the others taken');

# XML in and out
$res = req(POST => "$BASE/$S/Messages", content_type => 'application/xml',
           headers => { Accept => 'application/xml' },
           body => '<ChatMessage><Type>ToUser</Type><Message>a &lt; b</Message>'
                 . '<ReadByCustomer>1</ReadByCustomer><SpecialType>0</SpecialType>'
                 . '</ChatMessage>');
is($res->code, 200, 'POST XML: 200') or diag($res->as_string);
like($res->header('Content-Type'), qr{^application/xml}, '... answered in XML');
like($res->content, qr{<ChatMessage xmlns:xsi="[^"]+"><ChatMessageId>\d+</ChatMessageId><ChatSessionId>$S</ChatSessionId><Type>ToUser</Type><Message>a &lt; b</Message>},
     '... a ChatMessage element, members in order');
is(row($S)->{last_message}, 'a < b', '... stored');

# ----------------------------------------------- GET, after=N
my @ids = @{ db()->selectcol_arrayref(
    'SELECT id FROM chat_message WHERE chat_session_id = ? ORDER BY id', undef, $S) };
is(scalar @ids, 5, 'five messages stored');
$res = get($S);
is($res->code, 200, 'GET Messages: 200');
my $list = json_body($res);
is_deeply([map { $_->{ChatMessageId} } @$list], \@ids, '... all, in id order');
is_deeply($list->[0], $m1, '... as POST answered them');
$res = get($S, "?after=$ids[2]");
is_deeply([map { $_->{ChatMessageId} } @{ json_body($res) }], [@ids[3, 4]],
          'after=N: only the later ones');
$res = get($S, "?after=$ids[4]");
is($res->content, '[]', 'after the last: []');
$res = get($S, '?AFTER=0&wait=0');
is(scalar @{ json_body($res) || [] }, 5, 'parameter names in any case; wait=0');
# A parameter given twice is 400 naming it (README "The query string").
for my $q ("after=$ids[2]&after=0", 'after=0&wait=0&Wait=0',
           "after=$ids[2]&%61fter=$ids[2]") {
    $res = get($S, "?$q");
    is($res->code, 400, "?$q: 400") or diag($res->content);
    like((json_body($res) || {})->{Field} // '', qr/^(after|wait)$/,
         '... naming the parameter');
}
$res = get($S, '', headers => { Accept => 'application/xml' });
like($res->content, qr{^<\?xml[^>]*>\s*<ArrayOfChatMessage xmlns:xsi="[^"]+"><ChatMessage><ChatMessageId>$ids[0]<},
     'XML: ArrayOfChatMessage of ChatMessage');
is(() = $res->content =~ /<ChatMessage>/g, 5, '... five of them');
seed_session($S2, status => 4);
$res = get($S2);
is($res->code . ' ' . $res->content, '200 []', 'a session without messages: []');
for my $bad ('-1', 'x', '2147483648', '1.5', '') {
    error_ok(get($S, "?after=$bad"), 400, 'after', "after=$bad");
}
for my $bad ('31', '-1', 'soon') {
    error_ok(get($S, "?wait=$bad"), 400, 'wait', "wait=$bad");
}
$res = get($S, "?after=$ids[3]&wait=2");
is(scalar @{ json_body($res) || [] }, 1, 'wait=2 with a message there: answers it');

# ------------------------------------------------- the ChatAgent twins
{
    my $A = '/api/v1/Agents/Chat';
    my $res = req(POST => "$A/AddChatMessage", body => {
        chatSessionId => $S, message => { type => 'ToCustomer',
            message => 'via the agent', author => 'tje0',
            specialType => 'None', whenPosted => '2026-01-02T03:04:05.000Z' } });
    is($res->code, 200, 'AddChatMessage (the official client\'s body): 200')
        or diag($res->as_string);
    my $am = json_body($res) || {};
    is("$am->{Type}/$am->{Message}/$am->{ChatSessionId}",
       "ToCustomer/via the agent/$S", '... the message as stored');
    $res = req(POST => "$A/GetChatMessages",
               body => { chatSessionId => $S, after => $ids[4] });
    is_deeply([map { $_->{ChatMessageId} } @{ json_body($res) || [] }],
              [$am->{ChatMessageId}], 'GetChatMessages after=N: the new one');
    error_ok(req(POST => "$A/AddChatMessage", body => { chatSessionId => $S }),
             400, 'message', 'AddChatMessage without message');
    error_ok(req(POST => "$A/AddChatMessage",
                 body => { chatSessionId => $S, message => { type => 'Invalid' } }),
             400, 'Type', 'AddChatMessage of an Invalid type');
    push @ids, $am->{ChatMessageId};
}

# ------------------------------------------------- statuses and limits
$r = row($S);
my $n = nmessages($S);
error_ok(post($S, { Type => 'Invalid', Message => 'x' }), 400, 'Type', 'Type Invalid');
error_ok(post($S, { Message => 'x' }), 400, 'Type', 'no Type');
error_ok(post($S, { Type => 'Shout' }), 400, 'Type', 'an unknown Type');
error_ok(post($S, { Type => 1, SpecialType => 4 }), 400, 'SpecialType', 'SpecialType 4');
error_ok(post($S, { Type => 1, Colour => 'red' }), 400, 'Colour', 'an unknown member');
error_ok(post($S, { Type => 1, ReadByCustomer => 70000 }), 400, 'ReadByCustomer',
         'ReadByCustomer past Int16');
error_ok(post($S, { Type => 1, Message => 'x' x 32769 }), 400, 'Message',
         'a Message of 32769 characters');
error_ok(post($S, '[]'), 400, undef, 'an array body');
error_ok(post($S, '{"Type":1'), 400, undef, 'broken JSON');
error_ok(post($S, { Type => 1 }, content_type => 'text/plain'), 415, undef,
         'text/plain');
error_ok(post($S, '{"Type":1,"Message":"' . ('x' x 1_100_000) . '"}'), 413,
         undef, 'a body over ChatSessionMaxBody');
is(nmessages($S), $n, 'the refused posts stored nothing');
is(row($S)->{version}, $r->{version}, '... and left the session as it was');

$res = post($S, { Type => 1, Message => "\x{e9}" x 2000 });
is($res->code, 200, 'a message of 2000 characters: 200');
is(length(json_body($res)->{Message}), 2000, '... stored whole');
$r = db()->selectrow_hashref('SELECT last_message FROM chat_session WHERE id = ?',
                             undef, $S);
utf8::decode($r->{last_message}) unless utf8::is_utf8($r->{last_message});
is(length($r->{last_message}), 1024, '... LastMessage: its first 1024 characters');
$res = post($S, { Type => 1, Message => 'x' x 32768 });
is($res->code, 200, 'a message of 32768 characters: 200');

# InQueue stays in the queue; FirstMessage is set once
seed_session($S3, status => 4, user_id => undef, first_message => '',
             last_message => '');
$res = post($S3, { Type => 'ToUser', Message => 'anyone there?' });
is($res->code, 200, 'POST to a queued session: 200');
$r = row($S3);
is($r->{status}, 4, '... it stays InQueue');
is("$r->{first_message}|$r->{last_message}", 'anyone there?|anyone there?',
   '... First and LastMessage set');
post($S3, { Type => 'ToUser', Message => 'hello?' });
is(row($S3)->{first_message}, 'anyone there?', 'FirstMessage is set once');

error_ok(post($NONE, { Type => 1 }), 404, undef, 'POST to no session');
error_ok(get($NONE), 404, undef, 'GET of no session');
is(nmessages($NONE), 0, '... nothing stored');

# ------------------------------------------- concurrency and paging
# Eight posts at once to one session: each one message, ids distinct and
# in commit order, the session's last message the highest, version + 8.
seed_session($S6, status => 5, first_message => '', last_message => '');
my $v6 = row($S6)->{version};
my $got = run_forked(8, sub {
    my $k = shift;
    my $res = post($S6, { Type => 'ToUser', Message => "m$k" });
    return { code => $res->code, id => (json_body($res) || {})->{ChatMessageId} };
});
is(join(',', map { $_->{code} // 'died' } @$got), join(',', (200) x 8),
   'eight posts at once: 200 each');
my %seen = map { ($_->{id} // 0) => 1 } @$got;
is(scalar(keys %seen), 8, '... eight distinct ids');
$r = row($S6);
my ($max, $maxmsg) = db()->selectrow_array(
    'SELECT id, message FROM chat_message WHERE chat_session_id = ?
      ORDER BY id DESC LIMIT 1', undef, $S6);
is("$r->{last_message_id}|$r->{last_message}", "$max|$maxmsg",
   '... LastMessage is the highest id\'s');
is($r->{version}, $v6 + 8, '... version + 8');

# A page holds at most 10000 messages; after= the last id goes on.
db()->do(q{INSERT INTO chat_message (chat_session_id, type, message)
           SELECT ?, 2, 'bulk ' || g FROM generate_series(1, 10001) g},
         undef, $S6);
$res = get($S6, "?after=$max");
my $page = json_body($res) || [];
is(scalar @$page, 10000, 'after=N: at most 10000 messages');
$res = get($S6, "?after=$page->[-1]{ChatMessageId}");
is_deeply([map { $_->{Message} } @{ json_body($res) || [] }], ['bulk 10001'],
          '... the next page: the rest');

# ------------------------------------------------------------ rights
seed_session($S4, user_id => $AID{msg_own}, status => 5);
seed_session($S5, user_id => 5, status => 5);
error_ok(get($S5, '', as('msg_none')), 403, undef, 'none: GET 403');
is(get($S5, '', as('msg_read'))->code, 200, 'read: GET 200');
error_ok(post($S5, { Type => 1 }, as('msg_read')), 403, undef, 'read: POST 403');
is(post($S4, { Type => 1, Message => 'mine' }, as('msg_own'))->code, 200,
   'update_own: POST on own session 200');
is(json_body(get($S4, '', as('msg_own')))->[0]{Author}, 'msg_own',
   "... Author the caller's login");
error_ok(post($S5, { Type => 1 }, as('msg_own')), 403, undef,
         "update_own: POST on another's session 403");
is(get($S5, '', as('msg_own'))->code, 200, "update_own: GET of another's 200");
error_ok(post($NONE, { Type => 1 }, as('msg_own')), 404, undef,
         'update_own: POST to no session 404');
is(post($S5, { Type => 1, Message => 'any' }, as('msg_all'))->code, 200,
   "update_all: POST on another's session 200");
is(nmessages($S5), 1, 'one message on the other\'s session: the refused '
   . 'posts stored nothing');

# A deleted session takes its messages along.
db()->do('DELETE FROM chat_session WHERE id = ?', undef, $S);
is(nmessages($S), 0, 'deleting a session deletes its messages');
