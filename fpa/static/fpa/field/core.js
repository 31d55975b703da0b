/* The field app's storage and sync, shared by the app's page (app.js) and its service worker
 * (sw-field.js, which syncs on its own when the browser fires Background Sync with no window of
 * the app open). No screen and no words here: the page draws, the worker has nothing to draw.
 *
 * Storage: IndexedDB "fpa-field". Store "meta" holds the phone's id, its data key (imported with
 * WebCrypto as a non-extractable AES-GCM CryptoKey; the raw key the server handed out once is
 * dropped at once), the addresses the worker needs ("config") and when the server last answered
 * ("seen"). Store "data" holds the downloaded work and store "queue" the changes recorded
 * offline, both only as AES-GCM ciphertext ({iv, ct}); the queue's record key is the change's
 * idempotency key (a random UUID, nothing personal).
 *
 * Sync: the waiting changes go to POST <api>/sync in batches of at most BATCH with the keys made
 * when they were recorded; applied ones leave the queue, refused and conflicting ones keep the
 * answer; then the photos of applied visits; then the work is downloaded again. A 410
 * "device_ended" answer wipes everything (Ended); a 401 throws NeedLogin and keeps the queue.
 * A phone that has not reached the server for `idleDays` wipes itself when it starts (the
 * server ends such a phone at its next call: fpa.field.services.IDLE_END).
 */
