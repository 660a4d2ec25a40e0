# bench/lib/setup.sh — sourced by bench/hotrow and bench/soak: the common
# set-up of a benchmark run. Runs as top-level code when sourced:
#   prerequisites, a build of the module as ./serve builds it (shared
#   between benches: $BENCH/var/build), a new PostgreSQL cluster with the
#   demo data and ids ID_LO..ID_HI seeded, and httpd with ./serve's
#   configuration; a cleanup trap stops what it started (and $JOB_PID).
# The caller sets, before sourcing:
#   TOP BENCH        the tree and its bench/
#   BENCH_NAME       for messages (hotrow, soak)
#   VAR              this bench's state (run/, pg/, httpd/ below it)
#   AUTH_TTL         ChatSessionAuthCacheTTL
#   ID_LO ID_HI      sessions seeded
#   DB_NAME DB_USER ADMIN_APP
#   HTTPD_EXTRA      optional: more httpd.conf lines (appended)
# and gets: say die as_pg port_busy free_port psql_su sql patch_once,
#   RUN PG_BIN PGPORT PGDATA HTTPD HTTPD_DIR HTTPD_PID HTTP_PORT BASE AUTH
#   MODULE_SO BUILT_AT LOAD_BEFORE, and STOP_PIDS: an array the caller
#   appends the PIDs of servers it starts to (the cleanup trap stops
#   them before httpd). One bench at a time per tree (a lock file).
say()  { printf '==> %s\n' "$*" >&2; }
die()  { printf 'bench/%s: %s\n' "$BENCH_NAME" "$*" >&2; exit 1; }

[[ "$AUTH_TTL" =~ ^[0-9]+$ ]] || die "AUTH_TTL must be a number of seconds"

as_pg() {
    if (( EUID == 0 )); then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {           # a random free port in 20000-29999 (not ./serve's)
    local p i
    for i in $(seq 1 200); do
        p=$(( 20000 + RANDOM % 10000 ))
        port_busy "$p" || { echo "$p"; return 0; }
    done
    die "no free port found"
}

# ------------------------------------------------------------ prerequisites
PG_BIN=/usr/lib/postgresql/15/bin
[[ -x "$PG_BIN/initdb" && -x "$PG_BIN/pgbench" ]] \
    || die "PostgreSQL 15 server binaries not found in $PG_BIN"
for tool in wrk curl perl; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install $tool)"
done
[[ -f /usr/share/postgresql/15/extension/pg_stat_statements.control ]] \
    || die "pg_stat_statements is not installed (postgresql-contrib)"
APXS="$(command -v apxs || echo /usr/bin/apxs)"
[[ -x "$APXS" ]] || die "apxs not found (run ./serve once: it installs the build packages)"
HTTPD="$("$APXS" -q SBINDIR)/$("$APXS" -q TARGET)"
LIBEXECDIR="$("$APXS" -q LIBEXECDIR)"

mkdir -p "$VAR"
# One bench at a time per tree: the next would wipe this one's run/ and
# share its build and cluster folders.
exec 9>"$BENCH/var/.lock"
flock -n 9 || die "another bench is running in this tree ($BENCH/var/.lock)"
rm -rf "$VAR/run"
RUN="$VAR/run"                  # this run's scripts, logs, statistics
mkdir -p "$RUN"

LOAD_BEFORE="$(cut -d' ' -f1 /proc/loadavg)"
say "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"

# ------------------------------------------------------------------ build
# A copy of the tree (tracked and new files, as ./check takes them), built
# with ./serve's steps. tar keeps modification times (to the nanosecond in
# the posix format: ustar's whole seconds could make an edit look older
# than its last build), so a second run only rebuilds what changed.
BUILD="$BENCH/var/build"         # shared by every bench: only changes are rebuilt
mkdir -p "$BUILD"
if git -C "$TOP" -c safe.directory='*' rev-parse --git-dir >/dev/null 2>&1; then
    git -C "$TOP" -c safe.directory='*' ls-files -z --cached --others --exclude-standard \
        | (cd "$TOP" && tar --format=posix --null --ignore-failed-read -T - -cf -) \
        | tar -xf - -C "$BUILD"
else
    tar -C "$TOP" --exclude=./var --exclude=./bench/var --exclude=./.git -cf - . \
        | tar -xf - -C "$BUILD"
