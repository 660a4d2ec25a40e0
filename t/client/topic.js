#!/usr/bin/env node
"use strict";
// The official client's ChatAgent, the rest of a console: SuperOffice's
// TypeScript client (@superoffice/webapi, unchanged, pinned in
// package-lock.json) calls each of the 16 ChatTopic, topic-agent and
// presence methods of its own ChatAgent class (RPC POSTs under
// api/v1/Agents/Chat/), each as its own scenario, against a running
// mod_chatsession server.
//
//   node topic.js BASE_URL
//
// Environment (t/api/client_topic.t sets it up):
//   CHATS_TOPIC_OPEN     a topic without opening hours (always open); B is
//                        a member (respond)
//   CHATS_TOPIC_ALLDAY   opening hours on, every day 00:00:00-23:59:59 UTC
//   CHATS_TOPIC_CLOSED   opening hours on, no day enabled
//   CHATS_TOPIC_BUSY     one session of B's (UserLast), started at
//                        CHATS_TOPIC_STARTED; B is a member (respond, listen)
//   CHATS_TOPIC_PREFIX   the name of every topic this script creates starts
//                        so (the test file removes what a failed run left)
//   CHATS_AGENT_B, CHATS_AGENT_B_PASS, CHATS_AGENT_B_ID, CHATS_AGENT_B_NAME
//                        agent B (update_own, a password, that full name)
//   CHATS_AGENT_C, CHATS_AGENT_C_ID
//                        agent C (update_own, member of nothing, never
//                        present): the one added, updated and removed
//   user tje0/Tje0 (associate 5, admin) does the administration.
// Run it once per client time zone (TZ=UTC, TZ=America/New_York): every
// date-time must come back as the same instant, every duration as the same
// length, every enum and flag must decode. Each run leaves what it found:
// the topic it creates it deletes, B's presence ends false.
//
// Output is TAP ("ok N - [TZ=..] Method: ...", "# ...", then "1..N"),
// every line named after the scenario (the ChatAgent method) it belongs
// to; exit 0 only when every check passed.

const dayjs = require("dayjs");
const webapi = require("@superoffice/webapi");
const { WebApi, mkDuration, WidgetRequiredFields, WidgetTheme, ChatWidgetSize } = webapi;

const env = process.env;
const BASE = process.argv[2] || env.CHATS_BASE_URL;
const num = (k) => Number(env[k]);
const T = { open: num("CHATS_TOPIC_OPEN"), allday: num("CHATS_TOPIC_ALLDAY"),
            closed: num("CHATS_TOPIC_CLOSED"), busy: num("CHATS_TOPIC_BUSY") };
const STARTED = new Date(env.CHATS_TOPIC_STARTED);
const PREFIX = env.CHATS_TOPIC_PREFIX;
const B = { login: env.CHATS_AGENT_B, pass: env.CHATS_AGENT_B_PASS, id: num("CHATS_AGENT_B_ID"),
            name: env.CHATS_AGENT_B_NAME };
const C = { login: env.CHATS_AGENT_C, id: num("CHATS_AGENT_C_ID") };
const UNKNOWN = 2147483000;      // no topic: outside every fixture block

// ------------------------------------------------------------------ TAP
const { TZ, diag, ok, finish, errText, opts, lastData, call, rejects,
        resolvesVoid, zonedDates } = require("./tap.js");
if (!BASE || !Object.values(T).every(Number.isInteger) || isNaN(STARTED) || !PREFIX
    || !B.login || !Number.isInteger(B.id) || !C.login || !Number.isInteger(C.id)) {
    console.log("1..0 # usage: CHATS_TOPIC_*=.. CHATS_AGENT_B*=.. CHATS_AGENT_C*=.. node topic.js http://host:port/");
    process.exit(2);
}
setTimeout(() => { ok(false, "scenarios finished within 90 s"); finish(); }, 90000).unref();

// --------------------------------------------------------------- client
// As an integrator gets it: WebApi + authenticateWithPassword, then the
// package's own factory, WebApi.getChatAgent().
function agentFor(user, pass) {
    const api = new WebApi(BASE);
    api.authenticateWithPassword(user, pass);
    return api.getChatAgent();
}
const tje0 = agentFor("tje0", "Tje0");
const agentB = agentFor(B.login, B.pass);

