# Two PATCHes racing on one row: neither update is lost, and a "test" op
# and a precondition are checked against the row actually written. A slow
# trigger on a dedicated row forces the overlap: A's UPDATE holds the row
# lock for a while; B's one statement starts meanwhile, waits for A's lock
# and then evaluates its predicates on the row A wrote (PostgreSQL re-checks
# an UPDATE's WHERE on the newest version). Were the checks evaluated on
# anything but the row written, B would overwrite A's change or pass a
# test A made false.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session db slow_updates
                         no_slow_updates fresh_ids);
use Time::HiRes qw(sleep);
use File::Temp qw(tempfile);
use File::Spec;
use ChatSession::Engine qw(slurp);

plan tests => 16, need_lwp, need_module('mod_dbd.c');

my ($ID, $SKIP) = fresh_ids(2);
my $SLEEP = 1.5;

slow_updates('chats_test_slow', $ID, $SLEEP);

# PATCH in a child process; its status goes to a file read by wait_patch.
sub start_patch { start_patch_h(shift) }

sub start_patch_h {
    my ($ops, %headers) = @_;
    my (undef, $file) = tempfile(UNLINK => 1);
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        my $res = req(PATCH => "/api/v1/ChatSession/$ID", body => $ops,
                      headers => \%headers);
        open my $fh, '>', $file or die;
        print $fh $res->code;
        close $fh;
        require POSIX;
        POSIX::_exit(0);
    }
    return [$pid, $file];
}

sub wait_patch {
    my $h = shift;
    waitpid $h->[0], 0;
    open my $fh, '<', $h->[1] or return 0;
    return scalar <$fh>;
}

# 1. Disjoint fields: both changes survive.
seed_session($ID, name => 'Orig', email => 'orig@example.com');
my $v0 = db()->selectrow_array('SELECT version FROM chat_session WHERE id = ?',
                               undef, $ID);
my $a = start_patch([{ op => 'replace', path => '/CustomerName', value => 'From A' }]);
sleep 0.5;
my $b = start_patch([{ op => 'replace', path => '/CustomerEmail', value => 'b@example.com' }]);
is(wait_patch($a), 200, 'A: 200');
is(wait_patch($b), 200, 'B: 200');
my $row = db()->selectrow_hashref('SELECT * FROM chat_session WHERE id = ?',
                                  undef, $ID);
is($row->{name}, 'From A', "A's change survived B's write");
is($row->{email}, 'b@example.com', "B's change written");
is($row->{version}, $v0 + 2, 'two writes, two versions');

# 2. B tests the value A is about to change: B's test is evaluated on the
# row A wrote, and fails there.
seed_session($ID, name => 'Orig');
$a = start_patch([{ op => 'replace', path => '/CustomerName', value => 'From A' }]);
sleep 0.5;
$b = start_patch([{ op => 'test', path => '/CustomerName', value => 'Orig' },
                  { op => 'replace', path => '/CustomerEmail', value => 'b2@example.com' }]);
is(wait_patch($a), 200, 'A: 200');
is(wait_patch($b), 409, 'B: its test is checked against the row A wrote: 409');
is(db()->selectrow_array('SELECT email FROM chat_session WHERE id = ?', undef, $ID),
   'kari@example.com', "B wrote nothing");

# 3. If-Unmodified-Since is a predicate of B's statement: it holds for
# the row B's statement started with, and fails on the row A wrote a
# second later, which is the one B would write.
seed_session($ID, name => 'Orig');
my $lm = req(GET => "/api/v1/ChatSession/$ID")->header('Last-Modified');
sleep 1.2;                      # A's write lands in a later second
$a = start_patch([{ op => 'replace', path => '/CustomerName', value => 'From A' }]);
sleep 0.5;
$b = start_patch_h([{ op => 'replace', path => '/CustomerEmail', value => 'b3@example.com' }],
                   'If-Unmodified-Since' => $lm);
is(wait_patch($a), 200, 'A: 200');
is(wait_patch($b), 412, 'B: If-Unmodified-Since checked on the row A wrote: 412');
is(db()->selectrow_array('SELECT email FROM chat_session WHERE id = ?', undef, $ID),
   'kari@example.com', "B wrote nothing");

no_slow_updates('chats_test_slow');

# 4. The row changes between the write and its diagnosis so that the plan
# applies after all (every check passes, and it would change the row): the
# write runs once more, in a transaction under SELECT ... FOR UPDATE. A
# trigger that skips the row's first UPDATE, as a concurrent change would
# have made a check fail at that instant, makes it happen every time.
seed_session($SKIP, name => 'Orig');
db()->do('CREATE TABLE IF NOT EXISTS chats_test_skip (id int PRIMARY KEY)');
db()->do(<<'SQL');
CREATE OR REPLACE FUNCTION chats_test_skip_once() RETURNS trigger AS $$
BEGIN
    DELETE FROM chats_test_skip WHERE id = NEW.id;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
SQL
db()->do('DROP TRIGGER IF EXISTS chats_test_skip ON chat_session');
db()->do('CREATE TRIGGER chats_test_skip BEFORE UPDATE ON chat_session '
         . 'FOR EACH ROW EXECUTE FUNCTION chats_test_skip_once()');
db()->do('INSERT INTO chats_test_skip VALUES (?) ON CONFLICT DO NOTHING',
         undef, $SKIP);
my $res = req(PATCH => "/api/v1/ChatSession/$SKIP",
              body => [{ op => 'replace', path => '/CustomerName',
                         value => 'Fallback' }]);
is($res->code, 200, 'a row that changed in between: 200');
is(eval { json_body($res)->{CustomerName} }, 'Fallback',
   '... answering the row as written');
is(db()->selectrow_array('SELECT name FROM chat_session WHERE id = ?',
                         undef, $SKIP), 'Fallback',
   '... written by the locked fallback');
is(db()->selectrow_array('SELECT count(*) FROM chats_test_skip'), 0,
   '... after the first write was skipped');
like(slurp(File::Spec->catfile(Apache::Test::vars('t_logs'), 'error_log')),
     qr/CHATS22: ChatSession $SKIP changed between its write and the diagnosis/,
     '... which the log says');
db()->do('DROP TRIGGER IF EXISTS chats_test_skip ON chat_session');
db()->do('DROP TABLE IF EXISTS chats_test_skip');
