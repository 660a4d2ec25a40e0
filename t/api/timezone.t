# SO-TimeZone: every zone code of the spec at a DST boundary (or its fixed
# offset), numeric ids, IANA names, header spelling and value variants,
# the echoed response header, unknown zones (400), the default zone, and
# offset-less input read as local time (modules/handlers/mod_chats_tz.h).
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session db fresh_id);

# Instants either side of a change, and what each must read in the zone.
# EU: 2021-03-28 01:00Z (+01 -> +02), 2021-10-31 01:00Z (+02 -> +01);
# US: 2021-03-14 2:00 local, 2021-11-07 2:00 local; Sydney: 2021-04-04
# 3:00 AEDT (+11 -> +10), 2021-10-03 2:00 AEST (+10 -> +11); Dhaka's one
# DST year, 2009-06-19 23:00 local (+06 -> +07); Honolulu none.
my @CASES = (
    # [ zone, started (UTC), ended (UTC), started local, ended local ]
    [ 'NO',     '2021-03-28T00:59:59Z', '2021-03-28T01:00:00Z',
      '2021-03-28T01:59:59.0000000+01:00', '2021-03-28T03:00:00.0000000+02:00' ],
    [ 'NO',     '2021-10-31T00:59:59Z', '2021-10-31T01:00:00Z',
      '2021-10-31T02:59:59.0000000+02:00', '2021-10-31T02:00:00.0000000+01:00' ],
    [ 'DK',     '2021-03-28T00:59:59Z', '2021-03-28T01:00:00Z',
      '2021-03-28T01:59:59.0000000+01:00', '2021-03-28T03:00:00.0000000+02:00' ],
    [ 'DK',     '2021-10-31T00:59:59Z', '2021-10-31T01:00:00Z',
      '2021-10-31T02:59:59.0000000+02:00', '2021-10-31T02:00:00.0000000+01:00' ],
    [ 'FR',     '2021-03-28T00:59:59Z', '2021-03-28T01:00:00Z',
      '2021-03-28T01:59:59.0000000+01:00', '2021-03-28T03:00:00.0000000+02:00' ],
    [ 'FR',     '2021-10-31T00:59:59Z', '2021-10-31T01:00:00Z',
      '2021-10-31T02:59:59.0000000+02:00', '2021-10-31T02:00:00.0000000+01:00' ],
    [ 'BD',     '2009-06-19T16:59:59Z', '2009-06-19T17:00:00Z',
      '2009-06-19T22:59:59.0000000+06:00', '2009-06-20T00:00:00.0000000+07:00' ],
    [ 'BD',     '2021-03-28T00:59:59Z', '2021-07-01T12:00:00Z',
      '2021-03-28T06:59:59.0000000+06:00', '2021-07-01T18:00:00.0000000+06:00' ],
    [ 'US-NY',  '2021-03-14T06:59:59Z', '2021-03-14T07:00:00Z',
      '2021-03-14T01:59:59.0000000-05:00', '2021-03-14T03:00:00.0000000-04:00' ],
    [ 'US-NY',  '2021-11-07T05:59:59Z', '2021-11-07T06:00:00Z',
      '2021-11-07T01:59:59.0000000-04:00', '2021-11-07T01:00:00.0000000-05:00' ],
    [ 'US-CA',  '2021-03-14T09:59:59Z', '2021-03-14T10:00:00Z',
      '2021-03-14T01:59:59.0000000-08:00', '2021-03-14T03:00:00.0000000-07:00' ],
    [ 'US-CA',  '2021-11-07T08:59:59Z', '2021-11-07T09:00:00Z',
      '2021-11-07T01:59:59.0000000-07:00', '2021-11-07T01:00:00.0000000-08:00' ],
    [ 'US-HI',  '2021-03-14T12:00:00Z', '2021-07-01T12:00:00Z',
      '2021-03-14T02:00:00.0000000-10:00', '2021-07-01T02:00:00.0000000-10:00' ],
    [ 'CA-QC',  '2021-03-14T06:59:59Z', '2021-03-14T07:00:00Z',
      '2021-03-14T01:59:59.0000000-05:00', '2021-03-14T03:00:00.0000000-04:00' ],
    [ 'CA-QC',  '2021-11-07T05:59:59Z', '2021-11-07T06:00:00Z',
      '2021-11-07T01:59:59.0000000-04:00', '2021-11-07T01:00:00.0000000-05:00' ],
    [ 'AU-ACT', '2021-04-03T15:59:59Z', '2021-04-03T16:00:00Z',
      '2021-04-04T02:59:59.0000000+11:00', '2021-04-04T02:00:00.0000000+10:00' ],
    [ 'AU-ACT', '2021-10-02T15:59:59Z', '2021-10-02T16:00:00Z',
      '2021-10-03T01:59:59.0000000+10:00', '2021-10-03T03:00:00.0000000+11:00' ],
    [ 'UTC',    '2021-03-28T00:59:59Z', '2021-03-28T01:00:00Z',
      '2021-03-28T00:59:59.0000000+00:00', '2021-03-28T01:00:00.0000000+00:00' ],
    # numeric ids (GET /api/v1/timezone): NO = 261, UTC = 1, DK = 140,
    # US-NY = 460
    [ '261',    '2021-03-28T00:59:59Z', '2021-03-28T01:00:00Z',
      '2021-03-28T01:59:59.0000000+01:00', '2021-03-28T03:00:00.0000000+02:00' ],
    [ '1',      '2021-03-28T00:59:59Z', '2021-03-28T01:00:00Z',
      '2021-03-28T00:59:59.0000000+00:00', '2021-03-28T01:00:00.0000000+00:00' ],
    [ '140',    '2021-10-31T00:59:59Z', '2021-10-31T01:00:00Z',
      '2021-10-31T02:59:59.0000000+02:00', '2021-10-31T02:00:00.0000000+01:00' ],
    [ '460',    '2021-03-14T06:59:59Z', '2021-03-14T07:00:00Z',
      '2021-03-14T01:59:59.0000000-05:00', '2021-03-14T03:00:00.0000000-04:00' ],
    # IANA names (PostgreSQL's spelling echoed), any case
    [ 'Europe/Oslo', '2021-03-28T00:59:59Z', '2021-03-28T01:00:00Z',
      '2021-03-28T01:59:59.0000000+01:00', '2021-03-28T03:00:00.0000000+02:00' ],
    [ 'america/new_york', '2021-11-07T05:59:59Z', '2021-11-07T06:00:00Z',
      '2021-11-07T01:59:59.0000000-04:00', '2021-11-07T01:00:00.0000000-05:00' ],
    [ 'Australia/Sydney', '2021-04-03T15:59:59Z', '2021-04-03T16:00:00Z',
      '2021-04-04T02:59:59.0000000+11:00', '2021-04-04T02:00:00.0000000+10:00' ],
    [ 'Etc/GMT+3', '2021-03-28T00:59:59Z', '2021-07-01T12:00:00Z',
      '2021-03-27T21:59:59.0000000-03:00', '2021-07-01T09:00:00.0000000-03:00' ],
    # a zone PostgreSQL also knows as a fixed abbreviation: DST still
    [ 'CET',    '2021-03-28T00:59:59Z', '2021-03-28T01:00:00Z',
      '2021-03-28T01:59:59.0000000+01:00', '2021-03-28T03:00:00.0000000+02:00' ],
    # codes in any case
    [ 'no',     '2021-03-28T00:59:59Z', '2021-03-28T01:00:00Z',
      '2021-03-28T01:59:59.0000000+01:00', '2021-03-28T03:00:00.0000000+02:00' ],
    [ 'us-ny',  '2021-03-14T06:59:59Z', '2021-03-14T07:00:00Z',
      '2021-03-14T01:59:59.0000000-05:00', '2021-03-14T03:00:00.0000000-04:00' ],
    [ 'Au-Act', '2021-10-02T15:59:59Z', '2021-10-02T16:00:00Z',
      '2021-10-03T01:59:59.0000000+10:00', '2021-10-03T03:00:00.0000000+11:00' ],
);