// ------------------------------------------------------- expectations
const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const DURATIONS = [...DAYS.flatMap((d) => [`${d}Start`, `${d}Stop`]), "lunchStart", "lunchStop"];
const THEMES = new Set(Object.values(WidgetTheme));
const SIZES = new Set(Object.values(ChatWidgetSize));
const dur = (s) => mkDuration(s);           // the client's own reader
const pascal = (k) => k[0].toUpperCase() + k.slice(1);

function isDate(d) { return d instanceof Date && !isNaN(d.getTime()); }
function get(o, path) { return path.split(".").reduce((v, k) => (v == null ? v : v[k]), o); }
function show(v) {
    if (dayjs.isDuration(v)) return `Duration ${JSON.stringify(v)} (${v.asSeconds()} s)`;
    if (v instanceof Date) return v.toISOString();
    return JSON.stringify(v);
}
// want: {"openingHours.monStart": Duration, "widget.theme": "Modern", ...}
function same(step, e, want) {
    for (const [path, w] of Object.entries(want || {})) {
        const g = get(e, path);
        let good;
        if (dayjs.isDuration(w)) good = dayjs.isDuration(g) && g.asSeconds() === w.asSeconds();
        else if (w instanceof Date) good = isDate(g) && g.getTime() === w.getTime();
        else good = g === w;
        ok(good, `${step}: ${path} is ${show(w)}`, `client has ${show(g)}`);
    }
}

// A ChatTopicEntity as the client made it of `raw`: every member decodes.
function topic(step, e, raw, want) {
    raw = raw || {};
    if (!ok(e && typeof e === "object" && Number.isInteger(e.chatTopicId),
            `${step}: an entity with a ChatTopicId`, JSON.stringify(e)))
        return false;
    const oh = e.openingHours || {}, rawOh = (raw && raw.OpeningHours) || {};
    const badDur = DURATIONS.filter((k) => !dayjs.isDuration(oh[k])
                                           || !/^\d\d:\d\d:\d\d$/.test(rawOh[pascal(k)]));
    ok(badDur.length === 0, `${step}: the 16 durations came as "HH:MM:SS" and are dayjs Durations`,
       badDur.map((k) => `${k}: sent ${JSON.stringify(rawOh[pascal(k)])}`).join(", "));
    const w = e.widget || {};
    ok(Number.isInteger(w.requiredFields) && Number.isInteger(w.offlineFields)
       && typeof (raw.Widget || {}).RequiredFields === "string",
       `${step}: widget.requiredFields/offlineFields decode from names`,
       `sent ${JSON.stringify([(raw.Widget || {}).RequiredFields, (raw.Widget || {}).OfflineFields])}`);
    ok(THEMES.has(w.theme) && SIZES.has(w.size), `${step}: widget.theme and size are the client's enum strings`,
       `sent ${JSON.stringify([(raw.Widget || {}).Theme, (raw.Widget || {}).Size])}`);
    ok(e.lastAccept === null || isDate(e.lastAccept), `${step}: lastAccept a Date or null`, String(raw.LastAccept));
    zonedDates(step, raw);
    ok(!(raw && "_Links" in raw), `${step}: an agent answer has no _Links`);
    same(step, e, want);
    return true;
}
function topicAnswer(step, e, want) { return topic(step, e, lastData(), want); }

