# Long polling (README "Long polling"): GET ChatSession/{id}/Messages
# ?after=N&wait=S answers as soon as a message after N exists, or [] after
# S seconds; one LISTEN connection per httpd process wakes the waiting
# requests, which hold no pooled connection while they wait. Time bounds
# here are generous on purpose (a shared 2-core machine, a sanitizer
# build): they tell "woken" from "timed out", not how fast.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use JSON::PP ();
use Time::HiRes qw(time sleep);
use ChatSession::Test qw(db seed_session req json_body run_forked
                         error_log_since second_httpd stop_second_httpd
                         fresh_ids);

my $SID = (fresh_ids(2))[0];    # and $SID + 1
my $BASE = '/api/v1/ChatSession';
my $dbh = db();

sub cleanup { $dbh->do('DELETE FROM chat_session WHERE id IN (?, ?)', undef, $SID, $SID + 1) }
cleanup();
END { cleanup() if $dbh }

seed_session($SID, status => 6, user_id => 5);
seed_session($SID + 1, status => 6, user_id => 5);

sub post_msg {
    my ($sid, $text, %o) = @_;
    return req('POST', ($o{url} // '') . "$BASE/$sid/Messages",
               body => { Type => 'ToUser', Message => $text });
}
sub get_msgs {
    my ($sid, $query, %o) = @_;
    my $t0 = time;
    my $res = req('GET', ($o{url} // '') . "$BASE/$sid/Messages?$query");
    return ($res, time - $t0);
}
sub last_id {
    my $list = shift;
    return @$list ? $list->[-1]{ChatMessageId} : 0;
}

# -- the statement without wait, and the bounds of wait ----------------
# (the first request also warms the server up: not timed)
my ($res, $took) = get_msgs($SID, 'after=0');
($res, $took) = get_msgs($SID, 'after=0');
is($res->code, 200, 'GET Messages (no wait): 200') or diag($res->content);
is_deeply(json_body($res), [], 'no messages yet');

for my $bad ('wait=31', 'wait=-1', 'wait=abc', 'wait=1.5', 'wait=') {
    ($res) = get_msgs($SID, "after=0&$bad");
    is($res->code, 400, "$bad: 400");
    my $doc = json_body($res) || {};
    like($doc->{ErrorType} // '', qr/./, "$bad: an error body") or diag($res->content);
    like($res->content, qr/wait/i, "$bad: it names wait") or diag($res->content);
}

# -- nothing comes: [] after S seconds ---------------------------------
($res, $took) = get_msgs($SID, 'after=0&wait=2');
is($res->code, 200, 'wait=2 with nothing posted: 200');
is_deeply(json_body($res), [], 'wait=2: []');
cmp_ok($took, '>=', 1.9, 'wait=2: it waited (~2 s)');
cmp_ok($took, '<', 8, 'wait=2: it did not wait much longer');

# -- a message already there answers at once ---------------------------
$res = post_msg($SID, 'first');
is($res->code, 200, 'POST Messages: 200') or diag($res->content);
my $first = json_body($res) || {};
($res, $took) = get_msgs($SID, 'after=0&wait=20');
is($res->code, 200, 'wait=20 with a message after N: 200');
is(scalar @{ json_body($res) || [] }, 1, 'it has the message');
cmp_ok($took, '<', 5, 'and answers without waiting');

# -- another client posts while we wait: woken ------------------------
# The waiter goes first; the poster posts a second later.
sub woken_by_post {
    my ($name, $sid, %o) = @_;
    my ($list) = json_body((get_msgs($sid, 'after=0', %o))[0]) || [];
    my $after = last_id($list);
    my $posted_at;
    my $out = run_forked(1, sub {
        my ($r, $t) = get_msgs($sid, "after=$after&wait=20", %o);
        return { code => $r->code, body => $r->content, took => $t, end => time };
    }, sub {
        sleep 1.5;
        my $r = post_msg($sid, "woken $name", %o);
        $posted_at = time;
        is($r->code, 200, "$name: the other client's POST: 200") or diag($r->content);
    });
    my $w = $out->[0];
    is($w->{code}, 200, "$name: the waiting GET: 200") or diag(explain $w);
    my $got = eval { JSON::PP->new->decode($w->{body}) } || [];
    is(scalar @$got, 1, "$name: it answers with the new message") or diag($w->{body});
    is($got->[0]{Message}, "woken $name", "$name: the one posted");
    cmp_ok($w->{took}, '<', 15, "$name: it did not run to the end of wait=20");
    cmp_ok($w->{end} - $posted_at, '<', 3,
           "$name: it answered within a few seconds of the POST (~1 s)")
        if defined $posted_at;
    return $w;
}
woken_by_post('main server', $SID);

# -- one listening connection, named for DBAs --------------------------
my $stats = sub {
    return $dbh->selectall_arrayref(q{SELECT pid FROM pg_stat_activity
        WHERE application_name = 'mod_chatsession-listen'
          AND datname = current_database()});
};
my $listeners = $stats->();
cmp_ok(scalar @$listeners, '>=', 1, 'a listener connection (application_name mod_chatsession-listen)');

# -- the listener's backend dies: a new waiter is still woken ---------
my $log_at = -s Apache::Test::vars('t_logs') . '/error_log';
$dbh->selectall_arrayref('SELECT pg_terminate_backend(pid) FROM pg_stat_activity
    WHERE application_name = ? AND datname = current_database()', undef,
    'mod_chatsession-listen');
woken_by_post('after pg_terminate_backend of the listener', $SID);
my $t0 = time;
sleep 0.5 until @{ $stats->() } || time - $t0 > 20;
cmp_ok(scalar @{ $stats->() }, '>=', 1, 'the listener connected again');
woken_by_post('listener back', $SID);
my $log = error_log_since($log_at);
my $outages = () = $log =~ /CHATS400: long-poll listener has no PostgreSQL connection/g;
cmp_ok($outages, '>=', 1, 'the outage was logged (CHATS400)') or diag($log);
cmp_ok($outages, '<=', scalar @$listeners,
       '...once per listener, not once per attempt') or diag($log);
like($log, qr/CHATS401: long-poll listener connected again/, 'and the recovery (CHATS401)');

# -- a second httpd: 8 threads, 4 slots, one pooled connection ---------
# More waits than slots all answer (the excess at once: D-19), and a plain
# GET still answers promptly although DBDMax is 1: a waiting request holds
# no pooled connection (if it did, the GET would wait for the pool until
# the waits end).
my $h = second_httpd(extra => join "\n",
    'StartServers 1', 'ServerLimit 1', 'ThreadsPerChild 8',
    'MaxRequestWorkers 8', 'MinSpareThreads 1', 'MaxSpareThreads 8',
    'DBDMax 1', 'DBDKeep 1', 'ChatSessionLongPollMax 4');
my $url = $h->{url};
($res) = get_msgs($SID + 1, 'after=0', url => $url);
is($res->code, 200, 'second httpd: GET Messages 200') or diag($res->content);
my $after = last_id(json_body($res) || []);
my $plain;
my $out = run_forked(7, sub {
    my ($r, $t) = get_msgs($SID + 1, "after=$after&wait=5", url => $url);
    return { code => $r->code, body => $r->content, took => $t };
}, sub {
    sleep 1.5;
    my $t = time;
    my $r = req('GET', "$url$BASE/$SID");
    $plain = { code => $r->code, took => time - $t };
});
is(scalar(grep { ($_->{code} // 0) == 200 && ($_->{body} // '') eq '[]' } @$out), 7,
   '7 concurrent waits on 4 slots: every one answers 200 []') or diag(explain $out);
my @quick = grep { ($_->{took} // 99) < 3 } @$out;
my @slow = grep { ($_->{took} // 0) >= 4 } @$out;
cmp_ok(scalar @quick, '>=', 3, 'those without a slot answer at once');
cmp_ok(scalar @slow, '<=', 4, 'at most ChatSessionLongPollMax of them wait');
is($plain->{code}, 200, 'a plain GET meanwhile: 200');
cmp_ok($plain->{took}, '<', 3, 'and answers promptly, with DBDMax 1 and 4 waiters')
    or diag(explain $plain);
woken_by_post('second httpd', $SID + 1, url => $url);

# -- a graceful restart answers the waiting requests now ---------------
# (child_stopping), instead of letting the old child linger up to 30 s.
($res) = get_msgs($SID + 1, 'after=0', url => $url);
$after = last_id(json_body($res) || []);
$out = run_forked(1, sub {
    my ($r, $t) = get_msgs($SID + 1, "after=$after&wait=25", url => $url);
    return { code => $r->code, body => $r->content, took => $t };
}, sub {
    sleep 2;
    kill 'USR1', $h->{pid};         # httpd -k graceful
});
is($out->[0]{code}, 200, 'a wait across a graceful restart: 200') or diag(explain $out);
is($out->[0]{body}, '[]', 'it answers []');
cmp_ok($out->[0]{took}, '<', 15, 'when the old child stops, not after wait=25');
ok(stop_second_httpd($h), 'second httpd stops');

done_testing();
