/**
 * The two Redis clients atomicx/redis speaks through, as one table: how to send a raw command,
 * whether the connection is up, how to name it in an error, and how to open a subscriber
 * connection. Everything else in this folder sees only {@link Connection}.
 *
 * @module
 */

import { describe } from "../src/_errors.ts";

/** A reply of a raw command: what both clients return for RESP2 replies. */
export type Reply = null | number | string | Reply[];

/** A subscriber connection: messages of the channels it subscribed to go to its listener. */
export interface Subscriber {
  /** Subscribes to `channel` (resolves once the server confirmed it). */
  subscribe(channel: string): Promise<void>;
  /** Closes the subscriber's own connection. */
  close(): Promise<void>;
}

/** The user's client, seen through its adapter. */
export interface Connection {
  /** Which client it is: `"node-redis"` or `"ioredis"`. */
  readonly client: string;
  /** Sends one command; resolves with its reply or rejects with the server's error. */
  send(args: readonly (string | number)[]): Promise<Reply>;
  /** Whether the client says it is connected and ready. */
  ready(): boolean;
  /** Where it connects to, for error messages: `redis://127.0.0.1:6379`. */
  readonly where: string;
  /** A new connection of the same client in subscriber mode, calling `onMessage` per message. */
  subscriber(onMessage: (channel: string) => void): Promise<Subscriber>;
}

// deno-lint-ignore no-explicit-any -- the clients are the user's: their types are not ours to import
type AnyClient = any;

interface Adapter {
  readonly name: string;
  matches(client: AnyClient): boolean;
  send(client: AnyClient, args: string[]): Promise<Reply>;
  ready(client: AnyClient): boolean;
  where(client: AnyClient): string;
  subscriber(client: AnyClient, onMessage: (channel: string) => void): Promise<Subscriber>;
}

const url = (host: unknown, port: unknown) => `redis://${host ?? "127.0.0.1"}:${port ?? 6379}`;

/** node-redis ≥ 5 (npm `redis`) and ioredis ≥ 5: the only places that know either client. */
const ADAPTERS: readonly Adapter[] = [
  {
    name: "node-redis",
    matches: (c) => typeof c.sendCommand === "function" && typeof c.isReady === "boolean",
    send: (c, args) => c.sendCommand(args),
    ready: (c) => c.isReady === true,
    where: (c) => c.options?.url ?? url(c.options?.socket?.host, c.options?.socket?.port),
    async subscriber(c, onMessage) {
      const sub = c.duplicate();
      sub.on("error", () => {}); // it reconnects by itself; errors reach the commands that fail
      await sub.connect();
      return {
        subscribe: (channel) => sub.subscribe(channel, (_m: string, ch: string) => onMessage(ch)),
        close: () => Promise.resolve(sub.isOpen && sub.destroy()).then(() => {}),
      };
    },
  },
  {
    name: "ioredis",
    matches: (c) => typeof c.call === "function" && typeof c.status === "string",
    send: (c, args) => c.call(args[0], ...args.slice(1)),
    ready: (c) => c.status === "ready",
    where: (c) => c.options?.path ?? url(c.options?.host, c.options?.port),
    async subscriber(c, onMessage) {
      const sub = c.duplicate();
      sub.on("error", () => {});
      sub.on("message", (channel: string) => onMessage(channel));
      if (sub.status === "wait") await sub.connect();
      return {
        subscribe: async (channel) => void await sub.subscribe(channel),
        close: () => Promise.resolve(sub.disconnect()).then(() => {}),
      };
    },
  },
];

/**
 * The user's client behind one interface.
 *
 * @throws {TypeError} if `client` is neither a node-redis nor an ioredis client
 */
export function connect(where: string, client: unknown): Connection {
  const adapter = typeof client === "object" && client !== null
    ? ADAPTERS.find((a) => a.matches(client))
    : undefined;
  if (adapter === undefined) {
    throw new TypeError(
      `${where}: expected a node-redis (npm "redis" ≥ 5) or ioredis (≥ 5) client, got ` +
        describe(client),
    );
  }
  return {
    client: adapter.name,
    send: (args) => adapter.send(client, args.map(String)),
    ready: () => adapter.ready(client),
    get where() {
      return String(adapter.where(client));
    },
    subscriber: (onMessage) => adapter.subscriber(client, onMessage),
  };
}
