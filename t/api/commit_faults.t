# Faults at COMMIT and inside a transaction (issue 17, defects 1 and 2).
#
# The locked fallback of a write (mod_chats_resource_write.c) runs when the
# row changed between the conditional UPDATE that wrote nothing and its
# diagnosis: here a statement trigger on that UPDATE changes the row (once
# per flag), so that the diagnosis finds the patch would now apply. Then
# BEGIN, the locked diagnosis (SELECT ... FOR UPDATE), the write, COMMIT.
#
# 1. A COMMIT that fails must not answer 200: a deferred constraint
#    trigger refuses the write at COMMIT, or terminates its own backend
#    there. The answer is the mapped error or 503, and the row unchanged.
# 2. A statement inside the transaction is never run again on a fresh
#    connection: the backend is terminated before the locked diagnosis
#    (the test build's Chats-Fault header). Run again in autocommit, the
#    lock would be gone and the write unlocked, answered 200.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session db fresh_ids);

plan tests => 16, need_lwp, need_module('mod_dbd.c');

my $BASE = '/api/v1/ChatSession';
my ($DEFERRED, $DIES, $INTX) = fresh_ids(3);

my $dbh = db();
$dbh->do($_) for split /;;\n/, <<'SQL';
CREATE TABLE IF NOT EXISTS chats_t_bump (id integer PRIMARY KEY);;
CREATE OR REPLACE FUNCTION chats_t_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- once per flag: the row changes under the write that wrote nothing
    IF pg_trigger_depth() > 1 THEN
        RETURN NULL;
    END IF;
    WITH d AS (DELETE FROM chats_t_bump RETURNING id)
    UPDATE chat_session SET rating = 5 WHERE id IN (SELECT id FROM d);
    RETURN NULL;
END $$;;
CREATE OR REPLACE FUNCTION chats_t_deferred() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.name = 'refused at commit' THEN
        RAISE EXCEPTION 'deferred check refused' USING ERRCODE = '23514';
    END IF;
    IF NEW.name = 'dies at commit' THEN
        PERFORM pg_terminate_backend(pg_backend_pid());
        PERFORM pg_sleep(5);
    END IF;
    RETURN NULL;
END $$;;
DROP TRIGGER IF EXISTS chats_t_bump ON chat_session;;
CREATE TRIGGER chats_t_bump AFTER UPDATE ON chat_session
    FOR EACH STATEMENT EXECUTE FUNCTION chats_t_bump();;
DROP TRIGGER IF EXISTS chats_t_deferred ON chat_session;;
CREATE CONSTRAINT TRIGGER chats_t_deferred AFTER UPDATE ON chat_session
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION chats_t_deferred()
SQL

sub row { $dbh->selectrow_hashref(
    'SELECT name, rating, version FROM chat_session WHERE id = ?', undef,
    shift) }

# A PATCH that takes the locked fallback: its test fails against the row
# as the UPDATE finds it (Rating 4), passes in the diagnosis (Rating 5).
sub locked_patch {
    my ($id, $name, @headers) = @_;
    seed_session($id, name => 'Before', rating => 4);
    $dbh->do('INSERT INTO chats_t_bump (id) VALUES (?)', undef, $id);
    my $res = req(PATCH => "$BASE/$id", headers => [@headers],
        body => [{ op => 'test', path => '/Rating', value => 5 },
                 { op => 'replace', path => '/CustomerName', value => $name }]);
    note("$id: " . $res->status_line . '; statements: '
         . ($res->header('Chats-Statements') // '(not traced)'));
    return $res;
}

# The fallback itself works: written under the lock, 200 (the control).
my $res = locked_patch($DEFERRED, 'Written under the lock');
is($res->code, 200, 'locked fallback: 200') or diag($res->content);
is(row($DEFERRED)->{name}, 'Written under the lock', '... written');
like($res->header('Chats-Statements') // '', qr/chats_begin.*locked diagnosis.*chats_commit/,
     '... through BEGIN, the locked diagnosis and COMMIT');

# ---- 1. a COMMIT that fails ----------------------------------------------
$res = locked_patch($DEFERRED, 'refused at commit');
isnt($res->code, 200, 'deferred check fails at COMMIT: not 200');
ok($res->code == 500 || $res->code == 503,
   '... the mapped error (500) or 503: ' . $res->code) or diag($res->content);
my $row = row($DEFERRED);
is($row->{name}, 'Before', '... nothing written');
is(req(GET => "$BASE/$DEFERRED")->code, 200, '... and the next GET: 200');

$res = locked_patch($DIES, 'dies at commit');
isnt($res->code, 200, 'backend terminated at COMMIT: not 200');
is($res->code, 503, '... 503') or diag($res->content);
is(row($DIES)->{name}, 'Before', '... nothing written');
is(req(GET => "$BASE/$DIES")->code, 200, '... and the next GET: 200');

# ---- 2. no retry inside a transaction ------------------------------------
# Statements: 1 write, 2 diagnosis, 3 BEGIN, 4 the locked diagnosis.
$res = locked_patch($INTX, 'Unlocked write', 'Chats-Fault' => '4 terminate');
is($res->header('Chats-Fault-Hit') // '', 'locked diagnosis',
   'backend terminated before the locked diagnosis (test build)');
isnt($res->code, 200, '... not answered 200 (no retry in autocommit)');
is($res->code, 503, '... 503') or diag($res->content);
is(row($INTX)->{name}, 'Before', '... nothing written');
is(req(GET => "$BASE/$INTX")->code, 200, '... and the next GET: 200');

$dbh->do($_) for
    'DROP TRIGGER IF EXISTS chats_t_bump ON chat_session',
    'DROP TRIGGER IF EXISTS chats_t_deferred ON chat_session',
    'DROP FUNCTION IF EXISTS chats_t_bump()',
    'DROP FUNCTION IF EXISTS chats_t_deferred()',
    'DROP TABLE IF EXISTS chats_t_bump';
$dbh->do('DELETE FROM chat_session WHERE id IN (?, ?, ?)', undef,
         $DEFERRED, $DIES, $INTX);
