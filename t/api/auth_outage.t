# Credentials first seen while PostgreSQL is down: every scheme needs the
# database to find the caller (password, associate, ticket, rights), so
# each answers 503 with Retry-After -- never 200 without rights, 401 or
# 500 -- and 200 once PostgreSQL is back, with no httpd restart. Uses the
# outage vhost's /cold location and the outage cluster, which it stops and
# starts as t/api/outage.t does.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use MIME::Base64 qw(encode_base64);
use Time::HiRes qw(sleep time);
use ChatSession::Test qw(db req json_body outage_cluster);
use ChatSession::JWT qw(jwt);

plan tests => 14, need_lwp, need_module('mod_dbd.c');

my $URL = '/cold/api/v1/ChatSession/844';

sub get {
    my $auth = shift;
    return req(GET => $URL, vhost => 'outage', auth => undef,
               authorization => $auth);
}

sub basic { return 'Basic ' . encode_base64(join(':', @_), '') }

# Credentials the outage vhost has never seen (fresh token and ticket; the
# Basic ones are new to /cold, whose cache entries are its own).
my $ticket = 'SoTicket ' . db('outage')->selectrow_array(
    q{SELECT chats_issue_ticket('tje0', interval '1 hour')});
my $token = 'Bearer ' . jwt(kid => 'rsa-1', claims => {
    sub => 'tje0', iss => 'https://idp.example.test', aud => 'chatsession',
    iat => time, exp => int(time) + 600, jti => "outage-$$" });
my %cred = (
    'Basic, chatsession provider' => basic('tje0', 'Tje0'),
    'Basic, file provider'        => basic('filebob', 'Filebob1'),
    'Bearer'                      => $token,
    'SoTicket'                    => $ticket,
);

ok(outage_cluster('stop'), 'outage PostgreSQL stopped');
for my $name (sort keys %cred) {
    my $res = get($cred{$name});
    is($res->code, 503, "$name, PostgreSQL down: 503")
        or diag($res->as_string);
    ok(defined $res->header('Retry-After')
       && (json_body($res) // {})->{Error},
       "$name: Retry-After and an error body");
}

ok(outage_cluster('start'),
   'outage PostgreSQL started again');
my $t0 = time;
my $code = 0;
while (time - $t0 < 20) {
    $code = get($cred{'Basic, chatsession provider'})->code;
    last if $code == 200;
    sleep 0.25;
}
is($code, 200, 'Basic: 200 again, same httpd');
for my $name (grep { !/chatsession provider/ } sort keys %cred) {
    is(get($cred{$name})->code, 200, "$name: 200 again");
}
