# The Debian package that ./check builds with dpkg-buildpackage: what it
# holds, what it depends on, and that `a2enmod chatsession` plus the
# shipped example make a configuration `apache2ctl configtest` accepts.
# The a2enmod/configtest part runs on a scratch copy of /etc/apache2
# (APACHE_CONFDIR), so the machine's own Apache is never changed.
#
#   CHATS_TEST_DEB       the .deb ./check built
#   CHATS_TEST_DEB_ROOT  where it is installed: / when ./check ran as root
#                        (dpkg -i), else the directory dpkg-deb -x made
use strict;
use warnings;

use File::Temp qw(tempdir);
use FindBin;
use lib "$FindBin::Bin/../lib";
use ChatSession::Engine qw(slurp spew);
use Test::More;

my $deb  = $ENV{CHATS_TEST_DEB};
my $root = $ENV{CHATS_TEST_DEB_ROOT};
die "CHATS_TEST_DEB / CHATS_TEST_DEB_ROOT not set: run through ./check\n"
    unless $deb && -f $deb && $root && -d $root;
my $tmp = tempdir(CLEANUP => 1);

sub run {
    my ($env, @cmd) = @_;
    local %ENV = (%ENV, %$env);
    my $out = `@cmd 2>&1`;
    return ($? >> 8, $out);
}

# --- what the package holds
my ($rc, $list) = run({}, 'dpkg-deb', '-c', $deb);
is($rc, 0, 'dpkg-deb -c lists the package');
my %files = map { (split ' ', $_, 6)[5] =~ s{^\.}{}r => 1 }
            grep { !/^d/ } split /\n/, $list;
for my $f (qw(/usr/lib/apache2/modules/mod_chatsession.so
              /etc/apache2/mods-available/chatsession.load
              /etc/apache2/conf-available/chatsession.conf
              /usr/bin/jsonpatch
              /usr/share/man/man1/jsonpatch.1.gz
              /usr/sbin/chatsession-db
              /usr/share/man/man8/chatsession-db.8.gz
              /usr/share/doc/libapache2-mod-chatsession/examples/install-debian.sh
              /usr/share/mod_chatsession/schema.sql
              /usr/share/mod_chatsession/auth.sql
              /usr/share/mod_chatsession/locale.sql
              /usr/share/mod_chatsession/render.sql
              /usr/share/mod_chatsession/upgrade/2.sql
              /usr/share/mod_chatsession/upgrade/3.sql
              /usr/share/mod_chatsession/upgrade/4.sql
              /usr/share/mod_chatsession/upgrade/5.sql
              /usr/share/mod_chatsession/upgrade/6.sql
              /usr/share/mod_chatsession/upgrade/7.sql
              /usr/share/mod_chatsession/upgrade/8.sql
              /usr/share/mod_chatsession/openapi.json
              /usr/share/mod_chatsession/chatsession-locations.conf)) {
    ok($files{$f}, "the package holds $f");
}
my ($rc2, $depends) = run({}, 'dpkg-deb', '-f', $deb, 'Depends');
like($depends, qr/\bapache2-api-\d+/, 'depends on the Apache module API (dh_apache2)');
like($depends, qr/\blibaprutil1-dbd-pgsql\b/, "depends on apr-util's PostgreSQL driver");
like($depends, qr/\blibyajl2\b/, 'depends on yajl (shlibs)');
like($depends, qr/\blibpq5\b/, 'depends on libpq (shlibs)');
like($depends, qr/\blibcurl4\b/, 'depends on libcurl (shlibs; webhook deliveries)');

my $load = slurp("$root/etc/apache2/mods-available/chatsession.load") // '';
like($load, qr/^# Depends: dbd authn_core authz_core authz_user authz_host$/m,
     'chatsession.load names the modules it needs');
like($load, qr{^LoadModule chatsession_module /usr/lib/apache2/modules/mod_chatsession\.so$}m,
     "chatsession.load loads the module from Debian's module directory");
ok(-f "$root/usr/lib/apache2/modules/mod_chatsession.so", 'the module is installed');
my ($jrc, $jv) = run({}, "$root/usr/bin/jsonpatch", '--version');
like($jv, qr/^jsonpatch \(mod_chatsession\) /, 'the installed jsonpatch runs');

