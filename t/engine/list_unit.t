# Runs the C unit driver of the archive list's core (t/unit/chats_list_unit.c:
# $top/$skip values, query decoding and its '+' rule, the next page's query
# string, the page's statement and parameters, rows and the envelope) and
# hands its TAP to the harness unchanged. Needs no httpd, no PostgreSQL.
#
#   CHATS_LIST_UNIT  the driver (default: <top>/t/unit/chats_list_unit)
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib";
use ChatSession::Engine qw(run_tap_driver);

run_tap_driver('CHATS_LIST_UNIT', 't/unit/chats_list_unit');
