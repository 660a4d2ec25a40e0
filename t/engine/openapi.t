# The OpenAPI 3.1 document (conf/openapi.json): generated from the field
# table by the chats-openapi tool, committed, never stale, and valid.
# Needs no httpd; core Perl plus node with t/openapi's npm packages
# (./check runs npm ci there).
#
#   CHATS_OPENAPI  the tool (default: <top>/chats-openapi)
#   CHATS_NODE     node (default: node on PATH)
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Spec;
use File::Temp qw(tempdir);
use FindBin;
use lib "$FindBin::Bin/../lib";
use ChatSession::Engine qw(slurp spew);
use JSON::PP;
use Test::More;

my $top  = abs_path(File::Spec->catdir($FindBin::Bin, '..', '..'));
my $tool = $ENV{CHATS_OPENAPI} || File::Spec->catfile($top, 'chats-openapi');
my $node = $ENV{CHATS_NODE} || 'node';
my $committed = File::Spec->catfile($top, 'conf', 'openapi.json');
my $validate  = File::Spec->catfile($top, 't', 'openapi', 'validate.js');
my $json = JSON::PP->new->utf8->canonical->pretty;
my $tmp  = tempdir(CLEANUP => 1);

# Run a command; returns (exit status, stdout + stderr).
sub run {
    my @cmd = @_;
    my $pid = open(my $out, '-|');
    die "fork: $!" unless defined $pid;
    if (!$pid) {
        open(STDERR, '>&', \*STDOUT) or die "dup: $!";
        exec(@cmd) or die "exec $cmd[0]: $!\n";
    }
    my $text = do { local $/; <$out> };
    close($out);
    return ($? >> 8, $text // '');
}

# ------------------------------------------------- generated, not stale
ok(-x $tool, "the tool $tool is built") or BAIL_OUT("no $tool");
my ($rc, $generated) = run($tool);
is($rc, 0, 'chats-openapi exits 0');
my $file = slurp($committed);
ok(defined $file, 'conf/openapi.json exists');
my $same = defined $file && $file eq $generated;
ok($same, 'conf/openapi.json is byte-identical to chats-openapi\'s output')
    or diag("regenerate it: ./chats-openapi > conf/openapi.json");
my $doc = eval { decode_json($generated) };
ok($doc, 'the output is JSON') or diag($@);
my $disk = eval { decode_json($file // '') };
is_deeply($disk, $doc, 'conf/openapi.json decodes to the same document');

# A server URL changes servers[0].url and nothing else.
my ($rc2, $with_url) = run($tool, 'https://crm.example.com');
my $doc2 = eval { decode_json($with_url) } || {};
is($rc2, 0, 'chats-openapi SERVER_URL exits 0');
is($doc2->{servers}[0]{url}, 'https://crm.example.com', 'server URL used');
$doc2->{servers} = $doc->{servers};
is_deeply($doc2, $doc, '... and nothing else differs');
is($doc->{servers}[0]{url}, '/', 'default server is relative (/)');

# info.version follows the package version.
my ($ac_version) = (slurp("$top/configure.ac") // '')
    =~ /AC_INIT\(\[[^\]]*\],\s*\[([^\]]+)\]/;
is($doc->{info}{version}, $ac_version, 'info.version is AC_INIT\'s version');

# -------------------------------------------- what issue 3 asks to cover
my %want = (
    '/api/v1/ChatSession/{id}'    => [qw(get put patch delete options)],
    '/api/v1/ChatSession'         => [qw(get post options)],
    '/api/v1/ChatSession/default' => [qw(get options)],
);
for my $path (sort keys %want) {
    is_deeply([sort grep { !/^(description|parameters)$/ }
                    keys %{ $doc->{paths}{$path} || {} }],
              [sort @{ $want{$path} }], "operations of $path");
}
my $paths = $doc->{paths};
is_deeply([sort keys %{ $paths->{'/api/v1/ChatSession/{id}'}{delete}
                            {responses} }],
          [qw(204 400 401 403 404 412 503)], 'DELETE answers 204');
ok($paths->{'/api/v1/ChatSession'}{post}{responses}{200},
   'POST answers 200, as SuperOffice does');
my $patch_body = $doc->{components}{requestBodies}{ChatSessionPatch}{content};
is_deeply([sort keys %$patch_body],
          [qw(application/json application/json-patch+json
              application/merge-patch+json)], 'PATCH media types');
is(scalar @{ $doc->{security} }, 3, 'Basic, Bearer and SOTicket');

# The entity's properties are the field table's, in its order: the
# table's names are what the unit driver and the API tests exercise.
my @props = keys %{ $doc->{components}{schemas}{ChatSessionEntity}
                        {properties} };
my %prop = map { $_ => 1 } @props;
ok($prop{$_}, "entity property $_") for qw(ChatSessionId Status Flags User
    TransferTo Person Contact Project Sale Ticket WhenRequested Rating
    TableRight FieldProperties);
is(scalar(@props), 33, '31 fields + TableRight + FieldProperties');

# --------------------------------- paths <=> the route table (issue 10)
# The paths are generated from chats_routes.c; chats-openapi --routes
# prints that table. Each row is an operation of the document and each
# operation (but OPTIONS, which every path answers) is a row.
my ($rrc, $routes_text) = run($tool, '--routes');
is($rrc, 0, 'chats-openapi --routes exits 0');
my $routes = eval { decode_json($routes_text) } || [];
my (%in_table, %in_doc);
$in_table{lc($_->{method}) . " $_->{path}"} = $_ for @$routes;
for my $path (keys %$paths) {
    for my $m (grep { !/^(description|parameters|options)$/ }
               keys %{ $paths->{$path} }) {
        $in_doc{"$m $path"} = $paths->{$path}{$m};
    }
    ok($paths->{$path}{options}, "OPTIONS on $path");
}
is(scalar(keys %in_table), scalar(@$routes), 'no row twice');
is_deeply([sort keys %in_doc], [sort keys %in_table],
          'the paths\' operations are exactly the route table\'s rows');
for my $k (sort keys %in_table) {
    my $op = $in_doc{$k} or next;
    is($op->{operationId}, $in_table{$k}{operationId}, "$k: operationId");
    ok($op->{responses}{ $in_table{$k}{ok} }, "$k: answers $in_table{$k}{ok}");
    ok($op->{responses}{401}, "$k: answers 401");
}
my %ids;
$ids{$_->{operationId}}++ for map { values %$_ } map {
    my $p = $_; +{ map { $_ => $p->{$_} } grep { ref $p->{$_} eq 'HASH'
        && $p->{$_}{operationId} } keys %$p } } values %$paths;
is(scalar(grep { $ids{$_} > 1 } keys %ids), 0, 'operationIds are unique');

# The README's "Routes" table is this table, row for row, in its order.
my ($routes_md) = (slurp("$top/README") // '')
    =~ /^### Routes\n(.*?)^### /ms;
my @md_rows = ($routes_md // '') =~ /^\| (\w+) \| `([^`]+)` \| (\w+) \| (\d+) \|$/mg;
my @readme_rows;
push @readme_rows, join(' ', splice(@md_rows, 0, 4)) while @md_rows;
is_deeply(\@readme_rows,
          [map { my $p = $_->{path}; $p =~ s{^/api/v1/}{};
                 "$_->{method} $p $_->{operationId} $_->{ok}" } @$routes],
          'the README\'s Routes table is the route table');

# What issue 10 asks to cover: the REST family and the 15 agent methods.
ok($in_table{$_}, "route $_") for (
    'get /api/v1/ChatSession', 'get /api/v1/ChatSession/ForCurrentUser',
    'post /api/v1/ChatSession/Pickup', 'post /api/v1/ChatSession/{id}/Pickup',
    'post /api/v1/ChatSession/{id}/TransferTo/{toAssociate}',
    'post /api/v1/ChatSession/{id}/AcceptTransfer',
    'post /api/v1/ChatSession/{id}/RejectTransfer',
    'post /api/v1/ChatSession/{id}/Reset',
    'get /api/v1/ChatSession/{id}/Messages',
    'post /api/v1/ChatSession/{id}/Messages',
    'post /api/v1/ChatSession/{id}/Transcript',
    map { "post /api/v1/Agents/Chat/$_" } qw(CreateDefaultChatSessionEntity
        SaveChatSessionEntity GetChatSessionEntity DeleteChatSessionEntity
        ChatSessionsForUser CreateChatSessionForTopic TransferChatSession
        AcceptChatSessionTransfer RejectChatSessionTransfer
        PickUpChatSession PickUpFirstChatSession ResetChatSession
        GetChatTranscript GetChatMessages AddChatMessage));
is_deeply([sort grep { !/^(description|parameters)$/ } keys
           %{ $paths->{'/api/v1/Agents/Chat/GetChatMessages'} }],
          [qw(options post)], 'an agent method: POST and OPTIONS only');
is($paths->{'/api/v1/Agents/Chat/DeleteChatSessionEntity'}{post}{responses}
       {204}{'$ref'}, '#/components/responses/Deleted',
   'the agent\'s Delete answers 204 like REST');
my %agent_params = map { $_->{'$ref'} => 1 } @{
    $paths->{'/api/v1/Agents/Chat/GetChatSessionEntity'}{post}{parameters} };
ok($agent_params{'#/components/parameters/chatSessionEntityId'},
   'agent Get: chatSessionEntityId in the query');
ok(!$agent_params{'#/components/parameters/If-Match'},
   '... and no conditional headers (REST only)');
is_deeply([sort map { $_->{'$ref'} } @{ $paths->{
    '/api/v1/ChatSession/{id}/TransferTo/{toAssociate}'}{parameters} }],
          ['#/components/parameters/id', '#/components/parameters/toAssociate'],
          'path parameters of TransferTo');
my %msg_props = %{ $doc->{components}{schemas}{ChatMessage}{properties} || {} };
ok($msg_props{$_}, "ChatMessage property $_ (the message field table)")
    for qw(ChatMessageId ChatSessionId Type Message Author SpecialType
           WhenPosted);

# ------------------------------------------------- a real validator
my @cases = (
    ErrorBody => {
        valid => [
            { Error => JSON::PP::true, ErrorType => 'SoNotFoundException',
              ErrorMessage => 'no such chat session', Message => 'x',
              ErrorSource => 'mod_chatsession' },
            { Error => JSON::PP::true, ErrorType => 'ArgumentException',
              ErrorMessage => 'bad', Message => 'bad',
              ErrorSource => 'mod_chatsession', OpIndex => 0,
              Field => 'Status' },
        ],
        invalid => [
            { Error => JSON::PP::true, ErrorMessage => 'no type' },
            { Error => JSON::PP::false, ErrorType => 'X', ErrorMessage => 'x',
              Message => 'x', ErrorSource => 'x' },
        ],
    },
    JsonPatch => {
        valid => [[
            { op => 'replace', path => '/User/AssociateId', value => 5 },
            { op => 'replace', path => '/Contact',
              value => { ContactId => 7 } },
            { op => 'remove', path => '/Ticket' },
            { op => 'test', path => 'status', value => 'Closed' },
        ]],
        invalid => [
            [{ op => 'move', from => '/Rank', path => '/Rating' }],
            [{ op => 'add', path => '/Rating' }],
            [{ path => '/Rating', value => 1 }],
        ],
    },
    ChatSessionEntity => {
        valid => [
            { Person => undef },
            { Contact => { ContactId => 7 } },
            { Status => 'Closed', Flags => 'CustomerIsTyping, UserIsTyping',
              WhenRequested => '2005-05-12T03:24:51.3960792+02:00',
              CustomerAlias => 'a' x 64, Rating => 5,
              User => { AssociateId => 5, Type => 'InternalAssociate' } },
            { Flags => 1, WhenEnded => undef },
        ],
        invalid => [
            { Status => 'Bogus' },
            { CustomerAlias => 'a' x 65 },
            { WhenRequested => 'yesterday' },
            { User => 5 },
            { Rating => 1.5 },
            { ChatbotIsActive => 'yes' },
            { User => { Type => 'Robot' } },
        ],
    },
    ChatMessage => {
        valid => [
            { Type => 'ToCustomer', Message => 'hi', Author => 'tje0',
              SpecialType => 'None', WhenPosted => '2026-01-02T03:04:05Z',
              ChatMessageId => 1, ChatSessionId => 844, ReadByCustomer => 0 },
        ],
        invalid => [ { Type => 'Bogus' }, { ChatMessageId => 'x' } ],
    },
    ChatSessionList => {
        valid => [{ 'odata.metadata' => 'http://h/x', value => [
            { PrimaryKey => 1, EntityName => 'chatsession',
              Status => 'InQueue' } ] }],
        invalid => [ {}, { value => [ { EntityName => 'person' } ] } ],
    },
    Chat_TransferChatSessionRequest => {
        valid => [ { chatSessionId => 844, toAssociate => 'ann' } ],
        invalid => [ { chatSessionId => 'x' } ],
    },
    ChatSessionEntityWithLinks => {
        # every member present; $select may null any of them
        valid => [{
            (map { $_ => undef } @props),
            _Links => { Self => 'http://h/api/v1/ChatSession/1',
                        Archive => 'http://h/api/v1/ChatSession' },
        }],
        invalid => [{ ChatSessionId => 1 }],
    },
);
my @instance_args;
while (my ($schema, $set) = splice(@cases, 0, 2)) {
    my $path = "$tmp/$schema.json";
    spew($path, $json->encode($set));
    push @instance_args, '--instance', $schema, $path;
}

my ($vrc, $out) = run($node, $validate, $committed, @instance_args);
is($vrc, 0, 'conf/openapi.json passes the OpenAPI 3.1 validator, every '
          . 'schema compiles as JSON Schema 2020-12, instances as expected')
    or diag($out);
my @not_ok = grep { /^not ok/ } split /\n/, $out;
is(scalar(@not_ok), 0, 'no failed validator check')
    or diag(join "\n", @not_ok);
my $n_ok = () = $out =~ /^ok /mg;
cmp_ok($n_ok, '>', 30, "the validator ran its checks ($n_ok)");

# The validator must fail on a broken document, or the above proves
# nothing: a dangling $ref, a bad schema type, a missing info.
my %breaks = (
    'dangling $ref' => sub {
        $_[0]{paths}{'/api/v1/ChatSession'}{post}{responses}{200}
            = { '$ref' => '#/components/responses/Nope' };
    },
    'bad schema type' => sub {
        $_[0]{components}{schemas}{Links}{properties}{Self}{type} = 'uri';
    },
    'unknown schema keyword' => sub {
        $_[0]{components}{schemas}{ErrorBody}{maxlength} = 3;
    },
    'no info' => sub { delete $_[0]{info} },
);
for my $what (sort keys %breaks) {
    my $bad = decode_json($generated);
    $breaks{$what}->($bad);
    my $path = "$tmp/bad.json";
    spew($path, $json->encode($bad));
    my ($brc) = run($node, $validate, $path);
    is($brc, 1, "the validator refuses a broken document: $what");
}

done_testing();
