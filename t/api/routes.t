# The route table (modules/core/api/chats_routes.c) as the module applies it:
# every REST path and agent method answers OPTIONS with its Allow, other
# methods 405 with the same Allow, HEAD where GET is; unknown tails and
# agent methods 404; literal segments in any case; {id} parsing (400).
# Whether a route reaches its operation is told by the answer not being
# the router's: no 404 "no such resource", no 405 (what each operation
# answers is its own test file's).
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session db agent_req fresh_id);
use JSON::PP ();

plan tests => 351, need_lwp, need_module('mod_dbd.c');

my $BASE = '/api/v1/ChatSession';
my $AGENT = '/api/v1/Agents/Chat';
my $ID = fresh_id();

seed_session($ID, name => 'Routes');

# Path (with $ID and an associate filled in) => its Allow.
my %allow = (
    ''                          => 'GET, HEAD, POST, OPTIONS',
    '/default'                  => 'GET, HEAD, OPTIONS',
    '/ForCurrentUser'           => 'GET, HEAD, OPTIONS',
    '/Pickup'                   => 'POST, OPTIONS',
    "/$ID"                      => 'GET, HEAD, PUT, PATCH, DELETE, OPTIONS',
    "/$ID/Pickup"               => 'POST, OPTIONS',
    "/$ID/TransferTo/tje0"      => 'POST, OPTIONS',
    "/$ID/AcceptTransfer"       => 'POST, OPTIONS',
    "/$ID/RejectTransfer"       => 'POST, OPTIONS',
    "/$ID/Reset"                => 'POST, OPTIONS',
    "/$ID/Messages"             => 'GET, HEAD, POST, OPTIONS',
    "/$ID/Transcript"           => 'POST, OPTIONS',
);
my @methods = qw(GET PUT PATCH DELETE POST);

