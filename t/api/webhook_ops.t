# Webhooks, the operations beyond CRUD (issue 20, slice D; README
# "Webhooks"): POST Webhook/Test (a test event through the deliverer, to a
# real receiver on 127.0.0.2: X-Hook-Test, the signature, the webhook's own
# headers and Properties; a 500; a target refused by
# ChatSessionWebhookAllow, never contacted), the test of an Active
# webhook's creation (a failing one saves nothing, Stopped skips it), the
# save-time TargetUrl check, LastError after a failed delivery, SignalEvent
# (delivered with its data as FieldValues; the module's own names refused;
# a webhook not subscribed gets nothing), every WebhookAgent method, 403
# for a non-admin on each route, and 503 when no deliverer sends a test
# within ChatSessionWebhookTestWait. Waits have safety timeouts only.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body db make_caller fresh_ids second_httpd
                         stop_second_httpd hold_delivery);
use ChatSession::Receiver qw(check_delivery body_json);
use JSON::PP ();
use Time::HiRes qw(sleep time);

plan tests => 89, need_lwp, need_module('mod_dbd.c');

my $BASE = '/api/v1/Webhook';
my $AGENT = '/api/v1/Agents/Webhook';
my %C = (
    wo_admin => make_caller('wo_admin', level => 'admin'),
    wo_all   => make_caller('wo_all', level => 'update_all'),
);
sub as { return (auth => $C{$_[0]}{auth}) }
my $NAME = 'webhook_ops.t';
my @H = fresh_ids(3);                   # webhooks made in the table
my $dbh = db();
sub clear {
    $dbh->do('DELETE FROM chats_webhook WHERE name LIKE ? OR id = ANY(?)',
             undef, "$NAME%", [@H]);
}
clear();
END { clear() if $dbh }

