# Two httpd instances on one database (issue 8, Faults): the race tests
# of t/api/hotrow.t with the load split over the test server and a second
# httpd that this test starts on the same database (ChatSession::Test::
# second_httpd: same binary and module, CHATS_TEST_DSN, a free port) and
# stops at the end, as two nodes behind a load balancer would run.
#
# 1. Test-and-set increments of one row's Rating, half the clients on each
#    node: every answer is 200 or 409 for the failed test (op 0), and the
#    final value is the start plus the number of 200s (no update lost).
# 2. Blind writes to different fields of one row, clients alternating
#    between the nodes: every answer 200 (no 409 without a failed test),
#    every field ends with its client's last value. Once as they come,
#    once with a slow trigger that makes every write overlap others.
# The checks are predicates of each write's one statement, and the row
# lock orders the writers whichever node sends them: nothing here may
# depend on state inside one httpd.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use Apache::TestRequest ();
use ChatSession::Test qw(req seed_session db keepalive_ua run_forked
                         slow_updates no_slow_updates second_httpd
                         stop_second_httpd fresh_ids);
use JSON::PP ();
use Time::HiRes qw(time);

plan tests => 22, need_lwp, need_module('mod_dbd.c');

my $PATH = '/api/v1/ChatSession';
my $DEADLINE = 60;      # seconds per scenario; a safety net, not a check

my $second = second_httpd();
# Stopped however this test ends (also when it dies half-way).
END { stop_second_httpd($second) if $second && $second->{pid} && kill 0, $second->{pid} }
my @NODES = (Apache::TestRequest::resolve_url($PATH), $second->{url} . $PATH);
my $res = req(GET => "$NODES[1]/844");
is($res->code, 200, "second httpd on port $second->{port} serves") or diag($res->content);

sub row { db()->selectrow_hashref('SELECT * FROM chat_session WHERE id = ?',
                                  undef, shift) }
