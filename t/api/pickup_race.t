# Concurrent pickups (README "Agent actions"): 16 agents POST Pickup at
# once (forked clients on keep-alive connections, half of them through a
# second httpd on the same database) on 10 queued sessions: exactly 10
# distinct sessions are taken, 6 agents get null, each session's User is
# set once and it has one Welcome. 16 pickups of one session by id: one
# winner. 6 pickups at once by one agent: Rank 1..6, no number twice (the
# agent's lock). The tally is printed for the closing note.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use Apache::TestRequest ();
use File::Temp ();
use HTTP::Request ();
use JSON::PP ();
use LWP::UserAgent ();
use MIME::Base64 qw(encode_base64);
use Time::HiRes ();
use ChatSession::Test qw(json_body seed_session db run_forked fresh_id
                         fresh_ids make_topic make_caller second_httpd
                         stop_second_httpd);

plan tests => 22, need_lwp, need_module('mod_dbd.c');

my $BASE = '/api/v1/ChatSession';
my $T = make_topic('pickup race');
my @AGENTS = map { sprintf 'pr_%02d', $_ } 1 .. 17;
my %C = map { $_ => make_caller($_, level => 'update_own',
                                topics => { $T => 'can_respond' }) } @AGENTS;
my %AID = map { $_ => $C{$_}{id} } @AGENTS;
my $PASS = $C{pr_01}{password};             # every agent's

sub queue {
    for my $id (@_) {
        seed_session($id, topic_id => $T, user_id => undef, status => 4,
                     rank => 0,
                     when_requested => sprintf('2026-02-01T10:00:%02dZ',
                                               $id % 60));
    }
}

my $second = second_httpd();
my $main_url = Apache::TestRequest::resolve_url('');
$main_url =~ s{/$}{};

