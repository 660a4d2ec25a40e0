package ChatSession::Receiver;

# A real webhook receiver for the tests (issue 20, design §10):
# t/bin/webhook-receiver.js under node, on 127.0.0.2, plain HTTP plus
# HTTPS with a test CA's certificate (and a third listener whose
# certificate comes from an unrelated CA), every request in a JSON-lines
# log. This module makes the certificates, starts and stops the process,
# sets its answers, reads what it received, and checks that a delivery is
# what SuperOffice sends:
#
#   my $certs = make_certs();                  # once per run, t/conf/webhook-tls
#   my $rx = ChatSession::Receiver->start(certs => $certs);
#   $rx->url('https', '/hook1');               # https://127.0.0.2:P/hook1
#   $rx->set_mode('/hook1', mode => 'status', status => 500, count => 2);
#   my $d = $rx->wait_for(sub { @_ >= 3 }, 30, path => '/hook1');
#   is_deeply([check_delivery($d->[0], secret => 's')], [], 'signed')
#
# wait_for's timeout is a safety net for a delivery that never comes,
# never a measure of speed. Only loopback is ever listened on.

use strict;
use warnings;

use Exporter 'import';
use Carp qw(croak);
use Digest::SHA qw(hmac_sha256_base64);
use Encode ();
use File::Basename qw(dirname);
use File::Path qw(make_path remove_tree);
use File::Spec ();
use HTTP::Tiny ();
use IO::Select ();
use JSON::PP ();
use MIME::Base64 qw(decode_base64);
use POSIX ();
use Time::HiRes qw(sleep time);

our @EXPORT_OK = qw(node_bin make_certs check_delivery header header_values
                    body_json top_keys sign STANDARD_KEYS);

use constant HOST => '127.0.0.2';
use constant READY_WAIT => 60;      # seconds for node to start listening
# The body's first members, in SuperOffice's order; FieldValues follows
# when present, then the webhook's Properties.
use constant STANDARD_KEYS => qw(EventId Timestamp Changes Event PrimaryKey
    Entity ContextIdentifier ChangedByAssociateId WebhookName);
# Request headers as chats_webhook_payload.h spells them (SuperOffice's).
my @ONCE = ('Content-Type', 'User-Agent', 'X-SuperOffice-Event',
            'X-SuperOffice-EventId', 'X-SuperOffice-Retry');
