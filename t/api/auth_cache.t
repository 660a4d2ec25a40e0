# Identity and rights are cached with the credential (README
# "Authentication", "Authorization"): for Basic (our provider and the file
# provider), Bearer, SoTicket and cookie sessions, a credential's first
# request reads its associate and rights in as few statements as the
# scheme allows, and the next one on the same httpd process runs none
# (counted with pg_stat_statements). Within ChatSessionAuthCacheTTL a
# revoked ticket, a deleted associate or a changed right is still honoured;
# after it, it takes effect (/ttl2: 2 s). A cached verdict never outlives
# the ticket's expires_at or the token's exp. A user another AuthType
# authenticated gets their rights by name (one statement, cached); a
# request without a user reads, and only reads.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use MIME::Base64 qw(encode_base64);
use Time::HiRes qw(sleep time);
use ChatSession::Test qw(db req json_body seed_session keepalive_ua
                         statements_reset statements_count fresh_id
                         make_caller);
use ChatSession::JWT qw(jwt);

plan tests => 61, need_lwp, need_module('mod_dbd.c', 'mod_session.c',
                                        'mod_authn_dbd.c');

my $ISS = 'https://idp.example.test';
my $TTL = 2;                               # /ttl2's ChatSessionAuthCacheTTL
my %C = map { $_ => make_caller($_, level => 'update_all') }
        qw(ac_basic ac_bearer ac_ticket ac_session ac_other ac_gone);
my %AID = map { $_ => $C{$_}{id} } keys %C;
my $PASS = $C{ac_basic}{password};         # every caller's here
my $SID = fresh_id();                      # a session every test reads

sub set_level {
    my ($u, $level) = @_;
    db()->do('UPDATE chat_session_right SET level = ? WHERE associate_id = ?',
             undef, $level, $AID{$u});
}

seed_session($SID);

# Statements that find a caller (or those matching $re): they read
# associate, chats_ticket or chat_session_right, and not chat_session (the
# resource's own). Returns the count and every statement, for diag().
sub auth_statements {
    my $re = shift;
    my (undef, $rows) = statements_count();
    my $n = 0;
    for my $r (@$rows) {
        next unless $r->[1];
        if ($re) {
            next unless $r->[2] =~ $re;
        }
        else {
            next unless $r->[2]
                =~ /\b(?:associate|chats_ticket|chat_session_right)\b/;
            next if $r->[2] =~ /\bchat_session\b(?!_right)/;
        }
        $n += $r->[0];
    }
    return ($n, join("\n", map { "$_->[0] x $_->[2]" } @$rows));
}

my $token_n = 0;
sub token {
    my ($sub, %claims) = @_;
    return 'Bearer ' . jwt(kid => 'rsa-1', claims => {
        sub => $sub, iss => $ISS, aud => 'chatsession', iat => time,
        exp => int(time) + 600, jti => 'ac-' . $$ . '-' . ++$token_n,
        %claims });
}

