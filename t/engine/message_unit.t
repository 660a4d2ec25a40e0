# Runs the C unit driver of the ChatMessage carrier and transcripts
# (t/unit/chats_message_unit.c: the enum tables, the body reader's rules
# and limits, rendering, HTML escaping, transcript formatting) and hands
# its TAP to the harness unchanged. Needs no httpd, no PostgreSQL.
#
#   CHATS_MESSAGE_UNIT  the driver (default: <top>/t/unit/chats_message_unit)
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib";
use ChatSession::Engine qw(run_tap_driver);

run_tap_driver('CHATS_MESSAGE_UNIT', 't/unit/chats_message_unit');
