# Every connect has a bound, and none holds a lock that other requests
# need (issue 17). A "blackhole" is a TCP port on 127.0.0.1 that this test
# listens on and never answers: what a PostgreSQL host behind a firewall
# that drops packets, or a hung postmaster, looks like to libpq, which
# then waits for ever unless connect_timeout says otherwise.
#
# 1. DBDParams without connect_timeout, pointing at a blackhole: mod_dbd's
#    own connect is bounded by ChatSessionConnectTimeout's default (libpq's
#    PGCONNECT_TIMEOUT, set by the module), and so is the probe that asks
#    why: the request answers 503 with Retry-After instead of hanging.
# 2. While one request's probe is still connecting to a blackhole, a
#    request for another server whose PostgreSQL refuses at once is
#    answered: the probe holds no process-wide lock across its connect.
#    Seen without timing: the test accepts the probe's connection (the
#    second one after mod_dbd's) and looks, when the other answer is in,
#    whether that connection is still open.
# A second httpd (ChatSession::Test::second_httpd) with one process, so
# that all of these requests meet in it. The only timeouts are the user
# agent's (60 s), a safety net so that the test cannot hang.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use IO::Select ();
use IO::Socket::INET ();
use LWP::UserAgent ();
use POSIX ();
use ChatSession::Test qw(free_tcp_port second_httpd stop_second_httpd
                         dbd_vhost);

plan tests => 15, need_lwp, need_module('mod_dbd.c');

my $SAFETY = 60;                        # seconds; never reached when it works

sub blackhole {
    my $s = IO::Socket::INET->new(Listen => 16, LocalAddr => '127.0.0.1',
                                  LocalPort => 0, ReuseAddr => 1)
        or die "cannot listen: $!";
    return $s;
}
my $bh_unbound = blackhole();           # scenario 1
my $bh_bound = blackhole();             # scenario 2
my $refused = free_tcp_port();          # nothing listens there

my %port = map { $_ => free_tcp_port() } qw(unbound bound refused);
sub vhost { my ($name, $params) = @_; return dbd_vhost($port{$name}, $params) }
my $h = second_httpd(extra => join '',
    "# t/api/connect_bound.t: one process, so that the requests meet\n",
    "StartServers 1\nServerLimit 1\nMaxRequestWorkers 16\n",
    vhost(unbound => 'host=127.0.0.1 port=' . $bh_unbound->sockport
                     . ' dbname=chats user=chats'),
    vhost(bound => 'host=127.0.0.1 port=' . $bh_bound->sockport
                   . ' dbname=chats user=chats connect_timeout=4'),
    vhost(refused => "host=127.0.0.1 port=$refused dbname=chats user=chats "
                     . 'connect_timeout=3'));
END { stop_second_httpd($h) if $h && $h->{pid} && kill 0, $h->{pid} }

sub get {
    my $name = shift;
    my $ua = LWP::UserAgent->new(keep_alive => 0, timeout => $SAFETY);
    return $ua->get("http://127.0.0.1:$port{$name}/api/v1/ChatSession/844");
}

# --- 1. no connect_timeout anywhere: bounded all the same
my $res = get('unbound');
is($res->code, 503, 'DBDParams without connect_timeout, a blackhole: 503')
    or diag($res->as_string);
like($res->header('Retry-After') // '', qr/^\d+$/, 'with Retry-After');
unlike($res->header('Client-Warning') // '', qr/Internal response/,
       'answered by httpd, not given up by the client');

# --- 2. a probe connecting holds up no one
pipe(my $rd, my $wr) or die "pipe: $!";
my $kid = fork // die "fork: $!";
if ($kid == 0) {
    close $rd;
    my $r = get('bound');
    print {$wr} $r->code, ' ', ($r->header('Retry-After') // ''), "\n";
    close $wr;
    POSIX::_exit(0);
}
close $wr;
# mod_dbd's connection first, then the probe's; kept open, never answered
my (@held, $got_probe);
my $sel = IO::Select->new($bh_bound);
while (@held < 2 && $sel->can_read($SAFETY)) {
    my $c = $bh_bound->accept or last;
    push @held, $c;
}
$got_probe = @held == 2;
ok($got_probe, 'the probe connects to the blackhole after mod_dbd gave up');
my $other = get('refused');
is($other->code, 503, 'meanwhile, another server whose PostgreSQL refuses: 503');
# Open: what libpq sent is read, and then nothing (EAGAIN), not EOF.
sub still_open {
    my $s = shift;
    $s->blocking(0);
    for (;;) {
        my $n = sysread($s, my $buf, 4096);
        return ($!{EAGAIN} || $!{EWOULDBLOCK}) ? 1 : 0 unless defined $n;
        return 0 if $n == 0;
    }
}
my $still_open = $got_probe && still_open($held[1]);
ok($still_open, 'answered while the first probe was still connecting '
   . '(no process-wide lock across its connect)');
my $line = <$rd> // '';
waitpid $kid, 0;
my ($code, $retry) = split ' ', $line;
is($code // '', '503', 'the probing request: 503 within its bound');
like($retry // '', qr/^\d+$/, 'with Retry-After');
close $_ for @held;

ok(stop_second_httpd($h), 'second httpd stopped');

# --- the directive: a number of seconds, at least 1, for the whole process
sub configtest {
    my @lines = @_;
    my $vars = Apache::Test::vars();
    my $dir = "$vars->{t_logs}/connect-bound-conf";
    mkdir $dir;
    open my $fh, '>', "$dir/httpd.conf" or die $!;
    print {$fh} join "\n", "ServerRoot $dir", "PidFile $dir/httpd.pid",
        "ErrorLog $dir/error_log", 'Listen 127.0.0.1:1', 'ServerName localhost',
        (map { "LoadModule ${_}_module $vars->{libexecdir}/mod_$_.so" }
             qw(mpm_event authn_core authz_core dbd)),
        "LoadModule chatsession_module $vars->{top_dir}/.libs/mod_chatsession.so",
        'DBDriver pgsql', 'DBDParams "host=127.0.0.1 dbname=chats"', @lines, '';
    close $fh;
    my $out = `'$vars->{httpd}' -t -f '$dir/httpd.conf' 2>&1`;
    return ($? >> 8, $out);
}
my ($rc, $out) = configtest('ChatSessionConnectTimeout 2');
is($rc, 0, 'ChatSessionConnectTimeout 2: configtest passes') or diag($out);
($rc, $out) = configtest('ChatSessionConnectTimeout 0');
isnt($rc, 0, 'ChatSessionConnectTimeout 0: configtest fails');
like($out, qr/ChatSessionConnectTimeout: at least 1 second/, 'every connect has a bound')
    or diag($out);
($rc, $out) = configtest('ChatSessionConnectTimeout 5s');
like($out, qr/ChatSessionConnectTimeout: '5s' is not a whole number from 0 to 3600/,
     'a number of seconds') or diag($out);
($rc, $out) = configtest('<VirtualHost 127.0.0.1:2>', 'ChatSessionConnectTimeout 3',
                         '</VirtualHost>');
isnt($rc, 0, 'ChatSessionConnectTimeout in a <VirtualHost>: configtest fails');
like($out, qr/ChatSessionConnectTimeout cannot occur within <VirtualHost> section/,
     'it is per process (an environment variable)') or diag($out);
