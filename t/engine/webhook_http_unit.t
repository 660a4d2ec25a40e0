# Runs the C unit driver of the webhook transport
# (t/unit/chats_webhook_http_unit.c: libcurl's multi interface against a
# real small HTTP server the driver runs on 127.0.0.1 -- delivery with
# every header and the exact body, keep-alive reuse, SSRF refusals that
# send nothing, redirects not followed, body and header caps, timeouts,
# connect and TLS errors, wakeup, cancel) and hands its TAP to the
# harness unchanged. Needs no httpd, no PostgreSQL; only loopback is
# contacted. Core Perl only.
#
#   CHATS_WEBHOOK_HTTP_UNIT  the driver (default:
#                            <top>/t/unit/chats_webhook_http_unit)
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib";
use ChatSession::Engine qw(run_tap_driver);

run_tap_driver('CHATS_WEBHOOK_HTTP_UNIT', 't/unit/chats_webhook_http_unit');
