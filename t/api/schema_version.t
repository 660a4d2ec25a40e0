# A database at another schema version than the module's
# (CHATS_SCHEMA_VERSION): 500 with a body that names the command to run,
# one log line per process however many requests fail, and recovery once
# `chatsession-db upgrade` has run, without an httpd restart; the health
# check's ready answer follows. Uses the outage and obshealth vhosts and
# their cluster.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use Apache::TestConfig ();
use ChatSession::Test qw(db req json_body);

plan tests => 19, need_lwp, need_module('mod_dbd.c');

my $top = Apache::Test::vars('top_dir');
my $errlog = Apache::Test::vars('t_logs') . '/error_log';
$ENV{PATH} = "$ENV{CHATS_PG_BIN}:$ENV{PATH}" if $ENV{CHATS_PG_BIN};

sub get { req(GET => '/api/v1/ChatSession/844', vhost => 'outage') }
sub log_size { -s $errlog // 0 }
sub log_since {
    my ($from) = @_;
    open(my $fh, '<', $errlog) or return '';
    seek($fh, $from, 0);
    local $/;
    return scalar(<$fh>) // '';
}
# New backends for the outage vhost's pooled connections, so that each
# checks the version again.
sub new_backends {
    my $d = db('outage');
    $d->do('SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()
               AND backend_type = ?', undef, 'client backend');
    $d->disconnect;
}
sub outage_do { my $d = db('outage'); $d->do(@_); $d->disconnect }

is(get()->code, 200, 'the right version: 200');

outage_do('INSERT INTO chats_schema_version (version) VALUES (99)');
new_backends();
my $from = log_size();
my @codes = map { get()->code } 1 .. 30;
is_deeply([sort { $a <=> $b } keys %{{ map { $_ => 1 } @codes }}], [500],
          'a newer database: every request is 500 (a backend found gone is reconnected, then checked)')
    or diag("@codes");
my $res = get();
my $doc = json_body($res);
ok($doc && $doc->{Error}, 'SuperOffice error body');
like($doc && $doc->{ErrorMessage}, qr/server misconfigured: the database schema is version 99, this module needs version 8/,
     'the body names both versions');
like($doc && $doc->{ErrorMessage}, qr/run `chatsession-db upgrade`/, 'and the command to run');
unlike($res->header('Retry-After') // '', qr/\d/, 'no Retry-After: it is not temporary');
my $log = log_since($from);
my @pids = $log =~ /\[pid (\d+):tid \d+\] \[client [^\]]*\] CHATS330: the database schema is version 99, this module needs version 8: run `chatsession-db upgrade`/g;
my %per_pid;
$per_pid{$_}++ for @pids;
ok(@pids >= 1, 'the error log names the versions and the command');
ok(!grep({ $_ > 1 } values %per_pid) && @pids < @codes,
   'logged once per process, not per request (' . scalar(@pids) . ' lines from '
   . scalar(keys %per_pid) . ' processes for ' . (@codes + 1) . ' requests)');

# A load balancer's readiness check says so too (the obshealth vhost is
# on the same cluster), without naming any version.
my $ready = req(GET => '/health/ready', vhost => 'obshealth', auth => undef);
is($ready->code, 503, 'health/ready: 503 while the schema version is wrong');
unlike($ready->content, qr/\d/, 'and names no version');

outage_do('DELETE FROM chats_schema_version WHERE version = 99');
is(get()->code, 200, 'the version fixed: 200 again, no restart');
new_backends();
is(req(GET => '/health/ready', vhost => 'obshealth', auth => undef)->code, 200,
   'health/ready: 200 again');

# An empty schema-version table's absence: a database older than the
# module (or never set up): version 0.
outage_do('ALTER TABLE chats_schema_version RENAME TO chats_schema_version_x');
new_backends();
$res = get();
is($res->code, 500, 'no version table: 500');
like(json_body($res)->{ErrorMessage} // '', qr/schema is version 0, this module needs version 8/,
     'names version 0');
outage_do('ALTER TABLE chats_schema_version_x RENAME TO chats_schema_version');
is(get()->code, 200, 'back: 200');

# The fix an administrator runs: chatsession-db upgrade brings a database
# without the version table (made before versions were recorded) back.
outage_do('DROP TABLE chats_schema_version');
new_backends();
is(get()->code, 500, 'version table dropped: 500');
my $out = `'$top/modules/tools/chatsession-db' -h 127.0.0.1 -p '$ENV{CHATS_OUTAGE_PGPORT}' -U '$ENV{CHATS_TEST_PGUSER}' -d '$ENV{CHATS_TEST_PGDATABASE}' upgrade 2>&1`;
is($? >> 8, 0, 'chatsession-db upgrade') or diag($out);
like($out, qr/schema version 2 -> 8 \(.*upgrade\/3\.sql upgrade\/4\.sql upgrade\/5\.sql upgrade\/6\.sql upgrade\/7\.sql upgrade\/8\.sql/, 'brings it to version 8, with the steps upgrade/3.sql to upgrade/8.sql');
is(get()->code, 200, 'after the upgrade: 200, no restart');