my %ECHO = (
    'Europe/Oslo' => 'Europe/Oslo', 'america/new_york' => 'America/New_York',
    'Australia/Sydney' => 'Australia/Sydney', 'Etc/GMT+3' => 'Etc/GMT+3',
    'CET' => 'CET', no => 'NO', 'us-ny' => 'US-NY', 'Au-Act' => 'AU-ACT',
);

# Value variants: [ header name, value, echo, zone of @CASES[0] (NO) or UTC ]
my @VARIANTS = (
    [ 'SO-TimeZone', 'NO,includeTZOffset', 'NO,includeTZOffset', 'NO' ],
    [ 'SO-TimeZone', 'NO, includeTZOffset', 'NO,includeTZOffset', 'NO' ],
    [ 'SO-Timezone', 'no,includeTZOffset', 'NO,includeTZOffset', 'NO' ],
    [ 'so-timezone', 'NO', 'NO', 'NO' ],
    [ 'SO-TIMEZONE', 'NO', 'NO', 'NO' ],
    [ 'SO-Timezone', 'UTC,includeTZOffset,includeTZOffset',
      'UTC,includeTZOffset', 'UTC' ],
    [ 'SO-Timezone', 'includeTZOffset', 'UTC,includeTZOffset', 'UTC' ],
    [ 'SO-Timezone', 'INCLUDETZOFFSET', 'UTC,includeTZOffset', 'UTC' ],
    [ 'SO-Timezone', 'includeTZOffset,NO,includeTZOffset',
      'NO,includeTZOffset', 'NO' ],
    [ 'SO-Timezone', 'NO,NO', 'NO', 'NO' ],
    [ 'SO-Timezone', '', 'UTC', 'UTC' ],
);

