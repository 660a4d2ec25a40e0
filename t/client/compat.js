#!/usr/bin/env node
"use strict";
// Compatibility scenario: SuperOffice's official TypeScript client
// (@superoffice/webapi, unchanged, pinned in package-lock.json) drives the
// ChatSession resource of a running mod_chatsession server end to end.
//
//   node compat.js BASE_URL            e.g. http://127.0.0.1:8529/
//   CHATS_BASE_URL=... node compat.js
//
// The client appends api/v1/ChatSession/ to BASE_URL.  Credentials: the demo
// user tje0/Tje0 (override with CHATS_COMPAT_USER / CHATS_COMPAT_PASS).
// Run it once per client time zone (TZ=UTC, TZ=America/New_York): every
// date-time must come back as the same instant (to the millisecond) and
// every enum must decode.
//
// Output is TAP: "ok N - ..." / "not ok N - ..." and "# ..." diagnostics,
// then "1..N".  Exit status 0 only when every check passed; t/api/
// client_compat.t turns the lines into Test::More assertions.
//
// Development aid: CHATS_COMPAT_ID=N skips GET default and POST and runs
// the rest of the scenario on the existing session N (which it deletes).

const webapi = require("@superoffice/webapi");
const { WebApiBase, WebApiStatus } = require("@superoffice/webapi/WebApiBase.js");
const { ChatSessionRestApi } = require("./ChatSessionRestApi.js");

const { WebApi, ChatSessionStatus, ChatSessionFlags, UserType } = webapi;
const PKG = require("path").join(require.resolve("@superoffice/webapi"), "..", "..", "..", "package.json");
const PKG_VERSION = JSON.parse(require("fs").readFileSync(PKG, "utf8")).version;

const BASE = process.argv[2] || process.env.CHATS_BASE_URL;
const USER = process.env.CHATS_COMPAT_USER || "tje0";
const PASS = process.env.CHATS_COMPAT_PASS || "Tje0";

// ------------------------------------------------------------------ TAP
const { TZ, diag, ok, finish, bail, errText, zonedDates } = require("./tap.js");

if (!BASE) {
    console.log("1..0 # no base URL: node compat.js http://host:port/");
    process.exit(2);
}
// A hung server must not hang the suite.
setTimeout(() => bail("scenario finished within 60 s"), 60000).unref();

// --------------------------------------------------------------- client
// Built the way an integrator would: WebApi + authenticateWithPassword
// (axios `auth`, i.e. Basic), then the REST class made as WebApi's own
// get<Entity>RestApi() factories do it (see getContactRestApi).
const api = new WebApi(BASE);
api.authenticateWithPassword(USER, PASS);
const rest = new ChatSessionRestApi(WebApiBase.FigureOutOptions(api._options));

// Per-request options: capture the raw axios response (responseCallback
// is the package's documented hook) so that checks can see the JSON the
// server sent next to what the converter made of it.
let last = null;
function opts(extra) {
    return Object.assign({ responseCallback: (r) => { last = r; } }, extra || {});
}

// ---------------------------------------------------------- expectations
const DATE_FIELDS = ["whenRequested", "whenStarted", "whenEnded", "whenIdle", "whenFetched"];
const STATUS_NAMES = new Set(Object.values(ChatSessionStatus).filter((v) => typeof v === "string"));
const USERTYPE_NAMES = new Set(Object.values(UserType).filter((v) => typeof v === "string"));

// What the client sent last and expects back: scalar fields, dates as
// milliseconds since the epoch (null = no date).
const want = {};

function ms(d) {
    if (d === null || d === undefined) return null;
    return d instanceof Date ? d.getTime() : NaN;
}
function showDate(d) {
    if (d === null || d === undefined) return String(d);
    if (!(d instanceof Date)) return `not a Date: ${JSON.stringify(d)}`;
    return isNaN(d.getTime()) ? "Invalid Date" : d.toISOString();
}
function upper1(s) { return s.charAt(0).toUpperCase() + s.slice(1); }

