# The archive list, GET /api/v1/ChatSession (issue 10, README "The
# list"): the envelope and its default columns, $select (any case, carrier
# members), rows' PrimaryKey and EntityName, $top (default, 1000, 1001),
# $skip, odata.nextLink followed to the end without gaps or repeats,
# $format and Accept (JSON, XML), SO-TimeZone on date-times, rights (none
# 403, read and update_own see every row), parameters given twice, HEAD,
# [SR_...] resources, the public URL behind a proxy, and that an entity's
# _Links.Archive now answers 200.
#
# Other test files' rows share the table: every request here is scoped
# to this file's rows by a $filter on their names.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session db fresh_id fresh_ids
                         make_caller);
use URI::Escape qw(uri_escape_utf8);

plan tests => 101, need_lwp, need_module('mod_dbd.c');

my $BASE = '/api/v1/ChatSession';
my $SCOPE = "startswith(CustomerName,'list.t ')";
my %LEVEL = (ls_none => 'none', ls_read => 'read', ls_own => 'update_own');
my %C = map { $_ => make_caller($_, level => $LEVEL{$_}) } sort keys %LEVEL;
sub as { my $u = shift; return (auth => $C{$u}{auth}) }
my @IDS = fresh_ids(12);

# Twelve sessions: statuses 4 (InQueue) and 6 (UserLast) alternating,
# requested an hour apart from 2024-01-15 (winter: Oslo is +01:00), tje0
# (associate 5) as the User of the even ones.
for my $i (0 .. $#IDS) {
    seed_session($IDS[$i], name => sprintf('list.t %02d', $i + 1),
                 status => $i % 2 ? 6 : 4,
                 user_id => $i % 2 ? 5 : undef,
                 when_requested => sprintf('2024-01-15T%02d:00:00Z', $i));
}
my ($other) = db()->selectrow_array(
    q{SELECT count(*) FROM chat_session WHERE name NOT LIKE 'list.t %'});

