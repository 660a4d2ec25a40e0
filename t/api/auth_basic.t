# AuthType ChatSession, Basic scheme: the 401 answer (challenge and JSON
# body), malformed credentials, the default "chatsession" provider, the
# "file" provider location, and the per-process credential cache.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use Apache::TestRequest ();
use HTTP::Request ();
use LWP::UserAgent ();
use MIME::Base64 qw(encode_base64);
use ChatSession::Test qw(db req json_body seed_session bcrypt_hash fresh_id
                         make_caller);

plan tests => 40, need_lwp, need_module('mod_dbd.c');

my $URL      = '/api/v1/ChatSession/844';
my $FILE_URL = '/authfile/api/v1/ChatSession/844';

sub basic { return 'Basic ' . encode_base64(shift, '') }

# A 401 of ours: status, our challenge, a JSON error body, no secret.
sub is_401 {
    my ($res, $name, $secret) = @_;
    is($res->code, 401, "$name: 401") or diag($res->as_string);
    my @ch = $res->header('WWW-Authenticate');
    ok(scalar(grep { $_ eq 'Basic realm="SuperOffice"' } @ch),
       "$name: WWW-Authenticate: Basic realm=\"SuperOffice\"")
        or diag("WWW-Authenticate: @ch");
    my $doc = json_body($res);
    ok(ref $doc eq 'HASH' && $doc->{Error}, "$name: JSON body, Error true");
    if (defined $secret) {
        ok(index($res->as_string, $secret) < 0, "$name: no secret echoed");
    }
}

# --- no credentials ----------------------------------------------------
{
    my $res = req(GET => $URL, auth => undef);
    is_401($res, 'no Authorization');
    like($res->header('Content-Type') // '', qr{^application/json\b}i,
         'no Authorization: Content-Type application/json');
}

# --- the demo associate through the default provider --------------------
is(req(GET => $URL, auth => ['tje0', 'Tje0'])->code, 200,
   'tje0:Tje0: 200');
is(req(GET => $URL, authorization => 'basic '
                                    . encode_base64('tje0:Tje0', ''))->code,
   200, 'scheme name in lower case: 200');
is(req(GET => $URL, authorization => 'BASIC  '
                                    . encode_base64('tje0:Tje0', '') . ' ')
       ->code,
   200, 'upper-case scheme, extra spaces: 200');

is_401(req(GET => $URL, auth => ['tje0', 'Wrong-pw-1']), 'wrong password',
       'Wrong-pw-1');
is_401(req(GET => $URL, auth => ['no-such-associate', 'Tje0']),
       'unknown user', 'Tje0');
is_401(req(GET => $URL, auth => ['ann', '']),
       'associate without a password hash');

# --- malformed credentials ---------------------------------------------
my %malformed = (
    'not base64'          => 'Basic !!!not-base64!!!',
    'junk after base64'   => basic('tje0:Tje0') . '$',
    'padding in the middle' => 'Basic dGpl=MDpUamUw',
    'no colon'            => basic('tje0Tje0'),
    'empty user'          => basic(':Tje0'),
    'no credentials'      => 'Basic',
);
for my $name (sort keys %malformed) {
    my $res = req(GET => $URL, authorization => $malformed{$name});
    is($res->code, 401, "malformed ($name): 401") or diag($res->as_string);
}
is_401(req(GET => $URL, authorization => 'Negotiate abcdef'),
       'unsupported scheme');

# --- the "file" provider location --------------------------------------
is(req(GET => $FILE_URL, auth => ['filebob', 'Filebob1'])->code, 200,
   'file provider: filebob:Filebob1: 200');
is_401(req(GET => $FILE_URL, auth => ['tje0', 'Tje0']),
       'file provider: tje0 (not in the file)', 'Tje0');
is(req(GET => $FILE_URL, auth => ['filebob', 'Wrong-pw-2'])->code, 401,
   'file provider: wrong password: 401');
is(req(GET => $URL, auth => ['filebob', 'Filebob1'])->code, 401,
   'filebob on the default provider: 401');

# --- the credential cache -----------------------------------------------
# A dedicated associate whose password changes under the server's feet:
# within ChatSessionAuthCacheTTL (60 s by default) the process that
# verified the old credential keeps accepting it. One keep-alive
# connection keeps every request on that process.
my $CACHE_LOGIN = 'cachet';
my $old = "Old-$$-" . time;
my $new = "New-$$-" . time;
my $CACHE_ID = make_caller($CACHE_LOGIN, password => $old)->{id};
my $old_hash = db()->selectrow_array(
    'SELECT password_hash FROM associate WHERE associate_id = ?', undef,
    $CACHE_ID);

sub set_password {
    db()->do('UPDATE associate SET password_hash = ? WHERE associate_id = ?',
             undef, bcrypt_hash($CACHE_LOGIN, shift), $CACHE_ID);
}

my $SID = fresh_id();
seed_session($SID, user_id => $CACHE_ID);
my $CACHE_URL = "/api/v1/ChatSession/$SID";

my $ua = LWP::UserAgent->new(keep_alive => 1, timeout => 30);
sub ka_get {
    my ($header) = @_;
    my $r = HTTP::Request->new(
        GET => Apache::TestRequest::resolve_url($CACHE_URL));
    $r->header(Authorization => $header);
    return $ua->request($r);
}

is(ka_get(basic("$CACHE_LOGIN:$old"))->code, 200, 'cache: first request');
is(ka_get(basic("$CACHE_LOGIN:$old"))->code, 200,
   'cache: identical second request');
set_password($new);
isnt(scalar db()->selectrow_array(
         'SELECT password_hash FROM associate WHERE associate_id = ?',
         undef, $CACHE_ID), $old_hash,
     'cache: password changed in the database');
is(ka_get(basic("$CACHE_LOGIN:$old"))->code, 200,
   'cache: old password still accepted within the TTL');
# Another header (scheme spelled differently) is another key: the
# provider decides, against the new hash.
is(ka_get('basic ' . encode_base64("$CACHE_LOGIN:$old", ''))->code, 401,
   'cache: old password in a header never seen: 401');
is(ka_get(basic("$CACHE_LOGIN:$new"))->code, 200,
   'cache: new password accepted');