// A ChatTopicAgent: topic, user, the four roles as booleans.
function agentIs(step, a, topicId, userId, roles) {
    if (!ok(a && typeof a === "object", `${step}: a ChatTopicAgent`, JSON.stringify(a))) return;
    ok(a.topicId === topicId && a.user && a.user.associateId === userId,
       `${step}: topicId ${topicId}, user ${userId}`, JSON.stringify({ topicId: a.topicId, user: a.user }));
    const got = ["canListen", "canRespond", "canManage", "canNotify"].map((k) => a[k]);
    ok(JSON.stringify(got) === JSON.stringify(roles),
       `${step}: canListen/canRespond/canManage/canNotify are ${roles}`, `got ${got}`);
}
function agentList(step, list, want) {      // want: [[userId, roles], ...]
    if (!ok(Array.isArray(list), `${step}: an array`, JSON.stringify(list))) return;
    ok(!(lastData() || []).some((x) => x && ("TableRight" in x || "FieldProperties" in x)),
       `${step}: ChatTopicAgent is no carrier (no TableRight/FieldProperties)`);
    const got = list.map((a) => [a && a.user && a.user.associateId,
                                 a && [a.canListen, a.canRespond, a.canManage, a.canNotify]]);
    ok(JSON.stringify(got) === JSON.stringify(want), `${step}: the agents and roles, by associate id`,
       `got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

// ------------------------------------------------------------ scenarios
const tag = `${process.pid}-${TZ.replace(/[^A-Za-z]/g, "")}`;
const S = {};            // what one scenario leaves for the next
const scenarios = [];
function scenario(name, fn) { scenarios.push([name, fn]); }
function needs(step, what, v) { return ok(v !== undefined && v !== null, `${step}: ${what} (from an earlier scenario)`); }

// The hours the update sets: the client's own Durations, which it
// re-sends as "PT8H", "PT23H59M59S", "P0D", "PT11H30M".
const HOURS = {
    monEnabled: true, monStart: dur("08:00:00"), monStop: dur("23:59:59"),
    tueEnabled: true, tueStart: dur("08:00"), tueStop: dur("17:30:00"),
    sunEnabled: false, sunStart: dur("00:00:00"), sunStop: dur("00:00:00"),
    useLunchHours: true, lunchStart: dur("11:30:00"), lunchStop: dur("12:30:00"),
};
const REQUIRED = WidgetRequiredFields.Email | WidgetRequiredFields.Name;            // "Email, Name"
const OFFLINE = WidgetRequiredFields.Phone | WidgetRequiredFields.Country;          // "Phone, Country"
const UPDATED = Object.assign(
    Object.fromEntries(Object.entries(HOURS).map(([k, v]) => [`openingHours.${k}`, v])),
    { "openingHoursEnabled": true, "openingHours.tzLocation.tZLocationID": 460,
      "widget.requiredFields": REQUIRED, "widget.offlineFields": OFFLINE,
      "widget.theme": WidgetTheme.Modern, "widget.size": ChatWidgetSize.Large });

scenario("CreateDefaultChatTopicEntity", async (M) => {
    const [e, err] = await call(() => tje0.createDefaultChatTopicEntityAsync(opts()));
    if (!ok(!err, `${M}: resolves`, errText(err))) return;
    topicAnswer(M, e, { chatTopicId: 0, name: "", "openingHours.monStart": dur("00:00:00"),
                        "widget.requiredFields": WidgetRequiredFields.None, lastAccept: null });
    ok(e.tableRight && e.tableRight.mask !== undefined, `${M}: tableRight decodes`, JSON.stringify(e.tableRight));
    S.def = e;
});

scenario("SaveChatTopicEntity (create)", async (M) => {
    if (!needs(M, "the default entity", S.def)) return;
    const ent = Object.assign({}, S.def, { chatTopicId: 0, name: `${PREFIX} ${tag}`,
                                           description: "made by topic.js", welcomeMessage: "Hi <there> & you" });
    const [e, err] = await call(() => tje0.saveChatTopicEntityAsync(ent, opts()));
    if (!ok(!err, `${M}: the default, as the client re-sends it, resolves`, errText(err))) return;
    topicAnswer(M, e, { name: ent.name, description: ent.description, welcomeMessage: ent.welcomeMessage });
    if (ok(Number.isInteger(e.chatTopicId) && e.chatTopicId > 0, `${M}: a new id`, `got ${e.chatTopicId}`))
        S.topic = e;
});

scenario("SaveChatTopicEntity (update)", async (M) => {
    if (!needs(M, "the created topic", S.topic)) return;
    const id = S.topic.chatTopicId;
    const ent = Object.assign({}, S.topic, { openingHoursEnabled: true });
    ent.openingHours = Object.assign({}, ent.openingHours, HOURS, { tzLocation: { tZLocationID: 460 } });
    ent.widget = Object.assign({}, ent.widget, { requiredFields: REQUIRED, offlineFields: OFFLINE,
                                                 theme: WidgetTheme.Modern, size: ChatWidgetSize.Large });
    const sent = JSON.parse(JSON.stringify(ent));
    ok(sent.openingHours.monStart === "PT8H" && sent.openingHours.monStop === "PT23H59M59S"
       && sent.openingHours.sunStart === "P0D" && sent.widget.requiredFields === 3,
       `${M}: the client sends "PT8H", "PT23H59M59S", "P0D" and the flags as a number`,
       JSON.stringify([sent.openingHours, sent.widget.requiredFields]));
    let [e, err] = await call(() => tje0.saveChatTopicEntityAsync(ent, opts()));
    if (!ok(!err, `${M}: resolves`, errText(err))) return;
    topicAnswer(M, e, Object.assign({ chatTopicId: id, name: S.topic.name }, UPDATED));
    const raw = (lastData()) || {};
    ok(raw.OpeningHours && raw.OpeningHours.MonStart === "08:00:00" && raw.OpeningHours.MonStop === "23:59:59"
       && raw.OpeningHours.SunStart === "00:00:00" && raw.Widget.RequiredFields === "Email, Name"
       && raw.Widget.OfflineFields === "Phone, Country",
       `${M}: answered as "08:00:00", "23:59:59", "00:00:00", "Email, Name", "Phone, Country"`,
       JSON.stringify([raw.OpeningHours, raw.Widget && [raw.Widget.RequiredFields, raw.Widget.OfflineFields]]));

    // The console's cycle: save what was read, unchanged; nothing moves.
    [e, err] = await call(() => tje0.saveChatTopicEntityAsync(e, opts()));
    if (ok(!err, `${M}: saving the answer back unchanged resolves`, errText(err)))
        topicAnswer(`${M} (again)`, e, Object.assign({ chatTopicId: id }, UPDATED));
    S.updated = true;
});

scenario("GetChatTopicEntity", async (M) => {
    if (needs(M, "the created topic", S.topic)) {
        const [e, err] = await call(() => tje0.getChatTopicEntityAsync(S.topic.chatTopicId, opts()));
        if (ok(!err, `${M}: resolves`, errText(err)))
            topicAnswer(M, e, Object.assign({ chatTopicId: S.topic.chatTopicId, name: S.topic.name },
                                            S.updated ? UPDATED : {}));
    }
    const [e, err] = await call(() => tje0.getChatTopicEntityAsync(T.busy, opts()));
    if (ok(!err, `${M} (a topic with a started session): resolves`, errText(err)))
        topicAnswer(`${M} (busy)`, e, { chatTopicId: T.busy, lastAccept: STARTED });
    const [u, uerr] = await call(() => tje0.getChatTopicEntityAsync(UNKNOWN, opts()));
    rejects(`${M} (unknown topic)`, uerr, 404, u);
});

scenario("ChatTopicsForUser", async (M) => {
    let [list, err] = await call(() => agentB.chatTopicsForUserAsync(opts()));
    if (ok(!err && Array.isArray(list), `${M}: resolves with an array`, errText(err))) {
        const ids = list.map((x) => x && x.chatTopicId);
        ok(JSON.stringify(ids) === JSON.stringify([T.open, T.busy]),
           `${M}: B's topics, in id order`, `got ${JSON.stringify(ids)}`);
        const raw = (lastData()) || [];
        list.forEach((x, i) => topic(`${M}[${i}]`, x, raw[i]));
        same(M, list.find((x) => x && x.chatTopicId === T.busy), { lastAccept: STARTED });
    }
    [list, err] = await call(() => tje0.chatTopicsForUserAsync(opts()));
    ok(!err && Array.isArray(list) && list.every((x) => x && Number.isInteger(x.chatTopicId))
       && !list.some((x) => x.chatTopicId === T.busy),
       `${M} (tje0): resolves; not B's busy topic, where tje0 is no member`, errText(err));
});

