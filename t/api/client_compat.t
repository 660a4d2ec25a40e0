# The official client works unchanged: SuperOffice's TypeScript client
# (@superoffice/webapi, pinned in t/client/package-lock.json, installed by
# ./check with `npm ci --prefix t/client`) drives the whole ChatSession
# resource through t/client/compat.js — GET default, POST, GET, PATCH (ops
# and merge), PUT, 412, 409, DELETE, 404 — once per client time zone.
# Every "ok"/"not ok" line the script prints becomes an assertion here.
# A missing node or node_modules is a failure, never a skip.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use Apache::TestRequest ();
use ChatSession::Test qw(run_node_tap client_script);

my @ZONES = ('UTC', 'America/New_York');
my $MIN_CHECKS = 60;        # per zone: fewer means the scenario stopped early
my $TIMEOUT = 120;          # seconds per run (compat.js gives up after 60)

my ($node, $script) = client_script('compat.js');

# The base URL; the client appends api/v1/ChatSession/.  httpd listens on
# IPv4 only, and node may resolve "localhost" to ::1 first.
my $base = Apache::TestRequest::resolve_url('/');
$base =~ s{^(https?://)localhost\b}{${1}127.0.0.1};

for my $tz (@ZONES) {
    run_node_tap(node => $node, script => $script, args => [$base],
                 env => ["TZ=$tz"],
                 timeout => $TIMEOUT, min => $MIN_CHECKS, label => "TZ=$tz");
}

done_testing();
