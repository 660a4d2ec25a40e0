# Hostile requests (issue 8): rights refused before the body is read,
# non-UTF-8 identities, 401 timing, NUL in $select, TRACE, error bodies
# that are always valid UTF-8 JSON, and the cache / sniffing headers.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use Apache::TestRequest ();
use ChatSession::Test qw(req json_body seed_session db fresh_id make_caller);
use ChatSession::JWT qw();
use Encode ();
use File::Spec ();
use IO::Select ();
use IO::Socket::INET ();
use JSON::PP ();
use List::Util qw(sum);
use MIME::Base64 qw(encode_base64);
use Time::HiRes qw(time);

plan tests => 83, need_lwp, need_module('mod_dbd.c');

my $BASE = '/api/v1/ChatSession';
my $ID = fresh_id();
my $URL = "$BASE/$ID";

# hd_read: a read-only user; hd_nohash: an associate without a password.
my $READ_AUTH = make_caller('hd_read', level => 'read')->{authorization};
make_caller('hd_nohash', password => undef);
seed_session($ID, name => 'Hardened');
my $v0 = db()->selectrow_array('SELECT version FROM chat_session WHERE id = ?',
                               undef, $ID);
sub version { db()->selectrow_array(
                  'SELECT version FROM chat_session WHERE id = ?', undef, $ID) }

sub error_log_size {
    my $f = File::Spec->catfile(Apache::Test::vars('t_logs'), 'error_log');
    return -s $f || 0;
}

sub error_log_since {
    my $from = shift;
    my $f = File::Spec->catfile(Apache::Test::vars('t_logs'), 'error_log');
    open(my $fh, '<', $f) or return '';
    seek($fh, $from, 0);
    local $/;
    return <$fh> // '';
}

# raw($head, %o): send $head (and $o{body}) on a socket of its own; read
# until the server closes or $o{wait} seconds pass.  Returns the bytes
# read, the seconds until the status line arrived (undef: none), and
# whether the server closed the connection.
sub raw {
    my ($head, %o) = @_;
    my $hostport = Apache::TestRequest::hostport(Apache::Test::config());
    my $sock = IO::Socket::INET->new(PeerAddr => $hostport, Timeout => 10)
        or die "connect $hostport: $!";
    $head =~ s/HOSTPORT/$hostport/;
    my $t0 = time;
    syswrite($sock, $head);
    if (defined $o{body}) {
        # Write what the server takes, until it answers and closes (or
        # the wait is over): never blocked on a server that reads no more.
        my $off = 0;
        local $SIG{PIPE} = 'IGNORE';
        $sock->blocking(0);
        my $w = IO::Select->new($sock);
        while ($off < length $o{body} && time < $t0 + ($o{wait} || 5)) {
            next unless $w->can_write(0.5);
            my $n = syswrite($sock, $o{body}, 65536, $off);
            last if !defined $n && !$!{EAGAIN};
            $off += $n // 0;
        }
        $sock->blocking(1);
    }
    my ($buf, $first, $closed) = ('', undef, 0);
    my $sel = IO::Select->new($sock);
    my $until = $t0 + ($o{wait} || 5);
    while ((my $left = $until - time) > 0) {
        last unless $sel->can_read($left);
        my $n = sysread($sock, my $chunk, 65536);
        if (!$n) { $closed = 1; last }
        $buf .= $chunk;
        $first //= time - $t0 if $buf =~ m{^HTTP/1\.\d \d{3}};
    }
    close $sock;
    return ($buf, $first, $closed);
}