scenario("IsWithinOpeningHours", async (M) => {
    for (const [what, id, want] of [["a topic without opening hours", T.open, true],
                                    ["open every day 00:00:00-23:59:59", T.allday, true],
                                    ["no day enabled", T.closed, false]]) {
        const [v, err] = await call(() => tje0.isWithinOpeningHoursAsync(id, opts()));
        ok(!err && v === want, `${M} (${what}): resolves ${want}`, err ? errText(err) : `got ${JSON.stringify(v)}`);
    }
    const [v, err] = await call(() => agentB.isWithinOpeningHoursAsync({ chatTopicId: T.open }, opts()));
    ok(!err && v === true, `${M} (request object, as a member): resolves true`,
       err ? errText(err) : `got ${JSON.stringify(v)}`);
});

scenario("CreateDefaultChatTopicAgent", async (M) => {
    const [a, err] = await call(() => tje0.createDefaultChatTopicAgentAsync(opts()));
    if (!ok(!err && a && typeof a === "object", `${M}: resolves with a ChatTopicAgent`, errText(err))) return;
    const roles = ["canListen", "canRespond", "canManage", "canNotify"];
    ok(roles.every((k) => typeof a[k] === "boolean") && roles.some((k) => a[k]),
       `${M}: four boolean roles, one of them on (so that it can be added as it is)`, JSON.stringify(a));
    ok(!a.user || !a.user.associateId, `${M}: no user yet`, JSON.stringify(a.user));
    ok(!("TableRight" in ((lastData()) || {})), `${M}: no TableRight (not a carrier)`);
    S.agentDef = a;
});

