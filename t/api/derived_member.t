# A derived carrier member (User/Name) is read-only (issue 7): a JSON Patch
# op giving it another value than the one it has is 400 naming the member,
# and writes nothing -- whether User is null or another associate.  Given
# its current value it is a no-op, as for every read-only member.  (A merge
# patch already says so: t/api/patch_merge.t.)
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session db fresh_ids);

plan tests => 23, need_lwp, need_module('mod_dbd.c');

my $BASE = '/api/v1/ChatSession';
my ($NULL_USER, $ANN) = fresh_ids(2);  # User null; User ann (7), not mallory

sub row { db()->selectrow_hashref('SELECT * FROM chat_session WHERE id = ?',
                                  undef, shift) }

for my $case ([$NULL_USER, 'User null', user_id => undef],
              [$ANN, 'User ann', user_id => 7]) {
    my ($id, $what, @cols) = @$case;
    my $before = seed_session($id, @cols);

    for my $ops ([{ op => 'replace', path => '/User/Name', value => 'mallory' }],
                 [{ op => 'add', path => '/User/Name', value => 'mallory' }]) {
        my $res = req(PATCH => "$BASE/$id", body => $ops);
        my $doc = json_body($res);
        is($res->code, 400, "$what, $ops->[0]{op} /User/Name: 400")
            or diag($res->status_line . ' ' . substr($res->content, 0, 300));
        is($doc && $doc->{Field}, 'User/Name', '... naming User/Name');
        is($doc && $doc->{OpIndex}, 0, '... at op 0');
        my $after = row($id);
        is($after->{version}, $before->{version}, '... version unchanged');
        is_deeply([@$after{qw(user_id name)}], [@$before{qw(user_id name)}],
                  '... the row unchanged');
    }
}

# Its current value: nothing to change, 200, no new version.
my $before = seed_session($ANN, user_id => 7);
my $res = req(PATCH => "$BASE/$ANN",
              body => [{ op => 'replace', path => '/User/Name', value => 'ann' }]);
is($res->code, 200, 'User ann, replace /User/Name with "ann" (its value): 200')
    or diag($res->status_line . ' ' . substr($res->content, 0, 300));
is(eval { json_body($res)->{User}{Name} }, 'ann', '... User/Name as it was');
is(row($ANN)->{version}, $before->{version}, '... version unchanged');
