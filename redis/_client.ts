/**
 * The Redis clients atomicx/redis speaks through, as one table: how to send a raw command, whether
 * an error is the server's own answer, whether the connection is up, how to name it in an error,
 * and how to open a subscriber connection. Everything else in this folder sees only
 * {@link Connection}.
 *
 * @module
 */

import { describe } from "../src/_errors.ts";

/** A reply of a raw command: what every client returns for RESP2 replies. */
export type Reply = null | number | string | Reply[];

/** What a subscriber calls per message: the channel and the message. */
export type OnMessage = (channel: string, message: string) => void;

/** A subscriber connection: messages of the channels it subscribed to go to its listener. */
export interface Subscriber {
  /** Subscribes to `channel` (resolves once the server confirmed it). */
  subscribe(channel: string): Promise<void>;
  /** Closes the subscriber's own connection. */
  close(): Promise<void>;
}

/** The user's client, seen through its adapter. */
export interface Connection {
  /** Which client it is: a name of {@link CLIENTS}. */
  readonly client: string;
  /** Sends one command; resolves with its reply or rejects with the server's error. */
  send(args: readonly (string | number)[]): Promise<Reply>;
  /**
   * True if `error` is the server's answer (an error reply: the command ran, or was refused, as a
   * whole); false if it came from the connection (the command may or may not have run).
   */
  isReply(error: unknown): boolean;
  /** Whether the client says it is connected and ready. */
  ready(): boolean;
  /** Where it connects to, for error messages: `redis://127.0.0.1:6379`. */
  readonly where: string;
  /** A new connection of the same client in subscriber mode, calling `onMessage` per message. */
  subscriber(onMessage: OnMessage): Promise<Subscriber>;
}

// deno-lint-ignore no-explicit-any -- the clients are the user's: their types are not ours to import
type AnyClient = any;

interface Adapter {
  readonly name: string;
  matches(client: AnyClient): boolean;
  send(client: AnyClient, args: string[]): Promise<Reply>;
  isReply(error: AnyClient): boolean;
  ready(client: AnyClient): boolean;
  where(client: AnyClient): string;
  subscriber(client: AnyClient, onMessage: OnMessage): Promise<Subscriber>;
}

const url = (host: unknown, port: unknown) => `redis://${host ?? "127.0.0.1"}:${port ?? 6379}`;

/** The key a command routes by on a cluster: a script's first key, else the first argument. */
function firstKey(args: string[]): string | undefined {
  const command = args[0].toUpperCase();
  if (command === "EVAL" || command === "EVALSHA") return Number(args[2]) > 0 ? args[3] : undefined;
  return args[1];
}

/** node-redis: an `ErrorReply` (its subclasses `SimpleError`, `BlobError`) is the server's. */
function isErrorReply(error: AnyClient): boolean {
  for (let p = error; p !== null && typeof p === "object"; p = Object.getPrototypeOf(p)) {
    if (p.constructor?.name === "ErrorReply") return true;
  }
  return false;
}

/** node-redis's subscriber: a duplicate connection (of a client or of a cluster). */
async function nodeRedisSubscriber(c: AnyClient, onMessage: OnMessage) {
  const sub = c.duplicate();
  sub.on("error", () => {}); // it reconnects by itself; errors reach the commands that fail
  await sub.connect();
  return {
    subscribe: (channel: string) =>
      sub.subscribe(channel, (m: string, ch: string) => onMessage(ch, String(m))),
    close: () => Promise.resolve(sub.isOpen && sub.destroy()).then(() => {}),
  };
}

/** ioredis's (and iovalkey's) subscriber: a duplicate of a `Redis` or a `Cluster`. */
async function ioredisSubscriber(c: AnyClient, onMessage: OnMessage) {
  const sub = c.duplicate();
  sub.on("error", () => {});
  sub.on("message", (channel: string, m: string) => onMessage(channel, String(m)));
  if (sub.status === "wait") await sub.connect();
  return {
    subscribe: async (channel: string) => void await sub.subscribe(channel),
    close: () => Promise.resolve(sub.disconnect()).then(() => {}),
  };
}