my @BAD = ('XX', 'US', 'US-XX', 'Nowhere/Land', 'Europe/Osloo', '999', '0',
           'FOO+3', '5', '-05:00', 'NO,DK', 'Europe/../etc', 'CEST',
           'includeTZOffset,US-NY,UTC');

my $ID = fresh_id();
my $URL = "/api/v1/ChatSession/$ID";

plan tests => 4 * @CASES + 4 * @VARIANTS + 3 * @BAD + 5 + 4 + 14 + 6,
    need_lwp, need_module('mod_dbd.c');

sub get_tz {
    my ($name, $value) = @_;
    return req(GET => $URL, defined $name ? (headers => [$name => $value])
                                          : ());
}

# ---- every zone at its boundary ------------------------------------------
for my $c (@CASES) {
    my ($zone, $t0, $t1, $l0, $l1) = @$c;
    seed_session($ID, when_started => $t0, when_ended => $t1);
    my $res = get_tz('SO-TimeZone', "$zone,includeTZOffset");
    is($res->code, 200, "$zone ($t0): 200") or diag($res->as_string);
    my $doc = json_body($res) || {};
    is($doc->{WhenStarted}, $l0, "$zone: $t0 -> $l0");
    is($doc->{WhenEnded}, $l1, "$zone: $t1 -> $l1");
    my $echo = $ECHO{$zone} // ($zone =~ /^[0-9]+$/ ? $zone : uc $zone);
    is($res->header('SO-TimeZone'), "$echo,includeTZOffset",
       "$zone: SO-TimeZone echoed as $echo");
}

# ---- header spelling and value variants ----------------------------------
for my $v (@VARIANTS) {
    my ($name, $value, $echo, $zone) = @$v;
    seed_session($ID, when_started => '2021-03-28T00:59:59Z',
                 when_ended => '2021-03-28T01:00:00Z');
    my $res = get_tz($name, $value);
    is($res->code, 200, "$name: '$value': 200") or diag($res->as_string);
    my $doc = json_body($res) || {};
    is($doc->{WhenStarted}, $zone eq 'NO' ? '2021-03-28T01:59:59.0000000+01:00'
                                          : '2021-03-28T00:59:59.0000000+00:00',
       "$name: '$value': WhenStarted in $zone");
    is($doc->{WhenEnded}, $zone eq 'NO' ? '2021-03-28T03:00:00.0000000+02:00'
                                        : '2021-03-28T01:00:00.0000000+00:00',
       "$name: '$value': WhenEnded in $zone");
    is($res->header('SO-TimeZone'), $echo, "$name: '$value': echo $echo");
}