// checkEntity(step, e): e (what the client resolved with) matches `want`,
// its dates are the instants sent, its enums decoded.
function checkEntity(step, e) {
    if (!ok(e && typeof e === "object", `${step}: resolves with an entity`, { got: e })) return false;
    const raw = last && last.data && typeof last.data === "object" ? last.data : {};

    for (const f of DATE_FIELDS) {
        if (!(f in want)) continue;
        const got = e[f];
        const w = want[f];
        const sent = w === null ? "null" : new Date(w).toISOString();
        const rawv = raw[upper1(f)];
        if (w === null) {
            ok(got === null, `${step}: ${f} is null`, `sent ${sent}, server sent ${JSON.stringify(rawv)}, client has ${showDate(got)}`);
        } else {
            ok(got instanceof Date && got.getTime() === w,
               `${step}: ${f} is the instant sent (${sent})`,
               `server sent ${JSON.stringify(rawv)}, client has ${showDate(got)}`
               + (got instanceof Date && !isNaN(got.getTime()) ? `, off by ${(got.getTime() - w) / 1000} s` : ""));
        }
    }

    // Every date-time the server sent names its offset: without one the
    // client reads it in its own zone (superoffice-client.md §5).
    zonedDates(step, raw);

    // Enums: the package's converters must make a value of the client's
    // enum out of whatever the server sent.
    ok(STATUS_NAMES.has(e.status), `${step}: status decodes to a ChatSessionStatus`,
       `server sent Status ${JSON.stringify(raw.Status)}, client has ${JSON.stringify(e.status)}`);
    ok(typeof e.flags === "number", `${step}: flags decodes to a number`,
       `server sent Flags ${JSON.stringify(raw.Flags)}, client has ${JSON.stringify(e.flags)}`);
    for (const c of ["user", "transferTo"]) {
        const rc = raw[upper1(c)];
        if (rc && rc.Type !== undefined && rc.Type !== null)
            ok(USERTYPE_NAMES.has(e[c] && e[c].type), `${step}: ${c}.type decodes to a UserType`,
               `server sent ${JSON.stringify(rc.Type)}, client has ${JSON.stringify(e[c] && e[c].type)}`);
    }
    if (raw.TableRight)
        ok(e.tableRight && typeof e.tableRight.mask === "number",
           `${step}: tableRight.mask decodes to a number`,
           `server sent ${JSON.stringify(raw.TableRight.Mask)}, client has ${JSON.stringify(e.tableRight)}`);
    if (raw.FieldProperties && typeof raw.FieldProperties === "object") {
        const bad = Object.keys(raw.FieldProperties).filter((k) => {
            const fp = e.fieldProperties && e.fieldProperties[k];
            return !fp || !fp.fieldRight || typeof fp.fieldRight.mask !== "number";
        });
        ok(bad.length === 0, `${step}: every fieldProperties.*.fieldRight.mask decodes to a number`,
           bad.slice(0, 5).map((k) => `${k}: server sent ${JSON.stringify(raw.FieldProperties[k])}`).join("\n"));
    }

    // Plain values the scenario set.
    for (const f of ["customerName", "customerEmail", "customerAlias", "customerPhone", "status", "flags"]) {
        if (f in want)
            ok(e[f] === want[f], `${step}: ${f} is ${JSON.stringify(want[f])}`,
               `client has ${JSON.stringify(e[f])} (server sent ${JSON.stringify(raw[upper1(f)])})`);
    }
    if ("associateId" in want)
        ok(e.user && e.user.associateId === want.associateId, `${step}: user.associateId is ${want.associateId}`,
           `client has user ${JSON.stringify(e.user)}`);
    for (const [c, [k, v]] of Object.entries(want.carriers || {}))
        ok(e[c] && e[c][k] === v, `${step}: ${c}.${k} is ${v}`, `client has ${c} ${JSON.stringify(e[c])}`.slice(0, 400));
    if ("chatSessionId" in want)
        ok(e.chatSessionId === want.chatSessionId, `${step}: chatSessionId is ${want.chatSessionId}`,
           `client has ${JSON.stringify(e.chatSessionId)}`);
    return true;
}

