# Runs the C unit driver of the trusted-proxy walk (t/unit/
# chats_forwarded_unit.c: ChatSessionTrustProxy lists, RFC 7239 Forwarded,
# X-Forwarded-*, value checks, the base URL) and hands its TAP to the
# harness unchanged. Needs no httpd, no PostgreSQL; core Perl only.
#
#   CHATS_FORWARDED_UNIT  the driver (default: <top>/t/unit/chats_forwarded_unit)
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib";
use ChatSession::Engine qw(run_tap_driver);

run_tap_driver('CHATS_FORWARDED_UNIT', 't/unit/chats_forwarded_unit');
