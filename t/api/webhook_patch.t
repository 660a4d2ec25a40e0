# JSON Patch below a webhook's JSON fields (issue 20, design §2
# "CHATS_F_JSON"): /Headers/X-Foo, /Events/-, /Events/0, /Properties/a/b
# with add, remove, replace and test as RFC 6902 §4 has them, in the one
# UPDATE: several ops on one field apply in order; member names below a
# field are case-sensitive and ~0 / ~1 unescaped; a test compares as
# jsonb (numbers by value, members in any order). Every refusal is a
# status and a JSON error naming the path (and op), with the row and its
# version unchanged; the version and ETag move iff something changed.
# Webhooks are inserted by SQL, Stopped: nothing is delivered.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body db fresh_ids);
use JSON::PP ();

plan tests => 211, need_lwp, need_module('mod_dbd.c');

my $BASE = '/api/v1/Webhook';
my ($ID) = fresh_ids(1);
my $dbh = db();
my $J = JSON::PP->new->canonical;

my %START = (
    events     => ['chatsession.changed'],
    headers    => { 'X-A' => '1', 'X-B' => '2' },
    properties => { a => { b => [1, 2] }, n => 1.5, 'x~y' => 't',
                    's/l' => 'u' },
);

# The webhook as %START, afresh.
sub reset_hook {
    $dbh->do('DELETE FROM chats_webhook WHERE id = ?', undef, $ID);
    $dbh->do(q{INSERT INTO chats_webhook (id, name, events, target_url,
                                          state, headers, properties)
               VALUES (?, 'webhook_patch.t', ?::jsonb,
                       'https://receiver.invalid/p', 2, ?::jsonb, ?::jsonb)},
             undef, $ID, map { $J->encode($START{$_}) }
                         qw(events headers properties));
}
END { $dbh->do('DELETE FROM chats_webhook WHERE id = ?', undef, $ID)
          if $dbh }

# The row: version, and its JSON fields decoded.
sub row {
    my $r = $dbh->selectrow_hashref(
        q{SELECT version, events::text AS events, headers::text AS headers,
                 properties::text AS properties
            FROM chats_webhook WHERE id = ?}, undef, $ID);
    $r->{$_} = $J->decode($r->{$_}) for qw(events headers properties);
    return $r;
}

sub patch {
    my ($ops) = @_;
    return req(PATCH => "$BASE/$ID", body => $ops,
               content_type => 'application/json-patch+json');
}

# ok_patch($name, \@ops, \%want, $changes): 200 with the fields of %want
# (Events, Headers, Properties: the rest as %START) in the answer and the
# row; the version and ETag moved iff $changes.
sub ok_patch {
    my ($name, $ops, $want, $changes) = @_;
    reset_hook();
    my $etag0 = req(GET => "$BASE/$ID")->header('ETag');
    my $v0 = row()->{version};
    my $res = patch($ops);
    my $doc = json_body($res) || {};
    is($res->code, 200, "$name: 200") or diag($res->content);
    my %exp = (Events => $START{events}, Headers => $START{headers},
               Properties => $START{properties}, %$want);
    is($J->encode([@$doc{qw(Events Headers Properties)}]),
       $J->encode([@exp{qw(Events Headers Properties)}]),
       "$name: the answer");
    my $r = row();
    is($J->encode([@$r{qw(events headers properties)}]),
       $J->encode([@exp{qw(Events Headers Properties)}]), "$name: the row");
    is($r->{version}, $v0 + ($changes ? 1 : 0),
       "$name: version " . ($changes ? 'moved' : 'kept'));
    my $etag = $res->header('ETag') // '';
    ok($changes ? $etag ne $etag0 : $etag eq $etag0,
       "$name: ETag " . ($changes ? 'moved' : 'kept'))
        or diag("ETag $etag0 -> $etag");
}

# bad_patch($name, \@ops, $status, $field, $op_index): refused, the
# error naming $field (and the op), nothing changed.
sub bad_patch {
    my ($name, $ops, $status, $field, $index) = @_;
    reset_hook();
    my $before = row();
    my $res = patch($ops);
    my $doc = json_body($res) || {};
    is($res->code, $status, "$name: $status") or diag($res->content);
    is($doc->{Field}, $field, "$name: names $field")
        or diag($res->content);
    is($doc->{OpIndex}, $index, "$name: op $index") if defined $index;
    is_deeply(row(), $before, "$name: nothing changed");
}

