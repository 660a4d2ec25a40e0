# Smoke test: the module answers a GET for the demo session, and asks for
# credentials without them.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body);

plan tests => 7, need_lwp, need_module('mod_dbd.c');

my $res = req(GET => '/api/v1/ChatSession/844');
is($res->code, 200, 'GET 844 as tje0: 200')
    or diag($res->as_string);
like($res->header('Content-Type') // '', qr{^application/json\b}i,
     'Content-Type is application/json');
my $doc = json_body($res);
is(ref $doc, 'HASH', 'body is a JSON object');
is($doc && $doc->{ChatSessionId}, 844, 'ChatSessionId is 844');

$res = req(GET => '/api/v1/ChatSession/844', auth => undef);
is($res->code, 401, 'no credentials: 401');
my @challenges = $res->header('WWW-Authenticate');
ok(scalar(grep { /(?:^|,\s*)Basic\s+realm=/i } @challenges),
   'WWW-Authenticate offers Basic')
    or diag("WWW-Authenticate: @challenges");
ok(!grep({ /Tje0/ } $res->as_string), 'no secret in the 401 response');
