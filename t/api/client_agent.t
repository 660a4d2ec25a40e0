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
use ChatSession::Test qw(db bcrypt_hash run_node_tap client_script);

my @ZONES = ('UTC', 'America/New_York');
my $MIN_CHECKS = 100;       # per zone: fewer means the scenario stopped early
my $TIMEOUT = 120;          # seconds per run (agent.js gives up after 60)

# A topic of its own, with nothing queued, where tje0 and a second agent
# (update_own, with a password) may respond; tje0's other memberships
# are set aside meanwhile, so that PickUpFirstChatSession can only find
# the session the scenario queued.
my ($TOPIC, $AGENT_ID, $AGENT, $AGENT_PASS) = (9710, 9711, 'agent9711', 'Agent-9711');

my ($node, $script) = client_script('agent.js');

my $dbh = db();
my $saved = $dbh->selectall_arrayref(
    'SELECT topic_id, can_respond, notifications, listen, manager
       FROM chat_topic_member WHERE associate_id = 5 AND topic_id <> ?',
    undef, $TOPIC);
sub cleanup {
    $dbh->do('DELETE FROM chat_session WHERE topic_id = ?', undef, $TOPIC);
    $dbh->do('DELETE FROM chat_topic_member WHERE topic_id = ?', undef, $TOPIC);
    $dbh->do('DELETE FROM chat_session_right WHERE associate_id = ?', undef, $AGENT_ID);
    $dbh->do('DELETE FROM associate WHERE associate_id = ?', undef, $AGENT_ID);
}
cleanup();
$dbh->do(q{INSERT INTO chat_topic (id, name) VALUES (?, 'ChatAgent run')
           ON CONFLICT DO NOTHING}, undef, $TOPIC);
$dbh->do(q{INSERT INTO associate (associate_id, name, person_id, rank, tooltip,
           type, group_idx, full_name, formal_name, ej_user_id, user_name,
           password_hash) VALUES (?, ?, 0, 3, 'Agent', 1, 2, 'Agent Two',
           'Agent', ?, ?, ?)}, undef, $AGENT_ID, $AGENT, $AGENT_ID, $AGENT,
         bcrypt_hash($AGENT, $AGENT_PASS));
$dbh->do(q{INSERT INTO chat_session_right (associate_id, level)
           VALUES (?, 'update_own')}, undef, $AGENT_ID);
$dbh->do('DELETE FROM chat_topic_member WHERE associate_id = 5');
$dbh->do(q{INSERT INTO chat_topic_member (topic_id, associate_id, can_respond)
           VALUES (?, 5, true), (?, ?, true)}, undef, $TOPIC, $TOPIC, $AGENT_ID);
END {
    if ($dbh) {
        cleanup();
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
