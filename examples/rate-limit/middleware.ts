/**
 * Request middleware around a `RegionRateLimiter` (`region.rateLimiter(...)`): one for `node:http`
 * request listeners (Node, and Bun's `node:http`), one for fetch handlers (`Deno.serve`,
 * `Bun.serve`). An allowed request goes on to the handler with `RateLimit-Limit` and
 * `RateLimit-Remaining` headers; a refused one gets 429 with `Retry-After` (whole seconds).
 *
 * @module
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import type { RateDecision, RegionRateLimiter } from "../../mod.ts";

/**
 * The response headers of a decision.
 *
 * @example
 * ```ts
 * const headers = rateLimitHeaders(limiter, limiter.take("203.0.113.7"));
 * ```
 */
export function rateLimitHeaders(
  limiter: RegionRateLimiter,
  decision: RateDecision,
): Record<string, string> {
  const headers: Record<string, string> = {
    "ratelimit-limit": String(limiter.limit),
    "ratelimit-remaining": String(decision.remaining),
  };
  if (!decision.allowed) headers["retry-after"] = String(Math.ceil(decision.retryAfterMs / 1000));
  return headers;
}

/**
 * Wraps a `node:http` request listener: `keyOf(request)` names the client (default: the peer's
 * address; behind a proxy, the address your proxy reports — trust `X-Forwarded-For` only from it).
 *
 * @example
 * ```ts
 * http.createServer(limitNodeHttp(limiter, (req, res) => res.end("ok\n"))).listen(8080);
 * ```
 */
export function limitNodeHttp(
  limiter: RegionRateLimiter,
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  keyOf: (req: IncomingMessage) => string = (req) => req.socket.remoteAddress ?? "unknown",
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const decision = limiter.take(keyOf(req));
    for (const [name, value] of Object.entries(rateLimitHeaders(limiter, decision))) {
      res.setHeader(name, value);
    }
    if (decision.allowed) return listener(req, res);
    res.statusCode = 429;
    res.end("too many requests\n");
  };
}

/**
 * Wraps a fetch handler (`Deno.serve`, `Bun.serve`): `keyOf` gets the handler's arguments and
 * names the client — on Deno `(req, info) => info.remoteAddr.hostname`, on Bun
 * `(req, server) => server.requestIP(req)?.address ?? "unknown"`.
 *
 * @example
 * ```ts
 * Deno.serve(limitFetch(limiter, () => new Response("ok\n"), (_, info) => info.remoteAddr.hostname));
 * ```
 */
export function limitFetch<A extends unknown[]>(
  limiter: RegionRateLimiter,
  handler: (req: Request, ...rest: A) => Response | Promise<Response>,
  keyOf: (req: Request, ...rest: A) => string,
): (req: Request, ...rest: A) => Promise<Response> {
  return async (req, ...rest) => {
    const decision = limiter.take(keyOf(req, ...rest));
    const headers = rateLimitHeaders(limiter, decision);
    if (!decision.allowed) return new Response("too many requests\n", { status: 429, headers });
    const response = await handler(req, ...rest);
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    return response;
  };
}
