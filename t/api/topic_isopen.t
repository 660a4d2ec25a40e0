# IsOpen's rule (issue 19, design note §5), in the database function
# every caller asks, chats_topic_is_open(topic, instant, default zone): called
# here with explicit instants, judged by an oracle that does not use
# PostgreSQL -- the C library's localtime() in the topic's zone (TZ,
# tzset), then the rule: a topic without opening hours is open; else
# open when the local day of the week is enabled, start <= time < stop
# (a stop of 23:59:59 lasts to the end of the day) and not inside the
# lunch hours, when used.
#
# Weeks around each DST change of 2025 in New York and Oslo: every 15
# minutes, and every edge (start, stop, lunch) of each local day, 1 s
# before, at and after. The spring gap and the autumn repeat are also
# spelled out instant by instant. The topics are made in a transaction
# that is rolled back: nothing is left behind.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(db);
use POSIX qw(tzset mktime);
use Time::Local qw(timegm);

plan tests => 4 * 2 + 29 + 10;

sub hms { my ($h, $m, $s) = split /:/, $_[0]; $h * 3600 + $m * 60 + ($s // 0) }

my @DAYS = qw(mon tue wed thu fri sat sun);

# The hours of design note §5's topics: weekdays 08:00-17:00 with lunch
# 11:30-12:30, Saturday 10:00-14:00, Sunday 01:30-02:30 (across the
# change of both zones' clocks).
my %WEEK = (
    on    => 1,
    lunch => [hms('11:30'), hms('12:30')],
    days  => [ (map { [1, hms('08:00'), hms('17:00')] } 1 .. 5),
               [1, hms('10:00'), hms('14:00')],
               [1, hms('01:30'), hms('02:30')] ],
);

my $d = db();
$d->begin_work;

# A topic with these hours (tz: a tz_location id or undef); its id.
sub topic {
    my ($h, $tz) = @_;
    my %col = (name => 'isopen', use_opening_hours => $h->{on} ? 1 : 0,
               tz_location_id => $tz);
    for my $i (0 .. 6) {
        my ($on, $start, $stop) = @{ $h->{days}[$i] || [0, 0, 0] };
        @col{map { "$DAYS[$i]_$_" } qw(enabled start stop)} =
            ($on ? 1 : 0, $start, $stop);
    }
    if ($h->{lunch}) {
        @col{qw(use_lunch_hours lunch_start lunch_stop)} = (1, @{ $h->{lunch} });
    }
    my @names = sort keys %col;
    return $d->selectrow_array(
        'INSERT INTO chat_topic (' . join(', ', @names) . ') VALUES ('
        . join(', ', ('?') x @names) . ') RETURNING id',
        undef, @col{@names});
}

# The oracle: the rule, on the local wall clock localtime() gives in TZ.
sub expected {
    my ($h, $zone, $t) = @_;
    return 1 unless $h->{on};
    $ENV{TZ} = $zone;
    tzset();
    my @lt = localtime($t);
    my $secs = $lt[2] * 3600 + $lt[1] * 60 + $lt[0];
    my ($on, $start, $stop) = @{ $h->{days}[($lt[6] + 6) % 7] };
    return 0 unless $on && $secs >= $start && ($secs < $stop || $stop == 86399);
    return 0 if $h->{lunch} && $secs >= $h->{lunch}[0] && $secs < $h->{lunch}[1];
    return 1;
}

# The function's answers for many instants at once (epoch seconds).
sub is_open_at {
    my ($topic, $zone, @t) = @_;
    my $rows = $d->selectcol_arrayref(
        q{SELECT chats_topic_is_open(?, to_timestamp(u.x), ?)::int
            FROM unnest(?::float8[]) WITH ORDINALITY AS u(x, n) ORDER BY u.n},
        undef, $topic, $zone, \@t);
    return @$rows;
}

sub is_open { my ($topic, $at, $zone) = @_;
    return scalar $d->selectrow_array(
        'SELECT chats_topic_is_open(?, ?::timestamptz, ?)::int',
        undef, $topic, $at, $zone // 'UTC') }

# The instants of a local week from date (y, m, d) in zone: every 15
# minutes, and each day's edges -1, 0, +1 s.
sub week_instants {
    my ($h, $zone, $y, $m, $day) = @_;
    $ENV{TZ} = $zone;
    tzset();
    my $from = mktime(0, 0, 0, $day, $m - 1, $y - 1900, 0, 0, -1);
    my $to   = mktime(0, 0, 0, $day + 7, $m - 1, $y - 1900, 0, 0, -1);
    my @t;
    for (my $t = $from; $t < $to; $t += 900) { push @t, $t }
    for my $k (0 .. 6) {
        my @lt = localtime(mktime(0, 0, 12, $day + $k, $m - 1, $y - 1900,
                                  0, 0, -1));
        my (undef, $start, $stop) = @{ $h->{days}[($lt[6] + 6) % 7] };
        for my $edge ($start, $stop, $h->{lunch} ? @{ $h->{lunch} } : ()) {
            my $e = mktime($edge % 60, int($edge / 60) % 60, int($edge / 3600),
                           $day + $k, $m - 1, $y - 1900, 0, 0, -1);
            push @t, $e - 1, $e, $e + 1;
        }
    }
    return @t;
}

# The function against the oracle over one week: the instants where they
# differ, as local times, none expected.
sub check_week {
    my ($name, $topic, $h, $zone, $default, @ymd) = @_;
    my @t = week_instants($h, $zone, @ymd);
    my @got = is_open_at($topic, $default, @t);
    my @wrong;
    for my $i (0 .. $#t) {
        my $want = expected($h, $zone, $t[$i]);
        push @wrong, POSIX::strftime('%a %F %T %Z', localtime($t[$i]))
                     . " want $want got " . ($got[$i] // 'NULL')
            if !defined $got[$i] || $got[$i] != $want;
    }
    ok(@t >= 672 + 7 * 6, "$name: " . scalar(@t) . ' instants')
        or diag('only ' . scalar(@t));
    is_deeply(\@wrong, [], "$name: every instant as the oracle says")
        or diag(join("\n", @wrong[0 .. ($#wrong < 20 ? $#wrong : 19)]));
}

my $NY = topic(\%WEEK, 460);
my $OSLO = topic(\%WEEK, 261);
check_week('New York, spring', $NY, \%WEEK, 'America/New_York', 'UTC', 2025, 3, 6);
check_week('New York, autumn', $NY, \%WEEK, 'America/New_York', 'UTC', 2025, 10, 30);
check_week('Oslo, spring', $OSLO, \%WEEK, 'Europe/Oslo', 'UTC', 2025, 3, 27);
check_week('Oslo, autumn', $OSLO, \%WEEK, 'Europe/Oslo', 'UTC', 2025, 10, 23);

# ---- the changes of the clock, instant by instant (Sunday 01:30-02:30)
my @SPELLED = (
    # New York, 2025-03-09: 02:00 EST is 03:00 EDT.
    [$NY, '2025-03-09T06:29:59Z', 0, 'NY spring: 01:29:59 EST, before the opening'],
    [$NY, '2025-03-09T06:30:00Z', 1, 'NY spring: 01:30:00 EST opens'],
    [$NY, '2025-03-09T06:59:59Z', 1, 'NY spring: 01:59:59 EST open'],
    [$NY, '2025-03-09T07:00:00Z', 0, 'NY spring: 03:00:00 EDT, past 02:30: closed (02:xx never seen)'],
    # New York, 2025-11-02: 02:00 EDT is 01:00 EST; 01:xx twice.
    [$NY, '2025-11-02T05:29:59Z', 0, 'NY autumn: 01:29:59 EDT, first pass, closed'],
    [$NY, '2025-11-02T05:30:00Z', 1, 'NY autumn: 01:30:00 EDT, first pass, open'],
    [$NY, '2025-11-02T05:59:59Z', 1, 'NY autumn: 01:59:59 EDT, first pass, open'],
    [$NY, '2025-11-02T06:00:00Z', 0, 'NY autumn: 01:00:00 EST, second pass, closed again'],
    [$NY, '2025-11-02T06:30:00Z', 1, 'NY autumn: 01:30:00 EST, second pass, open'],
    [$NY, '2025-11-02T06:59:59Z', 1, 'NY autumn: 01:59:59 EST, second pass, open'],
    [$NY, '2025-11-02T07:29:59Z', 1, 'NY autumn: 02:29:59 EST open'],
    [$NY, '2025-11-02T07:30:00Z', 0, 'NY autumn: 02:30:00 EST closes'],
    # Oslo, 2025-03-30: 02:00 CET is 03:00 CEST.
    [$OSLO, '2025-03-30T00:29:59Z', 0, 'Oslo spring: 01:29:59 CET closed'],
    [$OSLO, '2025-03-30T00:30:00Z', 1, 'Oslo spring: 01:30:00 CET opens'],
    [$OSLO, '2025-03-30T00:59:59Z', 1, 'Oslo spring: 01:59:59 CET open'],
    [$OSLO, '2025-03-30T01:00:00Z', 0, 'Oslo spring: 03:00:00 CEST closed'],
    # Oslo, 2025-10-26: 03:00 CEST is 02:00 CET; 02:xx twice.
    [$OSLO, '2025-10-25T23:30:00Z', 1, 'Oslo autumn: 01:30:00 CEST open'],
    [$OSLO, '2025-10-26T00:29:59Z', 1, 'Oslo autumn: 02:29:59 CEST, first pass, open'],
    [$OSLO, '2025-10-26T00:30:00Z', 0, 'Oslo autumn: 02:30:00 CEST, first pass, closed'],
    [$OSLO, '2025-10-26T01:00:00Z', 1, 'Oslo autumn: 02:00:00 CET, second pass, open again'],
    [$OSLO, '2025-10-26T01:29:59Z', 1, 'Oslo autumn: 02:29:59 CET, second pass, open'],
    [$OSLO, '2025-10-26T01:30:00Z', 0, 'Oslo autumn: 02:30:00 CET closed'],
    # Lunch, Monday 2025-03-10 in New York (EDT).
    [$NY, '2025-03-10T15:29:59Z', 1, 'NY: 11:29:59, before lunch, open'],
    [$NY, '2025-03-10T15:30:00Z', 0, 'NY: 11:30:00, lunch, closed'],
    [$NY, '2025-03-10T16:29:59Z', 0, 'NY: 12:29:59, lunch, closed'],
    [$NY, '2025-03-10T16:30:00Z', 1, 'NY: 12:30:00, after lunch, open'],
    [$NY, '2025-03-10T20:59:59Z', 1, 'NY: 16:59:59 open'],
    [$NY, '2025-03-10T21:00:00Z', 0, 'NY: 17:00:00 closes'],
);
is(is_open($_->[0], $_->[1]), $_->[2], $_->[3]) for @SPELLED;
is(scalar(@SPELLED), 28, 'the spelled-out instants');

# ---- no opening hours, no day, the end of the day, the default zone
my @utc_week = week_instants(\%WEEK, 'America/New_York', 2025, 3, 6);
my $always = topic({ on => 0, days => [] }, 460);
is(join('', is_open_at($always, 'UTC', @utc_week)), '1' x @utc_week,
   'OpeningHoursEnabled false: open at every instant of the week (all days off too)');
my $never = topic({ on => 1,
                    days => [ map { [0, 0, 86399] } 1 .. 7 ] }, 460);
is(join('', is_open_at($never, 'UTC', @utc_week)), '0' x @utc_week,
   'every day disabled: closed at every instant of the week');
my $all_day = topic({ on => 1, days => [ map { [1, 0, 86399] } 1 .. 7 ] }, 1);
is(is_open($all_day, '2025-03-10T23:59:59.9Z') . is_open($all_day, '2025-03-10T23:59:59Z')
   . is_open($all_day, '2025-03-11T00:00:00Z'), '111',
   'stop 23:59:59: open to the end of the day (23:59:59.9), and from midnight');
my $to_58 = topic({ on => 1, days => [ map { [1, 0, 86398] } 1 .. 7 ] }, 1);
is(is_open($to_58, '2025-03-10T23:59:57.9Z') . is_open($to_58, '2025-03-10T23:59:58Z'),
   '10', 'stop 23:59:58: closes at 23:59:58 (stop is not included)');
my $closed_day = topic({ on => 1, days => [ [1, hms('09:00'), hms('09:00')] ] }, 1);
is(is_open($closed_day, '2025-03-10T09:00:00Z'), 0, 'stop = start: the day is closed');
my $no_zone = topic({ on => 1, days => [ map { [1, hms('08:00'), hms('17:00')] } 1 .. 5 ] },
                    undef);
is(join(' ', map { is_open($no_zone, '2025-03-10T20:00:00Z', $_) }
                 'UTC', 'America/New_York', 'Europe/Oslo'), '0 1 0',
   'TzLocation null: the default zone decides (20:00 UTC, 16:00 New York, 21:00 Oslo)');
my $utc_zone = topic({ on => 1, days => [ map { [1, hms('08:00'), hms('17:00')] } 1 .. 5 ] },
                     1);
is(is_open($utc_zone, '2025-03-10T20:00:00Z', 'America/New_York'), 0,
   'TzLocation UTC: the topic\'s zone wins over the default');
my $ny_default = topic(\%WEEK, undef);
check_week('TzLocation null, default New York', $ny_default, \%WEEK,
           'America/New_York', 'America/New_York', 2025, 10, 30);
ok(!defined $d->selectrow_array(
       q{SELECT chats_topic_is_open(-1, now(), 'UTC')}),
   'no such topic: NULL');

$d->rollback;