fi
(
    cd "$BUILD"
    if [[ ! -x configure || configure.ac -nt configure || Makefile.am -nt Makefile.in ]]; then
        say "build: autoreconf -fi"
        autoreconf -fi >"$RUN/build.log" 2>&1 || { cat "$RUN/build.log" >&2; exit 1; }
    fi
    if [[ ! -f Makefile || configure -nt config.status ]]; then
        say "build: configure"
        ./configure --with-apxs="$APXS" >>"$RUN/build.log" 2>&1 \
            || { tail -n 30 "$RUN/build.log" >&2; exit 1; }
    fi
    say "build: make"
    make -j2 >>"$RUN/build.log" 2>&1 || { tail -n 30 "$RUN/build.log" >&2; exit 1; }
) || die "build failed (log: $RUN/build.log)"
MODULE_SO="$BUILD/.libs/mod_chatsession.so"
[[ -f "$MODULE_SO" ]] || die "$MODULE_SO was not built"
BUILT_AT="$(git -C "$TOP" -c safe.directory='*' log -1 --format=%h 2>/dev/null || echo '?')"
git -C "$TOP" -c safe.directory='*' diff --quiet HEAD 2>/dev/null || BUILT_AT="$BUILT_AT+changes"

# ------------------------------------------------------------- PostgreSQL
PGBASE="$VAR/pg"
if (( EUID == 0 )); then
    mkdir -p "$PGBASE"
    chown postgres: "$PGBASE"
    if ! runuser -u postgres -- test -w "$PGBASE/." 2>/dev/null; then
        PGBASE="/var/tmp/chats-bench-$(printf '%s' "$VAR" | sha1sum | cut -c1-12)/pg"
        say "user postgres cannot enter $VAR: the cluster goes to $PGBASE"
        mkdir -p "$PGBASE"
        chmod 755 "$(dirname "$PGBASE")"
        chown postgres: "$PGBASE"
    fi
fi
PGDATA="$PGBASE/data"
if [[ -f "$PGDATA/postmaster.pid" ]] && as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    die "a PostgreSQL is running in $PGDATA (another bench/$BENCH_NAME?)"
fi
as_pg rm -rf "$PGDATA" "$PGBASE/log"
as_pg mkdir -p "$PGBASE/log"
PGPORT="$(free_port)"

