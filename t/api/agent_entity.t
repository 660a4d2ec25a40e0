# The official client's ChatAgent on the entity (POST /api/v1/Agents/Chat/
# CreateDefaultChatSessionEntity, SaveChatSessionEntity, GetChatSessionEntity,
# DeleteChatSessionEntity), with the bodies the client sends (README
# "Routes"): the three "no arguments" forms, camelCase and PascalCase
# members, the entity id in the query in any case; answers without _Links
# or Location; the same rights as REST; conditional headers ignored. And
# the binder's 400s on the other agent methods, which name the member
# before any operation runs.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session db agent_req fresh_ids
                         make_caller);
use JSON::PP ();

plan tests => 118, need_lwp, need_module('mod_dbd.c');

my $BASE = '/api/v1/ChatSession';
my ($ID, $ID2, $ID_OWN) = fresh_ids(3);
my %LEVEL = (ae_none => 'none', ae_read => 'read', ae_own => 'update_own');
my %C = map { $_ => make_caller($_, level => $LEVEL{$_}) } sort keys %LEVEL;
my %AID = map { $_ => $C{$_}{id} } keys %C;

# The sessions the entity methods create (tje0's, by their name).
sub cleanup {
    db()->do(q{DELETE FROM chat_session WHERE name LIKE 'agent_entity.t %'});
}
cleanup();
sub as { my $u = shift; return (auth => $C{$u}{auth}) }

seed_session($ID, name => 'agent_entity.t get');
seed_session($ID2, name => 'agent_entity.t delete');
seed_session($ID_OWN, name => 'agent_entity.t own', user_id => $AID{ae_own});

sub name_of { db()->selectrow_array(
                  'SELECT name FROM chat_session WHERE id = ?', undef,
                  shift) }

sub error_field {
    my ($res, $status, $field, $name) = @_;
    is($res->code, $status, "$name: $status");
    is(json_body($res)->{Field}, $field, "$name: Field $field");
}

# ---- CreateDefaultChatSessionEntity: the three "no arguments" forms ------
for my $form (['null', body => 'null'],
              ['an empty body with Content-Type', body => '',
               content_type => 'application/json'],
              ['{}', body => {}],
              ['no body, no Content-Type']) {
    my ($what, @opts) = @$form;
    my $res = agent_req('CreateDefaultChatSessionEntity', @opts);
    is($res->code, 200, "CreateDefault, $what: 200");
    my $doc = json_body($res);
    is($doc->{ChatSessionId}, 0, "CreateDefault, $what: the template");
    ok(!exists $doc->{_Links}, "CreateDefault, $what: no _Links");
}
my $tpl = json_body(agent_req('CreateDefaultChatSessionEntity',
                              body => 'null'));
is($tpl->{Status}, 'Invalid', 'the template is REST\'s default');

# ---- GetChatSessionEntity: the id in the query, any case ------------------
for my $q ("chatSessionEntityId=$ID", "ChatSessionEntityId=$ID",
           "CHATSESSIONENTITYID=$ID") {
    my $res = agent_req('GetChatSessionEntity', query => $q, body => 'null');
    is($res->code, 200, "Get ?$q: 200");
    my $doc = json_body($res);
    is($doc->{ChatSessionId}, $ID, "Get ?$q: the session");
    ok(!exists $doc->{_Links}, "Get ?$q: no _Links");
}
my $res = agent_req('GetChatSessionEntity', query => "chatSessionEntityId=$ID",
                    body => '', content_type => 'application/json');
is($res->code, 200, 'Get with an empty JSON body: 200');
ok($res->header('ETag'), '... with its ETag, as REST');
my $etag = $res->header('ETag');
error_field(agent_req('GetChatSessionEntity', body => 'null'), 400,
            'chatSessionEntityId', 'Get without the id');
error_field(agent_req('GetChatSessionEntity', query => 'chatSessionEntityId=x'),
            400, 'chatSessionEntityId', 'Get ?chatSessionEntityId=x');
