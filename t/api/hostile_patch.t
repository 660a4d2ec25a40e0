# Valid patches the database could not take (issue 17, "Found by hostile
# input"): 2,000 identical test ops answered 500 (the diagnosis had a
# column per check, past PostgreSQL's 1664), 5,000 the same after
# seconds, a compact 1 MB body of 24,999 ops no answer at all. Every
# patch under the body limits is answered as a short one is: the right
# status, the op index of the first failing op, and the row unchanged
# after a refusal. The client's 60 s timeout only guards against a hang
# (a timeout fails the status test); it times nothing.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session db keepalive_ua fresh_id
                         fresh_ids);
use JSON::PP ();

plan tests => 86, need_lwp, need_module('mod_dbd.c');

my ($ID, $TOPIC) = fresh_ids(2);
my $URL = "/api/v1/ChatSession/$ID";
my $ua = keepalive_ua();
$ua->timeout(60);                    # a guard against a hang, not a bound

sub fresh { seed_session($ID, rating => 3, rank => 7, @_) }

sub row {
    return db()->selectrow_hashref(
        'SELECT * FROM chat_session WHERE id = ?', undef, $ID);
}

# A JSON Patch body, compact: one op per element of @ops, each
# [op, path, value-as-JSON] (no value: undef).
sub ops_body {
    return '[' . join(',', map {
        my ($op, $path, $v) = @$_;
        defined $v ? qq({"op":"$op","path":"$path","value":$v})
                   : qq({"op":"$op","path":"$path"})
    } @_) . ']';
}

sub patch {
    my ($body, %opts) = @_;
    my $res = req(PATCH => $URL, body => $body, ua => $ua,
                  content_type => 'application/json-patch+json', %opts);
    return ($res, json_body($res) || {});
}

# accepted($what, $body, %expect): 200, and the row as %expect says
# (column => value); version moves by one when anything is expected,
# stays otherwise.
sub accepted {
    my ($what, $body, $opts, %expect) = @_;
    my $before = row();
    my ($res, $doc) = patch($body, @$opts);
    is($res->code, 200, "$what: 200")
        or diag(substr($res->content, 0, 300));
    my $after = row();
    if (%expect) {
        is($after->{version}, $before->{version} + 1, "$what: written once");
        is_deeply({ map { $_ => $after->{$_} } keys %expect }, \%expect,
                  "$what: the values written");
    }
    else {
        is_deeply($after, $before, "$what: nothing to write, nothing written");
    }
    return $doc;
}

