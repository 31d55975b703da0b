/* The field app's own service-worker code: Background Sync, and starting from the precache.

   Background Sync for the field app (imported by the service worker that scripts/build_field_sw.mjs
   builds). The queue is encrypted with a key only the app's pages use, so the service worker does
   not send it itself: when the browser fires the sync (the network is back), it asks the open
   app windows to sync; with none open, the sync waits for the app's next start. */
self.addEventListener("sync", (event) => {
  if (event.tag !== "fpa-field-sync") return;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((clients) => {
      for (const client of clients) client.postMessage({ type: "fpa-field-sync" });
    })
  );
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
