# Runs the C unit driver of the XML representation (t/unit/chats_xml_unit.c;
# it also runs xmllint, from libxml2-utils) and hands its TAP to the harness
# unchanged. Needs no httpd; core Perl only.
#
#   CHATS_XML_UNIT  the driver (default: <top>/t/unit/chats_xml_unit)
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Spec;
use FindBin;

my $top  = abs_path(File::Spec->catdir($FindBin::Bin, '..', '..'));
my $unit = $ENV{CHATS_XML_UNIT}
    || File::Spec->catfile($top, 't', 'unit', 'chats_xml_unit');

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
