# Runs the C unit driver of the webhook retry rule and LastError text
# (t/unit/chats_webhook_retry_unit.c: 3 tries 1 s and 4 s apart, 9
# dropped events make TooManyErrors, a 2xx resets; the body kept for
# LastError and its escaping) and hands its TAP to the harness unchanged.
# Needs no httpd, no PostgreSQL, no network; core Perl only.
#
#   CHATS_WEBHOOK_RETRY_UNIT  the driver (default:
#                             <top>/t/unit/chats_webhook_retry_unit)
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib";
use ChatSession::Engine qw(run_tap_driver);

run_tap_driver('CHATS_WEBHOOK_RETRY_UNIT', 't/unit/chats_webhook_retry_unit');
