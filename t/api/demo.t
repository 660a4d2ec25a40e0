# The demo data (conf/demo.sql), as the README names it:
#
#   844  the SuperOffice docs' seed sample, value for value (issue 7): what a
#        user comparing the demo with the docs sees is the same entity;
#   845  the carrier-rich demo session (User, Person, Contact, Project,
#        Sale, Ticket all set), the one 844 used to be;
#   topics 1 Sales (no opening hours: always open) and 2 Support (opening
#        hours, every day disabled: always closed), with members and
#        every lookup a topic refers to.
#
# Date-times: the sample writes seven fractional digits with the offset of
# Europe/Oslo (+01:00 in winter, +02:00 in summer). They are stored as
# instants, to the microsecond: PostgreSQL rounds the 7th digit, so
# .0074687 is kept as .007469 and a GET renders .0074690. Without
# SO-TimeZone they render in UTC; with SO-TimeZone: NO they render with
# the sample's own offsets.
#
# This file only reads: it must hold whichever test ran before it, so no
# test may write 844 or 845 (they use rows of their own).
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body db);
use JSON::PP ();

# The sample response, as the docs print it (t/data/README). Every member
# is compared with GET 844, but three that the docs fill with placeholders
# of another entity or install: TableRight (null there; ours is the
# caller's right on the row), FieldProperties (one made-up "fieldName")
# and _Links (https://www.example.com/api/v1/project/321). Each of those
# three is checked for its shape instead.
my %NOT_COMPARED = map { $_ => 1 } qw(TableRight FieldProperties _Links);
my $SAMPLE = do {
    my $file = 't/data/seed-sample-response.json';
    open my $fh, '<:raw', $file or die "$file: $!";
    local $/;
    JSON::PP->new->decode(<$fh>);
};
my @COMPARED = grep { !$NOT_COMPARED{$_} } sort keys %$SAMPLE;

