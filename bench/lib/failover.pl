#!/usr/bin/perl
# bench/lib/failover.pl — helper of bench/failover, not a command of its
# own. Against a running conf/cluster/serve-cluster (its cluster.env),
# through the front: CLIENTS clients run test-and-set increments (each on
# a row of its own: GET, then PATCH [test the value read, replace with
# value + 1]), one client creates sessions (POST), one posts messages.
# Two phases, each on rows and names of its own:
#   1. WARM s of load, SIGKILL of the primary's postmaster, SECS s of load
#      after Patroni promoted the synchronous standby;
#   2. WARM s of load, `patronictl switchover` to the synchronous standby,
#      SECS s of load after its promotion.
# Then reads every row on the new primary and prints one table (see
# bench/README). Asserts nothing.
#
#   failover.pl CLUSTER_ENV CLIENTS WARM SECS OUT_DIR
use strict;
use warnings;
use DBI;
use HTTP::Tiny;
use JSON::PP;
use MIME::Base64 qw(encode_base64);
use POSIX ();
use Time::HiRes qw(time sleep);

my ($env_file, $clients, $warm, $secs, $out) = @ARGV;
die "usage: failover.pl CLUSTER_ENV CLIENTS WARM SECS OUT_DIR\n" unless defined $out;
my %e = split /\0/, scalar `bash -c '. "\$1" && for v in \${!CLUSTER_@}; do printf "%s\\0%s\\0" "\$v" "\${!v}"; done' _ '$env_file'`;
my @nodes = split ' ', $e{CLUSTER_PG_NODES};
my %pg = map { my $n = $_; $n => { map { lc($_) => $e{ 'CLUSTER_' . uc($n) . "_$_" } } qw(PORT REST DATA CONFIG) } } @nodes;
my $API = "$e{CLUSTER_FRONT}/api/v1/ChatSession";
my %H = (Authorization => 'Basic ' . encode_base64('tje0:Tje0', ''),
         'Content-Type' => 'application/json');
my $RUN = "fb$$";
my $ctl = "$out/ctl";
mkdir $ctl;
unlink glob "$ctl/*";
my $js = JSON::PP->new->canonical;

sub psql {                      # SQL on node $port, or the primary; rows of fields
    my ($sql, $port) = @_;
    my ($hosts, $ports, $tsa) = $port ? ('127.0.0.1', $port, '')
        : (join(',', ('127.0.0.1') x @nodes), join(',', map { $pg{$_}{port} } @nodes),
           ' target_session_attrs=read-write');
    open my $fh, '-|', "$e{CLUSTER_PG_BIN}/psql", '-X', '-q', '-tA', '-F', "\t", '-v', 'ON_ERROR_STOP=1',
        "host=$hosts port=$ports dbname=$e{CLUSTER_DB_NAME} user=$e{CLUSTER_DB_USER} connect_timeout=2$tsa",
        '-c', $sql or die "psql: $!";
    my @rows = map { chomp; [split /\t/, $_, -1] } <$fh>;
    close $fh;
    return $? == 0 ? \@rows : undef;
}
sub mark   { open my $fh, '>', "$ctl/$_[0]" or die; close $fh }
sub marked { -e "$ctl/$_[0]" }
sub phase  { marked('p2') ? 2 : 1 }
sub row_id { 9800 + 100 * $_[0] + $_[1] }          # phase, client
sub msg_sid { 9800 + 100 * $_[0] + 99 }

