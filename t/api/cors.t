# CORS (README "CORS"): ChatSessionCORSOrigin. A preflight needs no
# credentials and is answered with our methods and request headers; a
# PATCH from an allowed origin carries Access-Control-Allow-Origin (and
# -Credentials, -Expose-Headers) on success and on 401; a disallowed
# origin gets no CORS header at all, and its preflight a 403; a
# non-preflight OPTIONS, and every other request, still authenticates.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session error_log_since fresh_id);

plan tests => 54, need_lwp, need_module('mod_dbd.c');

my $C = '/cors/api/v1/ChatSession';
my $ID = fresh_id();
seed_session($ID);
my $APP = 'https://app.example.com';
my $EVIL = 'https://evil.example';
my $patch = [{ op => 'replace', path => '/CustomerAlias', value => 'cors' }];
my @PATCH = (body => $patch, content_type => 'application/json-patch+json');

sub preflight {
    my ($path, $origin, %h) = @_;
    return req(OPTIONS => $path, auth => undef, headers => {
        Origin => $origin, 'Access-Control-Request-Method' => 'PATCH',
        'Access-Control-Request-Headers' => 'authorization,content-type,if-match',
        %h });
}
sub list_has {
    my ($value, $name) = @_;
    return scalar grep { lc $_ eq lc $name } split /\s*,\s*/, $value // '';
}
sub varies_on_origin {
    my $res = shift;
    return scalar grep { list_has($_, 'Origin') } $res->header('Vary');
}

# ---- preflight from an allowed origin: no credentials needed --------------
my $res = preflight("$C/$ID", $APP);
is($res->code, 204, 'preflight without credentials: 204') or diag($res->as_string);
is($res->header('Access-Control-Allow-Origin'), $APP, 'Allow-Origin: the origin');
is($res->header('Access-Control-Allow-Credentials'), 'true',
   'Allow-Credentials (ChatSessionCORSCredentials On)');
my $methods = $res->header('Access-Control-Allow-Methods');
ok(list_has($methods, $_), "Allow-Methods has $_") for qw(GET PUT PATCH DELETE POST);
my $hdrs = $res->header('Access-Control-Allow-Headers');
ok(list_has($hdrs, $_), "Allow-Headers has $_")
    for qw(Authorization Content-Type If-Match If-None-Match If-Modified-Since
           SO-Language SO-Culture SO-TimeZone SO-AppToken X-XSRF-TOKEN);
is($res->header('Access-Control-Max-Age'), '300', 'Max-Age (ChatSessionCORSMaxAge)');
ok(varies_on_origin($res), 'Vary: Origin');
ok(!$res->header('WWW-Authenticate'), 'no challenge');
is($res->content, '', 'no body');
$res = preflight($C, 'http://localhost:3000', 'Access-Control-Request-Method' => 'POST');
is($res->code, 204, 'the collection, the second origin: 204');
is($res->header('Access-Control-Allow-Origin'), 'http://localhost:3000',
   'its own origin echoed');

# ---- preflight from an origin not allowed: 403, no CORS headers ----------
$res = preflight("$C/$ID", $EVIL);
is($res->code, 403, 'preflight from another origin: 403');
ok(!$res->header('Access-Control-Allow-Origin'), 'no Allow-Origin');
ok(!$res->header('Access-Control-Allow-Methods'), 'no Allow-Methods');
my $doc = json_body($res);
like($doc && $doc->{ErrorMessage} // '', qr/\Q$EVIL\E.*ChatSessionCORSOrigin/,
     'a JSON error naming the origin and the directive');
$res = preflight("$C/$ID", 'https://app.example.com.evil.example');
is($res->code, 403, 'an origin that only starts like an allowed one: 403');

# ---- the actual PATCH -------------------------------------------------------
$res = req(PATCH => "$C/$ID", @PATCH, headers => { Origin => $APP });
is($res->code, 200, 'PATCH from the allowed origin: 200') or diag($res->content);
is($res->header('Access-Control-Allow-Origin'), $APP, 'with Allow-Origin');
is($res->header('Access-Control-Allow-Credentials'), 'true', 'and Allow-Credentials');
my $expose = $res->header('Access-Control-Expose-Headers');
ok(list_has($expose, $_), "Expose-Headers has $_")
    for qw(ETag Location SO-TimeZone Retry-After WWW-Authenticate);
ok(varies_on_origin($res), 'Vary: Origin');
is((json_body($res) || {})->{CustomerAlias}, 'cors', 'the patch applied');

my $log_at = -s Apache::Test::vars('t_logs') . '/error_log';
$res = req(PATCH => "$C/$ID", @PATCH, headers => { Origin => $EVIL });
like(error_log_since($log_at), qr/CHATS333: Origin \Q$EVIL\E is not in ChatSessionCORSOrigin/,
     'an origin not listed: logged at debug (CHATS333)');
is($res->code, 200, 'PATCH from another origin: answered as without CORS');
ok(!grep({ /^Access-Control-/i } $res->headers->header_field_names),
   'but without any Access-Control-* header (the browser blocks it)');
ok(varies_on_origin($res), 'Vary: Origin');

# ---- everything but a preflight authenticates ---------------------------------
$res = req(PATCH => "$C/$ID", @PATCH, auth => undef, headers => { Origin => $APP });
is($res->code, 401, 'PATCH without credentials: 401');
is($res->header('Access-Control-Allow-Origin'), $APP,
   'the 401 carries Allow-Origin, so the app can read it');
$res = req(OPTIONS => "$C/$ID", auth => undef, headers => { Origin => $APP });
is($res->code, 401, 'OPTIONS with Origin but no Access-Control-Request-Method: 401');
$res = req(OPTIONS => "$C/$ID", headers => { Origin => $APP });
is($res->code, 200, 'the same with credentials: 200');
like($res->header('Allow') // '', qr/PATCH/, 'with Allow');
$res = preflight("/api/v1/ChatSession/$ID", $APP);
is($res->code, 401, 'a preflight where CORS is off: authenticates (401)');
ok(!$res->header('Access-Control-Allow-Origin'), 'and no CORS header');

# ---- ChatSessionCORSOrigin * --------------------------------------------------
my $A = '/corsany/api/v1/ChatSession';
$res = preflight("$A/$ID", $EVIL);
is($res->code, 204, '*: any origin\'s preflight: 204');
is($res->header('Access-Control-Allow-Origin'), '*', 'Allow-Origin: *');
ok(!$res->header('Access-Control-Allow-Credentials'), 'never with credentials');
$res = req(GET => "$A/$ID", headers => { Origin => $EVIL });
is($res->header('Access-Control-Allow-Origin'), '*', 'GET: Allow-Origin: *');
