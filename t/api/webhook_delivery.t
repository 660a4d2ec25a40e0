# Webhooks, delivery (issue 20; README "Webhooks"): the events captured
# (t/api/webhook_capture.t) reach a real receiver (t/bin/webhook-receiver.js
# on 127.0.0.2, plain HTTP and HTTPS with the test CA), as SuperOffice
# sends them: every header, the signature over the exact body bytes, the
# webhook's own headers and Properties, one EventId for every webhook and
# every try; in commit order per session; each once when all goes well.
# SuperOffice's retry rule (3 tries, 1 s and 4 s apart, then dropped; 9
# dropped in a row: TooManyErrors, nothing more until State is Active
# again), LastError, and the targets refused (ChatSessionWebhookAllow is
# "http 127.0.0.2/32" here): loopback other than that, private addresses,
# a name resolving to loopback, a redirect, a certificate of another CA.
# Every wait below has a safety timeout only; no assertion is about speed.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req db seed_session fresh_ids make_topic);
use ChatSession::Receiver qw(make_certs check_delivery header body_json);
use Time::HiRes qw(sleep time);
use JSON::PP ();

plan tests => 56, need_lwp, need_module('mod_dbd.c');

my $BASE = '/api/v1/ChatSession';
my $T = make_topic('webhook_delivery');
my @S = fresh_ids(4);
my @H = fresh_ids(12);              # webhook ids
my $dbh = db();

my $rx = ChatSession::Receiver->start(certs => make_certs());
my $ALL = '["chatsession.created", "chatsession.changed", "chatsession.message"]';

sub hooks_clear {
    $dbh->do('DELETE FROM chats_webhook WHERE id = ANY(?)', undef, [@H]);
}
hooks_clear();
END { hooks_clear() if $dbh }

