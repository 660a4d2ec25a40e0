# bench/lib/webhook.sh — sourced by bench/hotrow when WEBHOOK=1, after
# bench/lib/setup.sh (whose httpd then has HTTPD_EXTRA's
# ChatSessionWebhookAllow for 127.0.0.0/8, as ./serve has): a fast local
# receiver on 127.0.0.2, answering 200 at once on keep-alive connections
# and logging each request's receipt time and the event's Timestamp; and
# per row of the "hooked" system one webhook subscribed to every chat
# event, removed after its events are delivered. The receiver shares the
# cores with what is measured, so it is bench/receiver.c (one thread,
# epoll, no JSON: far less CPU per request than the test suite's node
# receiver); RECEIVER=node runs that one instead
# (t/bin/webhook-receiver.js --brief 1).
# Gets: webhook_on webhook_drain (-> W_EVENTS W_SPAN W_LAG50 W_LAG99
#   W_DRAIN), RX_PID (appended to STOP_PIDS).
RECEIVER="${RECEIVER:-c}"
if [[ "$RECEIVER" == node ]]; then
    command -v node >/dev/null || die "node not found (apt-get install nodejs)"
    RX_CMD=(node "$TOP/t/bin/webhook-receiver.js" --log "$RUN/receiver.jsonl"
            --host 127.0.0.2 --http-port 0 --brief 1)
    RX_WHAT="node $(node --version)"
else
    cc -O2 -Wall -Wextra -Werror -o "$RUN/receiver" "$BENCH/receiver.c" \
        || die "bench/receiver.c did not build"
    RX_CMD=("$RUN/receiver" 127.0.0.2 "$RUN/receiver.jsonl")
    RX_WHAT="bench/receiver.c"
fi
export RX_LOG="$RUN/receiver.jsonl"
: >"$RX_LOG"
# stdin held open by a sleep of our own (the receiver exits at its EOF),
# stopped by the trap too; neither keeps the bench's lock (fd 9).
mkfifo "$RUN/receiver.stdin"
sleep 1000000 9>&- >"$RUN/receiver.stdin" &
STOP_PIDS+=("$!")
"${RX_CMD[@]}" 9>&- <"$RUN/receiver.stdin" >"$RUN/receiver.ready" \
    2>"$RUN/receiver.err" &
RX_PID=$!
STOP_PIDS+=("$RX_PID")
for _ in $(seq 1 50); do
    grep -q '"http"' "$RUN/receiver.ready" 2>/dev/null && break
    kill -0 "$RX_PID" 2>/dev/null || { cat "$RUN/receiver.err" >&2; die "the receiver exited at start"; }
    sleep 0.2
done
RX_PORT="$(sed -n 's/.*"http":\([0-9]*\).*/\1/p' "$RUN/receiver.ready")"
[[ -n "$RX_PORT" ]] || die "the receiver did not say its port"
say "webhook receiver: http://127.0.0.2:$RX_PORT ($RX_WHAT)"

webhook_on() {          # key: one Active webhook for every chat event
    sql "DELETE FROM chats_webhook; INSERT INTO chats_webhook (name, events, target_url, secret)
         VALUES ('bench $1', '[\"chatsession.created\", \"chatsession.changed\",
                 \"chatsession.message\"]', 'http://127.0.0.2:$RX_PORT/$1', 'bench-secret')" >/dev/null
}
webhook_drain() {       # key: wait until its events are out, then figures
    local t0="$EPOCHREALTIME" n
    for _ in $(seq 1 600); do
        n="$(sql "SELECT count(*) FROM chats_webhook_outbox")"
        [[ "$n" == 0 ]] && break
        sleep 0.1
    done
    W_DRAIN="$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')"
    sql "UPDATE chats_webhook SET state = 2" >/dev/null
    read -r W_EVENTS W_SPAN W_LAG50 W_LAG99 < <(perl -MJSON::PP -MMIME::Base64 \
        -MTime::Local -e '
        my ($path) = @ARGV; my (@lag, $first, $last);
        open my $fh, "<", $ENV{RX_LOG} or die;
        while (<$fh>) {
            my $d = eval { decode_json($_) } or next;
            next unless $d->{path} eq $path;
            my ($Y, $M, $D, $h, $m, $s, $f) = $d->{ts}
                =~ /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)\.(\d+)Z$/ or next;
            my $ts = timegm($s, $m, $h, $D, $M - 1, $Y) + "0.$f";
            my $t = $d->{t} / 1000;
            push @lag, ($t - $ts) * 1000;
            $first = $t if !defined $first || $t < $first;
            $last = $t if !defined $last || $t > $last;
        }
        @lag = sort { $a <=> $b } @lag;
        my $p = sub { @lag ? sprintf("%.1f", $lag[int($_[0] * $#lag)]) : "-" };
        printf "%d %.2f %s %s\n", scalar(@lag), @lag ? $last - $first : 0,
               $p->(0.5), $p->(0.99);' "/$1")
}
