# The official client's ChatAgent works unchanged: SuperOffice's TypeScript
# client (@superoffice/webapi, pinned in t/client/package-lock.json,
# installed by ./check with `npm ci --prefix t/client`) calls all 15
# ChatSession methods of its own ChatAgent class through t/client/agent.js
# (README "The official client's ChatAgent"), once per client time zone.
# Every "ok"/"not ok" line the script prints becomes an assertion here.
# A missing node or node_modules is a failure, never a skip.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use Apache::TestRequest ();
use ChatSession::Test qw(db run_node_tap client_script fresh_id make_topic
                         make_caller);

my @ZONES = ('UTC', 'America/New_York');
my $MIN_CHECKS = 100;       # per zone: fewer means the scenario stopped early
my $TIMEOUT = 120;          # seconds per run (agent.js gives up after 60)

my ($node, $script) = client_script('agent.js');

# A topic of its own, with nothing queued, where tje0 and a second agent
# (update_own, with a password) may respond; tje0's other memberships
# are set aside meanwhile, so that PickUpFirstChatSession can only find
# the session the scenario queued.
my $TOPIC = make_topic('ChatAgent run');
my $AGENT_ID = fresh_id();
my $AGENT = "agent$AGENT_ID";
my $AGENT_PASS = make_caller($AGENT, id => $AGENT_ID,
    password => "Agent-$AGENT_ID", level => 'update_own',
    topics => { $TOPIC => 'can_respond' },
    columns => { person_id => 0, rank => 3, tooltip => 'Agent', type => 1,
                 group_idx => 2, full_name => 'Agent Two',
                 formal_name => 'Agent', ej_user_id => $AGENT_ID,
                 user_name => $AGENT })->{password};

my $dbh = db();
my $saved = $dbh->selectall_arrayref(
    'SELECT topic_id, can_respond, notifications, listen, manager
       FROM chat_topic_member WHERE associate_id = 5 AND topic_id <> ?',
    undef, $TOPIC);
$dbh->do('DELETE FROM chat_topic_member WHERE associate_id = 5');
$dbh->do(q{INSERT INTO chat_topic_member (topic_id, associate_id, can_respond)
           VALUES (?, 5, true)}, undef, $TOPIC);
END {
    if ($dbh) {
        $dbh->do('DELETE FROM chat_topic_member WHERE associate_id = 5');
        $dbh->do(q{INSERT INTO chat_topic_member (topic_id, associate_id,
                   can_respond, notifications, listen, manager)
                   VALUES (?, 5, ?, ?, ?, ?)}, undef, @$_) for @$saved;
    }
}

# The base URL; the client appends api/v1/Agents/Chat/.  httpd listens on
# IPv4 only, and node may resolve "localhost" to ::1 first.
my $base = Apache::TestRequest::resolve_url('/');
$base =~ s{^(https?://)localhost\b}{${1}127.0.0.1};

for my $tz (@ZONES) {
    run_node_tap(node => $node, script => $script, args => [$base],
                 env => ["TZ=$tz", "CHATS_AGENT_TOPIC=$TOPIC",
                   "CHATS_AGENT_USER2=$AGENT", "CHATS_AGENT_PASS2=$AGENT_PASS"],
                 timeout => $TIMEOUT, min => $MIN_CHECKS, label => "TZ=$tz");
}

done_testing();
