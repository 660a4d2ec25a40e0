# PATCH with a JSON Merge Patch (RFC 7396) object, as the official client
# sends it: camelCase member names, Content-Type application/json.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session db fresh_id);

plan tests => 31, need_lwp, need_module('mod_dbd.c');

my $ID = fresh_id();

sub merge {
    my ($body, %opts) = @_;
    my $res = req(PATCH => "/api/v1/ChatSession/$ID", body => $body, %opts);
    return ($res, json_body($res));
}

seed_session($ID, name => 'Kari', email => 'k@example.com', rating => 2,
             user_id => 5, customer_id => 33, status => 5);

my ($res, $doc) = merge({ customerName => 'Kari N.', rating => 5 });
is($res->code, 200, 'camelCase merge: 200') or diag($res->content);
is($doc->{CustomerName}, 'Kari N.', 'customerName matched CustomerName');
is($doc->{Rating}, 5, 'rating matched Rating');
is($doc->{CustomerEmail}, 'k@example.com', 'members not named stay');

($res, $doc) = merge({ CustomerEmail => undef, WhenRequested => undef,
                       Status => undef });
is($res->code, 200, 'nulls: 200');
is($doc->{CustomerEmail}, '', 'null resets a string to ""');
ok(!defined $doc->{WhenRequested}, 'null resets a date-time to null');
is($doc->{Status}, 'Invalid', 'null resets an enum to its zero name');

($res, $doc) = merge({ person => undef });
ok(exists $doc->{Person} && !defined $doc->{Person}, '{"Person": null} clears the carrier');
is(db()->selectrow_array('SELECT customer_id FROM chat_session WHERE id = ?',
                         undef, $ID), undef, 'customer_id is NULL');

($res, $doc) = merge({ Person => { PersonId => 33 } });
is($doc->{Person}{PersonId}, 33, 'carrier set from null by {key}');
is($doc->{Person}{Firstname}, 'Kari', 'carrier rendered from its table');

($res, $doc) = merge({ user => { associateId => 7, name => 'ann' } });
is($res->code, 200, 'nested merge into a carrier: 200') or diag($res->content);
is($doc->{User}{AssociateId}, 7, 'carrier re-pointed by a nested merge');

($res, $doc) = merge({ User => { Name => 'somebody else' } });
is($res->code, 400, 'changing a derived carrier member: 400');
is($doc->{Field}, 'User/Name', 'merge error names the member path');
ok(!defined $doc->{OpIndex}, 'merge errors carry no op index');

($res, $doc) = merge({ status => 'userlast', flags => 1,
                       whenStarted => '2011-01-11T16:54:08.007Z' });
is($doc->{Status}, 'UserLast', 'enum by name, any case');
is($doc->{Flags}, 'UserIsTyping', 'flags as the number the client sends');
is($doc->{WhenStarted}, '2011-01-11T16:54:08.0070000+00:00',
   'the client\'s ...sssZ dates accepted');

# What the official client echoes back from a GET.
($res) = merge({ chatSessionId => $ID, tableRight => { mask => 3, reason => '' },
                 fieldProperties => { Rating => { fieldRight => { mask => 65 } } },
                 _Links => { Self => 'x' } });
is($res->code, 200, 'echoed ChatSessionId, TableRight, FieldProperties, _Links accepted');

($res, $doc) = merge({ rating => 'high' });
is($res->code, 400, 'bad value: 400');
is($doc->{Field}, 'Rating', '... naming the field');
($res, $doc) = merge({ nosuch => 1 });
is($res->code, 400, 'unknown member: 400');
is($doc->{Field}, 'nosuch', '... naming it');

($res) = merge('{"customerName":"a","CustomerName":"b"}');
is($res->code, 400, 'members differing only in case: 400');

my $before = json_body(req(GET => "/api/v1/ChatSession/$ID"));
($res) = merge({ customerName => 'Changed', rating => 'bad' });
is($res->code, 400, 'one bad member: 400');
is(json_body(req(GET => "/api/v1/ChatSession/$ID"))->{CustomerName},
   $before->{CustomerName}, 'nothing written');

($res, $doc) = merge({ Rating => 1 }, content_type => 'application/merge-patch+json');
is($doc->{Rating}, 1, 'application/merge-patch+json accepted');
($res) = merge({ Rating => 1 }, content_type => 'application/json-patch+json');
is($res->code, 400, 'an object sent as application/json-patch+json: 400');
($res) = merge([{ op => 'replace', path => '/Rating', value => 1 }],
               content_type => 'application/merge-patch+json');
is($res->code, 400, 'an array sent as application/merge-patch+json: 400');