scenario("AddChatTopicUserAgent", async (M) => {
    if (!needs(M, "the created topic", S.topic) || !needs(M, "the default agent", S.agentDef)) return;
    const id = S.topic.chatTopicId;
    const none = { canListen: false, canRespond: false, canManage: false, canNotify: false };
    let [a, err] = await call(() => tje0.addChatTopicUserAgentAsync(id, Object.assign({}, S.agentDef, none,
        { topicId: id, user: { associateId: B.id }, canRespond: true, canListen: true }), opts()));
    if (ok(!err, `${M} (B, from the default): resolves`, errText(err)))
        agentIs(`${M} (B)`, a, id, B.id, [true, true, false, false]);
    [a, err] = await call(() => tje0.addChatTopicUserAgentAsync(
        { chatTopicId: id, useragent: Object.assign({}, none, { user: { associateId: C.id }, canNotify: true }) }, opts()));
    if (ok(!err, `${M} (C, request object): resolves`, errText(err)))
        agentIs(`${M} (C)`, a, id, C.id, [false, false, false, true]);
    // One table, one truth: B's own topics now have it.
    const [list, lerr] = await call(() => agentB.chatTopicsForUserAsync(opts()));
    ok(!lerr && Array.isArray(list) && list.some((x) => x && x.chatTopicId === id),
       `${M}: the topic is among B's ChatTopicsForUser`, lerr ? errText(lerr) : JSON.stringify(list.map((x) => x.chatTopicId)));
    S.added = true;
});

scenario("GetChatTopicUserAgentList", async (M) => {
    if (!needs(M, "the agents added", S.added)) return;
    const [list, err] = await call(() => tje0.getChatTopicUserAgentListAsync(S.topic.chatTopicId, opts()));
    if (ok(!err, `${M}: resolves`, errText(err)))
        agentList(M, list, [[B.id, [true, true, false, false]], [C.id, [false, false, false, true]]]);
    ok(Array.isArray(list) && list.every((a) => a && a.topicId === S.topic.chatTopicId && a.user
                                                && typeof a.user.name === "string" && a.user.name.length > 0),
       `${M}: each with its topicId and the user's login`, JSON.stringify(list));
    const [l2, err2] = await call(() => agentB.getChatTopicUserAgentListAsync({ chatTopicId: T.busy }, opts()));
    if (ok(!err2, `${M} (as a member, request object): resolves`, errText(err2)))
        agentList(`${M} (busy)`, l2, [[B.id, [true, true, false, false]]]);
});

