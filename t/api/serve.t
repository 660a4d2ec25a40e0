# ./serve itself, as a new user runs it (issue 16): the README's first
# command starts on a free port with its own PostgreSQL cluster and demo
# data; then every family answers through it -- the README's curl
# commands as printed there (Basic, the PATCH, Bearer and SoTicket with the
# banner's demo credentials, the official client's ChatAgent, the OpenAPI
# document, health), the counters, and the official client itself
# (t/client/serve.js: ChatAgent and REST); then SIGTERM stops httpd and
# PostgreSQL. The test suite's own configuration is not involved: this is
# the configuration users run.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(free_tcp_port client_script run_node_tap);
use File::Temp qw(tempdir);
use IO::Socket::INET ();
use JSON::PP ();
use POSIX ();
use Time::HiRes qw(sleep time);


my $top = Apache::Test::vars('top_dir');
my $port = free_tcp_port();
my $pgport = free_tcp_port();
my $var = tempdir('serve-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $log = "$var/serve.log";

sub listening {
    return !!IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                   PeerPort => shift, Timeout => 2);
}

# ./serve in its own process group, so that whatever it leaves behind can
# be stopped if it fails to stop itself.
my $pid = fork // die "fork: $!";
if (!$pid) {
    POSIX::setsid();
    open STDOUT, '>', $log or die "$log: $!";
    open STDERR, '>&', \*STDOUT or die "dup: $!";
    $ENV{PORT} = $port;
    $ENV{PGPORT} = $pgport;
    $ENV{SERVE_VAR} = $var;
    exec "$top/serve" or die "exec ./serve: $!";
}
END { kill 'KILL', -$pid if $pid && kill 0, $pid }

