# bench/lib/node.sh — sourced by bench/hotrow after bench/lib/setup.sh:
# the hand-written Node reference (bench/node/server.js). Installs its
# packages from the npm registry into $BENCH/var/node with `npm ci` and the
# package-lock.json checked in beside it (again only when the lock
# changed; never into the tree), then starts one `node server.js` on a
# free port against the bench's cluster, with POOL_MAX connections.
# Gets: NODE_PID NODE_BASE (appended to STOP_PIDS, stopped by the trap).
command -v node >/dev/null && command -v npm >/dev/null \
    || die "node and npm not found (apt-get install nodejs npm)"
NODE_DIR="$BENCH/var/node"
mkdir -p "$NODE_DIR"
if ! cmp -s "$BENCH/node/package-lock.json" "$NODE_DIR/package-lock.json" \
    || [[ ! -d "$NODE_DIR/node_modules" ]]; then
    say "node: npm ci (express, pg, fast-json-patch) into $NODE_DIR"
    cp "$BENCH/node/package.json" "$BENCH/node/package-lock.json" "$NODE_DIR/"
    (cd "$NODE_DIR" && npm ci --no-audit --no-fund >"$RUN/npm.log" 2>&1) \
        || { rm -f "$NODE_DIR/package-lock.json"; cat "$RUN/npm.log" >&2; die "npm ci failed"; }
fi
NODE_PORT="$(free_port)"
NODE_POOL="${NODE_POOL:-$CONNS}"
# A copy beside its node_modules: require() finds the bench's packages
# first, whatever node_modules the tree or its parents hold.
cp "$BENCH/node/server.js" "$NODE_DIR/server.js"
(cd "$NODE_DIR" && PORT="$NODE_PORT" \
    PGHOST=127.0.0.1 PGPORT="$PGPORT" PGDATABASE="$DB_NAME" PGUSER="$DB_USER" \
    PGOPTIONS='-c TimeZone=UTC' POOL_MAX="$NODE_POOL" NODE_ENV=production \
    exec node server.js) >"$RUN/node.log" 2>&1 &
NODE_PID=$!
STOP_PIDS+=("$NODE_PID")
for _ in $(seq 1 50); do
    port_busy "$NODE_PORT" && break
    kill -0 "$NODE_PID" 2>/dev/null || { cat "$RUN/node.log" >&2; die "node exited at start"; }
    sleep 0.2
done
port_busy "$NODE_PORT" || die "node does not answer on 127.0.0.1:$NODE_PORT"
NODE_BASE="http://127.0.0.1:$NODE_PORT/api/v1/ChatSession"
say "node: 127.0.0.1:$NODE_PORT, pool of $NODE_POOL, $(node --version), express $(
    node -p "require('$NODE_DIR/node_modules/express/package.json').version")"
