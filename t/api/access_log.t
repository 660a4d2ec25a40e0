# The access log can carry who called, which session and the time spent in
# PostgreSQL (README "Monitoring"): request notes chats-associate,
# chats-id and chats-sql-us, written by t/conf/extra.conf.in's CustomLog
# (t/logs/chatsession_access_log) through %{...}n.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session db fresh_id);
use Time::HiRes qw(sleep time);

plan tests => 13, need_lwp, need_module('mod_dbd.c');

my $log = Apache::Test::vars('t_logs') . '/chatsession_access_log';
my $BASE = '/api/v1/ChatSession';

my $ID = fresh_id();    # a row of its own: 844 is the demo's, read-only
seed_session($ID);
my $offset = -s $log // 0;

# A tag in the query string finds each request's line.
my %res = (
    get   => req(GET => "$BASE/$ID?t=get"),
    patch => req(PATCH => "$BASE/$ID?t=patch",
                 body => [{ op => 'replace', path => '/Rating', value => 2 }]),
    post  => req(POST => "$BASE/?t=post", body => { CustomerName => 'Logged' }),
    anon  => req(GET => "$BASE/$ID?t=anon", auth => undef),
    other => req(GET => "$BASE/$ID?t=other", auth => ['filebob', 'Filebob1']),
);
is($res{get}->code, 200, 'GET: 200');
is($res{patch}->code, 200, 'PATCH: 200');
is($res{post}->code, 200, 'POST: 200');
my $new = json_body($res{post})->{ChatSessionId} // 0;
is($res{anon}->code, 401, 'no credentials: 401');

# the log line is written once the answer is out: wait for all five
my %line;
my $t0 = time;
while (keys(%line) < 5 && time - $t0 < 5) {
    sleep 0.1;
    open my $fh, '<', $log or next;
    seek $fh, $offset, 0;
    while (<$fh>) {
        $line{$1} = $_ if /[?&]t=(\w+) HTTP/;
    }
}
is(scalar(keys %line), 5, 'a line for each request') or diag(join '', values %line);

my $assoc = db()->selectrow_array(
    'SELECT associate_id FROM associate WHERE name = ?', undef, 'tje0');
sub notes { my ($l) = @_; return $l ? [$l =~ /associate=(\S+) id=(\S+) sql_us=(\S+)$/] : [] }

my ($a, $id, $us) = @{ notes($line{get}) };
is($a, $assoc, "GET: the caller's associate id ($assoc)");
is($id, $ID, 'GET: the session id');
ok(defined $us && $us =~ /^\d+$/ && $us > 0, "GET: time in PostgreSQL (${\($us // '-')} us)");
($a, $id, $us) = @{ notes($line{patch}) };
is_deeply([$a, $id], [$assoc, $ID], 'PATCH: associate and session');
ok(defined $us && $us =~ /^\d+$/ && $us > 0, 'PATCH: time in PostgreSQL');
($a, $id) = @{ notes($line{post}) };
is_deeply([$a, $id], [$assoc, $new], "POST: the session it created ($new)");
($a, $id, $us) = @{ notes($line{anon}) };
is_deeply([$a, $id, $us], ['-', '-', '-'],
          'a 401 before any statement: nothing to note');
# filebob is in htpasswd, not an associate: no associate id
like($line{other} // '', qr/ (?:200|401) associate=- /, 'a user who is no associate: -');

db()->do('DELETE FROM chat_session WHERE id = ?', undef, $new) if $new;