HTTPD_PID=""
JOB_PID=""
STOP_PIDS=()
cleanup() {
    local rc=$? pid
    trap - EXIT INT TERM
    for pid in "$JOB_PID" "${STOP_PIDS[@]}"; do
        if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    if [[ -n "$HTTPD_PID" ]] && kill -0 "$HTTPD_PID" 2>/dev/null; then
        say "stopping httpd"
        kill -TERM "$HTTPD_PID" 2>/dev/null || true
        wait "$HTTPD_PID" 2>/dev/null || true
    fi
    if [[ -f "$PGDATA/postmaster.pid" ]]; then
        say "stopping PostgreSQL"
        as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "PostgreSQL: new cluster in $PGDATA, 127.0.0.1:$PGPORT"
as_pg "$PG_BIN/initdb" -D "$PGDATA" -E UTF8 --locale=C.UTF-8 -A trust -U postgres \
    >"$RUN/initdb.log" 2>&1 || { cat "$RUN/initdb.log" >&2; die "initdb failed"; }
# Defaults otherwise (as ./serve's cluster): synchronous commit, 128 MB
# shared buffers, 100 connections.
as_pg tee -a "$PGDATA/postgresql.conf" >/dev/null <<EOF

# bench/$BENCH_NAME
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = ''
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
pg_stat_statements.track_planning = on
logging_collector = on
log_destination = 'jsonlog'
log_directory = '$PGBASE/log'
log_filename = 'postgresql.log'
EOF
as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PGBASE/log/startup.log" -w -t 60 start >/dev/null \
    || { cat "$PGBASE/log/startup.log" >&2; die "PostgreSQL did not start"; }

psql_su() {
    PGAPPNAME="$ADMIN_APP" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$PGPORT" -U postgres "$@"
}
sql() { psql_su -d "$DB_NAME" -tAc "$1"; }       # one admin statement, bare output

psql_su -d postgres -c "CREATE ROLE $DB_USER LOGIN" \
    -c "CREATE DATABASE $DB_NAME OWNER $DB_USER ENCODING 'UTF8'"
say "chatsession-db upgrade and demo; seeding ids $ID_LO-$ID_HI"
for cmd in upgrade demo; do
    PGAPPNAME="$ADMIN_APP" PATH="$PG_BIN:$PATH" "$TOP/modules/tools/chatsession-db" \
        -h 127.0.0.1 -p "$PGPORT" -U "$DB_USER" -d "$DB_NAME" "$cmd" >/dev/null \
        || die "chatsession-db $cmd failed"
done
PGAPPNAME="$ADMIN_APP" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" \
    -U "$DB_USER" -d "$DB_NAME" >/dev/null <<EOF
-- A live chat: an agent (tje0, associate 5) on topic 1, a customer known
-- by name and e-mail only (no person, contact, project, sale or ticket).
INSERT INTO chat_session (id, topic_id, user_id, customer_alias, customer_host,
    name, email, phone, company_name, status, first_message, last_message,
    when_requested, when_started, idle, customer_fetch, session_key,
    initial_queue_pos, rank, rating)
SELECT i, 1, 5, 'visitor' || i, 'host' || i || '.example.com',
    'Customer ' || i, 'customer' || i || '@example.com', '+47 900 ' || i,
    'Company ' || (i % 100), 2, 'Hello, I need help.', 'Message ' || i,
    now() - interval '10 minutes', now() - interval '9 minutes',
    now() - interval '1 minute', now(), md5(i::text), i % 10, 1, 0
FROM generate_series($ID_LO, $ID_HI) AS i;
SELECT setval('chat_session_id_seq', (SELECT max(id) FROM chat_session));
ANALYZE chat_session;
EOF
sql "CREATE EXTENSION pg_stat_statements" >/dev/null

# ------------------------------------------------------------------ httpd
# ./serve's configuration (same modules, MPM and pool sizes), pointed at
# the bench cluster; the access log goes to a file (status counts per row);
# the credential cache lasts AUTH_TTL seconds (see the header).
HTTPD_DIR="$VAR/httpd"
rm -rf "$HTTPD_DIR"
HTTP_PORT="$(free_port)"            # PostgreSQL holds its port by now
mkdir -p "$HTTPD_DIR/run"
USER_LINES=""
if (( EUID == 0 )); then
    USER_LINES=$'User www-data\nGroup www-data'
fi
cat >"$HTTPD_DIR/httpd.conf" <<EOF
# Generated by bench/$BENCH_NAME (after ./serve's); rewritten on every run.
ServerRoot "$HTTPD_DIR"
DefaultRuntimeDir "$HTTPD_DIR/run"
PidFile "$HTTPD_DIR/httpd.pid"
ServerName 127.0.0.1:$HTTP_PORT
Listen 127.0.0.1:$HTTP_PORT
$USER_LINES
ErrorLog "$HTTPD_DIR/error_log"
LogLevel warn

<IfModule !mpm_event_module>
    LoadModule mpm_event_module $LIBEXECDIR/mod_mpm_event.so
</IfModule>
<IfModule !unixd_module>
    LoadModule unixd_module $LIBEXECDIR/mod_unixd.so
</IfModule>
<IfModule !log_config_module>
    LoadModule log_config_module $LIBEXECDIR/mod_log_config.so
</IfModule>
LoadModule authn_core_module $LIBEXECDIR/mod_authn_core.so
LoadModule authz_core_module $LIBEXECDIR/mod_authz_core.so
LoadModule authz_user_module $LIBEXECDIR/mod_authz_user.so
LoadModule dbd_module $LIBEXECDIR/mod_dbd.so
LoadModule chatsession_module "$MODULE_SO"

StartServers 2
ServerLimit 4
ThreadsPerChild 16
MaxRequestWorkers 64
MinSpareThreads 16
MaxSpareThreads 48

LogFormat "%>s %D" bench
CustomLog "$HTTPD_DIR/access_log" bench

DBDriver pgsql
DBDParams "host=127.0.0.1 port=$PGPORT dbname=$DB_NAME user=$DB_USER connect_timeout=5 options='-c TimeZone=UTC'"
DBDMin 0
DBDKeep 4
DBDMax 8
DBDExptime 300

<Location /api/v1/ChatSession>
    SetHandler chatsession
    AuthType ChatSession
    AuthName "SuperOffice"
    ChatSessionAuthCacheTTL $AUTH_TTL
    Require valid-user
</Location>
${HTTPD_EXTRA:-}
EOF
"$HTTPD" -t -f "$HTTPD_DIR/httpd.conf" >/dev/null 2>"$RUN/configtest.log" \
    || { cat "$RUN/configtest.log" >&2; die "httpd configuration test failed"; }
"$HTTPD" -f "$HTTPD_DIR/httpd.conf" -DFOREGROUND &
HTTPD_PID=$!
for _ in $(seq 1 50); do
    port_busy "$HTTP_PORT" && break
    kill -0 "$HTTPD_PID" 2>/dev/null || die "httpd exited at start (see $HTTPD_DIR/error_log)"
    sleep 0.2
done
port_busy "$HTTP_PORT" || die "httpd does not answer on 127.0.0.1:$HTTP_PORT"
say "httpd: 127.0.0.1:$HTTP_PORT, module built from $BUILT_AT"

BASE="http://127.0.0.1:$HTTP_PORT/api/v1/ChatSession"
AUTH="Basic $(printf 'tje0:Tje0' | base64)"
patch_once() {          # id, new CustomerName -> HTTP status
    curl -sS -o /dev/null -w '%{http_code}' -X PATCH -H "Authorization: $AUTH" \
        -H 'Content-Type: application/json' \
        -d "[{\"op\":\"replace\",\"path\":\"/CustomerName\",\"value\":\"$2\"}]" "$BASE/$1"
}