sub op { my ($op, $path, @v) = @_;
         return { op => $op, path => $path, @v ? (value => $v[0]) : () } }

# ---- Headers -----------------------------------------------------------------
ok_patch('add a header', [op(add => '/Headers/X-Foo', 'bar')],
         { Headers => { 'X-A' => '1', 'X-B' => '2', 'X-Foo' => 'bar' } }, 1);
ok_patch('add an existing header replaces it', [op(add => '/Headers/X-A', '9')],
         { Headers => { 'X-A' => '9', 'X-B' => '2' } }, 1);
ok_patch('replace a header', [op(replace => '/Headers/X-B', '3')],
         { Headers => { 'X-A' => '1', 'X-B' => '3' } }, 1);
ok_patch('remove a header', [op(remove => '/Headers/X-A')],
         { Headers => { 'X-B' => '2' } }, 1);
ok_patch('names below a field are case-sensitive, the field\'s are not',
         [op(add => '/headers/x-a', 'low')],
         { Headers => { 'X-A' => '1', 'X-B' => '2', 'x-a' => 'low' } }, 1);
ok_patch('a header given its own value: a no-op',
         [op(add => '/Headers/X-A', '1'), op(replace => '/Headers/X-B', '2')],
         {}, 0);
ok_patch('a test below Headers alone: a no-op',
         [op(test => '/Headers/X-A', '1')], {}, 0);
ok_patch('tests of several paths (their checks evaluated together)',
         [op(test => '/Headers/X-A', '1'), op(test => '/Headers/X-B', '2'),
          op(test => '/Properties/a/b/1', 2)], {}, 0);

# ---- Events ------------------------------------------------------------------
ok_patch('append an event (-)',
         [op(add => '/Events/-', 'chatsession.message')],
         { Events => ['chatsession.changed', 'chatsession.message'] }, 1);
ok_patch('insert an event at 0',
         [op(add => '/Events/0', 'chatsession.created')],
         { Events => ['chatsession.created', 'chatsession.changed'] }, 1);
ok_patch('insert an event at the length', [op(add => '/Events/1', 'test')],
         { Events => ['chatsession.changed', 'test'] }, 1);
ok_patch('replace an event', [op(replace => '/Events/0', 'test')],
         { Events => ['test'] }, 1);
ok_patch('remove an event', [op(remove => '/Events/0')], { Events => [] }, 1);

# ---- Properties (nested), escapes, tests -------------------------------------
my %p = %{ $START{properties} };
ok_patch('append below a nested member', [op(add => '/Properties/a/b/-', 3)],
         { Properties => { %p, a => { b => [1, 2, 3] } } }, 1);
ok_patch('a new nested member', [op(add => '/Properties/a/c', { d => undef })],
         { Properties => { %p, a => { b => [1, 2], c => { d => undef } } } }, 1);
ok_patch('remove a nested element', [op(remove => '/Properties/a/b/0')],
         { Properties => { %p, a => { b => [2] } } }, 1);
ok_patch('~0 and ~1 unescaped',
         [op(test => '/Properties/x~0y', 't'), op(remove => '/Properties/s~1l')],
         { Properties => { a => { b => [1, 2] }, n => 1.5, 'x~y' => 't' } }, 1);
ok_patch('test: numbers by value, members in any order (jsonb)',
         [op(test => '/Properties/n', 1.50),
          { op => 'test', path => '/Properties',
            value => { 's/l' => 'u', 'x~y' => 't', n => 1.5,
                       a => { b => [1, 2] } } }], {}, 0);

# ---- several ops, in order ---------------------------------------------------
ok_patch('several ops on fields, in order',
         [op(add => '/Headers/X-C', 'c'), op(replace => '/Headers/X-C', 'd'),
          op(test => '/Headers/X-C', 'd'), op(remove => '/Headers/X-A'),
          op(add => '/Properties/q', []), op(add => '/Properties/q/-', 1),
          op(add => '/Properties/q/0', 0), op(test => '/Properties/q/1', 1),
          op(add => '/Events/-', 'test'), op(remove => '/Events/0'),
          { op => 'test', path => '/Headers',
            value => { 'X-B' => '2', 'X-C' => 'd' } }],
         { Headers => { 'X-B' => '2', 'X-C' => 'd' },
           Properties => { %p, q => [0, 1] }, Events => ['test'] }, 1);
