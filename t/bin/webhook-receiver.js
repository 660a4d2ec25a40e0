#!/usr/bin/env node
// A webhook receiver for the tests (issue 20, design §10): plain HTTP and
// HTTPS listeners on a loopback address, every request appended to a
// JSON-lines log, answers chosen per path prefix through a control
// endpoint. Node's built-in modules only. Started and read by
// t/lib/ChatSession/Receiver.pm; usable by hand too:
//
//   node t/bin/webhook-receiver.js --log /tmp/rx.jsonl [--host 127.0.0.2]
//     [--http-port 0] [--https-port 0 --cert C --key K]
//     [--wrong-port 0 --wrong-cert C2 --wrong-key K2] [--brief 1]
//
// When every listener is up it prints one JSON line on stdout:
//   {"host":"127.0.0.2","http":P,"https":P,"https_wrong":P,"pid":N}
// (a listener not asked for is absent). It exits on SIGTERM/SIGINT and
// when its stdin reaches EOF, so a test that dies leaves nothing behind.
//
// Log line (one per request, written when its body has arrived):
//   {"seq":n, "t":ms, "t_end":ms, "listener":"http"|"https"|"https_wrong",
//    "conn":n, "method":"POST", "path":"/hook1?x", "http_version":"1.1",
//    "headers":[[rawName, value], ...], "body":"<base64 of the bytes>"}
// With --brief 1 (bench/lib/webhook.sh: a receiver that takes little
// of the cores it shares with what it measures), the line is only
//   {"t":ms, "path":"/hook1", "ts":"<the body's Timestamp>"}
// written through a buffered stream, after the answer.
// seq counts requests as they start; t is when the headers were parsed,
// t_end when the body ended (ms since the epoch, with a fraction); conn
// numbers connections, so keep-alive reuse shows. Paths under /_ are the
// control endpoint's and are not logged:
//   POST /_control {"path":"/hook1", "mode":"ok"|"status"|"slow"|"hang"|
//        "redirect"|"drop", "status":500, "body":"...", "size":n,
//        "slow":2.5, "redirect":"http://10.0.0.1/", "count":n}
//     sets the answer for paths starting with "path" (the longest prefix
//     wins; default: 200 {"ok":true} at once). slow: answer after that
//     many seconds; hang: never answer (until /_release); redirect: 302
//     (or "status") with that Location; drop: close the connection without
//     an answer; size: a body of that many bytes; count: the rule serves
//     that many requests, then is gone. Answers 204, or 400 naming the
//     member at fault.
//   POST /_reset    forgets every rule (the log stays)
//   POST /_release  answers every hung request 200
'use strict';

const fs = require('fs');
const http = require('http');
const https = require('https');
const { performance } = require('perf_hooks');

const MAX_BODY = 16 * 1024 * 1024;     // a test never sends more
const MODES = ['ok', 'status', 'slow', 'hang', 'redirect', 'drop'];

function parseArgs(argv) {
    const o = { host: '127.0.0.2' };
    for (let i = 0; i < argv.length; i += 2) {
        const k = argv[i];
        const v = argv[i + 1];
        if (!/^--[a-z-]+$/.test(k) || v === undefined) {
            throw new Error(`bad argument ${k}`);
        }
        o[k.slice(2).replace(/-/g, '_')] = v;
    }
    if (!o.log) {
        throw new Error('--log FILE is required');
    }
    return o;
}

const now = () => performance.timeOrigin + performance.now();

// Rules by path prefix; hung requests waiting for /_release.
const state = { rules: new Map(), hung: [], seq: 0, conn: 0 };

function ruleFor(path) {
    let best = null;
    for (const [prefix, rule] of state.rules) {
        if (path.startsWith(prefix)
            && (!best || prefix.length > best.prefix.length)) {
            best = { prefix, rule };
        }
    }
    if (best && best.rule.count !== undefined && --best.rule.count <= 0) {
        state.rules.delete(best.prefix);
    }
    return best ? best.rule : { mode: 'ok' };
}

// A control rule from its JSON, or an error naming the member at fault.
function checkRule(doc) {
    const num = (k, min) => doc[k] === undefined
        || (typeof doc[k] === 'number' && doc[k] >= min) ? null : k;
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
        return { error: '(body): not a JSON object' };
    }
    if (typeof doc.path !== 'string' || !doc.path.startsWith('/')) {
        return { error: 'path: a string starting with /' };
    }
    let mode = doc.mode;
    if (mode === undefined) {
        mode = doc.hang ? 'hang' : doc.redirect ? 'redirect'
             : doc.slow !== undefined ? 'slow'
             : doc.status !== undefined ? 'status' : 'ok';
    }
    if (!MODES.includes(mode)) {
        return { error: `mode: one of ${MODES.join(', ')}` };
    }
    const bad = num('slow', 0) || num('size', 0) || num('count', 1)
        || (doc.status !== undefined && !(Number.isInteger(doc.status)
            && doc.status >= 200 && doc.status <= 599) ? 'status' : null)
        || (doc.body !== undefined && typeof doc.body !== 'string'
            ? 'body' : null)
        || (doc.redirect !== undefined && typeof doc.redirect !== 'string'
            ? 'redirect' : null)
        || (mode === 'status' && doc.status === undefined ? 'status' : null)
        || (mode === 'slow' && doc.slow === undefined ? 'slow' : null)
        || (mode === 'redirect' && doc.redirect === undefined
            ? 'redirect' : null);
    if (bad) {
        return { error: `${bad}: missing or out of range for mode ${mode}` };
    }
    return { rule: { ...doc, mode } };
}

