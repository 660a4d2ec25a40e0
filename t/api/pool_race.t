# Per-process caches and the pools they allocate from (issue 17, defect
# 3): an APR pool is not thread-safe, so every per-process cache must
# allocate from a pool of its own under its own lock. The time-zone cache
# (first-seen SO-TimeZone names) and the store's probe (verdicts on a
# server whose PostgreSQL refuses mod_dbd) both allocated from the child
# pool under two different mutexes: two event-MPM threads could be inside
# apr_palloc on one pool at once.
#
# Such a race shows only now and then, so it is found here without
# timing: t/lib/poolguard.c, a lockset checker (Eraser) for APR pools,
# preloaded into a second httpd (ChatSession::Test::second_httpd, the
# sanitizer build) that this test hammers from many clients with both
# caches hot: first-seen tz database names on the main server, and a
# server whose PostgreSQL is not there (the probe), in two rounds with a
# graceful restart between them (new processes, cold caches). The checker
# reports every pool that two threads allocated from under no common lock,
# whether or not they did at the same moment.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use File::Temp qw(tempdir);
use Time::HiRes qw(time);
use ChatSession::Test qw(db req run_forked free_tcp_port
                          second_httpd stop_second_httpd dbd_vhost);

plan tests => 11, need_lwp, need_module('mod_dbd.c');

my $top = Apache::Test::vars('top_dir');
my $tmp = tempdir(CLEANUP => 1);
my $cc = $ENV{CC} || 'cc';
my $guard = "$tmp/poolguard.so";
my $log = "$tmp/poolguard.log";
my $DEADLINE = 120;     # seconds per round: a safety net, not a check

sub slurp { my $f = shift; open my $fh, '<', $f or return ''; local $/; <$fh> // '' }
sub reports { return grep { /^POOLGUARD / } split /\n/, slurp($log) }

# Frames "file+0xoffset" as function names, for the diagnostics.
sub symbolize {
    my $line = shift;
    return $line =~ s{(\S+)\+0x([0-9a-f]+)}{
        my ($f, $off) = ($1, hex($2) - 1);
        my $fn = -f $f ? `addr2line -f -e '$f' 0x@{[sprintf '%x', $off]} 2>/dev/null` : '';
        ($fn =~ /^(\S+)/ && $1 ne '??') ? "$1" : "$f+0x$2"
    }ger;
}

# --- the checker, and proof that it finds the bug with no timing at all
system("$cc -shared -fPIC -O1 -o '$guard' '$top/t/lib/poolguard.c' -ldl -lpthread") == 0
    or BAIL_OUT('cannot build t/lib/poolguard.c');
my $apr = `apr-1-config --cflags --cppflags --includes --link-ld`;
$apr =~ s/\n/ /g;
system("$cc -o '$tmp/selftest' '$top/t/lib/poolguard_selftest.c' $apr") == 0
    or BAIL_OUT('cannot build t/lib/poolguard_selftest.c');
sub selftest {
    unlink $log;
    local $ENV{LD_PRELOAD} = $guard;
    local $ENV{POOLGUARD_LOG} = $log;
    system("'$tmp/selftest' $_[0]");
    return scalar reports();
}
is(selftest('two'), 1, 'checker: one pool, two threads in turn, two locks: reported');
is(selftest('one'), 0, 'checker: one pool, two threads in turn, one lock: not reported');
unlink $log;

# --- the load: tz database names PostgreSQL knows, each first seen once
my @zones = grep { m{^[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+)+$} && !m{^(?:posix|right)/} }
    @{ db()->selectcol_arrayref('SELECT name FROM pg_timezone_names ORDER BY name') };
cmp_ok(scalar(@zones), '>', 300, scalar(@zones) . ' tz database names to send');

my $down = free_tcp_port();             # nothing listens there
my $vport = free_tcp_port();
my $h = do {
    local $ENV{LD_PRELOAD} = $guard;
    local $ENV{POOLGUARD_LOG} = $log;
    second_httpd(extra => "# t/api/pool_race.t: a server whose PostgreSQL "
                          . "is not there (the probe).\n"
                          . dbd_vhost($vport, "host=127.0.0.1 port=$down "
                                      . 'dbname=chats user=chats '
                                      . 'connect_timeout=3'));
};
END { stop_second_httpd($h) if $h && $h->{pid} && kill 0, $h->{pid} }
my $probe_url = "http://127.0.0.1:$vport/api/v1/ChatSession/844";
my $zone_url = "$h->{url}/api/v1/ChatSession/844";
is(req(GET => $probe_url, auth => undef)->code, 503,
   'the server without PostgreSQL answers 503 (its probe runs)');

# One round: 8 clients share the names; each starts with the probe and
# goes back to it every few names, so both caches fill at once.
my $CLIENTS = 8;
sub round {
    my $label = shift;
    my $runs = run_forked($CLIENTS, sub {
        my $k = shift;
        my %out = (zones => 0, probes => 0, odd => []);
        my $stop = time + $DEADLINE;
        my @mine = @zones[grep { $_ % $CLIENTS == $k - 1 } 0 .. $#zones];
        my $n = 0;
        for my $z (@mine) {
            last if time > $stop;
            if ($n++ % 8 == 0) {
                my $r = req(GET => $probe_url, auth => undef);
                $out{probes}++;
                push @{ $out{odd} }, "probe: " . $r->code if $r->code != 503;
            }
            my $r = req(GET => $zone_url, headers => ['SO-TimeZone' => $z]);
            $out{zones}++;
            my $echo = $r->header('SO-TimeZone') // '';
            push @{ $out{odd} }, "$z: " . $r->code . " echo '$echo'"
                if $r->code != 200 || lc $echo ne lc $z;
        }
        return \%out;
    });
    my ($zones, $probes, @odd, @died) = (0, 0);
    for my $c (@$runs) {
        push @died, $c->{died} if $c->{died};
        $zones += $c->{zones} // 0;
        $probes += $c->{probes} // 0;
        push @odd, @{ $c->{odd} || [] };
    }
    note("$label: $zones first-seen zones, $probes probe requests, "
         . scalar(@odd) . ' odd answers');
    is("@died", '', "$label: every client ran to its end");
    is(scalar(@odd), 0, "$label: every zone 200 with its echo, every probe 503")
        or diag(join "\n", @odd[0 .. ($#odd < 9 ? $#odd : 9)]);
}

round('round 1');
system(Apache::Test::vars('httpd'), '-f', "$h->{dir}/httpd.conf",
       '-k', 'graceful') == 0 or diag('graceful restart failed');
sleep 2;                                # new children, cold caches
round('round 2 (after a graceful restart)');

ok(stop_second_httpd($h), 'second httpd stopped');
my @found = reports();
is(scalar(@found), 0,
   'no pool was allocated from by two threads under no common lock')
    or diag(join "\n", map { symbolize($_) } @found[0 .. ($#found < 4 ? $#found : 4)]);
like(slurp($log), qr/^POOLGUARD-STATS pid=\d+ shared=[1-9]/m,
     'the checker was at work in httpd (pools shared between threads under a lock)');