ok_patch('a whole replace, then a path below it',
         [op(replace => '/Headers', { 'X-N' => 'n' }),
          op(add => '/Headers/X-M', 'm'), op(test => '/Headers/X-M', 'm')],
         { Headers => { 'X-M' => 'm', 'X-N' => 'n' } }, 1);
ok_patch('a path below, then a whole replace',
         [op(add => '/Headers/X-M', 'm'),
          op(replace => '/Headers', { 'X-N' => 'n' })],
         { Headers => { 'X-N' => 'n' } }, 1);
ok_patch('ops that end where they began: a no-op',
         [op(add => '/Headers/X-T', 't'), op(remove => '/Headers/X-T')],
         {}, 0);

# ---- refusals: the path ------------------------------------------------------
bad_patch('remove a missing header', [op(remove => '/Headers/X-Nope')],
          400, 'Headers/X-Nope', 0);
bad_patch('replace a missing header', [op(replace => '/Headers/X-Nope', 'v')],
          400, 'Headers/X-Nope', 0);
bad_patch('test a missing header', [op(test => '/Headers/X-Nope', 'v')],
          400, 'Headers/X-Nope', 0);
bad_patch('add below a missing member', [op(add => '/Properties/zz/y', 1)],
          400, 'Properties/zz/y', 0);
bad_patch('add below a string', [op(replace => '/Headers/X-A/deep', 'x')],
          400, 'Headers/X-A/deep', 0);
bad_patch('add past the end of an array', [op(add => '/Events/2', 'test')],
          400, 'Events/2', 0);
bad_patch('an index with a leading zero', [op(add => '/Events/01', 'test')],
          400, 'Events/01', 0);
bad_patch('a negative index (PostgreSQL counts from the end)',
          [op(remove => '/Events/-1')], 400, 'Events/-1', 0);
bad_patch('a member name on an array', [op(add => '/Properties/a/b/x', 1)],
          400, 'Properties/a/b/x', 0);
bad_patch('remove "-" (no element)', [op(remove => '/Events/-')],
          400, 'Events/-', 0);
bad_patch('an op that fails on what an earlier op left',
          [op(add => '/Headers/X-C', 'c'), op(remove => '/Headers/X-C'),
           op(remove => '/Headers/X-C')], 400, 'Headers/X-C', 2);
bad_patch('too many ops below JSON fields',
          [map { op(add => "/Properties/k$_", $_) } 1 .. 17],
          400, 'Properties/k17', 16);
ok_patch('16 ops below JSON fields, the most in one patch',
         [map { op(add => "/Properties/k$_", $_) } 1 .. 16],
         { Properties => { %p, map { ("k$_" => $_) } 1 .. 16 } }, 1);

# ---- refusals: tests (409) ---------------------------------------------------
bad_patch('a test below Headers with another value',
          [op(test => '/Headers/X-A', '2')], 409, 'Headers/X-A', 0);
bad_patch('the second of several tests fails',
          [op(test => '/Headers/X-A', '1'), op(test => '/Headers/X-B', '9'),
           op(test => '/Headers/X-A', '1')], 409, 'Headers/X-B', 1);
bad_patch('a test after a write, with another value',
          [op(add => '/Headers/X-C', 'c'), op(test => '/Headers/X-C', 'd')],
          409, 'Headers/X-C', 1);
bad_patch('a test of a number with another type',
          [op(test => '/Properties/n', '1.5')], 409, 'Properties/n', 0);

# ---- refusals: the values (the whole field's checks) -------------------------
bad_patch('a header name that is no token',
          [op(add => '/Headers/Bad Name', 'v')], 400, 'Headers/Bad Name', 0);
bad_patch('a CRLF in a header value',
          [op(add => '/Headers/X-C', "a\r\nX-D: b")], 400, 'Headers/X-C', 0);
bad_patch('a header the module sets',
          [op(replace => '/Headers/X-A', '1'),
           op(add => '/Headers/Content-Type', 'x')],
          400, 'Headers/Content-Type', 1);
bad_patch('a header value that is no string',
          [op(add => '/Headers/X-C', 1)], 400, 'Headers/X-C', 0);
bad_patch('an event name that is none', [op(add => '/Events/-', 'Not One')],
          400, 'Events/-', 0);
bad_patch('an event that is no string', [op(add => '/Events/0', 5)],
          400, 'Events/0', 0);
bad_patch('U+0000 below Properties', [op(add => '/Properties/z', "a\0b")],
          400, 'Properties/z', 0);
bad_patch('Secret has no paths below it', [op(add => '/Secret/x', 'v')],
          400, 'Secret', 0);
