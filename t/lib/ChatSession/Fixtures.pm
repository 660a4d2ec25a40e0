package ChatSession::Fixtures;

# The fixtures the t/api/*.t files share (exported through
# ChatSession::Test): ids that belong to one test file, and callers.
#
#   my @S = fresh_ids(3);            # three ids of this file's block
#   my $T = make_topic('my topic');  # a chat_topic row on a fresh id
#   my $c = make_caller('ac_own', level => 'update_own',
#                       topics => { $T => 'can_respond' });
#   req(GET => ..., auth => $c->{auth});
#
# Ids. Each test file owns a block of ids, the same in every table
# (chat_session, associate, chat_topic, ...): block N is 1_000_000 + N *
# 1000 .. + 999, and %BLOCK below gives each file (by its path under t/)
# its N. Why a registry and not a database sequence: a file's ids are the
# same on every run and every machine whichever files run with it (a
# failure names the same rows each time; a kept work dir is read with the
# ids in the source), and two files can never share an id even when they
# run at once, which the registry checks when it loads (no block twice).
# A new test file takes the next free number at the end of the list.
# fresh_ids() hands out the block in order, from its start: the k-th id a
# file takes is the same on every run.
#
# Cleanup. The first use of the block (any helper here) deletes every row
# the block holds (@TABLES below: sessions, the carriers' rows,
# associates with their rights, memberships and tickets, topics) and
# every session or carrier row that refers to one of them, so a rerun
# starts clean; and the same again when the test file ends (in the
# process that took the block, never in a forked child).
#
# Ids the test is about (an int32 edge, say) are not taken from the
# block: make_caller(id => ...) and keep_ids(...) add such ids to what
# the cleanup removes; they must lie outside every block.

use strict;
use warnings;

use Exporter 'import';
use Carp qw(croak);
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Spec ();
use MIME::Base64 qw(encode_base64);

our @EXPORT_OK = qw(fresh_id fresh_ids make_topic make_caller keep_ids);

use constant BASE  => 1_000_000;
use constant BLOCK => 1000;

# file under t/ => its block number, or [first block, number of blocks].
my %BLOCK = (
    'api/00_smoke.t'          => 1,
    'api/access_log.t'        => 2,
    'api/action_statements.t' => 3,
    'api/actions.t'           => 4,
    'api/agent_entity.t'      => 5,
    'api/auth_apptoken.t'     => 6,
    'api/auth_basic.t'        => 7,
    'api/auth_bearer.t'       => 8,
    'api/auth_cache.t'        => 9,
    'api/auth_outage.t'       => 10,
    'api/auth_providers.t'    => 11,
    'api/auth_soticket.t'     => 12,
    'api/auth_xsrf.t'         => 13,
    'api/carriers.t'          => 14,
    'api/client_agent.t'      => 15,
    'api/client_compat.t'     => 16,
    'api/commit_faults.t'     => 17,
    'api/connect_bound.t'     => 18,
    'api/cors.t'              => 19,
    'api/datetime_edges.t'    => 20,
    'api/db_locale.t'         => 21,
    'api/db_misconfig.t'      => 22,
    'api/db_setup.t'          => 23,
    'api/demo.t'              => 24,
    'api/derived_member.t'    => 25,
    'api/errors.t'            => 26,
    'api/fault_graceful.t'    => 27,
    'api/fault_matrix.t'      => 28,
    'api/fault_pgbouncer.t'   => 29,
    'api/fault_pgkill.t'      => 30,
    'api/fault_two_httpd.t'   => 31,
    'api/hardening.t'         => 32,
    'api/health.t'            => 33,
    'api/hostile_body.t'      => 34,
    'api/hostile_patch.t'     => 35,
    'api/hotrow.t'            => 36,
    'api/list.t'              => 37,
    'api/list_explain.t'      => [500, 100],    # 100,000 sessions
    'api/list_filter.t'       => 39,
    'api/locale.t'            => 40,
    'api/messages.t'          => 41,
    'api/messages_wait.t'     => 42,
    'api/negotiation.t'       => 43,
    'api/outage.t'            => 44,
    'api/patch_json.t'        => 45,
    'api/patch_merge.t'       => 46,
    'api/pgbouncer.t'         => 47,
    'api/pickup_race.t'       => 48,
    'api/pool_race.t'         => 49,
    'api/prepared_shapes.t'   => 50,
    'api/proxy.t'             => 51,
    'api/race.t'              => 52,
    'api/resource.t'          => 53,
    'api/rights.t'            => 54,
    'api/routes.t'            => 55,
    'api/schema_version.t'    => 56,
    'api/serve.t'             => 57,
    'api/serve_config.t'      => 58,
    'api/slow_clients.t'      => 59,
    'api/statements.t'        => 60,
    'api/status.t'            => 61,
    'api/timezone.t'          => 62,
    'api/timezone_default.t'  => 63,
    'api/transcript.t'        => 64,
    'api/transfer.t'          => 65,
    'api/idempotency.t'       => 66,
    'api/failover_patroni.t'  => 67,
    'api/request_walk.t'      => 71,
    'api/topic_resource.t'    => 80,
    'api/client_topic.t'      => 81,
    # issue 19, helper t19agents (far from the next free numbers, so that
    # the other branches' files keep theirs)
    'api/topic_agents.t'      => 90,
    'api/presence.t'          => 91,
    'api/topic_isopen_route.t' => 92,
    # issue 20
    'api/webhook_capture.t'   => 93,
    'api/webhook_resource.t'  => 94,
    'api/webhook_delivery.t'  => 95,
    'api/webhook_faults.t'    => 96,
    'api/webhook_ops.t'       => 97,
    'api/client_webhook.t'    => 98,
    'api/webhook_patch.t'     => 99,
);

