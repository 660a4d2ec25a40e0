# bench/lib/profile.sh — sourced by bench/hotrow when PROFILE=1, after its
# rounds: where one PATCH's time goes, two ways.
#
# profile_perf: the module's random-ids row once more, with `perf record`
#   sampling httpd's children and every backend on the software clock
#   (cpu-clock: hardware counters are often missing on VMs, and `perf
#   stat -e instructions true` says "not supported" on ours). Kernel time
#   included; the share of each process, library and function.
# profile_callgrind: instructions per request, the same on a busy machine
#   as on an idle one, so that a change to the code shows what it saves
#   whatever else runs: (1) one httpd -X (one process) under callgrind
#   answers PATCH ops on one keep-alive connection, 20 and then 120
#   requests in two runs; the difference over 100 requests is one
#   request's instructions in httpd's user space (module, APR, yajl,
#   libpq, httpd), and by function; (2) the postmaster under callgrind
#   (the cluster restarted), pgbench -c 1 runs 20 and then 120
#   transactions of the module's captured statement, then of the naive
#   transaction: one backend's instructions per request.
# Needs perf (linux-perf) for the first, valgrind for the second; either
# missing is said and skipped.

profile_perf() {
    local pids
    if ! command -v perf >/dev/null; then
        PERF_NOTE="perf not installed"
        return
    fi
    wrk_script "$RUN/wrk-profile.lua" PATCH ops "math.random($ID_LO, $ID_HI)"
    pids="$(pgrep -P "$HTTPD_PID" | paste -sd, -),$(pgrep -P "$PG_PID" | paste -sd, -)"
    say "profile: module PATCH ops, random ids, ${SECS}s under perf record"
    wrk -t "$THREADS" -c "$CONNS" -d "$(( SECS + 2 ))s" -s "$RUN/wrk-profile.lua" "$BASE" \
        >"$RUN/wrk-profile.out" 2>&1 &
    JOB_PID=$!
    sleep 1
    perf record -q -e cpu-clock -F 997 -g -p "$pids" -o "$RUN/perf.data" -- sleep "$SECS" \
        >"$RUN/perf-record.log" 2>&1 || PERF_NOTE="perf record failed: $RUN/perf-record.log"
    wait "$JOB_PID" || true
    JOB_PID=""
}

# Per-function self cost of callgrind file B minus A, over n requests.
cg_diff() {             # A B n [inclusive(yes|no)] -> "instructions  function" lines
    local f
    for f in "$1" "$2"; do
        callgrind_annotate --inclusive="${4:-no}" --threshold=100 "$f" 2>/dev/null \
            | awk 'NF >= 2 && $1 ~ /^[0-9,]+$/ {
                  gsub(",", "", $1); c = $1; $1 = ""; sub(/^ +/, "")
                  sub(/^\( *[0-9.]+%\) +/, ""); sub(/ \[.*$/, ""); print c "\t" $0 }' >"$f.fn"
    done
    awk -F'\t' -v n="$3" 'FNR == NR { a[$2] = $1; next }
        { d = ($1 - a[$2]) / n; if (d >= 500) printf "%9d  %s\n", d, $2 }' \
        "$1.fn" "$2.fn" | sort -rn
}
cg_total() {            # callgrind file -> instructions
    awk '/^(summary|totals):/ { print $2; exit }' "$1"
}

# httpd -X under callgrind, answering n PATCH ops on one connection.
cg_httpd_run() {        # n -> callgrind file $RUN/cg-httpd.n
    local n="$1" dir="$VAR/httpd-cg" port vpid i urls=() salt="$RANDOM$RANDOM" as=()
    rm -rf "$dir"
    mkdir -p "$dir/run"
    port="$(free_port)"
    sed -e "s|$HTTPD_DIR|$dir|g" -e "s|127.0.0.1:$HTTP_PORT|127.0.0.1:$port|g" \
        -e '/^User /d' -e '/^Group /d' "$HTTPD_DIR/httpd.conf" >"$dir/httpd.conf"
    if (( EUID == 0 )); then        # httpd will not run as root: as www-data
        chown -R www-data "$dir"
        as=(runuser -u www-data --)
    fi
    "${as[@]}" valgrind --tool=callgrind --callgrind-out-file="$dir/cg.%p" \
        "$HTTPD" -X -f "$dir/httpd.conf" >"$dir/valgrind.log" 2>&1 &
    vpid=$!
    for _ in $(seq 1 300); do
        port_busy "$port" && break
        kill -0 "$vpid" 2>/dev/null || break
        sleep 0.2
    done
    if ! port_busy "$port"; then
        CG_NOTE="httpd -X did not start under valgrind: $dir/valgrind.log"
        kill -TERM "$vpid" 2>/dev/null || true
        return
    fi
    # the credential (bcrypt) and the connection before the count
    curl -sS -o /dev/null -H "Authorization: $AUTH" \
        "http://127.0.0.1:$port/api/v1/ChatSession/$ID_LO" || true
    for (( i = 1; i <= n; i++ )); do
        urls+=("http://127.0.0.1:$port/api/v1/ChatSession/$(( ID_LO + (i * 37) % (ID_HI - ID_LO) ))")
    done
    curl -sS -X PATCH -H "Authorization: $AUTH" -H 'Content-Type: application/json' \
        -d "[{\"op\":\"replace\",\"path\":\"/CustomerName\",\"value\":\"profile $salt\"}]" \
        "${urls[@]}" >"$dir/answers" 2>&1 || true
    kill -TERM "$(cat "$dir/httpd.pid" 2>/dev/null || echo "$vpid")" 2>/dev/null || true
    wait "$vpid" 2>/dev/null || true
    cp "$(ls -S "$dir"/cg.* | awk 'NR == 1')" "$RUN/cg-httpd.$n"
}