# hook($n, url, %columns): webhook $H[$n], subscribed to every chat event.
sub hook {
    my ($n, $url, %c) = @_;
    my %row = (id => $H[$n], name => "delivery $n", target_url => $url,
               events => $ALL, %c);
    my @k = sort keys %row;
    $dbh->do(sprintf('INSERT INTO chats_webhook (%s) VALUES (%s)',
                     join(', ', @k), join(', ', ('?') x @k)), undef, @row{@k});
}
sub hook_row {
    return $dbh->selectrow_hashref('SELECT * FROM chats_webhook WHERE id = ?',
                                   undef, $H[shift]);
}
sub pending {
    return $dbh->selectrow_array(
        'SELECT count(*) FROM chats_webhook_outbox WHERE webhook_id = ?',
        undef, $H[shift]);
}
# Wait (safety net only) until cond holds.
sub until_true {
    my ($cond, $limit) = @_;
    my $end = time + ($limit // 60);
    until ($cond->()) {
        return 0 if time > $end;
        sleep 0.05;
    }
    return 1;
}
sub patch {
    my ($id, $field, $value) = @_;
    return req(PATCH => "$BASE/$id",
               body => [{ op => 'replace', path => "/$field", value => $value }]);
}

# ---- one change, two webhooks (plain HTTP and HTTPS) ----------------------
hook(0, $rx->url('http', '/plain'), secret => 'pl4in s3cret',
     headers => '{"X-Tenant": "acme"}', properties => '{"Tenant": "acme", "Shard": 7}');
hook(1, $rx->url('https', '/tls'));
seed_session($S[0], topic_id => $T, rating => 0);
until_true(sub { !pending(0) && !pending(1) });   # the seed's created
my $mark = $rx->mark;
my $res = patch($S[0], 'Rating', 4);
is($res->code, 200, 'PATCH Rating: 200') or diag($res->as_string);
my $plain = $rx->wait_for(sub { @_ >= 1 }, 60, path => '/plain', since => $mark);
my $tls = $rx->wait_for(sub { @_ >= 1 }, 60, path => '/tls', since => $mark);
ok($plain && $tls, 'both webhooks got the event');
$plain ||= [{}];
$tls ||= [{}];
is(scalar(@$plain), 1, '... the plain one once');
is($plain->[0]{listener}, 'http', '... over plain HTTP');
is($tls->[0]{listener}, 'https', '... the other over HTTPS, its certificate'
   . ' verified with ChatSessionWebhookCAFile');
my $doc = body_json($plain->[0]) || {};
is_deeply([check_delivery($plain->[0], secret => 'pl4in s3cret', retry => 0,
                          event => 'chatsession.changed', primary_key => $S[0],
                          entity => 'chatsession', context => 'Default',
                          changed_by => 5, webhook_name => 'delivery 0',
                          changes => ['chatSession.rating'],
                          properties => { Tenant => 'acme', Shard => 7 },
                          headers => { 'X-Tenant' => 'acme' })], [],
          '... what SuperOffice sends: every header, signed over the exact'
          . ' bytes, its own headers and Properties');
my $row = $dbh->selectrow_hashref('SELECT * FROM chat_session WHERE id = ?',
                                  undef, $S[0]);
my $bool = sub { $_[0] ? JSON::PP::true : JSON::PP::false };
is_deeply($doc->{FieldValues},
          { AlertLevel => 0, ChatbotIsactive => $bool->($row->{chatbot_isactive}),
            Consented => $bool->($row->{consented}), ContactId => 0,
            CustomerAlias => $row->{customer_alias}, CustomerId => 0,
            ProjectId => 0, Rating => 4, SaleId => 0,
            Status => $row->{status}, TicketId => 0, TopicId => $T,
            UserId => $row->{user_id} // 0 },
          '... FieldValues: SuperOffice\'s 13 members of the row as written,'
          . ' built by the deliverer from the outbox\'s compact columns'
          . ' (booleans as booleans, a missing key 0)');
is_deeply([check_delivery($tls->[0], secret => undef, retry => 0,
                          event => 'chatsession.changed',
                          primary_key => $S[0],
                          webhook_name => 'delivery 1')], [],
          '... the other unsigned: it has no secret');
is(header($tls->[0], 'X-SuperOffice-EventId'),
   header($plain->[0], 'X-SuperOffice-EventId'),
   '... one EventId for both webhooks');
ok(until_true(sub { !pending(0) && !pending(1) }),
   '... the outbox rows go once delivered');
my $h0 = hook_row(0);
ok($h0->{total_calls} >= 2 && $h0->{consecutive_errors} == 0
   && $h0->{total_errors} == 0, '... TotalCalls counts them, no errors');

# ---- order per session ------------------------------------------------------
$mark = $rx->mark;
my @r = map { patch($S[0], 'Rating', $_)->code } 5 .. 14;
is("@r", join(' ', (200) x 10), 'ten PATCHes of one session: 200 each');
my $got = $rx->wait_for(sub { @_ >= 10 }, 60, path => '/plain', since => $mark);
is(join(' ', map { (body_json($_) || {})->{FieldValues}{Rating} // '?' } @{ $got || [] }),
   join(' ', 5 .. 14), '... delivered in commit order, each once');

# ---- a message and a pickup: changed before message -------------------------
seed_session($S[1], topic_id => $T, user_id => undef, status => 4, rank => 0);
$dbh->do(q{INSERT INTO chat_topic_member (topic_id, associate_id, can_respond)
           VALUES (?, 5, true) ON CONFLICT DO NOTHING}, undef, $T);
until_true(sub { !pending(0) });
$mark = $rx->mark;
$res = req(POST => "$BASE/$S[1]/Pickup");
is($res->code, 200, 'Pickup: 200') or diag($res->as_string);
$got = $rx->wait_for(sub { @_ >= 2 }, 60, path => '/plain', since => $mark) || [];
is(join(' ', map { header($_, 'X-SuperOffice-Event') // '?' } @$got),
   'chatsession.changed chatsession.message',
   '... chatsession.changed, then chatsession.message (the Welcome)');
ok((body_json($got->[1] || {}) || {})->{FieldValues}{MessageId},
   '... the message event names the message');

# ---- retries: 500 twice, then 200 -----------------------------------------
seed_session($S[2], topic_id => $T, rating => 0);
until_true(sub { !pending(0) });
hook(2, $rx->url('http', '/flaky'), secret => 'k');
$rx->set_mode('/flaky', mode => 'status', status => 500, body => 'busy', count => 2);
$mark = $rx->mark;
patch($S[2], 'Rating', 1);
$got = $rx->wait_for(sub { grep({ (body_json($_) || {})->{Event} eq 'chatsession.changed' } @_) >= 3 },
                     60, path => '/flaky', since => $mark) || [];
my @tries = grep { (body_json($_) || {})->{Event} eq 'chatsession.changed' } @$got;
is(scalar(@tries), 3, 'a receiver answering 500 twice: three tries');
is(join(' ', map { header($_, 'X-SuperOffice-Retry') // '?' } @tries), '0 1 2',
   '... X-SuperOffice-Retry 0, 1, 2');
is(scalar(keys %{{ map { (header($_, 'X-SuperOffice-EventId') // '') => 1 } @tries }}), 1,
   '... the same EventId on every try');
ok(@tries == 3 && $tries[1]{t} - $tries[0]{t_end} >= 0.9
   && $tries[2]{t} - $tries[1]{t_end} >= 3.9,
   '... the second at least 1 s after the first, the third 4 s after the second')
    or diag(join ' ', map { "$_->{t}/$_->{t_end}" } @tries);
is_deeply([map { check_delivery($_, secret => 'k') } @tries], [],
          '... each signed');
ok(until_true(sub { !pending(2) }), '... the third answered 200: delivered');
my $h2 = hook_row(2);
is($h2->{consecutive_errors}, 0, '... no error in a row (a 2xx ends a run)');
is($h2->{total_errors}, 2, '... TotalErrors 2');
like($h2->{last_error}, qr/^HTTP 500\b.*busy/, '... LastError: the status and the body');

# ---- dropped after three; TooManyErrors at nine -----------------------------
hook(3, $rx->url('http', '/down'), consecutive_errors => 7);
$rx->set_mode('/down', mode => 'status', status => 503);
seed_session($S[3], topic_id => $T, rating => 0);
ok(until_true(sub { !pending(3) }), 'a receiver that answers 503: the created'
   . ' event is dropped after three tries');
my $h3 = hook_row(3);
is($h3->{consecutive_errors}, 8, '... consecutive errors 7 -> 8');
is($h3->{state}, 1, '... still Active');
patch($S[3], 'Rating', 1);
ok(until_true(sub { !pending(3) }), 'the next event dropped too');
$h3 = hook_row(3);
is($h3->{consecutive_errors}, 9, '... the ninth in a row');
is($h3->{state}, 3, '... State TooManyErrors');
$mark = $rx->mark;
$rx->reset;
patch($S[3], 'Rating', 2);
sleep 1;
is(pending(3), 0, '... a change now captures nothing for it');
is(scalar(my @none = $rx->deliveries(path => '/down', since => $mark)), 0,
   '... and nothing is sent');
$dbh->do('UPDATE chats_webhook SET state = 1 WHERE id = ?', undef, $H[3]);
patch($S[3], 'Rating', 3);
ok($rx->wait_for(sub { @_ >= 1 }, 60, path => '/down', since => $mark),
   'State Active again: delivered again');
ok(until_true(sub { hook_row(3)->{consecutive_errors} == 0 }),
   '... and the 2xx ends the run of errors');

# ---- refused targets: never contacted, LastError says why -------------------
my $p = $rx->port('http');
my %refused = (
    4 => ["http://127.0.0.1:$p/x", qr/127\.0\.0\.1 is loopback/],
    5 => ['https://10.0.0.1/x', qr/10\.0\.0\.1 is a private address/],
    6 => ["http://[::1]:$p/x", qr/::1 is loopback/],
    7 => ["http://localhost:$p/x", qr/(127\.0\.0\.1|::1) is loopback/],
    8 => [$rx->url('https_wrong', '/wrongca'), qr/^tls_error/],
    9 => [$rx->url('http', '/redirect'), qr/redirect to http:\/\/10\.0\.0\.1\/ not followed/],
);
$rx->set_mode('/redirect', mode => 'redirect', redirect => 'http://10.0.0.1/');
hook($_, $refused{$_}[0], events => '["chatsession.changed"]') for sort keys %refused;
$mark = $rx->mark;
patch($S[0], 'Rating', 99);
ok(until_true(sub { !grep { pending($_) } keys %refused }, 90),
   'six refused targets: each event given up after its three tries');
for my $n (sort keys %refused) {
    like(hook_row($n)->{last_error}, $refused{$n}[1],
         "$refused{$n}[0]: LastError says why");
}
my @seen = grep { m{^/(redirect|wrongca|x)$} } map { $_->{path} }
           $rx->deliveries(since => $mark);
is(join(' ', sort @seen),
   join(' ', ('/redirect') x 3),
   '... only the redirecting receiver was contacted (three tries, its 302'
   . ' never followed); the TLS one failed its handshake');
is(scalar(grep { $_ eq '/wrongca' } @seen), 0,
   '... no request reached the one with another CA\'s certificate');

# ---- one deliverer: each event once ----------------------------------------
my ($leaders) = $dbh->selectrow_array(q{SELECT count(*) FROM pg_locks
    WHERE locktype = 'advisory' AND granted
      AND ((classid::int8 << 32) | objid::int8) = 7206531938440114001});
is($leaders, 1, 'one process holds the deliverer\'s advisory lock');
my %ids;
$ids{header($_, 'X-SuperOffice-EventId') // ''}++
    for $rx->deliveries(path => '/tls');
is(scalar(grep { $ids{$_} > 1 } keys %ids), 0,
   'every event reached the receiver that never failed once');
ok(scalar(keys %ids) >= 1, '... (it got ' . scalar(keys %ids) . ' events)');

# ---- the counters (README "Monitoring") ---------------------------------------
my $status = req(GET => '/chatsession-status', auth => undef);
is($status->code, 200, 'the counters answer');
my $text = $status->decoded_content;
sub metric {
    my ($name, $labels) = @_;
    my $re = quotemeta($name) . (defined $labels ? '\{' . quotemeta($labels) . '\}' : '')
           . ' (\S+)$';
    return $text =~ /^$re/m ? $1 : undef;
}
ok((metric('chatsession_webhook_deliveries_total',
           'event="chatsession.changed",outcome="ok"') // 0) >= 10,
   'deliveries by event and outcome: chatsession.changed ok');
ok((metric('chatsession_webhook_deliveries_total',
           'event="chatsession.changed",outcome="http_error"') // 0) >= 2,
   '... http_error');
ok((metric('chatsession_webhook_deliveries_total',
           'event="chatsession.changed",outcome="refused"') // 0) >= 3,
   '... refused');
ok((metric('chatsession_webhook_deliveries_total',
           'event="chatsession.created",outcome="dropped"') // 0) >= 1,
   '... dropped');
ok((metric('chatsession_webhook_delivery_lag_seconds_count') // 0) >= 10,
   'the delivery lag histogram counts the 2xx');
is(metric('chatsession_webhook_leader'), '1',
   'this server\'s process delivers (the test suite\'s only httpd)');
like(metric('chatsession_webhook_outbox_depth') // '', qr/^\d+$/,
     'the outbox depth is reported by the leader');
is(req(GET => '/health/ready', auth => undef)->code, 200,
   'health ready: independent of receivers');
