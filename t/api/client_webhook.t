# The official client's WebhookAgent (issue 20): SuperOffice's TypeScript
# client (@superoffice/webapi, pinned in t/client/package-lock.json,
# installed by ./check with `npm ci --prefix t/client`) calls the 8
# methods of its own WebhookAgent class, every overload, through
# t/client/webhook.js, each as its own scenario (README "Webhooks"), once
# per client time zone, against a real receiver (t/bin/webhook-receiver.js
# on 127.0.0.2: HTTPS with the test CA answering 200, plain HTTP answering
# 500). Every "ok"/"not ok" line the script prints becomes an assertion
# here; then every request the receiver got from the run is checked as
# SuperOffice sends one (ChatSession::Receiver::check_delivery: every
# header, the signature with the run's secret). A missing node or
# node_modules is a failure, never a skip.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use Apache::TestRequest ();
use ChatSession::Test qw(db run_node_tap client_script fresh_id make_caller);
use ChatSession::Receiver qw(make_certs check_delivery body_json);

my @ZONES = ('UTC', 'America/New_York');
my $MIN_CHECKS = 308;       # per zone, every check of every scenario: fewer
                            # means one stopped early
my $TIMEOUT = 90;           # seconds per run (webhook.js gives up after 60)
my $PREFIX = 'client_webhook.t';                # the webhooks webhook.js makes
my $SECRET = "cw-s3cret-$$";
my $FAIL_BODY = "cw down $$";
# Either side of New York's fall-back hour: 01:30 EDT, then 01:30 EST.
my $REGISTERED = '2024-11-03T05:30:00Z';
my $UPDATED = '2024-11-03T06:30:00Z';
my $FIX_ERROR = 'HTTP 503 Service Unavailable: fixture';

my ($node, $script) = client_script('webhook.js');
my $dbh = db();

# A caller below admin: every WebhookAgent method is 403 for it.
my $user = make_caller('cwh_user', level => 'update_all');

# The fixture: made directly, its dates and counters fixed, TooManyErrors.
my $FIX = fresh_id();
my $FIX_NAME = "$PREFIX fixture";
my $leftovers = sub {
    $dbh->do('DELETE FROM chats_webhook WHERE name LIKE ? OR id = ?', undef,
             "$PREFIX %", $FIX);
};
$leftovers->();
END { $leftovers->() if $leftovers }
$dbh->do(q{INSERT INTO chats_webhook (id, name, events, target_url, state,
           registered_at, registered_by, updated_at, updated_by, total_calls,
           total_errors, consecutive_errors, last_error)
           VALUES (?, ?, '["cwfixture.never"]', 'https://receiver.invalid/f',
                   3, ?, 5, ?, 5, 7, 3, 9, ?)},
         undef, $FIX, $FIX_NAME, $REGISTERED, $UPDATED, $FIX_ERROR);

my $rx = ChatSession::Receiver->start(certs => make_certs());
$rx->set_mode('/fail', mode => 'status', status => 500, body => $FAIL_BODY);

# The base URL; the client appends api/v1/Agents/Webhook/.  httpd listens
# on IPv4 only, and node may resolve "localhost" to ::1 first.
my $base = Apache::TestRequest::resolve_url('/');
$base =~ s{^(https?://)localhost\b}{${1}127.0.0.1};

for my $tz (@ZONES) {
    (my $zone = lc $tz) =~ s/[^a-z]//g;         # as webhook.js names it
    my $mark = $rx->mark;
    run_node_tap(node => $node, script => $script, args => [$base],
                 env => ["TZ=$tz", "CHATS_WH_PREFIX=$PREFIX",
                   "CHATS_WH_SECRET=$SECRET",
                   'CHATS_RX_OK=' . $rx->url('https', "/ok/$zone"),
                   'CHATS_RX_FAIL=' . $rx->url('http', "/fail/$zone"),
                   "CHATS_RX_FAIL_BODY=$FAIL_BODY",
                   'CHATS_RX_LOG=' . $rx->log_file,
                   "CHATS_WH_FIXTURE=$FIX", "CHATS_WH_FIXTURE_NAME=$FIX_NAME",
                   "CHATS_WH_REGISTERED=$REGISTERED",
                   "CHATS_WH_UPDATED=$UPDATED",
                   "CHATS_WH_FIXTURE_ERROR=$FIX_ERROR",
                   "CHATS_WH_USER=$user->{login}",
                   "CHATS_WH_USER_PASS=$user->{password}"],
                 timeout => $TIMEOUT, min => $MIN_CHECKS, label => "TZ=$tz");

    # What the run made the server send: the tests (a create's, TestWebhook's)
    # and the signals, each signed with the one secret (kept by the updates
    # that did not send it).
    my @ok = $rx->deliveries(path => "/ok/$zone/", since => $mark);
    my @fail = $rx->deliveries(path => "/fail/$zone/", since => $mark);
    my %events;
    $events{ (body_json($_) || {})->{Event} // '?' }++ for @ok, @fail;
    cmp_ok(scalar(@ok), '>=', 4, "[TZ=$tz] the 200 receiver got the tests"
           . ' and the signals') or diag(join ' ', sort keys %events);
    cmp_ok(scalar(@fail), '>=', 3, "[TZ=$tz] the 500 receiver got the"
           . ' failing tests and a try of the failing signal');
    is_deeply([map { my $p = $_->{path};
                     map { "$p: $_" } check_delivery($_, secret => $SECRET) }
               @ok, @fail], [],
              "[TZ=$tz] every request as SuperOffice sends one, signed");
}

done_testing();
