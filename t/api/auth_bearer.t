# AuthType ChatSession, Bearer scheme: JWTs (RS256, ES256, HS256) with
# keys from a JWKS file, a secret file and a PEM file (t/TEST.PL makes
# them), kid rotation, exp/nbf with leeway, iss, aud, the user claim; and
# every rejection: 401 with RFC 6750's error="invalid_token" and our JSON
# body. A rejected PATCH leaves the row as it was.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(db req json_body seed_session fresh_id);
use ChatSession::JWT qw(jwt b64u key_file slurp);

plan tests => 149, need_lwp, need_module('mod_dbd.c');

my $URL = '/api/v1/ChatSession/844';
my $PEM_URL = '/pem/api/v1/ChatSession/844';
my $ISS = 'https://idp.example.test';
my $now = time;

# Claims valid at the main location, with overrides (undef deletes).
sub claims {
    my %c = (sub => 'tje0', iss => $ISS, aud => 'chatsession',
             iat => $now, exp => $now + 600, @_);
    delete @c{grep { !defined $c{$_} } keys %c};
    return \%c;
}

sub bearer { return (authorization => 'Bearer ' . shift) }

sub ok_200 {
    my ($res, $name) = @_;
    is($res->code, 200, "$name: 200") or diag($res->as_string);
}

# A rejected token: 401, the invalid_token challenge, a JSON body.
sub is_invalid {
    my ($res, $name) = @_;
    is($res->code, 401, "$name: 401") or diag($res->as_string);
    my @ch = $res->header('WWW-Authenticate');
    ok(scalar(grep { $_ eq 'Bearer realm="SuperOffice", '
                          . 'error="invalid_token"' } @ch),
       "$name: Bearer error=\"invalid_token\"") or diag("@ch");
    my $doc = json_body($res);
    ok(ref $doc eq 'HASH' && $doc->{Error}, "$name: JSON error body");
}

# --- no credentials: every scheme is offered, Bearer without an error ---
{
    my $res = req(GET => $URL, auth => undef);
    is($res->code, 401, 'no credentials: 401');
    my @ch = $res->header('WWW-Authenticate');
    is_deeply([sort @ch], [sort('Basic realm="SuperOffice"',
                                'Bearer realm="SuperOffice"',
                                'SOTicket realm="SuperOffice"')],
              'no credentials: Basic, Bearer and SOTicket challenges')
        or diag("@ch");
}

# --- valid tokens -------------------------------------------------------
ok_200(req(GET => $URL, bearer(jwt(kid => 'rsa-1', claims => claims()))),
       'RS256 kid rsa-1');
ok_200(req(GET => $URL, bearer(jwt(kid => 'rsa-2', key => 'rsa2',
                                   claims => claims()))),
       'RS256 kid rsa-2 (rotation: second key of the JWKS)');
ok_200(req(GET => $URL, bearer(jwt(key => 'rsa2', claims => claims()))),
       'RS256 without kid: every RSA key is tried');
ok_200(req(GET => $URL, bearer(jwt(alg => 'ES256', kid => 'ec-1',
                                   key => 'ec1', claims => claims()))),
       'ES256 kid ec-1');
ok_200(req(GET => $URL, bearer(jwt(alg => 'HS256', key => 'hs',
                                   claims => claims()))),
       'HS256 with ChatSessionJWTSecretFile');
ok_200(req(GET => $URL, bearer(jwt(alg => 'HS256', kid => 'oct-1',
                                   key => 'oct1', claims => claims()))),
       'HS256 with the JWKS oct key');
ok_200(req(GET => $URL, bearer(jwt(kid => 'rsa-1', claims => claims(
           aud => ['someone-else', 'other-api'])))),
       'aud array holding an accepted audience');
ok_200(req(GET => $URL, bearer(jwt(kid => 'rsa-1',
                                   claims => claims(exp => $now - 30)))),
       'expired 30 s ago, within the 60 s leeway');
ok_200(req(GET => $URL, bearer(jwt(kid => 'rsa-1',
                                   claims => claims(nbf => $now + 30)))),
       'nbf 30 s ahead, within the leeway');