my $rx = ChatSession::Receiver->start(tls => 0);
my $JSON = JSON::PP->new->allow_nonref;
sub url { $rx->url('http', shift) }
sub got { [$rx->deliveries(path => shift)] }
sub since { my @d = $rx->deliveries(since => shift); return scalar @d }
sub wait_one {
    my ($path, $n) = @_;
    return $rx->wait_for(sub { @_ >= ($n // 1) }, 30, path => $path) || [];
}
sub until_true {
    my ($cond) = @_;
    my $end = time + 30;
    until ($cond->()) { return 0 if time > $end; sleep 0.05 }
    return 1;
}
sub rows_named {
    return scalar $dbh->selectrow_array(
        'SELECT count(*) FROM chats_webhook WHERE name = ?', undef, shift);
}
sub probes { scalar $dbh->selectrow_array(
                 'SELECT count(*) FROM chats_webhook_probe WHERE name LIKE ?',
                 undef, "$NAME%") }
sub agent { my ($m, %o) = @_; my $q = delete $o{query};
            req(POST => "$AGENT/$m" . ($q ? "?$q" : ''), %o) }

# ---- Test: ok, signed, the webhook's own headers and Properties ------------
my %probe = (Name => "$NAME probe", TargetUrl => url('/ops-ok'),
             Secret => 'ops-s3cret', Headers => { 'X-Tenant' => 'acme' },
             Properties => { tenant => 'acme', n => 1 });
my $res = req(POST => "$BASE/Test", as('wo_admin'), body => \%probe);
is($res->code, 200, 'POST Webhook/Test: 200') or diag($res->content);
my $r = json_body($res);
ok($r->{Success}, 'Test to a receiver answering 200: Success true');
like($r->{Message} // '', qr/^HTTP 200\b/, '... Message: its status line');
my $d = got('/ops-ok');
is(scalar @$d, 1, 'the receiver got the test event once, before the answer');
is_deeply([check_delivery($d->[0], secret => 'ops-s3cret', event => 'test',
                          entity => 'test', primary_key => 0,
                          field_values => 0, webhook_name => "$NAME probe",
                          headers => { 'X-Tenant' => 'acme' },
                          properties => { tenant => 'acme', n => 1 })],
          [], '... as SuperOffice sends one: X-Hook-Test, signed, headers, '
              . 'Properties, no FieldValues');
is(probes(), 0, 'the probe row is gone once read');

# ---- Test: a 500, a refused target -------------------------------------------
$rx->set_mode('/ops-500', mode => 'status', status => 500, body => 'nope');
$res = req(POST => "$BASE/Test", as('wo_admin'),
           body => { %probe, TargetUrl => url('/ops-500') });
is($res->code, 200, 'Test to a receiver answering 500: 200');
$r = json_body($res);
ok(!$r->{Success}, '... Success false');
like($r->{Message} // '', qr/HTTP 500.*nope/, '... Message: status and body');

my $mark = $rx->mark;
for my $t ('http://127.0.0.1:9/x', 'https://10.0.0.1/x', 'http://[::1]:9/x') {
    $res = req(POST => "$BASE/Test", as('wo_admin'),
               body => { %probe, TargetUrl => $t });
    $r = $res->code == 200 ? json_body($res) : {};
    ok($res->code == 200 && !$r->{Success}
       && ($r->{Message} // '') =~ /refused.*ChatSessionWebhookAllow/,
       "Test to $t: Success false, refused by ChatSessionWebhookAllow")
        or diag($res->content);
}
is(since($mark), 0, '... none was contacted');

$res = req(POST => "$BASE/Test", as('wo_admin'), body => { Name => 'x' });
is($res->code, 400, 'Test without TargetUrl: 400');
is(json_body($res)->{Field}, 'TargetUrl', '... naming TargetUrl');
$res = req(POST => "$BASE/Test", as('wo_admin'),
           body => { %probe, Headers => { 'X-SuperOffice-Event' => 'x' } });
is($res->code, 400, 'Test with a header the module sets: 400');
is(json_body($res)->{Field}, 'Headers/X-SuperOffice-Event', '... naming it');

# ---- create: tested when Active ----------------------------------------------
my %hook = (Name => "$NAME created", TargetUrl => url('/ops-500'),
            Events => ['ops.order']);
$res = req(POST => $BASE, as('wo_admin'), body => \%hook);
is($res->code, 400, 'POST an Active webhook whose test gets a 500: 400');
is(json_body($res)->{Field}, 'TargetUrl', '... naming TargetUrl');
like(json_body($res)->{Message} // '', qr/HTTP 500/, '... with the reason');
is(rows_named("$NAME created"), 0, '... and nothing saved');

$mark = $rx->mark;
$res = req(POST => $BASE, as('wo_admin'),
           body => { %hook, TargetUrl => url('/ops-create'),
                     Secret => 'c-s' });
is($res->code, 200, 'POST an Active webhook whose test gets a 200: 200')
    or diag($res->content);
my $ID = json_body($res)->{WebhookId};
is(rows_named("$NAME created"), 1, '... saved');
$d = got('/ops-create');
is(scalar @$d, 1, '... its test event was delivered (before the answer)');
is_deeply([check_delivery($d->[0], secret => 'c-s', event => 'test',
                          webhook_name => "$NAME created")], [],
          '... signed with the new secret');

$res = req(POST => $BASE, as('wo_admin'),
           body => { %hook, Name => "$NAME stopped", State => 'Stopped',
                     TargetUrl => url('/ops-stopped') });
is($res->code, 200, 'POST a Stopped webhook: 200, not tested');
is(scalar @{ got('/ops-stopped') }, 0, '... no test event sent');
my $STOPPED = json_body($res)->{WebhookId};

# ---- the save-time TargetUrl check -------------------------------------------
for my $t ('http://10.0.0.1/x', 'https://127.0.0.1/x', 'http://[::1]:9/x') {
    $res = req(POST => $BASE, as('wo_admin'),
               body => { %hook, Name => "$NAME bad", State => 'Stopped',
                         TargetUrl => $t });
    ok($res->code == 400 && json_body($res)->{Field} eq 'TargetUrl',
       "POST with TargetUrl $t: 400 naming TargetUrl") or diag($res->content);
    $res = req(PATCH => "$BASE/$STOPPED", as('wo_admin'),
               body => { TargetUrl => $t },
               content_type => 'application/merge-patch+json');
    ok($res->code == 400 && json_body($res)->{Field} eq 'TargetUrl',
       "PATCH TargetUrl $t: 400 naming TargetUrl");
}
is(rows_named("$NAME bad"), 0, 'no refused webhook was saved');

# ---- SignalEvent ---------------------------------------------------------------
my $ins = 'INSERT INTO chats_webhook (id, name, target_url, events, state,'
        . ' secret, properties) VALUES (?, ?, ?, ?, ?, ?, ?)';
$dbh->do($ins, undef, $H[0], "$NAME sig", url('/ops-sig'),
         '["ops.order"]', 1, 'sig-s', '{"p": "q"}');
$dbh->do($ins, undef, $H[1], "$NAME other", url('/ops-other'),
         '["ops.other"]', 1, '', '{}');
sub outbox_of { scalar $dbh->selectrow_array(
                    'SELECT count(*) FROM chats_webhook_outbox'
                    . ' WHERE webhook_id = ?', undef, shift) }
$res = req(POST => "$BASE/ops.order/42", as('wo_admin'),
           body => { amount => 12.5, who => 'ann' });
is($res->code, 204, 'POST Webhook/ops.order/42: 204') or diag($res->content);
is(outbox_of($H[1]), 0, '... no event for a webhook not subscribed');
$d = wait_one('/ops-sig');
is_deeply([check_delivery($d->[0], secret => 'sig-s', event => 'ops.order',
                          entity => 'ops', primary_key => 42,
                          webhook_name => "$NAME sig",
                          field_values => { amount => 12.5, who => 'ann' },
                          properties => { p => 'q' })], [],
          '... delivered: entity ops, PrimaryKey 42, the data as FieldValues');
$res = req(POST => "$BASE/ops.order/43", as('wo_admin'));
is($res->code, 204, 'a signal without a body: 204');
$d = wait_one('/ops-sig', 2);
is_deeply([check_delivery($d->[1], secret => 'sig-s', primary_key => 43,
                          field_values => 0)], [],
          '... delivered without FieldValues');
for my $c (['chatsession.changed/1', 'eventName'], ['test/1', 'eventName'],
           ['webhook.saved/1', 'eventName'], ['Ops.Order/1', 'eventName'],
           ['ops/1', 'eventName'], ['ops.order/x1', 'primaryKey'],
           ['ops.order/99999999999', 'primaryKey']) {
    $res = req(POST => "$BASE/$c->[0]", as('wo_admin'), body => {});
    ok($res->code == 400 && json_body($res)->{Field} eq $c->[1],
       "signal $c->[0]: 400 naming $c->[1]") or diag($res->content);
}
$res = req(POST => "$BASE/ops.order/1", as('wo_admin'), body => [1]);
ok($res->code == 400 && json_body($res)->{Field} eq 'data',
   'signal data that is no object: 400 naming data');
is(outbox_of($H[0]), 0, 'refused signals queued nothing');
is(scalar @{ got('/ops-other') }, 0, 'the webhook not subscribed got nothing');

# ---- LastError after a failed delivery ----------------------------------------
$rx->set_mode('/ops-le', mode => 'status', status => 503, body => 'down');
$dbh->do($ins, undef, $H[2], "$NAME le", url('/ops-le'), '["ops.le"]', 1,
         '', '{}');
$res = req(POST => "$BASE/ops.le/7", as('wo_admin'));
is($res->code, 204, 'a signal to a receiver answering 503: 204');
ok(until_true(sub { ($dbh->selectrow_array(
        'SELECT last_error FROM chats_webhook WHERE id = ?', undef,
        $H[2]))[0] ne '' }), '... its first try failed');
$res = req(GET => "$BASE/$H[2]/LastError", as('wo_admin'));
is($res->code, 200, 'GET Webhook/{id}/LastError: 200');
like($res->header('Content-Type'), qr{^application/json}, '... JSON');
like($JSON->decode($res->content), qr/^HTTP 503.*down/,
     '... a JSON string: the status and the body');
is(req(GET => "$BASE/$ID/LastError", as('wo_admin'))->content, '""',
   'LastError of a webhook without failures: ""');
is(req(GET => "$BASE/2147483000/LastError", as('wo_admin'))->code, 404,
   'LastError of an unknown webhook: 404');
$dbh->do('DELETE FROM chats_webhook WHERE id = ?', undef, $H[2]);

# ---- WebhookAgent ----------------------------------------------------------------
$res = agent('CreateDefaultWebhook', as('wo_admin'));
is($res->code, 200, 'CreateDefaultWebhook: 200');
is(json_body($res)->{State}, 'Active', '... Active');
$res = agent('SaveWebhook', as('wo_admin'), body => {
    webhookId => 0, name => "$NAME agent", targetUrl => url('/ops-500'),
    events => ['ops.order'] });
is($res->code, 400, 'SaveWebhook (new, Active, test gets 500): 400');
is(rows_named("$NAME agent"), 0, '... nothing saved');
$mark = $rx->mark;
$res = agent('SaveWebhook', as('wo_admin'), body => {
    webhookId => 0, name => "$NAME agent", targetUrl => url('/ops-agent'),
    events => ['ops.order'], secret => 'ag' });
is($res->code, 200, 'SaveWebhook (new, Active, test ok): 200')
    or diag($res->content);
my $AID = json_body($res)->{WebhookId};
ok(!exists json_body($res)->{_Links}, '... without _Links');
is(scalar @{ got('/ops-agent') }, 1, '... tested first');
$res = agent('SaveWebhook', as('wo_admin'), body => {
    webhookId => $AID, name => "$NAME agent", targetUrl => url('/ops-agent'),
    events => ['ops.order'], description => 'saved again' });
is($res->code, 200, 'SaveWebhook (existing): 200, a PUT');
is(json_body($res)->{Description}, 'saved again', '... replaced');
is(scalar @{ got('/ops-agent') }, 1, '... not tested again');
for my $q ("webhookId=$AID", "WebhookId=$AID") {
    $res = agent('GetWebhook', as('wo_admin'), query => $q);
    is($res->code . ' ' . (json_body($res)->{WebhookId} // ''), "200 $AID",
       "GetWebhook?$q: 200");
}
$res = agent('GetAllWebhooks', as('wo_admin'),
             body => { nameFilter => "$NAME agent", eventFilter => 'ops.order',
                       statusFilter => 'Active' });
is_deeply([map { $_->{WebhookId} } @{ json_body($res) || [] }], [$AID],
          'GetAllWebhooks {nameFilter, eventFilter, statusFilter}');
$res = agent('GetAllWebhooks', as('wo_admin'),
             body => { nameFilter => "$NAME agent", statusFilter => 'Stopped' });
is_deeply(json_body($res), [], '... statusFilter Stopped: none');
$res = agent('TestWebhook', as('wo_admin'),
             body => { webhook => { %probe, TargetUrl => url('/ops-agent-t') } });
is($res->code, 200, 'TestWebhook: 200');
ok(json_body($res)->{Success}, '... Success');
is(scalar @{ got('/ops-agent-t') }, 1, '... the receiver got it');
$res = agent('SignalEvent', as('wo_admin'), body => {
    eventName => 'ops.order', primaryKey => 44, data => { k => 'v' } });
is($res->code, 204, 'SignalEvent: 204');
$d = $rx->wait_for(sub { grep { (body_json($_) || {})->{PrimaryKey} == 44 } @_ },
                   30, path => '/ops-agent') || [];
ok(scalar(grep { (body_json($_) || {})->{PrimaryKey} == 44
                 && (body_json($_)->{FieldValues} || {})->{k} eq 'v' } @$d),
   '... delivered to the subscribed webhook, with its data');
$res = agent('SignalEvent', as('wo_admin'),
             body => { eventName => 'chatsession.created', primaryKey => 1 });
is(json_body($res)->{Field}, 'eventName', 'SignalEvent of an own name: 400');
$res = agent('GetLastError', as('wo_admin'), body => { webhookId => $AID });
is($res->code . ' ' . $res->content, '200 ""', 'GetLastError: 200 ""');
is(agent('GetLastError', as('wo_admin'), body => {})->code, 400,
   'GetLastError without webhookId: 400');
$res = agent('DeleteWebhook', as('wo_admin'), query => "WebhookId=$AID");
is($res->code, 204, 'DeleteWebhook?WebhookId=: 204');
is(rows_named("$NAME agent"), 0, '... gone');

# ---- admin only ------------------------------------------------------------------
$mark = $rx->mark;
my @routes = (
    [POST => "$BASE/Test", { %probe, TargetUrl => url('/ops-denied') }],
    [POST => $BASE, { %hook, Name => "$NAME denied",
                      TargetUrl => url('/ops-denied') }],
    [GET => "$BASE/$ID/LastError"],
    [POST => "$BASE/ops.order/1", {}],
    map({ [POST => "$AGENT/$_->[0]", $_->[1]] }
        ['CreateDefaultWebhook'], ['SaveWebhook', { %hook,
                                    TargetUrl => url('/ops-denied') }],
        ["DeleteWebhook?WebhookId=$ID"], ["GetWebhook?webhookId=$ID"],
        ['GetAllWebhooks', {}],
        ['TestWebhook', { webhook => { %probe,
                                       TargetUrl => url('/ops-denied') } }],
        ['SignalEvent', { eventName => 'ops.order', primaryKey => 1 }],
        ['GetLastError', { webhookId => $ID }]),
);
my @wrong = grep {
    my $x = req($_->[0] => $_->[1], as('wo_all'),
                defined $_->[2] ? (body => $_->[2]) : ());
    $x->code != 403
} @routes;
is_deeply([map { "$_->[0] $_->[1]" } @wrong], [],
          'every route: 403 for update_all (' . scalar(@routes) . ' routes)');
is(since($mark), 0, '... nothing was sent');
is(outbox_of($H[0]), 0, '... nothing was queued');
is(rows_named("$NAME denied") + rows_named("$NAME created"), 1,
   '... nothing was saved or deleted');

# ---- no deliverer: 503 after ChatSessionWebhookTestWait ------------------------
# The main server's deliverer is kept from the lock; a second server with
# delivery off and a short wait asks for a test.
my $hold = hold_delivery();
my $h = second_httpd(extra => join "\n",
    '# t/api/webhook_ops.t: no deliverer; a test waits 1 s',
    'ChatSessionWebhookDelivery Off', 'ChatSessionWebhookTestWait 1',
    'ChatSessionWebhookAllow http 127.0.0.2/32', '');
END { stop_second_httpd($h) if $h && $h->{pid} && kill 0, $h->{pid} }
$res = req(POST => "$h->{url}$BASE/Test", as('wo_admin'),
           body => { %probe, TargetUrl => url('/ops-late') });
is($res->code, 503, 'Test with no deliverer: 503') or diag($res->content);
ok(defined $res->header('Retry-After'), '... with Retry-After');
like(json_body($res)->{Message} // '', qr/ChatSessionWebhookTestWait/,
     '... naming ChatSessionWebhookTestWait');
is(probes(), 0, '... its probe row is gone');
$hold->disconnect;
stop_second_httpd($h);
is(scalar @{ got('/ops-late') }, 0, 'the timed-out test was never sent');