# ---- unknown zones: 400 naming the header --------------------------------
for my $bad (@BAD) {
    my $res = get_tz('SO-TimeZone', $bad);
    is($res->code, 400, "SO-TimeZone '$bad': 400") or diag($res->as_string);
    my $doc = json_body($res) || {};
    is($doc->{Field}, 'SO-TimeZone', "'$bad': error names SO-TimeZone");
    ok($doc->{Error} && $doc->{ErrorType}, "'$bad': SuperOffice error body");
}

# ---- no header: the default zone (UTC), nulls untouched -------------------
seed_session($ID, when_started => '2021-03-28T00:59:59Z',
             when_ended => '2021-03-28T01:00:00.1234567Z',
             when_requested => '2021-03-28T00:00:00Z', customer_fetch => undef);
{
    my $res = get_tz();
    is($res->code, 200, 'no SO-TimeZone: 200') or diag($res->as_string);
    my $doc = json_body($res) || {};
    is($doc->{WhenStarted}, '2021-03-28T00:59:59.0000000+00:00',
       'no SO-TimeZone: UTC with +00:00');
    is($doc->{WhenEnded}, '2021-03-28T01:00:00.1234570+00:00',
       'no SO-TimeZone: microseconds kept, 7 digits');
    ok(exists $doc->{WhenFetched} && !defined $doc->{WhenFetched},
       'no SO-TimeZone: a null date-time stays null');
    is($res->header('SO-TimeZone'), 'UTC', 'no SO-TimeZone: echo UTC');
}

# SO-Browser-TZ-Offset is accepted and does not change anything.
{
    my $res = req(GET => $URL, headers => ['SO-Browser-TZ-Offset' => '60']);
    is($res->code, 200, 'SO-Browser-TZ-Offset: 200') or diag($res->as_string);
    my $doc = json_body($res) || {};
    is($doc->{WhenStarted}, '2021-03-28T00:59:59.0000000+00:00',
       'SO-Browser-TZ-Offset alone: still UTC');
    $res = req(GET => $URL, headers => ['SO-Browser-TZ-Offset' => '-300',
                                        'SO-Timezone' => 'NO']);
    $doc = json_body($res) || {};
    is($res->code, 200, 'SO-Browser-TZ-Offset with SO-Timezone: 200');
    is($doc->{WhenStarted}, '2021-03-28T01:59:59.0000000+01:00',
       'SO-Timezone wins over SO-Browser-TZ-Offset');
}

# ---- input: an offset-less date-time is local time in the zone ------------
sub stored_epoch {
    my $col = shift;
    return db()->selectrow_array(
        "SELECT floor(extract(epoch FROM $col))::bigint FROM chat_session"
        . " WHERE id = ?",
        undef, $ID);
}

sub patch_idle {
    my ($value, @h) = @_;
    return req(PATCH => $URL, headers => [@h],
               body => [{ op => 'replace', path => '/WhenIdle',
                          value => $value }]);
}