# ---- finding 3: no body is read for a caller who may not write ----------
for my $how ('Content-Length: 500000', 'Transfer-Encoding: chunked') {
    my ($res, $first, $closed) = raw(
        "PATCH $URL HTTP/1.1\r\nHost: HOSTPORT\r\n"
        . "Authorization: $READ_AUTH\r\n"
        . "Content-Type: application/json\r\n$how\r\n\r\n", wait => 8);
    like($res, qr{^HTTP/1\.1 403 }, "read user, $how, no body sent: 403")
        or diag(substr($res, 0, 300));
    ok(defined $first && $first < 3,
       "... answered before any body byte (" . ($first // 'never') . " s)");
    ok($closed, '... and the connection is closed, not kept waiting '
                . 'for the body');
}
{
    # The hash-flooding shape of issue 8, at 1 MB, from a read user.
    my $name = join '', map { ('a|', 'b[', 'c:')[$_ % 3] } 0 .. 9;
    my @m;
    my $i = 0;
    while (sum(0, map { length } @m) < 1_000_000) {
        push @m, sprintf '"%s%08d":0', $name, $i++;
    }
    my $body = '{' . join(',', @m) . '}';
    my ($res, $first) = raw(
        "PATCH $URL HTTP/1.1\r\nHost: HOSTPORT\r\n"
        . "Authorization: $READ_AUTH\r\n"
        . "Content-Type: application/merge-patch+json\r\n"
        . 'Content-Length: ' . length($body) . "\r\n\r\n",
        body => $body, wait => 20);
    like($res, qr{^HTTP/1\.1 403 }, 'read user, 1 MB hostile body: 403')
        or diag(substr($res, 0, 300));
    ok(defined $first && $first < 5,
       '... within a few seconds (' . ($first // 'never') . ' s)');
}
{
    # Without credentials: the 401 does not wait for the body either.
    my ($res, $first, $closed) = raw(
        "PATCH $URL HTTP/1.1\r\nHost: HOSTPORT\r\n"
        . "Content-Type: application/json\r\nContent-Length: 500000\r\n\r\n",
        wait => 8);
    like($res, qr{^HTTP/1\.1 401 }, 'no credentials, no body sent: 401')
        or diag(substr($res, 0, 300));
    ok(defined $first && $first < 3,
       "... answered before any body byte (" . ($first // 'never') . " s)");
    ok($closed, '... and the connection is closed');
}
is(version(), $v0, 'the refused writes changed nothing');

# ---- finding 5: identities that are not UTF-8 are 401, not 500 ---------
{
    my $mark = error_log_size();
    my $res = req(GET => $URL, authorization => 'Basic '
                  . encode_base64("t\xe9e0:Tje0", ''));
    is($res->code, 401, 'Basic user t\xe9e0: 401') or diag($res->as_string);
    $res = req(GET => $URL, authorization => 'Basic '
               . encode_base64("\xff\xfe:x", ''));
    is($res->code, 401, 'Basic user \xff\xfe: 401');
    $res = req(GET => "/session$URL", auth => undef,
               headers => [Cookie => 'chatsession=user=t%E9e0&pw=Tje0']);
    is($res->code, 401, 'cookie session user t\xe9e0: 401');
    $res = req(GET => $URL, authorization => "SoTicket 7T:\xff\xfe\xe9");
    is($res->code, 401, 'SoTicket of bytes that are not UTF-8: 401');
    my $now = time;
    $res = req(GET => $URL, authorization => 'Bearer '
               . ChatSession::JWT::jwt(alg => 'HS256', key => 'hs', claims =>
                   qq({"sub":"t\xe9e0","iss":"https://idp.example.test",)
                   . qq("aud":"chatsession","exp":) . int($now + 600) . '}'));
    is($res->code, 401, 'Bearer sub t\xe9e0 (raw byte): 401');
    $res = req(GET => $URL, authorization => 'Bearer '
               . ChatSession::JWT::jwt(alg => 'HS256', key => 'hs', claims =>
                   qq({"sub":"t\\udce9e0","iss":"https://idp.example.test",)
                   . qq("aud":"chatsession","exp":) . int($now + 600) . '}'));
    is($res->code, 401, 'Bearer sub with a lone surrogate escape: 401');
    my $log = error_log_since($mark);
    my @bad = grep { /:(?:error|crit|alert|emerg)\]/ } split /\n/, $log;
    is(scalar(@bad), 0, '... and no error-level log line')
        or diag(join "\n", @bad[0 .. ($#bad < 5 ? $#bad : 5)]);
}

# ---- finding 6: a 401 costs the same whoever the user is ---------------
{
    my %t;
    for my $round (1 .. 5) {
        for my $who (['known', 'tje0'], ['unknown', "nobody-$$"],
                     ['nohash', 'hd_nohash']) {
            my $t0 = time;
            my $code = req(GET => $URL, auth => [$who->[1], "wrong-$round"])
                ->code;
            push @{ $t{$who->[0]} }, time - $t0;
            die "expected 401 for $who->[0], got $code" unless $code == 401;
        }
    }
    my %med = map { my @s = sort { $a <=> $b } @{ $t{$_} };
                    ($_ => $s[@s / 2]) } keys %t;
    diag(sprintf '401 medians: known %.1f ms, unknown %.1f ms, '
         . 'no hash %.1f ms', map { 1000 * $med{$_} } qw(known unknown nohash));
    ok($med{unknown} >= $med{known} / 3,
       'a 401 for an unknown user takes as long as for a known one');
    ok($med{nohash} >= $med{known} / 3,
       '... and for a user without a password hash');
}

# ---- finding 9: NUL in $select -------------------------------------------
for my $q ('$select=CustomerName%00x', '$select=%00', '%24select=%00',
           '$select=%zz', '$select%00=CustomerName') {
    my $res = req(GET => "$URL?$q");
    is($res->code, 400, "?$q: 400") or diag($res->as_string);
    my $doc = json_body($res) || {};
    like(($doc->{ErrorMessage} // '') . ' ' . ($doc->{Field} // ''),
         qr/\$select/, '... naming $select');
}
is(req(GET => "$URL?\$select=CustomerName&x=%00")->code, 200,
   'a NUL in a parameter we do not read is no matter');
{
    # '/' selects a carrier's member; clients encode it as %2F.
    my $res = req(GET => "$URL?\$select=User%2FAssociateId,CustomerName");
    is($res->code, 200, '$select=User%2FAssociateId: 200');
    my $doc = json_body($res) || {};
    ok(exists $doc->{CustomerName} && ref $doc->{User} eq 'HASH',
       '... selecting the carrier member and the field');
}

# ---- finding 10: TRACE --------------------------------------------------
{
    # Outside our resource httpd's core answers TRACE: TraceEnable Off.
    my $res = req(TRACE => '/index.html');
    is($res->code, 405, 'TRACE /index.html: 405 (TraceEnable Off)');
    unlike($res->content, qr/Authorization|Basic /i,
           '... not echoing the request');
    # On the resource (where our map_to_storage takes the request from
    # core), the handler refuses it after authentication.
    $res = req(TRACE => $URL);
    is($res->code, 405, 'TRACE on the resource: 405');
    unlike($res->content, qr/Authorization|Basic /i,
           '... not echoing the request');
    is($res->header('Server'), 'Apache', 'ServerTokens Prod');
}

# ---- finding 11: error bodies are valid UTF-8 JSON ----------------------
sub utf8_json_error {
    my ($res, $name, $status) = @_;
    if (defined $status) {
        is($res->code, $status, "$name: $status") or diag($res->as_string);
    }
    else {
        ok($res->code >= 400 && $res->code < 500, "$name: 4xx ("
           . $res->code . ')');
    }
    my $bytes = $res->content;
    my $text = eval { Encode::decode('UTF-8', my $copy = $bytes,
                                     Encode::FB_CROAK) };
    ok(defined $text, "$name: the body is valid UTF-8")
        or diag(unpack('H*', substr($bytes, 0, 200)));
    my $doc = eval { JSON::PP->new->utf8->decode($bytes) };
    ok(ref $doc eq 'HASH' && $doc->{Error}, "$name: a JSON error body");
}
utf8_json_error(req(GET => $URL, headers => ['SO-TimeZone' => "N\xffO"]),
                'SO-TimeZone with a raw \xff', 400);
utf8_json_error(req(GET => $URL,
                    headers => ['SO-TimeZone' => "US-NY,\xc3(x"]),
                'SO-TimeZone with a broken sequence', 400);
# Languages that are not tags are ignored; the error then must still be
# valid (on an id that does not exist).
utf8_json_error(req(GET => "$BASE/99999998",
                    headers => ['SO-Language' => "n\xffb"]),
                'SO-Language with a raw \xff', 404);
utf8_json_error(req(GET => "$BASE/99999998",
                    headers => ['Accept-Language' => "\xe9\xff"]),
                'Accept-Language with raw bytes', 404);
utf8_json_error(req(GET => "$URL?\$select=Customer%FFName"),
                '$select with %FF', 400);
utf8_json_error(req(GET => "$BASE/84%E94"), 'an id with %E9', 400);
utf8_json_error(req(PATCH => $URL, content_type => 'application/merge-patch+json',
                    body => "{\"Cust\xffomer\":1}"),
                'a JSON field name with a raw \xff', 400);
utf8_json_error(req(PATCH => $URL, content_type => 'application/merge-patch+json',
                    body => "{\"Cust\xc3\xa9mer\":1}"),
                'an unknown JSON field name with an \xe9', 400);
utf8_json_error(req(PUT => $URL, content_type => 'application/xml',
                    body => "<ChatSessionEntity><Cust\xc3\xa9mer>1"
                          . "</Cust\xc3\xa9mer></ChatSessionEntity>"),
                'an unknown XML element name with an \xe9', 400);
utf8_json_error(req(PUT => $URL, content_type => 'application/xml',
                    body => "<ChatSessionEntity><Cust\xffmer>1"
                          . "</Cust\xffmer></ChatSessionEntity>"),
                'an XML element name with a raw \xff', 400);
is(version(), $v0, 'none of them changed the row');

# ---- Responses: no-store and nosniff, success and error alike ----------
sub guarded {
    my ($res, $name, $nosniff) = @_;
    is($res->header('Cache-Control'), 'no-store',
       "$name: Cache-Control: no-store");
    is($res->header('X-Content-Type-Options'), $nosniff ? 'nosniff' : undef,
       "$name: X-Content-Type-Options" . ($nosniff ? ': nosniff' : ' (none)'));
}
{
    my $res = req(GET => $URL);
    is($res->code, 200, 'GET: 200');
    guarded($res, 'GET 200', 1);
    my $etag = $res->header('ETag');
    $res = req(GET => $URL, headers => ['If-None-Match' => $etag]);
    is($res->code, 304, 'GET If-None-Match: 304');
    is($res->header('Cache-Control'), 'no-store',
       '304: Cache-Control: no-store (RFC 9110 15.4.5: as the 200 would)');
    guarded(req(GET => "$BASE/99999999"), 'GET 404', 1);
    guarded(req(GET => $URL, auth => undef), 'no credentials 401', 1);
    guarded(req(PATCH => $URL, authorization => $READ_AUTH,
                body => [{ op => 'test', path => '/CustomerName',
                           value => 'x' }]), 'PATCH 403', 1);
    guarded(req(PATCH => $URL, body => [{ op => 'replace',
                                          path => '/CustomerName',
                                          value => 'Hardened 2' }]),
            'PATCH 200', 1);
}
