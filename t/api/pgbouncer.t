# Through PgBouncer in transaction mode (pool_mode = transaction, a pool
# of 4 server connections, DISCARD ALL after every transaction), which
# ./check starts in front of the main cluster; the pgbouncer vhost runs
# with ChatSessionPreparedStatements Off.  Several clients drive GET,
# PATCH (ops and merge), PUT, POST and DELETE for a few seconds while the
# parent recycles PgBouncer's server connections on its admin console
# (RECONNECT, RELOAD).  Every answer is the expected 2xx (no 5xx at all),
# the rows hold the last values written, PgBouncer really opened new
# server connections meanwhile, and the module logged no error.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session db fresh_ids);
use DBI ();
use File::Temp qw(tempdir);
use JSON::PP ();
use Time::HiRes qw(sleep time);

plan tests => 13, need_lwp, need_module('mod_dbd.c');

my $admin_dsn = $ENV{CHATS_TEST_PGBOUNCER_ADMIN}
    or die 'CHATS_TEST_PGBOUNCER_ADMIN not set: run the suite through ./check';
my $pgb_log = $ENV{CHATS_TEST_PGBOUNCER_LOG}
    or die 'CHATS_TEST_PGBOUNCER_LOG not set: run the suite through ./check';

my $CLIENTS  = 6;
my $DURATION = 8;          # seconds of load
my ($BASE_ID) = fresh_ids($CLIENTS + 1);  # rows $BASE_ID + 1 .. + $CLIENTS
my $BASE     = '/api/v1/ChatSession';
my %EXPECT   = (GET => 200, PATCH => 200, MERGE => 200, PUT => 200,
                POST => 200, DELETE => 204);

sub admin {
    return DBI->connect("dbi:Pg:$admin_dsn", $ENV{CHATS_TEST_PGUSER}, '', {
        RaiseError => 1, PrintError => 0, AutoCommit => 1,
        pg_server_prepare => 0,
    });
}

sub slurp {
    my ($file, $from) = @_;
    open my $fh, '<', $file or return '';
    seek $fh, $from || 0, 0;
    local $/;
    return scalar <$fh>;
}

my $errlog = Apache::Test::vars('t_logs') . '/error_log';

# ---- before the load -----------------------------------------------------
db()->do(q{DELETE FROM chat_session WHERE name LIKE 'pgb-posted %'});
seed_session($BASE_ID + $_, name => "seed $_", email => "seed$_\@example.com",
             rating => 0) for 1 .. $CLIENTS;
my $res = req(GET => "$BASE/" . ($BASE_ID + 1), vhost => 'pgbouncer');
is($res->code, 200, 'pgbouncer vhost serves through PgBouncer')
    or diag($res->content);
my $adm = eval { admin() };
ok($adm, 'PgBouncer admin console reachable') or diag($@);
$adm ||= admin();

my $log_from = -s $errlog || 0;
my $pgb_from = -s $pgb_log || 0;

# ---- the load ------------------------------------------------------------
my $dir = tempdir(CLEANUP => 1);
my $json = JSON::PP->new->canonical;