seed_session($ID);
{
    # 03:00 Oslo on the spring-forward day is 01:00Z (+02:00)
    my $res = patch_idle('2021-03-28T03:00:00', 'SO-TimeZone' => 'NO');
    is($res->code, 200, 'PATCH local 03:00 under NO: 200')
        or diag($res->as_string);
    is(stored_epoch('idle'), 1616893200, 'stored as 2021-03-28T01:00:00Z');
    my $doc = json_body($res) || {};
    is($doc->{WhenIdle}, '2021-03-28T03:00:00.0000000+02:00',
       'rendered back in NO');

    # 01:59:59 Oslo (still +01:00) is 00:59:59Z
    $res = patch_idle('2021-03-28T01:59:59.5', 'SO-Timezone' => 'no');
    is($res->code, 200, 'PATCH local 01:59:59.5 under no: 200');
    is(stored_epoch('idle'), 1616893199, 'stored as 2021-03-28T00:59:59.5Z');

    # merge patch, New York, fall back: 00:30 local is 04:30Z (-04:00)
    $res = req(PATCH => $URL, headers => ['SO-TimeZone' => 'US-NY'],
               content_type => 'application/merge-patch+json',
               body => { WhenIdle => '2021-11-07T00:30:00' });
    is($res->code, 200, 'merge PATCH local under US-NY: 200')
        or diag($res->as_string);
    is(stored_epoch('idle'), 1636259400, 'stored as 2021-11-07T04:30:00Z');

    # with a designator the value is exact, whatever the zone
    $res = patch_idle('2021-03-28T03:00:00Z', 'SO-TimeZone' => 'NO');
    is(stored_epoch('idle'), 1616900400, 'Z input under NO: 03:00Z');
    $res = patch_idle('2021-03-28T03:00:00+05:00', 'SO-TimeZone' => 'US-NY');
    is(stored_epoch('idle'), 1616882400, '+05:00 input under US-NY: 22:00Z');
    $res = patch_idle('2021-03-28T03:00:00.000Z', 'SO-Timezone' => 'AU-ACT');
    is(stored_epoch('idle'), 1616900400,
       'the official client\'s ...sssZ under AU-ACT: exact');

    # without SO-TimeZone, offset-less input is UTC (the default zone)
    $res = patch_idle('2021-03-28T03:00:00');
    is($res->code, 200, 'PATCH offset-less without SO-TimeZone: 200');
    is(stored_epoch('idle'), 1616900400, 'read as UTC');

    # a bad zone refuses the write
    $res = patch_idle('2021-03-28T05:00:00', 'SO-TimeZone' => 'XX');
    is($res->code, 400, 'PATCH under an unknown zone: 400');
    is(stored_epoch('idle'), 1616900400, 'row unchanged');
}

# ---- carriers: converted, except created/updated stamps (always UTC) ------
{
    my $dbh = db();
    $dbh->do(q{INSERT INTO sale (sale_id, title, sale_date)
               VALUES (?, 'TZ sale', '2021-07-01T12:00:00Z')
               ON CONFLICT (sale_id) DO UPDATE SET sale_date = EXCLUDED.sale_date},
             undef, $ID);
    $dbh->do(q{INSERT INTO ticket (ticket_id, title, created_at)
               VALUES (?, 'TZ ticket', '2021-07-01T12:00:00Z')
               ON CONFLICT (ticket_id) DO UPDATE SET created_at = EXCLUDED.created_at},
             undef, $ID);
    seed_session($ID, sale_id => $ID, ticket_id => $ID);
    my $res = get_tz('SO-TimeZone', 'NO,includeTZOffset');
    is($res->code, 200, 'carriers under NO: 200') or diag($res->as_string);
    my $doc = json_body($res) || {};
    is($doc->{Sale} && $doc->{Sale}{SaleDate},
       '2021-07-01T14:00:00.0000000+02:00', 'Sale/SaleDate in NO');
    is($doc->{Ticket} && $doc->{Ticket}{CreatedAt},
       '2021-07-01T12:00:00.0000000+00:00', 'Ticket/CreatedAt stays UTC');
    is($doc->{WhenRequested}, '2011-01-11T17:54:08.0000000+01:00',
       'WhenRequested in NO (winter)');
    $res = get_tz();
    $doc = json_body($res) || {};
    is($doc->{Sale} && $doc->{Sale}{SaleDate},
       '2021-07-01T12:00:00.0000000+00:00', 'no header: Sale/SaleDate UTC');
    is($doc->{Ticket} && $doc->{Ticket}{CreatedAt},
       '2021-07-01T12:00:00.0000000+00:00', 'no header: CreatedAt UTC');
}
