# The list is fast on a large table (issue 10, design §5.6): with 100,000
# sessions (10 % InQueue, over the topics there are, requested over two
# years) and fresh statistics, the queue page
#   $filter=Status eq 'InQueue'&$orderBy=WhenRequested&$top=50
# answers (within a generous bound: the machine is shared) and its
# statement -- the very text the module ran, from pg_stat_statements --
# plans as an Index Scan on chat_session_queue_idx with no Sort, through
# PREPARE / EXECUTE with its bound values (a literal-inlined EXPLAIN would
# prove nothing about a parameterized statement), as a custom plan and as
# the generic plan a prepared statement may settle on. The plans go to
# the test's notes (for the closing note). Removes its rows afterwards.
#
#   CHATS_LIST_UNIT  the unit driver that prints the page's statement
#                    (default: <top>/t/unit/chats_list_unit)
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body db statements_reset statements_count
                         fresh_ids);
use ChatSession::Engine qw(repo_top);
use File::Spec;
use Time::HiRes qw(time);
use URI::Escape qw(uri_escape_utf8);

plan tests => 14, need_lwp, need_module('mod_dbd.c');

my $BASE = '/api/v1/ChatSession';
my ($LO, $HI) = (fresh_ids(100_000))[0, -1];
my $unit = $ENV{CHATS_LIST_UNIT}
    || File::Spec->catfile(repo_top(), qw(t unit chats_list_unit));

sub cleanup {
    db()->do('DELETE FROM chat_session WHERE id BETWEEN ? AND ?', undef, $LO, $HI);
}
cleanup();

my $t0 = time;
db()->do(<<'SQL', undef, $LO, $HI);
INSERT INTO chat_session (id, topic_id, name, status, when_requested)
SELECT g,
       (SELECT t.id FROM chat_topic t ORDER BY t.id
         OFFSET g % greatest((SELECT count(*) FROM chat_topic), 1) LIMIT 1),
       'explain ' || g,
       CASE WHEN g % 10 = 0 THEN 4 WHEN g % 10 < 4 THEN 6 ELSE 9 END,
       timestamptz '2024-01-01T00:00:00Z'
           + ((g::int8 * 7919) % 1051200) * interval '1 minute'
  FROM generate_series($1::int, $2::int) g
SQL
db()->do('ANALYZE chat_session');
my ($n) = db()->selectrow_array(
    'SELECT count(*) FROM chat_session WHERE id BETWEEN ? AND ?', undef, $LO, $HI);
is($n, 100_000, '100,000 sessions seeded');
note(sprintf 'seeded and analyzed in %.1f s', time - $t0);

my ($index) = db()->selectrow_array(q{
    SELECT indexdef FROM pg_indexes
     WHERE tablename = 'chat_session' AND indexname = 'chat_session_queue_idx'});
like($index // '', qr/\(status, when_requested, id\)/,
     'the schema has chat_session_queue_idx (status, when_requested, id)');

my %Q = ('$filter' => "Status eq 'InQueue'", '$orderBy' => 'WhenRequested',
         '$top' => 50);
my $url = "$BASE?" . join('&', map { "$_=" . uri_escape_utf8($Q{$_}) } sort keys %Q);

# Warm: the credential and the statement's preparation on some connection.
req(GET => $url);
statements_reset();
$t0 = time;
my $res = req(GET => $url);
my $secs = time - $t0;
my (undef, $rows) = statements_count();
is($res->code, 200, 'the queue page: 200') or diag($res->content);
my $doc = json_body($res) || {};
my @v = @{$doc->{value} || []};
is(scalar @v, 50, '... 50 rows');
my @when = map { $_->{WhenRequested} } @v;
ok(!(grep { $_->{Status} ne 'InQueue' } @v)
   && join("\n", @when) eq join("\n", sort @when),
   '... all InQueue, oldest first');
ok($doc->{'odata.nextLink'}, '... and a next page');
cmp_ok($secs, '<', 3, 'answers within a few seconds');
note(sprintf 'the queue page answered in %.0f ms (sanitizer build)', $secs * 1000);

# The statement as the module builds it, with its parameters...
open(my $fh, '-|', $unit, '--sql', '', $Q{'$filter'}, $Q{'$orderBy'}, '', 50, 0)
    or die "$unit: $!";
my ($sql, @params, @types);
while (my $line = <$fh>) {
    chomp $line;
    my @f = split /\t/, $line, -1;
    if ($f[0] eq 'S') { $sql = $f[1] }
    elsif ($f[0] eq 'P') { push @types, $f[1]; push @params, $f[2] }
}
close($fh);
ok($sql, 'the driver prints the page statement') or diag("no SQL from $unit");

# ... is the one the module ran (pg_stat_statements shows its constants,
# EXTRACT's EPOCH among them, as $n)
sub shape {
    my $s = shift // '';
    $s =~ s/\$\d+|\b\d+\b|\bNULL\b|\bEPOCH\b|'[^']*'/?/g;
    $s =~ s/\s+/ /g;
    return $s;
}
my @ran = grep { $_->[1] && $_->[2] =~ /FROM chat_session cs\b.*LIMIT/ } @$rows;
is(scalar @ran, 1, 'the page ran one statement') or diag(explain($rows));
is(shape($ran[0] && $ran[0][2]), shape($sql), '... the one explained here');

# EXPLAIN it through PREPARE / EXECUTE with the bound values.
my $dbh = db();
$dbh->do('PREPARE chats_list_explain (' . join(', ', @types) . ") AS $sql",
         { pg_direct => 1 });
my $exec = 'EXECUTE chats_list_explain (' . join(', ', map { $dbh->quote($_) } @params) . ')';
my $plan = join("\n", map { $_->[0] }
                @{$dbh->selectall_arrayref("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) $exec")});
note("EXPLAIN (custom plan), $n rows:\n$plan");
like($plan, qr/Index Scan using chat_session_queue_idx/,
     'custom plan: an Index Scan on chat_session_queue_idx');
unlike($plan, qr/\bSort\b/, 'custom plan: no Sort');

$dbh->do(q{SET plan_cache_mode = force_generic_plan});
my $generic = join("\n", map { $_->[0] }
                   @{$dbh->selectall_arrayref("EXPLAIN (COSTS OFF) $exec")});
$dbh->do(q{RESET plan_cache_mode});
$dbh->do('DEALLOCATE chats_list_explain');
note("EXPLAIN (generic plan):\n$generic");
like($generic, qr/Index Scan using chat_session_queue_idx/,
     'generic plan: the same index');
unlike($generic, qr/\bSort\b/, 'generic plan: no Sort');

cleanup();
db()->do('ANALYZE chat_session');
