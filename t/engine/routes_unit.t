# Runs the C unit driver of the route table and its matcher (t/unit/
# chats_routes_unit.c: the table's shape, literal before {id}, case,
# captures, Allow, 404/405/OPTIONS) and hands its TAP to the harness
# unchanged. Needs no httpd, no PostgreSQL; core Perl only.
#
#   CHATS_ROUTES_UNIT  the driver (default: <top>/t/unit/chats_routes_unit)
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib";
use ChatSession::Engine qw(run_tap_driver);

run_tap_driver('CHATS_ROUTES_UNIT', 't/unit/chats_routes_unit');