function answer(res, rule) {
    const status = rule.status
        || (rule.mode === 'redirect' ? 302 : 200);
    const body = rule.size !== undefined ? 'x'.repeat(rule.size)
        : rule.body !== undefined ? rule.body : '{"ok":true}';
    const headers = { 'Content-Type': 'application/json',
                      'Content-Length': Buffer.byteLength(body) };
    if (rule.redirect !== undefined) {
        headers.Location = rule.redirect;
    }
    res.writeHead(status, headers);
    res.end(body);
}

function respond(req, res, rule) {
    switch (rule.mode) {
    case 'drop':
        req.socket.destroy();
        return;
    case 'hang':
        state.hung.push(res);
        return;
    default:
        if (rule.slow) {
            setTimeout(() => answer(res, rule), rule.slow * 1000);
        }
        else {
            answer(res, rule);
        }
    }
}

function control(req, res, body) {
    const path = req.url.split('?')[0];
    const done = (status, text) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(text === undefined ? '' : JSON.stringify({ error: text }));
    };
    if (req.method !== 'POST') {
        return done(405, 'POST only');
    }
    if (path === '/_reset') {
        state.rules.clear();
        return done(204);
    }
    if (path === '/_release') {
        state.hung.splice(0).forEach((r) => answer(r, { mode: 'ok' }));
        return done(204);
    }
    if (path !== '/_control') {
        return done(404, `no control endpoint ${path}`);
    }
    let doc;
    try {
        doc = JSON.parse(body.toString('utf8'));
    }
    catch (e) {
        return done(400, `(body): ${e.message}`);
    }
    const r = checkRule(doc);
    if (r.error) {
        return done(400, r.error);
    }
    state.rules.set(r.rule.path, r.rule);
    return done(204);
}

// --brief: the receipt time, the path and the event's Timestamp.
function briefHandler(out) {
    return (req, res) => {
        const t = now();
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            if (req.url.startsWith('/_')) {
                return control(req, res, Buffer.from(body));
            }
            respond(req, res, ruleFor(req.url));
            const m = /"Timestamp":"([^"]*)"/.exec(body);
            out.write(`{"t":${t},"path":${JSON.stringify(req.url)},`
                      + `"ts":"${m ? m[1] : ''}"}\n`);
        });
    };
}

function handler(listener, log) {
    return (req, res) => {
        const t = now();
        const seq = req.url.startsWith('/_') ? 0 : ++state.seq;
        const chunks = [];
        let size = 0;
        req.on('data', (c) => {
            size += c.length;
            if (size > MAX_BODY) {
                req.socket.destroy();
                return;
            }
            chunks.push(c);
        });
        req.on('end', () => {
            const body = Buffer.concat(chunks);
            if (req.url.startsWith('/_')) {
                return control(req, res, body);
            }
            const headers = [];
            for (let i = 0; i < req.rawHeaders.length; i += 2) {
                headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
            }
            // Synchronous: the line is in the file before the answer goes.
            fs.appendFileSync(log, JSON.stringify({
                seq, t, t_end: now(), listener, conn: req.socket.connId,
                method: req.method, path: req.url,
                http_version: req.httpVersion, headers,
                body: body.toString('base64'),
            }) + '\n');
            respond(req, res, ruleFor(req.url));
        });
    };
}

function listen(server, listener, port, host) {
    server.keepAliveTimeout = 60000;
    server.on('connection', (s) => { s.connId = ++state.conn; });
    server.on('clientError', (err, s) => { s.destroy(); });
    return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(Number(port), host, () => {
            resolve([listener, server.address().port]);
        });
    });
}

async function main() {
    const o = parseArgs(process.argv.slice(2));
    fs.appendFileSync(o.log, '');
    const want = [];
    const tls = (cert, key) => ({ cert: fs.readFileSync(cert),
                                  key: fs.readFileSync(key) });
    if (o.http_port !== undefined) {
        const h = o.brief === '1'
            ? briefHandler(fs.createWriteStream(o.log, { flags: 'a' }))
            : handler('http', o.log);
        want.push(listen(http.createServer(h), 'http', o.http_port, o.host));
    }
    if (o.https_port !== undefined) {
        want.push(listen(https.createServer(tls(o.cert, o.key),
                                            handler('https', o.log)),
                         'https', o.https_port, o.host));
    }
    if (o.wrong_port !== undefined) {
        want.push(listen(https.createServer(tls(o.wrong_cert, o.wrong_key),
                                            handler('https_wrong', o.log)),
                         'https_wrong', o.wrong_port, o.host));
    }
    if (!want.length) {
        throw new Error('no listener: give --http-port and/or --https-port');
    }
    const ready = { host: o.host, pid: process.pid };
    for (const [name, port] of await Promise.all(want)) {
        ready[name] = port;
    }
    process.stdout.write(JSON.stringify(ready) + '\n');
}

process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();

main().catch((e) => {
    process.stderr.write(`webhook-receiver: ${e.message}\n`);
    process.exit(2);
});
