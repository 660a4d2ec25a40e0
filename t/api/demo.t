# The demo data (conf/demo.sql), as the README names it:
#
#   844  the SuperOffice docs' seed sample, value for value (issue 7): what a
#        user comparing the demo with the docs sees is the same entity;
#   845  the carrier-rich demo session (User, Person, Contact, Project,
#        Sale, Ticket all set), the one 844 used to be.
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

# The sample's values, by JSON member. CustomerConsented: the sample value
# is not in the specs or the issue; false is the column's empty value.
my %SAMPLE = (
    ChatSessionId       => 844,
    TopicId             => 498,
    CustomerAlias       => 'dicta',
    CustomerHost        => 'rerum',
    CustomerName        => 'Leffler, Lemke and Pfannerstill',
    CustomerEmail       => 'greta@mcclureleffler.com',
    CustomerPhone       => '(311)163-3014 x529',
    CustomerConsented   => JSON::PP::false,
    CustomerCompanyName => 'Upton Inc and Sons',
    Status              => 'Closed',
    FirstMessage        => 'qui',
    LastMessage         => 'atque',
    SessionKey          => 'voluptates',
    InitialQueuePos     => 48,
    AlertLevel          => 420,
    Rank                => 301,
    Flags               => 'CustomerIsTyping',
    ChatbotIsActive     => JSON::PP::true,
    Rating              => 546,
);
my @CARRIERS = qw(User Person Contact Project Sale Ticket TransferTo);

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

plan tests => 4 + keys(%SAMPLE) + @CARRIERS + @DATES   # 844
            + 1 + @DATES                              # 844 in NO
            + @DATES + 2                              # stored values
            + 3 + @RICH + 3,                          # 845
    need_lwp, need_module('mod_dbd.c');

# ---- 844: GET with the demo credentials (Basic tje0 / Tje0) ---------------
my $res = req(GET => '/api/v1/ChatSession/844', auth => ['tje0', 'Tje0']);
is($res->code, 200, 'GET 844 as tje0: 200') or diag($res->as_string);
my $doc = json_body($res) || {};
is(ref $doc, 'HASH', '844: a JSON object');
is($res->header('SO-TimeZone'), 'UTC', '844: rendered in the default zone');
ok(exists $doc->{_Links} && exists $doc->{FieldProperties},
   '844: an entity with links');

for my $name (sort keys %SAMPLE) {
    my $want = $SAMPLE{$name};
    if (JSON::PP::is_bool($want)) {
        ok(JSON::PP::is_bool($doc->{$name}) && !!$doc->{$name} == !!$want,
           "844: $name is " . ($want ? 'true' : 'false'))
            or diag("got " . JSON::PP->new->allow_nonref->encode($doc->{$name}));
    }
    else {
        is($doc->{$name}, $want, "844: $name is $want");
    }
}
for my $c (@CARRIERS) {
    ok(exists $doc->{$c} && !defined $doc->{$c}, "844: $c is null")
        or diag("$c: " . JSON::PP->new->canonical->allow_nonref
                                     ->encode($doc->{$c}));
}
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
