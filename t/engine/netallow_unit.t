# Runs the C unit driver of the webhook SSRF policy
# (t/unit/chats_netallow_unit.c: the class of every special-purpose range
# at its edges, IPv4-mapped, NAT64, 6to4 and Teredo forms, the parser of
# ChatSessionWebhookAllow's arguments, the decision table with its
# reasons, the save-time TargetUrl check) and hands its TAP to the harness
# unchanged. Needs no httpd, no PostgreSQL, no network; core Perl only.
#
#   CHATS_NETALLOW_UNIT  the driver (default: <top>/t/unit/chats_netallow_unit)
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib";
use ChatSession::Engine qw(run_tap_driver);

run_tap_driver('CHATS_NETALLOW_UNIT', 't/unit/chats_netallow_unit');
