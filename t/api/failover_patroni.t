# Failover with a real Patroni cluster (issue 17): conf/cluster/serve-cluster
# (./serve --cluster) starts etcd, three Patroni-managed PostgreSQL 15
# nodes in synchronous_mode, two httpd nodes with this tree's module
# (DBDParams naming every node, target_session_attrs=read-write) and an
# httpd front with mod_proxy_balancer. Through the front, under load:
#   - 4 clients run test-and-set increments, each on its own row (GET,
#     then PATCH [test the value read, replace with value + 1]);
#   - 1 client creates sessions (POST), 1 posts messages;
#   - the primary's postmaster is killed (SIGKILL); Patroni promotes the
#     synchronous standby; later `patronictl switchover` moves the
#     primary again;
#   - a long-poll waiter started before each of the two is woken by a
#     message posted after it (asking again, as a client does, when a
#     poll ends empty first);
#   - a webhook subscribed to every chat event delivers to a real
#     receiver (127.0.0.2; the nodes run ./serve's configuration, which
#     allows loopback http) from whichever node holds the delivery lock.
# Afterwards, on the new primary: every increment answered 200 is in its
# row exactly once, every create and message answered 200 exists once,
# and every answer was 200 or 503 (with Retry-After). A 503 does not say
# whether the write committed (a commit the standby had before the
# primary died): such writes are counted apart, never as lost or as
# doubled. Every change that committed (answered 200, or found in the
# database after a 503) has been delivered once the outbox is empty, in
# commit order per session; a repeat (an event sent again after a
# failover) carries the same EventId and body. The time from the kill to the promotion and from the
# promotion to the first 200 are printed, not asserted (bench/failover
# measures them).
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session keepalive_ua run_forked
                          patroni_cluster stop_patroni_cluster
                          cluster_members cluster_db patroni_log_time
                          second_httpd stop_second_httpd);
use ChatSession::Receiver qw(body_json);
use File::Temp ();
use JSON::PP ();
use LWP::UserAgent ();
use Time::HiRes qw(time sleep);

plan tests => 34, need_lwp;

my $c = patroni_cluster();
END { stop_patroni_cluster($c) if $c && $c->{pid} }
ok($c->{front}, "cluster up: front $c->{front}, PostgreSQL on "
   . join(', ', map { "$_ $c->{pg}{$_}{port}" } @{ $c->{nodes} }));

my $API = "$c->{front}/api/v1/ChatSession";
my @INC_IDS = (9961 .. 9964);
my $MSG_SID = 9970;
my @WAIT_SID = (9971, 9972);
my $RUN = "fo$$";                       # marks this run's creates and messages
my $ctl = File::Temp::tempdir(CLEANUP => 1);
my $json = JSON::PP->new->canonical;

my $dbh = cluster_db($c);
my $rx = ChatSession::Receiver->start(tls => 0);
my ($HOOK) = $dbh->selectrow_array(q{INSERT INTO chats_webhook (name, events, target_url, secret)
    VALUES ('failover', '["chatsession.created","chatsession.changed","chatsession.message"]',
            ?, 'fo') RETURNING id}, undef, $rx->url('http', '/failover'));
seed_session($_, db => $dbh, rating => 0) for @INC_IDS;
seed_session($_, db => $dbh, status => 6) for $MSG_SID, @WAIT_SID;
my %start = map { $_ => 0 } @INC_IDS;
$dbh->disconnect;

sub mark    { open my $fh, '>', "$ctl/$_[0]" or die "$ctl/$_[0]: $!"; close $fh }
sub marked  { -e "$ctl/$_[0]" }
sub wait_for {                          # until $cond->() or $secs; its value
    my ($secs, $cond) = @_;
    my $t0 = time;
    while (time - $t0 < $secs) {
        my $v = $cond->();
        return $v if $v;
        sleep 0.02;
    }
    return undef;
}
sub rating_of { $_[0]->content =~ /"Rating":(-?[0-9]+)/ ? 0 + $1 : undef }

