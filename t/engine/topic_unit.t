# Runs the C unit driver of ChatTopic's field kinds (t/unit/chats_topic_unit.c:
# times of day, groups, derived fields, pair checks, the widget's enums and
# flags through the planner, the SQL builder, rendering and OpenAPI) and
# hands its TAP to the harness unchanged. Needs no httpd, no PostgreSQL;
# core Perl only.
#
#   CHATS_TOPIC_UNIT  the driver (default: <top>/t/unit/chats_topic_unit)
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib";
use ChatSession::Engine qw(run_tap_driver);

run_tap_driver('CHATS_TOPIC_UNIT', 't/unit/chats_topic_unit');