my $GUID = qr/\A[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\z/;
my $JSON = JSON::PP->new->utf8->allow_nonref->canonical;

my $SCRIPT = File::Spec->catfile(dirname(__FILE__), File::Spec->updir,
                                 File::Spec->updir, 'bin',
                                 'webhook-receiver.js');
my %LIVE;                           # pid => receiver, for END
my $OWNER = $$;

# node_bin() -> the node executable, found as ChatSession::Test's
# client_script finds it (PATH, then /usr/bin and /usr/local/bin), or
# undef.
sub node_bin {
    my ($node) = grep { -x } map { File::Spec->catfile($_, 'node') }
                      split /:/, ($ENV{PATH} || '') . ':/usr/bin:/usr/local/bin';
    return $node;
}

sub t_dir {
    my $which = shift;
    require Apache::Test;
    my $d = Apache::Test::vars($which)
        or croak "Apache::Test has no $which: pass a directory";
    return $d;
}

# ---- certificates ---------------------------------------------------------

my $OPENSSL_CNF = <<'CNF';
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.2,DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF

sub openssl_run {
    my ($dir, @args) = @_;
    my $err = File::Spec->catfile($dir, 'openssl.err');
    my $pid = fork // croak "fork: $!";
    if ($pid == 0) {
        open STDOUT, '>>', $err or POSIX::_exit(126);
        open STDERR, '>>', $err or POSIX::_exit(126);
        exec 'openssl', @args or POSIX::_exit(127);
    }
    waitpid $pid, 0;
    return if $? == 0;
    open my $fh, '<', $err;
    local $/;
    croak "openssl @args failed ($?): " . (<$fh> // '');
}

# A CA and a server certificate it signed, named "$name-ca.pem",
# "$name-ca.key", "$name-server.pem", "$name-server.key" in $dir. EC
# P-256 keys: quick to make, and every TLS stack here takes them.
sub make_pair {
    my ($dir, $name, $cn) = @_;
    my $cnf = File::Spec->catfile($dir, 'openssl.cnf');
    my $f = sub { File::Spec->catfile($dir, "$name-$_[0]") };
    my @ec = ('-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
              '-nodes');
    openssl_run($dir, 'req', '-x509', '-config', $cnf, '-extensions',
                'ca_ext', @ec, '-keyout', $f->('ca.key'), '-out',
                $f->('ca.pem'), '-days', 30, '-subj', "/CN=$cn");
    openssl_run($dir, 'req', '-new', '-config', $cnf, @ec, '-keyout',
                $f->('server.key'), '-out', $f->('server.csr'), '-subj',
                '/CN=127.0.0.2');
    openssl_run($dir, 'x509', '-req', '-in', $f->('server.csr'), '-CA',
                $f->('ca.pem'), '-CAkey', $f->('ca.key'), '-set_serial',
                sprintf('0x%08x%08x', int rand 2**32, int rand 2**32),
                '-days', 30, '-extfile', $cnf, '-extensions', 'server_ext',
                '-out', $f->('server.pem'));
    unlink $f->('server.csr');
}

sub cert_paths {
    my $dir = shift;
    my %p = (dir => $dir);
    for my $name (qw(test wrong)) {
        my $k = $name eq 'test' ? '' : 'wrong_';
        $p{"${k}ca"}       = File::Spec->catfile($dir, "$name-ca.pem");
        $p{"${k}ca_key"}   = File::Spec->catfile($dir, "$name-ca.key");
        $p{"${k}cert"}     = File::Spec->catfile($dir, "$name-server.pem");
        $p{"${k}key"}      = File::Spec->catfile($dir, "$name-server.key");
    }
    return \%p;
}

# make_certs([$dir]) -> { dir, ca, ca_key, cert, key, wrong_ca,
# wrong_ca_key, wrong_cert, wrong_key }: the test CA (ca: the PEM to give
# httpd as ChatSessionWebhookCAFile) and the receiver's certificate it
# signed (SAN IP:127.0.0.2, DNS:localhost), and an unrelated "wrong" CA
# with a certificate for the same names. Made once with the openssl
# command into $dir (default t/conf/webhook-tls, git-ignored), then
# reused: the directory appears whole or not at all, so a run that dies
# half way leaves nothing to trip over. t/TEST.PL's configure may call it
# too, so that httpd's configuration can name the CA before it starts.
sub make_certs {
    my $dir = shift || File::Spec->catdir(t_dir('t_conf'), 'webhook-tls');
    my $p = cert_paths($dir);
    return $p if -d $dir && !grep { !-s $p->{$_} } grep { $_ ne 'dir' } keys %$p;
    croak "$dir exists but lacks certificates: remove it" if -e $dir;
    my $tmp = "$dir.tmp$$";
    remove_tree($tmp);
    make_path($tmp);
    open my $fh, '>', File::Spec->catfile($tmp, 'openssl.cnf')
        or croak "$tmp: $!";
    print {$fh} $OPENSSL_CNF;
    close $fh or croak "$tmp/openssl.cnf: $!";
    make_pair($tmp, 'test', 'mod_chatsession webhook test CA');
    make_pair($tmp, 'wrong', 'mod_chatsession unrelated test CA');
    unlink File::Spec->catfile($tmp, 'openssl.err');
    unless (rename $tmp, $dir) {     # made meanwhile by another process?
        remove_tree($tmp);
        croak "rename $tmp $dir: $!" unless -d $dir;
    }
    return $p;
}

# ---- the process ----------------------------------------------------------

# ChatSession::Receiver->start(certs => make_certs(), dir => $logdir,
#     http_port => 0, https_port => 0, wrong_port => 0, tls => 1)
# Starts the receiver (0 = a port of the kernel's choice) and waits for
# its ready line. tls => 0: plain HTTP only. The log goes in dir (default
# t/logs/webhook-receiver), one file per receiver.
my $N = 0;
sub start {
    my ($class, %o) = @_;
    my $node = node_bin() or croak 'node not found (Debian package nodejs)';
    my $tls = exists $o{tls} ? $o{tls} : 1;
    my $certs = $tls ? ($o{certs} || make_certs()) : undef;
    my $dir = $o{dir}
        || File::Spec->catdir(t_dir('t_logs'), 'webhook-receiver');
    make_path($dir);
    my $base = File::Spec->catfile($dir, sprintf 'rx-%d-%d', $$, ++$N);
    my $self = bless { log => "$base.jsonl", stderr => "$base.err",
                       certs => $certs, host => HOST, parsed => [],
                       offset => 0, partial => '' }, $class;
    unlink $self->{log};
    my @args = ('--host', HOST, '--log', $self->{log},
                '--http-port', $o{http_port} || 0);
    push @args, '--https-port', $o{https_port} || 0,
                '--cert', $certs->{cert}, '--key', $certs->{key},
                '--wrong-port', $o{wrong_port} || 0,
                '--wrong-cert', $certs->{wrong_cert},
                '--wrong-key', $certs->{wrong_key} if $tls;
    $self->spawn($node, @args);
    return $self;
}

sub spawn {
    my ($self, $node, @args) = @_;
    pipe(my $out_r, my $out_w) or croak "pipe: $!";
    pipe(my $in_r, my $in_w) or croak "pipe: $!";
    my $pid = fork // croak "fork: $!";
    if ($pid == 0) {
        # stdin: the receiver exits at its EOF, when this test is gone.
        open STDIN, '<&', $in_r or POSIX::_exit(126);
        open STDOUT, '>&', $out_w or POSIX::_exit(126);
        open STDERR, '>>', $self->{stderr} or POSIX::_exit(126);
        exec $node, $SCRIPT, @args or POSIX::_exit(127);
    }
    close $out_w;
    close $in_r;
    @$self{qw(pid stdin)} = ($pid, $in_w);
    $LIVE{$pid} = $self;
    my $line = '';
    my $sel = IO::Select->new($out_r);
    my $until = time + READY_WAIT;
    while ($line !~ /\n/ && (my $left = $until - time) > 0) {
        last unless $sel->can_read($left);
        last unless sysread $out_r, $line, 4096, length $line;
    }
    close $out_r;
    my $ready = $line =~ /\n/ ? eval { $JSON->decode($line) } : undef;
    unless ($ready && $ready->{http}) {
        $self->stop;
        croak "webhook receiver did not start: " . slurp($self->{stderr});
    }
    @$self{qw(http_port https_port wrong_port)}
        = @$ready{qw(http https https_wrong)};
}

sub slurp {
    my $f = shift;
    open my $fh, '<:raw', $f or return '';
    local $/;
    my $s = <$fh>;
    return defined $s ? $s : '';
}

# $rx->stop: TERM, then KILL if it has not gone within 10 s.
sub stop {
    my $self = shift;
    my $pid = delete $self->{pid} or return;
    delete $LIVE{$pid};
    close delete $self->{stdin} if $self->{stdin};
    kill 'TERM', $pid;
    for (1 .. 200) {
        return if waitpid($pid, POSIX::WNOHANG()) != 0;
        sleep 0.05;
    }
    kill 'KILL', $pid;
    waitpid $pid, 0;
}

END {
    if ($$ == $OWNER) {
        local $?;
        $_->stop for values %LIVE;
    }
}

sub pid { $_[0]{pid} }
sub log_file { $_[0]{log} }
sub certs { $_[0]{certs} }

# $rx->port('http' | 'https' | 'https_wrong')
sub port {
    my ($self, $listener) = @_;
    my $p = $self->{{ http => 'http_port', https => 'https_port',
                      https_wrong => 'wrong_port' }->{$listener} || ''};
    croak "no $listener listener" unless $p;
    return $p;
}

# $rx->url($listener, $path) -> "http://127.0.0.2:P$path" (https for
# https and https_wrong).
sub url {
    my ($self, $listener, $path) = @_;
    my $scheme = $listener eq 'http' ? 'http' : 'https';
    return "$scheme://" . HOST . ':' . $self->port($listener)
         . (defined $path ? $path : '/');
}

# ---- control --------------------------------------------------------------

sub control {
    my ($self, $path, $doc) = @_;
    my $ua = HTTP::Tiny->new(timeout => 30, proxy => undef,
                             http_proxy => undef, https_proxy => undef);
    my $res = $ua->post($self->url('http', $path), {
        headers => { 'Content-Type' => 'application/json' },
        content => $JSON->encode($doc || {}) });
    croak "receiver $path: $res->{status} $res->{content}"
        unless $res->{status} == 204;
}

# $rx->set_mode($prefix, mode => 'ok'|'status'|'slow'|'hang'|'redirect'|
#     'drop', status => 500, body => '...', size => $n, slow => 2.5,
#     redirect => 'http://10.0.0.1/', count => $n): how requests whose
# path starts with $prefix are answered (t/bin/webhook-receiver.js).
sub set_mode {
    my ($self, $prefix, %rule) = @_;
    # As JSON numbers, even when they come from a string (a regex capture).
    $rule{$_} += 0 for grep { defined $rule{$_} } qw(status slow size count);
    $rule{hang} = $rule{hang} ? JSON::PP::true() : JSON::PP::false()
        if exists $rule{hang};
    $self->control('/_control', { %rule, path => $prefix });
}

# $rx->reset: every path answers 200 again (the log stays).
sub reset { $_[0]->control('/_reset') }

# $rx->release: answers every hung request 200.
sub release { $_[0]->control('/_release') }

# ---- what it received -----------------------------------------------------

# New complete lines of the log, parsed once each.
sub read_log {
    my $self = shift;
    open my $fh, '<:raw', $self->{log} or return $self->{parsed};
    seek $fh, $self->{offset}, 0;
    local $/;
    my $text = <$fh>;
    return $self->{parsed} unless defined $text && length $text;
    $self->{offset} += length $text;
    $text = $self->{partial} . $text;
    $self->{partial} = $text =~ s/([^\n]*)\z// ? $1 : '';
    for my $line (split /\n/, $text) {
        my $d = $JSON->decode($line);
        $d->{body} = decode_base64($d->{body});
        push @{ $self->{parsed} }, $d;
    }
    return $self->{parsed};
}

# $rx->deliveries(path => $prefix | qr/.../, since => $seq, listener =>
# 'https') -> the requests received, in the order their bodies completed:
# { seq, t, t_end, listener, conn, method, path, http_version,
#   headers => [[raw name, value], ...], body => the exact bytes }.
sub deliveries {
    my ($self, %f) = @_;
    return grep {
        my $d = $_;
        (!defined $f{since} || $d->{seq} > $f{since})
        && (!defined $f{listener} || $d->{listener} eq $f{listener})
        && (!defined $f{path} || (ref $f{path} ? $d->{path} =~ $f{path}
                                  : index($d->{path}, $f{path}) == 0))
    } @{ $self->read_log };
}

# $rx->mark -> the seq of the last request logged (0: none), for since.
sub mark {
    my $self = shift;
    my $log = $self->read_log;
    my $max = 0;
    $_->{seq} > $max and $max = $_->{seq} for @$log;
    return $max;
}

# $rx->wait_for(sub { my @d = @_; ... }, $timeout, %filter) -> [the
# deliveries (filtered as by deliveries()) the condition held for], or
# undef if it did not hold within $timeout seconds (default 60) -- a
# safety net for a test that would otherwise hang, never an assertion
# about speed.
sub wait_for {
    my ($self, $cond, $timeout, %f) = @_;
    my $until = time + (defined $timeout ? $timeout : 60);
    while (1) {
        my @d = $self->deliveries(%f);
        return \@d if $cond->(@d);
        return undef if time > $until;
        sleep 0.05;
    }
}

# ---- checking one delivery ------------------------------------------------

# header_values($d, $name) -> every value of that header (any case).
sub header_values {
    my ($d, $name) = @_;
    return map { $_->[1] } grep { lc $_->[0] eq lc $name } @{ $d->{headers} };
}

# header($d, $name) -> its only value, or undef (absent or repeated).
sub header {
    my @v = header_values(@_);
    return @v == 1 ? $v[0] : undef;
}

# body_json($d) -> the body decoded (undef if it is not JSON).
sub body_json {
    my $d = shift;
    return eval { $JSON->decode($d->{body}) };
}

# top_keys($json_text) -> the top-level object's member names, in the
# order of the bytes (JSON::PP forgets it). For text that decodes.
sub top_keys {
    my $s = shift;
    my ($depth, $want_key, @keys) = (0, 0);
    while ($s =~ /\G(?:\s+|("(?:[^"\\]|\\.)*")|([{\[])|([}\]])|(,)|:|[^\s"{}\[\],:]+)/gcs) {
        if (defined $1) {
            push @keys, $JSON->decode($1) if $depth == 1 && $want_key;
            $want_key = 0;
        }
        elsif (defined $2) {
            $depth++;
            $want_key = $depth == 1 && $2 eq '{';
        }
        elsif (defined $3) {
            $depth--;
        }
        elsif (defined $4) {
            $want_key = 1 if $depth == 1;
        }
    }
    return @keys;
}

