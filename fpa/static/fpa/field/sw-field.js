/* The field app's own service-worker code: Background Sync, and starting from the precache.

   Background Sync (the app asks for it whenever it queues a change; the browser fires it when
   the network is back, and again later if the sync failed). With a window of the app open, the
   worker asks the window to sync, so that the user sees the answers there. With none open, the
   worker syncs on its own through core.js (imported before this file): the same queue, the same
   data key (a CryptoKey kept in IndexedDB, usable here though it cannot be read out), the same
   session cookie and the same answers kept for the app to show at its next start. A network
   failure rejects, so that the browser tries again; an expired session (NeedLogin) or an ended
   phone (Ended, already wiped) does not: the app's next start deals with them. */
async function syncOnOwn() {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const app = windows.filter((client) => new URL(client.url).pathname.startsWith("/field/"));
  if (app.length) {
    for (const client of app) client.postMessage({ type: "fpa-field-sync" });
    return;
  }
  const config = await FpaFieldCore.storedConfig();
  if (!config) return;
  const core = FpaFieldCore.create(config);
  await core.open();
  try {
    await core.load();
    if (core.state.key && core.waiting().length) await core.syncQueue();
  } catch (error) {
    if (error instanceof FpaFieldCore.NeedLogin || error instanceof FpaFieldCore.Ended) return;
    throw error;
  } finally {
    if (core.state.db) core.state.db.close();
  }
}

self.addEventListener("sync", (event) => {
  if (event.tag !== "fpa-field-sync") return;
  event.waitUntil(syncOnOwn());
});

/* Starting the app: the shell /field/ comes from the precache whatever the request's headers
   (the page answers with "Vary: Cookie, Accept-Language", which would make a navigation miss the
   copy Workbox fetched at install); the network only when it is not there. Registered before
   Workbox's routes, so it answers first. */
self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.mode !== "navigate" || request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname !== "/field/") return;
  event.respondWith(
    caches
      .match("/field/", { ignoreSearch: true, ignoreVary: true })
      .then((cached) => cached || fetch(request))
  );
});