# One request of a client: its times and status kept, anything but 200
# and 503 kept with its body.
sub call {
    my ($out, $ua, $method, $url, $body) = @_;
    my $t0 = time;
    my $r = req($method => $url, ua => $ua, defined $body ? (body => $body) : ());
    my $t1 = time;
    my $internal = ($r->header('Client-Warning') // '') eq 'Internal response';
    my $code = $internal ? 'socket' : $r->code;
    push @{ $out->{ev} }, [$t0, $t1, $code];
    $out->{no_retry_after}++ if $code eq '503' && !defined $r->header('Retry-After');
    if ($code ne '200' && $code ne '503') {
        $out->{odd}{"$method $code"}++;
        push @{ $out->{bodies} }, "$method $url: " . $r->status_line . ' '
            . substr($r->content // '', 0, 300) if @{ $out->{bodies} ||= [] } < 5;
    }
    return $r;
}
sub pause_503 { sleep 0.05 }

# GET until 200 (after the stop: for 60 s at most); the Rating.
sub read_rating {
    my ($out, $ua, $url) = @_;
    my $t0 = time;
    while (1) {
        my $r = call($out, $ua, GET => $url);
        return rating_of($r) if $r->code == 200;
        return undef if marked('stop') && time - $t0 > 60;
        pause_503();
    }
}

sub increments {
    my $id = shift;
    my $ua = keepalive_ua();
    my $url = "$API/$id";
    my %out = (id => $id, ok => 0, ambiguous => 0, n503 => 0, wrong => 0);
    my $v = read_rating(\%out, $ua, $url);
    until (marked('stop') || !defined $v) {
        my $r = call(\%out, $ua, PATCH => $url,
                     [{ op => 'test', path => '/Rating', value => $v },
                      { op => 'replace', path => '/Rating', value => $v + 1 }]);
        if ($r->code == 200) {
            $out{ok}++;
            $out{wrong}++ unless (rating_of($r) // -1) == $v + 1;
            $v++;
            next;
        }
        $out{n503}++ if $r->code == 503;
        pause_503();
        # Only this client writes the row: v + 1 now means that write
        # committed although its answer was not 200.
        my $now = read_rating(\%out, $ua, $url);
        $out{ambiguous}++ if defined $now && $now == $v + 1;
        $v = $now;
    }
    $out{final_read} = $v;
    return \%out;
}

# POSTs of new sessions (kind 'c') or of messages (kind 'm'), each with a
# name or text of its own: 200s by id, the others by text.
sub posts {
    my $kind = shift;
    my $ua = keepalive_ua();
    my %out = (kind => $kind, ok => {}, unsure => []);
    for (my $n = 1; !marked('stop'); $n++) {
        my $text = "$RUN-$kind$n";
        my $r = $kind eq 'c'
            ? call(\%out, $ua, POST => $API, { CustomerName => $text })
            : call(\%out, $ua, POST => "$API/$MSG_SID/Messages",
                   { Type => 'ToUser', Message => $text });
        if ($r->code == 200) {
            my $doc = json_body($r) || {};
            $out{ok}{$text} = $kind eq 'c' ? $doc->{ChatSessionId} : $doc->{ChatMessageId};
        }
        else {
            push @{ $out{unsure} }, $text;
            pause_503();
        }
    }
    return \%out;
}

# A long poll sent when the parent says go$i, for 30 s at most.
sub waiter {
    my $i = shift;
    my %out = (waiter => $i);
    wait_for(600, sub { marked("go$i") || marked('stop') }) or return \%out;
    my $ua = LWP::UserAgent->new(keep_alive => 0, timeout => 90);
    mark("sent$i");
    # As a client does, it asks again when a poll ends empty: on a loaded
    # machine patronictl alone may take most of a poll's 30 s.
    my $r;
    do {
        $r = call(\%out, $ua, GET => "$API/$WAIT_SID[$i - 1]/Messages?after=0&wait=30");
        $out{polls}++;
    } while ($r->code == 200 && $r->content =~ /^\s*\[\s*\]\s*$/ && !marked('stop')
             && $out{polls} < 4);
    $out{code} = $r->code;
    $out{body} = $r->content;
    $out{answered} = time;
    return \%out;
}

# -- the scenario ------------------------------------------------------
sub leader {
    my $m = cluster_members($c) or return undef;
    my ($l) = grep { ($m->{$_}{role} // '') eq 'leader'
                     && ($m->{$_}{state} // '') eq 'running' } keys %$m;
    return $l;
}
sub postmaster_pid {
    my $n = shift;
    open my $fh, '<', "$c->{pg}{$n}{data}/postmaster.pid" or return undef;
    my ($pid) = (<$fh> // '') =~ /(\d+)/;
    return $pid;
}
# The first of @nodes to leave recovery (accept writes), by asking each
# one directly every 20 ms; (node, time) or () after $secs.
sub promoted {
    my ($secs, @nodes) = @_;
    my %h;
    my $t0 = time;
    while (time - $t0 < $secs) {
        for my $n (@nodes) {
            $h{$n} ||= eval { cluster_db($c, port => $c->{pg}{$n}{port}) };
            my $rec = $h{$n} && eval { $h{$n}->selectrow_array('SELECT pg_is_in_recovery()') };
            if (defined $rec && !$rec) {
                my $t = time;
                $_->disconnect for values %h;
                return ($n, $t);
            }
            delete $h{$n} unless defined $rec;
        }
        sleep 0.02;
    }
    return ();
}
# A message on $sid through the front, sent until 200; its id.
sub post_message {
    my ($sid, $text) = @_;
    my $ua = keepalive_ua();
    my $t0 = time;
    while (time - $t0 < 60) {
        my $r = req(POST => "$API/$sid/Messages", ua => $ua,
                    body => { Type => 'ToUser', Message => $text });
        return (json_body($r) || {})->{ChatMessageId} if $r->code == 200;
        sleep 0.1;
    }
    return undef;
}
# The primary has a listener (a waiting request got that far).
sub listening {
    my $dbh = eval { cluster_db($c) } or return 0;
    my ($n) = eval { $dbh->selectrow_array(q{SELECT count(*) FROM pg_stat_activity
        WHERE application_name = 'mod_chatsession-listen'}) };
    $dbh->disconnect;
    return $n;
}

my (%T, %N, @msg_id, $switch_out);
my $runs = run_forked(8, sub {
    my $k = shift;
    return increments($INC_IDS[$k - 1]) if $k <= 4;
    return posts('c') if $k == 5;
    return posts('m') if $k == 6;
    return waiter($k - 6);
}, sub {
    my $ok = eval {
        sleep 2;                                # load before anything
        mark('go1');
        wait_for(30, sub { marked('sent1') }) or die "waiter 1 did not start\n";
        wait_for(30, \&listening) or die "no listener on the primary\n";
        sleep 1;
        $N{old} = leader() or die "no leader before the kill\n";
        my $pid = postmaster_pid($N{old}) or die "no postmaster.pid for $N{old}\n";
        $T{kill} = time;
        kill 'KILL', $pid or die "kill -9 $pid: $!\n";
        ($N{new}, $T{promoted}) = promoted(60, grep { $_ ne $N{old} } @{ $c->{nodes} });
        $N{new} or die "no node was promoted within 60 s of the kill\n";
        $msg_id[0] = post_message($WAIT_SID[0], "$RUN after the failover");
        $T{posted1} = time;
        sleep 3;
        # The switchover goes to a synchronous standby, once there is one.
        $N{sync} = wait_for(60, sub {
            my $m = cluster_members($c) or return undef;
            my ($s) = grep { ($m->{$_}{role} // '') eq 'sync_standby'
                             && ($m->{$_}{state} // '') eq 'running' } keys %$m;
            return $s;
        }) or die "no synchronous standby after the failover\n";
        mark('go2');
        wait_for(30, sub { marked('sent2') }) or die "waiter 2 did not start\n";
        sleep 1.5;
        $T{switch} = time;
        open(my $sw, '-|', "patronictl -c '$c->{pg}{$N{sync}}{config}' switchover "
             . "--leader '$N{new}' --candidate '$N{sync}' --force 2>&1")
            or die "patronictl: $!\n";
        my ($n, $t) = promoted(60, $N{sync});
        $switch_out = do { local $/; <$sw> };
        close $sw;
        ($N{switched}, $T{switched}) = ($n, $t);
        $n or die "$N{sync} was not promoted within 60 s of the switchover\n";
        $msg_id[1] = post_message($WAIT_SID[1], "$RUN after the switchover");
        $T{posted2} = time;
        sleep 3;
        1;
    };
    $N{error} = $@ unless $ok;
    mark('stop');
});

is($N{error}, undef, 'the scenario ran: kill, promotion, switchover')
    or diag($switch_out // '');
note("killed $N{old}'s postmaster; $N{new} promoted; switchover to "
     . ($N{sync} // '?') . ': ' . ($switch_out // '') =~ s/\s+/ /gr);
my @died = map { $_->{died} } grep { $_->{died} } @$runs;
is("@died", '', 'every client ran to its end');

# -- every answer ------------------------------------------------------
my (%odd, @bodies, %codes, $no_ra, @ev);
for my $run (@$runs) {
    $odd{$_} += $run->{odd}{$_} for keys %{ $run->{odd} || {} };
    push @bodies, @{ $run->{bodies} || [] };
    $no_ra += $run->{no_retry_after} // 0;
    push @ev, @{ $run->{ev} || [] };
}
$codes{ $_->[2] }++ for @ev;
note('answers: ' . join(', ', map { "$codes{$_} x $_" } sort keys %codes));
is(join(', ', map { "$odd{$_} x $_" } sort keys %odd), '',
   'every answer during the failovers was 200 or 503')
    or diag(join "\n", @bodies);
is($no_ra // 0, 0, 'every 503 carried Retry-After');
ok(($codes{503} // 0) > 0, 'the failovers were seen: some answers were 503');

# Figures, not checks: the machine is shared (bench/failover).
sub first_200_after {
    my $t = shift;
    my ($first) = sort { $a <=> $b } map { $_->[1] } grep { $_->[2] eq '200' && $_->[1] > $t } @ev;
    return defined $first ? sprintf('%.2f s', $first - $t) : 'none';
}
if ($T{promoted}) {
    note(sprintf 'kill -> promotion of %s: %.2f s; promotion -> first 200: %s',
         $N{new}, $T{promoted} - $T{kill}, first_200_after($T{promoted}));
}
if ($T{switched}) {
    # From the leader's receiving the request: patronictl itself takes
    # seconds to start and list the cluster on a loaded machine.
    my $asked = $T{asked} = patroni_log_time($c, $N{new}, qr/received switchover request/)
                            // $T{switch};
    note(sprintf 'switchover request -> promotion of %s: %.2f s (patronictl run %.2f s '
         . 'before); promotion -> first 200: %s', $N{switched}, $T{switched} - $asked,
         $asked - $T{switch}, first_200_after($T{switched}));
}
# No 200 from the last before each event to the first after its promotion.
for my $e (['kill', 'promoted'], ['asked', 'switched']) {
    my ($from, $to) = @T{@$e};
    next unless $from && $to;
    my @w = sort { $a <=> $b } map { $_->[1] } grep { $_->[2] eq '200' } @ev;
    my ($last) = reverse grep { $_ < $from } @w;
    my ($next) = grep { $_ > $to } @w;
    note(sprintf 'no 200 for %.2f s around the %s', $next - $last,
         $e->[0] eq 'kill' ? 'kill' : 'switchover') if $last && $next;
}
my $after = $T{switched} // 9e99;
my @idle = grep { !grep { $_->[2] eq '200' && $_->[1] > $after } @{ $_->{ev} || [] } }
           grep { !$_->{waiter} } @$runs;
is(scalar @idle, 0, 'every load client got 200s again after the switchover');

# -- on the new primary ------------------------------------------------
$dbh = cluster_db($c);
my ($inc_ok, $inc_amb, $inc_503, $lost, $extra, $wrong) = (0) x 6;
my @rows;
for my $run (grep { defined $_->{id} } @$runs) {
    my ($final) = $dbh->selectrow_array('SELECT rating FROM chat_session WHERE id = ?',
                                        undef, $run->{id});
    my $want = $start{ $run->{id} } + $run->{ok} + $run->{ambiguous};
    $inc_ok += $run->{ok};
    $inc_amb += $run->{ambiguous};
    $inc_503 += $run->{n503};
    $wrong += $run->{wrong};
    $lost += $want - $final if $final < $want;
    $extra += $final - $want if $final > $want;
    push @rows, "row $run->{id}: $run->{ok} x 200, $run->{ambiguous} committed with a 503, Rating $final";
}
note('increments: ' . join('; ', @rows));
cmp_ok($inc_ok, '>', 0, "increments answered 200: $inc_ok ($inc_503 x 503, $inc_amb of them committed)");
is($lost, 0, 'increments: none answered 200 is missing from its row (lost)');
is($extra, 0, 'increments: no row holds more than its 200s and its committed 503s (doubled)');
is($wrong, 0, 'increments: every 200 returned the value read + 1');

for my $kind (qw(c m)) {
    my ($run) = grep { ($_->{kind} // '') eq $kind } @$runs;
    $run ||= { ok => {}, unsure => [] };
    my $label = $kind eq 'c' ? 'creates' : 'messages';
    my $rows = $kind eq 'c'
        ? $dbh->selectall_arrayref('SELECT name, id FROM chat_session WHERE name LIKE ?',
                                   undef, "$RUN-c%")
        : $dbh->selectall_arrayref('SELECT message, id FROM chat_message
                                     WHERE chat_session_id = ? AND message LIKE ?',
                                   undef, $MSG_SID, "$RUN-m%");
    my %found;
    push @{ $found{ $_->[0] } }, $_->[1] for @$rows;
    my @missing = grep { my $t = $_; !grep { $_ == ($run->{ok}{$t} // -1) } @{ $found{$t} || [] } }
                  sort keys %{ $run->{ok} };
    my @twice = grep { @{ $found{$_} } > 1 } sort keys %found;
    my %sent = (%{ $run->{ok} }, map { $_ => 1 } @{ $run->{unsure} });
    my @unknown = grep { !$sent{$_} } sort keys %found;
    my $committed_503 = grep { $found{$_} } @{ $run->{unsure} };
    note(sprintf '%s: %d x 200, %d not 200 (%d of them committed)', $label,
         scalar keys %{ $run->{ok} }, scalar @{ $run->{unsure} }, $committed_503);
    cmp_ok(scalar keys %{ $run->{ok} }, '>', 0, "$label: some answered 200");
    is("@missing", '', "$label: every one answered 200 exists, with the id answered");
    is("@twice", '', "$label: none exists twice");
    is("@unknown", '', "$label: nothing exists that was not sent");
}

# -- the webhook -------------------------------------------------------
# The outbox empties once every committed event is delivered (a safety
# timeout only); then what the receiver got must cover the database.
my $t_drain = time;
my $left = wait_for(180, sub {
    my ($n) = eval { $dbh->selectrow_array(
        'SELECT count(*) FROM chats_webhook_outbox WHERE webhook_id = ?', undef, $HOOK) };
    return defined $n && $n == 0 ? 'empty' : undef;
});
is($left, 'empty', 'webhook: the outbox emptied after the failovers');
my (%body_of, %seen, %ratings, %created, %msgs, $repeats, $events, $bad_order, $changed_body);
for my $d ($rx->deliveries(path => '/failover')) {
    my $doc = body_json($d) or next;
    my $id = $doc->{EventId} // '';
    if (exists $body_of{$id}) {
        $repeats++;
        $changed_body++ if $body_of{$id} ne $d->{body};
        next;
    }
    $body_of{$id} = $d->{body};
    $events++;
    my ($ev, $pk, $fv) = ($doc->{Event} // '', $doc->{PrimaryKey} // 0, $doc->{FieldValues} || {});
    if ($ev eq 'chatsession.changed' && grep { $_ == $pk } @INC_IDS) {
        my $r = $ratings{$pk} ||= [];
        $bad_order++ if @$r && ($fv->{Rating} // -1) <= $r->[-1];
        push @$r, $fv->{Rating} // -1;
    }
    $created{$pk} = 1 if $ev eq 'chatsession.created';
    $msgs{ $fv->{MessageId} // 0 } = 1 if $ev eq 'chatsession.message';
}
note(sprintf 'webhook: %d events delivered, %d repeats, outbox empty %.1f s after the '
     . 'scenario', $events // 0, $repeats // 0, time - $t_drain);
my @undelivered;
for my $id (@INC_IDS) {
    my ($final) = $dbh->selectrow_array('SELECT rating FROM chat_session WHERE id = ?', undef, $id);
    my %got = map { $_ => 1 } @{ $ratings{$id} || [] };
    push @undelivered, map { "$id Rating $_" } grep { !$got{$_} } 1 .. $final;
}
is("@undelivered", '', 'webhook: every committed increment was delivered (chatsession.changed)');
is($bad_order // 0, 0, 'webhook: in commit order per session, once repeats are set aside');
is($changed_body // 0, 0, 'webhook: a repeat carries the same EventId and the same body');
my $c_ids = $dbh->selectcol_arrayref('SELECT id FROM chat_session WHERE name LIKE ?', undef, "$RUN-c%");
my $m_ids = $dbh->selectcol_arrayref('SELECT id FROM chat_message WHERE chat_session_id = ? '
                                     . 'AND message LIKE ?', undef, $MSG_SID, "$RUN-m%");
is(join(' ', grep { !$created{$_} } @$c_ids), '',
   'webhook: every committed create was delivered (chatsession.created, ' . @$c_ids . ')');
is(join(' ', grep { !$msgs{$_} } @$m_ids), '',
   'webhook: every committed message was delivered (chatsession.message, ' . @$m_ids . ')');
$rx->stop;

# -- the long-poll waiters --------------------------------------------
for my $i (1, 2) {
    my ($w) = grep { ($_->{waiter} // 0) == $i } @$runs;
    $w ||= {};
    my $event = $i == 1 ? 'the kill' : 'the switchover';
    my $list = eval { JSON::PP->new->decode($w->{body} // '') };
    is($w->{code} // 0, 200, "waiter $i (sent before $event): 200")
        or diag(substr($w->{body} // '', 0, 300));
    my $id = $msg_id[$i - 1];
    ok($id && ref $list eq 'ARRAY' && grep({ ($_->{ChatMessageId} // 0) == $id } @$list),
       "waiter $i: woken with the message posted after $event")
        or diag('message ' . ($id // 'not posted') . ', answer: ' . substr($w->{body} // '', 0, 300));
    note(sprintf 'waiter %d answered %.2f s after the POST of the message was answered '
         . '(%d poll%s)', $i, ($w->{answered} // 0) - ($T{"posted$i"} // 0),
         $w->{polls} // 0, ($w->{polls} // 0) == 1 ? '' : 's') if $w->{answered};
}

# -- a listener conninfo that names a standby first -------------------
# LISTEN is refused on a standby: the listener must ask libpq for the
# primary itself when its conninfo (here ChatSessionListenParams, as
# the superuser, to tell its connection from the front nodes') names
# no target_session_attrs.
my $primary = leader() // $N{switched} // '';
my @order = ((grep { $_ ne $primary } @{ $c->{nodes} }), $primary);
my $listen = 'host=' . join(',', ('127.0.0.1') x @order) . ' port='
    . join(',', map { $c->{pg}{$_}{port} } @order)
    . " dbname=$c->{env}{CLUSTER_DB_NAME} user=postgres connect_timeout=2";
my $node = second_httpd(extra => qq{DBDParams "$c->{env}{CLUSTER_DBDPARAMS}"\n}
                                 . qq{ChatSessionListenParams "$listen"});
my $wait_url = "$node->{url}/api/v1/ChatSession/$WAIT_SID[0]/Messages";
my ($last) = $dbh->selectrow_array('SELECT max(id) FROM chat_message WHERE chat_session_id = ?',
                                   undef, $WAIT_SID[0]);
my ($seen, $msg3);
my $lp = run_forked(1, sub {
    my $r = req(GET => "$wait_url?after=$last&wait=20",
                ua => LWP::UserAgent->new(keep_alive => 0, timeout => 60));
    return { code => $r->code, body => $r->content };
}, sub {
    # as a superuser: another role's query reads "<insufficient privilege>"
    my $su = cluster_db($c, user => 'postgres');
    $seen = wait_for(15, sub {
        my ($n) = $su->selectrow_array(q{SELECT count(*) FROM pg_stat_activity
            WHERE application_name = 'mod_chatsession-listen' AND usename = 'postgres'
              AND query = 'LISTEN chats_message'});
        return $n;
    });
    $su->disconnect;
    $msg3 = post_message($WAIT_SID[0], "$RUN for the second node's listener");
})->[0];
ok($seen, "listener params naming standbys first ($listen): the listener LISTENs on the primary");
is($lp->{code} // $lp->{died} // 0, 200, 'its long poll: 200') or diag(substr($lp->{body} // '', 0, 300));
my $got = eval { JSON::PP->new->decode($lp->{body} // '') } || [];
ok($msg3 && grep({ ($_->{ChatMessageId} // 0) == $msg3 } @$got), 'its long poll: woken with the message');
stop_second_httpd($node);
$dbh->disconnect;

# -- the httpd nodes ---------------------------------------------------
my $logs = '';
for my $file ((map { "$c->{dir}/$_/error_log" } split ' ', $c->{env}{CLUSTER_HTTPD_NODES}),
              $node->{error_log}) {
    open my $fh, '<', $file or next;
    local $/;
    $logs .= <$fh>;
}
unlike($logs, qr/AddressSanitizer|runtime error:|exit signal/,
       "the httpd nodes' error_logs (and the second node's): no sanitizer report, no crashed child");
ok(stop_patroni_cluster($c), 'serve-cluster stopped everything on SIGTERM');
