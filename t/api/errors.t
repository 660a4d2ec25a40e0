# Error statuses and bodies: malformed input, media types, ids, sizes,
# preconditions; each leaves the row as it was.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use Apache::TestRequest ();
use ChatSession::Test qw(req json_body seed_session db fresh_id);
use HTTP::Date qw(time2str);
use IO::Socket::INET;

plan tests => 44, need_lwp, need_module('mod_dbd.c');

my $ID = fresh_id();
my $URL = "/api/v1/ChatSession/$ID";
seed_session($ID, name => 'Untouched');
my $v0 = db()->selectrow_array('SELECT version FROM chat_session WHERE id = ?',
                               undef, $ID);

sub patch_raw { req(PATCH => $URL, body => shift, @_) }

sub error_ok {
    my ($res, $code, $what) = @_;
    is($res->code, $code, "$what: $code") or diag($res->as_string);
    my $doc = json_body($res);
    ok($doc && $doc->{Error} && $doc->{ErrorType} && $doc->{ErrorMessage}
       && $doc->{ErrorSource}, "$what: SuperOffice error body");
    return $doc;
}

error_ok(patch_raw('[{"op":"replace","path":"/Rating","value":1}'), 400,
         'truncated JSON');
error_ok(patch_raw("[{\"op\":\"replace\",\"path\":\"/CustomerName\",\"value\":\"\xC0\x80\"}]"),
         400, 'overlong UTF-8');
error_ok(patch_raw("[{\"op\":\"replace\",\"path\":\"/CustomerName\",\"value\":\"\xED\xA0\x80\"}]"),
         400, 'UTF-8 encoded surrogate');
error_ok(patch_raw('[] []'), 400, 'trailing garbage');
error_ok(patch_raw('"just a string"'), 400, 'a scalar body');
error_ok(req(PATCH => $URL, content_type => 'application/json'), 400,
         'empty body');
error_ok(patch_raw('[]', content_type => 'text/plain'), 415, 'text/plain');
error_ok(patch_raw('[]', content_type => undef), 415, 'no Content-Type');
my $res = patch_raw('[]');
like($res->header('Content-Type'), qr{^application/json}, 'error bodies are JSON');

error_ok(req(PATCH => '/api/v1/ChatSession/987654', body => []), 404,
         'unknown id');
error_ok(req(GET => '/api/v1/ChatSession/987654'), 404, 'GET unknown id');
error_ok(req(GET => '/api/v1/ChatSession/abc'), 400, 'id not a number');
error_ok(req(GET => '/api/v1/ChatSession/2147483648'), 400, 'id over int32');
error_ok(req(GET => '/api/v1/ChatSession/-5'), 400, 'negative id');

# 413: decided from Content-Length, and while streaming a chunked body.
my $big = '[' . join(',', ('{"op":"test","path":"/Rating","value":0}') x 100) . ']';
my $doc = error_ok(req(PATCH => "/small$URL", body => $big), 413,
                   'over ChatSessionMaxBody (Content-Length)');
{
    my $hostport = Apache::TestRequest::hostport(Apache::Test::config());
    my ($host, $port) = split /:/, $hostport;
    my $sock = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port,
                                     Timeout => 10);
    print $sock "PATCH /small$URL HTTP/1.1\r\nHost: $hostport\r\n"
              . "Authorization: Basic dGplMDpUamUw\r\n"
              . "Content-Type: application/json\r\n"
              . "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    # Send chunks until the server answers; it must not wait for the end.
    my $chunk = '{"op":"test","path":"/Rating","value":0},';
    my $sent = 1;
    print $sock "1\r\n[\r\n";
    for (1 .. 200) {
        last unless print $sock sprintf("%x\r\n%s\r\n", length $chunk, $chunk);
        $sent += length $chunk;
    }
    local $/;
    my $answer = <$sock> // '';
    like($answer, qr{^HTTP/1\.1 413}, '413 for a chunked body over the limit');
    like($answer, qr{\r\nContent-Type: application/json}i, '... with a JSON body');
}

# httpd's own LimitRequestBody answers before we read: still our JSON.
$res = req(PATCH => "/corelimit$URL", body => $big);
is($res->code, 413, "httpd's LimitRequestBody: 413");
like($res->header('Content-Type') // '', qr{^application/json}, '... labelled JSON');
ok(eval { json_body($res)->{ErrorType} }, '... with our error body');

# If-Unmodified-Since, at whole seconds; Last-Modified echoed back passes.
$res = req(GET => $URL);
my $lm = $res->header('Last-Modified');
ok($lm, 'Last-Modified on GET');
ok($res->header('ETag'), 'ETag on GET');
$doc = error_ok(patch_raw('[{"op":"replace","path":"/CustomerName","value":"Late"}]',
                          headers => { 'If-Unmodified-Since' => time2str(time - 86400) }),
                412, 'If-Unmodified-Since before the last change');
$res = patch_raw('[{"op":"test","path":"/CustomerName","value":"Untouched"}]',
                 headers => { 'If-Unmodified-Since' => $lm });
is($res->code, 200, 'echoing Last-Modified back succeeds');
$res = patch_raw('[]', headers => { 'If-Unmodified-Since' => 'not a date' });
is($res->code, 200, 'an unparsable If-Unmodified-Since is ignored');

# Methods.
$res = req(POST => $URL, body => {});
is($res->code, 405, 'POST to an item: 405');
like($res->header('Allow') // '', qr/PATCH/, 'Allow lists PATCH');

is(db()->selectrow_array('SELECT name FROM chat_session WHERE id = ?', undef, $ID),
   'Untouched', 'no error changed the row');
is(db()->selectrow_array('SELECT version FROM chat_session WHERE id = ?', undef, $ID),
   $v0, 'version unchanged');
