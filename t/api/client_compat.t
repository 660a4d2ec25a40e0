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
use File::Spec ();
use ChatSession::Test qw(run_node_tap);

my @ZONES = ('UTC', 'America/New_York');
my $PKG_VERSION = '12.4.1514';
my $MIN_CHECKS = 60;        # per zone: fewer means the scenario stopped early
my $TIMEOUT = 120;          # seconds per run (compat.js gives up after 60)

my $top = Apache::Test::vars('top_dir');
my $dir = File::Spec->catdir($top, 't', 'client');
my $script = File::Spec->catfile($dir, 'compat.js');

my ($node) = grep { -x } map { File::Spec->catfile($_, 'node') }
                  split /:/, ($ENV{PATH} || '') . ':/usr/bin:/usr/local/bin';
ok($node, 'node is installed (Debian package nodejs)')
    or do { done_testing(); exit };

my $pkg = File::Spec->catfile($dir, qw(node_modules @superoffice webapi package.json));
my $version;
if (open my $fh, '<', $pkg) {
    local $/;
    ($version) = <$fh> =~ /"version"\s*:\s*"([^"]+)"/;
}
is($version, $PKG_VERSION,
   "t/client/node_modules has \@superoffice/webapi $PKG_VERSION (./check runs npm ci)")
    or do { done_testing(); exit };

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
