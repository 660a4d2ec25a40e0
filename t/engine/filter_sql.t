# The $filter / $orderBy compiler (core/query/chats_filter*.c) against
# PostgreSQL: what it makes for each form runs, with its parameters bound
# as the types it declares, on rows of our own (in a transaction rolled
# back at the end), and selects what the filter means: enums, LIKE with
# its wildcards escaped, null under not, today, offset-less date-times in
# the request's zone, carrier members, the order. The compiler's output
# comes from the unit driver's --sql mode; no httpd, DBI only.
#
#   CHATS_FILTER_UNIT  the driver (default: <top>/t/unit/chats_filter_unit)
use strict;
use warnings;

use DBD::Pg qw(:pg_types);
use File::Spec;
use FindBin;
use IPC::Open2;
use lib "$FindBin::Bin/../lib";
use ChatSession::Engine qw(repo_top engine_db);
use Test::More;

my $unit = $ENV{CHATS_FILTER_UNIT}
    || File::Spec->catfile(repo_top(), qw(t unit chats_filter_unit));
my $MARK = 'filter-sql-test';

# filter, orderby, zone => the CustomerNames selected (in order when an
# orderby is given, else sorted)
my @cases = (
    ['Status eq InQueue', '', '', ['Ann 50%_a\\b']],
    ["oneOf(Status, InQueue, 'CustomerLast')", 'CustomerName desc', '',
     ['Bob', 'Ann 50%_a\\b']],
    ['Status ne InQueue', 'Status desc', '', ["O'Hara", 'Bob']],
    ["contains(CustomerName,'0%_a\\b')", '', '', ['Ann 50%_a\\b']],
    ["contains(CustomerName,'%')", '', '', ['Ann 50%_a\\b']],
    ["contains(CustomerName,'_')", '', '', ['Ann 50%_a\\b']],
    ["startswith(CustomerName,'o''h')", '', '', ["O'Hara"]],
    ["endswith(CustomerName,'OB')", '', '', ['Bob']],
    ['not (Rating lt 3)', '', '', ['Ann 50%_a\\b']],
    ['WhenEnded eq null', 'WhenRequested', '', ['Bob', 'Ann 50%_a\\b']],
    ['not (WhenEnded lt now)', 'CustomerName', '', ['Ann 50%_a\\b', 'Bob']],
    ['WhenRequested ge today', '', 'Europe/Oslo', ['Ann 50%_a\\b']],
    ["WhenRequested lt '2021-01-01T00:00:00+01:00'", '', '', ['Bob']],
    ["WhenRequested le '2020-01-01T00:30:00'", '', '', ['Bob']],
    ["WhenRequested le '2020-01-01T00:30:00'", '', 'Europe/Oslo', []],
    ["User/Name eq 'ann-filter-sql'", '', '', ['Ann 50%_a\\b']],
    ['User eq 0 or TopicId ne 0', 'User/Name desc, CustomerName', '',
     ['Bob', "O'Hara"]],
    ['oneOf(User, 0)', 'CustomerName', '', ['Bob', "O'Hara"]],
    ['Rating ge 0 and (Status eq 7 or ChatbotIsActive eq true)',
     'Rating asc', '', ["O'Hara", 'Bob']],
);

my %PGTYPE = (text => PG_TEXT, int2 => PG_INT2, int4 => PG_INT4,
              int8 => PG_INT8, boolean => PG_BOOL, float8 => PG_FLOAT8,
              timestamptz => PG_TIMESTAMPTZ, timestamp => PG_TIMESTAMP,
              'int8[]' => PG_INT8ARRAY);

