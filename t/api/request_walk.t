# The request walk goes forward (issue 18): a request holds one pooled
# database connection at most at any time, and runs no statement once its
# answer starts being rendered -- the [SR_...] resource texts included,
# which are read before (modules/handlers/mod_chats_locale.h). Every
# family of routes, with a language that translates, on the 'faults'
# virtual host: one pooled connection per process (DBDMax 1, DBDKeep 1),
# where a second connection taken while the first is held would wait for
# itself. On one keep-alive connection (one process, its one pooled
# connection), each answer is what it should be, translated; the test
# build's Chats-Statements lists the statements run, Chats-Render-At how
# many had run when rendering started, and Chats-Pool-Held-Max counts the
# connections held at once.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use Encode ();
use URI::Escape qw(uri_escape_utf8);
use ChatSession::Test qw(req json_body seed_session keepalive_ua fresh_ids
                         make_topic make_caller);

my $BASE  = '/api/v1/ChatSession';
my $AGENT = '/api/v1/Agents/Chat';
my $RAW   = 'walk [SR_CHAT_SESSION]';
my $NB    = Encode::encode_utf8("walk Chatte\x{f8}kt");   # bytes, as sent
my $T = make_topic('request walk');
my %C = map { $_ => make_caller($_, level => 'update_own',
                                topics => { $T => 'can_respond' }) }
        qw(rw_one rw_two);
my ($ID, $OTHER) = fresh_ids(2);

# A session of the topic, its strings holding a resource token.
sub session {
    my ($id, %cols) = @_;
    seed_session($id, topic_id => $T, name => $RAW, last_message => $RAW,
                 %cols);
}
my %queued  = (status => 4, user_id => undef);
my %mine    = (status => 6, user_id => $C{rw_one}{id});
my %offered = (%mine, transfer_to => $C{rw_two}{id});
sub as { return (auth => $C{$_[0]}{auth}) }

my $entity;
# [what, setup, request, translated answer]
my @CASES = (
    ['GET entity', sub { session($ID) },
     sub { req(GET => "$BASE/$ID", @_) }, 1],
    ['GET entity $select', sub { session($ID) },
     sub { req(GET => "$BASE/$ID?\$select=CustomerName,LastMessage", @_) }, 1],
    ['GET list', sub { session($ID) },
     sub { req(GET => "$BASE?\$filter="
               . uri_escape_utf8("ChatSessionId eq $ID"), @_) }, 1],
    ['GET default', sub { 1 }, sub { req(GET => "$BASE/default", @_) }, 0],
    ['PATCH', sub { session($ID) },
     sub { req(PATCH => "$BASE/$ID", body => [{ op => 'replace',
               path => '/Rating', value => 3 }], @_) }, 1],
    ['PUT', sub { session($ID);
                  $entity = json_body(req(GET => "$BASE/$ID"));
                  delete @$entity{qw(TableRight FieldProperties _Links)};
                  $entity->{CustomerEmail} = 'walk@example.com' },
     sub { req(PUT => "$BASE/$ID", body => $entity, @_) }, 1],
    ['POST', sub { 1 },
     sub { req(POST => $BASE, body => { CustomerName => $RAW,
               TopicId => $T }, @_) }, 1],
    ['ForCurrentUser', sub { session($ID, %mine) },
     sub { req(GET => "$BASE/ForCurrentUser", as('rw_one'), @_) }, 1],
    ['Pickup first', sub { session($ID, %queued) },
     sub { req(POST => "$BASE/Pickup", as('rw_one'), @_) }, 1],
    ['Pickup by id', sub { session($ID, %queued) },
     sub { req(POST => "$BASE/$ID/Pickup", as('rw_one'), @_) }, 1],
    ['TransferTo', sub { session($ID, %mine) },
     sub { req(POST => "$BASE/$ID/TransferTo/rw_two", as('rw_one'), @_) }, 1],
    ['AcceptTransfer', sub { session($ID, %offered) },
     sub { req(POST => "$BASE/$ID/AcceptTransfer", as('rw_two'), @_) }, 1],
    ['RejectTransfer', sub { session($ID, %offered) },
     sub { req(POST => "$BASE/$ID/RejectTransfer", as('rw_two'), @_) }, 1],
    ['Reset', sub { session($ID, %mine) },
     sub { req(POST => "$BASE/$ID/Reset", as('rw_one'), @_) }, 1],
    ['POST Messages', sub { session($ID) },
     sub { req(POST => "$BASE/$ID/Messages", body => { Type => 'ToCustomer',
               Message => $RAW }, @_) }, 0],
    ['GET Messages', sub { 1 },
     sub { req(GET => "$BASE/$ID/Messages?after=0", @_) }, 0],
    ['Transcript', sub { 1 },
     sub { req(POST => "$BASE/$ID/Transcript", @_) }, 0],
    ['agent GetChatSessionEntity', sub { session($ID) },
     sub { req(POST => "$AGENT/GetChatSessionEntity?chatSessionEntityId=$ID",
               body => 'null', @_) }, 1],
    ['agent ChatSessionsForUser', sub { session($ID, %mine) },
     sub { req(POST => "$AGENT/ChatSessionsForUser", body => 'null',
               as('rw_one'), @_) }, 1],
    ['agent CreateDefaultChatSessionEntity', sub { 1 },
     sub { req(POST => "$AGENT/CreateDefaultChatSessionEntity",
               body => 'null', @_) }, 0],
    ['DELETE', sub { session($OTHER) },
     sub { req(DELETE => "$BASE/$OTHER", @_) }, 0],
);

plan tests => 4 * @CASES, need_lwp, need_module('mod_dbd.c');

my $ua = keepalive_ua();
$ua->timeout(60);           # a request waiting for itself ends as a 500
for my $c (@CASES) {
    my ($what, $setup, $send, $translated) = @$c;
    $setup->();
    my $res = $send->(vhost => 'faults', ua => $ua,
                      headers => ['SO-Language' => 'nb']);
    ok($res->is_success, "$what: answered " . $res->code)
        or diag($res->as_string);
    my @trace = split /,/, $res->header('Chats-Statements') // '';
    my $at = $res->header('Chats-Render-At');
    my @after = defined $at ? @trace[$at .. $#trace] : ();
    is("@after", '', "$what: no statement after rendering starts")
        or diag("statements: @trace");
    ok(($res->header('Chats-Pool-Held-Max') // 0) <= 1,
       "$what: one pooled connection at most at once")
        or diag('held at once: ' . $res->header('Chats-Pool-Held-Max'));
    if ($translated) {
        my $body = $res->content // '';
        ok(index($body, $NB) >= 0 && index($body, $RAW) < 0
           && defined $at,
           "$what: translated, read before rendering ("
           . join(' ', @trace[0 .. ($at // 0) - 1]) . ')')
            or diag($body);
    }
    else {
        ok(index($res->content // '', $NB) < 0,
           "$what: nothing to translate");
    }
}

# Clean up the sessions the creates made.
ChatSession::Test::db()->do('DELETE FROM chat_session WHERE name = ?',
                            undef, $RAW);