# refused($what, $body, $status, $op_index, $field): the status, the op
# index and field of the first failing op, and the row unchanged.
sub refused {
    my ($what, $body, $status, $index, $field, @opts) = @_;
    my $before = row();
    my ($res, $doc) = patch($body, @opts);
    is($res->code, $status, "$what: $status")
        or diag(substr($res->content, 0, 300));
    is($doc->{OpIndex}, $index, "$what: OpIndex " . ($index // 'none'));
    is($doc->{Field}, $field, "$what: Field $field");
    is_deeply(row(), $before, "$what: the row unchanged");
}

my $TEST3 = ['test', '/Rating', 3];
my $body;

# ---- identical test ops --------------------------------------------------
fresh();
accepted('2,000 identical test ops that hold', ops_body(($TEST3) x 2000), []);
accepted('2,000 identical test ops, then a replace',
         ops_body(($TEST3) x 2000, ['replace', '/Rating', 4]), [],
         rating => 4);
fresh();
refused('2,000 identical test ops failing at the last',
        ops_body(($TEST3) x 2000, ['test', '/Rating', 4]), 409, 2000,
        'Rating');
refused('2,000 failing test ops: the first answers',
        ops_body((['test', '/Rating', 4]) x 2000), 409, 0, 'Rating');
accepted('5,000 identical test ops, then a replace',
         ops_body(($TEST3) x 5000, ['replace', '/Rank', 8]), [], rank => 8);

# The issue's compact 1 MB body: under ChatSessionMaxBody (1 MiB) and the
# 100,000 values (4 per op, 1 for the array).
fresh();
$body = ops_body(($TEST3) x 24_998, ['replace', '/Rating', 5]);
cmp_ok(length $body, '>', 1_000_000, 'the 24,999 ops body is over 1 MB');
cmp_ok(length $body, '<', 1_048_576, '... and under ChatSessionMaxBody');
accepted('24,999 ops in 1 MB: 24,998 tests and a replace', $body, [],
         rating => 5);
fresh();
refused('24,999 ops in 1 MB failing at the last',
        ops_body(($TEST3) x 24_998, ['test', '/Rating', 5]), 409, 24_998,
        'Rating');

# ---- many values on one field ---------------------------------------------
# 10,000 tests that hold, then distinct values: the first one that differs
# from the row answers.
fresh(name => 'Kari');
refused('distinct test values on one field: the first differing answers',
        ops_body((['test', '/CustomerName', '"Kari"']) x 5_000,
                 map { ['test', '/CustomerName', qq("n$_")] } 0 .. 4_999),
        409, 5_000, 'CustomerName');
refused('distinct values first, then the row\'s',
        ops_body((map { ['test', '/Rank', $_] } 100 .. 5_099), $TEST3),
        409, 0, 'Rank');

# ---- many fields, carriers' members ----------------------------------------
# Every field and every member of the User carrier, tested with the value
# GET answers, many times over: the patch holds.
fresh(name => 'Kari', when_started => '2024-03-31T01:30:00Z');
my $get = json_body(req(GET => $URL)) || {};
ok(ref $get->{User} eq 'HASH', 'the session has a User carrier');
my @echo;
for my $k (sort keys %$get) {
    my $v = $get->{$k};
    if (ref $v eq 'HASH') {
        push @echo, map { ['test', "/$k/$_", JSON::PP->new->canonical
                           ->allow_nonref->encode($v->{$_})] } sort keys %$v;
    }
    elsif (!ref $v || JSON::PP::is_bool($v)) {
        push @echo, ['test', "/$k", JSON::PP->new->allow_nonref->encode($v)];
    }
    elsif (!defined $v) {
        push @echo, ['test', "/$k", 'null'];
    }
}
cmp_ok(scalar @echo, '>', 40, 'every field and member of GET\'s answer');
accepted('the whole GET answer as test ops, 50 times over',
         ops_body((@echo) x 50), []);
refused('... a member of User tested with another value at the end',
        ops_body((@echo) x 50, ['test', '/User/Name', '"mallory"']),
        409, 50 * @echo, 'User/Name');
refused('... and a member echoed with another value (read-only)',
        ops_body((@echo) x 50, ['replace', '/User/Name', '"mallory"']),
        400, 50 * @echo, 'User/Name');
accepted('... and then a replace', ops_body((@echo) x 50,
                                             ['replace', '/Rank', 9]), [],
         rank => 9);

# ---- tests interleaved with replaces ----------------------------------------
# A test after a replace tests the new value (decided without the row).
fresh();
accepted('replace and test of the same field, 5,000 pairs',
         ops_body($TEST3, map { (['replace', '/Rank', $_],
                                 ['test', '/Rank', $_]) } 1 .. 5_000),
         [], rank => 5_000);
fresh();
refused('a test of the old value after a replace',
        ops_body((map { (['replace', '/Rank', $_], ['test', '/Rank', $_]) }
                  1 .. 5_000), ['test', '/Rank', 7]), 409, 10_000, 'Rank');
# Re-pointing User between agents and testing the new agent's member each
# time: the member is read from the row the key names.
my %agent = (5 => 'tje0', 7 => 'ann', 8 => 'bob');
my @repoint = map { my $k = (5, 7, 8)[$_ % 3];
                    (['replace', '/User/AssociateId', $k],
                     ['test', '/User/Name', qq("$agent{$k}")]) } 0 .. 2_999;
accepted('re-pointing User 3,000 times, testing its Name each time',
         ops_body(@repoint), [], user_id => 8);        # the last: bob
refused('... then a Name the last agent does not have',
        ops_body(@repoint, ['test', '/User/Name', '"ann"']), 409, 6_000,
        'User/Name');
# Offset-less date-times in the request's zone: PostgreSQL converts them,
# so a test after such a replace is decided by PostgreSQL.
my @local = map { my $t = sprintf '"2024-01-%02dT%02d:00:00"', 1 + $_ % 28,
                                  $_ % 24;
                  (['replace', '/WhenIdle', $t], ['test', '/WhenIdle', $t]) }
            0 .. 1_999;
my @oslo = (headers => { 'SO-TimeZone' => 'Europe/Oslo' });
# the last pair: 2024-01-12T07:00:00 in Oslo, UTC+1 in January
accepted('local date-times replaced and tested, 2,000 pairs',
         ops_body(@local), \@oslo, idle => '2024-01-12 06:00:00+00');
refused('... then a test of another instant',
        ops_body(@local, ['test', '/WhenIdle', '"2024-01-12T23:00:00"']),
        409, 4_000, 'WhenIdle', @oslo);

# ---- merge patches ------------------------------------------------------------
# A merge object cannot repeat a member (names are compared ignoring case)
# and names only fields and carriers' members: it stays short. The
# longest, every field and every User member echoed, holds.
fresh(name => 'Kari');
$get = json_body(req(GET => $URL)) || {};
delete $get->{User}{AssociateId};     # members to check, not a re-pointing
accepted('merge: the whole GET answer, User by its members',
         JSON::PP->new->canonical->encode($get),
         [content_type => 'application/merge-patch+json']);
$get->{User}{Name} = 'mallory';
refused('merge: a User member with another value',
        JSON::PP->new->canonical->encode($get), 400, undef, 'User/Name',
        content_type => 'application/merge-patch+json');

# ---- a topic: the same engine, groups and durations (issue 19) -------------
# A topic's group members are patched one by one; 2,000 tests of a
# duration (half of them in the client's ISO form), and 2,000
# replace/test pairs on a member, are one statement as for a session.
my $TURL = "/api/v1/ChatTopic/$TOPIC";
sub topic_row {
    return db()->selectrow_hashref(
        'SELECT * FROM chat_topic WHERE id = ?', undef, $TOPIC);
}
db()->do('DELETE FROM chat_topic WHERE id = ?', undef, $TOPIC);
db()->do(q{INSERT INTO chat_topic (id, name, mon_start, mon_stop)
           VALUES (?, 'hostile_patch.t', 28800, 61200)}, undef, $TOPIC);
my $tbefore = topic_row();
my $tres = req(PATCH => $TURL, ua => $ua,
               content_type => 'application/json-patch+json',
               body => ops_body((map { (['test', '/OpeningHours/MonStart',
                                         '"PT8H"'],
                                        ['test', '/OpeningHours/MonStart',
                                         '"08:00:00"']) } 1 .. 1000),
                                ['replace', '/OpeningHours/MonStop',
                                 '"18:00"']));
is($tres->code, 200, 'topic: 2,000 duration tests in both forms, then a '
   . 'replace: 200') or diag(substr($tres->content, 0, 300));
is(topic_row()->{mon_stop}, 64800, '... the member written');
is(topic_row()->{version}, $tbefore->{version} + 1, '... once');
$tbefore = topic_row();
$tres = req(PATCH => $TURL, ua => $ua,
            content_type => 'application/json-patch+json',
            body => ops_body((['test', '/OpeningHours/MonStart', '"PT8H"'])
                             x 2000, ['test', '/OpeningHours/MonStart',
                                      '"09:00:00"']));
is($tres->code, 409, 'topic: 2,000 tests failing at the last: 409');
is((json_body($tres) || {})->{OpIndex}, 2000, '... OpIndex 2000');
is((json_body($tres) || {})->{Field}, 'OpeningHours/MonStart',
   '... naming the member');
is_deeply(topic_row(), $tbefore, '... the topic unchanged');
$tres = req(PATCH => $TURL, ua => $ua,
            content_type => 'application/json-patch+json',
            body => ops_body(map {
                my $t = sprintf '"09:%02d:%02d"', int($_ / 60), $_ % 60;
                (['replace', '/OpeningHours/MonStop', $t],
                 ['test', '/OpeningHours/MonStop', $t])
            } 0 .. 999));
is($tres->code, 200, 'topic: 1,000 replace/test pairs on a member: 200')
    or diag(substr($tres->content, 0, 300));
is(topic_row()->{mon_stop}, 9 * 3600 + 999, '... the last value written');
is(topic_row()->{version}, $tbefore->{version} + 1, '... in one write');
$tres = req(PATCH => $TURL, ua => $ua,
            content_type => 'application/json-patch+json',
            body => ops_body(['replace', '/OpeningHours/MonStop', '"07:00"']));
is($tres->code, 400, 'topic: a stop before its start after all that: 400');
db()->do('DELETE FROM chat_topic WHERE id = ?', undef, $TOPIC);
