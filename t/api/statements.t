# SQL statements per request, counted by pg_stat_statements (issue 7):
# on a cached credential (Basic, Bearer, SoTicket), a successful GET, PATCH
# (ops and merge), PUT, POST, DELETE and a list page each run exactly one
# statement; a PATCH whose `test` op fails on a value no earlier op set
# runs two (the conditional UPDATE that changes no row, then the one
# diagnostic statement).
#
# The credential cache is per httpd process, so every measured request is
# sent on the keep-alive connection of a request made just before it with
# the same credential (Client-Response-Num says it was): the same process,
# a warm cache.  Statements are counted under the module's database role
# only, from a connection of another role (ChatSession::Test).
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session db keepalive_ua
                         statements_reset statements_count fresh_ids);
use ChatSession::JWT qw(jwt);

plan tests => 48, need_lwp, need_module('mod_dbd.c');

my $BASE = '/api/v1/ChatSession';
# $ID read and written, $DEL deleted, $WARM only read (to warm the
# credential)
my ($ID, $DEL, $WARM) = fresh_ids(3);

seed_session($ID, name => 'Counted', rating => 7);
seed_session($DEL, name => 'To delete');
seed_session($WARM, name => 'Warm-up');
db()->do(q{DELETE FROM chat_session WHERE name = 'statements.t POST'});

my $ua = keepalive_ua();

# measure($what, $send, @auth): send a warm-up GET (with @auth, the
# credential $send uses: default Basic tje0), then $send->() on the same
# connection (same process: the credential is cached), counting the
# statements of $send->() alone.  Retries (up to 5 times) when the server
# did not keep the connection, i.e. the request may have reached another
# process.  Returns ($res, $count, $rows).
sub measure {
    my ($what, $send, @auth) = @_;
    for my $try (1 .. 5) {
        my $warm = req(GET => "$BASE/$WARM", ua => $ua, @auth);
        die "warm-up GET: " . $warm->status_line unless $warm->code == 200;
        my $n0 = $warm->header('Client-Response-Num') // 0;
        statements_reset();
        my $res = $send->();
        my ($n, $rows) = statements_count();
        my $n1 = $res->header('Client-Response-Num') // 0;
        unless ($n1 == $n0 + 1 && $n1 > 1) {
            note("$what: not on the warm-up's connection "
                 . "(response $n1 after $n0), again");
            next;
        }
        note(sprintf "%s: %s, %d statement(s)", $what, $res->status_line, $n);
        note(sprintf "    %4d %s %s", $_->[0], $_->[1] ? 'top' : 'nested',
             substr($_->[2], 0, 160)) for @$rows;
        return ($res, $n, $rows);
    }
    die "$what: could not keep one connection for 5 tries\n";
}

sub count_is {
    my ($n, $want, $what, $rows) = @_;
    is($n, $want, "$what: $want statement(s)") and return 1;
    diag(sprintf "    %4d %s %s", $_->[0], $_->[1] ? 'top' : 'nested',
         substr($_->[2], 0, 200)) for @$rows;
    return 0;
}

sub version { db()->selectrow_array(
    'SELECT version FROM chat_session WHERE id = ?', undef, shift) }

# The counting itself: nothing between a reset and a count is nothing.
statements_reset();
my ($n0) = statements_count();
is($n0, 0, 'no statements counted without a request');

# A cold credential: the provider's password query (and whatever else)
# is allowed here; it only warms the cache.
statements_reset();
my $res = req(GET => "$BASE/$WARM", ua => $ua);
is($res->code, 200, 'cold GET (warms the credential): 200');
note(sprintf 'GET on a cold credential (if this process had none): %d statement(s)',
     (statements_count())[0]);

# ---- GET ----------------------------------------------------------------
my ($n, $rows);
($res, $n, $rows) = measure('GET', sub { req(GET => "$BASE/$ID", ua => $ua) });
is($res->code, 200, 'GET: 200');
count_is($n, 1, 'GET', $rows);

# ---- GET with a Bearer token and with a SoTicket ---------------------------
# The identity (and rights) is cached with the credential for every scheme.
my $now = time;
my @bearer = (authorization => 'Bearer ' . jwt(kid => 'rsa-1', claims => {
    sub => 'tje0', iss => 'https://idp.example.test', aud => 'chatsession',
    iat => $now, exp => $now + 600 }));
($res, $n, $rows) = measure('GET, Bearer', sub {
    req(GET => "$BASE/$ID", ua => $ua, @bearer) }, @bearer);
is($res->code, 200, 'GET, Bearer: 200') or diag($res->content);
count_is($n, 1, 'GET, Bearer', $rows);

my ($ticket) = db()->selectrow_array(
    q{SELECT chats_issue_ticket('tje0', interval '1 hour')});
my @ticket = (authorization => "SoTicket $ticket");
($res, $n, $rows) = measure('GET, SoTicket', sub {
    req(GET => "$BASE/$ID", ua => $ua, @ticket) }, @ticket);
is($res->code, 200, 'GET, SoTicket: 200') or diag($res->content);
count_is($n, 1, 'GET, SoTicket', $rows);

