# A hot row (issue 7): many clients writing one chat session at once.
#
# 1. 16 clients x 50 test-and-set increments of Rating: each sends 50
#    PATCHes that test the value it last saw and replace it with value + 1;
#    after a 200 it knows the value (it wrote it), after a 409 (its test
#    failed: someone else got there first) it re-reads it for the next
#    try.  Every increment answered 200 is in the row, none twice: the
#    final value is the start plus the number of 200s.  Any answer other
#    than 200 or that 409 is a failure.
# 2. 8 clients each replacing a different field of one row, all at once,
#    20 times each: no test op, so every answer is 200 (409 is reserved
#    for a failed test), and each field ends with its client's last value.
#    Once as the requests come, once with a slow trigger that makes every
#    write overlap others (the optimistic retry loop's worst case).
#
# Clients are forked processes, each on its own keep-alive connection;
# each reports its tallies in a file.  Counts are printed with note().
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session db keepalive_ua
                         slow_updates no_slow_updates fresh_ids);
use File::Temp qw(tempdir);
use JSON::PP ();
use Time::HiRes qw(time);
use POSIX ();

plan tests => 22, need_lwp, need_module('mod_dbd.c');

my $BASE = '/api/v1/ChatSession';
my $TMP = tempdir(CLEANUP => 1);
my $JSON = JSON::PP->new->canonical->utf8;
my $DEADLINE = 120;     # seconds per scenario; a safety net, not a check

sub row { db()->selectrow_hashref('SELECT * FROM chat_session WHERE id = ?',
                                  undef, shift) }

# run_clients($n, $code): fork $n clients; all start together (they wait
# for a pipe to close), each runs $code->($i, $ua) and its returned hash
# ref is read back.  Returns the list of those hashes.
sub run_clients {
    my ($n, $code) = @_;
    pipe(my $gate_r, my $gate_w) or die "pipe: $!";
    my @kids;
    for my $i (0 .. $n - 1) {
        my $file = "$TMP/client-$$-" . time() . "-$i.json";
        my $pid = fork // die "fork: $!";
        if ($pid == 0) {
            close $gate_w;
            my $ua = keepalive_ua();
            <$gate_r>;                  # EOF when the parent lets go
            my $out = eval { $code->($i, $ua) }
                      || { died => "$@" };
            if (open my $fh, '>', $file) {
                print $fh $JSON->encode($out);
                close $fh;
            }
            POSIX::_exit(0);
        }
        push @kids, [$pid, $file];
    }
    close $gate_r;
    close $gate_w;                      # go
    my @out;
    for my $k (@kids) {
        waitpid $k->[0], 0;
        my $doc;
        if (open my $fh, '<', $k->[1]) {
            local $/;
            $doc = eval { $JSON->decode(<$fh>) };
        }
        push @out, $doc || { died => "client $k->[0] left no report" };
    }
    return @out;
}

sub body_of {
    my $res = shift;
    return eval { JSON::PP->new->utf8->decode($res->content) };
}

