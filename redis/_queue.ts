/**
 * The waiting line of a lock or semaphore, in Lua for their acquire scripts: waiters are served in
 * order of arrival. A waiter whose try failed joins the line with a ticket (`INCR` of the
 * object's ticket counter: a sorted set scored by ticket); only the waiter at the head (or anyone,
 * when the line is empty) may take the object. A waiter renews its place with every try — at
 * least every {@link QUEUE_REFRESH_MS} — and a place not renewed for {@link QUEUE_TTL_MS} is
 * dropped when it reaches the head (a waiter that died holds the line up that long at most). A
 * waiter that gives up leaves at once.
 *
 * Keys: `line` the sorted set, `alive` a hash waiter → until when its place holds (server ms) and
 * the lease it asks for (`"<until> <leaseMs>"`: a release may hand it the lock), `tickets` the
 * counter; all three expire when nobody has waited for QUEUE_TTL_MS.
 *
 * @module
 */

/** How long a waiter's place holds without a try (server ms). */
export const QUEUE_TTL_MS = 3_000;
/** How often a waiter tries at least, to keep its place. */
export const QUEUE_REFRESH_MS = 1_000;

/**
 * Lua: `lineHead(line, alive, now)` drops dead waiters from the head and returns the head's id
 * (nil when the line is empty) and the lease it asks for; `lineJoin(line, alive, tickets, id, now,
 * leaseMs)` joins (or renews a place); `lineLeave(line, alive, id)` leaves.
 */
export const LINE = `
local function lineHead(line, alive, now)
  while true do
    local head = redis.call('ZRANGE', line, 0, 0)[1]
    if not head then return nil end
    local keep, lease = string.match(redis.call('HGET', alive, head) or '0 0', '^(%d+) (%d+)$')
    if tonumber(keep or '0') >= now then return head, lease end
    redis.call('ZREM', line, head)
    redis.call('HDEL', alive, head)
  end
end
local function lineJoin(line, alive, tickets, id, now, lease)
  if not redis.call('ZSCORE', line, id) then
    redis.call('ZADD', line, redis.call('INCR', tickets), id)
  end
  redis.call('HSET', alive, id, string.format('%.0f %d', now + ${QUEUE_TTL_MS}, lease))
  for _, k in ipairs({line, alive, tickets}) do redis.call('PEXPIRE', k, ${QUEUE_TTL_MS}) end
end
local function lineLeave(line, alive, id)
  redis.call('ZREM', line, id)
  redis.call('HDEL', alive, id)
end
`;