# Twice is 400 (README "The query string"), even with one value: the
# official client sends it once.
error_field(agent_req('GetChatSessionEntity', body => 'null',
                      query => "chatSessionEntityId=$ID&chatSessionEntityId=1"),
            400, 'chatSessionEntityId', 'Get with the id twice');
error_field(agent_req('DeleteChatSessionEntity', body => 'null',
                      query => "ChatSessionEntityId=$ID&chatsessionentityid=$ID"),
            400, 'chatSessionEntityId', 'Delete with the id twice');
$res = agent_req('GetChatSessionEntity', query => 'chatSessionEntityId=987654');
is($res->code, 404, 'Get of a missing id: 404 (like REST)');
is(json_body($res)->{ErrorType}, 'SoNotFoundException', '... error body');

# Conditional headers are REST's: the agent ignores them.
$res = agent_req('GetChatSessionEntity', query => "chatSessionEntityId=$ID",
                 headers => { 'If-None-Match' => $etag });
is($res->code, 200, 'Get with a matching If-None-Match: 200, not 304');
is(req(GET => "$BASE/$ID", headers => { 'If-None-Match' => $etag })->code,
   304, '... where REST answers 304');

# ---- SaveChatSessionEntity: id 0 creates, another id replaces -----------
# The client sends its carrier as is: camelCase, flags numeric.
sub camel {
    my %doc = @_;
    return { map { lcfirst($_) => $doc{$_} } keys %doc };
}
my %base = %$tpl;
delete @base{qw(TableRight FieldProperties)};
my $body = camel(%base, ChatSessionId => 0, CustomerName => 'agent_entity.t A',
                 Status => 'InQueue', Flags => 0,
                 WhenRequested => '2026-01-02T03:04:05.000Z');
$res = agent_req('SaveChatSessionEntity', body => $body);
is($res->code, 200, 'Save with chatSessionId 0: 200');
my $made = json_body($res);
ok($made->{ChatSessionId} > 0, '... created (an id assigned)');
is($made->{CustomerName}, 'agent_entity.t A', '... camelCase members read');
ok(!exists $made->{_Links}, '... no _Links');
ok(!defined $res->header('Location'), '... no Location');
is(name_of($made->{ChatSessionId}), 'agent_entity.t A', '... the row exists');

delete $body->{chatSessionId};
$body->{customerName} = 'agent_entity.t B';
$res = agent_req('SaveChatSessionEntity', body => $body);
is($res->code, 200, 'Save without chatSessionId: 200');
my $made2 = json_body($res);
ok($made2->{ChatSessionId} > 0
   && $made2->{ChatSessionId} != $made->{ChatSessionId}, '... a new one');

# Replace: PascalCase members too.
my %put = (%base, ChatSessionId => $ID, CustomerName => 'agent_entity.t put',
           Status => 'InQueue');
$res = agent_req('SaveChatSessionEntity', body => \%put);
is($res->code, 200, 'Save with an id (PascalCase): 200');
is(json_body($res)->{ChatSessionId}, $ID, '... that session');
is(name_of($ID), 'agent_entity.t put', '... replaced');
ok(!exists json_body($res)->{_Links}, '... no _Links');

$res = agent_req('SaveChatSessionEntity',
                 body => camel(%put, CustomerName => 'agent_entity.t camel'),
                 headers => { 'If-Match' => '"999999"',
                              'If-Unmodified-Since' =>
                                  'Mon, 01 Jan 2001 00:00:00 GMT' });
is($res->code, 200, 'Save with a stale If-Match: 200 (ignored)');
is(name_of($ID), 'agent_entity.t camel', '... replaced (camelCase)');
is(req(PUT => "$BASE/$ID", body => \%put,
       headers => { 'If-Match' => '"999999"' })->code, 412,
   '... where REST answers 412');

$res = agent_req('SaveChatSessionEntity',
                 body => { %put, ChatSessionId => 987654 });
is($res->code, 404, 'Save of a missing id: 404');
is(name_of(987654), undef, '... nothing created');
error_field(agent_req('SaveChatSessionEntity',
                      body => { %put, ChatSessionId => 'abc' }),
            400, 'ChatSessionId', 'Save with ChatSessionId "abc"');
