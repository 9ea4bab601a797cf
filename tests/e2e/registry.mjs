// A tiny npm registry on 127.0.0.1 for the `@atomicx` scope only, so that installing the atomicx
// tarball resolves its optional platform packages the way it will from the real registry. It
// serves a packument for every platform package of the platform table (the package.json files the
// build generates, with their os, cpu and libc fields) but a tarball only for those packed here,
// and records which tarballs were fetched.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { basename } from "node:path";

/**
 * Starts the registry. `manifests` are the platform packages' package.json objects; `tarballs`
 * maps a package name to its packed tarball. Resolves to
 * `{ url, fetched, requested, close }`.
 */
export function startRegistry(manifests, tarballs) {
  const fetched = [];
  const requested = [];
  const files = new Map(); // URL path of a tarball -> file
  let url = "";
  const packument = (manifest) => {
    const tarball = tarballs[manifest.name];
    const dist = {
      tarball: `${url}${manifest.name}/-/${basename(manifest.name)}-${manifest.version}.tgz`,
    };
    if (tarball) {
      const bytes = readFileSync(tarball);
      dist.shasum = createHash("sha1").update(bytes).digest("hex");
      dist.integrity = "sha512-" + createHash("sha512").update(bytes).digest("base64");
      files.set(new URL(dist.tarball).pathname, tarball);
    } else {
      dist.shasum = "0".repeat(40); // never fetched: npm skips a package for another platform
    }
    return {
      name: manifest.name,
      "dist-tags": { latest: manifest.version },
      versions: { [manifest.version]: { ...manifest, dist } },
    };
  };
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url, "http://x").pathname);
    requested.push(path);
    if (files.has(path)) {
      fetched.push(path);
      response.writeHead(200, { "content-type": "application/octet-stream" });
      response.end(readFileSync(files.get(path)));
      return;
    }
    const manifest = manifests.find((m) => `/${m.name}` === path);
    if (manifest) {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(packument(manifest)));
      return;
    }
    response.writeHead(404, { "content-type": "application/json" });
    response.end('{"error":"not found"}');
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      url = `http://127.0.0.1:${server.address().port}/`;
      for (const manifest of manifests) packument(manifest); // registers the tarball paths
      resolve({ url, fetched, requested, close: () => new Promise((done) => server.close(done)) });
    });
  });
}
