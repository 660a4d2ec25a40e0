# The SO-TimeZone table of modules/core/proto/chats_zone.c against the
# spec and against the tz database of the test PostgreSQL: exactly the
# codes and ids the
# spec lists (superoffice-chatsession.md §4), every zone known to
# PostgreSQL with the offsets expected either side of a DST change, and
# the abbreviation-clash aliases (CET, MET, EET, WET) equal to the zones
# they stand for. No httpd: the source and DBI only.
use strict;
use warnings;

use File::Spec;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use ChatSession::Engine qw(repo_top slurp engine_db);

my $src = File::Spec->catfile(repo_top(), 'modules', 'core', 'proto',
                           'chats_zone.c');
my $c = slurp($src) // die "$src: $!";

sub table {
    my ($name) = @_;
    $c =~ /\}\s*\Q$name\E\[\]\s*=\s*\{(.*?)\n\};/s
        or die "table $name not found in $src";
    my $body = $1;
    return [ $body =~ /\{\s*("?[^",]+"?)\s*,\s*"([^"]+)"\s*\}/g ];
}

my %codes = @{ table('tz_codes') };
my %ids = map { s/"//gr } @{ table('tz_ids') };
my %clash = @{ table('tz_abbrev_clash') };
s/"//g for values %codes;
%codes = map { my $k = $_; $k =~ s/"//g; ($k => $codes{$_}) } keys %codes;
%clash = map { my $k = $_; $k =~ s/"//g; ($k => $clash{$_}) } keys %clash;

# code => [ zone's offset (minutes) just before, just after a change, the
#           change (UTC) ] -- an instant 1 µs before and at the change
my %EXPECT = (
    'UTC'    => [ 0, 0, '2021-03-28 01:00:00' ],
    'NO'     => [ 60, 120, '2021-03-28 01:00:00' ],
    'DK'     => [ 120, 60, '2021-10-31 01:00:00' ],
    'FR'     => [ 60, 120, '2021-03-28 01:00:00' ],
    'BD'     => [ 360, 420, '2009-06-19 17:00:00' ],
    'US-NY'  => [ -300, -240, '2021-03-14 07:00:00' ],
    'US-CA'  => [ -420, -480, '2021-11-07 09:00:00' ],
    'US-HI'  => [ -600, -600, '2021-03-14 12:00:00' ],
    'CA-QC'  => [ -240, -300, '2021-11-07 06:00:00' ],
    'AU-ACT' => [ 660, 600, '2021-04-03 16:00:00' ],
);
my %IDS = (1 => 'UTC', 140 => 'DK', 261 => 'NO', 460 => 'US-NY');

my $dbh = engine_db();

plan tests => 2 + 3 * keys(%EXPECT) + 2 * keys(%clash) + 1;

is_deeply([sort keys %codes], [sort keys %EXPECT],
          'the codes are exactly those the spec lists');
is_deeply(\%ids, \%IDS, 'the numeric ids are exactly those the spec gives');

# The offset the rendering reads beside each date-time (offset_expr in
# modules/core/sql/chats_sql.c), in minutes.
my $offsets = $dbh->prepare(q{
    SELECT CAST(EXTRACT(EPOCH FROM (u.t AT TIME ZONE $1)
                                 - (u.t AT TIME ZONE 'UTC')) AS integer) / 60
      FROM unnest(CAST($2 AS timestamptz[])) WITH ORDINALITY AS u(t, i)
     ORDER BY u.i});
my $known = $dbh->prepare(
    q{SELECT count(*) FROM pg_timezone_names WHERE name = $1});

for my $code (sort keys %EXPECT) {
    my $zone = $codes{$code} // 'none';
    my ($before, $after, $at) = @{ $EXPECT{$code} };
    $known->execute($zone);
    is(($known->fetchrow_array)[0], 1, "$code: $zone is in pg_timezone_names");
    my $list = sprintf '{"%s+00","%s+00"}',
        $dbh->selectrow_array(q{SELECT to_char(CAST($1 AS timestamp)
                                 - interval '1 microsecond',
                                 'YYYY-MM-DD HH24:MI:SS.US')}, undef, $at),
        $at;
    $offsets->execute($zone, $list);
    my @got = map { $_->[0] } @{ $offsets->fetchall_arrayref };
    is($got[0], $before, "$code: offset just before $at UTC is $before min");
    is($got[1], $after, "$code: offset at $at UTC is $after min");
}

# An IANA zone spelt like a fixed abbreviation is rendered through an
# equivalent zone: same offsets as the zone itself (via the TimeZone
# setting, which never reads abbreviations) every month 1997-2037 (the
# Debian 12 tzdata differs before: EET from Athens until 1981, WET from
# Lisbon until 1996).
my $series = q{
    SELECT string_agg(EXTRACT(TIMEZONE FROM t)::text, ',' ORDER BY t)
      FROM generate_series(timestamptz '1997-01-15 12:00Z',
                           timestamptz '2037-12-15 12:00Z',
                           interval '1 month') AS t};
for my $name (sort keys %clash) {
    $dbh->do('SELECT set_config($1, $2, false)', undef, 'TimeZone', $name);
    my $own = $dbh->selectrow_array($series);
    $dbh->do('SELECT set_config($1, $2, false)', undef, 'TimeZone',
             $clash{$name});
    my $alias = $dbh->selectrow_array($series);
    is($alias, $own, "$name rendered as $clash{$name}: same offsets 1997-2037");
    my $summer = $dbh->selectrow_array(q{
        SELECT EXTRACT(EPOCH FROM (t AT TIME ZONE $1) - (t AT TIME ZONE $2))
          FROM (SELECT timestamptz '2021-07-01 12:00Z' AS t) s},
        undef, $name, $clash{$name});
    ok($summer != 0, "AT TIME ZONE '$name' is the fixed abbreviation "
                     . "(why the alias exists)");
}
$dbh->do(q{SET TimeZone = 'UTC'});

# Date-times must not depend on the connection's TimeZone: chats_tz_name's
# set_config is local to its statement.
$dbh->do(q{SELECT pg_catalog.set_config('TimeZone', 'Europe/Oslo', true)});
is($dbh->selectrow_array('SHOW TimeZone'), 'UTC',
   'set_config(..., true) in its own statement leaves TimeZone alone');
