# ChatSessionTrustProxy, ChatSessionProxyHeaders and the CORS directives
# are checked at start-up: httpd -t (configtest) on a minimal
# configuration refuses a name, a bad subnet, Off among addresses, an
# unknown header scheme, an origin with a path, and * with credentials,
# naming the directive; it accepts the documented forms.
use strict;
use warnings;

use File::Temp qw(tempdir);
use FindBin;
use lib "$FindBin::Bin/../lib";
use ChatSession::Engine qw(repo_top spew);
use Test::More;

my $top = repo_top();
my $httpd = "$top/t/bin/httpd-asan";
my $so = "$top/.libs/mod_chatsession.so";
my $apxs = $ENV{APXS} || 'apxs';
chomp(my $libexec = `$apxs -q LIBEXECDIR`);
die "the module is not built ($so)\n" unless -f $so;
my $tmp = tempdir(CLEANUP => 1);

sub configtest {
    my @lines = @_;
    my $conf = "$tmp/httpd.conf";
    spew($conf, join("\n",
        "ServerRoot $tmp", "PidFile $tmp/httpd.pid", "ErrorLog $tmp/error_log",
        "Listen 127.0.0.1:1", "ServerName localhost",
        (map { "LoadModule ${_}_module $libexec/mod_$_.so" }
             qw(mpm_event authn_core authz_core authz_user dbd)),
        "LoadModule chatsession_module $so",
        'DBDriver pgsql', 'DBDParams "host=127.0.0.1 dbname=chats"',
        '<Location /api/v1/ChatSession>', '    SetHandler chatsession',
        '    AuthType ChatSession', '    AuthName "SuperOffice"',
        '    Require valid-user', (map { "    $_" } @lines), '</Location>', ''));
    my $out = `'$httpd' -t -f '$conf' 2>&1`;
    return ($? >> 8, $out);
}

for my $good ('ChatSessionTrustProxy 10.0.0.0/8 192.0.2.7 ::1 2001:db8::/32',
              'ChatSessionTrustProxy 172.16.0.0/255.240.0.0',
              'ChatSessionTrustProxy On', 'ChatSessionTrustProxy Off',
              'ChatSessionProxyHeaders Forwarded',
              'ChatSessionProxyHeaders X-Forwarded',
              'ChatSessionCORSOrigin https://app.example.com http://localhost:3000',
              'ChatSessionCORSOrigin *', 'ChatSessionCORSOrigin Off',
              'ChatSessionCORSMaxAge 0') {
    my ($rc, $out) = configtest($good);
    is($rc, 0, "$good: configtest passes") or diag($out);
}

my @bad = (
    [['ChatSessionTrustProxy proxy.example.com'],
     qr/ChatSessionTrustProxy: 'proxy\.example\.com' is not an IP address or subnet/],
    [['ChatSessionTrustProxy 10.0.0.0/33'],
     qr/ChatSessionTrustProxy: '10\.0\.0\.0\/33' is not a valid subnet/],
    [['ChatSessionTrustProxy 10.0.0.1 Off'],
     qr/ChatSessionTrustProxy: Off must be the only argument/],
    [['ChatSessionTrustProxy'], qr/ChatSessionTrustProxy needs Off, On, or the addresses/],
    [['ChatSessionProxyHeaders X-Real-IP'],
     qr/ChatSessionProxyHeaders: X-Forwarded .* or Forwarded/],
    [['ChatSessionCORSOrigin https://app.example.com/path'],
     qr/ChatSessionCORSOrigin: 'https:\/\/app\.example\.com\/path' is not an origin/],
    [['ChatSessionCORSOrigin app.example.com'], qr/is not an origin/],
    [['ChatSessionCORSOrigin *', 'ChatSessionCORSCredentials On'],
     qr/ChatSessionCORSCredentials On cannot be combined with ChatSessionCORSOrigin \*/],
    [['ChatSessionCORSCredentials On', 'ChatSessionCORSOrigin *'],
     qr/ChatSessionCORSOrigin: \* cannot be combined with ChatSessionCORSCredentials On/],
    [['ChatSessionCORSMaxAge -1'], qr/ChatSessionCORSMaxAge: '-1' is not a whole number/],
);
for my $case (@bad) {
    my ($lines, $re) = @$case;
    my ($rc, $out) = configtest(@$lines);
    isnt($rc, 0, "@$lines: configtest fails");
    like($out, $re, '  and names the directive and the fix') or diag($out);
}

done_testing();
