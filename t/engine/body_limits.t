# The README's "Request bodies: limits" table against the limits' homes
# (core/json's and core/xml's constants, printed by `chats-openapi
# --limits`): every fixed limit the code enforces is a row of the table,
# with the code's value, and the table names no other. The body size,
# ChatSessionMaxBody, is a directive: t/engine/directives.t holds it.
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

open(my $out, '-|', $tool, '--limits') or die "$tool: $!";
my @code = map { chomp; [split /\t/, $_, -1] } <$out>;
close($out);
is($?, 0, 'chats-openapi --limits: exit 0');
ok(@code >= 7, scalar(@code) . ' limits in the code');

# The README's rows: | name | value | applies to |, but the body size.
my $readme = slurp(File::Spec->catfile($top, 'README'));
my ($section) = $readme =~ /^### Request bodies: limits\n(.*?)(?=^#)/ms
    or BAIL_OUT('README has no "### Request bodies: limits" section');
my @rows;
for my $line (split /\n/, $section) {
    next unless $line =~ /^\| ([^|`]+?) \| (.*?) \| /;
    next if $1 eq 'Limit' || $1 eq 'body size';
    push @rows, [$1, $2];
}
is_deeply([map { $_->[0] } @rows], [map { $_->[0] } @code],
          'the README lists the limits the code has, in its order');
my %readme = map { $_->[0] => $_->[1] } @rows;
for my $l (@code) {
    is($readme{$l->[0]}, $l->[1], "$l->[0]: the README says $l->[1]");
}

done_testing();
