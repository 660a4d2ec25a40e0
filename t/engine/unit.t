# Runs the C unit driver of the core engine (t/unit/chats_unit.c) and
# hands its TAP to the harness unchanged. Needs no httpd; core Perl only.
#
#   CHATS_UNIT  the driver (default: <top>/t/unit/chats_unit)
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Spec;
use FindBin;

my $top  = abs_path(File::Spec->catdir($FindBin::Bin, '..', '..'));
my $unit = $ENV{CHATS_UNIT}
    || File::Spec->catfile($top, 't', 'unit', 'chats_unit');

# A missing driver must fail the run, not skip it.
if (!-x $unit) {
    print "1..1\nnot ok 1 - unit driver $unit is built\n";
    exit 1;
}
$| = 1;
exec($unit) or do {
    print "1..1\nnot ok 1 - exec $unit: $!\n";
    exit 1;
};
