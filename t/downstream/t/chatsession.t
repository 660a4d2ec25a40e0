# The installed module answers through this suite's own httpd: the
# template of a new session, then a session made with POST, changed with
# a JSON Patch (RFC 6902), read back.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use HTTP::Request ();
use JSON::PP ();

plan tests => 9, need_lwp, need_module('mod_dbd.c');

my @auth = (username => $ENV{CHATS_USER}, password => $ENV{CHATS_PASSWORD});
die "set CHATS_USER and CHATS_PASSWORD (chatsession-db add-user)\n"
    unless defined $ENV{CHATS_USER} && defined $ENV{CHATS_PASSWORD};
my $json = JSON::PP->new->utf8->canonical;
my $base = '/api/v1/ChatSession';

my $res = GET("$base/default", @auth, Accept => 'application/json');
is($res->code, 200, 'GET the template of a new session: 200')
    or diag($res->as_string);
like($res->header('Content-Type') // '', qr{^application/json\b}, 'as JSON');

$res = GET("$base/default");
is($res->code, 401, 'without credentials: 401');

$res = POST("$base/", @auth, Accept => 'application/json',
            'Content-Type' => 'application/json',
            content => $json->encode({ CustomerName => 'Downstream' }));
is($res->code, 200, 'POST a new session: 200') or diag($res->as_string);
my $id = eval { $json->decode($res->content)->{ChatSessionId} };
like($id // '', qr/^[1-9][0-9]*$/, 'it has an id');

# Apache::TestRequest has no PATCH helper: build the request, send it
# with the suite's user agent.
my $req = HTTP::Request->new(PATCH => Apache::TestRequest::resolve_url("$base/$id"),
    [ 'Content-Type' => 'application/json-patch+json', Accept => 'application/json' ],
    $json->encode([ { op => 'replace', path => '/CustomerName', value => 'Patched' } ]));
$req->authorization_basic($ENV{CHATS_USER}, $ENV{CHATS_PASSWORD});
$res = Apache::TestRequest::user_agent()->request($req);
is($res->code, 200, 'PATCH it with a JSON Patch: 200') or diag($res->as_string);
is(eval { $json->decode($res->content)->{CustomerName} }, 'Patched',
   'the answer holds the change');

$res = GET("$base/$id", @auth, Accept => 'application/json');
is($res->code, 200, 'GET it: 200');
is(eval { $json->decode($res->content)->{CustomerName} }, 'Patched', 'the change is stored');