$res = agent_req('SaveChatSessionEntity', body => 'null');
is($res->code, 400, 'Save with null: 400 (the entity is required)');
$res = agent_req('SaveChatSessionEntity', body => '[]');
is($res->code, 400, 'Save with an array: 400');
$res = agent_req('SaveChatSessionEntity', body => '{"customerName":');
is($res->code, 400, 'Save with malformed JSON: 400');
is(json_body($res)->{ErrorType}, 'JsonReaderException', '... a syntax error');
$res = agent_req('SaveChatSessionEntity',
                 body => { %put, Status => 'Bogus' });
is($res->code, 400, 'Save with a bad Status: 400');
is(json_body($res)->{Field}, 'Status', '... naming it');
$res = agent_req('SaveChatSessionEntity', body => '<x/>',
                 content_type => 'text/plain');
is($res->code, 415, 'Save as text/plain: 415');

# XML is the entity's other representation: Save takes it too.
$res = agent_req('SaveChatSessionEntity', content_type => 'application/xml',
                 body => "<ChatSessionEntity><ChatSessionId>$ID</ChatSessionId>"
                       . '<CustomerName>agent_entity.t xml</CustomerName>'
                       . '<Status>InQueue</Status></ChatSessionEntity>');
is($res->code, 200, 'Save as XML: 200');
is(name_of($ID), 'agent_entity.t xml', '... replaced');
$res = agent_req('SaveChatSessionEntity',
                 body => camel(%put, CustomerName => 'agent_entity.t camel'));
is($res->code, 200, 'Save (camelCase) again: 200');

# No $select on the agent (ignored, as unknown parameters are); Accept
# still applies: 406 before anything is read.
$res = agent_req('GetChatSessionEntity',
                 query => "chatSessionEntityId=$ID&\$select=Nope");
is($res->code, 200, 'Get with ?$select=Nope: 200 ($select ignored)');
is(json_body($res)->{CustomerName}, 'agent_entity.t camel',
   '... every field present');
$res = agent_req('GetChatSessionEntity', query => "chatSessionEntityId=$ID",
                 headers => { Accept => 'text/plain' });
is($res->code, 406, 'Get with Accept: text/plain: 406');
$res = agent_req('GetChatSessionEntity', query => "chatSessionEntityId=$ID",
                 headers => { Accept => 'application/xml' });
is($res->code, 200, 'Get with Accept: application/xml: 200');
like($res->content, qr{^<\?xml[^>]*>\s*<ChatSessionEntity\b}, '... the entity in XML');

# ---- DeleteChatSessionEntity ----------------------------------------------
$res = agent_req('DeleteChatSessionEntity', query => "ChatSessionEntityId=$ID2",
                 body => 'null', headers => { 'If-Match' => '"999999"' });
is($res->code, 204, 'Delete (capital C, as the client sends it): 204');
is($res->content, '', '... no body');
is(name_of($ID2), undef, '... the row is gone (If-Match ignored)');
is(agent_req('DeleteChatSessionEntity',
             query => "chatSessionEntityId=$ID2")->code, 404,
   'Delete again: 404');

