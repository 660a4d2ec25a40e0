# ./serve's httpd configuration (issue 8, findings 4 and 10): printed by
# `./serve --print-config`, checked by httpd and run (without PostgreSQL:
# DBDMin 0 opens no connection, and what is asked here needs none).  It
# refuses TRACE, names no version, loads mod_reqtimeout with minimum
# rates, and our answers carry no-store and nosniff.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use File::Spec ();
use File::Temp qw(tempdir);
use IO::Socket::INET ();
use LWP::UserAgent ();
use MIME::Base64 qw(encode_base64);
use POSIX ();
use Time::HiRes qw(sleep);

plan tests => 13, need_lwp;

my $vars = Apache::Test::vars();
my $top = $vars->{top_dir};
# As ./serve runs it: a tree built with sanitizers needs ASan preloaded.
my $httpd = $vars->{httpd};
if (open(my $cs, '<', "$top/config.status")) {
    $httpd = "$top/t/bin/httpd-asan"
        if grep { /--enable-sanitizers/ } <$cs>;
}
my $dir = tempdir('serve-config-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $port = do {
    my $l = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                  LocalPort => 0) or die "listen: $!";
    my $p = $l->sockport;
    close $l;
    $p;
};

# What ./serve makes at its first start: the demo key, the httpd dirs.
mkdir "$dir/$_" or die "mkdir $dir/$_: $!" for qw(jwt httpd httpd/run);
system('openssl', 'genpkey', '-quiet', '-algorithm', 'RSA', '-pkeyopt',
       'rsa_keygen_bits:2048', '-out', "$dir/jwt/demo-rs256.key") == 0
    or die 'openssl genpkey failed';
system('openssl', 'pkey', '-in', "$dir/jwt/demo-rs256.key", '-pubout',
       '-out', "$dir/jwt/demo-rs256.pub") == 0 or die 'openssl pkey failed';

my $conf = do {
    local $ENV{SERVE_VAR} = $dir;
    local $ENV{PORT};
    qx{"$top/serve" --print-config $port};
};
is($?, 0, './serve --print-config exits 0');
my $file = "$dir/httpd/httpd.conf";
open(my $fh, '>', $file) or die "$file: $!";
print {$fh} $conf;
close $fh;

like($conf, qr/^TraceEnable Off$/m, 'TraceEnable Off');
like($conf, qr/^RequestReadTimeout .*header=\d+-\d+,MinRate=\d+ .*body=\d+-\d+,MinRate=\d+/m,
     'RequestReadTimeout with header and body rates and caps');
my $t = qx{"$httpd" -t -f "$file" 2>&1};
is($?, 0, 'httpd -t accepts it') or diag($t);
my $mods = qx{"$httpd" -M -f "$file" 2>&1};
like($mods, qr/\breqtimeout_module\b/, 'mod_reqtimeout is loaded');

# Run it, as ./serve does (in the foreground).
my $pid = fork // die "fork: $!";
if (!$pid) {
    open(STDOUT, '>', "$dir/httpd/out.log");
    open(STDERR, '>&', \*STDOUT);
    exec($httpd, '-f', $file, '-DFOREGROUND') or POSIX::_exit(127);
}
my $up = 0;
for (1 .. 100) {
    last if ($up = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port"));
    last if waitpid($pid, POSIX::WNOHANG()) == $pid;
    sleep 0.2;
}
sub slurp {
    my $f = shift;
    open(my $fh, '<', $f) or return '';
    local $/;
    return <$fh> // '';
}
ok($up, "httpd runs with it on port $port")
    or diag(slurp("$dir/httpd/out.log"));

my $ua = LWP::UserAgent->new(timeout => 10, keep_alive => 0);
my $url = "http://127.0.0.1:$port/api/v1/ChatSession/844";
my $secret = encode_base64('tje0:Tje0', '');
# Outside the resource httpd's core answers TRACE; on it, authentication
# comes first (no PostgreSQL here: without credentials, 401).
my $res = $ua->request(HTTP::Request->new(
    TRACE => "http://127.0.0.1:$port/", [Authorization => "Basic $secret"]));
is($res->code, 405, 'TRACE /: 405');
unlike($res->content, qr/\Q$secret\E/, '... the credentials are not echoed');
is($res->header('Server'), 'Apache', 'Server: Apache (ServerTokens Prod)');
$res = $ua->request(HTTP::Request->new(TRACE => $url));
is($res->code, 401, 'TRACE on the resource without credentials: 401');

$res = $ua->get($url);
is($res->code, 401, 'GET without credentials: 401');
is($res->header('Cache-Control'), 'no-store', '... Cache-Control: no-store');
is($res->header('X-Content-Type-Options'), 'nosniff', '... nosniff');

kill 'TERM', $pid;
waitpid($pid, 0);