sub banner { open my $fh, '<', $log or return ''; local $/; <$fh> // '' }
my $t0 = time;
sleep 0.5 until banner() =~ /^Ctrl-C stops/m || !kill(0, $pid)
                || time - $t0 > 240;
my $banner = banner();
ok($banner =~ /^mod_chatsession is running: +\Qhttp:\/\/127.0.0.1:$port\E\/api\/v1\/ChatSession/m,
   "./serve runs on 127.0.0.1:$port (PORT), PostgreSQL on $pgport")
    or diag($banner);
like($banner, qr{\Qhttp://127.0.0.1:$port/api/v1/Agents/Chat\E}, 'the banner names the ChatAgent URL');
my ($jwt) = $banner =~ /^Demo Bearer token \(24 h\): +(\S+)$/m;
my ($ticket) = $banner =~ /^Demo SoTicket \(24 h\): +(\S+)$/m;
ok($jwt && $ticket, 'the banner prints a Bearer token and a SoTicket');

# ---- the README's curl commands, as printed there -------------------------
# The block after "Try it" in the README's opening lines: each command,
# continuation lines joined, run by the shell with the port and the demo
# credentials of this run; each must answer 2xx with a body.
my @cmds = do {
    open my $fh, '<', "$top/README" or die "README: $!";
    local $/;
    my ($block) = <$fh> =~ /\nTry it.*?\n\n((?:    [^\n]*\n)+)/s;
    $block //= '';
    $block =~ s/\\\n\s*/ /g;
    map { s/^\s+//r } grep { /^\s+curl / } split /\n/, $block;
};
ok(@cmds >= 6, 'the README shows curl commands after "Try it"')
    or diag(scalar(@cmds) . ' found');
my %seen;
for my $cmd (@cmds) {
    my $run = $cmd =~ s/:8080\b/:$port/gr;
    $run =~ s/\$DEMO_JWT\b/$jwt/g;
    $run =~ s/\$DEMO_TICKET\b/$ticket/g;
    $run =~ s/^curl /curl -sS -o "$var\/out" -w '%{http_code}' /;
    my $code = `$run 2>&1`;
    my $body = do { open my $fh, '<', "$var/out"; local $/; $fh ? <$fh> : '' } // '';
    my $what = $cmd =~ m{(/api/v1/\S+|/health\S*)} ? $1 : $cmd;
    $what =~ s/['"]//g;
    ok($code =~ /^2\d\d$/ && length $body, "README: $cmd -> 2xx")
        or diag("$code: " . substr($body, 0, 300));
    $seen{agent}++ if $cmd =~ m{/Agents/Chat/};
    $seen{patch}++ if $cmd =~ /-X PATCH/;
    $seen{bearer}++ if $cmd =~ /Bearer/;
    $seen{ticket}++ if $cmd =~ /SOTicket/i;
    $seen{openapi}++ if $cmd =~ /openapi\.json/;
    $seen{health}++ if $cmd =~ m{/health/};
}
for my $k (qw(agent patch bearer ticket openapi health)) {
    ok($seen{$k}, "the README's commands include the $k call");
}

# ---- what the README's curl showed, checked by value ---------------------
require LWP::UserAgent;
my $ua = LWP::UserAgent->new(timeout => 30);
my $base = "http://127.0.0.1:$port";
my $res = $ua->get("$base/api/v1/ChatSession/844",
                   Authorization => 'Basic dGplMDpUamUw');
is($res->code, 200, 'GET ChatSession/844 (the sample request\'s credentials)');
my $doc = eval { JSON::PP->new->decode($res->decoded_content) } || {};
ok(JSON::PP::is_bool($doc->{CustomerConsented}) && $doc->{CustomerConsented},
   '844 is the docs\' sample: CustomerConsented true');
$res = $ua->post("$base/api/v1/Agents/Chat/GetChatSessionEntity?chatSessionEntityId=844",
                 Authorization => 'Basic dGplMDpUamUw',
                 'Content-Type' => 'application/json');
is($res->code, 200, 'ChatAgent GetChatSessionEntity answers 200 on ./serve')
    or diag($res->as_string);
is(eval { JSON::PP->new->decode($res->decoded_content)->{ChatSessionId} }, 844,
   '... with session 844');
# The demo's topics (issue 19): tje0's two, one open now, one closed.
$res = $ua->get("$base/api/v1/ChatTopic/ForCurrentUser",
                Authorization => 'Basic dGplMDpUamUw');
my $topics = eval { JSON::PP->new->decode($res->decoded_content) } || [];
is_deeply([map { $_->{ChatTopicId} } @$topics], [1, 2],
          'ChatTopic/ForCurrentUser on ./serve: the demo\'s two topics');
for ([1, 'true'], [2, 'false']) {
    my ($t, $want) = @$_;
    $res = $ua->get("$base/api/v1/ChatTopic/$t/IsOpen",
                    Authorization => 'Basic dGplMDpUamUw');
    is($res->decoded_content, $want, "demo topic $t: IsOpen $want");
}
$res = $ua->get("$base/chatsession-status");
is($res->code, 200, 'the counters answer (this machine)');
like($res->decoded_content, qr/^chatsession_/m, '... in Prometheus\' text format');

# ---- webhooks: ./serve allows a receiver on this machine (issue 20) ----------
# A webhook on loopback plain http (the banner says so), written with SQL
# into ./serve's database; a PATCH reaches the receiver, signed.
like($banner, qr/^Webhooks: .*plain http.*ChatSessionWebhookAllow http 127\.0\.0\.0\/8/m,
     'the banner says webhooks may go to plain http on this machine');
{
    require ChatSession::Receiver;
    my $rx = ChatSession::Receiver->start(tls => 0);
    my $url = $rx->url('http', '/serve-hook');
    require DBI;
    my $dbh = DBI->connect("dbi:Pg:dbname=chatsession;host=127.0.0.1;port=$pgport",
                           'chats', '', { RaiseError => 0, PrintError => 0 });
    ok($dbh && $dbh->do(q{INSERT INTO chats_webhook (name, events, target_url, secret)
                          VALUES ('serve.t', '["chatsession.changed"]', ?,
                                  'serve-secret')}, undef, $url),
       'a webhook to a receiver on 127.0.0.2, plain http')
        or diag($DBI::errstr);
    $dbh->disconnect if $dbh;
    my $mark = $rx->mark;
    my $r = LWP::UserAgent->new(timeout => 30)->request(HTTP::Request->new(
        PATCH => "$base/api/v1/ChatSession/844",
        ['Authorization' => 'Basic dGplMDpUamUw',
         'Content-Type' => 'application/json'],
        '[{"op":"replace","path":"/Rating","value":3}]'));
    is($r->code, 200, 'PATCH 844 on ./serve') or diag($r->as_string);
    my $got = $rx->wait_for(sub { @_ >= 1 }, 60, path => '/serve-hook',
                            since => $mark) || [];
    is(scalar(@$got), 1, '... the receiver got chatsession.changed once');
    is_deeply([ChatSession::Receiver::check_delivery($got->[0] || {},
                  secret => 'serve-secret', event => 'chatsession.changed',
                  primary_key => 844, changes => ['chatSession.rating'])], [],
              '... as SuperOffice sends it, signed');
    $rx->stop;
}

# ---- the official client ----------------------------------------------------
my ($node, $script) = client_script('serve.js');
run_node_tap(node => $node, script => $script, args => ["$base/api/"],
             env => ['TZ=UTC'], timeout => 90, min => 10, label => 'serve');

# ---- a few hundred slow uploads cannot take every worker (issue 17) -----------
# 300 connections from one address, each trickling a PATCH body just
# above mod_reqtimeout's MinRate (600 bytes a second: it never cuts them
# before its 60 s cap), opened over 3 s and kept up for 15 s; meanwhile
# ordinary GETs must all be answered (a 10 s guard per request, far beyond
# what one takes: a worker-starved httpd leaves them in its listen queue).
{
    my ($n, $ramp, $hold) = (300, 3, 15);
    my $auth = 'Basic dGplMDpUamUw';
    my $open = sub {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                      Timeout => 5) or return undef;
        $s->blocking(0);
        syswrite($s, "PATCH /api/v1/ChatSession/844 HTTP/1.1\r\n"
                     . "Host: 127.0.0.1:$port\r\nAuthorization: $auth\r\n"
                     . "Content-Type: application/json\r\n"
                     . "Content-Length: 1000000\r\n\r\n[");
        return $s;
    };
    my $attacker = fork // die "fork: $!";
    if (!$attacker) {
        local $SIG{PIPE} = 'IGNORE';
        my @c;
        for (1 .. $n) { push @c, $open->(); sleep $ramp / $n }
        my $end = time + $hold;
        while (time < $end) {
            for my $c (@c) {
                # white space inside the array: good JSON, never done
                syswrite($c, ' ' x 60) if $c;
            }
            sleep 0.1;
        }
        POSIX::_exit(0);
    }
    sleep $ramp + 1;
    my $slow = LWP::UserAgent->new(timeout => 10);
    my ($asked, $ok, $worst) = (0, 0, 0);
    my $until = time + $hold - $ramp - 2;
    while (time < $until) {
        my $t = time;
        my $r = $slow->get("$base/api/v1/ChatSession/844", Authorization => $auth);
        $asked++;
        $ok++ if $r->code == 200;
        $worst = time - $t if time - $t > $worst;
        sleep 0.3;
    }
    waitpid $attacker, 0;
    note(sprintf '%d slow uploads: %d of %d GETs answered 200, the slowest in %.2f s',
         $n, $ok, $asked, $worst);
    ok($asked >= 5 && $ok == $asked,
       "with $n slow uploads held open, every ordinary GET is answered ($ok of $asked)");
}

# ---- SIGTERM stops everything -------------------------------------------------
kill 'TERM', $pid;
my $gone;
for (1 .. 600) {
    last if ($gone = waitpid($pid, POSIX::WNOHANG()) == $pid);
    sleep 0.1;
}
ok($gone, './serve ends on SIGTERM');
ok(!listening($port), '... httpd no longer listens');
ok(!listening($pgport), '... PostgreSQL no longer listens');
$pid = 0 if $gone;
done_testing();
