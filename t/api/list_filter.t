# $filter and $orderBy through the list, GET /api/v1/ChatSession (issue
# 10, README "The list"): every comparison operator, and/or/not
# precedence and parentheses, contains/startswith/endswith (case-
# insensitive, % and _ literal), oneOf with enum names and numbers, enum
# names in any case, null, carriers and their members, today and now
# (with offsets) in two zones, $orderBy with directions and its id
# tiebreak; and each error: 400 naming $filter or $orderBy, the position
# and the token, and the limits. The compiler's SQL itself is tested in
# t/unit/chats_filter_unit.c and t/engine/filter_sql.t; here it is the
# whole path, query string to rows.
use strict;
use warnings FATAL => 'all';
use utf8;

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session db fresh_ids);
use URI::Escape qw(uri_escape_utf8);

plan tests => 77, need_lwp, need_module('mod_dbd.c');

my $BASE = '/api/v1/ChatSession';
my $SCOPE = "startswith(CustomerName,'lf.t ')";

# Five sessions, $ID[1] .. $ID[5], named 1 .. 5 below:
# n => [name, status, rating, user, when_requested (SQL), when_ended]
my @ID = (undef, fresh_ids(5));
my %N = map { $ID[$_] => $_ } 1 .. 5;
my %ROWS = (
    1 => ['lf.t Ann 50%', 4, 1, 5, q{now() - interval '1 minute'}, undef],
    2 => ['lf.t Bob', 5, 3, undef, q{now() - interval '2 days'},
          q{now() - interval '1 day'}],
    3 => ["lf.t O'Hara", 6, 5, 5, q{'2020-01-01T00:00:00Z'}, undef],
    4 => ['lf.t percent%', 7, 7, undef, q{now() + interval '1 day'}, undef],
    5 => ['lf.t under_score', 9, 9, undef, q{'2011-01-11T16:54:08Z'}, undef],
);
for my $n (sort keys %ROWS) {
    my $id = $ID[$n];
    my ($name, $status, $rating, $user, $when, $ended) = @{$ROWS{$n}};
    seed_session($id, name => $name, status => $status, rating => $rating,
                 user_id => $user);
    db()->do("UPDATE chat_session SET when_requested = $when,
              when_ended = " . ($ended // 'NULL') . ' WHERE id = ?',
             undef, $id);
}

sub page {
    my ($filter, %o) = @_;
    my $q = '$filter=' . uri_escape_utf8(length $filter ? "$SCOPE and ($filter)"
                                                        : $SCOPE);
    $q .= '&$orderBy=' . uri_escape_utf8($o{orderby}) if defined $o{orderby};
    return req(GET => "$BASE?$q",
               $o{zone} ? (headers => { 'SO-TimeZone' => $o{zone} }) : ());
}

