# The official client's ChatAgent, the rest of a console (issue 19):
# SuperOffice's TypeScript client (@superoffice/webapi, pinned in
# t/client/package-lock.json, installed by ./check with `npm ci --prefix
# t/client`) calls the 16 ChatTopic, topic-agent and presence methods of
# its own ChatAgent class through t/client/topic.js, each as its own
# scenario (README "The official client's ChatAgent"), once per client
# time zone. Every "ok"/"not ok" line the script prints becomes an
# assertion here. A missing node or node_modules is a failure, never a
# skip.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use Apache::TestRequest ();
use ChatSession::Test qw(db run_node_tap client_script fresh_id make_topic
                         make_caller seed_session);

my @ZONES = ('UTC', 'America/New_York');
my $MIN_CHECKS = 247;       # per zone, every check of every scenario: fewer
                            # means one stopped early
my $TIMEOUT = 150;          # seconds per run (topic.js gives up after 90)
my $PREFIX = 'client_topic.t';                  # the topics topic.js makes
my $STARTED = '2024-11-03T05:30:00Z';           # 01:30 EDT, then EST

my ($node, $script) = client_script('topic.js');

my $dbh = db();
my @DAYS = qw(mon tue wed thu fri sat sun);

# The topics, made directly: their opening hours set through the columns
# (README "ChatTopic: the second entity"), so that IsWithinOpeningHours
# has one answer whenever the test runs.
my $T_OPEN   = make_topic("$PREFIX fixture: no opening hours");
my $T_ALLDAY = make_topic("$PREFIX fixture: open all day");
my $T_CLOSED = make_topic("$PREFIX fixture: no day enabled");
my $T_BUSY   = make_topic("$PREFIX fixture: one session");
$dbh->do('UPDATE chat_topic SET use_opening_hours = false WHERE id = ?',
         undef, $T_OPEN);
$dbh->do('UPDATE chat_topic SET use_opening_hours = true, tz_location_id = 1, '
         . join(', ', map { "${_}_enabled = true, ${_}_start = 0, "
                            . "${_}_stop = 86399" } @DAYS)
         . ' WHERE id = ?', undef, $T_ALLDAY);
$dbh->do('UPDATE chat_topic SET use_opening_hours = true, '
         . join(', ', map { "${_}_enabled = false" } @DAYS)
         . ' WHERE id = ?', undef, $T_CLOSED);

# B: an agent with a password, member of two topics, with one ongoing
# chat (UserLast) in the busy one; C: a chat user (update_own) member of
# nothing, whom the scenarios add, change and remove.
my $B_ID = fresh_id();
my $B = "ctb$B_ID";
my $B_NAME = 'Berit Agent';
my $B_PASS = make_caller($B, id => $B_ID, password => "Ct-$B_ID",
    level => 'update_own',
    topics => { $T_OPEN => 'can_respond', $T_BUSY => ['can_respond', 'listen'] },
    columns => { person_id => 0, rank => 3, tooltip => 'Agent B', type => 1,
                 group_idx => 2, full_name => $B_NAME, formal_name => 'Agent',
                 ej_user_id => $B_ID, user_name => $B })->{password};
my $C_ID = fresh_id();
my $C = "ctc$C_ID";
make_caller($C, id => $C_ID, password => undef, level => 'update_own',
    columns => { person_id => 0, rank => 4, tooltip => 'Agent C', type => 1,
                 group_idx => 2, full_name => 'Carl Agent',
                 formal_name => 'Agent', ej_user_id => $C_ID,
                 user_name => $C });
seed_session(fresh_id(), topic_id => $T_BUSY, user_id => $B_ID, status => 6,
             when_started => $STARTED);

# The topics topic.js makes carry sequence ids outside the block: remove
# what a failed run left, before and after.
my $leftovers = sub {
    $dbh->do(q{DELETE FROM chat_topic WHERE name LIKE ? AND id NOT IN (?, ?, ?, ?)},
             undef, "$PREFIX %", $T_OPEN, $T_ALLDAY, $T_CLOSED, $T_BUSY);
};
$leftovers->();
END { $leftovers->() if $leftovers }

# The base URL; the client appends api/v1/Agents/Chat/.  httpd listens on
# IPv4 only, and node may resolve "localhost" to ::1 first.
my $base = Apache::TestRequest::resolve_url('/');
$base =~ s{^(https?://)localhost\b}{${1}127.0.0.1};

for my $tz (@ZONES) {
    # Each run starts as the first: B not present.
    $dbh->do('DELETE FROM chat_presence WHERE associate_id = ?', undef, $B_ID);
    run_node_tap(node => $node, script => $script, args => [$base],
                 env => ["TZ=$tz", "CHATS_TOPIC_OPEN=$T_OPEN",
                   "CHATS_TOPIC_ALLDAY=$T_ALLDAY", "CHATS_TOPIC_CLOSED=$T_CLOSED",
                   "CHATS_TOPIC_BUSY=$T_BUSY", "CHATS_TOPIC_STARTED=$STARTED",
                   "CHATS_TOPIC_PREFIX=$PREFIX", "CHATS_AGENT_B=$B",
                   "CHATS_AGENT_B_PASS=$B_PASS", "CHATS_AGENT_B_ID=$B_ID",
                   "CHATS_AGENT_B_NAME=$B_NAME", "CHATS_AGENT_C=$C",
                   "CHATS_AGENT_C_ID=$C_ID"],
                 timeout => $TIMEOUT, min => $MIN_CHECKS, label => "TZ=$tz");
}

done_testing();
