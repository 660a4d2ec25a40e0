# A graceful restart (apachectl -k graceful: SIGUSR1 to httpd's parent)
# under PATCH load loses no accepted request (issue 8, Faults).
#
# 16 clients, each on a row of its own, send test-and-set increments of
# Rating as fast as they can, each request on a new connection, while the
# parent gets SIGUSR1 twice: every request sent gets a complete 200 (no
# reset, no empty reply, no 5xx), each answer shows the value it wrote,
# and each row's Rating and version moved by exactly the number of 200s
# its client got. The server (same parent process) keeps serving for the
# tests after this one; its children are new ones.
#
# Why new connections: a keep-alive connection left idle between two
# requests may be closed by the old generation's child as it winds down,
# and a request that crosses that close is unanswered by HTTP/1.1's
# design (RFC 9112 9.3.1: the client retries, which it may only do for an
# idempotent request). A new connection is accepted from the listening
# socket, which the parent keeps open across the restart; that is what
# must never lose a request.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req seed_session db run_forked error_log_since
                         fresh_ids);
use Time::HiRes qw(sleep time);
use File::Spec;

plan tests => 13, need_lwp, need_module('mod_dbd.c');

my $CLIENTS  = 16;
my ($BASE_ID) = fresh_ids($CLIENTS + 1);  # rows $BASE_ID + 1 .. + $CLIENTS
my $BASE     = '/api/v1/ChatSession';

my $logs = Apache::Test::vars('t_logs');
my $pidfile = File::Spec->catfile($logs, 'httpd.pid');
my $errlog = File::Spec->catfile($logs, 'error_log');