# [first id, last id] of every file, checked once: no two overlap.
my %RANGE;
{
    my @spans;
    for my $file (sort keys %BLOCK) {
        my ($first, $n) = ref $BLOCK{$file} ? @{ $BLOCK{$file} }
                                            : ($BLOCK{$file}, 1);
        $RANGE{$file} = [BASE + $first * BLOCK,
                         BASE + ($first + $n) * BLOCK - 1];
        push @spans, [$file, @{ $RANGE{$file} }];
    }
    @spans = sort { $a->[1] <=> $b->[1] } @spans;
    for my $i (1 .. $#spans) {
        croak "ChatSession::Fixtures: $spans[$i - 1][0] and $spans[$i][0] "
              . 'share ids: give each its own block'
            if $spans[$i][1] <= $spans[$i - 1][2];
    }
}

my $T_DIR = dirname(dirname(dirname(abs_path(__FILE__))));   # t/

# This process's claim on its file's block: { file, first, last, next,
# pid, keep => {id => 1}, password, hashes => {password => hash} }.
my $claim;

# The test file running, as a key of %BLOCK.
sub _test_file {
    my $abs = abs_path($0) // '';
    my $rel = File::Spec->abs2rel($abs, $T_DIR);
    $rel =~ s{\\}{/}g;
    return $rel;
}

sub _claim {
    return $claim if $claim;
    my $file = _test_file();
    my $range = $RANGE{$file}
        or croak "ChatSession::Fixtures: $file has no block of ids: add it "
                 . 'to %BLOCK in t/lib/ChatSession/Fixtures.pm (the next '
                 . 'free number, at the end)';
    $claim = { file => $file, first => $range->[0], last => $range->[1],
               next => $range->[0], pid => $$, keep => {}, hashes => {},
               password => "Fx-$$-" . time };
    _cleanup();
    return $claim;
}

# fresh_ids($n) -> $n consecutive ids of the block, not handed out before
# (in this process); fresh_id() -> one.
sub fresh_ids {
    my $n = shift;
    croak 'fresh_ids($n): a positive count' unless $n && $n =~ /^\d+$/;
    my $c = _claim();
    croak 'fresh_ids: in a forked child; take the ids before the fork'
        unless $c->{pid} == $$;
    croak "fresh_ids($n): the block of $c->{file} ($c->{first} .. "
          . "$c->{last}) is used up: give it more blocks in %BLOCK"
        if $c->{next} + $n - 1 > $c->{last};
    my @ids = ($c->{next} .. $c->{next} + $n - 1);
    $c->{next} += $n;
    return @ids;
}

sub fresh_id { return (fresh_ids(1))[0] }

# keep_ids(@ids): ids outside the block that this file uses on purpose
# (the id is what the test is about); the cleanup removes them too.
sub keep_ids {
    my $c = _claim();
    for my $id (@_) {
        croak "keep_ids: '$id' is no id" unless defined $id && $id =~ /^\d+$/;
        for my $file (keys %RANGE) {
            croak "keep_ids($id): the id is in the block of $file"
                if $id >= $RANGE{$file}[0] && $id <= $RANGE{$file}[1];
        }
        next if $c->{keep}{$id}++;
        _delete_ids([$id]);
    }
    return @_;
}

# make_topic($name) -> the id of a new chat_topic row of the block.
sub make_topic {
    my $name = shift // 'topic';
    my $id = fresh_id();
    ChatSession::Test::db()->do(
        'INSERT INTO chat_topic (id, name) VALUES (?, ?)', undef, $id, $name);
    return $id;
}

