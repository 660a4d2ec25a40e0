#!/usr/bin/env node
"use strict";
// The official client's WebhookAgent: SuperOffice's TypeScript client
// (@superoffice/webapi, unchanged, pinned in package-lock.json) calls each
// of the 8 methods of its own WebhookAgent class (RPC POSTs under
// api/v1/Agents/Webhook/), every overload, each method as its own
// scenario, against a running mod_chatsession server and a real webhook
// receiver (t/bin/webhook-receiver.js), whose log it reads to see what
// the server sent.
//
//   node webhook.js BASE_URL
//
// Environment (t/api/client_webhook.t sets it up):
//   CHATS_WH_PREFIX      the name of every webhook this script creates
//                        starts so (the test file removes what a failed
//                        run left)
//   CHATS_WH_SECRET      the secret of every webhook it creates or tests
//   CHATS_RX_OK          a receiver URL prefix answered 200
//                        (https://127.0.0.2:P/ok/<zone>); the script
//                        appends /a, /t
//   CHATS_RX_FAIL        a receiver URL prefix answered 500 (body
//                        CHATS_RX_FAIL_BODY); the script appends /b, /t
//   CHATS_RX_LOG         the receiver's JSON-lines log
//   CHATS_WH_FIXTURE     a webhook made directly in the database: State
//                        TooManyErrors, named CHATS_WH_FIXTURE_NAME,
//                        Registered CHATS_WH_REGISTERED and Updated
//                        CHATS_WH_UPDATED (instants either side of New
//                        York's 2024 fall-back hour), registered and
//                        updated by associate 5, LastError
//                        CHATS_WH_FIXTURE_ERROR
//   CHATS_WH_USER, CHATS_WH_USER_PASS
//                        a caller below admin (update_all)
//   user tje0/Tje0 (associate 5, admin) does everything else.
// Run it once per client time zone (TZ=UTC, TZ=America/New_York): every
// date-time must come back as the same instant, every enum must decode.
// Each run leaves what it found: the webhooks it creates it deletes.
//
// Output is TAP ("ok N - [TZ=..] Method: ...", "# ...", then "1..N"),
// every line named after the scenario (the WebhookAgent method) it
// belongs to; exit 0 only when every check passed.

const crypto = require("crypto");
const fs = require("fs");
const webapi = require("@superoffice/webapi");
const { WebApi, WebhookState, WebhookNotifyVia } = webapi;

const env = process.env;
const BASE = process.argv[2] || env.CHATS_BASE_URL;
const PREFIX = env.CHATS_WH_PREFIX;
const SECRET = env.CHATS_WH_SECRET;
const RX = { ok: env.CHATS_RX_OK, fail: env.CHATS_RX_FAIL, failBody: env.CHATS_RX_FAIL_BODY,
             log: env.CHATS_RX_LOG };
const FIX = { id: Number(env.CHATS_WH_FIXTURE), name: env.CHATS_WH_FIXTURE_NAME,
              registered: new Date(env.CHATS_WH_REGISTERED), updated: new Date(env.CHATS_WH_UPDATED),
              lastError: env.CHATS_WH_FIXTURE_ERROR };
const USER = { login: env.CHATS_WH_USER, pass: env.CHATS_WH_USER_PASS };
const UNKNOWN = 2147483000;      // no webhook: outside every fixture block
const SAFETY = 20000;            // ms: a delivery that never comes (never a speed check)

// ------------------------------------------------------------------ TAP
const { TZ, diag, ok, finish, errText, opts, lastData, call, rejects,
        resolvesVoid, zonedDates } = require("./tap.js");
if (!BASE || !PREFIX || !SECRET || !RX.ok || !RX.fail || !RX.failBody || !RX.log
    || !Number.isInteger(FIX.id) || !FIX.name || isNaN(FIX.registered) || isNaN(FIX.updated)
    || !FIX.lastError || !USER.login) {
    console.log("1..0 # usage: CHATS_WH_*=.. CHATS_RX_*=.. node webhook.js http://host:port/");
    process.exit(2);
}
setTimeout(() => { ok(false, "scenarios finished within 60 s"); finish(); }, 60000).unref();