# $n clients; client $k is agent $who->($k), on the main httpd when $k is
# odd, else on the second. Each authenticates on its own keep-alive
# connection first, waits until all have, then POSTs $path once.
sub race {
    my ($n, $who, $path) = @_;
    my $gate = File::Temp::tempdir(CLEANUP => 1);
    return run_forked($n, sub {
        my $k = shift;
        my $ua = LWP::UserAgent->new(keep_alive => 1, timeout => 30);
        my $url = ($k % 2 ? $main_url : $second->{url}) . $path;
        my $auth = 'Basic ' . encode_base64($who->($k) . ":$PASS", '');
        my $warm = $ua->request(HTTP::Request->new(
            GET => ($k % 2 ? $main_url : $second->{url}) . "$BASE/default",
            [Authorization => $auth]));
        open my $fh, '>', "$gate/$k" or die "$gate/$k: $!";
        close $fh;
        my $t0 = Time::HiRes::time();
        Time::HiRes::sleep(0.01)
            while (() = glob("$gate/*")) < $n
                  && Time::HiRes::time() - $t0 < 30;
        my $res = $ua->request(HTTP::Request->new(
            POST => $url, [Authorization => $auth]));
        my $doc = eval { JSON::PP->new->allow_nonref->decode($res->content) };
        return { warm => $warm->code, code => $res->code,
                 id => ref $doc eq 'HASH' ? $doc->{ChatSessionId} : undef,
                 rank => ref $doc eq 'HASH' ? $doc->{Rank} : undef,
                 null => !defined $doc && $res->content eq 'null' ? 1 : 0,
                 conn => $res->header('Client-Response-Num') // 0 };
    });
}

sub welcomes {
    my ($id) = @_;
    return db()->selectrow_array('SELECT count(*) FROM chat_message
                                  WHERE chat_session_id = ? AND type = 3
                                  AND special_type = 1', undef, $id);
}

# --- 16 agents, 10 queued sessions -------------------------------------------
my @Q = fresh_ids(10);
queue(@Q);
my %v0 = map { $_ => db()->selectrow_array(
                  'SELECT version FROM chat_session WHERE id = ?', undef, $_) }
         @Q;
my $out = race(16, sub { $AGENTS[$_[0] - 1] }, "$BASE/Pickup");
is(scalar(grep { ($_->{code} // 0) == 200 } @$out), 16,
   '16 concurrent Pickups: all 200')
    or diag(explain($out));
ok(!grep({ ($_->{conn} // 0) < 2 } @$out),
   '... each on its authenticated keep-alive connection');
my @won = grep { defined $_->{id} } @$out;
my %ids = map { $_->{id} => 1 } @won;
is(scalar @won, 10, '... 10 sessions taken');
is_deeply([sort keys %ids], [map { "$_" } @Q], '... 10 distinct: every one');
is(scalar(grep { $_->{null} } @$out), 6, '... 6 agents got null');
my $owner_ok = 0;
for my $k (0 .. 15) {
    my $r = $out->[$k];
    next unless defined $r->{id};
    my ($user, $version, $rank) = db()->selectrow_array(
        'SELECT user_id, version, rank FROM chat_session WHERE id = ?', undef,
        $r->{id});
    $owner_ok++ if $user == $AID{$AGENTS[$k]} && $version == $v0{$r->{id}} + 1
                   && $rank == 1;
}
is($owner_ok, 10, '... each session\'s User is its taker, set once '
                  . '(version + 1), Rank 1');
is(scalar(grep { welcomes($_) == 1 } @Q), 10, '... one Welcome each');
my $main_n = grep { defined $_->{id} } @$out[grep { $_ % 2 == 0 } 0 .. 15];
note(sprintf 'pickup race: 16 agents (8 per httpd, 2 httpds), 10 queued: '
     . '%d taken (%d distinct, %d through the first httpd), %d null, '
     . '%d duplicates', scalar @won, scalar keys %ids, $main_n,
     scalar(grep { $_->{null} } @$out), @won - keys %ids);

# --- 16 agents, one session by id -------------------------------------------
my $ONE = fresh_id();
queue($ONE);
my $v1 = db()->selectrow_array('SELECT version FROM chat_session WHERE id = ?',
                               undef, $ONE);
$out = race(16, sub { $AGENTS[$_[0] - 1] }, "$BASE/$ONE/Pickup");
is(scalar(grep { ($_->{code} // 0) == 200 } @$out), 16,
   '16 concurrent Pickups of one session: all 200')
    or diag(explain($out));
my @one = grep { defined $_->{id} } @$out;
is(scalar @one, 1, '... one winner');
is(scalar(grep { $_->{null} } @$out), 15, '... 15 null');
my ($user, $version) = db()->selectrow_array(
    'SELECT user_id, version FROM chat_session WHERE id = ?', undef, $ONE);
my ($winner) = grep { defined $out->[$_]{id} } 0 .. 15;
is($user, defined $winner ? $AID{$AGENTS[$winner]} : -1, '... the winner owns it');
is($version, $v1 + 1, '... written once');
is(welcomes($ONE), 1, '... one Welcome');
note(sprintf 'pickup by id: 16 agents, one session: %d winner, %d null',
     scalar @one, scalar(grep { $_->{null} } @$out));

# --- one agent, 6 pickups at once: Rank 1..6 ----------------------------------
my @S = fresh_ids(6);
queue(@S);
$out = race(6, sub { 'pr_17' }, "$BASE/Pickup");
is(scalar(grep { ($_->{code} // 0) == 200 } @$out), 6,
   'one agent, 6 concurrent Pickups: all 200') or diag(explain($out));
is(scalar(grep { defined $_->{id} } @$out), 6, '... 6 sessions taken');
is_deeply([sort { $a <=> $b } map { $_->{rank} // 0 } @$out], [1 .. 6],
          '... Rank 1..6 in the answers, none twice');
is_deeply(db()->selectcol_arrayref(
              'SELECT rank FROM chat_session WHERE user_id = ? ORDER BY rank',
              undef, $AID{pr_17}), [1 .. 6], '... and in the table');
note(sprintf 'one agent, 6 concurrent pickups: ranks %s',
     join(',', sort { $a <=> $b } map { $_->{rank} // 0 } @$out));

# --- the same through a single connection each, one httpd, as a control ----
# (nothing queued any more: every agent gets null at once)
$out = race(4, sub { $AGENTS[$_[0] - 1] }, "$BASE/Pickup");
is(scalar(grep { $_->{null} } @$out), 4, 'nothing queued: null for all');

ok(stop_second_httpd($second), 'the second httpd stopped');
my $errors = 0;
if (open my $fh, '<', $second->{error_log}) {
    $errors = grep { /\[(error|crit|alert|emerg)\]|AddressSanitizer|runtime error/ } <$fh>;
}
is($errors, 0, 'the second httpd logged no error');
is(db()->selectrow_array('SELECT count(*) FROM pg_stat_activity
                          WHERE state = \'idle in transaction\'
                          AND datname = current_database()'), 0,
   'no connection left inside a transaction');
is(db()->selectrow_array('SELECT count(*) FROM chat_session
                          WHERE topic_id = ? AND status = 4', undef, $T), 0,
   'the queue is empty');
