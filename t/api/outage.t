# PostgreSQL goes away under a running httpd: 503 with Retry-After, a JSON
# body and a tagged log line, no crash; once it is back, requests succeed
# again within seconds, with no httpd restart (our statements are prepared
# again on the new backend). Uses the outage vhost and its own cluster.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use Apache::TestConfig ();
use ChatSession::Test qw(req json_body outage_cluster);
use Time::HiRes qw(sleep time);

plan tests => 10, need_lwp, need_module('mod_dbd.c');

sub get { req(GET => '/api/v1/ChatSession/844', vhost => 'outage') }

# Warm the pool so a connection exists when the server goes away.
is(get()->code, 200, 'outage vhost serves while PostgreSQL is up');
is(get()->code, 200, 'and again (pooled connection, statements prepared)');

ok(outage_cluster('stop'), 'PostgreSQL stopped');
my $res = get();
is($res->code, 503, 'PostgreSQL down: 503');
ok(defined $res->header('Retry-After'), 'Retry-After given');
my $doc = json_body($res);
ok($doc && $doc->{Error}, 'SuperOffice error body');
$res = req(PATCH => '/api/v1/ChatSession/844', vhost => 'outage',
           body => [{ op => 'replace', path => '/Rating', value => 1 }]);
is($res->code, 503, 'PATCH while down: 503');

my $log = Apache::Test::vars('t_logs') . '/error_log';
my $text = do { local $/; open my $fh, '<', $log or die "$log: $!"; <$fh> };
like($text, qr/CHATS\d+: PostgreSQL unavailable/, 'tagged log line');

ok(outage_cluster('start'), 'PostgreSQL started again');
my $t0 = time;
my $code = 0;
while (time - $t0 < 20) {
    $code = get()->code;
    last if $code == 200;
    sleep 0.25;
}
is($code, 200, sprintf('200 again after %.1f s, same httpd', time - $t0));