# ---- rights: as REST ------------------------------------------------------
my %cases = (
    'none Get' => [ae_none => agent_req('GetChatSessionEntity', as('ae_none'),
                       query => "chatSessionEntityId=$ID"),
                   req(GET => "$BASE/$ID", as('ae_none')), 403],
    'none CreateDefault' => [ae_none => agent_req(
                       'CreateDefaultChatSessionEntity', as('ae_none')),
                   req(GET => "$BASE/default", as('ae_none')), 403],
    'read Get' => [ae_read => agent_req('GetChatSessionEntity', as('ae_read'),
                       query => "chatSessionEntityId=$ID"),
                   req(GET => "$BASE/$ID", as('ae_read')), 200],
    'read Save (create)' => [ae_read => agent_req('SaveChatSessionEntity',
                       as('ae_read'), body => { %put, ChatSessionId => 0 }),
                   req(POST => $BASE, as('ae_read'),
                       body => { %put, ChatSessionId => 0 }), 403],
    'read Save (replace)' => [ae_read => agent_req('SaveChatSessionEntity',
                       as('ae_read'), body => \%put),
                   req(PUT => "$BASE/$ID", as('ae_read'), body => \%put), 403],
    'read Delete' => [ae_read => agent_req('DeleteChatSessionEntity',
                       as('ae_read'), query => "chatSessionEntityId=$ID"),
                   req(DELETE => "$BASE/$ID", as('ae_read')), 403],
    'update_own Save (another\'s)' => [ae_own => agent_req(
                       'SaveChatSessionEntity', as('ae_own'), body => \%put),
                   req(PUT => "$BASE/$ID", as('ae_own'), body => \%put), 403],
);
for my $what (sort keys %cases) {
    my ($u, $agent, $rest, $want) = @{ $cases{$what} };
    is($agent->code, $want, "$what: agent $want");
    is($agent->code, $rest->code, "$what: as REST");
}
is(name_of($ID), 'agent_entity.t camel', 'no refused write changed the row');
my %own = (%base, ChatSessionId => $ID_OWN, CustomerName => 'agent_entity.t mine',
           Status => 'InQueue', User => { AssociateId => $AID{ae_own} });
$res = agent_req('SaveChatSessionEntity', as('ae_own'), body => camel(%own));
is($res->code, 200, 'update_own Save of its own session: 200');
is(name_of($ID_OWN), 'agent_entity.t mine', '... replaced');
$res = agent_req('SaveChatSessionEntity', as('ae_none'), body => '[');
is($res->code, 403, 'none: 403 before the (malformed) body is read');
is(agent_req('GetChatSessionEntity', auth => undef,
             query => "chatSessionEntityId=$ID")->code, 401,
   'no credentials: 401');

# ---- the binder's 400s on the other methods (before their operation) -----
error_field(agent_req('GetChatMessages', body => 'null'), 400,
            'chatSessionId', 'GetChatMessages without arguments');
error_field(agent_req('GetChatMessages', body => { chatSessionId => 'x' }),
            400, 'chatSessionId', 'GetChatMessages chatSessionId "x"');
error_field(agent_req('GetChatMessages',
                      body => { chatSessionId => JSON::PP::true() }),
            400, 'chatSessionId', 'GetChatMessages chatSessionId true');
error_field(agent_req('GetChatMessages',
                      body => { chatSessionId => 2147483648 }),
            400, 'chatSessionId', 'GetChatMessages chatSessionId > int32');
error_field(agent_req('GetChatMessages',
                      body => { ChatSessionId => $ID, After => 'x' }),
            400, 'after', 'GetChatMessages after "x" (PascalCase)');
error_field(agent_req('GetChatTranscript',
                      body => { chatSessionId => $ID, html => 'yes' }),
            400, 'html', 'GetChatTranscript html "yes"');
error_field(agent_req('TransferChatSession', body => { chatSessionId => $ID }),
            400, 'toAssociate', 'TransferChatSession without toAssociate');
error_field(agent_req('TransferChatSession',
                      body => { chatSessionId => $ID, toAssociate => {} }),
            400, 'toAssociate', 'TransferChatSession toAssociate {}');
error_field(agent_req('AddChatMessage', body => { chatSessionId => $ID }),
            400, 'message', 'AddChatMessage without message');
error_field(agent_req('AddChatMessage',
                      body => { chatSessionId => $ID, message => 5 }),
            400, 'message', 'AddChatMessage message 5');
error_field(agent_req('CreateChatSessionForTopic', body => {}), 400,
            'chatTopicId', 'CreateChatSessionForTopic without chatTopicId');
$res = agent_req('PickUpChatSession', body => '[1]');
is($res->code, 400, 'a JSON array body: 400');
$res = agent_req('PickUpChatSession', body => '<x/>',
                 content_type => 'application/xml');
is($res->code, 415, 'an XML body to an argument method: 415');
$res = agent_req('PickUpChatSession', body => '"x"');
is($res->code, 400, 'a JSON string body: 400');

cleanup();
