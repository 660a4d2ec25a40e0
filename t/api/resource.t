# The rest of the resource: default, POST, GET, PUT, DELETE, OPTIONS, 405;
# conditional requests (ETag, If-Match, If-None-Match, If-Modified-Since,
# If-Unmodified-Since); $select; TableRight, FieldProperties, _Links.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session db fresh_id);
use HTTP::Date qw(time2str);

plan tests => 100, need_lwp, need_module('mod_dbd.c');

my $BASE = '/api/v1/ChatSession';

# ---- default ------------------------------------------------------------
my $res = req(GET => "$BASE/default");
is($res->code, 200, 'GET default: 200');
my $tpl = json_body($res);
is($tpl->{ChatSessionId}, 0, 'template has ChatSessionId 0');
is($tpl->{CustomerName}, '', 'template strings empty');
ok(exists $tpl->{User} && !defined $tpl->{User}, 'template carriers null');
is($tpl->{Status}, 'Invalid', 'template enum by name');
ok(!exists $tpl->{_Links}, 'template has no _Links');
is($tpl->{TableRight}{Mask}, 'FULL', 'TableRight mask by name');
is($tpl->{FieldProperties}{CustomerAlias}{FieldLength}, 64,
   'FieldProperties: FieldLength from the field table');
is($tpl->{FieldProperties}{Rating}{FieldType}, 'System.Int32',
   'FieldProperties: FieldType');
is($tpl->{FieldProperties}{CustomerName}{FieldRight}{Mask}, 'Update',
   'FieldRight of a writable field: Update (never FULL)');
like($tpl->{FieldProperties}{ChatSessionId}{FieldRight}{Mask}, qr/UIHintReadOnly/,
     'FieldRight of the key says read-only');
is(scalar(keys %{$tpl->{FieldProperties}}), 31, 'one FieldProperty per field');

# ---- POST -------------------------------------------------------------------
my %new = (%$tpl, CustomerName => 'Posted', customerEmail => 'p@example.com',
           Status => 'InQueue', WhenRequested => '2021-06-01T10:00:00.000Z',
           User => { AssociateId => 5 }, Flags => 1);
delete $new{CustomerEmail};
$res = req(POST => "$BASE/", body => \%new);
is($res->code, 200, 'POST to the collection (trailing slash): 200')
    or diag($res->content);
my $doc = json_body($res);
my $id = $doc->{ChatSessionId};
ok($id && $id > 0, "new id $id");
like($res->header('Location') // '', qr{^http://[^/]+\Q$BASE\E/$id$},
     'Location: absolute URL of the new session');
