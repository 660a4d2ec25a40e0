#!/usr/bin/env node
"use strict";
// The official client's ChatAgent: SuperOffice's TypeScript client
// (@superoffice/webapi, unchanged, pinned in package-lock.json) calls every
// one of the 15 ChatSession methods of its own ChatAgent class (RPC POSTs
// under api/v1/Agents/Chat/) against a running mod_chatsession server.
//
//   node agent.js BASE_URL
//
// Environment (t/api/client_agent.t sets it up):
//   CHATS_AGENT_TOPIC   a chat topic where both agents are members that can
//                       respond, and nothing else is queued
//   CHATS_AGENT_USER2 / CHATS_AGENT_PASS2   the second agent (update_own),
//                       the transfer's recipient
//   user 1 is tje0/Tje0 (admin), as in compat.js
// Run it once per client time zone (TZ=UTC, TZ=America/New_York): every
// date-time must come back as the same instant and every enum must decode.
//
// Output is TAP ("ok N - ...", "# ...", then "1..N"); exit 0 only when
// every check passed.

const webapi = require("@superoffice/webapi");
const { WebApi, ChatSessionStatus, ChatMessageType, ChatMessageSpecialType } = webapi;

const BASE = process.argv[2] || process.env.CHATS_BASE_URL;
const TOPIC = Number(process.env.CHATS_AGENT_TOPIC);
const USER1 = ["tje0", "Tje0"];
const USER2 = [process.env.CHATS_AGENT_USER2, process.env.CHATS_AGENT_PASS2];

// ------------------------------------------------------------------ TAP
const { TZ, diag, ok, finish, bail, errText, opts, lastData, call,
        resolvesVoid, zonedDates } = require("./tap.js");
if (!BASE || !Number.isInteger(TOPIC) || !USER2[0]) {
    console.log("1..0 # usage: CHATS_AGENT_TOPIC=.. CHATS_AGENT_USER2=.. CHATS_AGENT_PASS2=.. node agent.js http://host:port/");
    process.exit(2);
}
setTimeout(() => { ok(false, "scenario finished within 60 s"); finish(); }, 60000).unref();

// --------------------------------------------------------------- client
// As an integrator gets it: WebApi + authenticateWithPassword, then the
// package's own factory, WebApi.getChatAgent().
function agentFor([user, pass]) {
    const api = new WebApi(BASE);
    api.authenticateWithPassword(user, pass);
    return api.getChatAgent();
}
const tje0 = agentFor(USER1);
const other = agentFor(USER2);

// -------------------------------------------------------- expectations
const STATUS = new Set(Object.values(ChatSessionStatus));
const MTYPE = new Set(Object.values(ChatMessageType));
const MSPECIAL = new Set(Object.values(ChatMessageSpecialType));

function isDate(d) { return d instanceof Date && !isNaN(d.getTime()); }
function recent(d) { return isDate(d) && Math.abs(d.getTime() - Date.now()) < 120000; }

// entity(step, e, want): e decodes, and has what `want` lists.
function entity(step, e, want) {
    if (!ok(e && typeof e === "object", `${step}: resolves with an entity`, errText(null) + ` got ${JSON.stringify(e)}`))
        return false;
    ok(STATUS.has(e.status), `${step}: status decodes`, `status ${JSON.stringify(e.status)}`);
    zonedDates(step, lastData());
    ok(!(lastData() && "_Links" in lastData()), `${step}: an agent answer has no _Links`);
    for (const [k, v] of Object.entries(want || {})) {
        let got;
        if (k === "user" || k === "transferTo") got = e[k] ? e[k].associateId : null;
        else if (v instanceof Date) got = isDate(e[k]) ? e[k].getTime() : String(e[k]);
        else got = e[k];
        const w = v instanceof Date ? v.getTime() : v;
        ok(got === w, `${step}: ${k} is ${v instanceof Date ? v.toISOString() : JSON.stringify(v)}`,
           `client has ${JSON.stringify(e[k])}`);
    }
    return true;
}
function message(step, m) {
    return ok(m && Number.isInteger(m.chatMessageId) && MTYPE.has(m.type) && MSPECIAL.has(m.specialType)
              && isDate(m.whenPosted),
              `${step}: decodes (id, type, specialType, whenPosted)`, m);
}

// ------------------------------------------------------------- scenario
const tag = `${process.pid}-${TZ.replace(/[^A-Za-z]/g, "")}`;
const REQUESTED = new Date(Date.UTC(2024, 10, 3, 5, 30, 0, 250));   // 01:30 EDT, then EST
let e, err, id, q;