# One backend under callgrind per pgbench run (the postmaster is): of the
# files that appeared during the run (an autovacuum worker may start too),
# the backend's is the one with the most instructions.
cg_pg_run() {           # name script n [pgbench args...] -> $RUN/cg-pg-name.n
    local name="$1" script="$2" n="$3" before f t best="" most=0
    shift 3
    before="$(ls "$CG_PG_DIR" | sort)"
    "$PG_BIN/pgbench" -h 127.0.0.1 -p "$PGPORT" -U "$DB_USER" -n -M prepared -c 1 -t "$n" \
        -f "$script" "$@" "$DB_NAME" >"$RUN/pgbench-cg-$name.$n" 2>&1 || true
    sleep 3                     # the backend writes its file as it exits
    for f in $(comm -13 <(echo "$before") <(ls "$CG_PG_DIR" | sort)); do
        t="$(cg_total "$CG_PG_DIR/$f")"
        if [[ -n "$t" ]] && (( t > most )); then
            most="$t"
            best="$f"
        fi
    done
    [[ -n "$best" ]] && cp "$CG_PG_DIR/$best" "$RUN/cg-pg-$name.$n"
    return 0
}

profile_callgrind() {
    local n
    if ! command -v valgrind >/dev/null || ! command -v callgrind_annotate >/dev/null; then
        CG_NOTE="valgrind not installed"
        return
    fi
    say "profile: instructions per request under callgrind (httpd -X, then the backends)"
    for n in 20 120; do cg_httpd_run "$n"; done
    CG_PG_DIR="$PGBASE/cg"
    as_pg mkdir -p "$CG_PG_DIR"
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
    as_pg valgrind --tool=callgrind --callgrind-out-file="$CG_PG_DIR/cg.%p" \
        "$PG_BIN/postgres" -D "$PGDATA" >"$RUN/valgrind-postgres.log" 2>&1 &
    for _ in $(seq 1 300); do
        "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT" && break
        sleep 0.3
    done
    pgbench_script "$RUN/pgbench-cg-naive.sql" naive "random($ID_LO, $ID_HI)"
    pgbench_script "$RUN/pgbench-cg-module.sql" modsql "random($ID_LO, $ID_HI)"
    for n in 20 120; do
        cg_pg_run naive "$RUN/pgbench-cg-naive.sql" "$n"
        (( CAPTURE_OK )) && cg_pg_run module "$RUN/pgbench-cg-module.sql" "$n" "${DEFINES[@]}"
    done
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w -t 120 stop >/dev/null 2>&1 || true
}

profile_report() {
    local a b
    echo
    if [[ -s "$RUN/perf.data" ]]; then
        echo "profile (perf): module PATCH ops on random ids, $(awk '/^RESULT/ { printf "%.0f req/s", $2 / $3 }' \
            "$RUN/wrk-profile.out") under perf; share of the samples by process and library (>= 2 %),"
        echo "then by function (>= 0.5 %); [k] is the kernel"
        perf report -i "$RUN/perf.data" --no-children -g none --sort comm,dso --stdio \
            --percent-limit 2 2>/dev/null | grep -v '^#' | grep -v '^$' | sed 's/^/  /'
        perf report -i "$RUN/perf.data" --no-children -g none --sort comm,dso,sym --stdio \
            --percent-limit 0.5 2>/dev/null | grep -v '^#' | grep -v '^$' | sed 's/^/  /'
        echo "(perf report -i $RUN/perf.data for the call graphs)"
    else
        echo "profile (perf): ${PERF_NOTE:-no data}"
    fi
    echo
    a="$RUN/cg-httpd.20"; b="$RUN/cg-httpd.120"
    if [[ -s "$a" && -s "$b" ]]; then
        echo "profile (callgrind): instructions per PATCH ops request, httpd's user space: $(( ($(cg_total "$b") - $(cg_total "$a")) / 100 ))"
        echo "  inclusive, the module's functions (>= 500):"
        cg_diff "$a" "$b" 100 yes | grep -E ' [^ ]*:(chats_|ap_invoke_handler|ap_process_request_internal)' \
            | awk '{ f = $2; sub(/^.*:/, "", f); if (!seen[f]++) print }' \
            | awk 'NR <= 25' | sed 's/^/  /'
        echo "  self, every function (>= 500; ??? = a library's static function):"
        cg_diff "$a" "$b" 100 no | grep -v 'PROGRAM TOTALS' | awk 'NR <= 25' | sed 's/^/  /'
    else
        echo "profile (callgrind): ${CG_NOTE:-httpd: no data ($VAR/httpd-cg/valgrind.log)}"
    fi
    for name in module naive; do
        a="$RUN/cg-pg-$name.20"; b="$RUN/cg-pg-$name.120"
        [[ -s "$a" && -s "$b" ]] || continue
        echo "profile (callgrind): instructions per transaction, one backend, $(label "$([[ $name == module ]] && echo modsql || echo naive)"): $(( ($(cg_total "$b") - $(cg_total "$a")) / 100 ))"
    done
    echo "(callgrind files: $RUN/cg-*; callgrind_annotate --inclusive=yes FILE)"
}
