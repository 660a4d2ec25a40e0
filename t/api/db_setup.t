# chatsession-db, the one entry point to the database (README, "Install
# into an existing Apache"): upgrade creates an empty database's schema,
# brings an older one to this version, is safe to re-run (also twice at
# once), refuses a newer database, and leaves the database as it was when
# it fails; version reports both sides; add-user makes an associate whose
# password (bcrypt, as htpasswd -B writes it) logs in through httpd.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use Apache::TestConfig ();
use File::Temp qw(tempdir);
use ChatSession::Test qw(db req);

plan tests => 94, need_lwp, need_module('mod_dbd.c');

my $top  = Apache::Test::vars('top_dir');
my $tool = "$top/modules/tools/chatsession-db";
my $tmp  = tempdir(CLEANUP => 1);
my @conn = ('-h', $ENV{CHATS_TEST_PGHOST}, '-p', $ENV{CHATS_TEST_PGPORT},
            '-U', $ENV{CHATS_TEST_PGUSER});
$ENV{PATH} = "$ENV{CHATS_PG_BIN}:$ENV{PATH}" if $ENV{CHATS_PG_BIN};

# run($stdin, args...): (exit status, stdout, stderr)
sub run {
    my ($stdin, @args) = @_;
    my ($in, $out, $err) = map { "$tmp/run.$_" } qw(in out err);
    open(my $fh, '>', $in) or die $!; print {$fh} $stdin // ''; close $fh;
    system("'$tool' " . join(' ', map { "'$_'" } @args)
           . " <'$in' >'$out' 2>'$err'");
    my $rc = $? >> 8;
    my $slurp = sub { open(my $f, '<', $_[0]) or return ''; local $/; scalar(<$f>) // '' };
    return ($rc, $slurp->($out), $slurp->($err));
}

my @dbs;
sub scratch_db {
    my $name = "chats_setup_${$}_" . scalar(@dbs);
    db()->do("DROP DATABASE IF EXISTS $name");
    db()->do("CREATE DATABASE $name");
    push @dbs, $name;
    return $name;
}
sub on {
    my ($name, $sql) = @_;
    my $d = DBI->connect("dbi:Pg:dbname=$name;host=$ENV{CHATS_TEST_PGHOST};"
                         . "port=$ENV{CHATS_TEST_PGPORT}",
                         $ENV{CHATS_TEST_PGUSER}, '',
                         { RaiseError => 1, PrintError => 0, AutoCommit => 1 });
    my $v = $d->selectrow_array($sql);
    $d->disconnect;
    return $v;
}

my ($rc, $out, $err);

# --- usage
($rc, $out) = run(undef, '--help');
is($rc, 0, '--help exits 0');
like($out, qr/^usage: chatsession-db .*\n.*upgrade.*\n/s, '--help on stdout');
# The manual page documents every command and option --help lists.
my $help = $out;
my $man = do {
    open(my $mf, '<', "$top/modules/tools/chatsession-db.8") or die $!;
    local $/; scalar(<$mf>) };
$man =~ s/\\-/-/g;                       # roff's \- is a plain '-'
my @words = ($help =~ /^  ([a-z][a-z-]+) /mg, $help =~ /(--[a-z-]+)/g);
my @missing = grep { index($man, $_) < 0 } @words;
ok(@words >= 10 && !@missing,
   'the man page documents every command and option of --help ('
   . scalar(@words) . ')') or diag("missing: @missing");
($rc, $out) = run(undef, '--version');
like($out, qr/schema version 8$/m, '--version names the schema version of the files');
($rc, $out, $err) = run(undef, @conn, 'frobnicate');
is($rc, 2, 'an unknown command exits 2');
like($err, qr/unknown command 'frobnicate'/, 'and says so');

# --- an empty database: version 0, upgrade creates everything
my $fresh = scratch_db();
($rc, $out) = run(undef, @conn, '-d', $fresh, 'version');
is($rc, 1, 'version exits 1 when the database is not at the files\' version');
like($out, qr/^database: 0\nfiles:    8 /, 'an empty database is version 0');
($rc, $out, $err) = run(undef, @conn, '-d', $fresh, 'upgrade');
is($rc, 0, 'upgrade on an empty database') or diag($err);
like($out, qr/schema version 0 -> 8 \(schema\.sql auth\.sql locale\.sql render\.sql\)/,
     'says what it loaded: schema.sql makes the current version, no step runs');
is(on($fresh, 'SELECT max(version) FROM chats_schema_version'), 8, 'records version 8');
ok(on($fresh, q{SELECT to_regprocedure('chats_carrier_associate(integer,text)') IS NOT NULL}),
   'the rendering functions exist');
ok(on($fresh, q{SELECT to_regclass('chat_session_right') IS NOT NULL}), 'auth.sql was loaded');
ok(on($fresh, q{SELECT count(*) > 0 FROM string_resource}), 'locale.sql was loaded');
($rc, $out) = run(undef, @conn, '-d', $fresh, 'version');
is($rc, 0, 'version exits 0 when they match');
like($out, qr/^database: 8\nfiles:    8 /, 'version: both 8');

# --- re-run: nothing lost
on($fresh, q{INSERT INTO chat_topic (id, name) VALUES (77, 'kept') RETURNING id});
($rc, $out) = run(undef, @conn, '-d', $fresh, 'upgrade');
is($rc, 0, 'upgrade again');
like($out, qr/schema version 8, up to date/, 'says it is up to date');
is(on($fresh, 'SELECT name FROM chat_topic WHERE id = 77'), 'kept', 'the data is kept');
is(on($fresh, 'SELECT count(*) FROM chats_schema_version'), 1, 'version recorded once');

# --- twice at once, on another empty database
my $twice = scratch_db();
my @pids = map {
    my $pid = fork() // die;
    if (!$pid) {
        exec("'$tool' " . join(' ', map { "'$_'" } @conn, '-d', $twice, 'upgrade')
             . " >/dev/null 2>'$tmp/twice.$_'") or exit 99;
    }
    $pid;
} 1, 2;
my @rcs = map { waitpid($_, 0); $? >> 8 } @pids;
is("@rcs", '0 0', 'two upgrades at once both succeed');
is(on($twice, 'SELECT max(version) FROM chats_schema_version'), 8, 'and leave version 8');

# --- a database of the first release (version 1: no rendering functions,
# no version table) is upgraded to 8.
my $v1 = scratch_db();
system("psql -X -q -v ON_ERROR_STOP=1 "
       . join(' ', map { "'$_'" } @conn, '-d', $v1)
       . " -f '$top/conf/schema.sql' -f '$top/conf/auth.sql' -f '$top/conf/locale.sql' >/dev/null") == 0
    or die "loading version 1 failed";
on($v1, q{INSERT INTO chat_topic (id, name) VALUES (78, 'from v1') RETURNING id});
($rc, $out) = run(undef, @conn, '-d', $v1, 'version');
like($out, qr/^database: 1\n/, 'a first-release database is version 1');
($rc, $out) = run(undef, @conn, '-d', $v1, 'upgrade');
is($rc, 0, 'upgrade from version 1');
like($out, qr/schema version 1 -> 8/, 'says 1 -> 8');
ok(on($v1, q{SELECT to_regprocedure('chats_carrier_associate(integer,text)') IS NOT NULL}),
   'the rendering functions now exist');
is(on($v1, 'SELECT name FROM chat_topic WHERE id = 78'), 'from v1', 'the data is kept');

# --- a database at version 2 (before messages and topic members) is
# upgraded to 7: the tables appear, and upgrade/3.sql makes the associates
# who could write sessions members of the topics that have sessions, once.
my $v2 = scratch_db();
run(undef, @conn, '-d', $v2, 'upgrade');
for my $sql (
    'DROP TABLE chat_message', 'DROP TABLE chat_topic_member',
    'DROP TABLE chats_idempotency',
    'DROP SEQUENCE chat_message_id_seq',
    'DROP FUNCTION chats_message_notify()',
    'DROP INDEX chat_session_queue_idx',
    'ALTER TABLE chat_session DROP COLUMN last_message_id, DROP COLUMN has_text_message',
    'UPDATE chats_schema_version SET version = 2',
    q{INSERT INTO chat_topic (id, name) VALUES (1, 'busy'), (2, 'idle')},
    q{INSERT INTO associate (associate_id, name) VALUES
        (1, 'a_admin'), (2, 'a_own'), (3, 'a_read'), (4, 'a_all')},
    q{INSERT INTO chat_session_right (associate_id, level) VALUES
        (1, 'admin'), (2, 'update_own'), (3, 'read'), (4, 'update_all')},
    q{INSERT INTO chat_session (topic_id, status, last_message)
        VALUES (1, 5, 'kept')}) {
    my $d = DBI->connect("dbi:Pg:dbname=$v2;host=$ENV{CHATS_TEST_PGHOST};"
                         . "port=$ENV{CHATS_TEST_PGPORT}",
                         $ENV{CHATS_TEST_PGUSER}, '',
                         { RaiseError => 1, PrintError => 0, AutoCommit => 1 });
    $d->do($sql);
    $d->disconnect;
}
($rc, $out) = run(undef, @conn, '-d', $v2, 'version');
like($out, qr/^database: 2\n/, 'a version-2 database says 2');
($rc, $out, $err) = run(undef, @conn, '-d', $v2, 'upgrade');
is($rc, 0, 'upgrade from version 2') or diag($err);
like($out, qr/schema version 2 -> 8 \(.*upgrade\/3\.sql upgrade\/4\.sql upgrade\/5\.sql upgrade\/6\.sql upgrade\/7\.sql upgrade\/8\.sql render\.sql\)/,
     'says 2 -> 8, with the steps upgrade/3.sql to upgrade/8.sql');
ok(on($v2, q{SELECT to_regclass('chat_message') IS NOT NULL
               AND to_regclass('chat_session_queue_idx') IS NOT NULL}),
   'chat_message and the queue index exist');
is(on($v2, q{SELECT string_agg(format('%s@%s:%s%s%s%s', associate_id, topic_id,
                 can_respond::int, notifications::int, listen::int, manager::int),
                 ' ' ORDER BY associate_id, topic_id) FROM chat_topic_member}),
   '1@1:1111 2@1:1110 4@1:1110',
   'writers became members of the topic with sessions (manager: admins), readers not');
is(on($v2, 'SELECT last_message FROM chat_session WHERE topic_id = 1'), 'kept',
   'the sessions are kept');
is(on($v2, 'SELECT has_text_message::int + coalesce(last_message_id, 0) FROM chat_session'),
   0, 'and have no message bookkeeping yet');

# --- topic members: add-member, remove-member
($rc, $out, $err) = run(undef, @conn, '-d', $v2, 'add-member', 'a_read', 'idle', 'listen,notify');
is($rc, 0, 'add-member by topic name') or diag($err);
like($out, qr/a_read is a member of topic 2 \(listen,notify\)/, 'says who, where, what');
($rc, $out, $err) = run(undef, @conn, '-d', $v2, 'add-member', 'a_own', '2');
is($rc, 0, 'add-member by topic id, default role');
($rc) = run(undef, @conn, '-d', $v2, 'add-member', 'a_own', '1', 'manager');
is($rc, 0, 'add-member again: the roles are replaced');
is(on($v2, q{SELECT string_agg(format('%s@%s:%s%s%s%s', associate_id, topic_id,
                 can_respond::int, notifications::int, listen::int, manager::int),
                 ' ' ORDER BY associate_id, topic_id) FROM chat_topic_member
              WHERE associate_id IN (2, 3)}),
   '2@1:0001 2@2:1000 3@2:0110', 'the members and their roles');
($rc, $out, $err) = run(undef, @conn, '-d', $v2, 'add-member', 'a_own', '1', 'respond,boss');
is($rc, 2, 'an unknown role exits 2');
like($err, qr/unknown role 'boss'/, 'and names it');
($rc, $out, $err) = run(undef, @conn, '-d', $v2, 'add-member', 'nobody', '1');
is($rc, 1, 'an unknown associate exits 1');
like($err, qr/no associate 'nobody'/, 'and names it');
($rc, $out, $err) = run(undef, @conn, '-d', $v2, 'add-member', 'a_own', 'nosuch');
is($rc, 1, 'an unknown topic exits 1');
like($err, qr/no chat topic 'nosuch'/, 'and names it');
($rc, $out) = run(undef, @conn, '-d', $v2, 'remove-member', 'a_read', 'idle');
is($rc, 0, 'remove-member');
like($out, qr/a_read is no longer a member of topic 2/, 'says so');
($rc, $out) = run(undef, @conn, '-d', $v2, 'remove-member', 'a_read', 'idle');
like($out, qr/a_read was no member of topic 2/, 'again: was no member');
is(on($v2, 'SELECT count(*) FROM chat_topic_member WHERE associate_id = 3'), 0,
   'the membership is gone');
($rc, $out) = run(undef, @conn, '-d', $v2, 'upgrade');
is(on($v2, 'SELECT count(*) FROM chat_topic_member'), 4,
   'a later upgrade adds no membership back');

# --- version 3 -> 4: chat_session's foreign keys, generated names
# (chat_session_topic_id_fkey, ...) in a table an older schema.sql made,
# get the names the module maps to fields (upgrade/4.sql)
my $v3 = scratch_db();
run(undef, @conn, '-d', $v3, 'upgrade');
my %fk = (topic_id => 'topic', user_id => 'user', customer_id => 'customer',
          contact_id => 'contact', project_id => 'project', sale_id => 'sale',
          ticket_id => 'ticket', transfer_to => 'transfer_to');
{
    my $d = DBI->connect("dbi:Pg:dbname=$v3;host=$ENV{CHATS_TEST_PGHOST};"
                         . "port=$ENV{CHATS_TEST_PGPORT}",
                         $ENV{CHATS_TEST_PGUSER}, '',
                         { RaiseError => 1, PrintError => 0, AutoCommit => 1 });
    $d->do("ALTER TABLE chat_session RENAME CONSTRAINT chat_session_$fk{$_}_fk"
           . " TO chat_session_${_}_fkey") for sort keys %fk;
    $d->do('DROP TABLE chats_idempotency');
    $d->do('DELETE FROM chats_schema_version WHERE version >= 4');
    $d->do('INSERT INTO chats_schema_version (version) VALUES (3)');
    $d->disconnect;
}
my $fks = q{SELECT string_agg(conname, ' ' ORDER BY conname) FROM pg_constraint
             WHERE conrelid = 'chat_session'::regclass AND contype = 'f'};
like(on($v3, $fks), qr/chat_session_topic_id_fkey/, 'a version 3 table: generated names');
($rc, $out, $err) = run(undef, @conn, '-d', $v3, 'upgrade');
is($rc, 0, 'upgrade from version 3') or diag($err);
like($out, qr/schema version 3 -> 8 \(.*upgrade\/4\.sql upgrade\/5\.sql upgrade\/6\.sql upgrade\/7\.sql upgrade\/8\.sql render\.sql\)/,
     'says 3 -> 8, with the steps upgrade/4.sql to upgrade/8.sql');
is(on($v3, $fks), join(' ', sort map { "chat_session_$fk{$_}_fk" } keys %fk),
   'the foreign keys have their names');
($rc, $out) = run(undef, @conn, '-d', $v3, 'upgrade');
is(on($v3, $fks), join(' ', sort map { "chat_session_$fk{$_}_fk" } keys %fk),
   'and keep them on a second upgrade');

# --- version 4 -> 5: chats_idempotency, where Idempotency-Key's answers
# are kept (schema.sql makes it; upgrade/5.sql checks it is the module's)
sub v4_db {
    my ($extra) = @_;
    my $name = scratch_db();
    run(undef, @conn, '-d', $name, 'upgrade');
    my $d = DBI->connect("dbi:Pg:dbname=$name;host=$ENV{CHATS_TEST_PGHOST};"
                         . "port=$ENV{CHATS_TEST_PGPORT}",
                         $ENV{CHATS_TEST_PGUSER}, '',
                         { RaiseError => 1, PrintError => 0, AutoCommit => 1 });
    $d->do($_) for 'DROP TABLE chats_idempotency',
        'DELETE FROM chats_schema_version WHERE version >= 5',
        'INSERT INTO chats_schema_version (version) VALUES (4)
         ON CONFLICT DO NOTHING', @{ $extra || [] };
    $d->disconnect;
    return $name;
}
my $idem = q{SELECT string_agg(conname, ' ' ORDER BY conname) FROM pg_constraint
              WHERE conrelid = to_regclass('chats_idempotency') AND contype = 'p'};
my $v4 = v4_db();
($rc, $out) = run(undef, @conn, '-d', $v4, 'version');
like($out, qr/^database: 4\n/, 'a version-4 database says 4');
ok(!on($v4, q{SELECT to_regclass('chats_idempotency') IS NOT NULL}),
   'it has no chats_idempotency');
($rc, $out, $err) = run(undef, @conn, '-d', $v4, 'upgrade');
is($rc, 0, 'upgrade from version 4') or diag($err);
like($out, qr/schema version 4 -> 8 \(auth\.sql locale\.sql upgrade\/5\.sql upgrade\/6\.sql upgrade\/7\.sql upgrade\/8\.sql render\.sql\)/,
     'says 4 -> 8, with the steps upgrade/5.sql to upgrade/8.sql (and no schema.sql)');
is(on($v4, $idem) . ' ' . on($v4, q{SELECT string_agg(indexname::text, ' ')
       FROM pg_indexes WHERE tablename = 'chats_idempotency'
        AND indexname <> 'chats_idempotency_pk'}),
   'chats_idempotency_pk chats_idempotency_created_idx',
   'chats_idempotency exists, with its primary key and the purge\'s index');
is(on($v4, 'SELECT max(version) FROM chats_schema_version'), 8, 'records version 8');
($rc, $out) = run(undef, @conn, '-d', $v4, 'upgrade');
like($out, qr/schema version 8, up to date/, 'a second upgrade: up to date');
# a table of that name that is not the module's stops the upgrade
my $other = v4_db(['CREATE TABLE chats_idempotency (id integer PRIMARY KEY, note text)',
                   q{INSERT INTO chats_idempotency VALUES (1, 'theirs')}]);
($rc, $out, $err) = run(undef, @conn, '-d', $other, 'upgrade');
is($rc, 1, 'a chats_idempotency of someone else\'s: upgrade exits 1');
like($err, qr/table chats_idempotency is not the one mod_chatsession makes/,
     'and says why');
is(on($other, 'SELECT max(version) FROM chats_schema_version') . ' '
   . on($other, 'SELECT note FROM chats_idempotency'), '4 theirs',
   'the database is as it was: version 4, their table and row');

# --- a newer database is refused, unchanged
my $newer = scratch_db();
run(undef, @conn, '-d', $newer, 'upgrade');
on($newer, 'INSERT INTO chats_schema_version (version) VALUES (9) RETURNING version');
($rc, $out, $err) = run(undef, @conn, '-d', $newer, 'upgrade');
is($rc, 1, 'a newer database: upgrade exits 1');
like($err, qr/schema version 9, newer than these files \(8/, 'and says why');

# --- a failing upgrade leaves the database as it was
my $broken = "$tmp/broken";
mkdir $broken or die;
system("cp '$top'/conf/*.sql '$broken'/") == 0 or die;
open(my $bf, '>>', "$broken/locale.sql") or die; print {$bf} "\nSELECT no_such_function();\n"; close $bf;
my $fails = scratch_db();
($rc, $out, $err) = run(undef, @conn, '-d', $fails, '--sql-dir', $broken, 'upgrade');
is($rc, 1, 'a failing upgrade exits 1');
like($err, qr/no_such_function.*\n.*the database is unchanged/s, 'names the error, says nothing changed');
ok(!on($fails, q{SELECT to_regclass('chat_session') IS NOT NULL}),
   'no table was left behind');

# --- add-user: bcrypt as htpasswd -B writes it, level, Basic login works
my $login = "setup$$";
my $pass  = "Pw-$$-x";
($rc, $out, $err) = run("$pass\n", @conn, '-d', $ENV{CHATS_TEST_PGDATABASE},
                        'add-user', $login, 'update_all');
is($rc, 0, 'add-user') or diag($err);
like($out, qr/associate \Q$login\E \(id (\d+)\), level update_all/, 'says who and what');
my ($hash, $level) = db()->selectrow_array(
    'SELECT a.password_hash, r.level FROM associate a
       JOIN chat_session_right r USING (associate_id) WHERE a.name = ?', undef, $login);
like($hash, qr/^\$2y\$10\$[.\/A-Za-z0-9]{53}$/, 'the hash is bcrypt $2y$, cost 10');
is($level, 'update_all', 'the level is set');
open(my $pf, '>', "$tmp/htpasswd") or die; print {$pf} "$login:$hash\n"; close $pf;
system("htpasswd -vb '$tmp/htpasswd' '$login' '$pass' >/dev/null 2>&1");
is($? >> 8, 0, 'htpasswd -v accepts the password against the hash');
my $r = req(GET => '/api/v1/ChatSession/844', auth => [$login, $pass]);
is($r->code, 200, 'the new associate logs in with Basic');
$r = req(GET => '/api/v1/ChatSession/844', auth => [$login, 'wrong']);
is($r->code, 401, 'a wrong password is 401');

($rc, $out) = run("Other-$$\n", @conn, '-d', $ENV{CHATS_TEST_PGDATABASE},
                  'add-user', $login, 'read');
is($rc, 0, 'add-user again: a new password and level');
my ($id1) = $out =~ /\(id (\d+)\)/;
($hash, $level) = db()->selectrow_array(
    'SELECT a.password_hash, r.level FROM associate a
       JOIN chat_session_right r USING (associate_id) WHERE a.name = ?', undef, $login);
is($level, 'read', 'the level changed');
is(db()->selectrow_array('SELECT count(*) FROM associate WHERE name = ?', undef, $login),
   1, 'still one associate');
$r = req(GET => '/api/v1/ChatSession/844', auth => [$login, "Other-$$"]);
is($r->code, 200, 'the new password logs in');

($rc, $out, $err) = run(undef, @conn, '-d', $ENV{CHATS_TEST_PGDATABASE},
                        'add-user', "x$$", 'superuser');
is($rc, 2, 'an unknown level exits 2');
like($err, qr/unknown level 'superuser'/, 'and names it');
($rc, $out, $err) = run("\n", @conn, '-d', $ENV{CHATS_TEST_PGDATABASE}, 'add-user', "y$$");
is($rc, 1, 'an empty password exits 1');
like($err, qr/empty password/, 'and says so');
($rc, $out, $err) = run("pw\n", @conn, '-d', $ENV{CHATS_TEST_PGDATABASE}, 'add-user', 'a:b');
is($rc, 1, "a login with ':' exits 1");
like($err, qr/cannot contain ':'/, 'and says why');
($rc, $out, $err) = run("pw\n", @conn, '-d', $fails, 'add-user', "z$$");
is($rc, 1, 'add-user on a database without the schema exits 1');
like($err, qr/run: chatsession-db upgrade/, 'and names the command to run');
ok(!db()->selectrow_array('SELECT count(*) FROM associate WHERE name IN (?, ?)',
                          undef, "x$$", "y$$"), 'refused users were not created');

# --- demo data on a fresh schema
($rc, $out) = run(undef, @conn, '-d', $fresh, 'demo');
is($rc, 0, 'demo');
is(on($fresh, 'SELECT name FROM chat_session WHERE id = 844'),
   'Leffler, Lemke and Pfannerstill', 'the demo session 844 is there');
($rc) = run(undef, @conn, '-d', $fresh, 'demo');
is($rc, 0, 'demo again (idempotent)');

# Clean up.
my $aid = db()->selectrow_array('SELECT associate_id FROM associate WHERE name = ?', undef, $login);
db()->do('DELETE FROM chat_session_right WHERE associate_id = ?', undef, $aid);
db()->do('DELETE FROM associate WHERE associate_id = ?', undef, $aid);
db()->do("DROP DATABASE IF EXISTS $_") for @dbs;
ok(1, 'cleaned up');