# ---- PATCH with ops -----------------------------------------------------
($res, $n, $rows) = measure('PATCH ops', sub {
    req(PATCH => "$BASE/$ID", ua => $ua,
        body => [{ op => 'replace', path => '/CustomerName', value => 'Ops' }]) });
is($res->code, 200, 'PATCH (ops): 200') or diag($res->content);
is(eval { json_body($res)->{CustomerName} }, 'Ops', 'PATCH (ops): written');
count_is($n, 1, 'PATCH (ops)', $rows);

# ---- PATCH with a merge -------------------------------------------------
($res, $n, $rows) = measure('PATCH merge', sub {
    req(PATCH => "$BASE/$ID", ua => $ua,
        body => { CustomerAlias => 'Merged' }) });
is($res->code, 200, 'PATCH (merge): 200') or diag($res->content);
is(eval { json_body($res)->{CustomerAlias} }, 'Merged', 'PATCH (merge): written');
count_is($n, 1, 'PATCH (merge)', $rows);

# ---- PATCH with and without a webhook (issue 20) -------------------------
# With no Active webhook (the deliverer looks once a second), a write
# leaves its webhook capture to the triggers: its statement is cheaper
# without the capture's CTE. Once one is Active, a write captures its
# event in its own statement. Either way one statement, and one event
# per write that changes the row, whoever captured it: the outbox's id
# sequence counts them (each event of the one Active webhook takes one).
my ($HOOK) = fresh_ids(1);
my $parked = db()->selectcol_arrayref(
    'UPDATE chats_webhook SET state = 2 WHERE state = 1 RETURNING id');
END { db()->do('UPDATE chats_webhook SET state = 1 WHERE id = ANY(?)',
               undef, $parked) if $parked && @$parked }
db()->do('DELETE FROM chats_webhook WHERE id = ?', undef, $HOOK);
sub events_so_far { db()->selectrow_array(
    'SELECT last_value - (NOT is_called)::int FROM chats_webhook_outbox_id_seq') }

# patch_until($cte, $value): PATCHes of CustomerName ("$value <try>")
# until one's own statement has ($cte 1) or has not the capture's INSERT;
# ($res, $n, $rows, the tries it took, 0 if it never did).
sub patch_until {
    my ($want, $value) = @_;
    my ($res, $n, $rows);
    for my $try (1 .. 60) {
        ($res, $n, $rows) = measure("PATCH ($value $try)", sub {
            req(PATCH => "$BASE/$ID", ua => $ua, body => [{ op => 'replace',
                path => '/CustomerName', value => "$value $try" }]) });
        my $cte = grep { $_->[1] && $_->[2] =~ /\bINSERT INTO chats_webhook_outbox\b/ }
                  @$rows;
        return ($res, $n, $rows, $try) if !$cte == !$want;
        select(undef, undef, undef, 0.25);
    }
    return ($res, $n, $rows, 0);
}

my $try;
($res, $n, $rows, $try) = patch_until(0, 'Plain');
ok($try, 'no Active webhook: a PATCH leaves capture to the triggers, its'
   . ' statement has no capture CTE');
count_is($n, 1, 'PATCH, no Active webhook', $rows);

db()->do(q{INSERT INTO chats_webhook (id, name, events, target_url)
           VALUES (?, 'statements.t', '["chatsession.changed"]',
                   'https://receiver.invalid/')}, undef, $HOOK);
my $seq0 = events_so_far();
($res, $n, $rows, $try) = patch_until(1, 'Hooked');
ok($try, '... one Active: once the deliverer has seen it, a PATCH captures'
   . ' its event in its own statement');
is($res->code, 200, 'PATCH, a webhook subscribed: 200') or diag($res->content);
count_is($n, 1, 'PATCH, a webhook subscribed', $rows);
ok(!(grep { !$_->[1] && $_->[2] =~ /chats_webhook_outbox/ } @$rows),
   '... and none is nested in it (no capture trigger ran)')
    or diag(join "\n", map { ($_->[1] ? 'top ' : 'nested ')
                             . substr($_->[2], 0, 100) } @$rows);
is(events_so_far() - $seq0, $try,
   "... one event for each of the $try PATCHes, captured by the triggers"
   . ' until the deliverer saw the webhook, then by the statement');

# ---- a webhook signal (issue 20): one INSERT of every subscriber's row ---
db()->do(q{UPDATE chats_webhook SET events = '["statements.signal"]'
            WHERE id = ?}, undef, $HOOK);
($res, $n, $rows) = measure('POST Webhook/{eventName}/{primaryKey}', sub {
    req(POST => '/api/v1/Webhook/statements.signal/1', ua => $ua,
        body => { a => 1 }) });
is($res->code, 204, 'a webhook signal: 204') or diag($res->content);
count_is($n, 1, 'a webhook signal', $rows);
db()->do('DELETE FROM chats_webhook WHERE id = ?', undef, $HOOK);