# rows($filter, %o) -> [row numbers], in the order the page has them
sub rows {
    my $res = page(@_);
    unless ($res->code == 200) {
        diag("$_[0]: " . $res->status_line . ' ' . $res->content);
        return undef;
    }
    return [map { $N{$_->{PrimaryKey}} // $_->{PrimaryKey} }
            @{(json_body($res) || {})->{value} || []}];
}

sub rows_are {
    my ($filter, $want, $what) = @_;
    is_deeply(rows($filter), $want, $what // $filter);
}

# ---- comparisons ------------------------------------------------------------
rows_are('Rating eq 3', [2]);
rows_are('Rating ne 3', [1, 3, 4, 5]);
rows_are('Rating lt 5', [1, 2]);
rows_are('Rating le 5', [1, 2, 3]);
rows_are('Rating gt 7', [5]);
rows_are('Rating ge 7', [4, 5]);
rows_are("CustomerName eq 'lf.t O''Hara'", [3], "a string with ''");
rows_are("customername EQ 'lf.t Bob'", [2],
         'field names and operators in any case');

# ---- and, or, not, parentheses ---------------------------------------------
rows_are('Rating lt 3 or Rating gt 7 and Status eq Closed', [1, 5],
         'and binds tighter than or');
rows_are('(Rating lt 3 or Rating gt 7) and Status eq InQueue', [1],
         'parentheses first');
rows_are('not Rating lt 5', [3, 4, 5], 'not');
rows_are('not (Rating lt 5 or Rating gt 7)', [3, 4], 'not (...)');
rows_are('not not Rating eq 1', [1], 'not not');

# ---- string functions --------------------------------------------------------
rows_are("contains(CustomerName,'%')", [1, 4], 'contains: % is a character');
rows_are("contains(CustomerName,'_')", [5], 'contains: _ is a character');
rows_are("startswith(CustomerName,'LF.T B')", [2],
         'startswith: case-insensitive');
rows_are("endswith(CustomerName,'SCORE')", [5], 'endswith');
rows_are("contains(CustomerName,'o''h')", [3], "contains with ''");

# ---- enums ---------------------------------------------------------------------
rows_are("Status eq 'inqueue'", [1], 'an enum name in any case, quoted');
rows_are('Status eq USERLAST', [3], '... bare');
rows_are('Status eq 7', [4], '... or its number');
rows_are("oneOf(Status,InQueue,'customerlast',6)", [1, 2, 3],
         'oneOf: names and numbers');
rows_are('Status ne Finished and Status ne Closed', [1, 2, 3],
         'ne on an enum');

# ---- null, carriers ----------------------------------------------------------
rows_are('User eq null', [2, 4, 5], 'a carrier eq null');
rows_are('User ne null', [1, 3], '... ne null');
rows_are('User eq 5', [1, 3], 'a carrier by its key');
rows_are("User/Name eq 'tje0'", [1, 3], 'a carrier member');
rows_are('WhenEnded eq null', [1, 3, 4, 5], 'a date-time eq null');
rows_are('not (WhenEnded lt now)', [1, 3, 4, 5],
         'not of a comparison with a null value holds');

# ---- date-times: literals, today, now, zones ---------------------------------
rows_are("WhenRequested lt '2020-01-01T00:00:01Z'", [3, 5],
         'a date-time in UTC');
rows_are("WhenRequested lt '2020-01-01T01:00:01+01:00'", [3, 5],
         '... with an offset');
rows_are("WhenRequested lt 2020-01-01T00:00:00.5+00:00", [3, 5],
         '... bare, with fractions');
is_deeply(rows("WhenRequested le '2020-01-01T01:00:00'", zone => 'Europe/Oslo'),
          [3, 5], 'an offset-less date-time: local time in SO-TimeZone');
is_deeply(rows("WhenRequested le '2020-01-01T00:59:59'", zone => 'Europe/Oslo'),
          [5], '... an hour before is before');
rows_are('WhenRequested lt now', [1, 2, 3, 5], 'now');
rows_are('WhenRequested gt now-3600', [1, 4], 'now-N: seconds');
rows_are('WhenRequested gt now+3600', [4], 'now+N');
rows_are('WhenRequested ge today+1', [4], 'today+N: days');

# today where the zone says: what PostgreSQL thinks the start of today is
for my $zone ('UTC', 'America/New_York', 'Pacific/Kiritimati') {
    my $want = db()->selectcol_arrayref(q{
        SELECT id FROM chat_session
         WHERE id BETWEEN $2 AND $3
           AND when_requested >= (date_trunc('day', now() AT TIME ZONE $1)
                                  AT TIME ZONE $1)
         ORDER BY id}, undef, $zone, $ID[1], $ID[5]);
    is_deeply(rows('WhenRequested ge today', zone => $zone), [@N{@$want}],
              "today in $zone");
    my $want2 = db()->selectcol_arrayref(q{
        SELECT id FROM chat_session
         WHERE id BETWEEN $2 AND $3
           AND when_requested < (date_trunc('day', now() AT TIME ZONE $1)
                                 AT TIME ZONE $1) - interval '1 day'
         ORDER BY id}, undef, $zone, $ID[1], $ID[5]);
    is_deeply(rows('WhenRequested lt today-1', zone => $zone), [@N{@$want2}],
              "today-1 in $zone");
}

# ---- $orderBy ------------------------------------------------------------------
is_deeply(rows('', orderby => 'Rating desc'),
          [5, 4, 3, 2, 1], '$orderBy desc');
is_deeply(rows('', orderby => 'User/Name asc, CustomerName DESC'),
          [3, 1, 5, 4, 2],
          'several keys, a member; nulls last ascending');
is_deeply(rows('', orderby => 'Status'),
          [1, 2, 3, 4, 5], 'asc by default');
is_deeply(rows('', orderby => 'User'),
          [1, 3, 2, 4, 5],
          'equal keys: the id breaks the tie');
is_deeply(rows('', orderby => 'ChatSessionId desc'),
          [5, 4, 3, 2, 1], 'by the id, descending');

# ---- errors -------------------------------------------------------------------
sub error_like {
    my ($q, $field, $re, $what) = @_;
    my $res = req(GET => "$BASE?$q");
    is($res->code, 400, "$what: 400") or diag($res->content);
    my $doc = json_body($res) || {};
    ok(($doc->{Field} // '') eq $field && ($doc->{ErrorMessage} // '') =~ $re,
       "$what: $field, $re") or diag($res->content);
}
sub f { return '$filter=' . uri_escape_utf8(shift) }

error_like(f('Status eq'), '$filter', qr/at 10, unexpected end/, 'a cut comparison');
error_like(f('Statu eq 1'), '$filter', qr/at 1, unknown field 'Statu'/,
           'an unknown field');
error_like(f("Rating eq 'abc'"), '$filter', qr/at 11, 'abc' is not an integer/,
           'a wrong value type');
error_like(f('Status eq Nope'), '$filter', qr/at 11, .*not a ChatSessionStatus/,
           'an unknown enum name');
error_like(f('CustomerName lt null'), '$filter', qr/at 14, lt cannot compare with null/,
           'lt null');
error_like(f("contains(Rating,'1')"), '$filter', qr/at 10, contains applies to strings/,
           'contains on a number');
error_like(f("CustomerName eq 'abc"), '$filter', qr/at 17, unterminated string/,
           'an unterminated string');
error_like(f("CustomerName eq 'Å' ex 1"), '$filter', qr/at 21, unexpected 'ex'/,
           'the position counts characters, not bytes');
error_like(f(join(' or ', ('Rating eq 1') x 101)), '$filter', qr/more than 100/,
           'more than 100 terms');
error_like(f(('(' x 40) . 'Rating eq 1' . (')' x 40)), '$filter', qr/\b32\b|deep|nest/,
           'nesting deeper than 32');
error_like(f("CustomerName eq '" . ('x' x 5000) . "'"), '$filter', qr/4096/,
           'a $filter over 4096 bytes');
error_like('$orderBy=' . uri_escape_utf8('Rating sideways'), '$orderBy',
           qr/unexpected 'sideways'/, 'an unknown direction');
error_like('$orderBy=' . uri_escape_utf8(join(',', ('Rating') x 17)), '$orderBy',
           qr/16/, 'more than 16 $orderBy keys');
error_like('$filter=Rating%20eq%20%C3%28', '$filter', qr/UTF-8/,
           'invalid UTF-8');

