# Runs the C unit driver of the XML representation (t/unit/chats_xml_unit.c;
# it also runs xmllint, from libxml2-utils) and hands its TAP to the harness
# unchanged. Needs no httpd; core Perl only.
#
#   CHATS_XML_UNIT  the driver (default: <top>/t/unit/chats_xml_unit)
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib";
use ChatSession::Engine qw(run_tap_driver);

run_tap_driver('CHATS_XML_UNIT', 't/unit/chats_xml_unit');
