# Runs the C unit driver of the write planner (t/unit/chats_plan_unit.c)
# and hands its TAP to the harness unchanged. Needs no httpd, no
# PostgreSQL; core Perl only.
#
#   CHATS_PLAN_UNIT  the driver (default: <top>/t/unit/chats_plan_unit)
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib";
use ChatSession::Engine qw(run_tap_driver);

run_tap_driver('CHATS_PLAN_UNIT', 't/unit/chats_plan_unit');