# ---- PATCH below a webhook's JSON fields (issue 20) ----------------------
# Ops below Headers, Events and Properties are expressions over their
# columns, their checks predicates: still the one UPDATE.
db()->do(q{INSERT INTO chats_webhook (id, name, events, target_url, state,
                                      headers)
           VALUES (?, 'statements.t', '["chatsession.changed"]',
                   'https://receiver.invalid/', 2, '{"X-A": "1"}')},
         undef, $HOOK);
($res, $n, $rows) = measure('PATCH below JSON fields', sub {
    req(PATCH => "/api/v1/Webhook/$HOOK", ua => $ua, body => [
        { op => 'test', path => '/Headers/X-A', value => '1' },
        { op => 'add', path => '/Headers/X-B', value => '2' },
        { op => 'remove', path => '/Headers/X-A' },
        { op => 'add', path => '/Events/-', value => 'test' },
        { op => 'add', path => '/Properties/a', value => { b => [1] } },
        { op => 'add', path => '/Properties/a/b/0', value => 0 } ]) });
is($res->code, 200, 'PATCH below JSON fields: 200') or diag($res->content);
count_is($n, 1, 'PATCH below JSON fields', $rows);
db()->do('DELETE FROM chats_webhook WHERE id = ?', undef, $HOOK);

# ---- PUT ----------------------------------------------------------------
my $doc = json_body(req(GET => "$BASE/$ID"));
$doc->{CustomerEmail} = 'put@example.com';
($res, $n, $rows) = measure('PUT', sub {
    req(PUT => "$BASE/$ID", ua => $ua, body => $doc) });
is($res->code, 200, 'PUT: 200') or diag($res->content);
is(eval { json_body($res)->{CustomerEmail} }, 'put@example.com', 'PUT: written');
count_is($n, 1, 'PUT', $rows);

# ---- POST ---------------------------------------------------------------
($res, $n, $rows) = measure('POST', sub {
    req(POST => $BASE, ua => $ua,
        body => { CustomerName => 'statements.t POST' }) });
is($res->code, 200, 'POST: 200') or diag($res->content);
ok(eval { json_body($res)->{ChatSessionId} }, 'POST: created');
count_is($n, 1, 'POST', $rows);
db()->do(q{DELETE FROM chat_session WHERE name = 'statements.t POST'});

# ---- DELETE -------------------------------------------------------------
($res, $n, $rows) = measure('DELETE', sub {
    req(DELETE => "$BASE/$DEL", ua => $ua) });
is($res->code, 204, 'DELETE: 204') or diag($res->content);
is(db()->selectrow_array('SELECT count(*) FROM chat_session WHERE id = ?',
                         undef, $DEL), 0, 'DELETE: gone');
count_is($n, 1, 'DELETE', $rows);

# ---- PATCH whose test fails ----------------------------------------------
# Op 0 sets a field, op 1 tests one that no earlier op set, against a
# value it does not hold: the UPDATE changes no row, one more statement
# names the failure.
my $v0 = version($ID);
($res, $n, $rows) = measure('PATCH failed test', sub {
    req(PATCH => "$BASE/$ID", ua => $ua,
        body => [{ op => 'replace', path => '/CustomerName', value => 'Never' },
                 { op => 'test', path => '/Rating', value => 8 }]) });
is($res->code, 409, 'PATCH, failed test: 409') or diag($res->content);
$doc = json_body($res);
is($doc && $doc->{ErrorType}, 'JsonPatchTestException', '... a failed test');
is($doc && $doc->{OpIndex}, 1, '... at op 1');
count_is($n, 2, 'PATCH, failed test', $rows);
is(version($ID), $v0, '... wrote nothing');

# ---- a test-and-set whose test passes: one statement -----------------------
($res, $n, $rows) = measure('PATCH passing test', sub {
    req(PATCH => "$BASE/$ID", ua => $ua,
        body => [{ op => 'test', path => '/Rating', value => 7 },
                 { op => 'replace', path => '/Rating', value => 8 }]) });
is($res->code, 200, 'PATCH test-and-set: 200') or diag($res->content);
is(eval { json_body($res)->{Rating} }, 8, 'PATCH test-and-set: written');
count_is($n, 1, 'PATCH test-and-set', $rows);

# ---- a list page: one statement (issue 10), in UTC and in a zone ----------
# Its rows, the next page's existence (top + 1 rows) and the carriers all
# come from the one SELECT; a zone is a parameter of it, not a statement.
for my $tz (undef, 'NO') {
    my $what = 'GET list' . ($tz ? ", SO-TimeZone $tz" : '');
    ($res, $n, $rows) = measure($what, sub {
        req(GET => "$BASE?\$filter=ChatSessionId%20ge%20$ID%20and%20"
                   . "ChatSessionId%20le%20$WARM&\$top=1&\$orderBy=WhenRequested",
            ua => $ua, $tz ? (headers => { 'SO-TimeZone' => $tz }) : ()) });
    is($res->code, 200, "$what: 200") or diag($res->content);
    ok(eval { json_body($res)->{'odata.nextLink'} }, "$what: a page with a next one");
    count_is($n, 1, $what, $rows);
}