scenario("GetChatTopicUserAgent", async (M) => {
    if (!needs(M, "the agents added", S.added)) return;
    const id = S.topic.chatTopicId;
    let [a, err] = await call(() => tje0.getChatTopicUserAgentAsync(id, B.login, opts()));
    if (ok(!err, `${M} (by login): resolves`, errText(err)))
        agentIs(`${M} (B)`, a, id, B.id, [true, true, false, false]);
    ok(a && a.user && a.user.name === B.login, `${M}: user.name is the login`, JSON.stringify(a && a.user));
    [a, err] = await call(() => tje0.getChatTopicUserAgentAsync({ chatTopicId: id, username: String(C.id) }, opts()));
    if (ok(!err, `${M} (by associate id, as a string): resolves`, errText(err)))
        agentIs(`${M} (C)`, a, id, C.id, [false, false, false, true]);
    [a, err] = await call(() => tje0.getChatTopicUserAgentAsync(id, "tje0", opts()));
    rejects(`${M} (not a member)`, err, 404, a);
});

scenario("UpdateChatTopicUserAgent", async (M) => {
    if (!needs(M, "the agents added", S.added)) return;
    const id = S.topic.chatTopicId;
    let [a, err] = await call(() => tje0.getChatTopicUserAgentAsync(id, B.login, opts()));
    if (!ok(!err, `${M}: B as read, to change`, errText(err))) return;
    [a, err] = await call(() => tje0.updateChatTopicUserAgentAsync(id, B.login,
        Object.assign({}, a, { canListen: false, canManage: true }), opts()));
    if (ok(!err, `${M}: resolves`, errText(err)))
        agentIs(M, a, id, B.id, [false, true, true, false]);
    [a, err] = await call(() => tje0.getChatTopicUserAgentAsync(id, String(B.id), opts()));
    if (ok(!err, `${M}: read back resolves`, errText(err)))
        agentIs(`${M} (read back)`, a, id, B.id, [false, true, true, false]);
    [a, err] = await call(() => tje0.updateChatTopicUserAgentAsync(
        { chatTopicId: id, username: "tje0", useragent: { user: { associateId: 5 }, canRespond: true } }, opts()));
    rejects(`${M} (not a member)`, err, 404, a);
});

scenario("GetChatPresence", async (M) => {
    const [list, err] = await call(() => tje0.getChatPresenceAsync(opts()));
    if (!ok(!err && Array.isArray(list), `${M}: resolves with an array`, errText(err))) return;
    ok(list.every((p) => p && Number.isInteger(p.userId) && typeof p.present === "boolean"
                         && Number.isInteger(p.ongoingChats) && Array.isArray(p.chatTopics)),
       `${M}: every entry decodes (userId, present, ongoingChats, chatTopics)`, JSON.stringify(list.slice(0, 3)));
    const b = list.find((p) => p && p.userId === B.id);
    const topics = [T.open, T.busy, S.added ? S.topic.chatTopicId : null].filter((x) => x !== null)
        .sort((x, y) => x - y);
    ok(b && b.displayName === B.name && b.ongoingChats === 1 && b.present === false
       && JSON.stringify(b.chatTopics) === JSON.stringify(topics),
       `${M}: B: "${B.name}", 1 ongoing chat, not present, topics ${JSON.stringify(topics)}`, JSON.stringify(b));
    const c = list.find((p) => p && p.userId === C.id);
    ok(c && c.ongoingChats === 0 && c.present === false
       && JSON.stringify(c.chatTopics) === JSON.stringify(S.added ? [S.topic.chatTopicId] : []),
       `${M}: C: no chat, not present, the one topic`, JSON.stringify(c));
    S.presenceB = b;
});

