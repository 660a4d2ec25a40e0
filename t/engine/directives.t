# The README's Directives table against the module's one directive table
# (modules/core/api/chats_directives.h, printed by `chats-openapi
# --directives`): the same directives in the same order, each with the
# same words after its name and the same default. The command table that
# httpd reads and the defaults the code falls back to are expanded from
# that table, so a README row that drifts from the code fails here.
# Needs no httpd; core Perl.
#
#   CHATS_OPENAPI  the tool (default: <top>/chats-openapi)
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Spec;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ChatSession::Engine qw(slurp);
use Test::More;

my $top  = abs_path(File::Spec->catdir($FindBin::Bin, '..', '..'));
my $tool = $ENV{CHATS_OPENAPI} || File::Spec->catfile($top, 'chats-openapi');

plan skip_all => "$tool not built" unless -x $tool;

open(my $out, '-|', $tool, '--directives') or die "$tool: $!";
my @table = map { chomp; [split /\t/, $_, -1] } <$out>;
close($out);
is($?, 0, 'chats-openapi --directives: exit 0');
ok(@table >= 20, scalar(@table) . ' directives in the table');
is(scalar(grep { @$_ != 4 } @table), 0, 'each a name, syntax, default, help');

# The README's rows: | `Name syntax` | default | meaning |
my $readme = slurp(File::Spec->catfile($top, 'README'));
my ($section) = $readme =~ /^### Directives\n(.*?)(?=^#)/ms
    or BAIL_OUT('README has no "### Directives" section');
my @rows;
for my $line (split /\n/, $section) {
    next unless $line =~ /^\| `(ChatSession\w+)([^`]*)` \| (.*?) \| /;
    my ($name, $syntax, $dflt) = ($1, $2, $3);
    s/\\\|/|/g, s/^\s+|\s+$//g for $syntax, $dflt;
    $dflt =~ s/`//g;
    push @rows, [$name, $syntax, $dflt];
}

is_deeply([map { $_->[0] } @rows], [map { $_->[0] } @table],
          'the README lists the table\'s directives, in its order');
my %readme = map { $_->[0] => $_ } @rows;
for my $d (@table) {
    my ($name, $syntax, $dflt) = @$d;
    my $r = $readme{$name} or next;
    is("$r->[1] | $r->[2]", "$syntax | $dflt",
       "$name: the README's syntax and default are the table's");
}

done_testing();