# Tally an unexpected answer (at most a few bodies kept per client).
sub odd {
    my ($out, $res, $what) = @_;
    $out->{odd}{$res->code}++;
    push @{ $out->{odd_bodies} }, "$what: " . $res->status_line . ' '
        . substr($res->content // '', 0, 300)
        if @{ $out->{odd_bodies} ||= [] } < 3;
}

# ==== 1. test-and-set increments on one row ================================
my ($HOT, $FIELDS, $SLOW) = fresh_ids(3);
my ($CLIENTS, $EACH) = (16, 50);
seed_session($HOT, rating => 1000);
my $start = row($HOT);

# The entity's Rating, without decoding the whole body (JSON::PP is slow,
# and this runs thousands of times): the entity's own members come before
# FieldProperties, whose "Rating" is an object.
sub rating_of {
    my $res = shift;
    return $res->content =~ /"Rating":(-?[0-9]+)/ ? 0 + $1 : undef;
}

my $t0 = time;
my @res = run_clients($CLIENTS, sub {
    my ($i, $ua) = @_;
    my %out = (ok => 0, conflict => 0, patches => 0, gets => 0);
    my $url = "$BASE/$HOT";
    my $stop = time + $DEADLINE;
    my $read = sub {
        my $res = req(GET => $url, ua => $ua);
        $out{gets}++;
        return rating_of($res) if $res->code == 200;
        odd(\%out, $res, 'GET');
        return undef;
    };
    my $v = $read->();
    while ($out{patches} < $EACH && time < $stop) {
        unless (defined $v) { $v = $read->(); next }
        my $res = req(PATCH => $url, ua => $ua,
                      body => [{ op => 'test', path => '/Rating', value => $v },
                               { op => 'replace', path => '/Rating',
                                 value => $v + 1 }]);
        $out{patches}++;
        if ($res->code == 200) {
            $out{ok}++;
            my $got = rating_of($res);
            $out{wrong_value}++ unless defined $got && $got == $v + 1;
            $v = $v + 1;            # what we wrote: no need to re-read
            next;
        }
        my $err = body_of($res) || {};
        if ($res->code == 409
            && ($err->{ErrorType} // '') eq 'JsonPatchTestException'
            && defined $err->{OpIndex} && $err->{OpIndex} == 0) {
            $out{conflict}++;
        }
        else {
            odd(\%out, $res, 'PATCH');
        }
        $v = $read->();             # someone else moved it: re-read, retry
    }
    return \%out;
});
my $secs = time - $t0;

my (%sum, %odd, @bodies, @died, @per_client);
for my $c (@res) {
    push @died, $c->{died} if $c->{died};
    push @per_client, $c->{ok} // 0;
    $sum{$_} += $c->{$_} // 0 for qw(ok conflict patches gets wrong_value);
    $odd{$_} += $c->{odd}{$_} for keys %{ $c->{odd} || {} };
    push @bodies, @{ $c->{odd_bodies} || [] };
}
splice @bodies, 10 if @bodies > 10;
@per_client = sort { $a <=> $b } @per_client;
my $end = row($HOT);
note(sprintf 'test-and-set: %d clients x %d PATCHes, %.1f s: %d PATCH + %d GET, '
     . '%d x 200, %d x 409 (failed test), other answers: %s; 200s per client '
     . '%d..%d; Rating %d -> %d, version %d -> %d', $CLIENTS, $EACH, $secs,
     $sum{patches}, $sum{gets}, $sum{ok}, $sum{conflict},
     (join(', ', map { "$odd{$_} x $_" } sort keys %odd) || 'none'),
     $per_client[0], $per_client[-1], $start->{rating}, $end->{rating},
     $start->{version}, $end->{version});
diag("client died: $_") for @died;

is(scalar(@died), 0, 'test-and-set: every client ran to its end');
is($sum{patches}, $CLIENTS * $EACH, 'test-and-set: every PATCH sent');
is($end->{rating}, $start->{rating} + $sum{ok},
   'test-and-set: the final Rating is the start plus the number of 200s');
is($end->{version}, $start->{version} + $sum{ok},
   'test-and-set: one new version per 200, none without one');
ok($sum{ok} > 0, 'test-and-set: increments got in');
is($sum{wrong_value} // 0, 0, 'test-and-set: every 200 returned value + 1');
is(scalar(grep { $_ >= 500 } keys %odd), 0, 'test-and-set: no 5xx')
    or diag(join "\n", @bodies);
is(join(', ', map { "$odd{$_} x $_" } sort keys %odd), '',
   'test-and-set: every answer but 200 was 409 for the failed test (op 0)')
    or diag(join "\n", @bodies);

# ==== 2. different fields of one row, all at once ==========================
my @FIELDS = qw(CustomerName CustomerAlias CustomerHost CustomerEmail
                CustomerPhone CustomerCompanyName FirstMessage LastMessage);
my %COLUMN = (CustomerName => 'name', CustomerAlias => 'customer_alias',
              CustomerHost => 'customer_host', CustomerEmail => 'email',
              CustomerPhone => 'phone', CustomerCompanyName => 'company_name',
              FirstMessage => 'first_message', LastMessage => 'last_message');
# what every write of the module moves besides its fields: the validators,
# who wrote it, and what its webhook capture recorded (schema version 8)
my %WRITTEN = map { $_ => 1 } values %COLUMN,
    qw(version updated_at updated_by webhook_version webhook_changes);
my $ROUNDS = 20;

sub value_of { my ($field, $round) = @_; return "$field-$round" =~ s/Customer/c/r }

sub different_fields {
    my ($id, $label) = @_;
    seed_session($id);
    my $start = row($id);

    my $t0 = time;
    my @res = run_clients(scalar @FIELDS, sub {
        my ($i, $ua) = @_;
        my $field = $FIELDS[$i];
        my %out = (ok => 0, requests => 0);
        my $stop = time + $DEADLINE;
        for my $round (1 .. $ROUNDS) {
            last if time > $stop;
            my $value = value_of($field, $round);
            my $res = req(PATCH => "$BASE/$id", ua => $ua,
                          body => [{ op => 'replace', path => "/$field",
                                     value => $value }]);
            $out{requests}++;
            if ($res->code == 200) {
                $out{ok}++;
                my $doc = body_of($res);
                $out{wrong_value}++
                    unless $doc && ($doc->{$field} // '') eq $value;
            }
            else {
                odd(\%out, $res, "PATCH $field");
            }
        }
        return \%out;
    });
    my $secs = time - $t0;

    my (%sum, %odd, @bodies, @died);
    for my $c (@res) {
        push @died, $c->{died} if $c->{died};
        $sum{$_} += $c->{$_} // 0 for qw(ok requests wrong_value);
        $odd{$_} += $c->{odd}{$_} for keys %{ $c->{odd} || {} };
        push @bodies, @{ $c->{odd_bodies} || [] };
    }
    splice @bodies, 10 if @bodies > 10;
    my $end = row($id);
    note(sprintf '%s: %d clients x %d, %.1f s: %d requests, %d x 200, '
         . 'other answers: %s; version %d -> %d', $label, scalar @FIELDS,
         $ROUNDS, $secs, $sum{requests}, $sum{ok},
         (join(', ', map { "$odd{$_} x $_" } sort keys %odd) || 'none'),
         $start->{version}, $end->{version});
    diag("client died: $_") for @died;

    is(scalar(@died), 0, "$label: every client ran to its end");
    is($sum{requests}, @FIELDS * $ROUNDS, "$label: every PATCH sent");
    is(join(', ', map { "$odd{$_} x $_" } sort keys %odd), '',
       "$label: every answer was 200 (no 409 without a test op)")
        or diag(join "\n", @bodies);
    is($sum{wrong_value} // 0, 0, "$label: every 200 showed its own change");
    is($end->{version}, $start->{version} + $sum{ok},
       "$label: one new version per 200");
    my @wrong = grep { ($end->{ $COLUMN{$_} } // '') ne value_of($_, $ROUNDS) }
                @FIELDS;
    is("@wrong", '', "$label: every field holds its last value")
        or diag(join "\n", map { "$_ = " . ($end->{ $COLUMN{$_} } // 'NULL')
                                 . ', want ' . value_of($_, $ROUNDS) } @wrong);
    my @others = grep { !$WRITTEN{$_}
                        && (defined $start->{$_} ? $start->{$_} : "\0")
                        ne (defined $end->{$_} ? $end->{$_} : "\0") }
                 keys %$start;
    is("@others", '', "$label: no other column changed");
}

# 2a. As they come.
different_fields($FIELDS, 'different fields');

# 2b. The same with every write made to overlap, as t/api/race.t does: a
# trigger holds each UPDATE of this row (hence its row lock) for a while,
# so the other clients' writes arrive while it is held.  Row locks order
# them; nothing is refused.
my $SLEEP = 0.02;
slow_updates('chats_test_hotrow_slow', $SLOW, $SLEEP);
different_fields($SLOW, 'different fields, overlapping writes');
no_slow_updates('chats_test_hotrow_slow');
