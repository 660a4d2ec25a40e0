# Runs the C unit driver of a webhook delivery's bytes
# (t/unit/chats_webhook_unit.c: the body's exact text and key order, the
# HMAC-SHA256 signature against openssl-made values, escaping, refusals,
# Properties, headers, no secret leaked) and hands its TAP to the harness
# unchanged. Needs no httpd, no PostgreSQL; core Perl only.
#
#   CHATS_WEBHOOK_UNIT  the driver (default: <top>/t/unit/chats_webhook_unit)
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib";
use ChatSession::Engine qw(run_tap_driver);

run_tap_driver('CHATS_WEBHOOK_UNIT', 't/unit/chats_webhook_unit');
