# Date-times at the edges of the range (issue 8, finding 8): valid ISO
# 8601 values whose instant, after the offset and the rounding to the
# microsecond, falls outside years 1-9999 in UTC were stored as NULL
# with a 200. Now each is either stored exactly (to the microsecond, as
# the README says) or refused with a 400 naming the field, leaving the
# row as it was; through PATCH and PUT, JSON and XML alike.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session db fresh_id);

my $ID = fresh_id();
my $URL = "/api/v1/ChatSession/$ID";
my $OLD = '2020-01-02T03:04:05.000000';

# [ value, SO-TimeZone or undef, what is stored (UTC, or local time in
#   the request's zone for an offset-less value) or undef for a 400 ]
my @cases = (
    [ '9999-12-31T23:59:59.9999999Z', undef, '9999-12-31T23:59:59.999999' ],
    [ '9999-12-31T23:59:59.9999995Z', undef, '9999-12-31T23:59:59.999999' ],
    [ '9999-12-31T23:59:59.9999994Z', undef, '9999-12-31T23:59:59.999999' ],
    [ '0001-01-01T00:00:00+14:00',    undef, undef ],
    [ '9999-12-31T23:59:59-14:00',    undef, undef ],
    [ '0001-01-01T00:00:00.0000001+00:01', undef, undef ],
    [ '0001-01-01T00:00:00Z',         undef, '0001-01-01T00:00:00.000000' ],
    [ '0001-01-01T00:00:00.0000004Z', undef, '0001-01-01T00:00:00.000000' ],
    [ '0001-01-01T00:00:00-14:00',    undef, '0001-01-01T14:00:00.000000' ],
    [ '9999-12-31T23:59:59+14:00',    undef, '9999-12-31T09:59:59.000000' ],
    [ '9999-12-31T23:59:59.9999999',  'UTC', '9999-12-31T23:59:59.999999' ],
    [ '0001-01-01T00:00:00',          'UTC', '0001-01-01T00:00:00.000000' ],
    [ '9999-12-31T23:59:59',          'US-NY', '9999-12-31T23:59:59.000000' ],
    [ '0001-01-01T00:00:00',          'NO', '0001-01-01T00:00:00.000000' ],
);
my %zone = (UTC => 'UTC', 'US-NY' => 'America/New_York', NO => 'Europe/Oslo');

# Each way of sending WhenStarted = $v.
my @ways = (
    [ 'PATCH merge JSON', PATCH => sub { { WhenStarted => $_[0] } },
      'application/merge-patch+json' ],
    [ 'PATCH ops JSON', PATCH => sub {
          [ { op => 'replace', path => '/WhenStarted', value => $_[0] } ] },
      'application/json-patch+json' ],
    [ 'PATCH XML', PATCH => sub {
          "<ChatSessionEntity><WhenStarted>$_[0]</WhenStarted></ChatSessionEntity>" },
      'application/xml' ],
    [ 'PUT JSON', PUT => sub { { CustomerName => 'Put', WhenStarted => $_[0] } },
      'application/json' ],
    [ 'PUT XML', PUT => sub {
          '<ChatSessionEntity><CustomerName>Put</CustomerName>'
          . "<WhenStarted>$_[0]</WhenStarted></ChatSessionEntity>" },
      'text/xml' ],
);

plan tests => 3 * @cases * @ways, need_lwp, need_module('mod_dbd.c');

sub stored {
    my $tz = shift // 'UTC';
    return db()->selectrow_hashref(
        q{SELECT version, name,
                 to_char(when_started AT TIME ZONE ?,
                         'YYYY-MM-DD"T"HH24:MI:SS.US') AS ws
            FROM chat_session WHERE id = ?}, undef, $tz, $ID);
}

for my $c (@cases) {
    my ($v, $tz, $want) = @$c;
    for my $w (@ways) {
        my ($how, $method, $body, $ctype) = @$w;
        my $what = "$how: $v" . ($tz ? " in $tz" : '');
        seed_session($ID, name => 'Old', when_started => "$OLD+00");
        my $before = stored($zone{$tz // 'UTC'});
        my $res = req($method => $URL, body => $body->($v),
                      content_type => $ctype,
                      headers => $tz ? { 'SO-TimeZone' => $tz } : {});
        my $after = stored($zone{$tz // 'UTC'});
        if (defined $want) {
            is($res->code, 200, "$what: 200") or diag($res->content);
            is($after->{ws}, $want, "$what: stored exactly");
            isnt($after->{version}, $before->{version}, "$what: written");
        }
        else {
            is($res->code, 400, "$what: 400") or diag($res->content);
            my $doc = json_body($res) || {};
            is($doc->{Field}, 'WhenStarted', "$what: the error names the field")
                or diag($res->content);
            is_deeply($after, $before, "$what: nothing changed");
        }
    }
}
