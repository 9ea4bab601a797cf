/**
 * A GET on 127.0.0.1 for the cluster examples (and their tests): status, body and the pid of the
 * worker that answered (its `x-worker-pid` header).
 *
 * @module
 */

import http from "node:http";

/** What a GET answered. */
export interface Answer {
  readonly status: number;
  readonly body: string;
  /** The answering worker's `x-worker-pid` header. */
  readonly pid: string;
}

/**
 * GETs `path` from 127.0.0.1:`port` through `agent` (`false`: a fresh connection).
 *
 * @example
 * ```ts
 * import { httpGet } from "./http_get.ts";
 *
 * const { status, body, pid } = await httpGet(8080, "/metrics", false);
 * ```
 */
export function httpGet(port: number, path: string, agent: http.Agent | false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http.get({ host: "127.0.0.1", port, path, agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (body += chunk));
      res.on(
        "end",
        () => resolve({ status: res.statusCode!, body, pid: String(res.headers["x-worker-pid"]) }),
      );
    }).on("error", reject);
  });
}