ok_200(req(GET => $URL, bearer(jwt(kid => 'rsa-1', claims => claims(
           exp => $now + 600.5, nbf => $now - 1.25)))),
       'fractional NumericDates');
ok_200(req(GET => $URL, authorization => 'bearer  '
                                         . jwt(kid => 'rsa-1',
                                               claims => claims()) . ' '),
       'scheme in lower case, extra spaces');
ok_200(req(GET => $PEM_URL, bearer(jwt(claims => {
           preferred_username => 'tje0', exp => $now + 60 }))),
       'PEM key location, ChatSessionJWTUserClaim preferred_username');

# --- rejections ---------------------------------------------------------
my $pub_pem = slurp(key_file('jwt-rsa1.pub'));
my %bad = (
    'alg none' => jwt(header => { alg => 'none', typ => 'JWT' },
                      claims => claims(), sig => ''),
    'alg None (case)' => jwt(header => { alg => 'None' },
                             claims => claims(), sig => ''),
    'alg missing' => jwt(header => { typ => 'JWT' }, claims => claims()),
    'alg RS512 (not supported)' => jwt(header => { alg => 'RS512' },
                                       claims => claims()),
    'algorithm confusion: HS256 keyed with the RSA public key PEM' =>
        jwt(alg => 'HS256', key => \$pub_pem, claims => claims()),
    'bad signature (key not in the JWKS, kid rsa-1)' =>
        jwt(kid => 'rsa-1', key => 'rsa3', claims => claims()),
    'bad signature (unknown kid)' =>
        jwt(kid => 'rsa-9', key => 'rsa3', claims => claims()),
    'bad signature (no kid, untrusted key)' =>
        jwt(key => 'rsa3', claims => claims()),
    'signature of other claims' => do {
        my ($h) = split /\./, jwt(kid => 'rsa-1', claims => claims());
        my (undef, undef, $s) = split /\./,
            jwt(kid => 'rsa-1', claims => claims(sub => 'ann'));
        "$h." . b64u(JSON::PP->new->canonical->encode(claims())) . ".$s";
    },
    'ES256 token signed by an RSA key' =>
        jwt(alg => 'ES256', kid => 'ec-1', key => 'rsa1',
            sig => "\0" x 256, claims => claims()),
    'RS256 header with the EC key' =>
        jwt(alg => 'RS256', kid => 'ec-1', key => 'ec1', claims => claims()),
    'HS256 with a wrong secret' =>
        jwt(alg => 'HS256', key => \('x' x 32), claims => claims()),
    'expired' => jwt(kid => 'rsa-1', claims => claims(exp => $now - 120)),
    'no exp' => jwt(kid => 'rsa-1', claims => claims(exp => undef)),
    'exp not a number' => jwt(kid => 'rsa-1',
                              claims => claims(exp => "$now")),
    'not yet valid' => jwt(kid => 'rsa-1',
                           claims => claims(nbf => $now + 300)),
    'wrong iss' => jwt(kid => 'rsa-1',
                       claims => claims(iss => 'https://evil.test')),
    'no iss' => jwt(kid => 'rsa-1', claims => claims(iss => undef)),
    'wrong aud' => jwt(kid => 'rsa-1', claims => claims(aud => 'other')),
    'aud array without ours' => jwt(kid => 'rsa-1',
                                    claims => claims(aud => ['a', 'b'])),
    'no aud' => jwt(kid => 'rsa-1', claims => claims(aud => undef)),
    'unknown user' => jwt(kid => 'rsa-1',
                          claims => claims(sub => 'no-such-associate')),
    'no user claim' => jwt(kid => 'rsa-1', claims => claims(sub => undef)),
    'user claim not a string' => jwt(kid => 'rsa-1',
                                     claims => claims(sub => 5)),
    'crit header' => jwt(header => { alg => 'RS256', kid => 'rsa-1',
                                     crit => ['exp'] }, claims => claims()),
    'payload not JSON' => jwt(kid => 'rsa-1', claims => '{"sub":"tje0",'),
    'payload a JSON array' => jwt(kid => 'rsa-1', claims => '[1]'),
    'header not JSON' => jwt(header => 'alg=RS256', claims => claims()),
    'duplicate claim' => jwt(kid => 'rsa-1',
        claims => '{"sub":"ann","sub":"tje0","iss":"' . $ISS
                  . '","aud":"chatsession","exp":' . ($now + 60) . '}'),
);
my $good = jwt(kid => 'rsa-1', claims => claims());
my ($gh, $gp, $gs) = split /\./, $good;
(my $std = $gs) =~ tr/-_/+\//;
$bad{'two parts'} = "$gh.$gp";
$bad{'four parts'} = "$good.$gs";
$bad{'padding in base64url'} = "$gh.$gp=.$gs";
$bad{'standard base64 alphabet'} = "$gh.$gp.$std" . ($std eq $gs ? '+' : '');
$bad{'space inside the token'} = "$gh. $gp.$gs";
$bad{'non-zero trailing bits'} = "$gh.$gp." . substr($gs, 0, -1)
    . (substr($gs, -1) eq 'B' ? 'C' : 'B');