// --------------------------------------------------------------- client
// As an integrator gets it: WebApi + authenticateWithPassword, then the
// package's own factory, WebApi.getWebhookAgent().
function agentFor(user, pass) {
    const api = new WebApi(BASE);
    api.authenticateWithPassword(user, pass);
    return api.getWebhookAgent();
}
const tje0 = agentFor("tje0", "Tje0");
const lesser = agentFor(USER.login, USER.pass);

// ------------------------------------------------------- expectations
const STATES = new Set(Object.values(WebhookState));
// JSON with sorted members: deep equality that ignores member order.
function canon(v) {
    if (Array.isArray(v)) return `[${v.map(canon).join(",")}]`;
    if (v && typeof v === "object")
        return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canon(v[k])}`).join(",")}}`;
    return JSON.stringify(v);
}
function isDate(d) { return d instanceof Date && !isNaN(d.getTime()); }
function show(v) { return v instanceof Date ? v.toISOString() : canon(v); }

// want: {name: "...", registered: Date, headers: {...}, ...}
function same(step, e, want) {
    for (const [k, w] of Object.entries(want || {})) {
        const g = e[k];
        const good = w instanceof Date ? isDate(g) && g.getTime() === w.getTime() : canon(g) === canon(w);
        ok(good, `${step}: ${k} is ${show(w)}`, `client has ${show(g)}`);
    }
}

// A Webhook as the client made it of `raw`: every member decodes, the
// secret is not there.
function hook(step, e, raw, want) {
    if (!ok(e && typeof e === "object" && Number.isInteger(e.webhookId),
            `${step}: a Webhook with a WebhookId`, JSON.stringify(e)))
        return false;
    raw = raw || {};
    ok(!("Secret" in raw) && e.secret === undefined, `${step}: no Secret (write-only)`,
       JSON.stringify(raw.Secret));
    ok(STATES.has(e.state) && e.state !== WebhookState.Unknown, `${step}: state is the client's enum string`,
       `sent ${JSON.stringify(raw.State)}`);
    ok(Array.isArray(e.events) && e.headers && typeof e.headers === "object"
       && e.properties && typeof e.properties === "object",
       `${step}: events an array, headers and properties objects`,
       JSON.stringify([raw.Events, raw.Headers, raw.Properties]));
    ok(Number.isInteger(e.notifyVia) && Number.isInteger(e.notifyWhen),
       `${step}: notifyVia/notifyWhen decode from names`, JSON.stringify([raw.NotifyVia, raw.NotifyWhen]));
    ok(["totalCalls", "totalErrors", "consecutiveErrors"].every((k) => Number.isInteger(e[k]))
       && typeof e.lastError === "string",
       `${step}: the counters are numbers, lastError a string`,
       JSON.stringify([e.totalCalls, e.totalErrors, e.consecutiveErrors, e.lastError]));
    if (e.webhookId > 0) {
        ok(isDate(e.registered) && isDate(e.updated) && e.registered.getTime() === Date.parse(raw.Registered)
           && e.updated.getTime() >= e.registered.getTime(),
           `${step}: registered and updated are Dates, updated not before registered`,
           JSON.stringify([raw.Registered, raw.Updated]));
        ok(e.registeredAssociate && e.registeredAssociate.associateId === 5
           && e.updatedAssociate && e.updatedAssociate.associateId === 5,
           `${step}: registeredAssociate and updatedAssociate are associate 5`,
           JSON.stringify([raw.RegisteredAssociate, raw.UpdatedAssociate]));
    }
    zonedDates(step, raw);
    same(step, e, want);
    return true;
}
function hookAnswer(step, e, want) { return hook(step, e, lastData(), want); }

