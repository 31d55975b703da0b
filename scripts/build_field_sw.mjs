// Build the field app's service worker from the npm package workbox-build (run by `make assets`).
//
// Writes fpa/static/vendor/field/sw.js (ignored by git, like the other vendor files): Workbox's
// runtime inlined (nothing loaded from elsewhere), precaching the app shell /field/, its manifest,
// script, stylesheet and icons and Bootstrap's stylesheet, under their unhashed /static/ addresses
// with a revision from their content. The shell's revision hashes the template, the app's files
// and the English catalogue, so any change to them gives a new service worker: the browser
// installs it beside the running one, the app announces it, and it takes over on the next start
// (no skipWaiting). fpa/static/fpa/field/sw-field.js adds Background Sync (through core.js, shared with the
// app's page) and the offline start of the shell.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateSW } from "workbox-build";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

function revision(paths) {
  const hash = createHash("sha256");
  for (const path of paths) {
    const file = join(ROOT, path);
    hash.update(path);
    if (existsSync(file)) hash.update(readFileSync(file));
  }
  return hash.digest("hex").slice(0, 16);
}

const shellFiles = [
  "fpa/templates/field/app.html",
  "fpa/field/app.py",
  "fpa/static/fpa/field/app.js",
  "fpa/static/fpa/field/core.js",
  "fpa/static/fpa/field/field.css",
  "locale/en/LC_MESSAGES/django.po",
];

const swDest = join(ROOT, "fpa/static/vendor/field/sw.js");
const { count, size, warnings } = await generateSW({
  swDest,
  globDirectory: join(ROOT, "fpa/static"),
  globPatterns: [
    "fpa/field/*.{js,css,png}",
    "vendor/bootstrap/bootstrap.min.css",
  ],
  globIgnores: ["fpa/field/sw-field.js"],
  modifyURLPrefix: { "": "/static/" },
  additionalManifestEntries: [
    { url: "/field/", revision: revision(shellFiles) },
    { url: "/field/manifest.webmanifest", revision: revision(["fpa/field/app.py", "locale/en/LC_MESSAGES/django.po"]) },
  ],
  importScripts: [
    "/static/fpa/field/core.js?v=" + revision(["fpa/static/fpa/field/core.js"]),
    "/static/fpa/field/sw-field.js?v=" + revision(["fpa/static/fpa/field/sw-field.js"]),
  ],
  ignoreURLParametersMatching: [/.*/],
  navigateFallback: null,
  cacheId: "fpa-field",
  inlineWorkboxRuntime: true,
  sourcemap: false,
  mode: "production",
  skipWaiting: false,
  clientsClaim: false,
  cleanupOutdatedCaches: true,
});
// Workbox's development hints name a web address (a short link in a console message); the app
// names none outside its own server.
writeFileSync(swDest, readFileSync(swDest, "utf8").replace(/https?:\/\/[^\s`'"]+/g, "(workbox docs)"));
for (const warning of warnings) console.warn(warning);
console.log(`Built the field service worker: ${count} files precached, ${size} bytes`);
