import type { Redis } from 'ioredis';

/** A platform's sending limits, enforced across every process that shares the Redis. */
export type SendLimit = {
  /** At most `windowMax` sends in any sliding `windowMs` (a little over a second leaves room for jitter). */
  windowMax: number;
  windowMs: number;
  /** Minimum spacing of any two sends of the channel: spreads the window's sends instead of a burst. */
  minGapMs: number;
  /** Minimum spacing of two sends to the same chat; 0 for none. */
  perChatMs: number;
};

/**
 * The last check before a platform call, in one Lua script so it is atomic across processes and uses Redis's
 * clock (no skew between machines): a pause after a 429 holds everyone back, a per-chat key spaces the parts
 * of a long message, a minimum gap spreads sends out, and a sliding window keeps any second under the
 * platform's cap. The window is a little longer than a second: a request's way from here to the platform
 * varies by some milliseconds, and the platform counts arrivals, not our departures. Returns 0 when the
 * send may go now (and records it), otherwise how many milliseconds to wait.
 */
const GATE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return paused end
local perChat = tonumber(ARGV[3])
if perChat > 0 then
  local chatWait = redis.call('PTTL', KEYS[3])
  if chatWait > 0 then return chatWait end
end
local minGap = tonumber(ARGV[5])
local last = tonumber(redis.call('GET', KEYS[4]) or '0')
if now - last < minGap then return minGap - (now - last) end
local windowMs = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - windowMs)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + windowMs - now + 1)
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], windowMs)
redis.call('SET', KEYS[4], now, 'PX', windowMs)
if perChat > 0 then redis.call('SET', KEYS[3], '1', 'PX', perChat) end
return 0
`;

type GateRedis = Redis & {
  sendGate(
    window: string,
    pause: string,
    chat: string,
    last: string,
    ...args: Array<string | number>
  ): Promise<number>;
};

export class SendGate {
  private readonly redis: GateRedis;
  private sequence = 0;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand('sendGate', { numberOfKeys: 4, lua: GATE_LUA });
    this.redis = redis as GateRedis;
  }

  /** 0: send now (the send is counted); otherwise the milliseconds to wait before asking again. */
  async acquire(channel: string, chatKey: string | number, limit: SendLimit): Promise<number> {
    const member = `${process.pid}-${Date.now()}-${this.sequence++}-${Math.random()}`;
    return this.redis.sendGate(
      this.key(channel, 'window'),
      this.key(channel, 'pause'),
      this.key(channel, `chat-${chatKey}`),
      this.key(channel, 'last'),
      limit.windowMax,
      limit.windowMs,
      limit.perChatMs,
      member,
      limit.minGapMs,
    );
  }

  /** Holds every sender of the channel back for `ms` (the platform's retry_after). */
  async pause(channel: string, ms: number): Promise<void> {
    await this.redis.set(this.key(channel, 'pause'), '1', 'PX', Math.max(1, Math.ceil(ms)));
  }

  private key(channel: string, what: string): string {
    return `${this.prefix}:send-gate:${channel}:${what}`;
  }
}