# sign($body_bytes, $secret) -> what X-SuperOffice-Signature must be:
# base64(HMAC-SHA256(key = the secret's UTF-8 bytes, the body)), padded.
sub sign {
    my ($body, $secret) = @_;
    $secret = Encode::encode('UTF-8', $secret) if utf8::is_utf8($secret);
    my $sig = hmac_sha256_base64($body, $secret);
    $sig .= '=' while length($sig) % 4;
    return $sig;
}

sub check_headers {
    my ($d, $o, $p) = @_;
    my %spelled = map { lc $_->[0] => $_->[0] } @{ $d->{headers} };
    for my $h (@ONCE) {
        my $n = () = header_values($d, $h);
        push @$p, "$h: sent $n times, expected once" if $n != 1;
        push @$p, "$h: spelled $spelled{lc $h}"
            if $n && $spelled{lc $h} ne $h;
    }
    my $ct = header($d, 'Content-Type');
    push @$p, "Content-Type: '$ct', expected 'application/json; charset=utf-8'"
        if defined $ct && $ct ne 'application/json; charset=utf-8';
    my $ua = header($d, 'User-Agent');
    push @$p, "User-Agent: '$ua' does not start with NetServer-Webhook/"
        if defined $ua && $ua !~ m{\ANetServer-Webhook/};
    my $retry = header($d, 'X-SuperOffice-Retry');
    push @$p, "X-SuperOffice-Retry: '$retry' is not a small integer"
        if defined $retry && $retry !~ /\A(?:0|[1-9][0-9]?)\z/;
    push @$p, "X-SuperOffice-Retry: $retry, expected $o->{retry}"
        if defined $retry && defined $o->{retry} && $retry ne $o->{retry};
    my $len = header($d, 'Content-Length');
    push @$p, "Content-Length: $len, but the body has " . length($d->{body})
        if defined $len && $len ne length $d->{body};
    for my $h (sort keys %{ $o->{headers} || {} }) {
        my $v = $o->{headers}{$h};
        my @v = header_values($d, $h);
        push @$p, "$h: " . (@v ? "'@v'" : 'absent') . ", expected '$v'"
            unless @v == 1 && $v[0] eq $v;
    }
}

