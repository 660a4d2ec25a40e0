# A refusal is read by its SQLSTATE whatever language the server speaks
# (issue 17): libpq writes "<severity>:  <SQLSTATE>: <text>" with the
# severity in the server's lc_messages. German keeps "FATAL", Russian
# writes "ВАЖНО" (Italian "FATALE", Swedish "FATALT"): a probe that looked
# for "FATAL:" took a wrong password on such a cluster for an outage (503
# instead of 500). On ./check's third cluster ("intl", started with
# lc_messages de_DE.UTF-8), switched to ru_RU.UTF-8 half-way; the vhosts
# are t/conf/extra.conf.in's intl_* ones.
use strict;
use warnings FATAL => 'all';
use utf8;

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use DBI ();
use Time::HiRes qw(sleep time);
use ChatSession::Test qw(req json_body error_log_since password_role);

plan tests => 15, need_lwp, need_module('mod_dbd.c');
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output);

my $port = $ENV{CHATS_TEST_INTL_PGPORT} or die 'CHATS_TEST_INTL_PGPORT not set: run ./check';
my ($dbname, $user) = @ENV{qw(CHATS_TEST_PGDATABASE CHATS_TEST_PGUSER)};
my $errlog = Apache::Test::vars('t_logs') . '/error_log';
my $d = DBI->connect("dbi:Pg:dbname=$dbname;host=127.0.0.1;port=$port", $user, '',
                     { RaiseError => 1, AutoCommit => 1, PrintError => 0,
                       PrintWarn => 0 });

# The server's own words for a database that does not exist.
sub refusal {
    DBI->connect("dbi:Pg:dbname=chats_no_such_db;host=127.0.0.1;port=$port",
                 $user, '', { PrintError => 0, RaiseError => 0 }) and return '';
    my $e = $DBI::errstr // '';
    utf8::decode($e) unless utf8::is_utf8($e);
    return $e;
}
sub get { req(GET => '/api/v1/ChatSession/844', vhost => $_[0]) }
sub misconfigured {
    my ($res, $name) = @_;
    is($res->code, 500, "$name: 500, not 503");
    like((json_body($res) // {})->{ErrorMessage} // '', qr/^server misconfigured: /,
         "$name: the body says server misconfigured") or diag($res->as_string);
}

# --- a role whose password is checked (scram), as on Debian
my $undo_role;
sub messages_in {
    my ($lc, $re) = @_;
    $d->do("ALTER SYSTEM SET lc_messages = '$lc'");
    $d->selectrow_array('SELECT pg_reload_conf()');
    my $t0 = time;
    sleep 0.2 until refusal() =~ $re || time - $t0 > 20;
}
END {
    if ($d) {
        $d->do('ALTER SYSTEM RESET lc_messages');
        $undo_role->() if $undo_role;
    }
}
$undo_role = password_role($d, chats_intl_pw => 'right');

# --- German
like(refusal(), qr/FATAL:  Datenbank .chats_no_such_db. existiert nicht/,
     'the cluster speaks German (severity FATAL)');
is(get('intl_ok')->code, 200, 'the right credentials: 200 (SQLSTATEs of statements are fields, not text)');
my $from = -s $errlog;
misconfigured(get('intl_pw_de'), 'German, a wrong password');
like(error_log_since($from), qr/CHATS358: [^\n]*the password in DBDParams is wrong for this role \([^\n]*28P01: Passwort-Authentifizierung/,
     'German: the log names the fix and the server\'s words');

# --- Russian: the severity is no longer "FATAL"
messages_in('ru_RU.UTF-8', qr/ВАЖНО/);
like(refusal(), qr/ВАЖНО:  база данных .chats_no_such_db. не существует/,
     'the cluster now speaks Russian (severity ВАЖНО)');
$from = -s $errlog;
misconfigured(get('intl_pw_ru'), 'Russian, a wrong password');
like(error_log_since($from), qr/CHATS358: [^\n]*the password in DBDParams is wrong for this role \([^\n]*28P01: /,
     'Russian: the log names the fix');
misconfigured(get('intl_db_ru'), 'Russian, no such database');
like(error_log_since($from), qr/CHATS358: [^\n]*the database in DBDParams does not exist[^\n]*3D000: /,
     'Russian: the log names the fix');
my $res = get('intl_pw_ru');
ok(!defined $res->header('Retry-After'), 'no Retry-After: retrying will not help');
is(get('intl_ok')->code, 200, 'the right credentials: still 200');

# --- back to the cluster's own setting
$d->do('ALTER SYSTEM RESET lc_messages');
$d->selectrow_array('SELECT pg_reload_conf()');
$undo_role->();
ok(1, 'cleaned up');