scenario("SaveChatPresence", async (M) => {
    if (!needs(M, "B's presence as read", S.presenceB)) return;
    // As a console does: the entry read, Present flipped, saved by its user.
    let [v, err] = await call(() => agentB.saveChatPresenceAsync([Object.assign({}, S.presenceB, { present: true })], opts()));
    resolvesVoid(`${M} (B, own entry)`, err);
    const presentB = async () => {
        const [list] = await call(() => agentB.getChatPresenceAsync(opts()));
        const b = (list || []).find((p) => p && p.userId === B.id);
        return b && b.present;
    };
    ok(await presentB() === true, `${M}: B is present`);
    [v, err] = await call(() => tje0.saveChatPresenceAsync({ chatPresence: [{ userId: B.id, present: false }] }, opts()));
    rejects(`${M} (tje0 sets B's)`, err, 403, v);
    ok(await presentB() === true, `${M}: a refused save changes nothing`);
    S.present = true;
});

scenario("GetUserAgentList", async (M) => {
    const ids = (items) => (items || []).map((x) => x && x.id);
    let [flat, err] = await call(() => tje0.getUserAgentListAsync(true, false, opts()));
    if (ok(!err && Array.isArray(flat), `${M} (flat): resolves with an array`, errText(err))) {
        ok(flat.every((x) => x && Number.isInteger(x.id) && typeof x.name === "string"
                             && Array.isArray(x.childItems) && x.childItems.length === 0),
           `${M} (flat): items with an id, a name and no children`, JSON.stringify(flat.slice(0, 3)));
        const b = flat.find((x) => x && x.id === B.id);
        ok(b && b.name === B.name && b.deleted === false, `${M} (flat): B, "${B.name}"`, JSON.stringify(b));
        ok(ids(flat).includes(C.id), `${M} (flat): C, who is not present`, JSON.stringify(ids(flat)));
    }
    let grouped;
    [grouped, err] = await call(() => tje0.getUserAgentListAsync({ flat: false, onlyPresent: false }, opts()));
    if (ok(!err && Array.isArray(grouped), `${M} (grouped): resolves with an array`, errText(err))) {
        ok(grouped.length > 0 && grouped.every((g) => g && typeof g.name === "string" && g.childItems.length > 0),
           `${M} (grouped): groups, each with its users as childItems`, JSON.stringify(grouped.map((g) => g && g.name)));
        const users = grouped.flatMap((g) => ids(g.childItems));
        ok(users.includes(B.id) && users.includes(C.id), `${M} (grouped): B and C under their groups`, JSON.stringify(users));
        ok(Array.isArray(flat) && JSON.stringify([...users].sort()) === JSON.stringify(ids(flat).sort()),
           `${M} (grouped): the same users as flat`);
    }
    let present;
    [present, err] = await call(() => tje0.getUserAgentListAsync(true, true, opts()));
    if (ok(!err && Array.isArray(present), `${M} (onlyPresent): resolves with an array`, errText(err))) {
        ok(ids(present).includes(B.id) === !!S.present && !ids(present).includes(C.id),
           `${M} (onlyPresent): B (present) and not C`, JSON.stringify(ids(present)));
    }
    // B goes away (SaveChatPresence again); the list follows.
    let v;
    [v, err] = await call(() => agentB.saveChatPresenceAsync([{ userId: B.id, present: false }], opts()));
    resolvesVoid(`${M}: B saves not present`, err);
    [present, err] = await call(() => tje0.getUserAgentListAsync(false, true, opts()));
    ok(!err && Array.isArray(present) && !present.flatMap((g) => ids(g.childItems)).includes(B.id),
       `${M} (grouped, onlyPresent): B no longer there`, err ? errText(err) : JSON.stringify(present));
});

scenario("UpdateChatTopicUserAgents", async (M) => {
    if (!needs(M, "the agents added", S.added)) return;
    const id = S.topic.chatTopicId;
    let [list, err] = await call(() => tje0.getChatTopicUserAgentListAsync(id, opts()));
    if (!ok(!err && Array.isArray(list), `${M}: the list as read`, errText(err))) return;
    // Keep C only (changed), drop B: the list replaces the agents.
    const keep = list.filter((a) => a.user.associateId === C.id)
        .map((a) => Object.assign({}, a, { canRespond: true, canManage: true }));
    [list, err] = await call(() => tje0.updateChatTopicUserAgentsAsync(id, keep, opts()));
    if (ok(!err, `${M}: resolves`, errText(err)))
        agentList(M, list, [[C.id, [false, true, true, true]]]);
    [list, err] = await call(() => tje0.getChatTopicUserAgentListAsync(id, opts()));
    if (ok(!err, `${M}: read back resolves`, errText(err)))
        agentList(`${M} (read back)`, list, [[C.id, [false, true, true, true]]]);
});

