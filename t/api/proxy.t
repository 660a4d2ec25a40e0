# Behind reverse proxies (README "Behind a reverse proxy"): the README's
# mod_proxy recipe runs in proxy_front, in front of proxy_back, and
# _Links and Location carry the front's scheme, host and path prefix;
# what a client forges (X-Forwarded-Host, -For, -Prefix, Forwarded) never
# wins; lists are walked from the right across trusted hops only;
# RFC 7239 Forwarded where configured; invalid values are ignored and
# never reflected; a peer outside ChatSessionTrustProxy changes nothing;
# ChatSessionPublicURL wins over everything.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use Apache::TestRequest ();
use LWP::UserAgent;
use ChatSession::Test qw(req json_body seed_session error_log_since fresh_id);

plan tests => 37, need_lwp, need_module('mod_dbd.c', 'mod_proxy.c',
                                        'mod_proxy_http.c', 'mod_headers.c');

my $BASE = '/api/v1/ChatSession';
my $ID = fresh_id();
seed_session($ID);

my %hostport;
for my $vh (qw(proxy_front proxy_back)) {
    local $Apache::TestRequest::Module = $vh;
    $hostport{$vh} = Apache::TestRequest::hostport();
}
my $FRONT = "http://$hostport{proxy_front}/crm$BASE";
my $BACK = "http://$hostport{proxy_back}";

# The test client is not a proxy: it connects from 127.0.0.2, outside the
# back's trust list, as a browser would from anywhere (the front itself
# connects to the back from 127.0.0.1, which is trusted).
my $client = LWP::UserAgent->new(local_address => '127.0.0.2',
                                 keep_alive => 0, max_redirect => 0,
                                 timeout => 30);

