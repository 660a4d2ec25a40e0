# The health checks for load balancers (README "Monitoring"): .../live
# answers while httpd does, .../ready only while PostgreSQL answers at the
# right schema version; 503 with Retry-After otherwise, and back to 200
# once it is back. Unauthenticated, and the body says nothing more than
# the status. The obshealth vhost's pool is on the outage cluster, which
# this file stops and starts; while it is down, the counters show the
# failed requests as pool failures or PostgreSQL errors.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req outage_cluster);
use Time::HiRes qw(sleep time);

plan tests => 23, need_lwp, need_module('mod_dbd.c');

my $stopped = 0;
END { outage_cluster('start') if $stopped }

sub health { req(GET => "/health/$_[0]", auth => undef, vhost => $_[1]) }

sub counters {
    my $res = req(GET => '/chatsession-status', auth => undef);
    my %m = $res->content =~ /^(\S+) (\S+)$/mg;
    return \%m;
}
sub failures {
    my $m = counters();
    my $n = 0;
    $n += $m->{$_} // 0 for 'chatsession_pool_acquire_failures_total',
        'chatsession_pg_errors_total{class="08"}',
        'chatsession_pg_errors_total{class="57"}';
    return $n;
}

# ---- main server ---------------------------------------------------------
my $res = health('live');
is($res->code, 200, 'live: 200, without credentials');
is($res->content, "ok\n", 'live: the body is "ok" and nothing more');
like($res->header('Content-Type'), qr{^text/plain}, 'as text/plain');
$res = health('ready');
is($res->code, 200, 'ready: 200 while PostgreSQL answers');
is($res->content, "ok\n", 'ready: "ok"');
is($res->header('Cache-Control'), 'no-store', 'never cached by a proxy');
is(req(HEAD => '/health/ready', auth => undef)->code, 200, 'HEAD ready: 200');
is(health('version')->code, 404, 'another check: 404');
is(req(POST => '/health/live', auth => undef, body => '{}')->code, 405,
   'POST: 405');
unlike(join("\n", map { my $r = health($_);
                        ($r->header('Server') // ''), $r->content } qw(live ready)),
       qr/\d+\.\d+|PostgreSQL|chatsession/i,
       'no version and no product named in the answers (Server, body)');

# ---- PostgreSQL goes away --------------------------------------------------
is(health('ready', 'obshealth')->code, 200, 'obshealth: ready while up');
is(req(GET => '/api/v1/ChatSession/844', vhost => 'obshealth')->code, 200,
   'obshealth: the resource answers (pool warm)');

my $before = failures();
ok(outage_cluster('stop'), 'outage cluster stopped');
$stopped = 1;
$res = health('ready', 'obshealth');
is($res->code, 503, 'ready while PostgreSQL is down: 503');
ok(($res->header('Retry-After') // '') =~ /^\d+$/, 'with Retry-After');
is($res->content, "unavailable\n", 'and a body that says no more');
is(health('live', 'obshealth')->code, 200, 'live: still 200');
my @codes = map { req(GET => '/api/v1/ChatSession/844',
                      vhost => 'obshealth')->code } 1 .. 3;
is_deeply(\@codes, [503, 503, 503], 'the resource: 503');
is(health('ready', 'obshealth')->code, 503, 'ready again: still 503');
my $failed = failures() - $before;
ok($failed >= 5, "each failed request counted as a pool failure or a "
   . "PostgreSQL connection error (+$failed for 5)");

ok(outage_cluster('start'), 'outage cluster started again');
$stopped = 0;
my $t0 = time;
my $code = 0;
while (time - $t0 < 20) {
    $code = health('ready', 'obshealth')->code;
    last if $code == 200;
    sleep 0.25;
}
is($code, 200, sprintf('ready: 200 again after %.1f s', time - $t0));
is(health('ready')->code, 200, 'main server: ready throughout');