(function (scope) {
  "use strict";

  const DB_NAME = "fpa-field";
  const BATCH = 100;
  const DAY = 864e5;

  class NeedLogin extends Error {}
  class Ended extends Error {}
  class HttpError extends Error {
    constructor(status) { super(String(status)); this.status = status; }
  }

  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore("meta");
        db.createObjectStore("data");
        db.createObjectStore("queue");
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  /** The addresses the app's page saved for the service worker (null before its first start). */
  async function storedConfig() {
    const db = await openDb();
    try {
      return await new Promise((resolve, reject) => {
        const request = db.transaction("meta").objectStore("meta").get("config");
        request.onsuccess = () => resolve(request.result || null);
        request.onerror = () => reject(request.error);
      });
    } finally {
      db.close();
    }
  }

  function create(config) {
    const state = { db: null, key: null, device: null, work: null, queue: [], csrf: null, idleWiped: false };

    // --- IndexedDB and encryption -------------------------------------------------------------

    function tx(store, mode, work) {
      return new Promise((resolve, reject) => {
        const t = state.db.transaction(store, mode);
        const result = work(t.objectStore(store));
        t.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
        t.onerror = () => reject(t.error);
        t.onabort = () => reject(t.error);
      });
    }
    const idbGet = (store, key) => tx(store, "readonly", (s) => s.get(key));
    const idbPut = (store, key, value) => tx(store, "readwrite", (s) => s.put(value, key));
    const idbDelete = (store, key) => tx(store, "readwrite", (s) => s.delete(key));
    const idbAll = (store) => tx(store, "readonly", (s) => s.getAll());

    async function seal(value) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const plain = new TextEncoder().encode(JSON.stringify(value));
      const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, state.key, plain);
      return { iv, ct };
    }

    async function unseal(record) {
      const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: record.iv }, state.key, record.ct);
      return JSON.parse(new TextDecoder().decode(plain));
    }

    async function open() {
      if (!state.db) state.db = await openDb();
    }

    /** The addresses and limits the service worker needs to sync on its own (nothing personal). */
    async function saveConfig() {
      await idbPut("meta", "config", { api: config.api, session: config.session, idleDays: config.idleDays });
    }

    async function saveWork() {
      await idbPut("data", "work", await seal(state.work));
    }

    async function saveItem(item) {
      await idbPut("queue", item.key, await seal(item));
    }

    async function dropItem(item) {
      state.queue = state.queue.filter((i) => i.key !== item.key);
      await idbDelete("queue", item.key);
    }

    /** Read what the phone holds; wipe it instead when the server has not been reached for
     *  longer than idleDays (state.idleWiped says so). */
    async function load() {
      state.key = (await idbGet("meta", "key")) || null;
      state.device = (await idbGet("meta", "device")) || null;
      if (!state.key) return;
      const seen = await idbGet("meta", "seen");
      if (config.idleDays && seen && Date.now() - seen > config.idleDays * DAY) {
        await wipe();
        state.idleWiped = true;
        return;
      }
      const work = await idbGet("data", "work");
      state.work = work ? await unseal(work) : null;
      const items = [];
      for (const record of await idbAll("queue")) items.push(await unseal(record));
      items.sort((a, b) => a.seq - b.seq);
      state.queue = items;
    }

    /** Delete everything the phone holds: the database (data, queue, key) and any cache other
     *  than the service worker's precache of the empty shell. */
    async function wipe(reopen = true) {
      state.key = state.device = state.work = null;
      state.queue = [];
      if (state.db) { state.db.close(); state.db = null; }
      await new Promise((resolve) => {
        const request = indexedDB.deleteDatabase(DB_NAME);
        request.onsuccess = request.onerror = request.onblocked = () => resolve();
      });
      if (scope.caches) {
        for (const name of await caches.keys()) {
          if (!name.includes("precache")) await caches.delete(name);
        }
      }
      if (reopen) state.db = await openDb();
    }

    // --- the server ---------------------------------------------------------------------------

    /** The session's CSRF token, asked once and kept while the page lives (the app asks for it
     *  when it starts online, beside the download, so that a sync on a slow line does not wait a
     *  round trip for it); a call refused "csrf_failed" (the session changed) asks again. */
    async function csrf() {
      if (state.csrf) return state.csrf;
      const response = await fetch(config.session, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.redirected || !response.ok) throw new NeedLogin();
      state.csrf = (await response.json()).csrf;
      return state.csrf;
    }

    async function api(method, path, payload, form, retried) {
      const headers = { Accept: "application/json" };
      if (state.device) headers["X-FPA-Device"] = String(state.device);
      if (method !== "GET") headers["X-CSRFToken"] = await csrf();
      let body;
      if (form) body = payload;
      else if (payload !== undefined) {
        headers["Content-Type"] = "application/json";
        body = JSON.stringify(payload);
      }
      const response = await fetch(config.api + path, { method, headers, body, credentials: "same-origin" });
      let data = null;
      try { data = await response.json(); } catch (e) { data = null; }
      const code = data && data.error && data.error.code;
      if (response.status === 403 && code === "csrf_failed" && !retried) {
        state.csrf = null;
        return api(method, path, payload, form, true);
      }
      if (response.status === 410 && code === "device_ended") {
        await wipe();
        throw new Ended();
      }
      if (response.status === 401) throw new NeedLogin();
      if (response.status < 500 && state.device && state.db) await idbPut("meta", "seen", Date.now());
      return { status: response.status, data };
    }

    /** Register this phone (its data key is handed out now, once); false when the user may not
     *  work offline. */
    async function register(label) {
      const { status, data } = await api("POST", "/devices", { label });
      if (status === 403) return false;
      if (status !== 201) throw new HttpError(status);
      const raw = Uint8Array.from(atob(data.key), (c) => c.charCodeAt(0));
      state.key = await crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
      raw.fill(0);
      state.device = data.device.id;
      await idbPut("meta", "key", state.key);
      await idbPut("meta", "device", state.device);
      await idbPut("meta", "seen", Date.now());
      await saveConfig();
      return true;
    }

    /** Download the work; false when the user may not work offline. */
    async function download() {
      const { status, data } = await api("GET", "/work");
      if (status === 403) return false;
      if (status !== 200) throw new HttpError(status);
      state.work = data;
      await saveWork();
      return true;
    }

    // --- the queue ----------------------------------------------------------------------------

    function nextSeq() {
      return state.queue.reduce((m, i) => Math.max(m, i.seq), 0) + 1;
    }

    async function enqueue(item) {
      item.seq = item.seq || nextSeq();
      item.state = "waiting";
      item.sent = false;
      item.answer = null;
      const existing = state.queue.findIndex((i) => i.key === item.key);
      if (existing >= 0) state.queue[existing] = item;
      else state.queue.push(item);
      state.queue.sort((a, b) => a.seq - b.seq);
      await saveItem(item);
    }

    /** A changed item gets a new idempotency key (its old one may have reached the server); the
     *  photos and needs of a visit follow it to its new key. */
    async function rekey(item) {
      const old = item.key;
      await dropItem(item);
      item.key = crypto.randomUUID();
      if (item.type === "care") {
        for (const other of state.queue.filter((i) => (i.type === "photo" || i.type === "need_raise") && i.visit_key === old)) {
          other.visit_key = item.key;
          await saveItem(other);
        }
      }
      return item;
    }

    /** The change as the sync API takes it (the item also holds what the screens show). */
    function changeOf(item) {
      const base = { type: item.type, key: item.key, made_at: item.made_at };
      if (item.type === "care") {
        return Object.assign(base, {
          family: item.family, base_version: item.base_version, kind: item.kind,
          occurred_on: item.occurred_on, services: item.services, cares: item.cares, notes: item.notes,
        });
      }
      if (item.type === "need_raise") {
        return Object.assign(base, {
          family: item.family, base_version: item.base_version, description: item.description,
          due_date: item.due_date || null, visit_key: item.visit_key || null,
        });
      }
      return Object.assign(base, {
        need: item.need, base_updated_at: item.base_updated_at, status: item.status, result: item.result,
      });
    }

    function waiting() {
      return state.queue.filter((i) => i.state === "waiting");
    }

    /** A need raised during a visit that is still on the phone (refused, in conflict): it waits
     *  for its visit, so that it arrives linked to it. */
    function held(item) {
      return item.type === "need_raise" && item.visit_key && state.queue.some((i) => i.key === item.visit_key);
    }

    /** Send what waits (visits first, then needs and need updates: a need raised in a visit
     *  finds its visit on the server), then the photos of applied visits, then download the work
     *  again. Returns the counts of applied, refused and conflicting changes. */
    async function syncQueue() {
      const counts = { applied: 0, refused: 0, conflict: 0 };
      for (const phase of [(i) => i.type === "care", (i) => i.type !== "care" && i.type !== "photo" && !held(i)]) {
        const changes = state.queue.filter((i) => i.state === "waiting" && phase(i));
        for (let start = 0; start < changes.length; start += BATCH) {
          const batch = changes.slice(start, start + BATCH);
          for (const item of batch) { item.sent = true; await saveItem(item); }
          const { status, data } = await api("POST", "/sync", { changes: batch.map(changeOf) });
          if (status !== 200) throw new HttpError(status);
          for (const answer of data.answers) {
            const item = state.queue.find((i) => i.key === answer.key);
            if (!item) continue;
            counts[answer.outcome] += 1;
            if (answer.outcome === "applied") await dropItem(item);
            else {
              item.state = answer.outcome;
              item.answer = answer;
              item.sent = false;
              await saveItem(item);
            }
          }
        }
      }
      // Photos of visits that have been applied (no longer in the queue).
      const visits = new Set(state.queue.filter((i) => i.type === "care").map((i) => i.key));
      for (const photo of state.queue.filter((i) => i.type === "photo" && !visits.has(i.visit_key))) {
        const form = new FormData();
        const bytes = Uint8Array.from(atob(photo.jpeg), (c) => c.charCodeAt(0));
        form.append("file", new Blob([bytes], { type: "image/jpeg" }), "photo.jpg");
        form.append("key", photo.key);
        form.append("visit_key", photo.visit_key);
        form.append("made_at", photo.made_at);
        const { status, data } = await api("POST", "/photos", form, true);
        if (status === 200 && data.outcome === "applied") { counts.applied += 1; await dropItem(photo); }
        else if (status === 409) continue; // its visit has not arrived yet
        else {
          counts.refused += 1;
          photo.state = "refused";
          photo.answer = { message: (data && (data.message || (data.error && data.error.message))) || String(status) };
          await saveItem(photo);
        }
      }
      await download();
      return counts;
    }

    return {
      state, open, load, wipe, saveConfig, saveItem, dropItem, csrf, api, register, download,
      enqueue, rekey, waiting, held, syncQueue,
    };
  }

  scope.FpaFieldCore = { create, storedConfig, NeedLogin, Ended, HttpError };
})(self);
