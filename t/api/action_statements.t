# SQL statements per agent action, counted by pg_stat_statements (README
# "Agent actions": one statement, or one short transaction): on a cached
# credential, TransferTo, RejectTransfer, Reset and ForCurrentUser run one
# statement; Pickup and AcceptTransfer one transaction of two (the agent's
# lock, then the action; BEGIN and COMMIT are left out of the count:
# pg_stat_statements counts a prepared BEGIN on its first run only, as
# seen here); a no-op runs the write and one diagnosis (a refusal found by it too). Measured as t/api/statements.t does: each request on the
# keep-alive connection of a warm-up request with the same credential.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req seed_session keepalive_ua make_topic make_caller
                         fresh_ids statements_reset statements_count);

plan tests => 12, need_lwp, need_module('mod_dbd.c');

my $BASE = '/api/v1/ChatSession';
my $T = make_topic('statements');
my %A = map { $_ => make_caller($_, level => 'update_own',
                                topics => { $T => 'can_respond' }) }
        qw(as_one as_two);
my ($WARM, $S) = fresh_ids(2);
seed_session($WARM, topic_id => $T, user_id => undef, status => 9);  # warm-up
seed_session($S, topic_id => $T, user_id => undef, status => 4);

my $ua = keepalive_ua();

# The statements of $method $path as $user, alone: sent right after a
# warm-up GET with the same credential on the same connection.
sub measure {
    my ($what, $user, $method, $path) = @_;
    my @auth = (auth => $A{$user}{auth}, ua => $ua);
    for my $try (1 .. 5) {
        my $warm = req(GET => "$BASE/$WARM", @auth);
        die "warm-up GET: " . $warm->status_line unless $warm->code == 200;
        my $n0 = $warm->header('Client-Response-Num') // 0;
        statements_reset();
        my $res = req($method => "$BASE$path", @auth);
        my ($n, $rows) = statements_count();
        my $n1 = $res->header('Client-Response-Num') // 0;
        next unless $n1 == $n0 + 1 && $n1 > 1;
        note(sprintf "%s: %s, %d statement(s)", $what, $res->status_line, $n);
        note(sprintf "    %4d %s %s", $_->[0], $_->[1] ? 'top' : 'nested',
             substr($_->[2], 0, 100)) for @$rows;
        my @top = grep { $_->[1] && $_->[2] !~ /^(BEGIN|COMMIT|ROLLBACK)\b/ }
                  @$rows;
        my $count = 0;
        $count += $_->[0] for @top;
        return ($count, [map { $_->[2] } @top]);
    }
    die "$what: could not keep one connection for 5 tries\n";
}

sub count_is {
    my ($what, $want, @req) = @_;
    my ($n, $texts) = measure($what, @req);
    is($n, $want, "$what: $want statement(s)")
        or diag(join "\n", map { substr($_, 0, 120) } @$texts);
    return $texts;
}

my $texts = count_is('Pickup', 2, as_one => POST => '/Pickup');
ok((grep { /^SELECT .*FOR NO KEY UPDATE/ } @$texts)
   && (grep { /FOR UPDATE SKIP LOCKED/ } @$texts),
   '... the agent\'s lock and the pickup');
# Then, in this order (each from the state the one before left):
# [what, statements, caller, method, path]
for my $step (
    ['Pickup, nothing queued', 2, as_one => POST => '/Pickup'],
    ['TransferTo', 1, as_one => POST => "/$S/TransferTo/as_two"],
    ['TransferTo again (no-op)', 2, as_one => POST => "/$S/TransferTo/as_two"],
    ['AcceptTransfer', 2, as_two => POST => "/$S/AcceptTransfer"],
    ['TransferTo back', 1, as_two => POST => "/$S/TransferTo/as_one"],
    ['RejectTransfer', 1, as_one => POST => "/$S/RejectTransfer"],
    ['Reset', 1, as_two => POST => "/$S/Reset"],
    ['Reset again (403: queued, no longer theirs)', 2,
     as_two => POST => "/$S/Reset"],
    ['Pickup by id', 2, as_one => POST => "/$S/Pickup"],
    ['ForCurrentUser', 1, as_one => GET => '/ForCurrentUser'],
) {
    count_is(@$step);
}

