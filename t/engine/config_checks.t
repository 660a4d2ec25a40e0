# What can be known at start-up fails the start-up: httpd -t (configtest)
# on a minimal configuration with the module refuses an unknown time
# zone, an unknown authn provider, and a `SetHandler chatsession` whose
# server has no database (mod_dbd not loaded, no DBDriver, another
# driver), naming the directive and the fix, and accepts the same
# configuration without the mistake.
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

# raw_configtest($modules, @lines): httpd -t on the modules a site needs
# ($modules: whether mod_dbd is among them) and @lines, nothing else.
sub raw_configtest {
    my ($dbd, @lines) = @_;
    my $conf = "$tmp/raw.conf";
    spew($conf, join("\n",
        "ServerRoot $tmp", "PidFile $tmp/httpd.pid", "ErrorLog $tmp/error_log",
        "Listen 127.0.0.1:1", "ServerName localhost",
        (map { "LoadModule ${_}_module $libexec/mod_$_.so" }
             qw(mpm_event authn_core authz_core authz_user authn_file),
             $dbd ? ('dbd') : ()),
        "LoadModule chatsession_module $so", @lines, ''));
    my $out = `'$httpd' -t -f '$conf' 2>&1`;
    return ($? >> 8, $out);
}
my @location = ('<Location /api/v1/ChatSession>', '    SetHandler chatsession',
                '    Require all granted', '</Location>');
my @pg = ('DBDriver pgsql', 'DBDParams "host=127.0.0.1 dbname=chats"');

($rc, $out) = raw_configtest(0, @location);
isnt($rc, 0, 'SetHandler chatsession without mod_dbd: configtest fails');
like($out, qr/SetHandler chatsession \(\S+raw\.conf:\d+\) needs mod_dbd, which is not loaded: LoadModule dbd_module before mod_chatsession \(on Debian, `a2enmod chatsession` enables it\)/,
     'and names the directive, where it is, and the fix') or diag($out);
($rc, $out) = raw_configtest(1, @location);
isnt($rc, 0, 'mod_dbd loaded but no DBDriver: configtest fails');
like($out, qr/SetHandler chatsession \(\S+:\d+\): no DBDriver for this server: add `DBDriver pgsql` and `DBDParams/,
     'and says what to add') or diag($out);
($rc, $out) = raw_configtest(1, 'DBDriver sqlite3', 'DBDParams /tmp/x.db', @location);
isnt($rc, 0, 'DBDriver sqlite3: configtest fails');
like($out, qr/DBDriver sqlite3 \(\S+:\d+\): mod_chatsession \(\S+:\d+\) works on PostgreSQL only: DBDriver pgsql/,
     'and names the driver it needs') or diag($out);
($rc, $out) = raw_configtest(1, @pg, @location);
is($rc, 0, 'DBDriver pgsql in the main server: configtest passes') or diag($out);
($rc, $out) = raw_configtest(0, '# no handler, no mod_dbd: nothing to check');
is($rc, 0, 'no SetHandler chatsession: nothing asked of mod_dbd') or diag($out);

# Virtual hosts: their own DBDriver, or the main server's (mod_dbd's
# inheritance); one without either fails, naming its own line.
my @vhost = ('Listen 127.0.0.1:2', '<VirtualHost 127.0.0.1:2>', @location);
($rc, $out) = raw_configtest(1, @vhost, @pg, '</VirtualHost>');
is($rc, 0, 'a <VirtualHost> with its own DBDriver passes') or diag($out);
($rc, $out) = raw_configtest(1, @pg, @vhost, '</VirtualHost>');
is($rc, 0, 'a <VirtualHost> inheriting the main server\'s passes') or diag($out);
($rc, $out) = raw_configtest(1, @vhost, '</VirtualHost>');
isnt($rc, 0, 'a <VirtualHost> without a DBDriver anywhere fails');
# the SetHandler line: 5 of the server, 7 LoadModule, Listen, <VirtualHost>, <Location>
like($out, qr/SetHandler chatsession \(\S+raw\.conf:16\): no DBDriver/,
     'naming the handler\'s line in the <VirtualHost>') or diag($out);
($rc, $out) = raw_configtest(1, '<VirtualHost 127.0.0.1:2>', @pg, '</VirtualHost>',
                             @location);
isnt($rc, 0, 'a DBDriver in another <VirtualHost> does not count');

# Long polling (README "Long polling"): ChatSessionListenParams is read as
# libpq reads it; ChatSessionLongPollMax is a number, for the whole
# process (main server only), and a warning when it leaves no thread for
# the requests that post the awaited messages.
($rc, $out) = raw_configtest(1, @pg, @location,
    'ChatSessionListenParams "host=127.0.0.1 port=5432 dbname=chats"',
    'ChatSessionLongPollMax 12');
is($rc, 0, 'ChatSessionListenParams and ChatSessionLongPollMax: configtest passes') or diag($out);
unlike($out, qr/CHATS404/, 'no warning below ThreadsPerChild') or diag($out);
($rc, $out) = raw_configtest(1, @pg, @location, 'ChatSessionListenParams "host=127.0.0.1 dbnmae=chats"');
isnt($rc, 0, 'ChatSessionListenParams with an unknown option: configtest fails');
like($out, qr/ChatSessionListenParams: not a libpq connection string \(invalid connection option "dbnmae"\)/,
     'and names the option') or diag($out);
($rc, $out) = raw_configtest(1, @pg, @location, 'ChatSessionListenParams "host=127.0.0.1 dbname"');
isnt($rc, 0, 'ChatSessionListenParams missing "=": configtest fails');
($rc, $out) = raw_configtest(1, @pg, @location, '<VirtualHost 127.0.0.1:2>',
    'ChatSessionListenParams "dbname=other"', '</VirtualHost>');
is($rc, 0, 'ChatSessionListenParams in a <VirtualHost>: configtest passes') or diag($out);
for my $bad ('abc', '-1', '20001', '1e3') {
    ($rc, $out) = raw_configtest(1, @pg, @location, "ChatSessionLongPollMax \"$bad\"");
    isnt($rc, 0, "ChatSessionLongPollMax '$bad': configtest fails");
    like($out, qr/ChatSessionLongPollMax: '\Q$bad\E' is not a whole number from 0 to 20000/,
         'and names the directive and the range') or diag($out);
}
($rc, $out) = raw_configtest(1, @pg, @location, '<VirtualHost 127.0.0.1:2>',
    'ChatSessionLongPollMax 4', '</VirtualHost>');
isnt($rc, 0, 'ChatSessionLongPollMax in a <VirtualHost>: configtest fails');
like($out, qr/ChatSessionLongPollMax cannot occur within <VirtualHost> section/,
     'it is per process') or diag($out);
($rc, $out) = raw_configtest(1, @pg, @location, 'ThreadsPerChild 8', 'ChatSessionLongPollMax 8');
is($rc, 0, 'ChatSessionLongPollMax = ThreadsPerChild: configtest passes');
like($out, qr/CHATS404: ChatSessionLongPollMax 8 is not below ThreadsPerChild 8: .*at most half of ThreadsPerChild/,
     'with a warning naming both and the advice') or diag($out);

done_testing();
