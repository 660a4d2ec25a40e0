# PgBouncer restarted under load (issue 8, Faults): while it is down the
# module answers 503 (with Retry-After and the JSON error body) and
# nothing else, and once it is back requests succeed again with no httpd
# restart.
#
# The restart is what `systemctl restart pgbouncer` does with Debian's
# unit: SIGINT (KillSignal=SIGINT: PAUSE, then SHUTDOWN), wait for the
# process to end, start it again (here `pgbouncer -d` with ./check's ini,
# CHATS_TEST_PGBOUNCER_*). Clients meanwhile GET and PATCH their own rows
# through the pgbouncer vhost (transaction mode, statements unnamed), each
# request on a new connection, and note when each request started and
# ended: a request that started before the stop is answered 200 unless
# it was still in flight when PgBouncer went; one that started once
# PgBouncer answered again, and a grace of a few seconds had passed, is
# 200. In between, 200 or 503 only.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req seed_session db run_forked error_log_since
                         fresh_ids);
use DBI ();
use Time::HiRes qw(sleep time);

plan tests => 14, need_lwp, need_module('mod_dbd.c');

my %ENVV = map { $_ => $ENV{"CHATS_TEST_PGBOUNCER_$_"} } qw(BIN INI PIDFILE ADMIN);
for (sort keys %ENVV) {
    die "CHATS_TEST_PGBOUNCER_$_ not set: run the suite through ./check"
        unless $ENVV{$_};
}

my $CLIENTS  = 4;
my ($BASE_ID) = fresh_ids($CLIENTS + 1);  # rows $BASE_ID + 1 .. + $CLIENTS
my $BASE     = '/api/v1/ChatSession';
my $DOWN     = 2;                   # seconds PgBouncer stays down
my $GRACE    = 3;                   # seconds after it answers again
my $AFTER    = 5;                   # seconds of load after it is back

sub pgb_pid {
    open my $fh, '<', $ENVV{PIDFILE} or return;
    my $pid = <$fh>;
    return $pid && $pid =~ /^(\d+)/ && kill(0, $1) ? $1 : undef;
}
sub pgb_answers {
    my $dbh = eval {
        DBI->connect("dbi:Pg:$ENVV{ADMIN}", $ENV{CHATS_TEST_PGUSER}, '',
                     { RaiseError => 1, PrintError => 0, AutoCommit => 1,
                       pg_server_prepare => 0 });
    } or return 0;
    my $ok = eval { $dbh->do('SHOW VERSION'); 1 };
    $dbh->disconnect;
    return $ok;
}

seed_session($BASE_ID + $_, rating => 0) for 1 .. $CLIENTS;
is(req(GET => "$BASE/" . ($BASE_ID + 1), vhost => 'pgbouncer')->code, 200,
   'pgbouncer vhost serves');
my $old_pid = pgb_pid();
ok($old_pid, "PgBouncer runs (pid $old_pid)");
my $errlog = Apache::Test::vars('t_logs') . '/error_log';
my $log_from = -s $errlog || 0;

# Shared with the clients through the environment of the fork: none. The
# parent's times come back in its own variables; the clients stop on a
# file the parent writes once the load after the restart has run.
my $stop_file = Apache::Test::vars('t_logs') . "/fault_pgbouncer.stop.$$";
unlink $stop_file;