// Run one client call; returns [value, error].
async function call(fn) {
    last = null;
    try {
        return [await fn(), null];
    } catch (err) {
        return [undefined, err];
    }
}
// expectReject(step, err, status, o): the call rejected with an axios error
// carrying `status`; the request status on the options object is Failed.
function expectReject(step, err, status, o) {
    const got = err && err.response ? err.response.status : undefined;
    ok(got === status, `${step}: rejects with HTTP ${status}`,
       err ? `got ${errText(err)}` : "the promise resolved");
    ok(o.requestStatus === WebApiStatus.Failed, `${step}: options.requestStatus is Failed`,
       `requestStatus ${o.requestStatus}`);
    if (err && err.response) {
        const b = err.response.data;
        ok(b && typeof b === "object" && typeof b.ErrorType === "string" && b.Error === true,
           `${step}: error body has Error and ErrorType`, { body: b });
    }
}

// ------------------------------------------------------------- scenario
const T = {
    // DST boundaries of America/New_York and odd milliseconds.
    requested: new Date(Date.UTC(2011, 0, 11, 16, 54, 8, 7)),
    started: new Date(Date.UTC(2024, 2, 10, 7, 0, 0, 500)),    // 02:00 EST -> 03:00 EDT
    ended: new Date(Date.UTC(2024, 10, 3, 6, 30, 0, 999)),      // 01:30 EST (second 01:30)
    idle: new Date(Date.UTC(2024, 10, 3, 5, 30, 0, 250)),       // 01:30 EDT (first 01:30)
    fetched: new Date(Date.UTC(1999, 11, 31, 23, 59, 59, 999)),
    put: new Date(Date.UTC(2030, 5, 15, 12, 0, 0, 1)),
    old: new Date(Date.UTC(2001, 0, 1, 0, 0, 0)),
};
const tag = `${process.pid}-${TZ.replace(/[^A-Za-z]/g, "")}`;

