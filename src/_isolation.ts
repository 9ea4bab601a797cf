/**
 * The browser entry's first import: a page that is not cross-origin isolated has no
 * `SharedArrayBuffer`, and without one no atomic can exist. Evaluated before any other module of
 * the entry (ES modules run their imports in order), so such a page gets one clear error at import,
 * naming the two headers that fix it, instead of a `ReferenceError` from deep inside the library.
 *
 * @module
 */

/** Throws an `Error` naming COOP and COEP when this realm has no `SharedArrayBuffer`. */
export function requireCrossOriginIsolation(scope: {
  SharedArrayBuffer?: unknown;
  crossOriginIsolated?: boolean;
}): void {
  if (typeof scope.SharedArrayBuffer === "function") return;
  const isolated = scope.crossOriginIsolated === undefined
    ? ""
    : ` (crossOriginIsolated is ${scope.crossOriginIsolated})`;
  throw new Error(
    `atomicx: this page is not cross-origin isolated${isolated}, so the browser gives it no ` +
      "SharedArrayBuffer, which every atomic lives in. Serve the page and its Workers with the " +
      'headers "Cross-Origin-Opener-Policy: same-origin" and "Cross-Origin-Embedder-Policy: ' +
      'require-corp" (COOP and COEP); every script, Worker and resource the page loads must then be ' +
      "same-origin or allow it (CORS or Cross-Origin-Resource-Policy).",
  );
}

requireCrossOriginIsolation(globalThis);
