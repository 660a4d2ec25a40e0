# SO-AppToken: where ChatSessionAppTokenRequired is On, a request needs a
# token from ChatSessionAppToken besides the user's credentials (401
# otherwise, like any other missing credential); elsewhere it is optional.
# The log carries a hash prefix with the user, never the token.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use File::Spec ();
use ChatSession::Test qw(req json_body);
use ChatSession::JWT qw(slurp);

plan tests => 13, need_lwp, need_module('mod_dbd.c');

my $URL = '/apptoken/api/v1/ChatSession/844';

sub app { return (headers => ['SO-AppToken' => shift]) }

for my $case (['missing', []], ['unknown', [app('no-such-token-123')]],
              ['empty', [app('')]]) {
    my ($name, $opts) = @$case;
    my $res = req(GET => $URL, @$opts);
    is($res->code, 401, "$name app token: 401") or diag($res->as_string);
    my $doc = json_body($res);
    like($doc && $doc->{ErrorMessage} // '', qr/application token/i,
         "$name app token: JSON body names it");
}
is(req(GET => $URL, app('test-app-token-1'))->code, 200,
   'first configured token: 200');
is(req(GET => $URL, app('test-app-token-2'))->code, 200,
   'second configured token: 200');
is(req(GET => $URL, app('test-app-token-1'), auth => ['tje0', 'wrong'])
       ->code, 401, 'good token, wrong password: 401');
is(req(GET => $URL, auth => undef, app('test-app-token-1'))->code, 401,
   'good token, no user credentials: 401');

# Not required: any token (or none) is accepted.
is(req(GET => '/api/v1/ChatSession/844', app('whatever'))->code, 200,
   'not required: unknown token accepted');

{
    my $log = slurp(File::Spec->catfile(Apache::Test::vars('t_logs'),
                                        'error_log'));
    like($log, qr/CHATS165:\suser\stje0:\sSO-AppToken\sunknown
                  \s\(sha256\s[0-9a-f]{8}\.\.\.\)\srefused/x,
         'refusal logged with the user and a hash prefix');
    ok(index($log, 'no-such-token-123') < 0 && index($log, 'test-app-token')
       < 0, 'error_log holds no app token');
}
