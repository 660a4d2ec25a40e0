# Runs the C unit driver of the archive's $filter / $orderBy compiler
# (t/unit/chats_filter_unit.c: operators, precedence, functions, LIKE
# escaping, oneOf, null, today/now, enums, date-times, $orderBy, every
# error with its position, the limits) and hands its TAP to the harness
# unchanged. Needs no httpd, no PostgreSQL; core Perl only.
#
#   CHATS_FILTER_UNIT  the driver (default: <top>/t/unit/chats_filter_unit)
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib";
use ChatSession::Engine qw(run_tap_driver);

run_tap_driver('CHATS_FILTER_UNIT', 't/unit/chats_filter_unit');
