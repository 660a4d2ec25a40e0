# Slow clients (issue 8, finding 4): 100 connections that send their
# headers a byte a second (no credentials) and 100 uploads that send a
# body a byte a second, kept up for a while (a cut one is opened again),
# against the virtual host whose mod_reqtimeout rates are tight
# (t/conf/extra.conf.in: header=2-4,MinRate=500 body=3,MinRate=500).
# Meanwhile ordinary GETs, on that port and on the main one, answer
# within a second; and httpd cuts every slow connection within a few
# seconds, so none holds a worker for long.  Without RequestReadTimeout
# on that host (the main server's 10-20 s and 20 s, or no mod_reqtimeout
# at all: Timeout, 60 s), a slow connection is cut once at most within
# the attack, uploads not at all, and the "cut" tests fail.  The test
# httpd has the event MPM's default 400 workers: capacity for the 200
# slow ones; mod_reqtimeout bounds how long each holds its worker, it
# cannot make room when slow connections outnumber the workers.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use Apache::TestRequest ();
use ChatSession::Test qw(req seed_session db fresh_id);
use IO::Select ();
use IO::Socket::INET ();
use POSIX ();
use Time::HiRes qw(time sleep);

plan tests => 10, need_lwp, need_module('mod_dbd.c'),
    need_module('mod_reqtimeout.c');

my $N = 100;            # of each kind
my $RAMP = 5;           # seconds over which they connect
my $ATTACK = 10;        # seconds they are then kept up
my $OVERDUE = 10;       # a connection alive this long uncut holds a worker
my $ID = fresh_id();
my $URL = "/api/v1/ChatSession/$ID";

seed_session($ID, name => 'Slow');
my $v0 = db()->selectrow_array('SELECT version FROM chat_session WHERE id = ?',
                               undef, $ID);
# Uploads need a caller who may write (a refused one is answered before
# the body is read): a SoTicket, cheap to verify.
my ($ticket) = db()->selectrow_array(
    q{SELECT chats_issue_ticket('tje0', interval '10 minutes')});

my $slow_hp = do {
    local $Apache::TestRequest::Module = 'slowclients';
    Apache::TestRequest::hostport(Apache::Test::config());
};

# ---- the attacker, in a process of its own ------------------------------
sub open_slow {
    my $kind = shift;
    my $s = IO::Socket::INET->new(PeerAddr => $slow_hp, Timeout => 5)
        or return undef;
    $s->blocking(0);
    my $head = $kind eq 'header'
        ? "GET $URL HTTP/1.1\r\nHost: $slow_hp\r\nX-Slow: "
        : "PATCH $URL HTTP/1.1\r\nHost: $slow_hp\r\n"
          . "Authorization: SoTicket $ticket\r\n"
          . "Content-Type: application/json\r\nContent-Length: 100000\r\n"
          . "\r\n[";
    syswrite($s, $head);
    return { sock => $s, kind => $kind, since => time };
}

sub attack {
    my $out = shift;
    local $SIG{PIPE} = 'IGNORE';
    # Opened over $RAMP seconds, as the MPM starts processes for them.
    my @kinds = (('header', 'upload') x $N);
    my @c;
    my $step = $RAMP / @kinds;
    for my $k (@kinds) {
        push @c, open_slow($k);
        sleep $step;
    }
    my %cut = (header => 0, upload => 0);
    my %overdue = (header => 0, upload => 0);
    my %longest = (header => 0, upload => 0);
    my $end = time + $ATTACK;
    while (time < $end) {
        for my $i (0 .. $#c) {
            my $k = $kinds[$i];
            my $c = $c[$i] or do { $c[$i] = open_slow($k); next };
            # An answer (408, 400) or the end: httpd let go of it.
            my $n = sysread($c->{sock}, my $buf, 4096);
            my $gone = defined $n || !$!{EAGAIN};
            if (!$gone) {
                # Still good JSON (white space in an array), never done.
                my $w = syswrite($c->{sock}, $k eq 'header' ? 'a' : ' ');
                $gone = !defined $w && !$!{EAGAIN};
            }
            if ($gone) {
                my $life = time - $c->{since};
                $cut{$k}++;
                $longest{$k} = $life if $life > $longest{$k};
                close $c->{sock};
                $c[$i] = open_slow($k);
            }
            elsif (time - $c->{since} > $OVERDUE) {
                $overdue{$k}++;
                close $c->{sock};
                $c[$i] = open_slow($k);
            }
        }
        sleep 1;
    }
    close $_->{sock} for grep { $_ } @c;
    printf {$out} "%s %d %d %.1f\n", $_, $cut{$_}, $overdue{$_}, $longest{$_}
        for qw(header upload);
    close $out;
}

pipe(my $rd, my $wr) or die "pipe: $!";
my $pid = fork // die "fork: $!";
if (!$pid) {
    close $rd;
    attack($wr);
    POSIX::_exit(0);
}
close $wr;

# ---- meanwhile, ordinary GETs -------------------------------------------
# With the same ticket: a process the MPM has just started checks it
# with one statement (a Basic password would cost it a bcrypt first).
sleep $RAMP;
my %t = (main => [], slowclients => []);
my %bad = (main => 0, slowclients => 0);
my $until = time + $ATTACK - 1;
while (time < $until) {
    for my $vhost (qw(main slowclients)) {
        my $t0 = time;
        my $res = req(GET => $URL, authorization => "SoTicket $ticket",
                      $vhost eq 'main' ? () : (vhost => $vhost));
        push @{ $t{$vhost} }, time - $t0;
        $bad{$vhost}++ unless $res->code == 200;
    }
    sleep 0.2;
}
my %report = map { my @f = split; ($f[0] => { cut => $f[1], overdue => $f[2],
                                              longest => $f[3] }) } <$rd>;
waitpid($pid, 0);

for my $vhost (qw(main slowclients)) {
    my @s = sort { $a <=> $b } @{ $t{$vhost} };
    diag(sprintf '%s: %d GETs during the attack, median %.0f ms, '
         . 'slowest %.0f ms', $vhost, scalar @s, 1000 * $s[@s / 2],
         1000 * $s[-1]);
    is($bad{$vhost}, 0, "$vhost: every GET answered 200 during the attack");
    # Within a second (90 %; none past 10 s): a slow upload holds no
    # pooled connection while its body trickles in (the store gives back
    # what authentication took before a body is read), so GETs never
    # wait for one of DBDMax behind it.
    ok(@s >= 5 && $s[int(0.9 * $#s)] < 1 && $s[-1] < 10,
       "$vhost: GETs answered within a second (90 %; all within 10 s)");
}
for my $kind (qw(header upload)) {
    my $r = $report{$kind} || {};
    diag(sprintf 'slow %s senders: %d cut by httpd (longest lived %.1f s), '
         . '%d alive past %d s', $kind, $r->{cut} // 0, $r->{longest} // 0,
         $r->{overdue} // 0, $OVERDUE);
    # Over $RAMP + $ATTACK s, each is cut, opened again and cut again:
    # the main server's rates (10 s, 20 s) would cut each once at most.
    ok(($r->{cut} // 0) >= 2 * $N,
       "slow $kind senders: each one cut by httpd, and again");
    is($r->{overdue} // -1, 0,
       "slow $kind senders: none held on for $OVERDUE s");
}
is(db()->selectrow_array('SELECT version FROM chat_session WHERE id = ?',
                         undef, $ID), $v0, 'the cut uploads changed nothing');
# And afterwards the server is as before.
is(req(GET => $URL, vhost => 'slowclients')->code, 200,
   'after the attack: 200');
