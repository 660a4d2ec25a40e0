#!/usr/bin/perl
# bench/lib/longpoll.pl — helper of bench/list, not a command of its own.
# W requests wait (Messages?after=<last>&wait=30) on W/4 sessions from
# FIRST on, on connections of their own; after 3 s a writer posts one
# message per session, 10 a second. Each waiter's wake latency is the time
# from the start of its session's POST to the end of its own answer.
# Prints, last line: woken p50_ms p99_ms max_ms early errors
# (early: answered before its session's POST started; errors: not 200,
# or not the posted message).
#
#   longpoll.pl ROOT AUTH W FIRST OUT
use strict;
use warnings;
use HTTP::Tiny;
use IO::Select;
use IO::Socket::INET;
use JSON::PP;
use Time::HiRes qw(time sleep);

my ($root, $auth, $w, $first, $out) = @ARGV;
die "usage: longpoll.pl ROOT AUTH W FIRST OUT\n" unless defined $out;
my ($host, $port, $path) = $root =~ m{^http://([^:/]+):(\d+)(/.*)$} or die "bad ROOT";
my $ns = int($w / 4) || 1;
my $ua = HTTP::Tiny->new(keep_alive => 1, timeout => 60);
my %h = (Authorization => $auth);
my (%after, @sock, %waiter_of, @sid, @done, @status, @body);
for my $s ($first .. $first + $ns - 1) {
    my $r = $ua->get("$root/ChatSession/$s/Messages?after=0", { headers => \%h });
    die "GET Messages of $s: $r->{status}\n" unless $r->{status} == 200;
    my $l = decode_json($r->{content});
    $after{$s} = @$l ? $l->[-1]{ChatMessageId} : 0;
}
my $sel = IO::Select->new;
for my $i (0 .. $w - 1) {
    my $s = $first + $i % $ns;
    my $c = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port, Blocking => 1)
        or die "connect: $!";
    print $c "GET $path/ChatSession/$s/Messages?after=$after{$s}&wait=30 HTTP/1.0\r\n"
           . "Host: $host:$port\r\nAuthorization: $auth\r\n\r\n";
    $c->blocking(0);
    ($sock[$i], $sid[$i], $body[$i]) = ($c, $s, '');
    $waiter_of{fileno $c} = $i;
    $sel->add($c);
}
my (%posted, @queue) = ();
@queue = ($first .. $first + $ns - 1);
my $next = time + 3;
my $end = time + 45;
while ($sel->count && time < $end) {
    my $tmo = @queue ? $next - time : $end - time;
    $tmo = 0 if $tmo < 0;
    for my $c ($sel->can_read($tmo)) {
        my $i = $waiter_of{fileno $c};
        my $n = sysread($c, my $buf, 65536);
        if ($n) {
            $body[$i] .= $buf;
            next;
        }
        next if !defined $n && $!{EAGAIN};
        $done[$i] = time;
        $sel->remove($c);
        close $c;
    }
    if (@queue && time >= $next) {
        my $s = shift @queue;
        $posted{$s} = time;
        my $r = $ua->post("$root/ChatSession/$s/Messages", { headers => {
            %h, 'Content-Type' => 'application/json' },
            content => qq({"Type":"ToUser","Message":"bench $s"}) });
        warn "POST $s: $r->{status}\n" unless $r->{status} == 200;
        $next += 0.1;
    }
}
my (@lat, $early, $bad) = ((), 0, 0);
for my $i (0 .. $w - 1) {
    my ($st, $b) = $body[$i] =~ m{^HTTP/1\.\d (\d+).*?\r\n\r\n(.*)$}s;
    if ($done[$i] && (!$posted{$sid[$i]} || $done[$i] < $posted{$sid[$i]})) {
        $early++;               # no slot free (D-19), or a wrong wake-up
        next;
    }
    if (!$done[$i] || !$st || $st != 200 || $b !~ /"bench $sid[$i]"/) {
        $bad++;
        next;
    }
    push @lat, ($done[$i] - $posted{$sid[$i]}) * 1000;
}
@lat = sort { $a <=> $b } @lat;
my $pct = sub { @lat ? sprintf('%.1f', $lat[int($_[0] * $#lat + 0.5)]) : '-' };
printf "%d %s %s %s %d %d\n", scalar @lat, $pct->(0.5), $pct->(0.99),
    @lat ? sprintf('%.1f', $lat[-1]) : '-', $early, $bad;
