# Cookie sessions (mod_session + mod_session_cookie, keys user/pw as
# mod_auth_form writes them): a request without Authorization is carried
# by the session, re-checked through the providers; a state-changing one
# must also send X-XSRF-TOKEN equal to the XSRF-TOKEN cookie (403
# otherwise, nothing changed). Authorization-header requests need no
# XSRF token.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(db req json_body seed_session fresh_id);

plan tests => 19, need_lwp, need_module('mod_dbd.c', 'mod_session.c',
                                        'mod_session_cookie.c');

my $ID = fresh_id();
my $URL = "/session/api/v1/ChatSession/$ID";
my $XSRF = 'f3Qx9zK2mP7vL1sD8aB4nC6eR0tY5uW';
my $SESSION = 'chatsession=user=tje0&pw=Tje0';

sub cookies { return join '; ', @_ }

sub patch_ops {
    my $v = shift;
    return [{ op => 'replace', path => '/CustomerAlias', value => $v }];
}

sub alias {
    return (db()->selectrow_array(
        'SELECT customer_alias FROM chat_session WHERE id = ?', undef, $ID))[0];
}

seed_session($ID, customer_alias => 'Start');

is(req(GET => $URL, auth => undef,
       headers => [Cookie => $SESSION])->code, 200,
   'GET by session, no XSRF token: 200');
is(req(HEAD => $URL, auth => undef,
       headers => [Cookie => $SESSION])->code, 200,
   'HEAD by session, no XSRF token: 200');

my %forbidden = (
    'no XSRF token' => [Cookie => $SESSION],
    'header, no cookie' => [Cookie => $SESSION, 'X-XSRF-TOKEN' => $XSRF],
    'cookie, no header' => [Cookie => cookies($SESSION, "XSRF-TOKEN=$XSRF")],
    'header differs' => [Cookie => cookies($SESSION, "XSRF-TOKEN=$XSRF"),
                         'X-XSRF-TOKEN' => "${XSRF}x"],
    'empty both' => [Cookie => cookies($SESSION, 'XSRF-TOKEN='),
                     'X-XSRF-TOKEN' => ''],
);
for my $name (sort keys %forbidden) {
    my $res = req(PATCH => $URL, auth => undef, body => patch_ops($name),
                  headers => $forbidden{$name});
    is($res->code, 403, "PATCH by session, $name: 403")
        or diag($res->as_string);
    my $doc = json_body($res);
    ok(ref $doc eq 'HASH' && ($doc->{ErrorMessage} // '') =~ /XSRF/,
       "PATCH by session, $name: JSON body");
}
is(alias(), 'Start', 'refused PATCHes changed nothing');

{
    my $res = req(PATCH => $URL, auth => undef, body => patch_ops('Xsrf'),
                  headers => [Cookie => cookies($SESSION,
                                                "XSRF-TOKEN=$XSRF"),
                              'X-XSRF-TOKEN' => $XSRF]);
    is($res->code, 200, 'PATCH by session with matching token: 200')
        or diag($res->as_string);
    is(alias(), 'Xsrf', 'and the row is written');
}

is(req(PATCH => $URL, body => patch_ops('Basic'))->code, 200,
   'PATCH with Basic at the same location: no XSRF token needed');
is(req(GET => $URL, auth => undef,
       headers => [Cookie => 'chatsession=user=tje0&pw=wrong'])->code, 401,
   'session with a wrong password: 401');
is(req(GET => $URL, auth => undef)->code, 401, 'no session: 401');
is(req(GET => "/api/v1/ChatSession/$ID", auth => undef,
       headers => [Cookie => $SESSION])->code, 401,
   'where Session is off, the cookie is no credential: 401');
