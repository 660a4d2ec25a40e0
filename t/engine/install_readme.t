# The README's "Install into an existing Apache" quotes
# conf/install-debian.sh verbatim, and ./check runs that file: the section
# is what ./check runs, so the two cannot drift. Also the README's
# LoadModule lines: Debian's path, and the generic one.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib";
use ChatSession::Engine qw(repo_top slurp);
use Test::More;

my $top    = repo_top();
my $readme = slurp("$top/README") // die "$top/README: $!";
my $script = slurp("$top/conf/install-debian.sh") // die "conf/install-debian.sh: $!";
my $check  = slurp("$top/check") // die "$top/check: $!";

# The section, from its heading to the next one.
my ($section) = $readme =~ /^(Install into an existing Apache\n-+\n.*?)^\S[^\n]*\n-+\n/ms;
ok($section, 'the README has an "Install into an existing Apache" section');
$section //= '';
like($readme, qr/^Requirements\n-+\n.*^Install into an existing Apache\n.*^Configuration\n-+\n/ms,
     'after Requirements, before Configuration');

# The quoted script: an indented block from its first line to its last.
my ($block) = $section =~ m{^(    #!/usr/bin/env bash\n.*?^    \# \(end of conf/install-debian\.sh\)\n)}ms;
ok($block, 'the section quotes conf/install-debian.sh');
(my $quoted = $block // '') =~ s/^    //mg;
is($quoted, $script, 'the quoted block is conf/install-debian.sh, line for line')
    or diag('edit conf/install-debian.sh and copy it into the README (indented by four spaces)');

is(system('bash', '-n', "$top/conf/install-debian.sh"), 0, 'the script parses (bash -n)');
ok(-x "$top/conf/install-debian.sh", 'the script is executable');
like($check, qr{\bbash "\$WORK/conf/install-debian\.sh"}, './check runs the script');

# The steps it names, in order.
my @steps = $script =~ /^# (\d+)\. /mg;
is("@steps", '1 2 3 4 5 6 7', 'seven numbered steps');
my @wanted = (
    'the package, with apt'           => qr/apt-get install .*\n.*CHATS_DEB/,
    'the role and its password'       => qr/ALTER ROLE :"role" LOGIN PASSWORD/,
    'the schema'                      => qr/\bdb upgrade\b/,
    'the first user'                  => qr/\bdb add-user "\$CHATS_ADMIN" admin\b/,
    'a 0600 root-owned password file' => qr/install -m 600 -o root -g root/,
    'a2enmod'                         => qr/a2enmod -q chatsession/,
    'configtest'                      => qr/apache2ctl configtest/,
    'a reload'                        => qr/apache2ctl graceful/,
    'curl'                            => qr/\bcurl -fsS\b/,
);
while (my ($what, $re) = splice @wanted, 0, 2) {
    like($script, $re, "the script has $what");
}
# Secrets go through standard input, never a command line ps shows.
unlike($script, qr/-v\s+\w*pass|curl[^\n]*\s-u\s|-p\s*"?\$CHATS_ADMIN_PASSWORD/i,
       'no password on a command line');

# LoadModule: the Debian path, and the generic one for other layouts.
like($readme, qr{^    LoadModule chatsession_module /usr/lib/apache2/modules/mod_chatsession\.so$}m,
     "the README's LoadModule shows Debian's path");
like($readme, qr{^    #?LoadModule chatsession_module modules/mod_chatsession\.so$}m,
     'and the generic one');

done_testing();
