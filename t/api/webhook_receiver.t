# The webhook tests' receiver, on its own (issue 20, design §10):
# t/bin/webhook-receiver.js through t/lib/ChatSession/Receiver.pm,
# driven by requests this file makes itself (raw sockets where the exact
# bytes matter, LWP, curl for HTTPS), before any deliverer exists. It
# proves what the end-to-end webhook tests rely on:
# - the test CA and the unrelated one, with the receiver's certificates;
# - the log: raw header names and order, exact body bytes, listener,
#   connection (keep-alive), nothing of the control endpoint;
# - the answers per path prefix: ok, status, count, slow, hang + release,
#   redirect, drop, size, longest prefix, reset, and refused rules;
# - HTTPS verifies with the test CA (IP and DNS names), not with the
#   other, and the "wrong" listener the other way round;
# - check_delivery: a delivery built here as SuperOffice sends it passes,
#   signed and not, and each kind of mistake is reported, alone.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Receiver qw(node_bin make_certs check_delivery header
                             header_values sign top_keys);
use File::Temp ();
use IO::Select ();
use IO::Socket::INET ();
use LWP::UserAgent ();
use POSIX ();
use HTTP::Request ();
use Time::HiRes qw(time);

plan tests => 78, need_lwp;

# The C unit test's reference (t/unit/chats_webhook_unit.c, BODY0, SECRET,
# SIG0: a signature made with `openssl dgst -hmac` when it was written).
my $GUID = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
my $SECRET = "It's a secret to everybody";
my $BODY0 = qq({"EventId":"$GUID","Timestamp":"2026-01-01T10:00:00.1234560Z",)
    . q("Changes":["chatSession.status","chatSession.userId"],)
    . q("Event":"chatsession.changed","PrimaryKey":844,)
    . q("Entity":"chatsession","ContextIdentifier":"Default",)
    . q("ChangedByAssociateId":5,"WebhookName":"Sales hook",)
    . q("FieldValues":{"AlertLevel":0,"Status":6,"UserId":5},)
    . q("Tenant":"acme"});
my $SIG0 = 'eKvZOMV4B5MM/u6aKe/7c6KuBcvLeo6PMBtb8kHdjvY=';

ok(my $node = node_bin(), 'node is installed (Debian package nodejs)')
    or exit 1;

# ---- certificates ----------------------------------------------------------
my $certs = make_certs();
is(make_certs()->{ca}, $certs->{ca}, 'make_certs: made once, then reused');
sub openssl_verify {
    my ($ca, $cert) = @_;
    my $out = `openssl verify -CAfile '$ca' '$cert' 2>&1`;
    return ($? == 0, $out);
}
my ($good, $out) = openssl_verify($certs->{ca}, $certs->{cert});
ok($good, 'the receiver certificate verifies with the test CA') or diag $out;
($good, $out) = openssl_verify($certs->{wrong_ca}, $certs->{wrong_cert});
ok($good, 'the wrong certificate verifies with the wrong CA') or diag $out;
($good) = openssl_verify($certs->{ca}, $certs->{wrong_cert});
ok(!$good, 'the wrong certificate does not verify with the test CA');
like(scalar `openssl x509 -in '$certs->{cert}' -noout -ext subjectAltName`,
     qr/IP Address:127\.0\.0\.2, DNS:localhost/,
     'SAN: IP 127.0.0.2 and DNS localhost');