# A date-time as the instant PostgreSQL keeps: microseconds since the
# epoch, the 7th fractional digit rounded half away from zero (.0074687
# is kept as .007469).
sub instant_us {
    my ($s) = @_;
    my ($y, $mo, $d, $h, $mi, $sec, $frac, $sign, $oh, $om) = $s =~
        /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:Z|([+-])(\d\d):(\d\d))$/
        or return undef;
    require Time::Local;
    my $t = Time::Local::timegm($sec, $mi, $h, $d, $mo - 1, $y);
    $t -= ($sign eq '-' ? -1 : 1) * ($oh * 3600 + $om * 60) if $sign;
    $frac = substr(($frac // '') . '0000000', 0, 7);
    return $t * 1_000_000 + int(($frac + 5) / 10);
}
my $DATE_RE = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/;

# [ member, column, as the sample writes it, as GET renders it in UTC,
#   as GET renders it with SO-TimeZone: NO ] -- .0074687 -> .0074690.
my @DATES = (
    [ WhenRequested => 'when_requested', '2011-01-11T17:54:08.0074687+01:00',
      '2011-01-11T16:54:08.0074690+00:00', '2011-01-11T17:54:08.0074690+01:00' ],
    [ WhenStarted => 'when_started', '2024-04-15T17:54:08.0074687+02:00',
      '2024-04-15T15:54:08.0074690+00:00', '2024-04-15T17:54:08.0074690+02:00' ],
    [ WhenEnded => 'when_ended', '2020-01-05T17:54:08.0074687+01:00',
      '2020-01-05T16:54:08.0074690+00:00', '2020-01-05T17:54:08.0074690+01:00' ],
    [ WhenIdle => 'idle', '2022-01-01T17:54:08.0074687+01:00',
      '2022-01-01T16:54:08.0074690+00:00', '2022-01-01T17:54:08.0074690+01:00' ],
    [ WhenFetched => 'customer_fetch', '2020-10-14T17:54:08.0074687+02:00',
      '2020-10-14T15:54:08.0074690+00:00', '2020-10-14T17:54:08.0074690+02:00' ],
);

# 845: the carrier-rich session, by carrier: [ member, key, id ].
my @RICH = (
    [ User    => AssociateId => 5 ],
    [ Person  => PersonId    => 33 ],
    [ Contact => ContactId   => 12 ],
    [ Project => ProjectId   => 321 ],
    [ Sale    => SaleId      => 77 ],
    [ Ticket  => TicketId    => 901 ],
);

plan tests => 5 + @COMPARED + 3 + @DATES          # 844
            + 1 + @DATES                         # 844 in NO
            + @DATES + 2                         # stored values
            + 3 + @RICH + 3                      # 845
            + 5,                                 # topics 1 and 2
    need_lwp, need_module('mod_dbd.c');

my $JSON = JSON::PP->new->canonical->allow_nonref;

# ---- 844: GET with the demo credentials (Basic tje0 / Tje0) ---------------
my $res = req(GET => '/api/v1/ChatSession/844', auth => ['tje0', 'Tje0']);
is($res->code, 200, 'GET 844 as tje0: 200') or diag($res->as_string);
my $doc = json_body($res) || {};
is(ref $doc, 'HASH', '844: a JSON object');
is($res->header('SO-TimeZone'), 'UTC', '844: rendered in the default zone');
is(join(',', sort keys %$doc), join(',', sort keys %$SAMPLE),
   '844: the members of the sample, no more, no fewer');
is(scalar(@COMPARED) + scalar(keys %NOT_COMPARED), scalar(keys %$SAMPLE),
   'the sample has ' . scalar(keys %$SAMPLE) . ' members, '
   . scalar(@COMPARED) . ' of them compared by value');

for my $name (@COMPARED) {
    my ($want, $got) = ($SAMPLE->{$name}, $doc->{$name});
    if (defined $want && !ref $want && $want =~ $DATE_RE) {
        is(instant_us($got), instant_us($want),
           "844: $name is the instant $want (to the microsecond)")
            or diag("got " . $JSON->encode($got));
    }
    elsif (JSON::PP::is_bool($want)) {
        ok(JSON::PP::is_bool($got) && !!$got == !!$want,
           "844: $name is " . ($want ? 'true' : 'false'))
            or diag("got " . $JSON->encode($got));
    }
    else {
        is($JSON->encode($got), $JSON->encode($want),
           "844: $name is " . $JSON->encode($want));
    }
}
ok(ref $doc->{TableRight} eq 'HASH' && defined $doc->{TableRight}{Mask},
   '844: TableRight is the caller\'s right (the sample has a null placeholder)')
    or diag($JSON->encode($doc->{TableRight}));
ok(ref $doc->{FieldProperties} eq 'HASH'
   && ref $doc->{FieldProperties}{CustomerConsented} eq 'HASH',
   '844: FieldProperties names our fields (the sample has "fieldName")');
like($doc->{_Links} && $doc->{_Links}{Self}, qr{/api/v1/ChatSession/844$},
     '844: _Links.Self is this session (the sample\'s is a project\'s)');
for my $d (@DATES) {
    my ($name, undef, $sample, $utc) = @$d;
    is($doc->{$name}, $utc, "844: $name is $sample, rendered in UTC "
                            . '(7th digit rounded: .0074690)');
}

# The same instants in the sample's own offsets.
{
    my $r = req(GET => '/api/v1/ChatSession/844',
                headers => ['SO-TimeZone' => 'NO,includeTZOffset']);
    is($r->code, 200, 'GET 844, SO-TimeZone: NO: 200') or diag($r->as_string);
    my $no = json_body($r) || {};
    for my $d (@DATES) {
        my ($name, undef, $sample, undef, $oslo) = @$d;
        is($no->{$name}, $oslo, "844, NO: $name renders as the sample's "
                                . "$sample, rounded to .0074690");
    }
}

# What is stored: the instants (compared in PostgreSQL, rounded as it
# rounds its input), and the topic the session points to.
for my $d (@DATES) {
    my ($name, $col, $sample) = @$d;
    my ($same) = db()->selectrow_array(
        "SELECT $col = ?::timestamptz FROM chat_session WHERE id = 844",
        undef, $sample);
    ok($same, "844: $col holds the instant $sample");
}
is(db()->selectrow_array('SELECT count(*) FROM chat_topic WHERE id = 498'), 1,
   'topic 498 exists');
is(db()->selectrow_array(
       'SELECT topic_id FROM chat_session WHERE id = 844'), 498,
   '844: topic_id references it');

# ---- 845: the carrier-rich demo session -----------------------------------
$res = req(GET => '/api/v1/ChatSession/845');
is($res->code, 200, 'GET 845 as tje0: 200') or diag($res->as_string);
$doc = json_body($res) || {};
is($doc->{ChatSessionId}, 845, '845: ChatSessionId');
is($doc->{TopicId}, 1, '845: TopicId 1 (Sales)');
for my $c (@RICH) {
    my ($member, $key, $id) = @$c;
    is(ref $doc->{$member} eq 'HASH' ? $doc->{$member}{$key} : undef, $id,
       "845: $member is $key $id");
}
is($doc->{Contact} && $doc->{Contact}{Name}, 'SuperOffice ASA',
   '845: Contact rendered from its row');
ok(exists $doc->{TransferTo} && !defined $doc->{TransferTo},
   '845: TransferTo null (no pending transfer)');
is($doc->{WhenRequested}, '2011-01-11T16:54:08.0074680+00:00',
   '845: WhenRequested');

# ---- the topics: one open now, one closed, whatever the time ------------
is(db()->selectrow_array(q{SELECT string_agg(t.id || ' ' || t.name || ':'
         || (SELECT string_agg(m.associate_id::text, ',' ORDER BY m.associate_id)
               FROM chat_topic_member m WHERE m.topic_id = t.id), ' ' ORDER BY t.id)
       FROM chat_topic t WHERE t.id IN (1, 2)}),
   '1 Sales:5,7 2 Support:5,8', 'topics Sales and Support, with their members');
is(db()->selectrow_array(q{SELECT concat(use_opening_hours::int,
         chats_topic_is_open(id, now(), 'UTC')::int) FROM chat_topic WHERE id = 1}),
   '01', 'Sales uses no opening hours: open now');
is(db()->selectrow_array(q{SELECT concat(use_opening_hours::int,
         (mon_enabled OR tue_enabled OR wed_enabled OR thu_enabled
          OR fri_enabled OR sat_enabled OR sun_enabled)::int,
         chats_topic_is_open(id, now(), 'UTC')::int) FROM chat_topic WHERE id = 2}),
   '100', 'Support uses opening hours with every day disabled: closed now');
is(db()->selectrow_array(q{SELECT string_agg(concat_ws('/', l.value, r.name,
             c.value, p.value, k.fullname, z.zone), ' ' ORDER BY t.id)
       FROM chat_topic t
       JOIN cust_lang l ON l.id = t.language_id
       JOIN reply_template r ON r.reply_template_id = t.alert_template
       JOIN ej_category c ON c.id = t.category_id
       JOIN ticket_priority p ON p.id = t.priority_id
       JOIN kb_category k ON k.kb_category_id = t.kb_category_id
       JOIN tz_location z ON z.tz_location_id = t.tz_location_id
      WHERE t.id IN (1, 2)}),
   'English/Chat waiting/Sales/Normal/FAQ/Licences/Europe/Oslo '
   . 'English/Chat waiting/Support/High/FAQ/Europe/Oslo',
   'their language, alert template, ticket category and priority, FAQ category and zone');
is(db()->selectrow_array(q{SELECT ((SELECT last_value FROM chat_topic_id_seq)
                             >= max(id))::int FROM chat_topic WHERE id < 1000000}), 1,
   'a new topic\'s id comes after the demo\'s');
