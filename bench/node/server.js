// bench/node/server.js — bench/hotrow's second reference: the ChatSession
// GET and PATCH a team would write by hand in Node (express, pg,
// fast-json-patch), the obvious way: BEGIN; SELECT ... FOR UPDATE (and
// one SELECT per carrier the session has: its User here); apply the patch
// to the entity with fast-json-patch; UPDATE the columns that changed;
// COMMIT; answer the entity as JSON. One process (node server.js),
// one pg.Pool. Not a product: no authentication, no rights, no
// FieldProperties, no XML, no $select, no preconditions — all work the
// module does and this does not, which favours this side.
//
//   PORT=8080 PGHOST=127.0.0.1 PGPORT=5432 PGDATABASE=chatsession \
//   PGUSER=chats POOL_MAX=16 node server.js
'use strict';

const express = require('express');
const { Pool } = require('pg');
const jsonpatch = require('fast-json-patch');

const pool = new Pool({ max: Number(process.env.POOL_MAX || 16) });
const app = express();
app.disable('x-powered-by');
app.use(express.json({
  type: ['application/json', 'application/json-patch+json'],
  limit: '1mb',
}));

const STATUS = ['Invalid', 'PreChatForm', 'Faq', 'OfflineForm', 'InQueue',
  'CustomerLast', 'UserLast', 'Finished', 'Deleted', 'Closed',
  'RequestPosted', 'ClosedFromQueue'];
const FLAGS = ['CustomerIsTyping', 'UserIsTyping'];

// ChatSessionEntity field -> column, and how the value is converted.
const FIELDS = [
  ['ChatSessionId', 'id', 'readonly'],
  ['TopicId', 'topic_id', 'int'],
  ['User', 'user_id', 'carrier', 'u', 'AssociateId'],
  ['Person', 'customer_id', 'carrier', 'p', 'PersonId'],
  ['CustomerAlias', 'customer_alias', 'string'],
  ['CustomerHost', 'customer_host', 'string'],
  ['CustomerName', 'name', 'string'],
  ['CustomerEmail', 'email', 'string'],
  ['CustomerPhone', 'phone', 'string'],
  ['CustomerConsented', 'consented', 'bool'],
  ['CustomerCompanyName', 'company_name', 'string'],
  ['Status', 'status', 'status'],
  ['FirstMessage', 'first_message', 'string'],
  ['LastMessage', 'last_message', 'string'],
  ['WhenRequested', 'when_requested', 'date'],
  ['WhenStarted', 'when_started', 'date'],
  ['WhenEnded', 'when_ended', 'date'],
  ['WhenIdle', 'idle', 'date'],
  ['WhenFetched', 'customer_fetch', 'date'],
  ['SessionKey', 'session_key', 'string'],
  ['InitialQueuePos', 'initial_queue_pos', 'int'],
  ['AlertLevel', 'alert_level', 'int'],
  ['Rank', 'rank', 'int'],
  ['Flags', 'flags', 'flags'],
  ['Contact', 'contact_id', 'carrier', 'c', 'ContactId'],
  ['Project', 'project_id', 'carrier', 'pr', 'ProjectId'],
  ['Sale', 'sale_id', 'carrier', 's', 'SaleId'],
  ['Ticket', 'ticket_id', 'carrier', 't', 'TicketId'],
  ['TransferTo', 'transfer_to', 'carrier', 'tt', 'AssociateId'],
  ['ChatbotIsActive', 'chatbot_isactive', 'bool'],
  ['Rating', 'rating', 'int'],
];
const BY_NAME = new Map(FIELDS.map((f) => [f[0], f]));

// A carrier's row, looked up by its key when the session has one.
const CARRIER_SQL = {
  u: 'SELECT * FROM associate WHERE associate_id = $1',
  p: 'SELECT * FROM person WHERE person_id = $1',
  c: 'SELECT * FROM contact WHERE contact_id = $1',
  pr: 'SELECT * FROM project WHERE project_id = $1',
  s: 'SELECT * FROM sale WHERE sale_id = $1',
  t: 'SELECT * FROM ticket WHERE ticket_id = $1',
  tt: 'SELECT * FROM associate WHERE associate_id = $1',
};

const pascal = (k) => k.split('_').map((w) => w[0].toUpperCase() + w.slice(1)).join('');

function carrier(row) {
  if (!row) return null;  // none, or a dangling key
  const out = {};
  for (const [k, v] of Object.entries(row)) {
    if (k !== 'password_hash') out[pascal(k)] = v;
  }
  return out;
}

function flagsName(v) {
  if (!v) return FLAGS[0];
  return FLAGS.filter((n, i) => i > 0 && (v & i) === i).join(', ');
}

