# Runs the C unit driver of the per-entity engine (t/unit/chats_entity_unit.c:
# ChatTopic's def through the SQL builder, the planner and rendering) and
# hands its TAP to the harness unchanged. Needs no httpd, no PostgreSQL;
# core Perl only.
#
#   CHATS_ENTITY_UNIT  the driver (default: <top>/t/unit/chats_entity_unit)
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib";
use ChatSession::Engine qw(run_tap_driver);

run_tap_driver('CHATS_ENTITY_UNIT', 't/unit/chats_entity_unit');