my %t;
my $run = run_forked($CLIENTS, sub {
    my $k = shift;
    my $id = $BASE_ID + $k;
    my (@log, $i);
    my $t_end = time + 60;                      # a safety net only
    until (-e $stop_file || time > $t_end) {
        $i++;
        my ($kind, $res);
        my $t0 = time;
        if ($i % 2) {
            $kind = 'GET';
            $res = req(GET => "$BASE/$id", vhost => 'pgbouncer');
        }
        else {
            $kind = 'PATCH';
            $res = req(PATCH => "$BASE/$id", vhost => 'pgbouncer',
                       body => [{ op => 'replace', path => '/Rating', value => $i }]);
        }
        my $e = { kind => $kind, i => $i, t0 => $t0, t1 => time,
                  code => $res->code,
                  retry => $res->header('Retry-After') // '',
                  json => ($res->header('Content-Type') // '') =~ m{^application/json} ? 1 : 0 };
        $e->{body} = substr($res->content // '', 0, 200)
            . ' ' . ($res->header('Client-Warning') // '')
            unless $res->code == 200;
        push @log, $e;
        sleep 0.02;
    }
    return { log => \@log };
}, sub {
    sleep 2;
    $t{stop} = time;
    kill 'INT', $old_pid or die "kill INT $old_pid: $!";
    my $t0 = time;
    sleep 0.05 while kill(0, $old_pid) && time - $t0 < 20;
    $t{gone} = time;
    sleep $DOWN;
    $t{start} = time;
    system($ENVV{BIN}, '-d', $ENVV{INI}) == 0 or die "$ENVV{BIN} -d failed: $?";
    $t0 = time;
    sleep 0.05 until pgb_answers() || time - $t0 > 20;
    $t{up} = time;
    sleep $GRACE + $AFTER;
    open my $fh, '>', $stop_file or die "$stop_file: $!";
    close $fh;
});
unlink $stop_file;

ok(!kill(0, $old_pid), 'the old PgBouncer ended');
my $new_pid = pgb_pid();
ok($new_pid && $new_pid != $old_pid, "a new PgBouncer runs (pid " . ($new_pid // '-') . ')');
ok(pgb_answers(), '... and answers');
note(sprintf 'PgBouncer: SIGINT at 0, gone at %.2f s, started at %.2f s, answering at %.2f s',
     map { $t{$_} - $t{stop} } qw(gone start up));

my (@all, @died);
for my $k (1 .. $CLIENTS) {
    my $r = $run->[$k - 1];
    push @died, "client $k: $r->{died}" if $r->{died};
    push @all, map { { %$_, client => $k } } @{ $r->{log} || [] };
}
is(scalar(@died), 0, 'every client ran to its end') or diag(join "\n", @died);

my (%n, @before, @during, @after);
for my $e (@all) {
    $n{ $e->{code} }++;
    if ($e->{t1} < $t{stop})                 { push @before, $e }
    elsif ($e->{t0} > $t{up} + $GRACE)      { push @after, $e }
    else                                     { push @during, $e }
}
note('answers: ' . join(', ', map { "$n{$_} x $_" } sort keys %n)
     . sprintf('; %d before the stop, %d around the outage, %d after it',
               scalar @before, scalar @during, scalar @after));
sub show { join "\n", map { sprintf 'client %d %s #%d at %+.2f s: %s %s',
    $_->{client}, $_->{kind}, $_->{i}, $_->{t0} - $t{stop}, $_->{code},
    $_->{body} // '' } @_[0 .. ($#_ < 9 ? $#_ : 9)] }

cmp_ok(scalar(@before), '>', 0, 'requests before the stop');
is(scalar(grep { $_->{code} != 200 } @before), 0, '... all 200')
    or diag(show(grep { $_->{code} != 200 } @before));
my @not = grep { $_->{code} != 200 && $_->{code} != 503 } @during;
is(scalar(@not), 0, 'around the outage: 200 or 503, nothing else')
    or diag(show(@not));
my @gap = grep { $_->{t0} > $t{gone} && $_->{t1} < $t{start} } @all;
ok(@gap && !grep({ $_->{code} != 503 } @gap),
   scalar(@gap) . ' requests while PgBouncer was not running: all 503')
    or diag(show(grep { $_->{code} != 503 } @gap));
my @down = grep { $_->{code} == 503 } @during;
is(scalar(grep { !$_->{json} || $_->{retry} !~ /^\d+$/ } @down), 0,
   '... each with Retry-After and a JSON body')
    or diag(show(grep { !$_->{json} || $_->{retry} !~ /^\d+$/ } @down));
cmp_ok(scalar(@after), '>', 0, 'requests after PgBouncer was back');
is(scalar(grep { $_->{code} != 200 } @after), 0, '... all 200, no httpd restart')
    or diag(show(grep { $_->{code} != 200 } @after));

# Each row holds its client's last PATCH answered 200, or a later one
# that was in flight when PgBouncer went (answered 503, maybe committed).
my $wrong = 0;
for my $k (1 .. $CLIENTS) {
    my @p = grep { $_->{client} == $k && $_->{kind} eq 'PATCH' } @all;
    my ($last_ok) = reverse grep { $_->{code} == 200 } @p;
    my %may = map { $_->{i} => 1 }
              grep { $_->{code} != 200 && $_->{i} > ($last_ok ? $last_ok->{i} : 0) } @p;
    $may{ $last_ok->{i} } = 1 if $last_ok;
    my ($rating) = db()->selectrow_array(
        'SELECT rating FROM chat_session WHERE id = ?', undef, $BASE_ID + $k);
    unless ($may{$rating}) {
        $wrong++;
        diag("row " . ($BASE_ID + $k) . ": Rating $rating, last 200 "
             . ($last_ok ? $last_ok->{i} : 'none'));
    }
}
is($wrong, 0, "every row holds its client's last write");
