// Samverka's service worker: the app opens without network once it has been visited.
//
// The server fills in BUILD (a hash of this build's files, so every build gets its own cache
// and old ones are deleted), ASSETS (every file of the build: the wasm, its split chunks, JS,
// CSS, icons), EAGER (what install fetches: the app's core and the code of the offline pages
// and the sync engine — the rest of ASSETS is kept the first time a page uses it) and PAGES
// (the pages a volunteer needs on the move, fetched at install so they open offline even if
// not visited yet; see server/src/service_worker.rs). Pages are fetched from the network first
// and kept for when there is none; the sync API is never cached — the app's own outbox handles
// being offline. Query strings are ignored when matching (/erbjudanden/andra?id=…).
const BUILD = "__SAMVERKA_BUILD__";
const ASSETS = __SAMVERKA_ASSETS__;
const EAGER = __SAMVERKA_EAGER__;
const PAGES = __SAMVERKA_PAGES__;
const CACHE = `samverka-${BUILD}`;
// On a weak signal, wait this long for the network before showing the cached page.
const NETWORK_WAIT_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // The files this visit loaded come from the browser's HTTP cache (hashed names, kept
      // for a year): only the offline pages' code not yet seen crosses the network.
      await cache.addAll(EAGER);
      // Pages are best effort: one that fails (signed out, say) must not stop the install.
      await Promise.all(
        PAGES.map(async (page) => {
          try {
            const response = await fetch(page, { credentials: "same-origin" });
            if (response.ok && !response.redirected) await cache.put(page, response);
          } catch (_) {}
        }),
      );
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("samverka-") && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

async function fromNetworkThenCache(request) {
  const cache = await caches.open(CACHE);
  const url = new URL(request.url);
  const network = fetch(request).then(async (response) => {
    if (response.ok && !response.redirected && response.type === "basic") {
      await cache.put(url.pathname, response.clone());
    }
    return response;
  });
  const timeout = new Promise((resolve) => setTimeout(resolve, NETWORK_WAIT_MS));
  try {
    const response = await Promise.race([network, timeout]);
    if (response) return response;
  } catch (_) {}
  const cached = await cache.match(url.pathname, { ignoreSearch: true });
  if (cached) return cached;
  // Nothing cached for this page: wait for the network after all (its error if none).
  return network;
}

async function fromCacheThenNetwork(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === "basic") await cache.put(request, response.clone());
  return response;
}

// Signing out (the app posts "signed-out"): forget every kept page — they show the person's
// name and data — and keep the app's own files, which hold nobody's.
self.addEventListener("message", (event) => {
  if (event.data !== "signed-out") return;
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      for (const request of await cache.keys()) {
        if (!ASSETS.includes(new URL(request.url).pathname)) await cache.delete(request);
      }
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname === "/sw.js") return;
  if (request.mode === "navigate") {
    event.respondWith(fromNetworkThenCache(request));
  } else if (url.pathname.startsWith("/pkg/") || url.pathname.startsWith("/icons/") || ASSETS.includes(url.pathname)) {
    event.respondWith(fromCacheThenNetwork(request));
  }
});
