#!/usr/bin/env node
"use strict";
// A new user's first minutes with the official client against ./serve:
// SuperOffice's TypeScript client (@superoffice/webapi, unchanged, pinned in
// package-lock.json), configured as its README says (a base URL ending in
// /api/, a user and password), calls its own ChatAgent (POSTs under
// api/v1/Agents/Chat/) and the ChatSession REST class on ./serve's demo data,
// with the demo user tje0/Tje0. t/api/serve.t starts ./serve and runs it.
//
//   node serve.js BASE_URL      (http://127.0.0.1:PORT/api/)
//
// Output is TAP; exit 0 only when every check passed.

const webapi = require("@superoffice/webapi");
const { WebApi } = webapi;
const { WebApiBase } = require("@superoffice/webapi/WebApiBase.js");
const { ChatSessionRestApi } = require("./ChatSessionRestApi.js");
const { diag, ok, finish, bail, errText } = require("./tap.js");

const BASE = process.argv[2];
if (!BASE) {
    console.log("1..0 # usage: node serve.js http://127.0.0.1:8080/api/");
    process.exit(2);
}
setTimeout(() => bail("scenario finished within 60 s"), 60000).unref();

const api = new WebApi(BASE);
api.authenticateWithPassword("tje0", "Tje0");
const agent = api.getChatAgent();
const rest = new ChatSessionRestApi(WebApiBase.FigureOutOptions(api._options));

async function call(fn) {
    try {
        return [await fn(), null];
    } catch (err) {
        return [undefined, err];
    }
}

(async () => {
    diag(`@superoffice/webapi against ${BASE}`);
    // The docs' sample, session 844, through each family.
    let [e, err] = await call(() => agent.getChatSessionEntityAsync(844));
    if (ok(!err && e, "ChatAgent GetChatSessionEntity(844) resolves", errText(err))) {
        ok(e.chatSessionId === 844, "ChatAgent: ChatSessionId 844", e.chatSessionId);
        ok(e.customerAlias === "dicta", "ChatAgent: the sample's CustomerAlias", e.customerAlias);
        ok(e.customerConsented === true, "ChatAgent: the sample's CustomerConsented (true)", e.customerConsented);
        ok(e.whenRequested instanceof Date
           && e.whenRequested.toISOString() === "2011-01-11T16:54:08.007Z",
           "ChatAgent: WhenRequested is the sample's instant", String(e.whenRequested));
    }
    [e, err] = await call(() => rest.getByIdAsync(844));
    ok(!err && e && e.chatSessionId === 844 && e.customerConsented === true,
       "REST (ChatSessionRestApi) GET ChatSession/844: the sample", errText(err));

    // A session of one's own: the template, saved (id 0 creates), read
    // back, deleted.
    let def;
    [def, err] = await call(() => agent.createDefaultChatSessionEntityAsync());
    if (!ok(!err && def && def.chatSessionId === 0, "ChatAgent CreateDefaultChatSessionEntity: a template", errText(err)))
        return finish();
    def.customerName = "serve.js";
    def.topicId = 1;
    let saved;
    [saved, err] = await call(() => agent.saveChatSessionEntityAsync(def));
    if (!ok(!err && saved && saved.chatSessionId > 0, "ChatAgent SaveChatSessionEntity (id 0) creates", errText(err)))
        return finish();
    [e, err] = await call(() => agent.getChatSessionEntityAsync(saved.chatSessionId));
    ok(!err && e && e.customerName === "serve.js", "ChatAgent GetChatSessionEntity reads it back", errText(err));
    [, err] = await call(() => agent.deleteChatSessionEntityAsync(saved.chatSessionId));
    ok(!err, "ChatAgent DeleteChatSessionEntity", errText(err));
    [e, err] = await call(() => agent.getChatSessionEntityAsync(saved.chatSessionId));
    ok(err && err.response && err.response.status === 404,
       "ChatAgent GetChatSessionEntity after the delete: 404", errText(err));
    finish();
})().catch((err) => bail("scenario threw: " + errText(err)));