# The driver's --sql answers, one per case.
sub compile_all {
    my $pid = open2(my $out, my $in, $unit, '--sql')
        or die "$unit: $!";
    print {$in} join("\t", @$_[0 .. 2]), "\n" for @cases;
    close($in);
    my (@res, $cur);
    while (my $line = <$out>) {
        chomp $line;
        my @f = split /\t/, $line, -1;
        if ($f[0] eq 'S') { $cur = { where => $f[1], order => $f[2], p => [] } }
        elsif ($f[0] eq 'P') { push @{$cur->{p}}, [$f[1], $f[2]] }
        elsif ($f[0] eq 'E') { push @res, $cur }
        else { push @res, { error => $f[1] } }
    }
    waitpid($pid, 0);
    return @res;
}

ok(-x $unit, "the driver $unit is built") or BAIL_OUT('no driver');
my @compiled = compile_all();
is(scalar @compiled, scalar @cases, 'an answer per case');

my $dbh = engine_db();
$dbh->begin_work;
my ($assoc) = $dbh->selectrow_array(
    'INSERT INTO associate (associate_id, name, full_name)'
    . ' SELECT coalesce(max(associate_id), 0) + 1000, ?, ? FROM associate'
    . ' RETURNING associate_id', undef, 'ann-filter-sql', 'Ann');
my $ins = $dbh->prepare(
    'INSERT INTO chat_session (customer_alias, name, status, rating, user_id,'
    . ' when_requested, when_ended, chatbot_isactive)'
    . ' VALUES (?, ?, ?, ?, ?, now() - ?::interval,'
    . ' now() - ?::interval, ?)');
$ins->execute($MARK, 'Ann 50%_a\\b', 4, 5, $assoc, '0 s', undef, 'false');
$ins->execute($MARK, 'Bob', 5, 2, undef, undef, undef, 'true');
$ins->execute($MARK, "O'Hara", 7, 0, undef, '2 days', '1 day', 'false');
$dbh->do("UPDATE chat_session SET when_requested = '2020-01-01T00:00:00Z'"
         . ' WHERE customer_alias = ? AND name = ?', undef, $MARK, 'Bob');

for my $i (0 .. $#cases) {
    my ($filter, $order, $zone, $want) = @{$cases[$i]};
    my $c = $compiled[$i];
    my $name = "$filter" . ($order ? " / $order" : '') . ($zone ? " ($zone)" : '');
    if (!$c || $c->{error}) {
        fail("$name compiles: " . ($c ? $c->{error} : 'no answer'));
        next;
    }
    # our rows only: the mark as the last parameter
    my $n = @{$c->{p}} + 1;
    my $sql = 'SELECT cs.name FROM chat_session cs WHERE ('
        . ($c->{where} || 'true') . ") AND cs.customer_alias = \$$n ORDER BY "
        . ($c->{order} ? "$c->{order}, " : '') . 'cs.id';
    my $got = eval {
        my $sth = $dbh->prepare($sql);
        my $k = 1;
        for my $p (@{$c->{p}}) {
            $sth->bind_param($k++, $p->[1], { pg_type => $PGTYPE{$p->[0]} });
        }
        $sth->bind_param($k, $MARK, { pg_type => PG_TEXT });
        $dbh->do('SAVEPOINT f');
        $sth->execute;
        my $rows = [map { $_->[0] } @{$sth->fetchall_arrayref}];
        $dbh->do('RELEASE SAVEPOINT f');
        $rows;
    };
    if (!$got) {
        $dbh->do('ROLLBACK TO SAVEPOINT f');
        fail("$name runs: $@\n$sql");
        next;
    }
    $got = [sort @$got] unless $order;
    is_deeply($got, $want, $name) or diag($sql);
}

# the status filter with the order the list uses answers from an index
{
    my $c = $compiled[0];
    $dbh->do('SET LOCAL enable_seqscan = off');
    my $plan = join "\n", map { $_->[0] } @{$dbh->selectall_arrayref(
        "EXPLAIN SELECT cs.id FROM chat_session cs WHERE $c->{where}"
        . ' ORDER BY cs.id', undef, 4)};
    like($plan, qr/Index/, 'Status eq InQueue can use an index')
        or diag($plan);
}
$dbh->rollback;
done_testing();
