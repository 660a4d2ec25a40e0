# One migration mechanism (README "The database: chatsession-db"):
# conf/schema.sql creates the current version in an empty database, and
# every step between two versions lives only in conf/upgrade/N.sql. The
# proof that both roads end at the same schema: a database of each older
# version, made by the schema.sql of its day (t/data/schema/N.sql, from
# git history), is upgraded by chatsession-db and its schema compared,
# object by object (pg_dump --schema-only, a table's columns in any
# order), with an empty database's after `upgrade`. Its rows are kept.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use Apache::TestConfig ();
use File::Temp qw(tempdir);
use ChatSession::Test qw(db);

my @versions = (1, 2, 3, 4, 5, 6, 7);
plan tests => 1 + 6 * @versions, need_lwp, need_module('mod_dbd.c');

my $top  = Apache::Test::vars('top_dir');
my $tool = "$top/modules/tools/chatsession-db";
my $tmp  = tempdir(CLEANUP => 1);
my @conn = ('-h', $ENV{CHATS_TEST_PGHOST}, '-p', $ENV{CHATS_TEST_PGPORT},
            '-U', $ENV{CHATS_TEST_PGUSER});
$ENV{PATH} = "$ENV{CHATS_PG_BIN}:$ENV{PATH}" if $ENV{CHATS_PG_BIN};

sub quoted { join(' ', map { (my $q = $_) =~ s/'/'\\''/g; "'$q'" } @_) }

# run(command, args...): (exit status, stdout and stderr)
sub run {
    my (@cmd) = @_;
    my $out = `@{[ quoted(@cmd) ]} 2>&1`;
    return ($? >> 8, $out);
}

my @dbs;
sub scratch_db {
    my $name = "chats_upg_${$}_" . scalar(@dbs);
    db()->do("DROP DATABASE IF EXISTS $name");
    db()->do("CREATE DATABASE $name");
    push @dbs, $name;
    return $name;
}

sub psql {
    my ($name, @args) = @_;
    return run('psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', @conn,
               '-d', $name, @args);
}

# The schema as pg_dump prints it, without comments and settings, each
# table's columns sorted: a step adds a column at the end of its table,
# where schema.sql may declare it elsewhere.
sub schema_of {
    my ($name) = @_;
    my ($rc, $dump) = run('pg_dump', '--schema-only', '--no-owner',
                          '--no-privileges', @conn, '-d', $name);
    die "pg_dump $name: $dump" if $rc;
    my (@out, @cols, $in_table);
    for (split /\n/, $dump) {
        # (\restrict: a newer pg_dump's random key, per dump)
        next if /^--/ || /^\s*$/ || /^SET / || /^SELECT pg_catalog\./
             || /^\\(?:un)?restrict /;
        if ($in_table) {
            if (/^\);$/) {
                push @out, sort(@cols), $_;
                $in_table = 0;
            }
            else {
                (my $c = $_) =~ s/,$//;
                push @cols, $c;
            }
            next;
        }
        ($in_table, @cols) = (1) if /^CREATE TABLE /;
        push @out, $_;
    }
    return join("\n", @out) . "\n";
}

# The lines only one side has, for a failure's diagnosis.
sub difference {
    my ($got, $want) = @_;
    my (%g, %w);
    $g{$_}++ for split /\n/, $got;
    $w{$_}++ for split /\n/, $want;
    return join("\n", (map { "+ $_" } grep { !$w{$_} } sort keys %g),
                      (map { "- $_" } grep { !$g{$_} } sort keys %w));
}

my $fresh = scratch_db();
my ($rc, $out) = run($tool, @conn, '-d', $fresh, 'upgrade');
is($rc, 0, 'an empty database: upgrade creates the current version')
    or diag($out);
my $want = schema_of($fresh);

for my $v (@versions) {
    my $name = scratch_db();
    # Version 1 recorded nothing and the oldest had no auth.sql or
    # locale.sql; from version 2 on, auth.sql and locale.sql (tables
    # unchanged since) were loaded and render.sql recorded the version.
    my @load = ('-f', "$top/t/data/schema/$v.sql");
    push @load, '-f', "$top/conf/auth.sql", '-f', "$top/conf/locale.sql",
        '-c', 'CREATE TABLE chats_schema_version (version integer PRIMARY KEY,'
            . ' applied_at timestamptz NOT NULL DEFAULT now())',
        '-c', "INSERT INTO chats_schema_version (version) VALUES ($v)"
        if $v > 1;
    # (from version 6 on, a topic's id comes from chat_topic_id_seq, as
    # the module's POST takes it: the sequence is where the topic left it)
    ($rc, $out) = psql($name, @load,
        '-c', q{INSERT INTO chat_topic (id, name) VALUES (7, 'old')},
        ($v >= 6 ? ('-c', q{SELECT setval('chat_topic_id_seq', 7)}) : ()),
        '-c', q{INSERT INTO chat_session (id, topic_id, name, status)
                VALUES (70, 7, 'kept', 5)});
    is($rc, 0, "a version-$v database, made by its day's schema.sql")
        or diag($out);
    ($rc, $out) = run($tool, @conn, '-d', $name, 'upgrade');
    is($rc, 0, "version $v: upgrade") or diag($out);
    like($out, qr/schema version $v -> \d+ \(auth\.sql locale\.sql (upgrade\/\d+\.sql )+render\.sql\)/,
         "version $v: the steps after it, and no schema.sql");
    my $got = schema_of($name);
    ok($got eq $want, "version $v: the upgraded schema is a fresh one's")
        or diag(difference($got, $want));
    ($rc, $out) = psql($name, '-At', '-c',
        'SELECT name || version FROM chat_session WHERE id = 70');
    is($out, "kept1\n", "version $v: the session is kept, as it was");
    # Version 6's topic: the one there keeps its id and name, its new
    # members are empty (no opening hours: open), and the sequence a new
    # topic's id comes from starts past it.
    ($rc, $out) = psql($name, '-At', '-c',
        q{WITH n AS (INSERT INTO chat_topic (name) VALUES ('new')
                     RETURNING id)
          SELECT t.name || t.version || t.use_opening_hours::int
                 || chats_topic_is_open(7, now(), 'UTC')::int || ' ' || n.id
            FROM chat_topic t, n WHERE t.id = 7});
    is($out, "old101 8\n",
       "version $v: the topic is kept, open, and a new one gets id 8");
}

db()->do("DROP DATABASE IF EXISTS $_") for @dbs;