scenario("DeleteChatTopicUserAgent", async (M) => {
    if (!needs(M, "the agents added", S.added)) return;
    const id = S.topic.chatTopicId;
    let [v, err] = await call(() => tje0.deleteChatTopicUserAgentAsync(id, C.login, opts()));
    resolvesVoid(M, err);
    let list;
    [list, err] = await call(() => tje0.getChatTopicUserAgentListAsync(id, opts()));
    if (ok(!err, `${M}: the list resolves`, errText(err)))
        agentList(`${M} (read back)`, list, []);
    [v, err] = await call(() => tje0.deleteChatTopicUserAgentAsync({ chatTopicId: id, username: C.login }, opts()));
    rejects(`${M} (no longer a member)`, err, 404, v);
});

scenario("DeleteChatTopicEntity", async (M) => {
    let [v, err] = await call(() => tje0.deleteChatTopicEntityAsync(T.busy, opts()));
    if (rejects(`${M} (a topic with a session)`, err, 409, v)) {
        const body = err.response.data || {};
        ok(body.Field === "Sessions" && /\b1 chat sessions?\b/.test(body.Message || ""),
           `${M} (a topic with a session): names Sessions and their count`, JSON.stringify(body));
    }
    let e;
    [e, err] = await call(() => tje0.getChatTopicEntityAsync(T.busy, opts()));
    ok(!err && e && e.chatTopicId === T.busy, `${M}: the refused topic is still there`, errText(err));
    if (!needs(M, "the created topic", S.topic)) return;
    [v, err] = await call(() => tje0.deleteChatTopicEntityAsync(S.topic.chatTopicId, opts()));
    if (resolvesVoid(M, err)) S.deleted = S.topic.chatTopicId;
    [e, err] = await call(() => tje0.getChatTopicEntityAsync(S.topic.chatTopicId, opts()));
    rejects(`${M}: then GetChatTopicEntity`, err, 404, e);
});

// Every method that takes a topic answers an unknown one as the session
// methods answer an unknown session: a rejected promise, HTTP 404.
scenario("unknown topic", async (M) => {
    const id = S.deleted || UNKNOWN;
    const ua = { user: { associateId: C.id }, canRespond: true };
    const calls = [
        ["GetChatTopicEntity", () => tje0.getChatTopicEntityAsync(id, opts())],
        ["DeleteChatTopicEntity", () => tje0.deleteChatTopicEntityAsync(id, opts())],
        ["IsWithinOpeningHours", () => tje0.isWithinOpeningHoursAsync(id, opts())],
        ["GetChatTopicUserAgentList", () => tje0.getChatTopicUserAgentListAsync(id, opts())],
        ["GetChatTopicUserAgent", () => tje0.getChatTopicUserAgentAsync(id, C.login, opts())],
        ["AddChatTopicUserAgent", () => tje0.addChatTopicUserAgentAsync(id, ua, opts())],
        ["UpdateChatTopicUserAgent", () => tje0.updateChatTopicUserAgentAsync(id, C.login, ua, opts())],
        ["UpdateChatTopicUserAgents", () => tje0.updateChatTopicUserAgentsAsync(id, [ua], opts())],
        ["DeleteChatTopicUserAgent", () => tje0.deleteChatTopicUserAgentAsync(id, C.login, opts())],
    ];
    for (const [name, fn] of calls) {
        const [v, err] = await call(fn);
        rejects(`${M}: ${name} of topic ${id}`, err, 404, v);
    }
});

async function main() {
    diag(`TZ=${TZ} (UTC offset now ${-new Date().getTimezoneOffset()} min), topics ${JSON.stringify(T)}, `
         + `agents ${B.login} (${B.id}), ${C.login} (${C.id}), base ${tje0._options.baseUrl}`);
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