async function main() {
    diag(`TZ=${TZ} (UTC offset now ${-new Date().getTimezoneOffset()} min), topic ${TOPIC}, `
         + `second agent ${USER2[0]}, base ${tje0._options.baseUrl}`);

    // 1. CreateDefaultChatSessionEntity
    let def;
    [def, err] = await call(() => tje0.createDefaultChatSessionEntityAsync(opts()));
    if (ok(!err, "createDefaultChatSessionEntity resolves", errText(err)))
        entity("createDefault", def, { chatSessionId: 0 });

    // 2. SaveChatSessionEntity with id 0 creates
    const ent = Object.assign({}, def || {}, {
        chatSessionId: 0, customerName: `Agent ${tag}`, status: ChatSessionStatus.Closed,
        topicId: TOPIC, whenRequested: REQUESTED, user: { associateId: 5 },
    });
    [e, err] = await call(() => tje0.saveChatSessionEntityAsync(ent, opts()));
    if (!ok(!err, "saveChatSessionEntity (id 0) resolves", errText(err))) return;
    entity("save (create)", e, { customerName: ent.customerName, whenRequested: REQUESTED, topicId: TOPIC });
    id = e.chatSessionId;
    if (!ok(Number.isInteger(id) && id > 0, "save (create): a new id", `got ${id}`)) return;

    // 3. GetChatSessionEntity
    [e, err] = await call(() => tje0.getChatSessionEntityAsync(id, opts()));
    if (ok(!err, "getChatSessionEntity resolves", errText(err)))
        entity("get", e, { chatSessionId: id, customerName: ent.customerName, whenRequested: REQUESTED });

    // 4. SaveChatSessionEntity with the id replaces
    if (e) {
        [e, err] = await call(() => tje0.saveChatSessionEntityAsync(
            Object.assign({}, e, { customerName: `Replaced ${tag}` }), opts()));
        if (ok(!err, "saveChatSessionEntity (id) resolves", errText(err)))
            entity("save (replace)", e, { chatSessionId: id, customerName: `Replaced ${tag}`, whenRequested: REQUESTED });
    }

    // 5. CreateChatSessionForTopic: queued in the topic, requested now
    [q, err] = await call(() => tje0.createChatSessionForTopicAsync(TOPIC, opts()));
    if (!ok(!err, "createChatSessionForTopic resolves", errText(err))) return;
    entity("createChatSessionForTopic", q, { topicId: TOPIC, status: ChatSessionStatus.InQueue });
    ok(recent(q.whenRequested), "createChatSessionForTopic: whenRequested is now", String(q.whenRequested));
    const qid = q.chatSessionId;

    // 6. PickUpFirstChatSession takes it (the only one queued in the topic)
    [e, err] = await call(() => tje0.pickUpFirstChatSessionAsync(opts()));
    if (ok(!err, "pickUpFirstChatSession resolves", errText(err))
        && entity("pickUpFirst", e, { chatSessionId: qid, status: ChatSessionStatus.UserLast, user: 5 })) {
        ok(recent(e.whenStarted), "pickUpFirst: whenStarted is now", String(e.whenStarted));
        ok(Number.isInteger(e.rank) && e.rank >= 1, "pickUpFirst: a rank", `rank ${e.rank}`);
    }

    // 7. PickUpChatSession of a session no longer queued: null
    [e, err] = await call(() => tje0.pickUpChatSessionAsync(qid, opts()));
    ok(!err && e === null, "pickUpChatSession of a taken session resolves null",
       err ? errText(err) : `got ${JSON.stringify(e)}`);

    // 8. AddChatMessage
    const text = `Hello <b>${tag}</b> & "you"`;
    let m;
    [m, err] = await call(() => tje0.addChatMessageAsync(qid, {
        type: ChatMessageType.ToCustomer, message: text, author: "tje0",
        specialType: ChatMessageSpecialType.None, whenPosted: new Date(),
    }, opts()));
    if (ok(!err, "addChatMessage resolves", errText(err)) && message("addChatMessage", m)) {
        ok(m.type === ChatMessageType.ToCustomer && m.message === text, "addChatMessage: type and text as sent", m);
        ok(recent(m.whenPosted), "addChatMessage: whenPosted is now", String(m.whenPosted));
        zonedDates("addChatMessage", lastData());
    }

    // 9. GetChatMessages after 0: the Welcome, then ours, in id order
    let ms;
    [ms, err] = await call(() => tje0.getChatMessagesAsync(qid, 0, opts()));
    if (ok(!err && Array.isArray(ms), "getChatMessages resolves with an array", errText(err))) {
        ms.forEach((x, i) => message(`getChatMessages[${i}]`, x));
        const welcome = ms.findIndex((x) => x.specialType === ChatMessageSpecialType.Welcome);
        ok(welcome >= 0 && ms[welcome].type === ChatMessageType.Special && welcome < ms.length - 1,
           "getChatMessages: the pickup's Welcome (Special), before ours", ms);
        ok(m && ms.length && ms[ms.length - 1].chatMessageId === m.chatMessageId, "getChatMessages: ours last", ms);
        ok(ms.every((x, i) => i === 0 || x.chatMessageId > ms[i - 1].chatMessageId), "getChatMessages: ids ascend");
        zonedDates("getChatMessages", lastData());
    }
    const lastId = m ? m.chatMessageId : 0;
    [ms, err] = await call(() => tje0.getChatMessagesAsync({ chatSessionId: qid, after: lastId }, opts()));
    ok(!err && Array.isArray(ms) && ms.length === 0, "getChatMessages after the last: []",
       err ? errText(err) : JSON.stringify(ms));

    // 10. TransferChatSession to the second agent, by login
    [e, err] = await call(() => tje0.transferChatSessionAsync(qid, USER2[0], opts()));
    let otherId;
    if (ok(!err, "transferChatSession resolves", errText(err))
        && entity("transfer", e, { user: 5 })) {
        otherId = e.transferTo && e.transferTo.associateId;
        ok(Number.isInteger(otherId) && otherId !== 5, `transfer: transferTo is ${USER2[0]}`, e.transferTo);
    }

    // 11. AcceptChatSessionTransfer, as the recipient
    [e, err] = await call(() => other.acceptChatSessionTransferAsync(qid, opts()));
    if (ok(!err, "acceptChatSessionTransfer resolves", errText(err)))
        entity("accept", e, { user: otherId, transferTo: null });

    // 12. TransferChatSession back, by id as a string (the request form)
    [e, err] = await call(() => other.transferChatSessionAsync({ chatSessionId: qid, toAssociate: "5" }, opts()));
    if (ok(!err, "transferChatSession (request object, id) resolves", errText(err)))
        entity("transfer back", e, { user: otherId, transferTo: 5 });

    // 13. RejectChatSessionTransfer, as the recipient
    [e, err] = await call(() => tje0.rejectChatSessionTransferAsync(qid, opts()));
    if (ok(!err, "rejectChatSessionTransfer resolves", errText(err)))
        entity("reject", e, { user: otherId, transferTo: null });
    [ms, err] = await call(() => tje0.getChatMessagesAsync(qid, lastId, opts()));
    if (ok(!err && Array.isArray(ms), "getChatMessages after the transfers resolves", errText(err))) {
        const sp = ms.map((x) => x.specialType);
        ok(sp.includes(ChatMessageSpecialType.TransferedSession) && sp.includes(ChatMessageSpecialType.TransferRejected),
           "the transfers posted TransferedSession and TransferRejected", sp);
    }

    // 14. ResetChatSession: back in the queue
    [e, err] = await call(() => tje0.resetChatSessionAsync(qid, opts()));
    if (ok(!err, "resetChatSession resolves", errText(err)))
        entity("reset", e, { status: ChatSessionStatus.InQueue, user: null });

    // 15. GetChatTranscript, text and HTML
    let t;
    [t, err] = await call(() => tje0.getChatTranscriptAsync(qid, false, opts()));
    ok(!err && typeof t === "string" && t.includes(text), "getChatTranscript (text) has the message",
       err ? errText(err) : JSON.stringify(t));
    [t, err] = await call(() => tje0.getChatTranscriptAsync({ chatSessionId: qid, html: true }, opts()));
    ok(!err && typeof t === "string" && t.includes(`Hello &lt;b&gt;${tag}&lt;/b&gt; &amp;`) && !t.includes("<b>" + tag),
       "getChatTranscript (html) has the message escaped", err ? errText(err) : JSON.stringify(t));

    // 16. ChatSessionsForUser: the open sessions of the caller's topics
    let list;
    [list, err] = await call(() => tje0.chatSessionsForUserAsync(opts()));
    if (ok(!err && Array.isArray(list), "chatSessionsForUser resolves with an array", errText(err))) {
        ok(list.some((x) => x && x.chatSessionId === qid), "chatSessionsForUser: has the queued session",
           list.map((x) => x && x.chatSessionId));
        ok(list.every((x) => x && STATUS.has(x.status)), "chatSessionsForUser: every status decodes");
        zonedDates("chatSessionsForUser", lastData());
    }

    // 17. DeleteChatSessionEntity, both; then Get is a 404 rejection
    for (const d of [id, qid]) {
        [e, err] = await call(() => tje0.deleteChatSessionEntityAsync(d, opts()));
        if (ok(!err, `deleteChatSessionEntity ${d} resolves`, errText(err)))
            resolvesVoid(`deleteChatSessionEntity ${d}`, err);
    }
    [e, err] = await call(() => tje0.getChatSessionEntityAsync(id, opts()));
    ok(err && err.response && err.response.status === 404, "getChatSessionEntity of a deleted session rejects with 404",
       err ? errText(err) : `resolved ${JSON.stringify(e)}`);
}

main().then(finish, (err) => { ok(false, `scenario threw: ${(err && err.stack) || err}`); finish(); });
