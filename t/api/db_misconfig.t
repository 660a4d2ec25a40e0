# A database that will never work as configured is not an outage: a wrong
# password (28P01), a role (28000) or a database (3D000) that does not
# exist, an empty database, a missing function (42883) are each 500 with
# a "server misconfigured" body and no Retry-After, the error log naming
# the cause and the fix; only a PostgreSQL that is not there is 503 with
# Retry-After. Authentication, which needs the database first, answers
# the same. The vhosts are t/conf/extra.conf.in's misconf_* ones.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use File::Temp qw(tempdir);
use ChatSession::Test qw(db req json_body error_log_since password_role);

plan tests => 34, need_lwp, need_module('mod_dbd.c');

my $top = Apache::Test::vars('top_dir');
my $errlog = Apache::Test::vars('t_logs') . '/error_log';
my $tool = "$top/modules/tools/chatsession-db";
$ENV{PATH} = "$ENV{CHATS_PG_BIN}:$ENV{PATH}" if $ENV{CHATS_PG_BIN};
my @conn = ('-h', $ENV{CHATS_TEST_PGHOST}, '-p', $ENV{CHATS_TEST_PGPORT},
            '-U', $ENV{CHATS_TEST_PGUSER});
my $tmp = tempdir(CLEANUP => 1);

sub get { req(GET => '/api/v1/ChatSession/844', vhost => $_[0]) }

# misconfigured($res, $name): the answer of a permanent failure.
sub misconfigured {
    my ($res, $name) = @_;
    my $doc = json_body($res);
    is($res->code, 500, "$name: 500");
    like($doc && $doc->{ErrorMessage} // '', qr/^server misconfigured: /,
         "$name: the body says server misconfigured")
        or diag($res->as_string);
    ok(!defined $res->header('Retry-After'), "$name: no Retry-After");
}

# --- the role exists, with another password than DBDParams has: the
# cluster asks this role for one (scram), as Debian's pg_hba.conf does
my $d = db();
my $undo_role = password_role($d, chats_misconf_pw => 'right');

my $from = -s $errlog;
my @codes = map { get('misconf_pw')->code } 1 .. 10;
is_deeply([sort { $a <=> $b } keys %{{ map { $_ => 1 } @codes }}], [500],
          'a wrong password: every request is 500, none 503')
    or diag("@codes");
misconfigured(get('misconf_pw'), 'a wrong password');
my $log = error_log_since($from);
like($log, qr/CHATS358: server misconfigured: PostgreSQL refuses mod_dbd's connection: the password in DBDParams is wrong for this role \(.*28P01: password authentication failed for user "chats_misconf_pw"/,
     'the log names the SQLSTATE, the cause and the fix');
my $n = () = $log =~ /CHATS358: .*28P01/g;
ok($n >= 1 && $n < 11, "logged once per process and few seconds, not per request ($n lines for 11 requests)");
unlike($log, qr/password=wrong|'right'/, 'the password is never logged');

# --- no such role, no such database
misconfigured(get('misconf_role'), 'no such role');
like(error_log_since($from), qr/CHATS358: .*the role in DBDParams does not exist, or pg_hba\.conf .*28000: role "chats_no_such_role" does not exist/,
     'no such role: the log names it');
misconfigured(get('misconf_db'), 'no such database');
like(error_log_since($from), qr/CHATS358: .*the database in DBDParams does not exist: create it, then run `chatsession-db upgrade` .*3D000: database "chats_no_such_db" does not exist/,
     'no such database: the log names it and the fix');

# --- PostgreSQL not there at all: the one temporary failure
my $res = get('misconf_down');
is($res->code, 503, 'PostgreSQL unreachable: 503');
like($res->header('Retry-After') // '', qr/^\d+$/, 'with Retry-After');
unlike(error_log_since($from), qr/CHATS358: .*port=1|CHATS358: [^\n]*Connection refused/,
       'and no "misconfigured" in the log for it');

# --- an empty database: no schema at all
$d->do('DROP DATABASE IF EXISTS chats_misconf WITH (FORCE)');
$d->do('CREATE DATABASE chats_misconf');
$res = get('misconf_schema');
misconfigured($res, 'an empty database');
like(json_body($res)->{ErrorMessage} // '', qr/the database schema is version 0, this module needs version \d+; the administrator must run `chatsession-db upgrade`/,
     'an empty database: the body names the command (through Basic auth)');

# --- the schema, then a function dropped: 42883 at the statement
sub run_tool {
    my ($stdin, @args) = @_;
    open(my $in, '>', "$tmp/in") or die $!; print {$in} $stdin; close $in;
    system("'$tool' " . join(' ', map { "'$_'" } @args)
           . " <'$tmp/in' >'$tmp/out' 2>&1");
    return $? >> 8;
}
is(run_tool('', @conn, '-d', 'chats_misconf', 'upgrade'), 0,
   'chatsession-db upgrade');
is(run_tool('', @conn, '-d', 'chats_misconf', 'demo'), 0,
   'chatsession-db demo (tje0, session 844)');
my $m = DBI->connect("dbi:Pg:dbname=chats_misconf;host=$ENV{CHATS_TEST_PGHOST};port=$ENV{CHATS_TEST_PGPORT}",
                     $ENV{CHATS_TEST_PGUSER}, '', { RaiseError => 1, AutoCommit => 1 });
# new backends for the pool (each checks the schema version once)
$m->do(q{SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = 'chats_misconf' AND pid <> pg_backend_pid()});
$res = get('misconf_schema');
is($res->code, 200, 'after upgrade and demo: 200 (no restart)')
    or diag($res->as_string);

$m->do('DROP FUNCTION chats_carrier_associate(integer, text) CASCADE');
$from = -s $errlog;
$res = get('misconf_schema');
misconfigured($res, 'a function missing');
like(json_body($res)->{ErrorMessage} // '', qr/the database schema does not match this module \(SQLSTATE 42883\); the administrator must run `chatsession-db upgrade`/,
     'a function missing: the body names the SQLSTATE and the command');
like(error_log_since($from), qr/CHATS359: server misconfigured: the database does not have what this module needs \(SQLSTATE 42883: ERROR:  function chats_carrier_associate/,
     'and the log names the function');

# --- mended: upgrade puts the function back, the same httpd answers 200
is(run_tool('', @conn, '-d', 'chats_misconf', 'upgrade'), 0,
   'chatsession-db upgrade again');
$res = get('misconf_schema');
is($res->code, 200, 'mended: 200') or diag($res->as_string);

# --- mended the other way: the right password for the role
$d->do(q{ALTER ROLE chats_misconf_pw PASSWORD 'wrong'});
$d->do(q{GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO chats_misconf_pw});
$d->do(q{GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO chats_misconf_pw});
sleep 6;                  # past the verdict's lifetime (5 s)
$res = get('misconf_pw');
is($res->code, 200, 'the password fixed in PostgreSQL: 200, no restart')
    or diag($res->as_string);

# --- clean up
$m->disconnect;
$d->do('DROP DATABASE IF EXISTS chats_misconf WITH (FORCE)');
$d->do('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM chats_misconf_pw');
$d->do('REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM chats_misconf_pw');
$undo_role->();                  # pg_hba.conf as it was, the role dropped
ok(1, 'cleaned up');