sub front { req(@_[0, 1], vhost => 'proxy_front', ua => $client, @_[2 .. $#_]) }
sub back  { req(@_[0, 1], vhost => 'proxy_back', @_[2 .. $#_]) }
sub links { my $d = json_body($_[0]); return $d ? $d->{_Links} || {} : {} }

# ---- through mod_proxy ------------------------------------------------------
my $res = front(GET => "/crm$BASE/$ID");
is($res->code, 200, 'GET through the front: 200') or diag($res->content);
is(links($res)->{Self}, "$FRONT/$ID", '_Links.Self: the front\'s host and /crm');
is(links($res)->{Archive}, $FRONT, '_Links.Archive too');

$res = front(POST => "/crm$BASE/", body => { CustomerName => 'Via front' });
is($res->code, 200, 'POST through the front: 200') or diag($res->content);
my $new = json_body($res) || {};
is($res->header('Location'), "$FRONT/$new->{ChatSessionId}",
   'Location: the front\'s URL of the new session');
is(links($res)->{Self}, $res->header('Location'), '_Links.Self = Location');

$res = front(GET => "/crm$BASE/$ID", headers => {
    'X-Forwarded-Host' => 'evil.example', 'X-Forwarded-Proto' => 'https',
    'X-Forwarded-Port' => '8443', 'X-Forwarded-Prefix' => '/phish' });
is($res->code, 200, 'spoofed X-Forwarded-*: 200');
is(links($res)->{Self}, "$FRONT/$ID",
   'a spoofed X-Forwarded-Host (mod_proxy appends its own) does not win');
unlike($res->content, qr/evil|phish|8443/, 'nothing spoofed is reflected');

# A forged hop of our own network: the real client sits between it and
# the front, so the walk stops at the client.
$res = front(GET => "/crm$BASE/$ID", headers => {
    'X-Forwarded-For' => '10.1.2.3', 'X-Forwarded-Host' => 'evil.example' });
is(links($res)->{Self}, "$FRONT/$ID",
   'a forged trusted X-Forwarded-For entry does not extend the walk');

$res = front(GET => "/crm$BASE/$ID", headers => {
    Forwarded => 'for=10.0.0.1;host=evil.example;proto=https' });
is(links($res)->{Self}, "$FRONT/$ID",
   'a spoofed Forwarded does not win (the back reads X-Forwarded-*)');

$res = front(GET => "/crm$BASE/$ID", headers => {
    'X-Forwarded-Host' => ['evil.example', 'evil2.example'] });
is(links($res)->{Self}, "$FRONT/$ID", 'spoofed on two header lines neither');

# ---- the walk, as a trusted proxy (127.0.0.1) talking to the back ---------
$res = back(GET => "$BASE/$ID", headers => {
    'X-Forwarded-For' => '198.51.100.7, 10.0.0.5',
    'X-Forwarded-Host' => 'evil.example, Public.Example.com, inner.internal',
    'X-Forwarded-Proto' => 'http, https, http',
    'X-Forwarded-Prefix' => '/crm/' });
is(links($res)->{Self}, "https://public.example.com/crm$BASE/$ID",
   'two trusted hops: the outer proxy\'s host and proto, prefix without /');

$res = back(GET => "$BASE/$ID", headers => {
    'X-Forwarded-For' => '198.51.100.7',
    'X-Forwarded-Host' => 'crm.example.com', 'X-Forwarded-Proto' => 'https',
    'X-Forwarded-Port' => '8443' });
is(links($res)->{Self}, "https://crm.example.com:8443$BASE/$ID",
   'X-Forwarded-Port');
$res = back(GET => "$BASE/$ID", headers => {
    'X-Forwarded-Host' => 'crm.example.com:443', 'X-Forwarded-Proto' => 'https' });
is(links($res)->{Self}, "https://crm.example.com$BASE/$ID",
   'the scheme\'s default port is left out');
$res = back(GET => "$BASE/$ID", headers => { 'X-Forwarded-Proto' => 'https' });
is(links($res)->{Self}, "https://localhost$BASE/$ID",
   'a proto alone: the request\'s own host, no back-end port');

my $log_at = -s Apache::Test::vars('t_logs') . '/error_log';
$res = back(GET => "$BASE/$ID", headers => {
    'X-Forwarded-Host' => 'evil.example/x?',
    'X-Forwarded-Proto' => 'javascript',
    'X-Forwarded-Prefix' => '/a/../b' });
is($res->code, 200, 'invalid forwarded values: still 200');
is(links($res)->{Self}, "$BACK$BASE/$ID", 'invalid values are ignored');
unlike($res->content, qr/evil|javascript|\.\./, 'and never reflected');
like(error_log_since($log_at), qr/CHATS331: forwarded header ignored: (?:proto|host|prefix) '/,
     'and logged at debug (CHATS331)');
for my $bad ('user@evil.example', 'evil.example:99999', '[::1', 'a b') {
    $res = back(GET => "$BASE/$ID", headers => { 'X-Forwarded-Host' => $bad });
    is(links($res)->{Self}, "$BACK$BASE/$ID", "X-Forwarded-Host '$bad' ignored");
}
$res = back(GET => "$BASE/$ID", headers => { 'X-Forwarded-Prefix' => '//evil.example' });
is(links($res)->{Self}, "$BACK$BASE/$ID", 'a prefix "//host" is ignored');

# ---- RFC 7239 Forwarded -------------------------------------------------
my $R = "/rfc7239$BASE";
$res = back(GET => "$R/$ID", headers => {
    Forwarded => ['for=192.0.2.60;host=evil.example;proto=http',
                  'for=198.51.100.1;host="crm.example.com";proto=HTTPS, '
                  . 'for="[2001:db8:cafe::17]:4711";host=inner.internal'],
    'X-Forwarded-Prefix' => '/crm' });
is(links($res)->{Self}, "https://crm.example.com/crm$R/$ID",
   'Forwarded: two lines, quoted values, walked across a trusted IPv6 hop');
$res = back(GET => "$R/$ID", headers => {
    Forwarded => 'for=198.51.100.1;host=crm.example.com;proto=https',
    'X-Forwarded-Host' => 'evil.example', 'X-Forwarded-Proto' => 'http' });
is(links($res)->{Self}, "https://crm.example.com$R/$ID",
   'in Forwarded mode X-Forwarded-Host/-Proto are not read');
$res = back(GET => "$R/$ID", headers => {
    Forwarded => 'for=198.51.100.1;host=a.example;host=evil.example' });
is(links($res)->{Self}, "$BACK$R/$ID", 'a repeated parameter: ignored whole');
$res = back(GET => "$R/$ID", headers => { Forwarded => 'host="unterminated' });
is(links($res)->{Self}, "$BACK$R/$ID", 'an unterminated quote: ignored whole');

# ---- untrusted peers ----------------------------------------------------------
my %spoof = ('X-Forwarded-Host' => 'evil.example', 'X-Forwarded-Proto' => 'https',
             'X-Forwarded-Prefix' => '/phish',
             Forwarded => 'host=evil.example;proto=https');
$log_at = -s Apache::Test::vars('t_logs') . '/error_log';
$res = back(GET => "/untrusted$BASE/$ID", headers => \%spoof);
is($res->code, 200, 'a peer outside the trust list: 200');
like(error_log_since($log_at), qr/CHATS332: forwarded headers from 127\.0\.0\.1 ignored/,
     'logged at debug (CHATS332)');
is(links($res)->{Self}, "$BACK/untrusted$BASE/$ID",
   'its forwarded headers are ignored');
$res = back(GET => "$BASE/$ID", ua => $client, headers => \%spoof);
is(links($res)->{Self}, "$BACK$BASE/$ID",
   'a client at 127.0.0.2 straight to the back: ignored too');
$res = req(GET => "$BASE/$ID", headers => \%spoof);
unlike(links($res)->{Self}, qr/evil|phish|https/,
       'no ChatSessionTrustProxy: nothing forwarded counts');

# ---- ChatSessionPublicURL wins ------------------------------------------------
$res = back(GET => "/pinned$BASE/$ID", headers => {
    'X-Forwarded-Host' => 'crm.example.com', 'X-Forwarded-Proto' => 'http',
    'X-Forwarded-Prefix' => '/crm' });
is(links($res)->{Self}, "https://api.example.com/pinned$BASE/$ID",
   'ChatSessionPublicURL wins over trusted forwarded headers');
$res = back(POST => "/pinned$BASE", body => { CustomerName => 'Pinned' },
            headers => { 'X-Forwarded-Host' => 'crm.example.com' });
like($res->header('Location') // '', qr{^https://api\.example\.com/pinned\Q$BASE\E/\d+$},
     'and in Location');

# ---- the module's own resource.t location (On) still works ----------------
$res = req(GET => "/proxied$BASE/$ID", headers => {
    'X-Forwarded-Host' => 'evil.example, crm.example.com',
    'X-Forwarded-Proto' => 'https' });
is(links($res)->{Self}, "https://crm.example.com/proxied$BASE/$ID",
   'ChatSessionTrustProxy On: the last entry, not the first');
