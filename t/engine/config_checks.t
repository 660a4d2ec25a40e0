# What can be known at start-up fails the start-up: httpd -t (configtest)
# on a minimal configuration with the module refuses an unknown time
# zone and an unknown authn provider, naming the directive and the fix,
# and accepts the same configuration without the mistake.
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

# configtest($extra): (exit status, output) of httpd -t on a configuration
# of its own: the modules a site needs, then $extra in the <Location>.
sub configtest {
    my ($location, $server) = @_;
    my $conf = "$tmp/httpd.conf";
    spew($conf, join("\n",
        "ServerRoot $tmp", "PidFile $tmp/httpd.pid", "ErrorLog $tmp/error_log",
        "Listen 127.0.0.1:1", "ServerName localhost",
        (map { "LoadModule ${_}_module $libexec/mod_$_.so" }
             qw(mpm_event authn_core authz_core authz_user authn_file dbd)),
        "LoadModule chatsession_module $so",
        'DBDriver pgsql', 'DBDParams "host=127.0.0.1 dbname=chats"',
        $server // '',
        '<Location /api/v1/ChatSession>', '    SetHandler chatsession',
        '    AuthType ChatSession', '    AuthName "SuperOffice"',
        '    Require valid-user', '    ' . ($location // ''), '</Location>', ''));
    my $out = `'$httpd' -t -f '$conf' 2>&1`;
    return ($? >> 8, $out);
}

my ($rc, $out) = configtest('ChatSessionTimeZone Europe/Oslo');
is($rc, 0, 'a tz database name: configtest passes') or diag($out);
like($out, qr/Syntax OK/, 'Syntax OK');
($rc, $out) = configtest('ChatSessionTimeZone US-NY');
is($rc, 0, 'a SuperOffice code: configtest passes') or diag($out);

for my $bad (qw(NOO Europe/Osol Mars/Olympus_Mons)) {
    ($rc, $out) = configtest("ChatSessionTimeZone $bad");
    isnt($rc, 0, "ChatSessionTimeZone $bad: configtest fails");
    like($out, qr/ChatSessionTimeZone: '\Q$bad\E' is not a SuperOffice time-zone code .* and not in the tz database/,
         "and names the directive, the value and the fix") or diag($out);
}
($rc, $out) = configtest('ChatSessionTimeZone ../../etc/passwd');
isnt($rc, 0, 'a path is not a zone');
($rc, $out) = configtest(undef, 'ChatSessionTimeZone NOO');
isnt($rc, 0, 'also in the server configuration');

($rc, $out) = configtest('ChatSessionAuthProvider file chatsession');
is($rc, 0, 'known providers: configtest passes') or diag($out);
($rc, $out) = configtest('ChatSessionAuthProvider chatsesion');
isnt($rc, 0, 'a misspelt provider: configtest fails');
like($out, qr/ChatSessionAuthProvider: unknown authn provider 'chatsesion' \(a typo, or its module is not loaded before this line/,
     'and says so') or diag($out);
($rc, $out) = configtest('ChatSessionAuthProvider ldap');
isnt($rc, 0, 'a provider whose module is not loaded: configtest fails');
like($out, qr/unknown authn provider 'ldap'.*load it first; on Debian a2enmod .*authnz_ldap/s,
     'and says how to load it') or diag($out);

done_testing();
