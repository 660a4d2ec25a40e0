# Webhooks under faults (issue 20; README "Webhooks", Guarantees): while
# clients write, the delivering process is SIGKILLed mid-delivery, its
# PostgreSQL is restarted, and its httpd restarted gracefully twice;
# afterwards every change a client got 200 for has been delivered at
# least once, in commit order per session, a repeat carrying the same
# EventId and body. Then two httpd nodes on one database: each event is
# delivered once, and exactly one node delivers.
#
# Part 1 runs on a second httpd whose main server uses the outage cluster
# (which this file may stop and start); part 2 on the test suite's httpd
# and a second one, both on the main test database. The receiver answers
# each request after 0.2 s, so that requests are in flight when a fault
# hits. Every wait has a safety timeout only.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req db seed_session fresh_ids second_httpd
                         stop_second_httpd outage_cluster run_forked);
use ChatSession::Receiver qw(header body_json);
use JSON::PP ();
use Time::HiRes qw(sleep time);

plan tests => 12, need_lwp, need_module('mod_dbd.c');

my @S = fresh_ids(6);
my ($HOOK, $HOOK2) = fresh_ids(2);
my $rx = ChatSession::Receiver->start(tls => 0);
$rx->set_mode('/faults', mode => 'slow', slow => 0.2);