# Rows of both phases, on the primary before anything starts.
my @seed;
for my $p (1, 2) {
    push @seed, row_id($p, $_) for 1 .. $clients;
    push @seed, msg_sid($p);
}
my $ids = join ',', @seed;
psql("DELETE FROM chat_session WHERE id IN ($ids);
      INSERT INTO chat_session (id, topic_id, user_id, customer_alias, name, status, rating)
      SELECT i, 1, 5, 'Kari', 'bench failover', 6, 0 FROM unnest(ARRAY[$ids]) AS i")
    or die "seeding failed\n";

# ---- clients: each response is [phase, t_sent, t_done, method, status]
sub call {
    my ($o, $ua, $method, $url, $body) = @_;
    my $p = phase();
    my $t0 = time;
    my $r = $ua->request($method, $url, { headers => \%H,
                                          defined $body ? (content => $js->encode($body)) : () });
    my $code = $r->{status} == 599 ? 'socket' : $r->{status};
    push @{ $o->{ev} }, [$p, $t0, time, $method, $code];
    return $r;
}
sub rating_of { ($_[0]{content} // '') =~ /"Rating":(-?[0-9]+)/ ? 0 + $1 : undef }
sub read_rating {
    my ($o, $ua, $url) = @_;
    my $t0 = time;
    while (1) {
        my $r = call($o, $ua, GET => $url);
        return rating_of($r) if $r->{status} == 200;
        return undef if marked('stop') && time - $t0 > 60;
        sleep 0.05;
    }
}
sub increments {
    my $k = shift;
    my $ua = HTTP::Tiny->new(keep_alive => 1, timeout => 30);
    my %o = (k => $k);
    while (!marked('stop')) {
        my $p = phase();
        my $url = "$API/" . row_id($p, $k);
        my $v = read_rating(\%o, $ua, $url);
        while (defined $v && !marked('stop') && phase() == $p) {
            my $r = call(\%o, $ua, PATCH => $url,
                         [{ op => 'test', path => '/Rating', value => $v },
                          { op => 'replace', path => '/Rating', value => $v + 1 }]);
            if ($r->{status} == 200) { $o{ok}[$p]++; $v++; next }
            sleep 0.05;
            my $now = read_rating(\%o, $ua, $url);
            # only this client writes the row: v + 1 means that write
            # committed though its answer was not 200
            $o{ambiguous}[$p]++ if defined $now && $now == $v + 1;
            $v = $now;
        }
    }
    return \%o;
}
sub posts {
    my $kind = shift;
    my $ua = HTTP::Tiny->new(keep_alive => 1, timeout => 30);
    my %o = (kind => $kind);
    for (my $n = 1; !marked('stop'); $n++) {
        my $p = phase();
        my $text = "$RUN-p$p-$kind$n";
        my $r = $kind eq 'c'
            ? call(\%o, $ua, POST => $API, { CustomerName => $text })
            : call(\%o, $ua, POST => "$API/" . msg_sid($p) . '/Messages',
                   { Type => 'ToUser', Message => $text });
        if ($r->{status} == 200) {
            my $doc = eval { decode_json($r->{content}) } || {};
            $o{ok}{$text} = $kind eq 'c' ? $doc->{ChatSessionId} : $doc->{ChatMessageId};
        }
        else {
            $o{unsure}{$text} = 1;
            sleep 0.05;
        }
    }
    return \%o;
}

my @kids;
for my $k (1 .. $clients + 2) {
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        my $o = $k <= $clients ? increments($k) : posts($k == $clients + 1 ? 'c' : 'm');
        open my $fh, '>', "$out/client-$k.json" or POSIX::_exit(1);
        print $fh $js->encode($o);
        close $fh;
        POSIX::_exit(0);
    }
    push @kids, $pid;
}

# ---- the events
sub members {
    my $ua = HTTP::Tiny->new(timeout => 2);
    for my $n (@nodes) {
        my $r = $ua->get("$pg{$n}{rest}/cluster");
        next unless $r->{success};
        my $doc = eval { decode_json($r->{content}) } or next;
        return { map { $_->{name} => "$_->{role} $_->{state}" } @{ $doc->{members} || [] } };
    }
    return {};
}
sub with_role { my $m = members(); my ($n) = grep { $m->{$_} eq "$_[0] running" } sort keys %$m; $n }
sub promoted {                  # the first of @n out of recovery: (node, time)
    my ($limit, @n) = @_;
    my %h;
    my $t0 = time;
    while (time - $t0 < $limit) {
        for my $n (@n) {        # a connection kept per node: asked every 20 ms
            $h{$n} ||= DBI->connect("dbi:Pg:dbname=$e{CLUSTER_DB_NAME};host=127.0.0.1;"
                                    . "port=$pg{$n}{port};connect_timeout=2", $e{CLUSTER_DB_USER},
                                    '', { RaiseError => 0, PrintError => 0 });
            my ($rec) = $h{$n} ? $h{$n}->selectrow_array('SELECT pg_is_in_recovery()') : ();
            if (defined $rec && !$rec) {
                my $t = time;
                $_->disconnect for grep { $_ } values %h;
                return ($n, $t);
            }
            delete $h{$n} unless defined $rec;
        }
        sleep 0.02;
    }
    return ();
}
# The time of the last line of node's Patroni log matching qr (local
# time, to the millisecond), or undef.
sub log_time {
    my ($node, $qr) = @_;
    require Time::Local;
    open my $fh, '<', "$e{CLUSTER_DIR}/$node/patroni.log" or return undef;
    my $when;
    while (my $line = <$fh>) {
        next unless $line =~ $qr;
        my ($Y, $M, $D, $h, $m, $s, $ms) =
            $line =~ /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d),(\d{3})/ or next;
        $when = Time::Local::timelocal($s, $m, $h, $D, $M - 1, $Y) + $ms / 1000;
    }
    return $when;
}
my (%T, %N, $err);
eval {
    sleep $warm;
    $N{1}{from} = with_role('leader') or die "no leader\n";
    open my $pf, '<', "$pg{ $N{1}{from} }{data}/postmaster.pid" or die "postmaster.pid: $!\n";
    my ($pid) = <$pf> =~ /(\d+)/;
    $T{1}{event} = time;
    kill 'KILL', $pid or die "kill -9 $pid: $!\n";
    @{ $N{1} }{qw(to)} = my ($to, $t) = promoted(120, grep { $_ ne $N{1}{from} } @nodes);
    $to or die "nothing was promoted within 120 s of the kill\n";
    $T{1}{promoted} = $t;
    sleep $secs;
    my $t1 = time;
    my $sync;
    sleep 0.2 until ($sync = with_role('sync_standby')) || time - $t1 > 120;
    $sync or die "no synchronous standby after the failover\n";
    mark('p2');
    sleep $warm;
    $N{2}{from} = with_role('leader') or die "no leader\n";
    $T{2}{event} = time;
    open my $sw, '-|', "patronictl -c '$pg{$sync}{config}' switchover --leader '$N{2}{from}' "
                       . "--candidate '$sync' --force >'$out/switchover.log' 2>&1" or die "patronictl: $!\n";
    ($to, $t) = promoted(120, $sync);
    close $sw;
    $to or die "$sync was not promoted within 120 s of the switchover\n";
    @{ $N{2} }{qw(to)} = ($to);
    $T{2}{promoted} = $t;
    # patronictl takes seconds to start on a loaded machine: the event is
    # the leader's Patroni receiving the request.
    $T{2}{patronictl} = $T{2}{event};
    $T{2}{event} = log_time($N{2}{from}, qr/received switchover request/) // $T{2}{event};
    sleep $secs;
    1;
} or $err = $@;
mark('stop');
waitpid $_, 0 for @kids;
die "bench/failover: $err" if $err;

# ---- what the clients saw, and what the new primary holds
my @runs = map { open my $fh, '<', "$out/client-$_.json" or die "client $_ left no report\n";
                 local $/; decode_json(<$fh>) } 1 .. $clients + 2;
my %row;
for my $p (1, 2) {
    my %r = (acked => 0, found => 0, lost => 0, doubled => 0, committed => 0,
             s503 => 0, other => 0, codes => {});
    for my $run (@runs) {
        for my $ev (grep { $_->[0] == $p } @{ $run->{ev} || [] }) {
            $r{codes}{"$ev->[3] $ev->[4]"}++;
            $ev->[4] eq '503' ? $r{s503}++ : $ev->[4] eq '200' ? () : $r{other}++;
        }
    }
    my %final = map { $_->[0] => $_->[1] }
        @{ psql("SELECT id, rating FROM chat_session WHERE id BETWEEN " . row_id($p, 1)
                . ' AND ' . row_id($p, $clients)) or die "reading the rows failed\n" };
    for my $run (grep { defined $_->{k} } @runs) {
        my ($ok, $amb) = ($run->{ok}[$p] // 0, $run->{ambiguous}[$p] // 0);
        my $got = $final{ row_id($p, $run->{k}) } // 0;
        $r{acked} += $ok;
        $r{committed} += $amb;
        my $short = $ok + $amb - $got;
        $r{lost} += $short > 0 ? $short : 0;
        $r{doubled} += $short < 0 ? -$short : 0;
        $r{found} += $ok - ($short > 0 ? $short : 0);
    }
    for my $run (grep { defined $_->{kind} } @runs) {
        my $sql = $run->{kind} eq 'c'
            ? "SELECT name, id FROM chat_session WHERE name LIKE '$RUN-p$p-c%'"
            : "SELECT message, id FROM chat_message WHERE chat_session_id = " . msg_sid($p)
              . " AND message LIKE '$RUN-p$p-m%'";
        my %found;
        push @{ $found{ $_->[0] } }, $_->[1] for @{ psql($sql) or die "reading failed\n" };
        my @ok = grep { /-p$p-/ } keys %{ $run->{ok} || {} };
        $r{acked} += @ok;
        for my $text (@ok) {
            grep({ $_ == ($run->{ok}{$text} // -1) } @{ $found{$text} || [] }) ? $r{found}++ : $r{lost}++;
        }
        $r{doubled} += @{ $found{$_} } - 1 for keys %found;
        $r{committed} += grep { $found{$_} } grep { /-p$p-/ } keys %{ $run->{unsure} || {} };
    }
    my $t = $T{$p}{promoted};
    my @ok = sort { $a <=> $b } map { $_->[2] } grep { $_->[4] eq '200' }
             map { @{ $_->{ev} || [] } } @runs;
    my ($first) = grep { $_ > $t } @ok;
    my ($last) = reverse grep { $_ < $T{$p}{event} } @ok;
    $r{to_promotion} = $t - $T{$p}{event};
    $r{to_first_200} = defined $first ? $first - $t : undef;
    $r{gap} = defined $first && defined $last ? $first - $last : undef;
    $row{$p} = \%r;
}

printf "%-24s %6s %6s %5s %8s %10s %5s %6s %9s %10s  %s\n", 'event', 'acked', 'found', 'lost',
    'doubled', '503_commit', '503s', 'other', 'promote_s', 'first200_s', 'met (lost 0, doubled 0, other 0, first200 <= 2 s)';
for my $p (1, 2) {
    my $r = $row{$p};
    my $label = $p == 1 ? "kill -9 $N{1}{from} -> $N{1}{to}" : "switchover $N{2}{from} -> $N{2}{to}";
    my @miss = ((map { $r->{$_} ? $_ : () } qw(lost doubled other)),
                (defined $r->{to_first_200} && $r->{to_first_200} <= 2 ? () : 'first200'));
    printf "%-24s %6d %6d %5d %8d %10d %5d %6d %9.2f %10s  %s\n", $label, @$r{qw(acked found lost doubled
        committed s503 other to_promotion)},
        defined $r->{to_first_200} ? sprintf('%.2f', $r->{to_first_200}) : 'none',
        @miss ? 'no: ' . join(', ', @miss) : 'yes';
}
print "\nnotes:\n";
for my $p (1, 2) {
    my ($c, $r) = ($row{$p}{codes}, $row{$p});
    printf "  phase %d answers: %s\n", $p, join(', ', map { "$_ x$c->{$_}" } sort keys %$c);
    printf "  phase %d: no 200 for %.2f s (from the last before the %s to the first after the promotion)%s\n", $p,
        $r->{gap}, $p == 1 ? 'kill' : 'request',
        $p == 2 ? sprintf('; patronictl ran %.2f s before its request reached Patroni',
                                     $T{2}{event} - $T{2}{patronictl}) : '' if defined $r->{gap};
}