sub issue {
    my ($login, $ttl) = @_;
    return 'SoTicket ' . db()->selectrow_array(
        'SELECT chats_issue_ticket(?, ?::interval)', undef, $login,
        $ttl // '1 hour');
}

sub basic { return 'Basic ' . encode_base64(join(':', @_), '') }

# Two GETs with one credential on one connection (one httpd process): the
# caller-finding statements (or those matching $re) of each.
sub cold_warm {
    my ($name, $path, $re, %o) = @_;
    my $ua = keepalive_ua();
    statements_reset();
    my $r1 = req(GET => $path, ua => $ua, auth => undef, %o);
    my ($cold, $all1) = auth_statements($re);
    statements_reset();
    my $r2 = req(GET => $path, ua => $ua, auth => undef, %o);
    my ($warm, $all2) = auth_statements($re);
    is($r1->code, 200, "$name: first request 200") or diag($r1->as_string);
    ok($r2->code == 200 && ($r2->header('Client-Response-Num') // 0) == 2,
       "$name: second request 200 on the same connection")
        or diag($r2->as_string);
    diag("$name: statements cold $cold, warm $warm");
    return ($cold, $warm, "first:\n$all1\nsecond:\n$all2");
}

# --- (a) statements: cold and warm, per scheme -------------------------------
{
    my $URL = "/api/v1/ChatSession/$SID";
    my @cases = (
        # name, path, options, cold statements
        [ 'Basic (chatsession provider: password, then rights)', $URL,
          [authorization => basic('ac_basic', $PASS)], 2 ],
        [ 'Basic (file provider: rights only)', "/filecache$URL",
          [authorization => basic('filebob', 'Filebob1')], 1 ],
        [ 'Bearer (associate and rights in one)', $URL,
          [authorization => token('ac_bearer')], 1 ],
        [ 'SoTicket (ticket, associate and rights in one)', $URL,
          [authorization => issue('ac_ticket')], 1 ],
        [ 'cookie session (as Basic)', "/session$URL",
          [headers => [Cookie => "chatsession=user=ac_session&pw=$PASS"]],
          2 ],
    );
    for my $c (@cases) {
        my ($name, $path, $o, $want) = @$c;
        my ($cold, $warm, $all) = cold_warm($name, $path, undef, @$o);
        is($cold, $want, "$name: $want statement(s) on a new credential")
            or diag($all);
        is($warm, 0, "$name: none on the cached credential") or diag($all);
    }
}

# --- another AuthType, and no user at all -------------------------------------
{
    my $URL = "/otherauth/api/v1/ChatSession/$SID";
    set_level('ac_other', 'admin');
    # mod_authn_dbd runs its own password query every time: count ours.
    my ($cold, $warm, $all) = cold_warm(
        'AuthType Basic (mod_authn_dbd)', $URL, qr/chat_session_right/,
        authorization => basic('ac_other', $PASS));
    is($cold, 1, 'another AuthType: the rights by r->user, one statement')
        or diag($all);
    is($warm, 0, 'another AuthType: cached by name') or diag($all);
    my $res = req(GET => $URL, auth => undef,
                  authorization => basic('ac_other', $PASS));
    is(json_body($res)->{TableRight}{Mask}, 'FULL',
       'another AuthType: the associate\'s own rights (admin)');

    # Defaults: no user reads, and only reads; no statement finds a caller.
    my $ua = keepalive_ua();
    statements_reset();
    $res = req(GET => "/anon/api/v1/ChatSession/$SID", ua => $ua,
               auth => undef);
    my ($n) = auth_statements();
    is($res->code, 200, 'no user: GET 200');
    is(json_body($res)->{TableRight}{Mask}, 'Select', 'no user: read');
    is($n, 0, 'no user: no statement finds a caller');
    $res = req(PATCH => "/anon/api/v1/ChatSession/$SID", ua => $ua,
               auth => undef, body => { CustomerName => 'anon' });
    is($res->code, 403, 'no user: PATCH 403');
}

# --- (b) changes take effect within the TTL ------------------------------------
# One credential on one connection: right after the change the cached
# verdict still answers; after the TTL the change does.
# A PATCH sends a new value each time ($o{body} is called): giving a
# field its current value is no change, and no right is needed for it.
sub within_ttl {
    my (%o) = @_;
    my $ua = keepalive_ua();
    my $send = sub {
        return req($o{method} // 'GET', $o{path}, ua => $ua, auth => undef,
                   @{ $o{auth} }, $o{body} ? (body => $o{body}->()) : ());
    };
    my $res = $send->();
    is($res->code, 200, "$o{name}: 200 before") or diag($res->as_string);
    $o{change}->();
    my $t0 = time;
    $res = $send->();
    is($res->code, 200, "$o{name}: still 200 within the TTL")
        or diag($res->as_string);
    sleep($TTL + 0.5 - (time - $t0)) if time - $t0 < $TTL + 0.5;
    $res = $send->();
    is($res->code, $o{after}, "$o{name}: $o{after} after the TTL")
        or diag($res->as_string);
    $o{undo}->() if $o{undo};
}

my $alias_n = 0;
sub new_alias { return { CustomerAlias => 'ttl-' . ++$alias_n } }

{
    my $URL = "/ttl2/api/v1/ChatSession/$SID";
    my $t = issue('ac_ticket');
    within_ttl(name => 'SoTicket revoked', path => $URL,
               auth => [authorization => $t], after => 401,
               change => sub {
                   (my $raw = $t) =~ s/^SoTicket //;
                   db()->selectrow_array('SELECT chats_revoke_ticket(?)',
                                         undef, $raw);
               });
    within_ttl(name => 'Bearer, associate deleted', path => $URL,
               auth => [authorization => token('ac_gone')], after => 401,
               change => sub {
                   db()->do('UPDATE associate SET deleted = true
                             WHERE associate_id = ?', undef, $AID{ac_gone});
               },
               undo => sub {
                   db()->do('UPDATE associate SET deleted = false
                             WHERE associate_id = ?', undef, $AID{ac_gone});
               });
    within_ttl(name => 'Bearer, update_all -> read (PATCH)', path => $URL,
               method => 'PATCH', body => \&new_alias,
               auth => [authorization => token('ac_bearer')], after => 403,
               change => sub { set_level('ac_bearer', 'read') },
               undo => sub { set_level('ac_bearer', 'update_all') });
    within_ttl(name => 'Basic, update_all -> none', path => $URL,
               auth => [authorization => basic('ac_basic', $PASS)],
               after => 403,
               change => sub { set_level('ac_basic', 'none') },
               undo => sub { set_level('ac_basic', 'update_all') });
    within_ttl(name => 'SoTicket, update_all -> none',
               path => $URL, auth => [authorization => issue('ac_ticket')],
               after => 403,
               change => sub { set_level('ac_ticket', 'none') },
               undo => sub { set_level('ac_ticket', 'update_all') });
    within_ttl(name => 'another AuthType, admin -> none',
               path => "/otherauth/api/v1/ChatSession/$SID",
               auth => [authorization => basic('ac_other', $PASS)],
               after => 403,
               change => sub { set_level('ac_other', 'none') },
               undo => sub { set_level('ac_other', 'admin') });
}

# A read-only field granted after the verdict was cached.
{
    my $URL = "/ttl2/api/v1/ChatSession/$SID";
    within_ttl(name => 'Bearer, CustomerAlias made read-only (PATCH)',
               path => $URL, method => 'PATCH',
               body => \&new_alias,
               auth => [authorization => token('ac_bearer')], after => 403,
               change => sub {
                   db()->do(q{UPDATE chat_session_right
                              SET readonly_fields = '{CustomerAlias}'
                              WHERE associate_id = ?}, undef,
                            $AID{ac_bearer});
               },
               undo => sub {
                   db()->do(q{UPDATE chat_session_right
                              SET readonly_fields = '{}'
                              WHERE associate_id = ?}, undef,
                            $AID{ac_bearer});
               });
}

# --- a cached verdict never outlives the credential -----------------------------
# Default TTL (60 s) at both locations: only the credential's own expiry
# can end these entries.
{
    my $ua = keepalive_ua();
    my $t = issue('ac_ticket', '3 seconds');
    my $URL = "/api/v1/ChatSession/$SID";
    my $t0 = time;
    my $res = req(GET => $URL, ua => $ua, auth => undef, authorization => $t);
    is($res->code, 200, 'ticket valid 3 s: 200');
    is(req(GET => $URL, ua => $ua, auth => undef, authorization => $t)->code,
       200, 'ticket valid 3 s: 200 again (cached)');
    sleep(3.5 - (time - $t0)) if time - $t0 < 3.5;
    $res = req(GET => $URL, ua => $ua, auth => undef, authorization => $t);
    is($res->code, 401, 'ticket past its expires_at: 401 despite a 60 s TTL');
    like(json_body($res)->{ErrorMessage} // '', qr/expired/i,
         '... as an expired ticket');

    # /pem: RS256 PEM key, no leeway, user claim preferred_username.
    my $exp = int(time) + 3;
    my $jwt = 'Bearer ' . jwt(claims => {
        preferred_username => 'ac_bearer', exp => $exp,
        jti => "ac-exp-$$" });
    my $PEM = "/pem/api/v1/ChatSession/$SID";
    is(req(GET => $PEM, ua => $ua, auth => undef,
           authorization => $jwt)->code, 200, 'token with exp in 3 s: 200');
    is(req(GET => $PEM, ua => $ua, auth => undef,
           authorization => $jwt)->code, 200,
       'token with exp in 3 s: 200 again (cached)');
    sleep($exp + 1 - time) if time < $exp + 1;
    $res = req(GET => $PEM, ua => $ua, auth => undef, authorization => $jwt);
    is($res->code, 401, 'token past its exp: 401 despite a 60 s TTL');
}

# --- the cache keeps every location's own checks -------------------------------
{
    # A token cached at the main location is not good at /pem (another
    # key, another user claim), nor a Basic grant of /authfile at the main
    # location (another provider).
    my $ua = keepalive_ua();
    my $tok = token('ac_bearer');
    is(req(GET => "/api/v1/ChatSession/$SID", ua => $ua, auth => undef,
           authorization => $tok)->code, 200, 'token good at the main location');
    is(req(GET => "/pem/api/v1/ChatSession/$SID", ua => $ua, auth => undef,
           authorization => $tok)->code, 401,
       'the same token at /pem (other key, other claim): 401');
    is(req(GET => "/authfile/api/v1/ChatSession/$SID", ua => $ua,
           auth => ['filebob', 'Filebob1'])->code, 200,
       'filebob good at /authfile');
    is(req(GET => "/api/v1/ChatSession/$SID", ua => $ua,
           auth => ['filebob', 'Filebob1'])->code, 401,
       'filebob at the main location (no file provider): 401');
}