sub until_true {
    my ($cond, $limit) = @_;
    my $end = time + ($limit // 60);
    until (eval { $cond->() }) {
        return 0 if time > $end;
        sleep 0.1;
    }
    return 1;
}

# The pid of the httpd process holding a server's delivery file lock
# (/proc/locks names the process and the file's inode), or undef.
sub deliverer_pid {
    my $dir = shift;
    my @st = stat "$dir/chatsession-webhook.lock" or return undef;
    open my $fh, '<', '/proc/locks' or return undef;
    while (<$fh>) {
        return $1 if /^\d+:\s+\S+\s+\S+\s+WRITE\s+(\d+)\s+[0-9a-f]+:[0-9a-f]+:(\d+)\s/
                     && $2 == $st[1];
    }
    return undef;
}

# The events received for path, as { sid => [[rating, event id, body], ...] }
# in the order they arrived.
sub received {
    my ($path, $since) = @_;
    my %by;
    for my $d ($rx->deliveries(path => $path, since => $since)) {
        my $doc = body_json($d) or next;
        next unless ($doc->{Event} // '') eq 'chatsession.changed';
        push @{ $by{$doc->{PrimaryKey}} },
            [$doc->{FieldValues}{Rating}, $doc->{EventId}, $d->{body}];
    }
    return \%by;
}

# ==== 1. faults while clients write ===========================================
my $o = db('outage');
$o->do('DELETE FROM chats_webhook WHERE id IN (?, ?)', undef, $HOOK, $HOOK2);
seed_session($_, db => $o, rating => 0) for @S;
$o->do(q{INSERT INTO chats_webhook (id, name, events, target_url, secret)
         VALUES (?, 'faults', '["chatsession.changed"]', ?, 'f')},
       undef, $HOOK, $rx->url('http', '/faults'));
my $mark = $rx->mark;
my $h = second_httpd(extra => join "\n",
    '# t/api/webhook_faults.t: the outage cluster, a receiver on 127.0.0.2',
    qq{DBDParams "$ENV{CHATS_TEST_OUTAGE_DSN}"},
    'ChatSessionWebhookAllow http 127.0.0.2/32',
    'ChatSessionWebhookPoll 20', 'ChatSessionRetryAfter 1', '');
END { stop_second_httpd($h) if $h && $h->{pid} && kill 0, $h->{pid} }
my $stop = "$h->{dir}/writers.stop";

my %log;
my $results = run_forked(3, sub {
    my $k = shift;
    my @mine = @S[2 * ($k - 1), 2 * ($k - 1) + 1];
    my (%ok, $n);
    my $ua = LWP::UserAgent->new(timeout => 30, keep_alive => 1);
    for (my $v = 1; !-e $stop && $v < 2000; $v++) {
        for my $sid (@mine) {
            my $r = req(PATCH => "$h->{url}/api/v1/ChatSession/$sid", ua => $ua,
                        body => [{ op => 'replace', path => '/Rating', value => $v }]);
            push @{ $ok{$sid} }, $v if $r->code == 200;
            $n++;
        }
        sleep 0.05;
    }
    return { ok => \%ok, requests => $n };
}, sub {
    sleep 2;
    my $pid = deliverer_pid($h->{dir});
    $log{killed} = $pid && kill('KILL', $pid);
    sleep 3;
    $log{pg_stop} = outage_cluster('stop');
    sleep 1;
    $log{pg_start} = outage_cluster('start');
    sleep 3;
    $log{graceful} = kill('USR1', $h->{pid});
    sleep 2;
    $log{graceful} &&= kill('USR1', $h->{pid});
    sleep 3;
    open my $fh, '>', $stop or die "$stop: $!";
    close $fh;
});
ok($log{killed}, 'the delivering process was found (its file lock) and SIGKILLed');
ok($log{pg_stop} && $log{pg_start}, 'PostgreSQL was restarted');
ok($log{graceful}, 'httpd was restarted gracefully, twice');
my %ok = map { %{ $_->{ok} || {} } } @$results;
my $committed = 0;
$committed += @{ $ok{$_} } for keys %ok;
ok($committed >= 30, "the clients wrote on ($committed changes got 200)")
    or diag(JSON::PP->new->encode($results));
$o = db('outage');
ok(until_true(sub { !$o->selectrow_array(
       'SELECT count(*) FROM chats_webhook_outbox WHERE webhook_id = ?',
       undef, $HOOK) }, 120), 'the outbox drained');
my $by = received('/faults', $mark);
my (@missing, @disorder, @unlike);
my (%body, $dups);
for my $sid (sort keys %ok) {
    my %got = map { ($_->[0] // '') => 1 } @{ $by->{$sid} || [] };
    push @missing, map { "$sid:$_" } grep { !$got{$_} } @{ $ok{$sid} };
    my $last = -1;
    for my $e (@{ $by->{$sid} || [] }) {
        push @disorder, "$sid: $e->[0] after $last" if $e->[0] < $last;
        $last = $e->[0];
        if (exists $body{$e->[1]}) {
            $dups++;
            push @unlike, $e->[1] if $body{$e->[1]} ne $e->[2];
        }
        $body{$e->[1]} = $e->[2];
    }
}
is("@missing", '', 'every change that got 200 was delivered');
is("@disorder", '', '... in commit order per session');
is("@unlike", '', '... a repeat (' . ($dups // 0) . ' here) has the same EventId'
   . ' and the same body');
ok(stop_second_httpd($h), 'the second httpd stops');
$o->do('DELETE FROM chats_webhook WHERE id = ?', undef, $HOOK);

# ==== 2. two nodes on one database: each event once ===========================
my $m = db();
$m->do('DELETE FROM chats_webhook WHERE id IN (?, ?)', undef, $HOOK, $HOOK2);
seed_session($_, rating => 0) for @S;
$m->do(q{INSERT INTO chats_webhook (id, name, events, target_url)
         VALUES (?, 'two nodes', '["chatsession.changed"]', ?)},
       undef, $HOOK2, $rx->url('http', '/two'));
$h = second_httpd(extra => "ChatSessionWebhookAllow http 127.0.0.2/32\n"
                           . "ChatSessionWebhookPoll 20\n");
$mark = $rx->mark;
my @nodes = ('', $h->{url});
my $sent = 0;
for my $v (1 .. 10) {
    for my $i (0 .. $#S) {
        my $r = req(PATCH => "$nodes[$i % 2]/api/v1/ChatSession/$S[$i]",
                    body => [{ op => 'replace', path => '/Rating', value => $v }]);
        $sent++ if $r->code == 200;
    }
}
is($sent, 60, 'sixty changes, through both nodes');
my $got = $rx->wait_for(sub { @_ >= 60 }, 90, path => '/two', since => $mark) || [];
sleep 1;                                # anything more would come now
my %ids;
$ids{header($_, 'X-SuperOffice-EventId') // ''}++
    for $rx->deliveries(path => '/two', since => $mark);
is(scalar(keys %ids) . ' ' . scalar(grep { $ids{$_} > 1 } keys %ids), '60 0',
   'each of the sixty delivered exactly once');
my $leaders = 0;
for my $base ('', $h->{url}) {
    my $t = req(GET => "$base/chatsession-status", auth => undef)->decoded_content;
    $leaders += $1 if $t =~ /^chatsession_webhook_leader (\d)$/m;
}
is($leaders, 1, 'exactly one of the two nodes delivers');
stop_second_httpd($h);
$m->do('DELETE FROM chats_webhook WHERE id = ?', undef, $HOOK2);