# make_caller($login, %opt) -> { login, password, id, auth, authorization }
# An associate $login on a fresh id (id => N: that id, kept), with a
# bcrypt hash of the password (htpasswd -B, as an admin makes it):
#   password => 'pw'     default: one per test file, shared by its callers
#                        (one hash); password => undef: no hash at all
#   level => 'read'      a chat_session_right row; without it, none
#   readonly_fields => [..]  that row's read-only fields
#   topics => { topic => 'can_respond' | [roles] }  memberships
#   columns => { col => value }  other associate columns (deleted, ...)
# auth is [login, password] for req(auth => ...); authorization the
# Basic header's value.
sub make_caller {
    my ($login, %o) = @_;
    local $_;           # map { make_caller($_) } qw(...): $_ is read-only
    croak 'make_caller($login, %opt)' unless defined $login && length $login;
    my $c = _claim();
    my $id = $o{id};
    if (defined $id) {
        keep_ids($id) unless $id >= $c->{first} && $id <= $c->{last};
    }
    else {
        $id = fresh_id();
    }
    my $pw = exists $o{password} ? $o{password} : $c->{password};
    my $hash = defined $pw
        ? ($c->{hashes}{$pw} //= ChatSession::Test::bcrypt_hash($login, $pw))
        : undef;
    my $dbh = ChatSession::Test::db();
    my ($holder) = $dbh->selectrow_array(
        'SELECT associate_id FROM associate WHERE name = ?', undef, $login);
    croak "make_caller($login): the login belongs to associate $holder, "
          . "which is not one of $c->{file}: choose another login"
        if defined $holder && !_ours($holder);
    _delete_ids([$holder]) if defined $holder && $holder != $id;

    my %row = (%{ $o{columns} || {} }, associate_id => $id, name => $login,
               password_hash => $hash);
    my @cols = sort keys %row;
    for (@cols) { croak "make_caller: bad column '$_'" unless /^[a-z_0-9]+$/ }
    $dbh->do(sprintf('INSERT INTO associate (%s) VALUES (%s)',
                     join(', ', @cols), join(', ', ('?') x @cols)),
             undef, @row{@cols});
    if (defined $o{level}) {
        $dbh->do('INSERT INTO chat_session_right (associate_id, level,
                  readonly_fields) VALUES (?, ?, ?)', undef, $id, $o{level},
                 $o{readonly_fields} || []);
    }
    my $topics = $o{topics} || {};
    for my $t (sort { $a <=> $b } keys %$topics) {
        my @roles = ref $topics->{$t} ? @{ $topics->{$t} } : ($topics->{$t});
        for (@roles) { croak "make_caller: bad role '$_'" unless /^[a-z_]+$/ }
        $dbh->do(sprintf('INSERT INTO chat_topic_member (topic_id,
                          associate_id, %s) VALUES (?, ?%s)',
                         join(', ', @roles), ', true' x @roles),
                 undef, $t, $id);
    }
    return { login => $login, password => $pw, id => $id,
             auth => [$login, $pw],
             authorization => defined $pw
                 ? 'Basic ' . encode_base64("$login:$pw", '') : undef };
}

# Whether $id is this file's: in its block or kept.
sub _ours {
    my $id = shift;
    return ($id >= $claim->{first} && $id <= $claim->{last})
           || $claim->{keep}{$id};
}

# The tables a block's ids may key, in an order the foreign keys allow,
# each with its key and the columns that refer to another row of a block.
my @TABLES = (
    [chat_session => qw(id user_id transfer_to topic_id customer_id
                        contact_id project_id sale_id ticket_id)],
    [ticket       => qw(ticket_id owned_by created_by cust_id contact_id
                        sale_id project_id)],
    [sale         => qw(sale_id associate_id contact_id project_id
                        person_id)],
    [project      => qw(project_id associate_id)],
    [person       => qw(person_id associate_id contact_id)],
    [contact      => qw(contact_id associate_id)],
    [associate    => qw(associate_id)],   # rights, memberships, tickets
    [chat_topic   => qw(id)],             # go with it
);

# Delete the rows of the ids in @$ids, or of the whole block when $ids
# is undef, and every row that refers to one of them.
sub _delete_ids {
    my $ids = shift;
    my $dbh = ChatSession::Test::db();
    my ($cond, @bind) = $ids
        ? ('= ANY(?::int[])', $ids)
        : ('BETWEEN ? AND ?', $claim->{first}, $claim->{last});
    for my $t (@TABLES) {
        my ($table, @cols) = @$t;
        $dbh->do("DELETE FROM $table WHERE "
                 . join(' OR ', map { "$_ $cond" } @cols),
                 undef, (@bind) x @cols);
    }
    return;
}

sub _cleanup {
    _delete_ids(undef);
    _delete_ids([sort { $a <=> $b } keys %{ $claim->{keep} }])
        if %{ $claim->{keep} };
}

END {
    if ($claim && $claim->{pid} == $$) {
        my $status = $?;
        eval { _cleanup(); 1 }
            or warn "ChatSession::Fixtures: cleanup of $claim->{file}: $@";
        $? = $status;
    }
}

1;