// ------------------------------------------------------------ receiver
// What the receiver logged under a URL's path, parsed: {path, headers:
// [[name, value]], raw: Buffer, doc: the body's JSON}.
function pathOf(url) { return new URL(url).pathname; }
function received(url) {
    const path = pathOf(url);
    let text = "";
    try { text = fs.readFileSync(RX.log, "utf8"); } catch (err) { return []; }
    const out = [];
    for (const line of text.split("\n")) {
        let d;
        try { d = JSON.parse(line); } catch (err) { continue; }      // a line being written
        if (!d.path.startsWith(path)) continue;
        d.raw = Buffer.from(d.body, "base64");
        try { d.doc = JSON.parse(d.raw.toString("utf8")); } catch (err) { d.doc = null; }
        out.push(d);
    }
    return out;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// The deliveries under url after `since` (a count of earlier ones) once
// cond holds for them, else what there is after the safety time.
async function arrivals(url, since, cond) {
    const until = Date.now() + SAFETY;
    for (;;) {
        const got = received(url).slice(since);
        if (cond(got) || Date.now() > until) return got;
        await sleep(50);
    }
}
function headers(d, name) {
    return d.headers.filter(([k]) => k.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
}
// One delivery, as the webhook that sent it should have: signed with
// SECRET over the exact bytes, its Event and EventId headers the body's,
// X-Hook-Test on a test only, the webhook's own headers, and the body's
// members in want (Properties among them).
function delivery(step, d, want, ownHeaders) {
    if (!ok(d && d.doc && typeof d.doc === "object", `${step}: the receiver got a JSON body`,
            d ? d.raw.toString("utf8").slice(0, 300) : "nothing arrived"))
        return;
    const sig = crypto.createHmac("sha256", SECRET).update(d.raw).digest("base64");
    ok(canon(headers(d, "X-SuperOffice-Signature")) === canon([sig]),
       `${step}: X-SuperOffice-Signature is the HMAC-SHA256 of the body with the secret`,
       JSON.stringify(headers(d, "X-SuperOffice-Signature")));
    ok(canon(headers(d, "X-SuperOffice-Event")) === canon([d.doc.Event])
       && canon(headers(d, "X-SuperOffice-EventId")) === canon([d.doc.EventId]),
       `${step}: X-SuperOffice-Event and -EventId are the body's`, JSON.stringify(d.headers));
    ok(canon(headers(d, "X-Hook-Test")) === canon(d.doc.Event === "test" ? ["true"] : []),
       `${step}: X-Hook-Test ${d.doc.Event === "test" ? "true" : "absent"}`, JSON.stringify(headers(d, "X-Hook-Test")));
    for (const [k, v] of Object.entries(ownHeaders || {}))
        ok(canon(headers(d, k)) === canon([v]), `${step}: the webhook's header ${k}: ${v}`,
           JSON.stringify(headers(d, k)));
    for (const [k, w] of Object.entries(want || {}))
        ok(canon(d.doc[k]) === canon(w), `${step}: ${k} is ${canon(w)}`, `received ${canon(d.doc[k])}`);
}

// ------------------------------------------------------------ scenarios
const zone = TZ.replace(/[^A-Za-z]/g, "").toLowerCase();
const tag = `${zone}${process.pid}`;
const ENTITY = `cw${tag}`;                  // signalled events' entity
const EV = `${ENTITY}.fired`;               // A and B
const EV2 = `${ENTITY}.added`;              // A, by the update
const EVB = `${ENTITY}.failed`;             // B only
const URL_A = `${RX.ok}/a`, URL_B = `${RX.fail}/b`;
const URL_T = `${RX.ok}/t`, URL_TF = `${RX.fail}/t`;
const HEADERS_A = { "X-Client-Run": tag };
const PROPS_A = { Run: tag, Count: 1, Nested: { a: [true, "x"], n: null } };
const S = {};            // what one scenario leaves for the next
const scenarios = [];
function scenario(name, fn) { scenarios.push([name, fn]); }
function needs(step, what, v) { return ok(v !== undefined && v !== null, `${step}: ${what} (from an earlier scenario)`); }

scenario("CreateDefaultWebhook", async (M) => {
    const [e, err] = await call(() => tje0.createDefaultWebhookAsync(opts()));
    if (!ok(!err, `${M}: resolves`, errText(err))) return;
    hookAnswer(M, e, { webhookId: 0, state: WebhookState.Active, type: "webhook", events: [], headers: {},
                       properties: {}, notifyVia: WebhookNotifyVia.None });
    S.def = e;
});

scenario("SaveWebhook (create)", async (M) => {
    if (!needs(M, "the default entity", S.def)) return;
    const ent = Object.assign({}, S.def, { webhookId: 0, name: `${PREFIX} ${tag} A`, targetUrl: URL_A,
                                           secret: SECRET, events: [EV], headers: HEADERS_A,
                                           properties: PROPS_A, description: "made by webhook.js" });
    const seen = received(URL_A).length;
    const [e, err] = await call(() => tje0.saveWebhookAsync(ent, opts()));
    if (!ok(!err, `${M}: the default, as the client re-sends it, resolves`, errText(err))) return;
    hookAnswer(M, e, { name: ent.name, targetUrl: URL_A, state: WebhookState.Active, type: "webhook",
                       events: [EV], headers: HEADERS_A, properties: PROPS_A, description: ent.description,
                       totalCalls: 0, consecutiveErrors: 0, lastError: "" });
    if (ok(e.webhookId > 0, `${M}: a new id`, `got ${e.webhookId}`)) S.a = e;
    // Created Active: tested first, with its own secret, headers, properties.
    const got = await arrivals(URL_A, seen, (g) => g.length >= 1);
    ok(got.length === 1, `${M}: the receiver got one request (the test)`, `got ${got.length}`);
    delivery(`${M} (its test)`, got[0], Object.assign({ Event: "test", Entity: "test", PrimaryKey: 0,
                                                        WebhookName: ent.name }, PROPS_A), HEADERS_A);
});

scenario("SaveWebhook (create, Stopped)", async (M) => {
    if (!needs(M, "the default entity", S.def)) return;
    // Its receiver answers 500: a test would fail the create. A webhook
    // created Stopped is not tested.
    const ent = Object.assign({}, S.def, { webhookId: 0, name: `${PREFIX} ${tag} B`, targetUrl: URL_B,
                                           secret: SECRET, events: [EV, EVB], state: WebhookState.Stopped });
    const [e, err] = await call(() => tje0.saveWebhookAsync(ent, opts()));
    if (!ok(!err, `${M}: resolves`, errText(err))) return;
    hookAnswer(M, e, { name: ent.name, targetUrl: URL_B, state: WebhookState.Stopped, events: [EV, EVB] });
    if (ok(e.webhookId > 0 && (!S.a || e.webhookId > S.a.webhookId), `${M}: a new id, after A's`, `got ${e.webhookId}`))
        S.b = e;
    ok(received(URL_B).length === 0, `${M}: nothing sent to its receiver`);
});

scenario("SaveWebhook (create, failing test)", async (M) => {
    if (!needs(M, "the default entity", S.def)) return;
    const name = `${PREFIX} ${tag} refused`;
    const ent = Object.assign({}, S.def, { webhookId: 0, name, targetUrl: `${RX.fail}/r`, secret: SECRET,
                                           events: [EV] });
    let [e, err] = await call(() => tje0.saveWebhookAsync(ent, opts()));
    if (rejects(M, err, 400, e))
        ok((err.response.data || {}).Field === "TargetUrl", `${M}: the error names TargetUrl`,
           JSON.stringify(err.response.data));
    [e, err] = await call(() => tje0.getAllWebhooksAsync(name, null, WebhookState.Unknown, opts()));
    ok(!err && Array.isArray(e) && e.length === 0, `${M}: nothing saved`, err ? errText(err) : JSON.stringify(e));
});

const UPDATE = { events: [EV, EV2], headers: Object.assign({ "X-Client-Extra": "2" }, HEADERS_A),
                 properties: Object.assign({}, PROPS_A, { Count: 2, Added: "yes" }),
                 description: "updated by webhook.js", notifyVia: WebhookNotifyVia.Email | WebhookNotifyVia.InApp };

scenario("SaveWebhook (update)", async (M) => {
    if (!needs(M, "the created webhook", S.a)) return;
    // The entity as read (no secret: the stored one must stay), changed.
    const ent = Object.assign({}, S.a, UPDATE, { name: `${PREFIX} ${tag} A2` });
    const sent = JSON.parse(JSON.stringify(ent));
    ok(!("secret" in sent) && sent.notifyVia === 3, `${M}: the client sends no secret and notifyVia as a number`,
       JSON.stringify([sent.secret, sent.notifyVia]));
    let [e, err] = await call(() => tje0.saveWebhookAsync(ent, opts()));
    if (!ok(!err, `${M}: resolves`, errText(err))) return;
    const want = Object.assign({ webhookId: S.a.webhookId, name: ent.name, targetUrl: URL_A,
                                 state: WebhookState.Active, registered: S.a.registered }, UPDATE);
    hookAnswer(M, e, want);
    ok((lastData() || {}).NotifyVia === "Email, InApp", `${M}: NotifyVia answered by names`,
       JSON.stringify((lastData() || {}).NotifyVia));
    // The console's cycle: save what was read, unchanged.
    [e, err] = await call(() => tje0.saveWebhookAsync(e, opts()));
    if (ok(!err, `${M}: saving the answer back unchanged resolves`, errText(err)))
        hookAnswer(`${M} (again)`, e, want);
    S.a = e || S.a;
    S.updated = true;
});

scenario("GetWebhook", async (M) => {
    if (needs(M, "the created webhook", S.a)) {
        const [e, err] = await call(() => tje0.getWebhookAsync(S.a.webhookId, opts()));
        if (ok(!err, `${M}: resolves`, errText(err)))
            hookAnswer(M, e, Object.assign({ webhookId: S.a.webhookId, name: S.a.name, targetUrl: URL_A,
                                             registered: S.a.registered, updated: S.a.updated },
                                           S.updated ? UPDATE : {}));
    }
    // Made in the database: its dates either side of New York's fall-back
    // hour, both 01:30 on New York's clock.
    let [e, err] = await call(() => tje0.getWebhookAsync(FIX.id, opts()));
    if (ok(!err, `${M} (fixture): resolves`, errText(err)))
        hookAnswer(`${M} (fixture)`, e, { webhookId: FIX.id, name: FIX.name, state: WebhookState.TooManyErrors,
                                          registered: FIX.registered, updated: FIX.updated,
                                          lastError: FIX.lastError, totalCalls: 7, totalErrors: 3,
                                          consecutiveErrors: 9 });
    [e, err] = await call(() => tje0.getWebhookAsync(UNKNOWN, opts()));
    rejects(`${M} (unknown id)`, err, 404, e);
});

scenario("GetAllWebhooks", async (M) => {
    const A = S.a && S.a.webhookId, B = S.b && S.b.webhookId;
    const cases = [
        ["name", () => tje0.getAllWebhooksAsync(S.a && S.a.name, null, WebhookState.Unknown, opts()), [A]],
        ["event", () => tje0.getAllWebhooksAsync({ nameFilter: null, eventFilter: EV, statusFilter: WebhookState.Unknown }, opts()), [A, B]],
        ["event, Stopped", () => tje0.getAllWebhooksAsync({ nameFilter: null, eventFilter: EV, statusFilter: WebhookState.Stopped }, opts()), [B]],
        ["event, Active", () => tje0.getAllWebhooksAsync(null, EV, WebhookState.Active, opts()), [A]],
        ["event only B has", () => tje0.getAllWebhooksAsync({ eventFilter: EVB }, opts()), [B]],
        ["name, TooManyErrors", () => tje0.getAllWebhooksAsync(FIX.name, null, WebhookState.TooManyErrors, opts()), [FIX.id]],
        ["name, Active", () => tje0.getAllWebhooksAsync(FIX.name, null, WebhookState.Active, opts()), []],
        ["a name nobody has", () => tje0.getAllWebhooksAsync(`${PREFIX} ${tag} nobody`, null, WebhookState.Unknown, opts()), []],
    ];
    for (const [what, fn, want] of cases) {
        const step = `${M} (${what})`;
        if (want.some((id) => !Number.isInteger(id))) { needs(step, "the created webhooks", undefined); continue; }
        const [list, err] = await call(fn);
        if (!ok(!err && Array.isArray(list), `${step}: resolves with an array`, errText(err))) continue;
        ok(canon(list.map((h) => h && h.webhookId)) === canon(want), `${step}: webhooks ${canon(want)}`,
           `got ${canon(list.map((h) => h && h.webhookId))}`);
    }
    // No filter (the client's nulls and Unknown): every webhook, each whole.
    const [list, err] = await call(() => tje0.getAllWebhooksAsync(null, null, WebhookState.Unknown, opts()));
    if (!ok(!err && Array.isArray(list), `${M} (no filter): resolves with an array`, errText(err))) return;
    const ids = list.map((h) => h && h.webhookId);
    ok([A, B, FIX.id].every((id) => ids.includes(id)), `${M} (no filter): A, B and the fixture among them`,
       JSON.stringify(ids));
    ok(ids.every((id, i) => i === 0 || id > ids[i - 1]), `${M} (no filter): in id order`, JSON.stringify(ids));
    const raw = (lastData()) || [];
    ok(!raw.some((h) => h && "Secret" in h), `${M} (no filter): no Secret in any`);
    const i = ids.indexOf(FIX.id);
    if (i >= 0) hook(`${M} (no filter, the fixture)`, list[i], raw[i],
                     { registered: FIX.registered, updated: FIX.updated, state: WebhookState.TooManyErrors });
    if (A && ids.includes(A)) hook(`${M} (no filter, A)`, list[ids.indexOf(A)], raw[ids.indexOf(A)],
                                   Object.assign({ name: S.a.name }, S.updated ? UPDATE : {}));
});

scenario("TestWebhook", async (M) => {
    const name = `${PREFIX} ${tag} T`;
    const props = { Run: tag, Tested: true };
    const seen = received(URL_T).length;
    let [r, err] = await call(() => tje0.testWebhookAsync({ name, targetUrl: URL_T, secret: SECRET,
                                                            headers: HEADERS_A, properties: props }, opts()));
    if (ok(!err, `${M} (the receiver): resolves`, errText(err))) {
        ok(r && r.success === true && typeof r.message === "string",
           `${M} (the receiver): WebhookResult success true, a message`, JSON.stringify(r));
    }
    const got = await arrivals(URL_T, seen, (g) => g.length >= 1);
    ok(got.length === 1, `${M} (the receiver): one request`, `got ${got.length}`);
    delivery(`${M} (the receiver)`, got[0], Object.assign({ Event: "test", Entity: "test", PrimaryKey: 0,
                                                            WebhookName: name }, props), HEADERS_A);

    const seenFail = received(URL_TF).length;
    [r, err] = await call(() => tje0.testWebhookAsync({ webhook: { name, targetUrl: URL_TF, secret: SECRET } }, opts()));
    if (ok(!err, `${M} (a receiver answering 500): resolves`, errText(err)))
        ok(r && r.success === false && /\b500\b/.test(r.message) && r.message.includes(RX.failBody),
           `${M} (a receiver answering 500): success false, the message has the status and the body`,
           JSON.stringify(r));
    ok(received(URL_TF).length - seenFail === 1, `${M} (a receiver answering 500): it was asked once`);

    // Loopback other than the receiver's address: refused, not a 500.
    [r, err] = await call(() => tje0.testWebhookAsync({ name, targetUrl: `http://127.0.0.1:9/t` }, opts()));
    if (ok(!err, `${M} (a refused target): resolves`, errText(err)))
        ok(r && r.success === false && typeof r.message === "string" && r.message.length > 0,
           `${M} (a refused target): success false, the reason`, JSON.stringify(r));

    let list;
    [list, err] = await call(() => tje0.getAllWebhooksAsync(name, null, WebhookState.Unknown, opts()));
    ok(!err && Array.isArray(list) && list.length === 0, `${M}: a test saves no webhook`,
       err ? errText(err) : JSON.stringify(list));
});

scenario("SignalEvent", async (M) => {
    if (!needs(M, "the updated webhook", S.updated && S.a)) return;
    const seen = received(URL_A).length;
    const data = { windowName: "foo", widgets: 123, nested: { ok: true } };
    let [v, err] = await call(() => tje0.signalEventAsync(EV2, 4711, data, opts()));
    resolvesVoid(`${M} (${EV2})`, err);
    [v, err] = await call(() => tje0.signalEventAsync({ eventName: EV, primaryKey: 0, data: { n: 1 } }, opts()));
    resolvesVoid(`${M} (${EV}, the request overload)`, err);
    // To A only (B is Stopped), signed with the secret the create set,
    // which the updates kept. (Two primary keys: no order between them.)
    const got = await arrivals(URL_A, seen, (g) => g.length >= 2);
    ok(got.length === 2, `${M}: A's receiver got two events`, `got ${got.length}`);
    const of = (ev) => got.find((d) => d.doc && d.doc.Event === ev);
    const extra = { "X-Client-Extra": "2" };
    const common = Object.assign({ Entity: ENTITY, WebhookName: S.a.name, ChangedByAssociateId: 5 },
                                 UPDATE.properties);
    delivery(`${M} (${EV2})`, of(EV2), Object.assign({ Event: EV2, PrimaryKey: 4711, FieldValues: data }, common),
             Object.assign({}, HEADERS_A, extra));
    delivery(`${M} (${EV})`, of(EV), Object.assign({ Event: EV, PrimaryKey: 0, FieldValues: { n: 1 } }, common),
             extra);
    ok(received(URL_B).length === 0, `${M}: nothing to B (Stopped)`);

    [v, err] = await call(() => tje0.signalEventAsync("chatsession.changed", 1, {}, opts()));
    if (rejects(`${M} (chatsession.changed, the module's own)`, err, 400, v))
        ok((err.response.data || {}).Field === "eventName", `${M} (chatsession.changed): the error names eventName`,
           JSON.stringify(err.response.data));
});

scenario("GetLastError", async (M) => {
    let [s, err] = await call(() => tje0.getLastErrorAsync(FIX.id, opts()));
    ok(!err && s === FIX.lastError, `${M} (fixture): resolves with its LastError`,
       err ? errText(err) : JSON.stringify(s));
    if (needs(M, "the created webhook", S.a)) {
        [s, err] = await call(() => tje0.getLastErrorAsync({ webhookId: S.a.webhookId }, opts()));
        ok(!err && s === "", `${M} (A, the request overload): "" (no error yet)`, err ? errText(err) : JSON.stringify(s));
    }
    [s, err] = await call(() => tje0.getLastErrorAsync(UNKNOWN, opts()));
    rejects(`${M} (unknown id)`, err, 404, s);

    // B made Active (an update: not tested), then an event its receiver
    // refuses with 500.
    if (!needs(M, "the Stopped webhook", S.b)) return;
    let e;
    [e, err] = await call(() => tje0.saveWebhookAsync(Object.assign({}, S.b, { state: WebhookState.Active }), opts()));
    if (!ok(!err, `${M}: SaveWebhook B State Active resolves`, errText(err))) return;
    hookAnswer(`${M} (B Active)`, e, { webhookId: S.b.webhookId, state: WebhookState.Active });
    let v;
    [v, err] = await call(() => tje0.signalEventAsync(EVB, 7, { why: "fail" }, opts()));
    resolvesVoid(`${M}: SignalEvent ${EVB}`, err);
    const got = await arrivals(URL_B, 0, (g) => g.length >= 1);
    delivery(`${M} (the failed delivery)`, got[0], { Event: EVB, PrimaryKey: 7, FieldValues: { why: "fail" },
                                                     WebhookName: S.b.name });
    // LastError is written once the try has ended: wait for it (safety
    // time only).
    const until = Date.now() + SAFETY;
    do {
        [s, err] = await call(() => tje0.getLastErrorAsync(S.b.webhookId, opts()));
        if (err || s !== "") break;
        await sleep(50);
    } while (Date.now() < until);
    ok(!err && typeof s === "string" && /\b500\b/.test(s) && s.includes(RX.failBody),
       `${M} (B, after a failed delivery): the status and the receiver's body`, err ? errText(err) : JSON.stringify(s));
    [e, err] = await call(() => tje0.getWebhookAsync(S.b.webhookId, opts()));
    ok(!err && e && e.lastError === s && e.totalErrors >= 1, `${M}: GetWebhook B has that LastError, an error counted`,
       err ? errText(err) : JSON.stringify([e.lastError, e.totalErrors]));
});

scenario("DeleteWebhook", async (M) => {
    for (const [which, h] of [["A", S.a], ["B", S.b]]) {
        if (!needs(`${M} ${which}`, `webhook ${which}`, h)) continue;
        let [v, err] = await call(() => tje0.deleteWebhookAsync(h.webhookId, opts()));
        resolvesVoid(`${M} ${which}`, err);
        let e;
        [e, err] = await call(() => tje0.getWebhookAsync(h.webhookId, opts()));
        rejects(`${M} ${which}: then GetWebhook`, err, 404, e);
        [v, err] = await call(() => tje0.deleteWebhookAsync(h.webhookId, opts()));
        rejects(`${M} ${which}: again`, err, 404, v);
    }
});

// Only the admin level reads or manages webhooks.
scenario("not admin", async (M) => {
    const name = `${PREFIX} ${tag} denied`;
    const seen = received(URL_T).length;
    const calls = [
        ["CreateDefaultWebhook", () => lesser.createDefaultWebhookAsync(opts())],
        ["GetWebhook", () => lesser.getWebhookAsync(FIX.id, opts())],
        ["GetAllWebhooks", () => lesser.getAllWebhooksAsync(null, null, WebhookState.Unknown, opts())],
        ["SaveWebhook", () => lesser.saveWebhookAsync({ webhookId: 0, name, targetUrl: URL_T, events: [EV] }, opts())],
        ["TestWebhook", () => lesser.testWebhookAsync({ name, targetUrl: URL_T }, opts())],
        ["SignalEvent", () => lesser.signalEventAsync(EV, 1, {}, opts())],
        ["GetLastError", () => lesser.getLastErrorAsync(FIX.id, opts())],
        ["DeleteWebhook", () => lesser.deleteWebhookAsync(FIX.id, opts())],
    ];
    for (const [method, fn] of calls) {
        const [v, err] = await call(fn);
        rejects(`${M}: ${method}`, err, 403, v);
    }
    const [list, err] = await call(() => tje0.getAllWebhooksAsync(FIX.name, null, WebhookState.Unknown, opts()));
    ok(!err && Array.isArray(list) && list.length === 1, `${M}: the fixture is still there`,
       err ? errText(err) : JSON.stringify(list));
    const [none] = await call(() => tje0.getAllWebhooksAsync(name, null, WebhookState.Unknown, opts()));
    ok(Array.isArray(none) && none.length === 0, `${M}: nothing saved`, JSON.stringify(none));
    ok(received(URL_T).length === seen, `${M}: nothing sent`);
});

async function main() {
    diag(`TZ=${TZ} (UTC offset now ${-new Date().getTimezoneOffset()} min), fixture ${FIX.id}, `
         + `receiver ${RX.ok} / ${RX.fail}, base ${tje0._options.baseUrl}`);
    for (const [name, fn] of scenarios) {
        diag(`scenario ${name}`);
        try {
            await fn(name);
        } catch (err) {
            ok(false, `${name}: the scenario threw`, String((err && err.stack) || err));
        }
    }
}

main().then(finish, (err) => { ok(false, `scenarios threw: ${(err && err.stack) || err}`); finish(); });
