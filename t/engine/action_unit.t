# Runs the C unit driver of the agent actions' statements
# (t/unit/chats_action_unit.c) and hands its TAP to the harness
# unchanged. Needs no httpd, no PostgreSQL; core Perl only.
#
#   CHATS_ACTION_UNIT  the driver (default: <top>/t/unit/chats_action_unit)
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib";
use ChatSession::Engine qw(run_tap_driver);

run_tap_driver('CHATS_ACTION_UNIT', 't/unit/chats_action_unit');
