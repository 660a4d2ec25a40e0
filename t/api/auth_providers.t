# Basic through other authn providers: mod_authn_dbd ("dbd"), and our
# "chatsession" provider with mod_authn_socache in front ("socache").
# Our own credential cache is off at both locations, so what answers is
# the provider chain itself.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session db bcrypt_hash fresh_id
                         make_caller);

plan tests => 10, need_lwp, need_module('mod_dbd.c'),
    need_module('mod_authn_dbd.c'), need_module('mod_authn_socache.c');

my $LOGIN = 'provtest';
my ($pw1, $pw2) = ("One-$$-" . time, "Two-$$-" . time);
sub bcrypt { bcrypt_hash($LOGIN, shift) }

# Full rights, so that only authentication is tested.
my $AID = make_caller($LOGIN, password => $pw1, level => 'admin')->{id};
my $ID = fresh_id();
seed_session($ID, user_id => $AID);

my $url = "/api/v1/ChatSession/$ID";
is(req(GET => "/authdbd$url", auth => [$LOGIN, $pw1])->code, 200,
   'dbd provider: right password 200');
is(req(GET => "/authdbd$url", auth => [$LOGIN, 'wrong'])->code, 401,
   'dbd provider: wrong password 401');
is(req(GET => "/authdbd$url", auth => ['tje0', 'Tje0'])->code, 200,
   'dbd provider: demo user 200');

is(req(GET => "/authsocache$url", auth => [$LOGIN, $pw1])->code, 200,
   'socache, chatsession: first request checked by chatsession, 200');
db()->do('UPDATE associate SET password_hash = ? WHERE associate_id = ?',
         undef, bcrypt($pw2), $AID);
is(req(GET => "/authsocache$url", auth => [$LOGIN, $pw1])->code, 200,
   'old password still accepted: answered by socache in front');
is(req(GET => "/authsocache$url", auth => [$LOGIN, $pw2])->code, 401,
   'new password: socache knows the user and says no, as with mod_auth_basic'
   . ' (the next provider is asked only for unknown users)');
is(req(GET => "/authsocache$url", auth => [$LOGIN, 'wrong'])->code, 401,
   'wrong password: 401');
is(req(GET => "/api/v1/ChatSession/$ID", auth => [$LOGIN, $pw1])->code, 401,
   'without socache in front the old password is refused');

# A retired (deleted) associate cannot log in, whatever its hash.
my $pw3 = "Three-$$-" . time;
db()->do('UPDATE associate SET password_hash = ?, deleted = true
          WHERE associate_id = ?', undef, bcrypt($pw3), $AID);
is(req(GET => "/api/v1/ChatSession/$ID", auth => [$LOGIN, $pw3])->code, 401,
   'deleted associate: 401');
db()->do('UPDATE associate SET deleted = false WHERE associate_id = ?',
         undef, $AID);
is(req(GET => "/api/v1/ChatSession/$ID", auth => [$LOGIN, $pw3])->code, 200,
   'the same associate, not deleted: 200');