async function main() {
    diag(`@superoffice/webapi ${PKG_VERSION}, `
         + `node ${process.version}, TZ=${TZ} (UTC offset now ${-new Date().getTimezoneOffset()} min), `
         + `base ${rest._options.baseUrl}`);
    let id;
    let err;
    let e;

    if (process.env.CHATS_COMPAT_ID) {
        id = Number(process.env.CHATS_COMPAT_ID);
        diag(`CHATS_COMPAT_ID=${id}: GET default and POST skipped`);
        [e, err] = await call(() => rest.getByIdAsync(id, opts()));
        if (!ok(!err, `GET ${id} (existing session)`, errText(err))) return;
        for (const f of DATE_FIELDS) want[f] = ms(e[f]);
    } else {
        // 1. GET default
        let def;
        [def, err] = await call(() => rest.getDefaultAsync(opts()));
        if (ok(!err, "GET default resolves", errText(err)) && checkEntity("GET default", def)) {
            for (const f of DATE_FIELDS)
                ok(def[f] === null || (def[f] instanceof Date && !isNaN(def[f].getTime()) && def[f].getUTCFullYear() > 1),
                   `GET default: ${f} is null or a real date`, showDate(def[f]));
        } else {
            def = {};   // carry on: POST needs no template
        }

        // 2. POST an entity built from the default
        const ent = Object.assign({}, def, {
            customerName: `Compat ${tag}`,
            customerEmail: `compat-${tag}@example.com`,
            customerAlias: "compat",
            status: ChatSessionStatus.InQueue,
            whenRequested: T.requested,
            whenStarted: T.started,
            whenEnded: T.ended,
            flags: ChatSessionFlags.UserIsTyping,
            user: { associateId: 5 },
            // Demo rows (conf/demo.sql), linked by reference: their
            // carriers come back with dates of their own, which PUT and
            // the whole-entity merge below then echo.
            person: { personId: 33 },
            contact: { contactId: 12 },
            project: { projectId: 321 },
            sale: { saleId: 77 },
            ticket: { ticketId: 901 },
        });
        for (const f of ["customerName", "customerEmail", "customerAlias", "status", "flags"]) want[f] = ent[f];
        want.associateId = 5;
        want.carriers = { person: ["personId", 33], contact: ["contactId", 12], project: ["projectId", 321],
                          sale: ["saleId", 77], ticket: ["ticketId", 901] };
        for (const f of DATE_FIELDS) want[f] = ms(ent[f]);
        let created;
        const po = opts();
        [created, err] = await call(() => rest.postAsync(ent, po));
        if (!ok(!err, "POST resolves", errText(err))) return;
        const postRes = last;
        ok(postRes && postRes.status === 200, "POST: HTTP 200 (as SuperOffice answers)",
           `HTTP ${postRes && postRes.status}`);
        ok(po.requestStatus === WebApiStatus.Completed, "POST: options.requestStatus is Completed",
           `requestStatus ${po.requestStatus}`);
        if (!checkEntity("POST", created)) return;
        id = created.chatSessionId;
        if (!ok(Number.isInteger(id) && id > 0, "POST: chatSessionId is a new positive id", `got ${JSON.stringify(id)}`))
            return;
        want.chatSessionId = id;
        const loc = postRes && postRes.headers && postRes.headers.location;
        ok(typeof loc === "string" && new RegExp(`/api/v1/ChatSession/${id}$`, "i").test(loc),
           "POST: Location names the new session", `Location: ${JSON.stringify(loc)}`);
    }
    want.chatSessionId = id;

    // 3. GET it
    [e, err] = await call(() => rest.getByIdAsync(id, opts()));
    if (!ok(!err, `GET ${id} resolves`, errText(err))) return;
    checkEntity(`GET ${id}`, e);

    // 3b. Conditional GETs as the client makes them (1-second resolution;
    // it never reads Last-Modified): not modified since now -> 304, which
    // the client turns into null; modified since 2001 -> the entity;
    // unmodified since 2001 -> 412 (the package's own tests model this).
    let o = opts({ ifModifiedSince: new Date() });
    [e, err] = await call(() => rest.getByIdAsync(id, o));
    ok(!err && e === null, "GET If-Modified-Since now: 304, resolves null",
       err ? errText(err) : `resolved with ${e === null ? "null" : "an entity"} (HTTP ${last && last.status})`);
    ok(o.requestStatus === WebApiStatus.Completed, "GET If-Modified-Since now: options.requestStatus is Completed",
       `requestStatus ${o.requestStatus}`);
    [e, err] = await call(() => rest.getByIdAsync(id, opts({ ifModifiedSince: T.old })));
    if (ok(!err, "GET If-Modified-Since 2001 resolves", errText(err))) checkEntity("GET If-Modified-Since 2001", e);
    o = opts({ ifUnmodifiedSince: T.old });
    [e, err] = await call(() => rest.getByIdAsync(id, o));
    expectReject("GET If-Unmodified-Since 2001", err, 412, o);

    // 4a. PATCH as operations (a date inside too)
    want.customerName = `Patched ${tag}`;
    want.whenIdle = T.idle.getTime();
    [e, err] = await call(() => rest.patchByIdAsync(id, [
        { op: "replace", path: "/CustomerName", value: want.customerName },
        { op: "replace", path: "/WhenIdle", value: T.idle },
    ], opts()));
    if (ok(!err, "PATCH ops resolves", errText(err))) checkEntity("PATCH ops", e);

    // 4b. PATCH as a merge object (camelCase, as the client's types have it)
    want.customerAlias = `alias-${tag}`;
    want.whenFetched = T.fetched.getTime();
    [e, err] = await call(() => rest.patchByIdAsync(id, { customerAlias: want.customerAlias, whenFetched: T.fetched }, opts()));
    if (ok(!err, "PATCH merge object resolves", errText(err))) checkEntity("PATCH merge", e);

    // 5. PUT the entity as read back (tableRight/fieldProperties and all)
    let got;
    [got, err] = await call(() => rest.getByIdAsync(id, opts()));
    if (ok(!err, "GET before PUT resolves", errText(err)) && checkEntity("GET before PUT", got)) {
        // 4c. PATCH merge with the whole entity as the client holds it
        // (any partial entity is a valid patchByIdAsync argument): nested
        // carriers in camelCase, flags as a number, tableRight and
        // fieldProperties echoed.
        const mergeEnt = Object.assign({}, got, { customerPhone: "+47 22 00 00 99" });
        [e, err] = await call(() => rest.patchByIdAsync(id, mergeEnt, opts()));
        if (ok(!err, "PATCH merge with the whole entity read back resolves", errText(err))) {
            want.customerPhone = mergeEnt.customerPhone;
            checkEntity("PATCH merge whole entity", e);
            got = e;
        }

        const putEnt = Object.assign({}, got, { customerPhone: "+1 212 555 0100", whenRequested: T.put });
        diag(`PUT body keys: ${Object.keys(JSON.parse(JSON.stringify(putEnt))).join(",")}`);
        [e, err] = await call(() => rest.putByIdAsync(id, putEnt, opts()));
        if (ok(!err, "PUT resolves", errText(err))) {
            want.customerPhone = putEnt.customerPhone;
            want.whenRequested = T.put.getTime();
            checkEntity("PUT", e);
        }
        [e, err] = await call(() => rest.getByIdAsync(id, opts()));
        if (ok(!err, "GET after PUT resolves", errText(err))) checkEntity("GET after PUT", e);
    }

    // 6. PATCH with an old If-Unmodified-Since -> 412, nothing changed
    o = opts({ ifUnmodifiedSince: T.old });
    [e, err] = await call(() => rest.patchByIdAsync(id, [{ op: "replace", path: "/CustomerName", value: "must not stick" }], o));
    const ius = err && err.config && err.config.headers ? err.config.headers["If-Unmodified-Since"] : undefined;
    ok(ius === T.old.toUTCString(), "PATCH If-Unmodified-Since: the client sent the HTTP-date",
       `If-Unmodified-Since: ${JSON.stringify(ius)}`);
    expectReject("PATCH If-Unmodified-Since 2001", err, 412, o);

    // 7. PATCH with a failing test op -> 409, nothing changed
    o = opts();
    [e, err] = await call(() => rest.patchByIdAsync(id, [
        { op: "test", path: "/CustomerName", value: "not the name" },
        { op: "replace", path: "/CustomerName", value: "must not stick either" },
    ], o));
    expectReject("PATCH failing test", err, 409, o);

    [e, err] = await call(() => rest.getByIdAsync(id, opts()));
    if (ok(!err, "GET after the rejected PATCHes resolves", errText(err))) checkEntity("GET after 412/409", e);

    // 8. DELETE -> 204
    o = opts();
    [e, err] = await call(() => rest.deleteByIdAsync(id, o));
    if (ok(!err, `DELETE ${id} resolves`, errText(err)))
        ok(last && last.status === 204, "DELETE: HTTP 204", `HTTP ${last && last.status}`);

    // 9. GET -> 404 (a rejection, never null)
    o = opts();
    [e, err] = await call(() => rest.getByIdAsync(id, o));
    expectReject(`GET ${id} after DELETE`, err, 404, o);
}

main().then(finish, (err) => bail(`scenario threw: ${(err && err.stack) || err}`));
