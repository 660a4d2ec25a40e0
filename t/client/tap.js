"use strict";
// TAP for the t/client scenarios (compat.js, agent.js, ...): "ok N - [TZ=..]
// name" / "not ok N - ..." with "# ..." diagnostics, then "1..N" at the
// end; the process exits 0 only when every check passed. ChatSession::Test's
// run_node_tap turns the lines into Test::More assertions.
const TZ = process.env.TZ || "(unset)";
let n = 0;
let failed = 0;

function diag(msg) {
    for (const line of String(msg).split("\n")) console.log("# " + line);
}
function ok(cond, name, why) {
    n++;
    const label = `[TZ=${TZ}] ${name}`.replace(/#/g, "\\#");
    if (cond) {
        console.log(`ok ${n} - ${label}`);
    } else {
        failed++;
        console.log(`not ok ${n} - ${label}`);
        if (why !== undefined) diag(typeof why === "string" ? why : JSON.stringify(why));
    }
    return !!cond;
}
function finish() {
    console.log(`1..${n}`);
    if (failed) diag(`failed ${failed}/${n} under TZ=${TZ}`);
    process.exit(failed ? 1 : 0);
}
function bail(msg) {
    ok(false, msg);
    finish();
}

// A rejected client call, for a diagnostic: the HTTP status and body the
// server answered, else the error itself.
function errText(err) {
    if (!err) return "no error";
    const r = err.response;
    if (r) return `HTTP ${r.status}: ${typeof r.data === "string" ? r.data : JSON.stringify(r.data)}`.slice(0, 600);
    return String((err && err.stack) || err).slice(0, 600);
}

// Calls of the official client (topic.js, webhook.js): the raw axios
// response of the last one (the package's documented responseCallback
// hook), to see the JSON next to what the converter made of it.
let last = null;
function opts() {
    return { responseCallback: (r) => { last = r; } };
}
function lastData() {
    return last ? last.data : undefined;
}
// [value, error] of a client call. A converter that throws rejects the
// promise too, so "resolves" also says every converter took the answer.
async function call(fn) {
    last = null;
    try {
        return [await fn(), null];
    } catch (err) {
        return [undefined, err];
    }
}
function rejects(step, err, status, v) {
    return ok(err && err.response && err.response.status === status,
              `${step}: the promise rejects with HTTP ${status}`,
              err ? errText(err) : `resolved ${JSON.stringify(v)}`);
}
function resolvesVoid(step, err) {
    return ok(!err && last && last.status === 204, `${step}: resolves, HTTP 204`,
              err ? errText(err) : `HTTP ${last && last.status}`);
}

// Every date-time the server sent names its offset (else the client reads
// it in its own zone and the two runs disagree).
function zonedDates(step, raw) {
    const stamps = [];
    (function walk(v, path) {
        if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}[T ]\d/.test(v)) stamps.push([path, v]);
        else if (v && typeof v === "object") for (const k of Object.keys(v)) walk(v[k], path ? `${path}.${k}` : k);
    })(raw, "");
    const naive = stamps.filter(([, v]) => !/(Z|[+-]\d\d:?\d\d)$/.test(v));
    return ok(naive.length === 0, `${step}: all ${stamps.length} date-times sent carry a zone offset`,
              naive.map(([p, v]) => `${p}: ${v}`).join("\n"));
}

module.exports = { TZ, diag, ok, finish, bail, errText,
                   opts, lastData, call, rejects, resolvesVoid, zonedDates };
