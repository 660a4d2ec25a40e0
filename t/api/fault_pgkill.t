# PostgreSQL killed mid-request (issue 8, Faults): SIGKILL of the backend
# serving a PATCH while its UPDATE is in flight. The request fails cleanly
# (5xx, the SuperOffice JSON error body, a tagged log line, no crashed
# httpd child), the row is entirely old or entirely new, and once the
# postmaster has finished its crash recovery (a backend killed by SIGKILL
# makes it end every backend and replay the WAL) requests succeed again
# with no httpd restart.
#
# The outage vhost and its own cluster, so that the crash recovery
# disturbs no other test. A slow trigger holds the UPDATE (pg_sleep)
# while the test finds its backend in pg_stat_activity and kills it.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session db run_forked
                         slow_updates_on no_slow_updates_on error_log_since
                         fresh_id);
use JSON::PP ();
use Time::HiRes qw(sleep time);

plan tests => 15, need_lwp, need_module('mod_dbd.c');

my $ID = fresh_id();
my $URL = "/api/v1/ChatSession/$ID";
my $TRIGGER = 'chats_test_kill_slow';
my %OLD = (name => 'Old name', email => 'old@example.com', rating => 1);
my %NEW = (name => 'New name', email => 'new@example.com', rating => 5);
my $errlog = Apache::Test::vars('t_logs') . '/error_log';

# db('outage') once the cluster accepts connections again (crash
# recovery), or undef after $secs.
sub outage_db {
    my $secs = shift;
    my $t0 = time;
    while (1) {
        my $dbh = eval { db('outage') };
        return $dbh if $dbh;
        return undef if time - $t0 > $secs;
        sleep 0.2;
    }
}

my $dbo = outage_db(20) or BAIL_OUT('outage cluster unreachable');
seed_session($ID, db => $dbo, %OLD);
is(req(GET => $URL, vhost => 'outage')->code, 200, 'outage vhost serves the row');
slow_updates_on($dbo, $TRIGGER, $ID, 30);
my $log_from = -s $errlog || 0;

my ($victim, $killed_at);
my $run = run_forked(1, sub {
    my $res = req(PATCH => $URL, vhost => 'outage', body => [
        { op => 'replace', path => '/CustomerName',  value => $NEW{name} },
        { op => 'replace', path => '/CustomerEmail', value => $NEW{email} },
        { op => 'replace', path => '/Rating',        value => $NEW{rating} } ]);
    return { code => $res->code, type => $res->header('Content-Type') // '',
             body => $res->content // '', at => time };
}, sub {
    # The backend running the UPDATE, asleep in the trigger.
    my $t0 = time;
    while (time - $t0 < 15) {
        ($victim) = $dbo->selectrow_array(<<'SQL');
SELECT pid FROM pg_stat_activity
 WHERE pid <> pg_backend_pid() AND state = 'active'
   AND wait_event = 'PgSleep' AND query ILIKE '%UPDATE chat_session%'
SQL
        last if $victim;
        sleep 0.1;
    }
    return unless $victim;
    $killed_at = time;
    kill 'KILL', $victim or diag("kill -9 $victim: $!");
});
ok($victim, "found the backend serving the write (pid " . ($victim // '?') . ')');
my $r = $run->[0];
diag("client: $r->{died}") if $r->{died};

cmp_ok($r->{code} // 0, '>=', 500, 'the request in flight failed: 5xx');
cmp_ok($r->{code} // 0, '<', 600, '... a server error, answered by the server')
    or diag($r->{body});
cmp_ok(($r->{at} // 0) - ($killed_at // 0), '<', 10,
       '... answered within seconds of the kill');
like($r->{type} // '', qr{^application/json}, '... with a JSON body');
my $doc = eval { JSON::PP->new->decode($r->{body}) };
ok($doc && $doc->{Error} && $doc->{ErrorMessage},
   '... the SuperOffice error object') or diag($r->{body});
unlike($r->{body}, qr/server closed|SQLSTATE|terminat|UPDATE/i,
       '... telling nothing of the database');
note("PATCH answered $r->{code}: $r->{body}");

# Crash recovery; then the row is the old one or the new one, whole.
$dbo = outage_db(60);
ok($dbo, 'the outage cluster is back after its crash recovery');
$dbo ||= db('outage');
my $row = $dbo->selectrow_hashref(
    'SELECT name, email, rating FROM chat_session WHERE id = ?', undef, $ID);
my $is = sub { my $w = shift; return !grep { $row->{$_} ne $w->{$_} } keys %$w };
ok($is->(\%OLD) || $is->(\%NEW), 'the row is entirely old or entirely new')
    or diag(explain($row));
note('the row is ' . ($is->(\%OLD) ? 'the old one' : 'the new one'));
no_slow_updates_on($dbo, $TRIGGER);

# Recovery without an httpd restart: the pooled connections died with the
# backends; the module opens new ones.
my $t0 = time;
my $code = 0;
while (time - $t0 < 30) {
    $code = req(GET => $URL, vhost => 'outage')->code;
    last if $code == 200;
    sleep 0.25;
}
is($code, 200, sprintf('GET: 200 again %.1f s after the cluster was back', time - $t0));
my $res = req(PATCH => $URL, vhost => 'outage', body => [
    { op => 'replace', path => '/CustomerName',  value => $NEW{name} },
    { op => 'replace', path => '/CustomerEmail', value => $NEW{email} },
    { op => 'replace', path => '/Rating',        value => $NEW{rating} } ]);
is($res->code, 200, 'the same PATCH now: 200') or diag($res->content);
$row = $dbo->selectrow_hashref(
    'SELECT name, email, rating FROM chat_session WHERE id = ?', undef, $ID);
ok($is->(\%NEW), '... and the row is the new one');

my $log = error_log_since($log_from);
like($log, qr/\[chatsession:\w+\] .*CHATS\d+: /, 'a tagged log line for the failure');
unlike($log, qr/exit signal|AddressSanitizer|runtime error:/,
       'no httpd child crashed');
$dbo->disconnect;