# list(%query) -> the response; values are URL-encoded here, names kept.
sub list_url {
    my %q = @_;
    $q{'$filter'} //= $SCOPE;
    delete $q{'$filter'} if $q{'$filter'} eq '';
    return $BASE . (%q ? '?' . join('&', map {
        "$_=" . uri_escape_utf8($q{$_}) } sort keys %q) : '');
}
sub list { my ($q, @opts) = @_; return req(GET => list_url(%$q), @opts) }
sub ids_of { my $d = shift; return [map { $_->{PrimaryKey} } @{$d->{value}}] }
# the path and query of an absolute URL of this server
sub local_path { my $u = shift; $u =~ s{^https?://[^/]+}{}; return $u }

sub error_is {
    my ($res, $field, $what) = @_;
    is($res->code, 400, "$what: 400") or diag($res->content);
    my $doc = json_body($res) || {};
    is($doc->{Field}, $field, "$what: names $field")
        or diag($res->content);
    return $doc;
}

# ---- the default page -----------------------------------------------------
my $res = list({});
is($res->code, 200, 'GET the collection: 200') or diag($res->content);
like($res->header('Content-Type'), qr{^application/json; charset=utf-8},
     'JSON by default');
is($res->header('Cache-Control'), 'no-store', 'a page is not cached');
ok(!defined $res->header('ETag'), 'no ETag on a page');
my $doc = json_body($res) || {};
is_deeply([sort keys %$doc], ['odata.metadata', 'value'],
          'the envelope: odata.metadata and value, no nextLink on the last page');
like($doc->{'odata.metadata'},
     qr{^https?://[^/]+/api/v1/ChatSession/openapi\.json#/components/schemas/ChatSessionList$},
     'odata.metadata: the list schema in the OpenAPI document, absolute');
is_deeply(ids_of($doc), \@IDS, 'every row of the filter, in id order');
my $row = $doc->{value}[0] || {};
is_deeply([sort keys %$row],
          [sort qw(PrimaryKey EntityName ChatSessionId CustomerName Status
                   WhenRequested User)],
          'default columns: ChatSessionId, CustomerName, Status, WhenRequested, User');
is($row->{EntityName}, 'chatsession', 'EntityName');
is($row->{PrimaryKey}, $row->{ChatSessionId}, 'PrimaryKey is the id');
is($row->{CustomerName}, 'list.t 01', 'CustomerName');
is($row->{Status}, 'InQueue', 'Status by name');
is($row->{WhenRequested}, '2024-01-15T00:00:00.0000000+00:00',
   'WhenRequested as the entity writes it (UTC by default)');
is($row->{User}, undef, 'no User: null');
my $row2 = $doc->{value}[1] || {};
is(ref $row2->{User}, 'HASH', 'a User: the carrier');
is($row2->{User} && $row2->{User}{AssociateId}, 5, '... its AssociateId');
is($row2->{Status}, 'UserLast', 'another status');

# The whole table without a filter: ours and the others'.
$res = list({ '$filter' => '', '$top' => 1000 });
is($res->code, 200, 'no $filter: 200');
$doc = json_body($res) || {};
is(scalar @{$doc->{value} || []}, ($other + @IDS > 1000 ? 1000 : $other + @IDS),
   'no $filter: every session (up to $top)');

# ---- $select --------------------------------------------------------------
$res = list({ '$select' => 'customername,USER/name,user/FullName,Status,status' });
is($res->code, 200, '$select: 200') or diag($res->content);
$doc = json_body($res) || {};
$row2 = $doc->{value}[1] || {};
is_deeply([sort keys %$row2],
          [sort qw(PrimaryKey EntityName CustomerName User Status)],
          '$select: the named fields (any case, each once) and the key');
is_deeply([sort keys %{$row2->{User} || {}}], ['FullName', 'Name'],
          '$select of carrier members: those members only');
is($row2->{User}{Name}, 'tje0', '... with their values');
is($doc->{value}[0]{User}, undef, '... null without a carrier');
$res = list({ '$select' => 'CustomerName,Nope' });
is($res->code, 400, '$select of an unknown field: 400');

# ---- $top, $skip, nextLink ------------------------------------------------
$res = list({ '$top' => 5 });
$doc = json_body($res) || {};
is_deeply(ids_of($doc), [@IDS[0 .. 4]], '$top=5: the first five');
my $next = $doc->{'odata.nextLink'};
ok($next, '... and a nextLink');
like($next // '', qr{^https?://[^/?]+/api/v1/ChatSession\?}, '... absolute');
like($next // '', qr{[?&]\$skip=5(&|$)}, '... at $skip=5');
like($next // '', qr{\$top=5}, '... keeping $top');
like($next // '', qr{startswith}, '... and the filter');

my (@seen, $pages);
my $url = list_url('$top' => 5, '$skip' => 0);
while ($url && ++$pages <= 10) {
    my $r = req(GET => local_path($url));
    last unless $r->code == 200;
    my $d = json_body($r) || {};
    push @seen, @{ids_of($d)};
    $url = $d->{'odata.nextLink'};
}
is($pages, 3, 'following nextLink: three pages of 5, 5 and 2');
is_deeply(\@seen, \@IDS, '... every row once, in order: no gap, no repeat');

$res = list({ '$skip' => 11 });
$doc = json_body($res) || {};
is_deeply(ids_of($doc), [$IDS[11]], '$skip=11: the last row');
ok(!exists $doc->{'odata.nextLink'}, '... no nextLink');
$res = list({ '$skip' => 12 });
is_deeply(ids_of(json_body($res) || {}), [], '$skip past the end: no row');
$res = list({ '$top' => 12 });
ok(!exists((json_body($res) || {})->{'odata.nextLink'}),
   '$top = the rows left: no nextLink');
$res = list({ '$top' => 11 });
ok(exists((json_body($res) || {})->{'odata.nextLink'}),
   '$top one short: a nextLink');
$res = list({ '$top' => 0 });
$doc = json_body($res) || {};
is_deeply(ids_of($doc), [], '$top=0: no row');
ok(!exists $doc->{'odata.nextLink'}, '... and no nextLink (it would not advance)');
is(list({ '$top' => 1000 })->code, 200, '$top=1000: 200');

$doc = error_is(list({ '$top' => 1001 }), '$top', '$top=1001');
like($doc->{ErrorMessage} // '', qr/1001.*1000/, '... saying the limit');
error_is(list({ '$top' => -1 }), '$top', '$top=-1');
error_is(list({ '$top' => 'ten' }), '$top', '$top=ten');
error_is(list({ '$top' => '' }), '$top', 'an empty $top');
error_is(list({ '$skip' => '1.5' }), '$skip', '$skip=1.5');
error_is(list({ '$skip' => '2147483648' }), '$skip', '$skip over int32');
error_is(req(GET => list_url() . '&$top=1&$TOP=2'), '$top', '$top twice');
error_is(req(GET => list_url() . '&%24filter=Status%20eq%204'), '$filter',
         '$filter twice (once encoded)');

# ---- $filter and $orderBy reach the statement ----------------------------
$res = list({ '$filter' => "$SCOPE and Status eq 'InQueue'",
              '$orderBy' => 'WhenRequested desc' });
is_deeply(ids_of(json_body($res) || {}),
          [map { $IDS[$_] } grep { !($_ % 2) } reverse 0 .. $#IDS],
          '$filter and $orderBy: queued rows, latest first');
$doc = error_is(list({ '$filter' => "$SCOPE and Status eq" }), '$filter',
                'a malformed $filter');
like($doc->{ErrorMessage} // '', qr/at \d+/, '... naming the position');
error_is(list({ '$orderBy' => 'Nope' }), '$orderBy', 'an unknown $orderBy field');
# '+' of an offset sent unescaped: a sign, not a blank
$res = req(GET => "$BASE?\$orderBy=ChatSessionId&\$filter="
           . uri_escape_utf8("$SCOPE and ")
           . 'WhenRequested+lt+2024-01-15T03:00:00+01:00');
is($res->code, 200, "a raw '+' in an offset: a sign") or diag($res->content);
is_deeply(ids_of(json_body($res) || {}), [@IDS[0 .. 1]],
          '... 03:00+01:00 is 02:00 UTC');

# ---- $format and Accept ---------------------------------------------------
$res = list({ '$format' => 'xml', '$top' => 2 });
is($res->code, 200, '$format=xml: 200');
like($res->header('Content-Type'), qr{^application/xml; charset=utf-8},
     '$format=xml: XML');
my $xml = $res->content;
like($xml, qr{^<\?xml[^>]*\?>\s*<ChatSessionList\b}, '... root ChatSessionList');
is(scalar(() = $xml =~ /<ChatSession>/g), 2, '... a ChatSession element per row');
like($xml, qr{<odata\.nextLink>https?://[^<]*\$skip=2</odata\.nextLink>},
     '... with odata.nextLink');
like($xml, qr{<ChatSession><PrimaryKey>$IDS[0]</PrimaryKey><EntityName>chatsession</EntityName><ChatSessionId>$IDS[0]</ChatSessionId>},
     '... rows as the entity writes its fields');
like($xml, qr{<User xsi:nil="true"/>}, '... a null as the entity writes it');
$res = list({ '$top' => 1 }, headers => { Accept => 'application/xml' });
like($res->header('Content-Type') // '', qr{^application/xml}, 'Accept: XML');
$res = list({ '$top' => 1, '$format' => 'JSON' },
            headers => { Accept => 'application/xml' });
like($res->header('Content-Type') // '', qr{^application/json},
     '$format=JSON wins over Accept');
error_is(list({ '$format' => 'yaml' }), '$format', '$format=yaml');
$res = list({ '$top' => 1 }, headers => { Accept => 'image/png' });
is($res->code, 406, 'an Accept we cannot answer: 406');

# ---- SO-TimeZone ----------------------------------------------------------
$res = list({ '$top' => 1, '$select' => 'WhenRequested' },
            headers => { 'SO-TimeZone' => 'Europe/Oslo' });
is((json_body($res) || {})->{value}[0]{WhenRequested},
   '2024-01-15T01:00:00.0000000+01:00', 'SO-TimeZone: local time with its offset');
is($res->header('SO-TimeZone'), 'Europe/Oslo', '... echoed');
$res = req(GET => "$BASE?\$select=WhenRequested&\$filter="
           . uri_escape_utf8("$SCOPE and WhenRequested lt '2024-01-15T03:00:00'"),
           headers => { 'SO-TimeZone' => 'Europe/Oslo' });
is_deeply(ids_of(json_body($res) || {}), [@IDS[0 .. 1]],
          'an offset-less date-time in the filter: local time of the zone');

# ---- rights ---------------------------------------------------------------
$res = list({}, as('ls_none'));
is($res->code, 403, 'none: 403');
for my $u (qw(ls_read ls_own)) {
    $res = list({}, as($u));
    is($res->code, 200, "$LEVEL{$u}: 200");
    is_deeply(ids_of(json_body($res) || {}), \@IDS,
              "$LEVEL{$u}: every row, others' sessions too");
}
$res = list({}, auth => undef);
is($res->code, 401, 'no credentials: 401');

# ---- HEAD, OPTIONS, the trailing slash ------------------------------------
$res = req(HEAD => list_url());
is($res->code, 200, 'HEAD: 200');
is($res->content, '', 'HEAD: no body');
$res = req(GET => "$BASE/?\$filter=" . uri_escape_utf8($SCOPE));
is($res->code, 200, 'the collection with a trailing slash: 200');
is_deeply(ids_of(json_body($res) || {}), \@IDS, '... the same rows');
$res = req(GET => "$BASE/?\$top=1&\$filter=" . uri_escape_utf8($SCOPE));
like((json_body($res) || {})->{'odata.nextLink'} // '',
     qr{/api/v1/ChatSession\?}, '... its nextLink names the collection');

# ---- languages: [SR_...] resources in row values, as in an entity -----------
my $LSR = fresh_id();
seed_session($LSR, name => 'lsr [SR_CHAT_SESSION]');
my $lsr = "$BASE?\$select=CustomerName&\$filter=ChatSessionId%20eq%20$LSR";
$res = req(GET => $lsr, headers => { 'SO-Language' => 'en' });
is((json_body($res) || {})->{value}[0]{CustomerName}, 'lsr Chat session',
   'SO-Language: string resources translated in rows');
$res = req(GET => $lsr);
is((json_body($res) || {})->{value}[0]{CustomerName}, 'lsr [SR_CHAT_SESSION]',
   '... and left as they are without a language');

# ---- behind a reverse proxy: the configured public URL ----------------------
$res = req(GET => "/public$BASE?\$top=1&\$filter=" . uri_escape_utf8($SCOPE));
$doc = json_body($res) || {};
like($doc->{'odata.nextLink'} // '',
     qr{^https://api\.example\.com/crm/public/api/v1/ChatSession\?\$top=1&\$filter=startswith.*&\$skip=1$},
     'ChatSessionPublicURL: nextLink on the public URL, the query kept');
like($doc->{'odata.metadata'} // '',
     qr{^https://api\.example\.com/crm/public/api/v1/ChatSession/openapi\.json#},
     '... and odata.metadata');

# ---- _Links.Archive answers -----------------------------------------------
$res = req(GET => "$BASE/$IDS[0]");
my $archive = eval { json_body($res)->{_Links}{Archive} };
ok($archive, 'an entity has _Links.Archive');
$res = req(GET => local_path($archive // ''));
is($res->code, 200, '_Links.Archive answers 200') or diag($res->content);
ok(ref((json_body($res) || {})->{value}) eq 'ARRAY', '... with a page');

# ---- other archive parameters are ignored ---------------------------------
$res = req(GET => list_url() . '&$mode=full&$options=x&$context=y&$jsonSafe=true');
is($res->code, 200, 'SuperOffice\'s other archive parameters: ignored');
is_deeply(ids_of(json_body($res) || {}), \@IDS, '... same rows');
