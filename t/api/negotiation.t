# Content negotiation: Accept picks JSON or XML (406 when neither), XML
# checked with a real parser; XML request bodies for POST, PUT and PATCH
# (as a merge). Nulls are xsi:nil="true", the .NET serializer convention.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session db fresh_id);
use XML::LibXML;

plan tests => 51, need_lwp, need_module('mod_dbd.c');

my $ID = fresh_id();
my $URL = "/api/v1/ChatSession/$ID";
my $XSI = 'http://www.w3.org/2001/XMLSchema-instance';
seed_session($ID, name => "\x{dc}n\x{ef}code & <Co>", customer_id => undef);

sub ctype { my $res = shift; (split /;/, $res->header('Content-Type') // '')[0] }

my %expect = (
    'application/json'             => 'application/json',
    'text/json'                    => 'text/json',
    'application/json-patch+json'  => 'application/json',
    'application/merge-patch+json' => 'application/json',
    '*/*'                          => 'application/json',
    'application/xml'              => 'application/xml',
    'text/xml'                     => 'text/xml',
    'application/json;q=0.5, application/xml' => 'application/xml',
    'text/*'                       => 'text/json',
    'application/xml;q=5, application/json' => 'application/json',
    'application/xml;q=0, */*'     => 'application/json',
    'application/json;q=0.1, text/xml;Q=0.9' => 'text/xml',
);
for my $accept (sort keys %expect) {
    my $res = req(GET => $URL, headers => { Accept => $accept });
    is(ctype($res), $expect{$accept}, "Accept: $accept -> $expect{$accept}");
}
my $res = req(GET => $URL);
like($res->header('Vary') // '', qr/\bAccept\b.*\bSO-TimeZone\b/,
     'Vary names what the representation depends on');
$res = req(GET => $URL, headers => { 'If-None-Match' => $res->header('ETag') });
like($res->header('Vary') // '', qr/\bAccept\b/, '... on a 304 too');
$res = req(GET => $URL, headers => { Accept => 'image/png' });
is($res->code, 406, 'nothing acceptable: 406');
$res = req(PATCH => $URL, headers => { Accept => 'image/png' },
           body => [{ op => 'replace', path => '/Rating', value => 9 }]);
is($res->code, 406, 'PATCH with nothing acceptable: 406 ...');
isnt(db()->selectrow_array('SELECT rating FROM chat_session WHERE id = ?', undef, $ID),
     9, '... decided before anything was written');

# The XML itself.
$res = req(GET => $URL, headers => { Accept => 'application/xml' });
is($res->code, 200, 'GET as XML: 200');
my $xml = eval { XML::LibXML->load_xml(string => $res->content) };
ok($xml, 'well-formed XML') or diag($@);
my $root = $xml->documentElement;
is($root->nodeName, 'ChatSessionEntity', 'root element');
my $xc = XML::LibXML::XPathContext->new($xml);
$xc->registerNs(xsi => $XSI);
is($xc->findvalue('/ChatSessionEntity/ChatSessionId'), $ID, 'element per field');
is($xc->findvalue('/ChatSessionEntity/CustomerName'), "\x{dc}n\x{ef}code & <Co>",
   'text escaped and decoded back');
is($xc->findvalue('/ChatSessionEntity/Person/@xsi:nil'), 'true', 'null: xsi:nil="true"');
is($xc->findvalue('/ChatSessionEntity/User/AssociateId'), 5, 'carrier nested');
is($xc->findvalue('/ChatSessionEntity/Status'), 'PreChatForm', 'enum by name');
is($xc->findvalue('/ChatSessionEntity/FieldProperties/Rating/FieldType'), 'System.Int32',
   'FieldProperties nested');
like($xc->findvalue('/ChatSessionEntity/_Links/Self'), qr{/api/v1/ChatSession/$ID$},
     '_Links in XML');

# XML bodies.
my $body = <<"XML";
<?xml version="1.0" encoding="utf-8"?>
<ChatSessionEntity xmlns:xsi="$XSI">
  <CustomerName>From XML</CustomerName>
  <Rating>7</Rating>
  <CustomerConsented>true</CustomerConsented>
  <User><AssociateId>7</AssociateId></User>
  <WhenStarted xsi:nil="true"/>
</ChatSessionEntity>
XML
$res = req(PATCH => $URL, body => $body, content_type => 'application/xml');
is($res->code, 200, 'PATCH with an XML body (a merge): 200') or diag($res->content);
my $doc = json_body($res);
is($doc->{CustomerName}, 'From XML', 'string from XML');
is($doc->{Rating}, 7, 'int typed by the field table');
ok($doc->{CustomerConsented}, 'bool typed by the field table');
is($doc->{User}{AssociateId}, 7, 'carrier by reference from XML');
$res = req(POST => '/api/v1/ChatSession', body => $body, content_type => 'text/xml',
           headers => { Accept => 'text/xml' });
is($res->code, 200, 'POST with an XML body, XML answer');
is(ctype($res), 'text/xml', '... as text/xml');
my $new = XML::LibXML->load_xml(string => $res->content);
my $newid = XML::LibXML::XPathContext->new($new)->findvalue('/ChatSessionEntity/ChatSessionId');
ok($newid > 0, "created $newid");
$res = req(PUT => "/api/v1/ChatSession/$newid", content_type => 'application/xml',
           body => '<ChatSessionEntity><CustomerName>Put XML</CustomerName></ChatSessionEntity>');
is(json_body($res)->{CustomerName}, 'Put XML', 'PUT with an XML body');
$res = req(PUT => "/api/v1/ChatSession/$newid", content_type => 'application/xml',
           body => '<ChatSessionEntity><Rating>lots</Rating></ChatSessionEntity>');
is($res->code, 400, 'XML value of the wrong type: 400');
is(json_body($res)->{Field}, 'Rating', '... naming the field');
$res = req(PUT => "/api/v1/ChatSession/$newid", content_type => 'application/xml',
           body => '<!DOCTYPE x [<!ENTITY a "b">]><ChatSessionEntity/>');
is($res->code, 400, 'DOCTYPE refused: 400');
req(DELETE => "/api/v1/ChatSession/$newid");

# The headers of an answer, as one function sends them for every route
# (issue 18: modules/base/mod_chats_answer.c, the media table): the
# charset on each media type, Content-Length, the validators.
for my $accept ('application/json', 'text/json', 'application/xml',
                'text/xml', 'application/merge-patch+json') {
    my $r = req(GET => $URL, headers => { Accept => $accept });
    (my $as = $accept) =~ s/merge-patch\+//;
    is($r->header('Content-Type'), "$as; charset=utf-8",
       "Accept: $accept -> Content-Type $as; charset=utf-8");
}
$res = req(GET => $URL);
is($res->header('Content-Length'), length($res->content),
   'Content-Length is the body\'s');
like($res->header('ETag') // '', qr/^"\d+"$/, 'ETag: the row version');
ok(defined $res->header('Last-Modified'), 'Last-Modified');
$res = req(GET => "$URL/Nope");
is($res->header('Content-Type'), 'application/json; charset=utf-8',
   'an error: application/json; charset=utf-8');
ok(!defined $res->header('ETag') && !defined $res->header('Last-Modified'),
   '... without validators');
$res = req(GET => '/api/v1/ChatSession/openapi.json');
is($res->header('Content-Type'), 'application/json; charset=utf-8',
   'the OpenAPI document: application/json; charset=utf-8');
$res = req(OPTIONS => $URL);
is($res->header('Accept-Patch'),
   'application/json-patch+json, application/merge-patch+json',
   'OPTIONS {id}: Accept-Patch');