# --- a2enmod and configtest on a scratch copy of /etc/apache2
my $conf = "$tmp/apache2";
system('cp', '-a', '/etc/apache2', $conf) == 0 or die "cp /etc/apache2: $?";
for my $d (qw(run lock log state)) { mkdir "$tmp/$d" or die "$tmp/$d: $!" }
# apache2ctl makes its run directories owned by the run user, and a2enmod
# keeps its state in APACHE_STATE_DIRECTORY: ours, so no root is needed.
my $user  = getpwuid($>);
my $group = getgrgid($));
spew("$conf/envvars", join '', map { "export $_\n" }
     "APACHE_RUN_USER=$user", "APACHE_RUN_GROUP=$group",
     "APACHE_STATE_DIRECTORY=$tmp/state",
     "APACHE_PID_FILE=$tmp/run/apache2.pid", "APACHE_RUN_DIR=$tmp/run",
     "APACHE_LOCK_DIR=$tmp/lock", "APACHE_LOG_DIR=$tmp/log", 'LANG=C');
# The package's files as dpkg put them (or, unpacked, pointing at the
# unpacked module).
for my $f (qw(mods-available/chatsession.load conf-available/chatsession.conf)) {
    my $text = slurp("$root/etc/apache2/$f") // die "$root/etc/apache2/$f missing";
    $text =~ s{ /usr/(lib/apache2|share/mod_chatsession)/}{ $root/usr/$1/}g
        if $root ne '/';
    spew("$conf/$f", $text);
}
unlink glob("$conf/sites-enabled/*"), glob("$conf/mods-enabled/chatsession.*"),
       glob("$conf/conf-enabled/chatsession.*");
# Start without two of the modules chatsession.load needs (the default
# configuration itself needs authz_core and authz_user), so that a2enmod
# must enable them.
unlink map { ("$conf/mods-enabled/$_.load", "$conf/mods-enabled/$_.conf") }
       qw(dbd authn_core);
my %env = (APACHE_CONFDIR => $conf, APACHE_STATE_DIRECTORY => "$tmp/state");

# The shipped configuration as it is: a2enconf enables it, and it takes
# every family from the shipped chatsession-locations.conf, with the
# password in a file of its own (README "Install into an existing Apache").
my $example = slurp("$conf/conf-available/chatsession.conf");
like($example, qr{^Include \Q$root\E/?usr/share/mod_chatsession/chatsession-locations\.conf$}m,
     'chatsession.conf includes the shipped <Location> blocks (uncommented)');
like($example, qr/^IncludeOptional chatsession-db\.conf$/m,
     'chatsession.conf reads DBDParams from chatsession-db.conf');
my $dsn = $ENV{CHATS_TEST_DSN} // 'host=127.0.0.1 dbname=chats';
spew("$conf/chatsession-db.conf", qq(DBDParams "$dsn"\n));
chmod 0600, "$conf/chatsession-db.conf";
my $locations = slurp("$root/usr/share/mod_chatsession/chatsession-locations.conf") // '';
like($locations, qr/^<Location \/api\/v1\/ChatSession>$/m, 'the shipped blocks have the resource');
like($locations, qr/^<Location \/api\/v1\/Agents\/Chat>$/m, 'and ChatAgent');

(my $rc3, my $out) = run(\%env, 'a2enconf', '-q', 'chatsession');
is($rc3, 0, 'a2enconf chatsession (the shipped configuration)') or diag($out);
ok(-e "$conf/conf-enabled/chatsession.conf", 'the configuration is enabled');

($rc, $out) = run(\%env, 'apache2ctl', '-t');
isnt($rc, 0, 'configtest fails before a2enmod chatsession');
like($out, qr/Invalid command '(DBDriver|AuthType|SetHandler|ChatSession\w*)'/,
     'and says a directive is unknown') or diag($out);

($rc, $out) = run(\%env, 'a2enmod', 'chatsession');
is($rc, 0, 'a2enmod chatsession') or diag($out);
for my $m (qw(dbd authn_core authz_core authz_user authz_host)) {
    like($out, qr/Considering dependency \Q$m\E for chatsession/,
         "a2enmod chatsession considers $m");
}
for my $m (qw(chatsession dbd authn_core authz_core authz_user authz_host)) {
    ok(-e "$conf/mods-enabled/$m.load", "$m is enabled");
}

($rc, $out) = run(\%env, 'apache2ctl', '-t');
is($rc, 0, 'apache2ctl configtest accepts the module and the example');
like($out, qr/Syntax OK/, 'Syntax OK') or diag($out);
($rc, $out) = run(\%env, 'apache2ctl', '-M');
like($out, qr/^\s*chatsession_module \(shared\)$/m, 'the module is loaded') or diag($out);

done_testing();
