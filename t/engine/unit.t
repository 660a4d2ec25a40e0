# Runs the C unit driver of the core engine (t/unit/chats_unit.c) and
# hands its TAP to the harness unchanged. Needs no httpd; core Perl only.
#
#   CHATS_UNIT  the driver (default: <top>/t/unit/chats_unit)
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib";
use ChatSession::Engine qw(run_tap_driver);

run_tap_driver('CHATS_UNIT', 't/unit/chats_unit');