/**
 * The supported clients: node-redis ≥ 5 (npm `redis`: `createClient` and `createCluster`),
 * ioredis ≥ 5 and iovalkey (`Redis` and `Cluster`), and Bun's built-in `RedisClient`. The only
 * place that knows any of them.
 */
const ADAPTERS: readonly Adapter[] = [
  {
    name: "node-redis",
    matches: (c) => typeof c.sendCommand === "function" && typeof c.isReady === "boolean",
    send: (c, args) => c.sendCommand(args),
    isReply: isErrorReply,
    ready: (c) => c.isReady === true,
    where: (c) => c.options?.url ?? url(c.options?.socket?.host, c.options?.socket?.port),
    subscriber: nodeRedisSubscriber,
  },
  {
    name: "node-redis cluster",
    matches: (c) => typeof c.sendCommand === "function" && typeof c.getSlotMaster === "function",
    send: (c, args) => c.sendCommand(firstKey(args), false, args),
    isReply: isErrorReply,
    ready: (c) => c.isOpen === true,
    where: (c) => {
      const node = c.options?.rootNodes?.[0];
      return `cluster ${node?.url ?? url(node?.socket?.host, node?.socket?.port)}`;
    },
    subscriber: nodeRedisSubscriber,
  },
  {
    name: "ioredis cluster",
    matches: (c) => typeof c.call === "function" && typeof c.status === "string" && c.isCluster,
    send: (c, args) => c.call(args[0], ...args.slice(1)),
    isReply: (e) => e?.name === "ReplyError",
    ready: (c) => c.status === "ready",
    where: (c) => {
      const node = c.startupNodes?.[0];
      return `cluster ${typeof node === "string" ? node : url(node?.host, node?.port)}`;
    },
    subscriber: ioredisSubscriber,
  },
  {
    name: "ioredis",
    matches: (c) => typeof c.call === "function" && typeof c.status === "string",
    send: (c, args) => c.call(args[0], ...args.slice(1)),
    isReply: (e) => e?.name === "ReplyError",
    ready: (c) => c.status === "ready",
    where: (c) => c.options?.path ?? url(c.options?.host, c.options?.port),
    subscriber: ioredisSubscriber,
  },
  {
    name: "bun",
    matches: (c) => typeof c.send === "function" && typeof c.connected === "boolean",
    send: (c, args) => c.send(args[0], args.slice(1)),
    isReply: (e) => e?.code === "ERR_REDIS_SERVER_ERROR",
    ready: (c) => c.connected === true,
    where: () => "Bun's RedisClient",
    async subscriber(c, onMessage) {
      const sub = await c.duplicate();
      return {
        subscribe: async (channel) =>
          void await sub.subscribe(channel, (m: string, ch: string) => onMessage(ch, String(m))),
        close: () => Promise.resolve(sub.close()).then(() => {}),
      };
    },
  },
];

/** The names of the supported clients, in the table's order. */
export const CLIENTS: readonly string[] = ADAPTERS.map((a) => a.name);

/**
 * The user's client behind one interface.
 *
 * @throws {TypeError} if `client` is none of the supported clients
 */
export function connect(where: string, client: unknown): Connection {
  const adapter = typeof client === "object" && client !== null
    ? ADAPTERS.find((a) => a.matches(client))
    : undefined;
  if (adapter === undefined) {
    throw new TypeError(
      `${where}: expected a node-redis (npm "redis" ≥ 5, createClient or createCluster), ` +
        `ioredis (≥ 5) or iovalkey (Redis or Cluster), or Bun's RedisClient, got ` +
        describe(client),
    );
  }
  return {
    client: adapter.name,
    send: (args) => adapter.send(client, args.map(String)),
    isReply: (error) => adapter.isReply(error),
    ready: () => adapter.ready(client),
    get where() {
      return String(adapter.where(client));
    },
    subscriber: (onMessage) => adapter.subscriber(client, onMessage),
  };
}