# One client: a loop over the six kinds of request on its own row, and a
# session of its own that it POSTs and DELETEs; results to $dir/$k.json.
sub client {
    my $k = shift;
    my $id = $BASE_ID + $k;
    my (%n, @bad);
    my %last = (name => "seed $k", email => "seed$k\@example.com", rating => 0);
    my $check = sub {
        my ($kind, $r) = @_;
        $n{total}++;
        $n{"code_" . $r->code}++;
        $n{fivexx}++ if $r->code >= 500;
        if ($r->code != $EXPECT{$kind}) {
            push @bad, sprintf '%s %s: %s', $kind, $r->code,
                substr($r->content // '', 0, 200) if @bad < 10;
            return 0;
        }
        return 1;
    };
    my $t_end = time + $DURATION;
    for (my $i = 1; time < $t_end; $i++) {
        my $step = $i % 5;
        my $tag = "c$k-$i";
        if ($step == 0) {
            my $r = req(GET => "$BASE/$id", vhost => 'pgbouncer');
            if ($check->(GET => $r)) {
                my $d = json_body($r) || {};
                if (($d->{CustomerName} // '') ne $last{name}
                    || ($d->{CustomerEmail} // '') ne $last{email}
                    || ($d->{Rating} // -1) != $last{rating}) {
                    $n{stale}++;
                    push @bad, "GET $i: stale: " . $json->encode({
                        got => [@$d{qw(CustomerName CustomerEmail Rating)}],
                        want => [@last{qw(name email rating)}] }) if @bad < 10;
                }
            }
        }
        elsif ($step == 1) {
            my $r = req(PATCH => "$BASE/$id", vhost => 'pgbouncer', body => [
                { op => 'replace', path => '/CustomerName', value => $tag },
                { op => 'replace', path => '/Rating', value => $i } ]);
            @last{qw(name rating)} = ($tag, $i) if $check->(PATCH => $r);
        }
        elsif ($step == 2) {
            my $r = req(PATCH => "$BASE/$id", vhost => 'pgbouncer',
                        body => { CustomerEmail => "$tag\@example.com" },
                        content_type => 'application/merge-patch+json');
            $last{email} = "$tag\@example.com" if $check->(MERGE => $r);
        }
        elsif ($step == 3) {
            my $r = req(PUT => "$BASE/$id", vhost => 'pgbouncer', body => {
                CustomerName => "put $tag", CustomerEmail => "put$tag\@example.com",
                Rating => $i, User => { AssociateId => 5 } });
            @last{qw(name email rating)} = ("put $tag", "put$tag\@example.com", $i)
                if $check->(PUT => $r);
        }
        else {
            my $r = req(POST => $BASE, vhost => 'pgbouncer',
                        body => { CustomerName => "pgb-posted $tag" });
            next unless $check->(POST => $r);
            my $new = (json_body($r) || {})->{ChatSessionId};
            unless ($new) {
                push @bad, "POST $i: no ChatSessionId" if @bad < 10;
                next;
            }
            $check->(DELETE => req(DELETE => "$BASE/$new", vhost => 'pgbouncer'));
        }
    }
    open my $fh, '>', "$dir/$k.json" or die "$dir/$k.json: $!";
    print $fh $json->encode({ n => \%n, bad => \@bad, last => \%last });
    close $fh or die "$dir/$k.json: $!";
}

my @pids;
for my $k (1 .. $CLIENTS) {
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        my $ok = eval { client($k); 1 };
        print STDERR "client $k: $@" unless $ok;
        require POSIX;
        POSIX::_exit($ok ? 0 : 1);
    }
    push @pids, $pid;
}

# Meanwhile: recycle the server connections, alternating RECONNECT (close
# every server connection once it is released) and RELOAD.
#
# Only RECONNECT a settled pool: PgBouncer 1.18's RECONNECT drops a server
# connection that is still logging in at once and counts that as a failed
# login, and the pool then turns clients away ("server login has been
# failing, try again later") for server_login_retry (15 s) -- an outage
# for any client, 503 here, and PgBouncer's doing, not the module's.  So
# wait until the pool holds default_pool_size logged-in connections, none
# of them still to be closed (./check sets min_pool_size to the pool size,
# so the pool fills up again by itself); then no login can start before
# the RECONNECT lands.
my %config = map { $_->[0] => $_->[1] }
             @{ $adm->selectall_arrayref('SHOW CONFIG') };
my $pool_size = $config{default_pool_size} || 4;
my $dbname = $ENV{CHATS_TEST_PGDATABASE};
sub settled {
    my $rows = $adm->selectall_arrayref('SHOW SERVERS', { Slice => {} });
    my @s = grep { $_->{database} eq $dbname } @$rows;
    return @s == $pool_size
        && !grep { $_->{state} eq 'new' || $_->{close_needed} } @s;
}
my (%admin_n, @admin_err, $unsettled);
my $t0 = time;
while (time - $t0 < $DURATION - 0.5) {
    sleep 0.5;
    my $t_wait = time;
    my $ok;
    until (($ok = eval { settled() }) || time - $t_wait > 2) { sleep 0.02 }
    if (!$ok) {
        $unsettled++;
        push @admin_err, "SHOW SERVERS: $@" if $@;
        next;
    }
    for my $cmd (qw(RECONNECT RELOAD)) {
        if (eval { $adm->do($cmd); 1 }) { $admin_n{$cmd}++ }
        else { push @admin_err, "$cmd: $@" }
        sleep 0.3;
    }
}
diag("pool not settled within 2 s, RECONNECT left out: $unsettled times")
    if $unsettled;

my $children_ok = 1;
for my $pid (@pids) {
    waitpid $pid, 0;
    $children_ok = 0 if $?;
}
my $elapsed = time - $t0;

# ---- afterwards ------------------------------------------------------------
my (%n, @bad, %last);
for my $k (1 .. $CLIENTS) {
    my $r = eval { $json->decode(slurp("$dir/$k.json")) }
        or do { $children_ok = 0; next };
    $n{$_} += $r->{n}{$_} for keys %{ $r->{n} };
    push @bad, map { "client $k: $_" } @{ $r->{bad} };
    $last{$k} = $r->{last};
}
ok($children_ok, "$CLIENTS clients ran to the end");
ok(!@admin_err && ($admin_n{RECONNECT} // 0) >= 3 && $admin_n{RELOAD},
   sprintf('admin console: %d RECONNECT, %d RELOAD',
           $admin_n{RECONNECT} // 0, $admin_n{RELOAD} // 0))
    or diag(join "\n", @admin_err);
my $codes = join ', ', map { /^code_(\d+)$/ ? "$1: $n{$_}" : () } sort keys %n;
diag(sprintf 'through PgBouncer: %d requests in %.1f s (%s)',
             $n{total} // 0, $elapsed, $codes);
cmp_ok($n{total} // 0, '>=', 5 * $CLIENTS, 'enough requests under load');
is($n{fivexx} // 0, 0, 'no 5xx');
is(scalar(@bad), 0, 'every answer the expected 2xx, every GET up to date')
    or diag(join "\n", @bad);

# PgBouncer did recycle: it opened more server connections during the load
# than its pool holds.
my $pgb_text = slurp($pgb_log, $pgb_from);
my $logins = () = $pgb_text =~ /new connection to server/g;
cmp_ok($logins, '>', $pool_size, "PgBouncer opened $logins server connections "
                        . "during the load (pool of $pool_size)");

# The rows hold what each client wrote last.
my $wrong = 0;
for my $k (1 .. $CLIENTS) {
    my $row = db()->selectrow_hashref(
        'SELECT name, email, rating FROM chat_session WHERE id = ?',
        undef, $BASE_ID + $k);
    my $want = $last{$k} or next;
    unless ($row && $row->{name} eq $want->{name}
            && $row->{email} eq $want->{email}
            && $row->{rating} == $want->{rating}) {
        $wrong++;
        diag("row " . ($BASE_ID + $k) . ": " . $json->encode($row)
             . ' want ' . $json->encode($want));
    }
}
is($wrong, 0, 'every row holds its last written values');
my ($left) = db()->selectrow_array(
    q{SELECT count(*) FROM chat_session WHERE name LIKE 'pgb-posted %'});
is($left, 0, 'every POSTed session was DELETEd');

# Read back through PgBouncer too, after one more RECONNECT.
for (1 .. 100) { last if eval { settled() }; sleep 0.02 }
$adm->do('RECONNECT');
$res = req(GET => "$BASE/" . ($BASE_ID + 1), vhost => 'pgbouncer');
is($res->code, 200, 'GET after a last RECONNECT: 200');
is((json_body($res) || {})->{CustomerName}, $last{1}{name},
   '... with the last value written');

# No error from the module meanwhile (this test is the only one running).
my $log = slurp($errlog, $log_from);
my @errors = grep { /\[chatsession:(?:error|crit|alert|emerg)\]/ }
             split /\n/, $log;
my $warnings = () = $log =~ /\[chatsession:warn\]/g;
diag("chatsession warnings in error_log meanwhile: $warnings") if $warnings;
is(scalar(@errors), 0, 'no chatsession error in error_log during the load')
    or diag(join "\n", @errors[0 .. ($#errors < 9 ? $#errors : 9)]);
$adm->disconnect;