function toEntity(row) {
  const e = {};
  for (const [name, col, kind, alias] of FIELDS) {
    const v = row[col];
    switch (kind) {
      case 'carrier': e[name] = carrier(row.carriers[alias]); break;
      case 'date': e[name] = v ? v.toISOString() : null; break;
      case 'status': e[name] = STATUS[v] || v; break;
      case 'flags': e[name] = flagsName(v); break;
      case 'int': e[name] = v || 0; break;
      default: e[name] = v;
    }
  }
  return e;
}

class BadRequest extends Error {}

// The column's new value from the patched entity, checked the obvious way.
function toColumn(f, v) {
  const [name, , kind, , key] = f;
  switch (kind) {
    case 'readonly': throw new BadRequest(`${name} is read-only`);
    case 'string':
      if (typeof v !== 'string') throw new BadRequest(`${name}: expected a string`);
      return v;
    case 'int':
      if (!Number.isInteger(v)) throw new BadRequest(`${name}: expected an integer`);
      return f[1] === 'topic_id' && v === 0 ? null : v;  // 0: no topic
    case 'bool':
      if (typeof v !== 'boolean') throw new BadRequest(`${name}: expected a boolean`);
      return v;
    case 'date':
      if (v !== null && Number.isNaN(Date.parse(v))) throw new BadRequest(`${name}: expected a date`);
      return v;
    case 'status': {
      const i = typeof v === 'number' ? v : STATUS.indexOf(v);
      if (!STATUS[i]) throw new BadRequest(`${name}: unknown status`);
      return i;
    }
    case 'flags': {
      if (typeof v === 'number') return v;
      return String(v).split(',').map((s) => s.trim())
        .reduce((m, s) => m | Math.max(FLAGS.indexOf(s), 0), 0);
    }
    case 'carrier':
      if (v === null) return null;
      if (typeof v !== 'object' || !Number.isInteger(v[key])) {
        throw new BadRequest(`${name}: expected null or an object with ${key}`);
      }
      return v[key] || null;
    default: return v;
  }
}

// The session (locked for a write), then each carrier it has.
async function read(client, id, lock) {
  const r = await client.query(`SELECT * FROM chat_session WHERE id = $1${
    lock ? ' FOR UPDATE' : ''}`, [id]);
  const row = r.rows[0];
  if (!row) return row;
  row.carriers = {};
  for (const [, col, kind, alias] of FIELDS) {
    if (kind === 'carrier' && row[col] !== null) {
      const c = await client.query(CARRIER_SQL[alias], [row[col]]);
      row.carriers[alias] = c.rows[0];
    }
  }
  return row;
}

app.get('/api/v1/ChatSession/:id(\\d+)', async (req, res, next) => {
  try {
    const row = await read(pool, Number(req.params.id), false);
    if (!row) return res.status(404).json({ ErrorMessage: 'not found' });
    res.set('ETag', `"${row.version}"`).json(toEntity(row));
  } catch (err) { next(err); }
});

app.patch('/api/v1/ChatSession/:id(\\d+)', async (req, res, next) => {
  const id = Number(req.params.id);
  const ops = req.body;
  if (!Array.isArray(ops)) return res.status(400).json({ ErrorMessage: 'expected a JSON Patch' });
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const row = await read(client, id, true);
    if (!row) {
      await client.query('ROLLBACK');
      return res.status(404).json({ ErrorMessage: 'not found' });
    }
    const entity = toEntity(row);
    let patched;
    try {
      patched = jsonpatch.applyPatch(entity, ops, true, false).newDocument;
    } catch (err) {
      await client.query('ROLLBACK');
      return res.status(err.name === 'TEST_OPERATION_FAILED' ? 409 : 400)
        .json({ ErrorMessage: err.message });
    }
    const sets = [];
    const params = [id];
    for (const [name, v] of Object.entries(patched)) {
      const f = BY_NAME.get(name);
      if (!f) throw new BadRequest(`unknown field ${name}`);
      if (JSON.stringify(v) === JSON.stringify(entity[name])) continue;
      params.push(toColumn(f, v));
      sets.push(`${f[1]} = $${params.length}`);
    }
    if (sets.length) {
      const u = await client.query(`UPDATE chat_session SET ${sets.join(', ')},
        version = version + 1, updated_at = now() WHERE id = $1
        RETURNING version`, params);
      row.version = u.rows[0].version;
    }
    await client.query('COMMIT');
    res.set('ETag', `"${row.version}"`).json(patched);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    if (err instanceof BadRequest) return res.status(400).json({ ErrorMessage: err.message });
    next(err);
  } finally {
    client.release();
  }
});

app.use((err, req, res, next) => {   // eslint-disable-line no-unused-vars
  console.error(err);
  res.status(500).json({ ErrorMessage: 'internal error' });
});

const server = app.listen(Number(process.env.PORT || 8080), '127.0.0.1', () => {
  console.log(`listening on 127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