is($doc->{CustomerName}, 'Posted', 'posted value kept');
is($doc->{CustomerEmail}, 'p@example.com', 'camelCase member taken');
is($doc->{User}{Name}, 'tje0', 'carrier by reference, rendered');
is($doc->{Flags}, 'UserIsTyping', 'flags');
is($doc->{_Links}{Self}, $res->header('Location'), '_Links.Self = Location');
like($doc->{_Links}{Archive}, qr{^http://[^/]+\Q$BASE\E$}, '_Links.Archive');
$res = req(POST => $BASE, body => { CustomerName => 'No slash' });
is($res->code, 200, 'POST without the trailing slash: 200');
my $id2 = json_body($res)->{ChatSessionId};
$res = req(POST => $BASE, body => { ChatSessionId => 5, CustomerName => 'x' });
is($res->code, 400, 'POST with a ChatSessionId: 400');
$res = req(POST => $BASE, body => { Bogus => 1 });
is($res->code, 400, 'POST with an unknown field: 400');
is(json_body($res)->{Field}, 'Bogus', '... naming it');
$res = req(POST => $BASE, body => [ 1 ]);
is($res->code, 400, 'POST of an array: 400');

# ---- GET, conditionals --------------------------------------------------------
$res = req(GET => "$BASE/$id");
is($res->code, 200, 'GET the new session');
my $etag = $res->header('ETag');
my $lm = $res->header('Last-Modified');
like($etag // '', qr/^"\d+"$/, 'strong ETag');
ok($lm, 'Last-Modified');
is(req(GET => "$BASE/$id", headers => { 'If-None-Match' => $etag })->code, 304,
   'If-None-Match with the ETag: 304');
$res = req(GET => "$BASE/$id", headers => { 'If-Modified-Since' => $lm });
is($res->code, 304, 'If-Modified-Since = Last-Modified: 304');
is($res->content, '', '304 has no body');
is(req(GET => "$BASE/$id", headers => { 'If-None-Match' => '"999999"' })->code,
   200, 'If-None-Match with another ETag: 200');
is(req(GET => "$BASE/$id", headers => { 'If-Match' => '"999999"' })->code,
   412, 'If-Match with another ETag on GET: 412');
is(req(GET => "$BASE/$id", headers => {
    'If-Unmodified-Since' => time2str(time - 86400 * 400) })->code,
   412, 'If-Unmodified-Since before the change on GET: 412');

# ---- $select -----------------------------------------------------------------
$doc = json_body(req(GET => "$BASE/$id?\$select=customerName,user/name,STATUS"));
is($doc->{CustomerName}, 'Posted', '$select keeps a selected field');
is($doc->{Status}, 'InQueue', '$select names are case-insensitive');
ok(exists $doc->{CustomerEmail} && !defined $doc->{CustomerEmail},
   'unselected fields present and null');
is($doc->{User}{Name}, 'tje0', 'nested $select keeps the sub-field');
ok(exists $doc->{User}{AssociateId} && !defined $doc->{User}{AssociateId},
   'nested $select nulls the other sub-fields');
$res = req(GET => "$BASE/$id?%24select=Nope");
is($res->code, 400, 'unknown $select name (encoded $): 400');
is(req(GET => "$BASE/$id?\$select=User/Nope")->code, 400,
   'unknown nested $select name: 400');
# One rule for a parameter given twice (README "The query string"): 400
# naming it, on every route that reads it; one it does not read is no
# matter.
for my $q ('$select=Rating&$select=Status', '$select=Rating&%24SELECT=Rating') {
    $res = req(GET => "$BASE/$id?$q");
    is($res->code, 400, "GET ?$q: 400") or diag($res->content);
    is((json_body($res) || {})->{Field}, '$select', '... naming $select');
}
is(req(DELETE => "$BASE/987650?\$select=A&\$select=B")->code, 404,
   'DELETE reads no $select: twice is no matter (404, no such id)');
is(req(GET => "$BASE/$id?x=1&x=2")->code, 200,
   'an unknown parameter twice: no matter');
my $v_before = db()->selectrow_array('SELECT version FROM chat_session WHERE id = ?', undef, $id);
$res = req(PATCH => "$BASE/$id?\$select=Nope",
           body => [{ op => 'replace', path => '/Rating', value => 2 }]);
is($res->code, 400, 'PATCH with an unknown $select: 400 ...');
is(db()->selectrow_array('SELECT version FROM chat_session WHERE id = ?', undef, $id),
   $v_before, '... before anything is written');
$doc = json_body(req(PATCH => "$BASE/$id?\$select=Rating",
                     body => [{ op => 'replace', path => '/Rating', value => 3 }]));
ok($doc->{Rating} == 3 && !defined $doc->{CustomerName}, '$select on PATCH');

# ---- PATCH / PUT with preconditions ----------------------------------------------
$etag = req(GET => "$BASE/$id")->header('ETag');
$res = req(PATCH => "$BASE/$id", headers => { 'If-Match' => '"1"' },
           body => [{ op => 'replace', path => '/Rating', value => 4 }]);
is($res->code, 412, 'PATCH with a stale If-Match: 412');
$res = req(PATCH => "$BASE/$id", headers => { 'If-Match' => $etag },
           body => [{ op => 'replace', path => '/Rating', value => 4 }]);
is($res->code, 200, 'PATCH with the current If-Match: 200');
isnt($res->header('ETag'), $etag, 'a write changes the ETag');
$etag = $res->header('ETag');
$res = req(PATCH => "$BASE/$id", headers => { 'If-Match' => $etag,
           'If-Unmodified-Since' => time2str(time - 86400 * 400) },
           body => [{ op => 'replace', path => '/Rating', value => 4 }]);
is($res->code, 200, 'If-Match given: If-Unmodified-Since is not evaluated (RFC 9110)');
$res = req(PATCH => "$BASE/$id", headers => { 'If-None-Match' => '*' },
           body => [{ op => 'replace', path => '/Rating', value => 5 }]);
is($res->code, 412, 'PATCH with If-None-Match: * on an existing session: 412');

my $got = json_body(req(GET => "$BASE/$id"));
my %put = %$got;
$put{CustomerName} = 'Put';
delete $put{CustomerPhone};            # left out: reset to its empty value
$put{Rating} = 1;
$res = req(PUT => "$BASE/$id", body => \%put);
is($res->code, 200, 'PUT the entity read back (TableRight, FieldProperties, _Links echoed)')
    or diag($res->content);
$doc = json_body($res);
is($doc->{CustomerName}, 'Put', 'PUT replaced a field');
is($doc->{Rating}, 1, 'PUT replaced another');
is($doc->{User}{AssociateId}, 5, 'PUT kept the carrier it echoed');
db()->do(q{UPDATE chat_session SET phone = '123' WHERE id = ?}, undef, $id);
$res = req(PUT => "$BASE/$id", body => { CustomerName => 'Only' });
$doc = json_body($res);
is($doc->{CustomerPhone}, '', 'PUT resets the fields it leaves out');
ok(!defined $doc->{User}, '... carriers too');
$res = req(PUT => "$BASE/$id", body => { ChatSessionId => $id + 1 });
is($res->code, 400, 'PUT with another ChatSessionId: 400');
$res = req(PUT => "$BASE/$id", body => { chatSessionId => $id, customerName => 'camel' });
is(json_body($res)->{CustomerName}, 'camel', 'PUT with camelCase and its own id');
is(req(PUT => "$BASE/987654", body => { CustomerName => 'x' })->code, 404,
   'PUT to an unknown id: 404');
$res = req(PUT => "$BASE/$id", body => { CustomerName => 'late' },
           headers => { 'If-Unmodified-Since' => time2str(time - 86400 * 400) });
is($res->code, 412, 'PUT with an old If-Unmodified-Since: 412');

# The epoch is a date like any other (RFC 9110 5.6.7), in its three forms;
# httpd's date parser reads it as "no date" (issue 16).
{
    my $before = json_body(req(GET => "$BASE/$id"));
    for my $epoch ('Thu, 01 Jan 1970 00:00:00 GMT',
                   'Thursday, 01-Jan-70 00:00:00 GMT',
                   'Thu Jan  1 00:00:00 1970') {
        $res = req(PATCH => "$BASE/$id",
                   headers => { 'If-Unmodified-Since' => $epoch },
                   body => [{ op => 'replace', path => '/CustomerName',
                              value => 'epoch' }]);
        is($res->code, 412, "PATCH, If-Unmodified-Since: $epoch: 412")
            or diag($res->as_string);
    }
    $res = req(PATCH => "$BASE/$id",
               headers => { 'If-Unmodified-Since' => 'Thu, 01 Jan 1970 00:00:01 GMT' },
               body => [{ op => 'replace', path => '/CustomerName', value => 'epoch' }]);
    is($res->code, 412, 'PATCH, one second after the epoch: 412');
    $res = req(PUT => "$BASE/$id", body => { CustomerName => 'epoch' },
               headers => { 'If-Unmodified-Since' => 'Thu, 01 Jan 1970 00:00:00 GMT' });
    is($res->code, 412, 'PUT at the epoch: 412');
    $res = req(DELETE => "$BASE/$id",
               headers => { 'If-Unmodified-Since' => 'Thu, 01 Jan 1970 00:00:00 GMT' });
    is($res->code, 412, 'DELETE at the epoch: 412');
    $res = req(GET => "$BASE/$id",
               headers => { 'If-Unmodified-Since' => 'Thu, 01 Jan 1970 00:00:00 GMT' });
    is($res->code, 412, 'GET at the epoch: 412');
    my $after = json_body(req(GET => "$BASE/$id"));
    is($after->{CustomerName}, $before->{CustomerName}, '... nothing written');
    $res = req(PATCH => "$BASE/$id",
               headers => { 'If-Unmodified-Since' => 'Thu, 01 Foo 1970 00:00:00 GMT' },
               body => [{ op => 'test', path => '/CustomerName',
                          value => $before->{CustomerName} }]);
    is($res->code, 200, 'an unreadable date is ignored, as before');
    $res = req(PATCH => "$BASE/$id",
               headers => { 'If-Unmodified-Since' => time2str(time + 86400) },
               body => [{ op => 'test', path => '/CustomerName',
                          value => $before->{CustomerName} }]);
    is($res->code, 200, 'a date after the change: 200');
}

# ---- OPTIONS, 405 ------------------------------------------------------------
$res = req(OPTIONS => "$BASE/$id");
is($res->code, 200, 'OPTIONS: 200');
like($res->header('Allow') // '', qr/PATCH/, 'Allow lists PATCH');
is($res->header('Accept-Patch'),
   'application/json-patch+json, application/merge-patch+json', 'Accept-Patch');
$res = req(POST => "$BASE/$id", body => {});
is($res->code, 405, 'POST to an item: 405');
like($res->header('Allow') // '', qr/^GET, HEAD, PUT, PATCH, DELETE, OPTIONS$/, 'Allow');
is(json_body($res)->{Error}, JSON::PP::true(), '405 has an error body');
$res = req(DELETE => $BASE);
is($res->code, 405, 'DELETE on the collection: 405');
like($res->header('Allow') // '', qr/POST/, 'Allow: POST');

# ---- DELETE ------------------------------------------------------------------------
$res = req(DELETE => "$BASE/$id", headers => { 'If-Match' => '"1"' });
is($res->code, 412, 'DELETE with a stale If-Match: 412');
$res = req(DELETE => "$BASE/$id");
is($res->code, 204, 'DELETE: 204');
is($res->content, '', '204 has no body');
is(req(GET => "$BASE/$id")->code, 404, 'GET after DELETE: 404');
is(req(DELETE => "$BASE/$id")->code, 404, 'DELETE again: 404');
is(req(DELETE => "$BASE/$id2")->code, 204, 'DELETE the second one');
is(db()->selectrow_array('SELECT count(*) FROM chat_session WHERE id IN (?, ?)',
                         undef, $id, $id2), 0, 'rows gone');

# ---- links behind a proxy ----------------------------------------------------------
my $PROXIED = fresh_id();
seed_session($PROXIED);
$doc = json_body(req(GET => "/proxied$BASE/$PROXIED", headers => {
    'X-Forwarded-Proto' => 'https', 'X-Forwarded-Host' => 'crm.example.com' }));
is($doc->{_Links}{Self}, "https://crm.example.com/proxied$BASE/$PROXIED",
   'trusted proxy: X-Forwarded-Proto/Host used');
$doc = json_body(req(GET => "$BASE/$PROXIED", headers => {
    'X-Forwarded-Proto' => 'https', 'X-Forwarded-Host' => 'evil.example.com' }));
unlike($doc->{_Links}{Self}, qr/evil/, 'untrusted X-Forwarded-Host ignored');
$doc = json_body(req(GET => "/public$BASE/$PROXIED"));
is($doc->{_Links}{Self}, "https://api.example.com/crm/public$BASE/$PROXIED",
   'ChatSessionPublicURL used');

# ---- the OpenAPI document ----------------------------------------------------------
$res = req(GET => "$BASE/openapi.json");
is($res->code, 200, 'OpenAPI document served');
$doc = json_body($res);
is($doc && $doc->{openapi}, '3.1.0', 'OpenAPI 3.1');
ok($doc && $doc->{components}{schemas}{ChatSessionEntity}{properties}{CustomerAlias},
   'generated from the field table');
$res = req(GET => '/docs/chatsession-openapi.json', auth => undef);
is($res->code, 200, 'ChatSessionOpenAPIPath: served at its own path');
is(json_body($res)->{openapi}, '3.1.0', '... the same document');
is(req(PUT => '/docs/chatsession-openapi.json', auth => undef, body => {})->code,
   405, '... GET only');
