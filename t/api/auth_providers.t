# Basic through other authn providers: mod_authn_dbd ("dbd"), and our
# "chatsession" provider with mod_authn_socache in front ("socache").
# Our own credential cache is off at both locations, so what answers is
# the provider chain itself.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session db);

plan tests => 10, need_lwp, need_module('mod_dbd.c'),
    need_module('mod_authn_dbd.c'), need_module('mod_authn_socache.c');

my ($ID, $AID, $LOGIN) = (9701, 9701, 'provtest');
my ($pw1, $pw2) = ("One-$$-" . time, "Two-$$-" . time);

sub bcrypt {
    my $pw = shift;
    my ($htpasswd) = grep { -x } map { "$_/htpasswd" }
                     (split(/:/, $ENV{PATH}), '/usr/bin', '/usr/sbin');
    die "htpasswd not found: apt-get install apache2-utils\n" unless $htpasswd;
    open(my $fh, '-|', $htpasswd, '-nbB', $LOGIN, $pw) or die "$htpasswd: $!\n";
    my $line = <$fh>;
    close $fh or die "$htpasswd -nbB failed\n";
    chomp $line;
    $line =~ s/^\Q$LOGIN\E://;
    return $line;
}

db()->do('DELETE FROM chat_session WHERE id = ?', undef, $ID);
db()->do(q{INSERT INTO associate (associate_id, name, password_hash)
           VALUES (?, ?, ?) ON CONFLICT (associate_id)
           DO UPDATE SET name = EXCLUDED.name,
                         password_hash = EXCLUDED.password_hash},
         undef, $AID, $LOGIN, bcrypt($pw1));
# Full rights where rights exist, so that only authentication is tested.
eval { db()->do(q{INSERT INTO chat_session_right (associate_id, level)
                  VALUES (?, 'admin') ON CONFLICT (associate_id)
                  DO UPDATE SET level = EXCLUDED.level}, undef, $AID) };
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

db()->do('DELETE FROM chat_session WHERE id = ?', undef, $ID);
db()->do('UPDATE associate SET password_hash = NULL WHERE associate_id = ?',
         undef, $AID);