sub parent_pid {
    open my $fh, '<', $pidfile or return;
    my $pid = <$fh>;
    return $pid && $pid =~ /^(\d+)/ ? $1 : undef;
}
sub children_of {
    my $ppid = shift;
    return sort { $a <=> $b } grep { /^\d+$/ }
        map { s/\s+//gr } `ps -o pid= --ppid $ppid`;
}

my $parent = parent_pid();
ok($parent && kill(0, $parent), "httpd's parent (pid $parent) is running");
my @before = children_of($parent);
my $start = { map { $_ => seed_session($BASE_ID + $_, rating => 0) } 1 .. $CLIENTS };
my $log_from = -s $errlog || 0;

# One client: test-and-set increments of its row's Rating until the
# parent writes the stop file; the start time of each request is kept.
my $stop_file = "$logs/fault_graceful.stop.$$";
unlink $stop_file;
sub client {
    my $k = shift;
    my $id = $BASE_ID + $k;
    my %out = (sent => 0, ok => 0, bad => [], t0 => []);
    my $v = 0;
    my $t_end = time + 120;                     # a safety net only
    until (-e $stop_file || time > $t_end) {
        push @{ $out{t0} }, time;
        my $res = req(PATCH => "$BASE/$id",
                      body => [{ op => 'test', path => '/Rating', value => $v },
                               { op => 'replace', path => '/Rating', value => $v + 1 }]);
        $out{sent}++;
        my $got = $res->content =~ /"Rating":(-?\d+)/ ? $1 : undef;
        if ($res->code == 200 && defined $got && $got == $v + 1) {
            $out{ok}++;
            $v++;
            if ($out{ok} == 1 && open my $fh, '>', "$stop_file.ready.$k") {
                close $fh;
            }
            next;
        }
        push @{ $out{bad} }, sprintf('%s (%s): %s', $res->status_line,
            $res->header('Client-Warning') // 'from the server',
            substr($res->content // '', 0, 200)) if @{ $out{bad} } < 5;
        $out{wrong}++;
        last;           # the row's value is unknown now: stop this client
    }
    return \%out;
}

# Two graceful restarts during the load, each once the load runs and the
# one before has finished (httpd logs "resuming normal operations"); the
# load goes on a while after the second.
my (@usr1, @resumed);
my $t0 = time;
my $run = run_forked($CLIENTS, \&client, sub {
    # Once every client has had its first answer (its httpd child has
    # verified the credential), so that the restarts meet a running load.
    sleep 0.1 until (grep { -e "$stop_file.ready.$_" } 1 .. $CLIENTS) == $CLIENTS
                    || time - $t0 > 60;
    for my $n (1, 2) {
        sleep 1.5;
        push @usr1, time;
        kill 'USR1', $parent or diag("kill USR1 $parent: $!");
        my $t = time;
        sleep 0.1 until (() = error_log_since($log_from)
                              =~ /resuming normal operations/g) >= $n
                        || time - $t > 30;
        push @resumed, time;
    }
    sleep 2;
    open my $fh, '>', $stop_file or die "$stop_file: $!";
    close $fh;
});
unlink $stop_file, map { "$stop_file.ready.$_" } 1 .. $CLIENTS;

my (%sum, @bad);
for my $k (1 .. $CLIENTS) {
    my $r = $run->[$k - 1];
    if ($r->{died}) { push @bad, "client $k: $r->{died}"; next }
    $sum{$_} += $r->{$_} // 0 for qw(sent ok wrong);
    push @bad, map { "client $k: $_" } @{ $r->{bad} };
}
note(sprintf '%d clients, %.1f s: %d PATCHes sent, %d x 200',
             $CLIENTS, time - $t0, $sum{sent} // 0, $sum{ok} // 0);
my @t0 = map { @{ $_->{t0} || [] } } @$run;
my $across = grep { $_ >= $usr1[0] && $_ <= $resumed[-1] } @t0;
cmp_ok($across, '>=', $CLIENTS, "$across PATCHes sent during the restarts")
    or diag(sprintf 'USR1 at %s; resumed at %s; %d sent in all',
                    join(', ', map { sprintf '%.1f', $_ - $t0 } @usr1),
                    join(', ', map { sprintf '%.1f', $_ - $t0 } @resumed), scalar @t0);
is($sum{wrong} // 0, 0, 'every request got a complete 200 with its new value')
    or diag(join "\n", @bad);
is($sum{ok}, $sum{sent}, '... as many 200s as requests sent');

my ($lost, $extra) = (0, 0);
for my $k (1 .. $CLIENTS) {
    my $r = $run->[$k - 1];
    my $row = db()->selectrow_hashref(
        'SELECT rating, version FROM chat_session WHERE id = ?', undef, $BASE_ID + $k);
    my $want = $r->{ok} // 0;
    unless ($row->{rating} == $want
            && $row->{version} == $start->{$k}{version} + $want) {
        $lost++;
        diag(sprintf 'row %d: Rating %d, version +%d; the client got %d x 200',
             $BASE_ID + $k, $row->{rating},
             $row->{version} - $start->{$k}{version}, $want);
    }
}
is($lost, 0, "every row's Rating and version moved by its client's 200s");

# The restarts happened, and the same parent serves with new children.
my $log = error_log_since($log_from);
my $restarts = () = $log =~ /AH00493: SIGUSR1 received\.\s+Doing graceful restart/g;
is($restarts, 2, 'httpd logged two graceful restarts');
my $resumed = () = $log =~ /resuming normal operations/g;
cmp_ok($resumed, '>=', 2, '... and resumed normal operations after each');
is(parent_pid(), $parent, 'the same parent process');
ok(kill(0, $parent), '... still running');
my @after = children_of($parent);
my %old = map { $_ => 1 } @before;
ok(@after && !grep({ $old{$_} } @after), 'its children are new ones')
    or diag("before: @before; after: @after");
my $res = req(GET => "$BASE/" . ($BASE_ID + 1));
is($res->code, 200, 'GET after the restarts: 200');
like($res->content, qr/"Rating":$run->[0]{ok}\b/, '... with the last value written');
my @errors = grep { /\[chatsession:(?:error|crit|alert|emerg)\]/ } split /\n/, $log;
is(scalar(@errors), 0, 'no chatsession error in error_log meanwhile')
    or diag(join "\n", @errors[0 .. ($#errors < 9 ? $#errors : 9)]);