sub routed {
    my ($res, $name) = @_;
    my $doc = json_body($res);
    my $msg = ref $doc eq 'HASH' ? ($doc->{ErrorMessage} // '') : '';
    ok($res->code != 405 && !($res->code == 404
                              && $msg =~ /^no such (resource|agent method)/),
       "$name: reaches its operation (" . $res->code . ")");
}

# ---- REST: OPTIONS, 405 + Allow, the allowed methods reach their op -------
for my $tail (sort keys %allow) {
    my $res = req(OPTIONS => "$BASE$tail");
    is($res->code, 200, "OPTIONS $tail: 200");
    is($res->header('Allow'), $allow{$tail}, "OPTIONS $tail: Allow");
    is(defined $res->header('Accept-Patch') ? 1 : 0,
       $allow{$tail} =~ /PATCH/ ? 1 : 0,
       "OPTIONS $tail: Accept-Patch only where PATCH is");
    my %ok = map { $_ => 1 } split /, /, $allow{$tail};
    my ($wrong) = grep { !$ok{$_} } @methods;
    $res = req($wrong => "$BASE$tail", body => {});
    is($res->code, 405, "$wrong $tail: 405");
    is($res->header('Allow'), $allow{$tail}, "$wrong $tail: Allow");
    is(json_body($res)->{ErrorType}, 'MethodNotAllowedException',
       "$wrong $tail: error body");
}

# The routes of issue 10 reach their operation (the entity's own are
# tested in resource.t; PUT/PATCH/DELETE would change $ID here).
routed(req(GET => $BASE), 'GET ChatSession');
routed(req(GET => "$BASE/ForCurrentUser"), 'GET ForCurrentUser');
routed(req(POST => "$BASE/Pickup"), 'POST Pickup');
routed(req(POST => "$BASE/$ID/Pickup"), 'POST {id}/Pickup');
routed(req(POST => "$BASE/$ID/TransferTo/tje0"), 'POST TransferTo');
routed(req(POST => "$BASE/$ID/AcceptTransfer"), 'POST AcceptTransfer');
routed(req(POST => "$BASE/$ID/RejectTransfer"), 'POST RejectTransfer');
routed(req(POST => "$BASE/$ID/Reset"), 'POST Reset');
routed(req(GET => "$BASE/$ID/Messages?after=0"), 'GET Messages');
routed(req(POST => "$BASE/$ID/Messages",
           body => { Type => 'ToCustomer', Message => 'routes.t' }),
       'POST Messages');
routed(req(POST => "$BASE/$ID/Transcript?html=false"), 'POST Transcript');
my $res;

# Actions take no $select: ignored there (as SuperOffice ignores unknown
# parameters), not a 400.
$res = req(POST => "$BASE/$ID/Reset?\$select=Nope");
ok($res->code != 400, 'Reset?$select=Nope: not a 400 ($select ignored)');

# HEAD where GET is; HEAD is no method of its own in Allow's sense.
$res = req(HEAD => "$BASE/$ID");
is($res->code, 200, 'HEAD {id}: 200');
is($res->content, '', '... no body');
$res = req(HEAD => "$BASE/default");
is($res->code, 200, 'HEAD default: 200');
$res = req(HEAD => "$BASE/Pickup");
is($res->code, 405, 'HEAD Pickup (POST only): 405');

# ---- literal segments in any case ----------------------------------------
for my $tail ('/DEFAULT', '/forcurrentuser', '/PICKUP', "/$ID/pickup",
              "/$ID/transferto/tje0", "/$ID/ACCEPTTRANSFER",
              "/$ID/rejecttransfer", "/$ID/reset", "/$ID/MESSAGES",
              "/$ID/transcript") {
    $res = req(OPTIONS => "$BASE$tail");
    is($res->code, 200, "OPTIONS $tail: 200 (any case)");
    my ($canon) = grep { lc $_ eq lc $tail } keys %allow;
    is($res->header('Allow'), $allow{$canon}, "OPTIONS $tail: its Allow");
}
$res = req(GET => "$BASE/Default");
is($res->code, 200, 'GET Default: 200');
is(json_body($res)->{ChatSessionId}, 0, '... the template');

# ---- unknown tails: 404 ----------------------------------------------------
for my $tail ("/$ID/Bogus", "/$ID/Messages/1", "/$ID/TransferTo",
              "/$ID/TransferTo/tje0/x", '/Pickup/x', '/default/x',
              "/$ID/Pickup/", '/ForCurrentUser/1') {
    $res = req(POST => "$BASE$tail");
    is($res->code, 404, "POST $tail: 404");
    is(json_body($res)->{ErrorMessage}, 'no such resource',
       "POST $tail: no such resource");
}
is(req(OPTIONS => "$BASE/$ID/Bogus")->code, 404, 'OPTIONS on a bad tail: 404');

# ---- {id}: an int32 in decimal digits ---------------------------------------
for my $bad ('abc', '-1', '2147483648', '1e3', '0x10') {
    $res = req(POST => "$BASE/$bad/Reset");
    is($res->code, 400, "POST $bad/Reset: 400");
    like(json_body($res)->{ErrorMessage}, qr/not a chat session id/,
         "POST $bad/Reset: names the id");
}
$res = req(GET => "$BASE/abc/Messages");
is($res->code, 400, 'GET abc/Messages: 400');
# A literal is no id: "default" with a tail of the {id} routes.
is(req(POST => "$BASE/default/Reset")->code, 400,
   'default/Reset: {id} route, not an id: 400');
isnt(req(OPTIONS => "$BASE/00$ID/Messages")->code, 400,
     'leading zeros are an id');

# ---- REST query arguments: 400 naming them (before the operation) -------
for my $case (["$ID/Messages?after=x", 'after'],
              ["$ID/Messages?after=-1", 'after'],
              ["$ID/Messages?wait=31", 'wait'],
              ["$ID/Messages?wait=x", 'wait']) {
    my ($path, $field) = @$case;
    $res = req(GET => "$BASE/$path");
    is($res->code, 400, "GET $path: 400");
    is(json_body($res)->{Field}, $field, "GET $path: Field $field");
}
$res = req(POST => "$BASE/$ID/Transcript?html=maybe");
is($res->code, 400, 'Transcript?html=maybe: 400');
is(json_body($res)->{Field}, 'html', '... Field html');
routed(req(POST => "$BASE/$ID/Transcript?HTML=TRUE"),
       'Transcript?HTML=TRUE (names and values in any case)');

# ---- the agent -------------------------------------------------------------
my @agent = qw(CreateDefaultChatSessionEntity SaveChatSessionEntity
    GetChatSessionEntity DeleteChatSessionEntity ChatSessionsForUser
    CreateChatSessionForTopic TransferChatSession AcceptChatSessionTransfer
    RejectChatSessionTransfer PickUpChatSession PickUpFirstChatSession
    ResetChatSession GetChatTranscript GetChatMessages AddChatMessage);
for my $m (@agent) {
    $res = req(OPTIONS => "$AGENT/$m");
    is($res->header('Allow'), 'POST, OPTIONS', "OPTIONS $m: Allow");
    $res = req(GET => "$AGENT/$m");
    is($res->code, 405, "GET $m: 405");
    is($res->header('Allow'), 'POST, OPTIONS', "GET $m: Allow");
}
# The agent's rows reach their operation (with arguments that bind).
routed(agent_req('CreateDefaultChatSessionEntity', body => 'null'),
       'CreateDefaultChatSessionEntity');
routed(agent_req('GetChatSessionEntity', query => "chatSessionEntityId=$ID",
                 body => 'null'), 'GetChatSessionEntity');
routed(agent_req('ChatSessionsForUser', body => ''), 'ChatSessionsForUser');
routed(agent_req('PickUpFirstChatSession', body => ''),
       'PickUpFirstChatSession');
routed(agent_req('CreateChatSessionForTopic', body => { chatTopicId => 1 }),
       'CreateChatSessionForTopic');
routed(agent_req($_, body => { chatSessionId => $ID }), $_)
    for qw(AcceptChatSessionTransfer RejectChatSessionTransfer
           PickUpChatSession ResetChatSession);
routed(agent_req('TransferChatSession',
                 body => { chatSessionId => $ID, toAssociate => 'tje0' }),
       'TransferChatSession');
routed(agent_req('GetChatTranscript',
                 body => { chatSessionId => $ID, html => JSON::PP::true() }),
       'GetChatTranscript');
routed(agent_req('GetChatMessages', body => { chatSessionId => $ID,
                                              after => 0 }),
       'GetChatMessages');
routed(agent_req('AddChatMessage', body => { chatSessionId => $ID,
    message => { type => 'ToCustomer', message => 'agent routes.t' } }),
       'AddChatMessage');

# Method names in any case; unknown ones 404 (other ChatAgent methods too).
routed(agent_req('getchatsessionentity', query => "chatSessionEntityId=$ID"),
       'getchatsessionentity (any case)');
for my $m ('GetChatTopic', 'Nope', '', 'GetChatMessages/1') {
    $res = req(POST => "$AGENT/$m", body => {});
    is($res->code, 404, "POST Agents/Chat/$m: 404");
    is(json_body($res)->{ErrorMessage}, 'no such agent method',
       "POST Agents/Chat/$m: no such agent method");
}
is(req(GET => "$AGENT/Nope")->code, 404, 'GET of an unknown method: 404');

# ---- no credentials: 401 on both families ---------------------------------
is(req(POST => "$BASE/$ID/Pickup", auth => undef)->code, 401,
   'REST action without credentials: 401');
is(agent_req('GetChatMessages', auth => undef,
             body => { chatSessionId => $ID })->code, 401,
   'agent without credentials: 401');

# ---- routing from configuration (README "Routes") -------------------------
# The families under whatever <Location> maps them (t/conf/extra.conf.in):
# under another prefix (/tenant/api/v1/...), and under paths that do not
# name them (/desk/sessions, /desk/agent: ChatSessionFamily), with _Links
# and Location under that mount; the default mounts unchanged.
my $EP = qr{^https?://[^/]+};
my $ID2 = fresh_id();
seed_session($ID2, name => 'Routes 2');
for my $m (['/tenant/api/v1/ChatSession', '/tenant/api/v1/Agents/Chat'],
           ['/desk/sessions', '/desk/agent'], [$BASE, $AGENT]) {
    my ($rest, $agent) = @$m;
    $res = req(GET => "$rest/$ID");
    is($res->code, 200, "GET $rest/{id}: 200") or diag($res->as_string);
    my $doc = json_body($res) || {};
    like($doc->{_Links}{Self} // '', qr{$EP\Q$rest/$ID\E$},
         "... _Links.Self under $rest");
    like($doc->{_Links}{Archive} // '', qr{$EP\Q$rest\E$},
         "... _Links.Archive under $rest");
    $res = req(PATCH => "$rest/$ID", content_type => 'application/json-patch+json',
               body => [{ op => 'replace', path => '/CustomerName',
                          value => "Routes $rest" }]);
    is($res->code, 200, "PATCH $rest/{id}: 200") or diag($res->as_string);
    is((json_body($res) || {})->{CustomerName}, "Routes $rest",
       '... patched');
    $res = req(POST => "$agent/GetChatSessionEntity?chatSessionEntityId=$ID",
               body => 'null');
    is($res->code, 200, "POST $agent/GetChatSessionEntity: 200")
        or diag($res->as_string);
    is((json_body($res) || {})->{CustomerName}, "Routes $rest",
       '... the session');
    $res = req(GET => "$rest?\$top=1&\$filter=startswith(CustomerName,"
               . "%27Routes%27)");
    like((json_body($res) || {})->{'odata.nextLink'} // '',
         qr{$EP\Q$rest\E\?}, "GET $rest: odata.nextLink under it");
}
# A path that names a family further on is that route, not the family.
$res = req(POST => "/tenant/api/v1/ChatSession/$ID/TransferTo/ChatSession");
is($res->code, 400, 'TransferTo/ChatSession: the transfer (400: no such '
   . 'associate), not a create') or diag($res->as_string);
$res = req(POST => '/desk/sessions', body => { CustomerName => 'Routes desk' });
is($res->code, 200, 'POST /desk/sessions: 200') or diag($res->as_string);
like($res->header('Location') // '', qr{$EP/desk/sessions/\d+$},
     '... Location under /desk/sessions');
my ($made) = ($res->header('Location') // '') =~ m{/(\d+)$};
db()->do('DELETE FROM chat_session WHERE id = ?', undef, $made) if $made;
is(req(GET => "/desk/sessionsX/$ID")->code, 404,
   'a path that only starts like the mount: 404');

# ---- statuses per route (issue 18): the OpenAPI document derives them
# from the error kinds and the routes' arguments; where that changed the
# document, what the routes answer says who is right ----------------------
my $BAD_ZONE = ['SO-TimeZone' => 'Nowhere/Atlantis'];
is(req(GET => "$BASE/default?\$select=NoSuchField")->code, 400,
   'GET /default with an unknown $select name: 400');
is(req(GET => "$BASE/default", headers => $BAD_ZONE)->code, 400,
   'GET /default with an unknown SO-TimeZone: 400');
is(req(GET => "$BASE/ForCurrentUser", headers => $BAD_ZONE)->code, 400,
   'GET /ForCurrentUser with an unknown SO-TimeZone: 400');
{
    my @key = (headers => ['Idempotency-Key' => "routes-$$-" . time]);
    my $body = { CustomerName => 'Routes: a key whose answer goes' };
    my $r1 = req(POST => $BASE, @key, body => $body);
    is($r1->code, 200, 'POST with an Idempotency-Key: 200');
    my $made = (json_body($r1) || {})->{ChatSessionId} // 0;
    is(req(DELETE => "$BASE/$made")->code, 204, '... the session deleted');
    my $r2 = req(POST => $BASE, @key, body => $body);
    is($r2->code, 404, '... the POST again: 404, its answer is gone');
    like((json_body($r2) || {})->{ErrorMessage} // '',
         qr/^ChatSession id \Q$made\E, this Idempotency-Key's answer, no (?#
            )longer exists$/, '... and says so');
}
my $api = json_body(req(GET => "$BASE/openapi.json")) || {};
my %says = (
    '/api/v1/ChatSession post 404'                  => 1,
    '/api/v1/ChatSession/default get 400'           => 1,
    '/api/v1/ChatSession/ForCurrentUser get 400'    => 1,
    '/api/v1/ChatSession/{id} patch 409'            => 1,
    '/api/v1/ChatSession/{id} put 409'              => 0,    # no test op
    '/api/v1/Agents/Chat/CreateDefaultChatSessionEntity post 404' => 0,
    '/api/v1/Agents/Chat/ChatSessionsForUser post 404' => 0,
);
for my $what (sort keys %says) {
    my ($path, $op, $status) = split / /, $what;
    is(exists $api->{paths}{$path}{$op}{responses}{$status} ? 1 : 0,
       $says{$what}, "the OpenAPI document: $what "
                     . ($says{$what} ? 'listed' : 'not listed'));
}

# ---- the ChatTopic family (issue 19): Allow, 405, 404, {id} ----------------
my $TOPIC = '/api/v1/ChatTopic';
my %tallow = (
    '/UserAgents'          => 'GET, HEAD, OPTIONS',
    '/1/IsOpen'            => 'GET, HEAD, OPTIONS',
    '/1/UserAgent'         => 'GET, HEAD, POST, PUT, OPTIONS',
    '/1/UserAgent/tje0'    => 'GET, HEAD, PUT, DELETE, OPTIONS',
);
for my $tail (sort keys %tallow) {
    $res = req(OPTIONS => "$TOPIC$tail");
    is($res->header('Allow'), $tallow{$tail}, "OPTIONS ChatTopic$tail: Allow");
    my %ok = map { $_ => 1 } split /, /, $tallow{$tail};
    my ($wrong) = grep { !$ok{$_} } qw(PATCH DELETE POST PUT);
    $res = req($wrong => "$TOPIC$tail", body => {});
    is($res->code, 405, "$wrong ChatTopic$tail: 405");
    is($res->header('Allow'), $tallow{$tail}, '... with Allow');
    routed(req(GET => "$TOPIC$tail"), "GET ChatTopic$tail");
}
is(req(GET => "$TOPIC/1/UserAgent/tje0/x")->code, 404,
   'ChatTopic/1/UserAgent/tje0/x: 404');
is(req(GET => "$TOPIC/1/Bogus")->code, 404, 'ChatTopic/1/Bogus: 404');
$res = req(GET => "$TOPIC/abc/IsOpen");
is($res->code, 400, 'ChatTopic/abc/IsOpen: 400');
like(json_body($res)->{ErrorMessage}, qr/not a chat topic id/,
     '... names the topic id');
for my $m (qw(IsWithinOpeningHours GetUserAgentList GetChatTopicUserAgentList
              GetChatTopicUserAgent AddChatTopicUserAgent
              UpdateChatTopicUserAgent UpdateChatTopicUserAgents
              DeleteChatTopicUserAgent CreateDefaultChatTopicAgent
              GetChatPresence SaveChatPresence)) {
    $res = req(OPTIONS => "$AGENT/$m");
    is($res->header('Allow'), 'POST, OPTIONS', "OPTIONS Agents/Chat/$m");
    is(req(GET => "$AGENT/$m")->code, 405, "GET Agents/Chat/$m: 405");
}

# ---- the Webhook family (issue 20): Allow, 405, 404, {id} -------------------
my $HOOK = '/api/v1/Webhook';
my %hallow = (
    ''         => 'GET, HEAD, POST, OPTIONS',
    '/default' => 'GET, HEAD, OPTIONS',
    '/1'       => 'GET, HEAD, PUT, PATCH, DELETE, OPTIONS',
);
for my $tail (sort keys %hallow) {
    $res = req(OPTIONS => "$HOOK$tail");
    is($res->header('Allow'), $hallow{$tail}, "OPTIONS Webhook$tail: Allow");
    is(defined $res->header('Accept-Patch') ? 1 : 0,
       $hallow{$tail} =~ /PATCH/ ? 1 : 0,
       "OPTIONS Webhook$tail: Accept-Patch only where PATCH is");
    my %ok = map { $_ => 1 } split /, /, $hallow{$tail};
    my ($wrong) = grep { !$ok{$_} } qw(PATCH DELETE POST PUT);
    $res = req($wrong => "$HOOK$tail", body => {});
    is($res->code, 405, "$wrong Webhook$tail: 405");
    is($res->header('Allow'), $hallow{$tail}, '... with Allow');
    routed(req(GET => "$HOOK$tail"), "GET Webhook$tail");
}
# the operations beyond CRUD (slice D): POST-only tails, and LastError
for my $tail ('/Test', '/ops.thing/1') {
    $res = req(OPTIONS => "$HOOK$tail");
    is($res->header('Allow'), 'POST, OPTIONS', "OPTIONS Webhook$tail: Allow");
    is(req(GET => "$HOOK$tail")->code, 405, "GET Webhook$tail: 405");
    routed(req(POST => "$HOOK$tail", body => {}), "POST Webhook$tail");
}
$res = req(OPTIONS => "$HOOK/1/LastError");
is($res->header('Allow'), 'GET, HEAD, OPTIONS',
   'OPTIONS Webhook/1/LastError: Allow');
is(req(POST => "$HOOK/1/LastError")->code, 405, 'POST Webhook/1/LastError: 405');
routed(req(GET => "$HOOK/1/LastError"), 'GET Webhook/1/LastError');
is(req(GET => "$HOOK/abc/LastError")->code, 400, 'Webhook/abc/LastError: 400');
# WebhookAgent: POST only, every method reaches its operation
for my $m (qw(CreateDefaultWebhook SaveWebhook DeleteWebhook GetWebhook
              GetAllWebhooks TestWebhook SignalEvent GetLastError)) {
    $res = req(OPTIONS => "/api/v1/Agents/Webhook/$m");
    is($res->header('Allow'), 'POST, OPTIONS', "OPTIONS Agents/Webhook/$m");
    is(req(GET => "/api/v1/Agents/Webhook/$m")->code, 405,
       "GET Agents/Webhook/$m: 405");
}
routed(req(POST => '/api/v1/Agents/Webhook/getwebhook?WEBHOOKID=1'),
       'Agents/Webhook/getwebhook?WEBHOOKID=1: any case');
$res = req(POST => '/api/v1/Agents/Webhook/NoSuchMethod');
is($res->code, 404, 'Agents/Webhook/NoSuchMethod: 404');
is(req(GET => "$HOOK/DEFAULT")->code, 200, 'Webhook/DEFAULT: any case');
$res = req(GET => "$HOOK/abc");
is($res->code, 400, 'Webhook/abc: 400');
like(json_body($res)->{ErrorMessage}, qr/not a webhook id/,
     '... names the webhook id');

db()->do('DELETE FROM chat_session WHERE id IN (?, ?)', undef, $ID, $ID2);