# ---- start -----------------------------------------------------------------
my $rx = ChatSession::Receiver->start(certs => $certs);
ok(kill(0, $rx->pid), 'the receiver runs');
like($rx->url('http', '/x'), qr{^http://127\.0\.0\.2:\d+/x$}, 'http URL');
like($rx->url('https', '/x'), qr{^https://127\.0\.0\.2:\d+/x$}, 'https URL');
isnt($rx->port('https_wrong'), $rx->port('https'), 'a third listener');

# raw_send($path, $head, $body[, $method]): one request (POST unless
# told), written byte for byte on a fresh connection -> the socket;
# raw(...) -> the answer's text, up to EOF (Connection: close).
sub raw_send {
    my ($path, $head, $body, $method) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.2',
                                  PeerPort => $rx->port('http'),
                                  Timeout => 30) or die "connect: $!";
    binmode $s;
    print {$s} ($method || 'POST') . " $path HTTP/1.1\r\nHost: 127.0.0.2\r\n$head"
             . 'Content-Length: ' . length($body) . "\r\n"
             . "Connection: close\r\n\r\n$body";
    return $s;
}
sub read_all {
    my $s = shift;
    local $/;
    my $text = <$s>;
    return defined $text ? $text : '';
}
sub raw { return read_all(raw_send(@_)) }

# ---- the log -----------------------------------------------------------------
my $body = "caf\xc3\xa9 \x00\xff\r\n{\"a\":1}";     # bytes, not text
my $answer = raw('/log/raw?q=1',
                 "X-MiXeD-CaSe: one\r\nx-dup: 1\r\nX-Dup: 2\r\n", $body);
like($answer, qr{^HTTP/1\.1 200 .*\r\n\r\n\{"ok":true\}\z}s,
     'default mode: 200 {"ok":true}');
my ($d) = $rx->deliveries(path => '/log/raw');
is($d->{body}, $body, 'the log keeps the exact body bytes');
is_deeply([map { $_->[0] } @{ $d->{headers} }],
          [qw(Host X-MiXeD-CaSe x-dup X-Dup Content-Length Connection)],
          'raw header names, as sent and in order');
is_deeply([header_values($d, 'X-DUP')], [1, 2],
          'repeated headers kept apart');
is_deeply([@$d{qw(method path listener http_version)}],
          ['POST', '/log/raw?q=1', 'http', '1.1'],
          'method, path with query, listener, version');
ok($d->{seq} > 0 && $d->{t} > 1e12 && $d->{t_end} >= $d->{t},
   'seq and receive times (ms since the epoch)');

my $ua = LWP::UserAgent->new(keep_alive => 1, timeout => 30,
                             max_redirect => 0);
sub post {
    my ($path, $content) = @_;
    return $ua->post($rx->url('http', $path),
                     'Content-Type' => 'application/json',
                     Content => defined $content ? $content : '{}');
}
post('/log/ka/1');
post('/log/ka/2');
my @ka = $rx->deliveries(path => '/log/ka/');
is(scalar @ka, 2, 'two requests logged');
is($ka[0]{conn}, $ka[1]{conn}, 'keep-alive: one connection for both');
ok(!grep({ $_->{path} =~ m{^/_} } $rx->deliveries),
   'control requests are not logged');

# ---- modes -----------------------------------------------------------------
$rx->set_mode('/m/status', mode => 'status', status => 500, body => 'boom');
my $res = post('/m/status');
is($res->code . ' ' . $res->content, '500 boom', 'status: 500 with its body');
is(post('/m/status/deeper')->code, 500, 'a rule covers its prefix');
is(post('/m/other')->code, 200, 'other paths stay ok');
$rx->set_mode('/m/status/deeper', mode => 'ok', body => 'fine');
is(post('/m/status/deeper/x')->content, 'fine', 'the longest prefix wins');
is(post('/m/status/x')->code, 500, '... the shorter one still applies');

# Numbers given as strings (a regex capture, say) still count as numbers.
$rx->set_mode('/m/count', mode => 'status', status => '503', count => '2');
is(join(' ', map { post('/m/count')->code } 1 .. 3), '503 503 200',
   'count: the rule serves 2 requests, then is gone');

$rx->set_mode('/m/size', size => 70000);
is(length(post('/m/size')->content), 70000, 'size: a body of that size');

$rx->set_mode('/m/redirect', mode => 'redirect',
              redirect => 'http://10.0.0.1/');
$res = post('/m/redirect');
is($res->code, 302, 'redirect: 302');
is($res->header('Location'), 'http://10.0.0.1/', 'redirect: Location');

$rx->set_mode('/m/slow', mode => 'slow', slow => 1.5);
my $t0 = time;
$res = post('/m/slow');
my $took = time - $t0;
is($res->code, 200, 'slow: answers 200');
# A lower bound only: the receiver cannot answer before its timer fires.
cmp_ok($took, '>=', 1.45, 'slow: not before 1.5 s');

$rx->set_mode('/m/drop', mode => 'drop');
is(raw('/m/drop', '', '{}'), '', 'drop: the connection closes, no answer');
ok(scalar $rx->deliveries(path => '/m/drop'), 'drop: the request is logged');

$rx->set_mode('/m/hang', mode => 'hang');
my $s = raw_send('/m/hang', '', '{}');
ok($rx->wait_for(sub { @_ == 1 }, 30, path => '/m/hang'),
   'hang: the request is logged');
ok(!IO::Select->new($s)->can_read(0.5), 'hang: no answer while hung');
$rx->release;
like(read_all($s), qr{^HTTP/1\.1 200 }, 'hang: release answers 200');

my $before = () = $rx->deliveries;
$rx->reset;
is(post('/m/status')->code, 200, 'reset: rules gone');
is(scalar(() = $rx->deliveries), $before + 1, 'reset: the log stays');

my $ctl = sub {
    my $r = $ua->post($rx->url('http', '/_control'), Content => shift);
    return $r->code . ' ' . $r->content;
};
like($ctl->('{"path":"x"}'), qr/^400 .*"path:/, 'control: a bad path');
like($ctl->('{"path":"/a","mode":"status"}'), qr/^400 .*"status:/,
     'control: status mode without a status');
like($ctl->('{"path":"/a","mode":"sleep"}'), qr/^400 .*"mode:/,
     'control: an unknown mode');
like($ctl->('{"path":"/a","slow":-1}'), qr/^400 .*"slow:/,
     'control: a negative delay');
like($ctl->('not json'), qr/^400 .*"\(body\):/, 'control: not JSON');

ok(!$rx->wait_for(sub { grep { $_->{path} eq '/never' } @_ }, 0.2),
   'wait_for: undef when the condition never holds');

# ---- HTTPS -----------------------------------------------------------------
# curl($ca, $url, @more) -> (exit code, HTTP status, stderr)
sub curl {
    my ($ca, $url, @more) = @_;
    my $err = File::Temp->new;
    my $pid = open(my $fh, '-|') // die "fork: $!";
    if (!$pid) {
        open STDERR, '>&', $err or POSIX::_exit(126);
        { exec 'curl', '-q', '--silent', '--show-error', '--noproxy', '*',
               '--max-time', 30, '--cacert', $ca, '-o', '/dev/null',
               '-w', '%{http_code}', '--data-binary', 'tls', @more, $url }
        POSIX::_exit(127);
    }
    local $/;
    my $code = <$fh>;
    close $fh;
    my $rc = $? >> 8;
    seek $err, 0, 0;
    return ($rc, $code, scalar <$err>);
}
my ($rc, $code, $cerr) = curl($certs->{ca}, $rx->url('https', '/tls/ok'));
is("$rc $code", '0 200', 'HTTPS with the test CA verifies') or diag $cerr;
($d) = $rx->deliveries(path => '/tls/ok');
is_deeply([@$d{qw(listener body)}], ['https', 'tls'],
          'HTTPS: logged, listener https');
($rc, $code, $cerr) = curl($certs->{ca},
    'https://localhost:' . $rx->port('https') . '/tls/dns',
    '--resolve', 'localhost:' . $rx->port('https') . ':127.0.0.2');
is("$rc $code", '0 200', 'HTTPS: the DNS name localhost verifies too')
    or diag $cerr;
($rc, $code, $cerr) = curl($certs->{wrong_ca}, $rx->url('https', '/tls/no'));
is($rc, 60, 'HTTPS with the other CA: curl refuses the peer (exit 60)')
    or diag $cerr;
($rc, $code, $cerr) = curl($certs->{ca}, $rx->url('https_wrong', '/tls/no'));
is($rc, 60, 'the wrong listener fails with the test CA') or diag $cerr;
($rc, $code) = curl($certs->{wrong_ca}, $rx->url('https_wrong', '/tls/w'));
is("$rc $code", '0 200', '... and verifies with its own CA');
is(scalar(() = $rx->deliveries(path => '/tls/no')), 0,
   'a refused handshake logs nothing');

# ---- check_delivery ----------------------------------------------------------
is(sign($BODY0, $SECRET), $SIG0, "sign() = the C unit test's openssl value");
is_deeply([top_keys($BODY0)],
          [qw(EventId Timestamp Changes Event PrimaryKey Entity
              ContextIdentifier ChangedByAssociateId WebhookName FieldValues
              Tenant)], 'top_keys: in byte order, nested ones skipped');

# deliver($name, %o): POST the reference body (or o{body}) the way the
# deliverer will, with SuperOffice's headers (o{set} replaces or, with
# undef, removes some), signed with o{key} when given; -> the logged
# request.
my $n = 0;
sub deliver {
    my ($name, %o) = @_;
    my $b = defined $o{body} ? $o{body} : $BODY0;
    my @h = (['Content-Type', 'application/json; charset=utf-8'],
             ['User-Agent', 'NetServer-Webhook/1.0 mod_chatsession/test'],
             ['X-SuperOffice-Event', 'chatsession.changed'],
             ['X-SuperOffice-EventId', $GUID],
             ['X-SuperOffice-Retry', '0']);
    push @h, ['X-SuperOffice-Signature', sign($o{sign_body} // $b, $o{key})]
        if defined $o{key};
    push @h, ['X-Tenant', 'acme'];
    my %set = %{ $o{set} || {} };
    my %sent = map { $_->[0] => 1 } @h;
    @h = map { !exists $set{$_->[0]} ? $_
             : defined $set{$_->[0]} ? [$_->[0], $set{$_->[0]}] : () } @h;
    push @h, map { [$_, $set{$_}] }
             grep { !$sent{$_} && defined $set{$_} } sort keys %set;
    my $path = '/check/' . ++$n;
    my $text = raw($path, join('', map { "$_->[0]: $_->[1]\r\n" } @h), $b,
                   $o{method});
    die "no answer to $path" unless $text =~ /^HTTP/;
    my ($got) = $rx->deliveries(path => $path);
    return $got;
}

my %all = (secret => $SECRET, retry => 0, event => 'chatsession.changed',
           event_id => $GUID, primary_key => 844, entity => 'chatsession',
           context => 'Default', changed_by => 5, webhook_name => 'Sales hook',
           changes => ['chatSession.status', 'chatSession.userId'],
           field_values => { AlertLevel => 0, Status => 6, UserId => 5 },
           properties => { Tenant => 'acme' },
           headers => { 'X-Tenant' => 'acme' });
is_deeply([check_delivery(deliver('good', key => $SECRET), %all)], [],
          'a signed delivery as SuperOffice sends it: no problem');
is(header(deliver('sig', key => $SECRET), 'X-SuperOffice-Signature'),
   $SIG0, 'the signature sent is the reference one');
is_deeply([check_delivery(deliver('unsigned'), %all, secret => undef)], [],
          'an unsigned delivery for a webhook without secret: no problem');
my $test_body = $BODY0 =~ s/"chatsession\.changed"/"test"/r;
is_deeply([check_delivery(deliver('test', body => $test_body,
               set => { 'X-SuperOffice-Event' => 'test',
                        'X-Hook-Test' => 'true' }))], [],
          'a test event with X-Hook-Test: no problem');

# One mistake each: exactly one problem, naming it.
my @bad = (
    [ 'signed, but no secret', [key => $SECRET], [secret => undef],
      qr/^X-SuperOffice-Signature: present, but the webhook has no secret/ ],
    [ 'unsigned, but a secret', [], [],
      qr/^X-SuperOffice-Signature: absent/ ],
    [ 'signed with another key', [key => 'not the secret'], [],
      qr/^X-SuperOffice-Signature: .* is not the HMAC-SHA256/ ],
    [ 'signed over other bytes',
      [key => $SECRET, sign_body => $BODY0 =~ s/,/, /r], [],
      qr/^X-SuperOffice-Signature: .* is not the HMAC-SHA256/ ],
    [ 'Content-Type without charset',
      [set => { 'Content-Type' => 'application/json' }], [secret => undef],
      qr/^Content-Type: 'application\/json', expected/ ],
    [ 'another User-Agent', [set => { 'User-Agent' => 'curl/8' }],
      [secret => undef], qr/^User-Agent: 'curl\/8' does not start/ ],
    [ 'EventId header not the body\'s',
      [set => { 'X-SuperOffice-EventId' => '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4c' }],
      [secret => undef],
      qr/^X-SuperOffice-EventId: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4c', but the body's EventId/ ],
    [ 'Event header missing', [set => { 'X-SuperOffice-Event' => undef }],
      [secret => undef], qr/^X-SuperOffice-Event: sent 0 times/ ],
    [ 'Retry header not a number', [set => { 'X-SuperOffice-Retry' => 'x' }],
      [secret => undef, retry => undef], qr/^X-SuperOffice-Retry: 'x' is not/ ],
    [ 'Retry other than expected', [], [secret => undef, retry => 2],
      qr/^X-SuperOffice-Retry: 0, expected 2/ ],
    [ 'header name spelled otherwise',
      [set => { 'X-SuperOffice-Retry' => undef, 'x-superoffice-retry' => 0 }],
      [secret => undef], qr/^X-SuperOffice-Retry: spelled x-superoffice-retry/ ],
    [ 'a webhook header missing', [set => { 'X-Tenant' => undef }],
      [secret => undef], qr/^X-Tenant: absent, expected 'acme'/ ],
    [ 'X-Hook-Test on a change', [set => { 'X-Hook-Test' => 'true' }],
      [secret => undef], qr/^X-Hook-Test: 'true' on an event other than test/ ],
    [ 'Timestamp before EventId',
      [body => $BODY0 =~ s/^\{("EventId":"[^"]+"),("Timestamp":"[^"]+")/{$2,$1/r],
      [secret => undef],
      qr/^body: members begin 'Timestamp EventId Changes/ ],
    [ 'a property before FieldValues',
      [body => $BODY0 =~ s/("FieldValues":\{[^}]*\}),("Tenant":"acme")/$2,$1/r],
      [secret => undef], qr/^body: members begin .* Tenant', expected .* FieldValues'/ ],
    [ 'Timestamp with 6 fraction digits',
      [body => $BODY0 =~ s/1234560Z/123456Z/r], [secret => undef],
      qr/^body: Timestamp "2026-01-01T10:00:00\.123456Z" is not UTC with 7/ ],
    [ 'PrimaryKey as a string', [body => $BODY0 =~ s/:844,/:"844",/r],
      [secret => undef], qr/^body: PrimaryKey "844" is not an integer/ ],
    [ 'a property that differs', [], [secret => undef,
      properties => { Tenant => 'other' }],
      qr/^body: Properties member Tenant differs/ ],
    [ 'FieldValues other than expected', [],
      [secret => undef, field_values => { Status => 7 }],
      qr/^body: FieldValues \{.*\}, expected \{"Status":7\}/ ],
    [ 'not POST', [method => 'PUT'], [secret => undef],
      qr/^method: PUT, expected POST/ ],
);
for my $b (@bad) {
    my ($what, $send, $expect, $re) = @$b;
    my $got = deliver($what, @$send);
    my @p = check_delivery($got, %all, @$expect);
    ok(@p == 1 && $p[0] =~ $re, "reported: $what")
        or diag explain \@p;
}

# ---- stop --------------------------------------------------------------------
my $pid = $rx->pid;
my $port = $rx->port('http');
$rx->stop;
ok(!kill(0, $pid), 'stop: the process is gone');
ok(!IO::Socket::INET->new(PeerAddr => '127.0.0.2', PeerPort => $port),
   'stop: its port is closed');
