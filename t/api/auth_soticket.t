# AuthType ChatSession, SoTicket scheme: tickets issued by the SQL
# function chats_issue_ticket() (conf/auth.sql), stored as SHA-256 only;
# both spellings of the scheme; expired, unknown, altered and revoked
# tickets are 401; a rejected PATCH leaves the row as it was.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use Digest::SHA qw(sha256_hex);
use ChatSession::Test qw(db req json_body seed_session fresh_id);

plan tests => 34, need_lwp, need_module('mod_dbd.c');

my $URL = '/api/v1/ChatSession/844';

sub issue {
    my ($login, $ttl) = @_;
    return db()->selectrow_array(
        'SELECT chats_issue_ticket(?, ?::interval)', undef, $login,
        $ttl // '1 hour');
}

sub is_401 {
    my ($res, $name) = @_;
    is($res->code, 401, "$name: 401") or diag($res->as_string);
    my @ch = $res->header('WWW-Authenticate');
    ok(scalar(grep { $_ eq 'SOTicket realm="SuperOffice"' } @ch),
       "$name: SOTicket challenge (SuperOffice's spelling)") or diag("@ch");
    my $doc = json_body($res);
    ok(ref $doc eq 'HASH' && $doc->{Error}, "$name: JSON error body");
}

my $t = issue('tje0');
like($t, qr/^7T:[A-Za-z0-9_-]{43}$/, 'ticket looks like 7T:<43 base64url>');

is(req(GET => $URL, authorization => "SoTicket $t")->code, 200,
   'SoTicket: 200');
is(req(GET => $URL, authorization => "SOTicket $t")->code, 200,
   'SOTicket (the official client): 200');
is(req(GET => $URL, authorization => "soticket  $t ")->code, 200,
   'lower case, extra spaces: 200');

# --- stored hashed ------------------------------------------------------
{
    my $dbh = db();
    my ($plain) = $dbh->selectrow_array(
        q{SELECT count(*) FROM chats_ticket t
          WHERE position(? IN t::text) > 0}, undef, substr($t, 3));
    is($plain, 0, 'no row holds the ticket in clear');
    my ($login) = $dbh->selectrow_array(
        'SELECT login FROM chats_ticket WHERE hash = ?', undef,
        sha256_hex($t));
    is($login, 'tje0', 'the row is found by the SHA-256 of the ticket');
}

# --- rejections ---------------------------------------------------------
# The ticket with its last letter case-swapped.
my $flipped = $t;
my ($pos) = reverse grep { substr($t, $_, 1) =~ /[A-Za-z]/ }
                     3 .. length($t) - 1;
substr($flipped, $pos, 1) =~ tr/A-Za-z/a-zA-Z/;
isnt($flipped, $t, 'a ticket with one letter case-changed');
is_401(req(GET => $URL, authorization => "SoTicket $flipped"),
       'case-changed ticket');
is_401(req(GET => $URL, authorization => 'SoTicket 7T:'
                                         . ('A' x 43)), 'unknown ticket');
is_401(req(GET => $URL, authorization => "SoTicket $t extra"),
       'two words');
is_401(req(GET => $URL, authorization => 'SoTicket'), 'no ticket');
{
    my $old = issue('tje0');
    db()->do(q{UPDATE chats_ticket SET expires_at = now() - interval '1 s'
               WHERE hash = ?}, undef, sha256_hex($old));
    my $res = req(GET => $URL, authorization => "SoTicket $old");
    is_401($res, 'expired ticket');
    like(json_body($res)->{ErrorMessage} // '', qr/expired/i,
         'expired ticket: says so');
}
{
    my $gone = issue('tje0');
    ok(db()->selectrow_array('SELECT chats_revoke_ticket(?)', undef, $gone),
       'chats_revoke_ticket: true');
    is_401(req(GET => $URL, authorization => "SoTicket $gone"),
           'revoked ticket');
}
ok(!eval { issue('no-such-associate'); 1 },
   'chats_issue_ticket refuses an unknown associate');

# --- a rejected PATCH changes nothing -----------------------------------
{
    my $ID = fresh_id();
    my $row = seed_session($ID, customer_alias => 'Before');
    my $patch = [{ op => 'replace', path => '/CustomerAlias',
                   value => 'After' }];
    is_401(req(PATCH => "/api/v1/ChatSession/$ID", body => $patch,
               authorization => "SoTicket $flipped"), 'PATCH, bad ticket');
    my ($v, $alias) = db()->selectrow_array(
        'SELECT version, customer_alias FROM chat_session WHERE id = ?',
        undef, $ID);
    is($v, $row->{version}, 'rejected PATCH: version unchanged');
    is($alias, 'Before', 'rejected PATCH: row unchanged');
    is(req(PATCH => "/api/v1/ChatSession/$ID", body => $patch,
           authorization => "SOTicket $t")->code, 200,
       'PATCH with the ticket: 200');
}