sub rating_of { $_[0]->content =~ /"Rating":(-?[0-9]+)/ ? 0 + $1 : undef }
sub tally_odd {
    my ($out, $res, $what) = @_;
    $out->{odd}{ $res->code }++;
    push @{ $out->{bodies} }, "$what: " . $res->status_line . ' '
        . substr($res->content // '', 0, 200) if @{ $out->{bodies} ||= [] } < 3;
}
sub sum_up {
    my ($runs, @keys) = @_;
    my (%sum, %odd, @bodies, @died);
    for my $c (@$runs) {
        push @died, $c->{died} if $c->{died};
        $sum{$_} += $c->{$_} // 0 for @keys;
        $odd{$_} += $c->{odd}{$_} for keys %{ $c->{odd} || {} };
        push @bodies, @{ $c->{bodies} || [] };
    }
    return (\%sum, join(', ', map { "$odd{$_} x $_" } sort keys %odd),
            [@bodies[0 .. ($#bodies < 9 ? $#bodies : 9)]], \@died);
}

# ==== 1. test-and-set increments, half the clients on each node ===========
my ($HOT, $FIELDS, $SLOW) = fresh_ids(3);
my ($CLIENTS, $EACH) = (8, 25);
seed_session($HOT, rating => 1000);
my $start = row($HOT);
my $t0 = time;
my $runs = run_forked($CLIENTS, sub {
    my $k = shift;
    my $url = $NODES[$k % 2] . "/$HOT";
    my $ua = keepalive_ua();
    my %out = (ok => 0, conflict => 0, patches => 0);
    my $stop = time + $DEADLINE;
    my $read = sub {
        my $r = req(GET => $url, ua => $ua);
        return rating_of($r) if $r->code == 200;
        tally_odd(\%out, $r, 'GET');
        return undef;
    };
    my $v = $read->();
    while ($out{patches} < $EACH && time < $stop) {
        unless (defined $v) { $v = $read->(); next }
        my $r = req(PATCH => $url, ua => $ua,
                    body => [{ op => 'test', path => '/Rating', value => $v },
                             { op => 'replace', path => '/Rating', value => $v + 1 }]);
        $out{patches}++;
        if ($r->code == 200) {
            $out{ok}++;
            $out{wrong_value}++ unless (rating_of($r) // -1) == $v + 1;
            $v++;
            next;
        }
        my $err = eval { JSON::PP->new->decode($r->content) } || {};
        if ($r->code == 409 && ($err->{ErrorType} // '') eq 'JsonPatchTestException'
            && ($err->{OpIndex} // -1) == 0) {
            $out{conflict}++;
        }
        else {
            tally_odd(\%out, $r, 'PATCH');
        }
        $v = $read->();
    }
    $out{node} = $k % 2;
    return \%out;
});
my ($sum, $odd, $bodies, $died) = sum_up($runs, qw(ok conflict patches wrong_value));
my %per_node;
$per_node{ $_->{node} // '?' } += $_->{ok} // 0 for @$runs;
my $end = row($HOT);
note(sprintf 'test-and-set on two nodes: %d clients x %d, %.1f s: %d x 200 '
     . '(node 0: %d, node 1: %d), %d x 409; Rating %d -> %d',
     $CLIENTS, $EACH, time - $t0, $sum->{ok}, $per_node{0} // 0,
     $per_node{1} // 0, $sum->{conflict}, $start->{rating}, $end->{rating});
is(scalar(@$died), 0, 'test-and-set: every client ran to its end') or diag("@$died");
is($sum->{patches}, $CLIENTS * $EACH, 'test-and-set: every PATCH sent');
ok(($per_node{0} // 0) > 0 && ($per_node{1} // 0) > 0,
   'test-and-set: increments got in through both nodes');
is($end->{rating}, $start->{rating} + $sum->{ok},
   'test-and-set: the final Rating is the start plus the number of 200s');
is($end->{version}, $start->{version} + $sum->{ok},
   'test-and-set: one new version per 200');
is($sum->{wrong_value} // 0, 0, 'test-and-set: every 200 returned value + 1');
is($odd, '', 'test-and-set: every answer but 200 was 409 for the failed test (op 0)')
    or diag(join "\n", @$bodies);

# ==== 2. different fields of one row, clients alternating nodes ===========
my @FIELDS = qw(CustomerName CustomerAlias CustomerHost CustomerEmail
                CustomerPhone CustomerCompanyName);
my %COLUMN = (CustomerName => 'name', CustomerAlias => 'customer_alias',
              CustomerHost => 'customer_host', CustomerEmail => 'email',
              CustomerPhone => 'phone', CustomerCompanyName => 'company_name');
my $ROUNDS = 15;
sub value_of { my ($f, $n) = @_; return "$f-$n" =~ s/Customer/c/r }

sub different_fields {
    my ($id, $label) = @_;
    seed_session($id);
    my $start = row($id);
    my $t0 = time;
    my $runs = run_forked(scalar @FIELDS, sub {
        my $k = shift;
        my $field = $FIELDS[$k - 1];
        my $ua = keepalive_ua();
        my %out = (ok => 0, requests => 0);
        my $stop = time + $DEADLINE;
        for my $round (1 .. $ROUNDS) {
            last if time > $stop;
            # Each client alternates nodes from one request to the next.
            my $url = $NODES[($k + $round) % 2] . "/$id";
            my $value = value_of($field, $round);
            my $r = req(PATCH => $url, ua => $ua,
                        body => [{ op => 'replace', path => "/$field", value => $value }]);
            $out{requests}++;
            if ($r->code == 200) {
                $out{ok}++;
                my $doc = eval { JSON::PP->new->decode($r->content) };
                $out{wrong_value}++ unless $doc && ($doc->{$field} // '') eq $value;
            }
            else {
                tally_odd(\%out, $r, "PATCH $field");
            }
        }
        return \%out;
    });
    my ($sum, $odd, $bodies, $died) = sum_up($runs, qw(ok requests wrong_value));
    my $end = row($id);
    note(sprintf '%s: %d clients x %d, %.1f s: %d x 200; version %d -> %d',
         $label, scalar @FIELDS, $ROUNDS, time - $t0, $sum->{ok},
         $start->{version}, $end->{version});
    is(scalar(@$died), 0, "$label: every client ran to its end") or diag("@$died");
    is($sum->{requests}, @FIELDS * $ROUNDS, "$label: every PATCH sent");
    is($odd, '', "$label: every answer 200 (no 409 without a test op)")
        or diag(join "\n", @$bodies);
    is($sum->{wrong_value} // 0, 0, "$label: every 200 showed its own change");
    is($end->{version}, $start->{version} + $sum->{ok}, "$label: one new version per 200");
    my @wrong = grep { ($end->{ $COLUMN{$_} } // '') ne value_of($_, $ROUNDS) } @FIELDS;
    is("@wrong", '', "$label: every field holds its last value (no update lost)")
        or diag(join "\n", map { "$_ = " . ($end->{ $COLUMN{$_} } // 'NULL') } @wrong);
}

different_fields($FIELDS, 'different fields on two nodes');

slow_updates('chats_test_two_nodes_slow', $SLOW, 0.02);
different_fields($SLOW, 'different fields on two nodes, overlapping writes');
no_slow_updates('chats_test_two_nodes_slow');

# ==== the second node goes, cleanly ========================================
ok(stop_second_httpd($second), 'second httpd stopped');
my $log = do { local $/; open my $fh, '<', $second->{error_log} or die $!; <$fh> };
unlike($log, qr/AddressSanitizer|runtime error:|exit signal|\[chatsession:(?:error|crit)\]/,
       "second httpd's error_log: no sanitizer report, crash or module error")
    or diag(substr($log, 0, 2000));