$bad{'empty signature'} = "$gh.$gp.";
$bad{'garbage'} = 'not-a-token';

for my $name (sort keys %bad) {
    is_invalid(req(GET => $URL, bearer($bad{$name})), $name);
}
is_invalid(req(GET => $URL, authorization => 'Bearer'), 'no token');
is_invalid(req(GET => $PEM_URL, bearer(jwt(claims => {
               preferred_username => 'tje0', exp => $now - 2 }))),
           'PEM location: leeway 0, expired 2 s ago');
is_invalid(req(GET => $PEM_URL, bearer(jwt(alg => 'HS256', key => \$pub_pem,
               claims => { preferred_username => 'tje0',
                           exp => $now + 60 }))),
           'PEM location: algorithm confusion');
is_invalid(req(GET => $PEM_URL, bearer(jwt(alg => 'ES256', key => 'ec1',
               claims => { preferred_username => 'tje0',
                           exp => $now + 60 }))),
           'PEM location: ES256 not in ChatSessionJWTAlgorithms');
is_invalid(req(GET => $PEM_URL, bearer(jwt(claims => {
               sub => 'tje0', exp => $now + 60 }))),
           'PEM location: sub is not the configured claim');

# --- a rejected PATCH changes nothing -----------------------------------
{
    my $ID = fresh_id();
    my $row = seed_session($ID, customer_alias => 'Before');
    my $patch = [{ op => 'replace', path => '/CustomerAlias',
                   value => 'After' }];
    is_invalid(req(PATCH => "/api/v1/ChatSession/$ID", body => $patch,
                   bearer($bad{expired})), 'PATCH with an expired token');
    my ($v, $alias) = db()->selectrow_array(
        'SELECT version, customer_alias FROM chat_session WHERE id = ?',
        undef, $ID);
    is($v, $row->{version}, 'rejected PATCH: version unchanged');
    is($alias, 'Before', 'rejected PATCH: row unchanged');
    my $res = req(PATCH => "/api/v1/ChatSession/$ID", body => $patch,
                  bearer(jwt(kid => 'ec-1', alg => 'ES256', key => 'ec1',
                             claims => claims())));
    is($res->code, 200, 'PATCH with a valid ES256 token: 200')
        or diag($res->as_string);
    ($alias) = db()->selectrow_array(
        'SELECT customer_alias FROM chat_session WHERE id = ?', undef, $ID);
    is($alias, 'After', 'valid token: row written');
}

# --- the log names the reason, never the token --------------------------
{
    my $log = slurp(File::Spec->catfile(Apache::Test::vars('t_logs'),
                                        'error_log'));
    ok(index($log, $gs) < 0, 'error_log holds no token signature');
    like($log, qr/CHATS150: Bearer token rejected \(token expired\)/,
         'error_log: tagged reason');
}
