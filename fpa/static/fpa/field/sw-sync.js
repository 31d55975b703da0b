/* Background Sync for the field app (imported by the service worker that scripts/build_field_sw.mjs
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
