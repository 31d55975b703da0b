// The in-browser verifier of the public ledger: everything it checks, no DOM (docs/ledger.md,
// "Verifying in a browser"). It reads only the public JSON of /ledger/ and the fund's data.json.
//
// Messages come from the page (translated in the template): `msg(key, params)` fills `{name}`.

import { cryptoProvider, toHex } from './crypto.js';

export const PAGE = 1000;
const EM_DASH = '\u2014';
const ED25519 = 0x01;
const COSIGNATURE = 0x04;
const FUND_LAYOUTS = new Set(['fpa-fund-entry/1', 'fpa-fund-entry/2']);
const KINDS = new Set(['donation', 'income', 'grant', 'expense', 'reversal']);
const AMOUNT = /^(0|[1-9][0-9]*)\.[0-9]{2}$/;
const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const APPENDED = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$/;
const encoder = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export class Failure extends Error {
  constructor(message, index = null) {
    super(message);
    this.index = index;
  }
}

export class Stopped extends Error {}

// --- bytes -------------------------------------------------------------------------------------

export function b64decode(text) {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function b64encode(bytes) {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function equal(a, b) {
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// --- RFC 6962 / RFC 9162 -----------------------------------------------------------------------

export async function leafHashes(c, leaves) {
  return c.sha256Many(leaves.map((d) => concat(Uint8Array.of(0), d)));
}

async function nodeHash(c, left, right) {
  return c.sha256(concat(Uint8Array.of(1), left, right));
}

// Every level of the tree bottom-up (level 0: the leaf hashes); levels[l][i] is the hash of the
// complete subtree of leaves [i * 2^l, (i + 1) * 2^l) when it exists, and the odd last node of a
// level is carried up unchanged, which gives exactly the RFC 6962 root at the top.
export async function treeLevels(c, hashes) {
  const levels = [hashes];
  let level = hashes;
  while (level.length > 1) {
    const inputs = [];
    for (let i = 0; i + 1 < level.length; i += 2) inputs.push(concat(Uint8Array.of(1), level[i], level[i + 1]));
    const next = await c.sha256Many(inputs);
    if (level.length % 2) next.push(level[level.length - 1]);
    levels.push(next);
    level = next;
  }
  return levels;
}

export async function rootOf(c, levels) {
  if (!levels[0].length) return c.sha256(new Uint8Array(0));
  return levels[levels.length - 1][0];
}

// The root of the first m leaves from the levels: fold the complete aligned subtrees of [0, m).
export async function prefixRoot(c, levels, m) {
  if (m === 0) return c.sha256(new Uint8Array(0));
  const cover = [];
  let start = 0;
  for (let l = 31 - Math.clz32(m); l >= 0; l--) {
    if ((m >>> l) & 1) {
      cover.push(levels[l][start >>> l]);
      start += 1 << l;
    }
  }
  let result = cover[cover.length - 1];
  for (let i = cover.length - 2; i >= 0; i--) result = await nodeHash(c, cover[i], result);
  return result;
}

export async function rootFromInclusion(c, index, size, leaf, proof) {
  if (!(index >= 0 && index < size)) return null;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(c, p, r);
      if (fn % 2 === 0) {
        while (fn !== 0 && fn % 2 === 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await nodeHash(c, r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

export async function verifyConsistency(c, first, second, firstRoot, secondRoot, proof) {
  if (!(first >= 0 && first <= second)) return false;
  if (first === second) return proof.length === 0 && equal(firstRoot, secondRoot);
  if (first === 0) return proof.length === 0;
  if (!proof.length) return false;
  const path = [...proof];
  if ((first & (first - 1)) === 0) path.unshift(firstRoot);
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const h of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = await nodeHash(c, h, fr);
      sr = await nodeHash(c, h, sr);
      if (fn % 2 === 0) {
        while (fn !== 0 && fn % 2 === 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = await nodeHash(c, sr, h);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return equal(fr, firstRoot) && equal(sr, secondRoot) && sn === 0;
}

// --- C2SP signed notes, checkpoints and cosignatures ---------------------------------------------

export async function keyId(c, name, type, publicKey) {
  const digest = await c.sha256(concat(encoder.encode(name + '\n'), Uint8Array.of(type), publicKey));
  return digest.slice(0, 4);
}

// A verifier key `<name>+<key id hex>+<base64(type || public key)>`, split at the first two `+`.
export async function parseVerifierKey(c, vkey, type, msg) {
  const text = (vkey || '').trim();
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (first <= 0 || second < 0) throw new Failure(msg('bad_key', { key: text.slice(0, 60) }));
  const name = text.slice(0, first);
  const hex = text.slice(first + 1, second);
  let raw;
  try {
    raw = b64decode(text.slice(second + 1));
  } catch (error) {
    throw new Failure(msg('bad_key', { key: text.slice(0, 60) }));
  }
  if (raw.length !== 33 || raw[0] !== type || !/^[0-9a-f]{8}$/.test(hex)) {
    throw new Failure(msg('bad_key', { key: text.slice(0, 60) }));
  }
  const publicKey = raw.slice(1);
  const id = await keyId(c, name, type, publicKey);
  if (toHex(id) !== hex) throw new Failure(msg('bad_key_hash', { name }));
  return { name, id, publicKey, vkey: text };
}

// (body, origin, size, root, signature lines) of a checkpoint note.
export function parseNote(note, msg) {
  const cut = note.indexOf('\n\n');
  if (cut < 0) throw new Failure(msg('bad_note'));
  const body = note.slice(0, cut + 1);
  const lines = body.split('\n').slice(0, -1);
  if (lines.length < 3 || !/^(0|[1-9][0-9]*)$/.test(lines[1])) throw new Failure(msg('bad_note'));
  let root;
  try {
    root = b64decode(lines[2]);
  } catch (error) {
    throw new Failure(msg('bad_note'));
  }
  if (root.length !== 32) throw new Failure(msg('bad_note'));
  const signatures = [];
  for (const line of note.slice(cut + 2).split('\n')) {
    const parts = line.split(' ');
    if (parts.length !== 3 || parts[0] !== EM_DASH) continue;
    try {
      signatures.push({ name: parts[1], blob: b64decode(parts[2]) });
    } catch (error) {
      // not a signature line
    }
  }
  const time = lines.slice(3).find((l) => l.startsWith('time '));
  return { body, origin: lines[0], size: Number(lines[1]), root, time: time ? time.slice(5) : '', signatures };
}

export async function verifyOperator(c, parsed, key) {
  for (const s of parsed.signatures) {
    if (s.name !== key.name || s.blob.length !== 68 || !equal(s.blob.slice(0, 4), key.id)) continue;
    return c.verify(key.publicKey, s.blob.slice(4), encoder.encode(parsed.body));
  }
  return null; // no signature by this key
}

// C2SP tlog-cosignature cosignature/v1: "cosignature/v1\ntime <t>\n" + body, line payload
// key id (4) || timestamp (8, big-endian) || Ed25519 signature (64).
export async function verifyCosignature(c, parsed, witness) {
  for (const s of parsed.signatures) {
    if (s.name !== witness.name || s.blob.length !== 76 || !equal(s.blob.slice(0, 4), witness.id)) continue;
    let time = 0n;
    for (const b of s.blob.slice(4, 12)) time = (time << 8n) | BigInt(b);
    const message = encoder.encode(`cosignature/v1\ntime ${time}\n${parsed.body}`);
    const ok = await c.verify(witness.publicKey, s.blob.slice(12), message);
    return { found: true, ok, time: Number(time) };
  }
  return { found: false, ok: false, time: null };
}

// --- fund entries (docs/fund-ledger-entries.md) ------------------------------------------------

function canonical(value) {
  if (Array.isArray(value)) return '[' + value.map(canonical).join(',') + ']';
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonical(value[k])).join(',') + '}';
  }
  return JSON.stringify(value);
}

function cents(text) {
  const [yuan, fen] = text.split('.');
  return Number(yuan) * 100 + Number(fen);
}

export function yuan(value) {
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export function accountKind(code) {
  return { 1: 'asset', 4: 'income', 5: 'expense' }[String(code)[0]] || 'other';
}

const FIELDS = {
  'fpa-fund-entry/1': ['category', 'date', 'fund', 'grant', 'kind', 'lines', 'number', 'receipt', 'reverses', 'township', 'v'],
};
FIELDS['fpa-fund-entry/2'] = [...FIELDS['fpa-fund-entry/1'], 'appended'].sort();
const LINE_FIELDS = ['account', 'credit', 'debit', 'restriction'];

// The decoded entry, null when the leaf is not a fund entry; throws Failure when it claims to be
// one and is malformed or unbalanced.
export function decodeFundLeaf(data, index, msg) {
  let text;
  let doc;
  try {
    text = strictUtf8.decode(data);
    doc = JSON.parse(text);
  } catch (error) {
    return null;
  }
  if (!doc || typeof doc !== 'object' || !FUND_LAYOUTS.has(doc.v)) return null;
  const bad = (why) => new Failure(msg('leaf_malformed', { index, why }), index);
  const keys = Object.keys(doc).sort();
  if (keys.join(',') !== FIELDS[doc.v].join(',')) throw bad(msg('why_fields'));
  if (canonical(doc) !== text) throw bad(msg('why_canonical'));
  if (!Number.isSafeInteger(doc.number) || doc.number < 1) throw bad('number');
  if (!DATE.test(doc.date)) throw bad('date');
  if (!KINDS.has(doc.kind)) throw bad('kind');
  for (const f of ['fund', 'category', 'township', 'receipt', 'grant']) {
    if (typeof doc[f] !== 'string') throw bad(f);
  }
  if (doc.v === 'fpa-fund-entry/2' && !APPENDED.test(doc.appended)) throw bad('appended');
  if (doc.kind === 'reversal' ? !Number.isSafeInteger(doc.reverses) : doc.reverses !== null) throw bad('reverses');
  if (!Array.isArray(doc.lines) || doc.lines.length < 2) throw bad('lines');
  let debit = 0;
  let credit = 0;
  for (const line of doc.lines) {
    if (!line || Object.keys(line).sort().join(',') !== LINE_FIELDS.join(',')) throw bad('lines');
    if (typeof line.account !== 'string' || !AMOUNT.test(line.debit) || !AMOUNT.test(line.credit)) throw bad('lines');
    if (line.restriction !== null && typeof line.restriction !== 'string') throw bad('restriction');
    const d = cents(line.debit);
    const cr = cents(line.credit);
    if ((d === 0) === (cr === 0)) throw bad(msg('why_line_side'));
    debit += d;
    credit += cr;
  }
  if (debit !== credit) {
    throw new Failure(
      msg('unbalanced', { index, number: doc.number, debit: yuan(debit), credit: yuan(credit) }),
      index
    );
  }
  return doc;
}

// Running totals of the fund entries, per fund, in log order.
export class Books {
  constructor(msg) {
    this.msg = msg;
    this.funds = new Map();
    this.others = 0;
  }

  fund(code) {
    if (!this.funds.has(code)) {
      this.funds.set(code, { code, entries: 0, last: 0, accounts: new Map(), sums: new Map(), pools: new Map(), months: new Map() });
    }
    return this.funds.get(code);
  }

  add(doc, index) {
    if (doc === null) {
      this.others += 1;
      return;
    }
    const f = this.fund(doc.fund);
    if (doc.number !== f.last + 1) {
      throw new Failure(
        this.msg('gap', { index, fund: doc.fund, number: doc.number, expected: f.last + 1 }),
        index
      );
    }
    if (doc.kind === 'reversal' && !(doc.reverses >= 1 && doc.reverses < doc.number)) {
      throw new Failure(this.msg('bad_reverses', { index, number: doc.number, reverses: doc.reverses }), index);
    }
    f.last = doc.number;
    f.entries += 1;
    const month = doc.date.slice(0, 7);
    for (const line of doc.lines) {
      const kind = accountKind(line.account);
      const d = cents(line.debit);
      const cr = cents(line.credit);
      const change = kind === 'income' ? cr - d : d - cr;
      f.accounts.set(line.account, (f.accounts.get(line.account) || 0) + change);
      const sum = f.sums.get(line.account) || [0, 0];
      f.sums.set(line.account, [sum[0] + d, sum[1] + cr]);
      const key = `${month}|${line.account}`;
      f.months.set(key, (f.months.get(key) || 0) + change);
      if (line.restriction !== null && (kind === 'income' || kind === 'expense')) {
        const delta = kind === 'income' ? change : -change;
        f.pools.set(line.restriction, (f.pools.get(line.restriction) || 0) + delta);
      }
    }
  }
}

// Compare one fund's books with its published data.json; returns a list of mismatch messages.
// `chart` maps account codes to their names (the names data.json uses).
export function compareWithData(f, data, chart, msg) {
  const problems = [];
  const near = (a, b) => Math.abs(Math.round(Number(a) * 100) - b) === 0;
  const name = (code) => (chart[code] && chart[code].name) || code;
  const assets = [...f.accounts].filter(([code]) => accountKind(code) === 'asset');
  const total = assets.reduce((s, [, v]) => s + v, 0);
  if (!near(data.total, total)) problems.push(msg('total_differs', { what: msg('assets_total'), published: data.total, computed: yuan(total) }));
  const published = new Map((data.assets || []).map((a) => [a.name, a.amount]));
  for (const [code, value] of assets) {
    const n = name(code);
    if (!published.has(n) && value !== 0) problems.push(msg('total_differs', { what: n, published: '-', computed: yuan(value) }));
    else if (published.has(n) && !near(published.get(n), value)) problems.push(msg('total_differs', { what: n, published: published.get(n), computed: yuan(value) }));
  }
  const pools = new Map();
  for (const [code, value] of f.pools) if (value > 0) pools.set(name(code), value);
  for (const p of data.restricted || []) {
    const value = pools.get(p.purpose) || 0;
    if (!near(p.amount, value)) problems.push(msg('total_differs', { what: msg('restricted_for', { name: p.purpose }), published: p.amount, computed: yuan(value) }));
    pools.delete(p.purpose);
  }
  for (const [n, value] of pools) problems.push(msg('total_differs', { what: msg('restricted_for', { name: n }), published: '-', computed: yuan(value) }));
  // data.json's ledger_totals: every line of every entry summed per account, debit and credit
  // apart (docs/ledger.md, "Checking the money"), and the number of entries.
  const totals = data.ledger_totals;
  if (totals) {
    if (Number(totals.entries) !== f.entries) {
      problems.push(msg('total_differs', { what: msg('entry_count'), published: totals.entries, computed: f.entries }));
    }
    const listed = new Set();
    for (const a of totals.accounts || []) {
      listed.add(a.code);
      const [debit, credit] = f.sums.get(a.code) || [0, 0];
      if (!near(a.debit, debit) || !near(a.credit, credit)) {
        problems.push(msg('total_differs', {
          what: msg('account_sums', { code: a.code, name: a.name }),
          published: `${a.debit} / ${a.credit}`,
          computed: `${yuan(debit)} / ${yuan(credit)}`,
        }));
      }
    }
    for (const [code, [debit, credit]] of f.sums) {
      if (!listed.has(code) && (debit || credit)) {
        problems.push(msg('total_differs', {
          what: msg('account_sums', { code, name: name(code) }),
          published: '-',
          computed: `${yuan(debit)} / ${yuan(credit)}`,
        }));
      }
    }
  }
  const months = data.months || [];
  const year = months.length ? months[months.length - 1].slice(0, 4) : String(new Date().getFullYear());
  for (const [kind, field] of [['income', 'income_year'], ['expense', 'expense_year']]) {
    let sum = 0;
    for (const [key, value] of f.months) {
      const [month, code] = key.split('|');
      if (month.startsWith(year + '-') && accountKind(code) === kind) sum += value;
    }
    if (field in data && !near(data[field], sum)) {
      problems.push(msg('total_differs', { what: msg(field, { year }), published: data[field], computed: yuan(sum) }));
    }
  }
  for (const [kind, field] of [['income', 'income'], ['expense', 'expense']]) {
    const byName = new Map();
    for (const [key, value] of f.months) {
      const [month, code] = key.split('|');
      if (accountKind(code) !== kind) continue;
      const i = months.indexOf(month);
      if (i < 0) continue;
      const n = name(code);
      if (!byName.has(n)) byName.set(n, new Array(months.length).fill(0));
      byName.get(n)[i] += value;
    }
    for (const series of data[field] || []) {
      const computed = byName.get(series.name) || new Array(months.length).fill(0);
      series.data.forEach((v, i) => {
        if (!near(v, computed[i])) {
          problems.push(msg('total_differs', { what: `${series.name} ${months[i]}`, published: Number(v).toFixed(2), computed: yuan(computed[i]) }));
        }
      });
      byName.delete(series.name);
    }
    for (const [n, values] of byName) {
      values.forEach((v, i) => {
        if (v !== 0) problems.push(msg('total_differs', { what: `${n} ${months[i]}`, published: '-', computed: yuan(v) }));
      });
    }
  }
  return problems;
}

// --- talking to the server -----------------------------------------------------------------------

export async function getJSON(url, msg, { allow404 = false, signal } = {}) {
  let response;
  try {
    response = await fetch(url, { headers: { Accept: 'application/json' }, signal, cache: 'no-store' });
  } catch (error) {
    if (signal && signal.aborted) throw new Stopped();
    throw new Failure(msg('network', { url }));
  }
  if (allow404 && response.status === 404) return null;
  let body = null;
  try {
    body = await response.json();
  } catch (error) {
    throw new Failure(msg('http', { url, status: response.status }));
  }
  if (!response.ok) {
    const why = body && body.error && body.error.message ? body.error.message : String(response.status);
    const fail = new Failure(msg('http', { url, status: why }));
    fail.body = body;
    throw fail;
  }
  return body;
}

// --- the keys and the checkpoint -------------------------------------------------------------------

const PIN_OPERATOR = 'fpa-ledger:operator-key';
const PIN_WITNESSES = 'fpa-ledger:witness-keys';
const SAVED = 'fpa-ledger:saved-checkpoint';

function storage() {
  try {
    return window.localStorage;
  } catch (error) {
    return null;
  }
}

export const pins = {
  operator: () => (storage() && storage().getItem(PIN_OPERATOR)) || '',
  witnesses: () => {
    try {
      return JSON.parse((storage() && storage().getItem(PIN_WITNESSES)) || '[]');
    } catch (error) {
      return [];
    }
  },
  setOperator: (vkey) => storage() && (vkey ? storage().setItem(PIN_OPERATOR, vkey.trim()) : storage().removeItem(PIN_OPERATOR)),
  setWitnesses: (list) =>
    storage() && (list.length ? storage().setItem(PIN_WITNESSES, JSON.stringify(list)) : storage().removeItem(PIN_WITNESSES)),
  saved: () => {
    try {
      return JSON.parse((storage() && storage().getItem(SAVED)) || 'null');
    } catch (error) {
      return null;
    }
  },
  save: (value) => storage() && storage().setItem(SAVED, JSON.stringify(value)),
};

// The operator key (pinned or served) and the witnesses' keys; `report` collects what was found.
export async function loadKeys(c, base, msg, report, early = {}) {
  const served = await (early.publicKey || getJSON(base + 'public-key.json', msg));
  const pinned = pins.operator();
  let operator;
  if (pinned) {
    operator = await parseVerifierKey(c, pinned, ED25519, msg);
    if (pinned !== served.verifier_key) {
      report.alerts.push(msg('operator_key_changed', { pinned, served: served.verifier_key }));
    }
  } else {
    operator = await parseVerifierKey(c, served.verifier_key, ED25519, msg);
    report.notes.push(msg('operator_key_unpinned'));
  }
  report.operatorKey = operator.vkey;
  report.servedOperatorKey = served.verifier_key;
  report.retired = [];
  for (const r of served.retired_keys || []) {
    try {
      report.retired.push({ name: r.key_name, id: Uint8Array.from(r.key_id.match(/../g).map((h) => parseInt(h, 16))), publicKey: b64decode(r.public_key) });
    } catch (error) {
      // a malformed retired key is simply not trusted
    }
  }
  const listing = await (early.witnesses || getJSON(base + 'witnesses.json', msg, { allow404: true }));
  const servedWitnesses = (listing && listing.witnesses) || [];
  report.servedWitnesses = servedWitnesses;
  const pinnedWitnesses = pins.witnesses();
  const witnesses = [];
  if (pinnedWitnesses.length) {
    const byName = new Map(servedWitnesses.map((w) => [w.verifier_key.split('+')[0], w.verifier_key]));
    for (const vkey of pinnedWitnesses) {
      const key = await parseVerifierKey(c, vkey, COSIGNATURE, msg);
      if (byName.has(key.name) && byName.get(key.name) !== key.vkey) {
        report.alerts.push(msg('witness_key_changed', { name: key.name, pinned: key.vkey, served: byName.get(key.name) }));
      }
      witnesses.push(key);
    }
  } else {
    for (const w of servedWitnesses) {
      try {
        witnesses.push(await parseVerifierKey(c, w.verifier_key, COSIGNATURE, msg));
      } catch (error) {
        report.failures.push(error.message);
      }
    }
  }
  report.witnessKeys = witnesses.map((w) => w.vkey);
  return { operator, witnesses };
}

// Open the latest checkpoint (checkpoint.json): the operator's signature, the fields against the
// note, the witnesses' cosignatures. Throws Failure on anything wrong.
export async function openCheckpoint(c, base, keys, msg, report, early = null) {
  let cp;
  try {
    cp = await (early || getJSON(base + 'checkpoint.json', msg));
  } catch (error) {
    if (error.body && error.body.under_review) throw new Failure(msg('under_review', { alarms: alarmText(error.body) }));
    throw error;
  }
  if (cp.under_review) throw new Failure(msg('under_review', { alarms: alarmText(cp) }));
  const parsed = await checkNote(c, cp.note, keys.operator, msg, report);
  if (parsed.size !== cp.tree_size || b64encode(parsed.root) !== cp.root_hash) throw new Failure(msg('fields_differ'));
  report.checkpoint = { size: parsed.size, root: cp.root_hash, time: parsed.time, note: cp.note };
  report.cosignatures = [];
  const cosigned = cp.cosigned_note ? parseNote(cp.cosigned_note, msg) : null;
  if (cosigned && cosigned.body !== parsed.body) throw new Failure(msg('cosigned_body_differs'));
  for (const w of keys.witnesses) {
    const result = cosigned ? await verifyCosignature(c, cosigned, w) : { found: false, ok: false };
    if (result.found && !result.ok) throw new Failure(msg('cosignature_bad', { name: w.name }));
    report.cosignatures.push({ name: w.name, ok: result.ok, time: result.time });
  }
  if (cosigned) {
    const known = new Set(keys.witnesses.map((w) => w.name));
    for (const s of cosigned.signatures) {
      if (s.name !== keys.operator.name && !known.has(s.name)) report.notes.push(msg('cosignature_unknown', { name: s.name }));
    }
  }
  return parsed;
}

function alarmText(body) {
  return (body.alarms || []).map((a) => `${a.kind}: ${a.message}`).join('; ');
}

export async function checkNote(c, note, operator, msg, report) {
  const parsed = parseNote(note, msg);
  let ok = await verifyOperator(c, parsed, operator);
  if (ok === null) {
    for (const r of report.retired || []) {
      ok = await verifyOperator(c, parsed, r);
      if (ok !== null) break;
    }
  }
  if (ok === null) throw new Failure(msg('no_signature', { name: operator.name }));
  if (!ok) throw new Failure(msg('bad_signature', { size: parsed.size }));
  return parsed;
}

export function newReport() {
  return { ok: false, stopped: false, failures: [], alerts: [], notes: [], cosignatures: [], checked: 0, total: 0 };
}

// --- one entry: the checkpoint and the entry's inclusion ------------------------------------------

// All four answers are asked for at once (one round trip on a slow phone network): the keys, the
// checkpoint, and the entry with its proof to the latest checkpoint; a second request only when
// the two latest checkpoints differ (one signed between the requests).
function early(promise) {
  const settled = promise.then(
    (value) => ({ value }),
    (error) => ({ error })
  );
  return settled.then((r) => {
    if (r.error) throw r.error;
    return r.value;
  });
}

export async function checkEntry({ base, index, msg }) {
  const started = performance.now();
  const asked = {
    publicKey: early(getJSON(base + 'public-key.json', msg)),
    witnesses: early(getJSON(base + 'witnesses.json', msg, { allow404: true })),
    checkpoint: early(getJSON(base + 'checkpoint.json', msg)),
    leaf: early(getJSON(`${base}leaves/${index}.json`, msg)),
  };
  for (const p of Object.values(asked)) p.catch(() => {}); // reported when awaited
  const c = await cryptoProvider();
  const report = newReport();
  report.provider = c.name;
  report.index = index;
  try {
    const keys = await loadKeys(c, base, msg, report, asked);
    const head = await openCheckpoint(c, base, keys, msg, report, asked.checkpoint);
    let size = head.size;
    let root = head.root;
    let item = await asked.leaf;
    if (index < size) {
      if (item.tree_size !== size) item = await getJSON(`${base}leaves/${index}.json?tree_size=${size}`, msg);
    } else {
      // Newer than the cosigned checkpoint: the server signed one covering it.
      if (!item.checkpoint) throw new Failure(msg('no_checkpoint_for', { index }), index);
      const fresh = await checkNote(c, item.checkpoint.note, keys.operator, msg, report);
      size = fresh.size;
      root = fresh.root;
      report.notes.push(msg('newer_than_cosigned', { index, size }));
      report.checkpoint = { size, root: b64encode(root), time: fresh.time, note: item.checkpoint.note };
    }
    if (item.index !== index || item.tree_size !== size) throw new Failure(msg('fields_differ'), index);
    const data = b64decode(item.data);
    const [leaf] = await leafHashes(c, [data]);
    if (b64encode(leaf) !== item.leaf_hash) throw new Failure(msg('leaf_hash_wrong', { index }), index);
    const proof = item.inclusion_proof.map(b64decode);
    const computed = await rootFromInclusion(c, index, size, leaf, proof);
    if (!computed || !equal(computed, root)) throw new Failure(msg('inclusion_fails', { index, size }), index);
    report.entry = decodeFundLeaf(data, index, msg);
    report.leafHash = toHex(leaf);
    report.appendedAt = item.appended_at;
    report.total = size;
    report.checked = 1;
    report.ok = true;
  } catch (error) {
    if (!(error instanceof Failure)) throw error;
    report.failures.push(error.message);
    report.failedIndex = error.index;
  }
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

// --- a saved checkpoint: has the log only grown since? -----------------------------------------------

export async function checkGrowth({ base, note, msg }) {
  const c = await cryptoProvider();
  const report = newReport();
  try {
    const keys = await loadKeys(c, base, msg, report);
    const old = await checkNote(c, note, keys.operator, msg, report);
    const now = await openCheckpoint(c, base, keys, msg, report);
    report.old = { size: old.size, root: b64encode(old.root), time: old.time };
    if (old.size > now.size) throw new Failure(msg('shrunk', { old: old.size, now: now.size }));
    const answer = await getJSON(`${base}consistency.json?first=${old.size}&second=${now.size}`, msg);
    const proof = answer.consistency_proof.map(b64decode);
    if (!(await verifyConsistency(c, old.size, now.size, old.root, now.root, proof))) {
      throw new Failure(msg('inconsistent', { old: old.size, now: now.size }));
    }
    report.total = now.size;
    report.ok = true;
  } catch (error) {
    if (!(error instanceof Failure)) throw error;
    report.failures.push(error.message);
  }
  return report;
}

// --- the whole log ----------------------------------------------------------------------------

export async function verifyLog({ base, dataUrl, chart, msg, onProgress = () => {}, signal }) {
  const c = await cryptoProvider();
  const report = newReport();
  report.provider = c.name;
  const started = performance.now();
  const stop = () => {
    if (signal && signal.aborted) throw new Stopped();
  };
  try {
    const keys = await loadKeys(c, base, msg, report);
    const head = await openCheckpoint(c, base, keys, msg, report);
    stop();
    // The tree may have grown past the cosigned checkpoint: check the whole current tree against
    // a checkpoint covering it (signed on request) and the cosigned one as its prefix.
    const first = await getJSON(`${base}leaves.json?start=0&limit=1`, msg, { signal });
    const heads = [head];
    if (first.tree_size > head.size) {
      const item = await getJSON(`${base}leaves/${first.tree_size - 1}.json`, msg, { signal });
      if (item.checkpoint) {
        const fresh = await checkNote(c, item.checkpoint.note, keys.operator, msg, report);
        if (fresh.size > head.size) heads.push(fresh);
      }
    }
    const latest = heads[heads.length - 1];
    const size = latest.size;
    report.total = size;
    onProgress(0, size);
    const hashes = [];
    const books = new Books(msg);
    let entryFailure = null;
    let grewDuringCheck = false;
    while (hashes.length < size) {
      stop();
      const limit = Math.min(PAGE, size - hashes.length);
      const page = await getJSON(`${base}leaves.json?start=${hashes.length}&limit=${limit}`, msg, { signal });
      if (!page.leaves.length) throw new Failure(msg('short_log', { got: hashes.length, size }));
      if (page.tree_size !== size) grewDuringCheck = true;
      const items = page.leaves.slice(0, size - hashes.length);
      const datas = items.map((item) => b64decode(item.data));
      const computed = await leafHashes(c, datas);
      for (let i = 0; i < items.length; i++) {
        const index = hashes.length;
        if (items[i].index !== index) throw new Failure(msg('wrong_index', { expected: index, got: items[i].index }), index);
        if (b64encode(computed[i]) !== items[i].leaf_hash) throw new Failure(msg('leaf_hash_wrong', { index }), index);
        hashes.push(computed[i]);
        if (!entryFailure) {
          try {
            books.add(decodeFundLeaf(datas[i], index, msg), index);
          } catch (error) {
            if (!(error instanceof Failure)) throw error;
            entryFailure = error;
          }
        }
      }
      report.checked = hashes.length;
      onProgress(hashes.length, size);
    }
    stop();
    const levels = await treeLevels(c, hashes);
    for (const h of heads) {
      const computed = await prefixRoot(c, levels, h.size);
      if (!equal(computed, h.root)) {
        const index = await firstChanged(c, base, levels, h, msg);
        throw new Failure(
          index === null ? msg('root_differs', { size: h.size }) : msg('entry_changed', { index, size: h.size }),
          index
        );
      }
    }
    if (entryFailure) throw entryFailure;
    report.funds = [];
    for (const f of books.funds.values()) {
      const summary = { code: f.code, entries: f.entries, compared: false, problems: [] };
      report.funds.push(summary);
      if (!dataUrl) continue;
      if (grewDuringCheck) {
        report.notes.push(msg('grew_during_check'));
        continue;
      }
      const data = await getJSON(dataUrl.replace('__code__', encodeURIComponent(f.code)), msg, { allow404: true, signal });
      if (data === null) {
        report.notes.push(msg('no_data_json', { fund: f.code }));
        continue;
      }
      summary.compared = true;
      summary.problems = compareWithData(f, data, chart || {}, msg);
    }
    const problems = report.funds.flatMap((f) => f.problems);
    if (problems.length) throw new Failure(msg('totals_differ', { first: problems[0], count: problems.length }));
    report.others = books.others;
    report.ok = true;
  } catch (error) {
    if (error instanceof Stopped) {
      report.stopped = true;
    } else if (error instanceof Failure) {
      report.failures.push(error.message);
      report.failedIndex = error.index;
    } else {
      throw error;
    }
  }
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

// The first entry that differs from what the signed checkpoint covers: binary search over
// consistency proofs (the first m entries are unchanged iff the proof from m to the checkpoint's
// size verifies against the root of the first m downloaded entries).
async function firstChanged(c, base, levels, head, msg) {
  let good = 0;
  let bad = head.size;
  try {
    while (bad - good > 1) {
      const m = Math.floor((good + bad) / 2);
      const answer = await getJSON(`${base}consistency.json?first=${m}&second=${head.size}`, msg);
      const proof = answer.consistency_proof.map(b64decode);
      const ok = await verifyConsistency(c, m, head.size, await prefixRoot(c, levels, m), head.root, proof);
      if (ok) good = m;
      else bad = m;
    }
  } catch (error) {
    return null;
  }
  return bad - 1;
}