sub check_signature {
    my ($d, $o, $p) = @_;
    my @sig = header_values($d, 'X-SuperOffice-Signature');
    my $secret = $o->{secret};
    if (!defined $secret || !length $secret) {
        push @$p, 'X-SuperOffice-Signature: present, but the webhook has'
                . ' no secret' if @sig;
        return;
    }
    return push @$p, 'X-SuperOffice-Signature: absent, expected one'
        unless @sig;
    return push @$p, 'X-SuperOffice-Signature: sent ' . @sig . ' times'
        if @sig > 1;
    my $want = sign($d->{body}, $secret);
    push @$p, "X-SuperOffice-Signature: '$sig[0]' is not the HMAC-SHA256"
            . " of the body with the secret ('$want')"
        unless $sig[0] eq $want;
}

sub check_key_order {
    my ($doc, $body, $o, $p) = @_;
    my @keys = top_keys($body);
    my %seen;
    my @dup = grep { $seen{lc $_}++ } @keys;
    push @$p, "body: member(s) sent twice: @dup" if @dup;
    my @want = STANDARD_KEYS;
    push @want, 'FieldValues' if exists $doc->{FieldValues};
    my @head = @keys[0 .. ($#want < $#keys ? $#want : $#keys)];
    push @$p, "body: members begin '@head', expected '@want'"
        unless "@head" eq "@want";
    # A standard member out of place shows above, a second one as a twin.
    my %std = map { lc $_ => 1 } @want;
    my @props = grep { !$std{lc $_} } @keys;
    if (my $want_props = $o->{properties}) {
        my @w = sort keys %$want_props;
        push @$p, "body: Properties members '@{[sort @props]}', expected '@w'"
            unless "@{[sort @props]}" eq "@w";
        for my $k (grep { exists $doc->{$_} } @w) {
            push @$p, "body: Properties member $k differs"
                unless $JSON->encode($doc->{$k})
                    eq $JSON->encode($want_props->{$k});
        }
    }
}

# Each gets the member's JSON text (undef: absent) and its value. The
# text, taken before anything reads the value as a string, tells a JSON
# number from a string of digits.
my $STR = sub { defined $_[0] && $_[0] =~ /\A"/ };
my %TYPE = (
    EventId => sub { $STR->(@_) && $_[1] =~ $GUID },
    Timestamp => sub {
        $STR->(@_) && $_[1] =~ /\A\d{4}-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.\d{7}Z\z/
            && $1 >= 1 && $1 <= 12 && $2 >= 1 && $2 <= 31 && $3 < 24
            && $4 < 60 && $5 < 61 },
    Changes => sub { defined $_[0] && $_[0] =~ /\A\[(?:"(?:[^"\\]|\\.)*",?)*\]\z/s },
    Event => sub { $STR->(@_) && length $_[1] },
    PrimaryKey => sub { defined $_[0] && $_[0] =~ /\A-?\d+\z/ },
    Entity => sub { $STR->(@_) && length $_[1] },
    ContextIdentifier => $STR,
    ChangedByAssociateId => sub { defined $_[0] && $_[0] =~ /\A\d+\z/ },
    WebhookName => $STR,
    FieldValues => sub { ref $_[1] eq 'HASH' },
);
my %FORM = (EventId => 'a GUID', Timestamp => 'UTC with 7 fraction digits'
            . ' and Z', Changes => 'an array of strings', PrimaryKey =>
            'an integer', ChangedByAssociateId => 'an integer',
            FieldValues => 'an object');
my %OPT = (event => 'Event', event_id => 'EventId', primary_key =>
           'PrimaryKey', entity => 'Entity', context => 'ContextIdentifier',
           changed_by => 'ChangedByAssociateId', webhook_name => 'WebhookName');

sub check_body {
    my ($d, $o, $p) = @_;
    my $doc = body_json($d);
    return push @$p, 'body: not JSON' unless defined $doc;
    return push @$p, 'body: not a JSON object' unless ref $doc eq 'HASH';
    my %text = map { $_ => exists $doc->{$_} ? $JSON->encode($doc->{$_})
                                              : undef } keys %$doc;
    check_key_order($doc, $d->{body}, $o, $p);
    for my $k (STANDARD_KEYS, 'FieldValues') {
        next if $k eq 'FieldValues' && !exists $doc->{$k};
        push @$p, "body: $k " . (defined $text{$k} ? $text{$k} : 'absent')
                . ' is not ' . ($FORM{$k} || 'a string')
            unless $TYPE{$k}->($text{$k}, $doc->{$k});
    }
    for my $opt (sort keys %OPT) {
        my $k = $OPT{$opt};
        next unless defined $o->{$opt};
        push @$p, "body: $k " . $JSON->encode($doc->{$k})
                . ", expected " . $JSON->encode($o->{$opt})
            unless defined $doc->{$k} && !ref $doc->{$k}
                && $doc->{$k} eq $o->{$opt};
    }
    for my $k (grep { defined $o->{$_} } qw(changes field_values)) {
        my $m = $k eq 'changes' ? 'Changes' : 'FieldValues';
        if (!ref $o->{$k}) {        # field_values => 0 | 1: absent | present
            push @$p, "body: $m " . (exists $doc->{$m} ? 'present' : 'absent')
                unless !!$o->{$k} == !!exists $doc->{$m};
            next;
        }
        push @$p, "body: $m " . $JSON->encode($doc->{$m}) . ', expected '
                . $JSON->encode($o->{$k})
            unless $JSON->encode($doc->{$m}) eq $JSON->encode($o->{$k});
    }
    for ([Event => 'X-SuperOffice-Event'], [EventId => 'X-SuperOffice-EventId']) {
        my ($k, $h) = @$_;
        my $v = header($d, $h);
        push @$p, "$h: '" . ($v // '') . "', but the body's $k is '"
                . ($doc->{$k} // '') . "'"
            if defined $v && (!defined $doc->{$k} || ref $doc->{$k}
                              || $v ne $doc->{$k});
    }
    return $doc;
}

# check_delivery($d, %expect) -> a list of problems (empty: $d is what
# SuperOffice sends). Checked always: method POST; Content-Type, User-Agent,
# X-SuperOffice-Event, -EventId and -Retry once each, spelled as SuperOffice
# spells them; Content-Type 'application/json; charset=utf-8'; User-Agent
# 'NetServer-Webhook/...'; Retry a small integer; the Event and EventId
# headers equal to the body's; X-Hook-Test 'true' on a test event only;
# the signature (see secret); the body a JSON object whose members are
# STANDARD_KEYS in order, then FieldValues if present, then the rest (the
# webhook's Properties), no member twice; EventId a GUID, Timestamp UTC
# with 7 fraction digits and Z, the other standard members' types.
# %expect: secret => the webhook's secret (undef/'' = the request must be
# unsigned), retry, event, event_id, primary_key, entity, context,
# changed_by, webhook_name, changes => [...], field_values => {...} | 1 |
# 0 (present | absent), properties => {...} (exactly the members after the
# standard ones), headers => { the webhook's own => value }.
sub check_delivery {
    my ($d, %o) = @_;
    my @p;
    push @p, "method: $d->{method}, expected POST" if $d->{method} ne 'POST';
    check_headers($d, \%o, \@p);
    check_signature($d, \%o, \@p);
    my $doc = check_body($d, \%o, \@p);
    my $is_test = ref $doc eq 'HASH' && defined $doc->{Event}
                  && $doc->{Event} eq 'test';
    my @t = header_values($d, 'X-Hook-Test');
    if ($is_test) {
        push @p, "X-Hook-Test: '@t', expected 'true' on a test event"
            unless @t == 1 && $t[0] eq 'true';
    }
    elsif (@t) {
        push @p, "X-Hook-Test: '@t' on an event other than test";
    }
    return @p;
}

1;
