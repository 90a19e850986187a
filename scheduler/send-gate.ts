import type { Redis } from 'ioredis';

/** A platform's sending limits, enforced across every process that shares the Redis. */
export type SendLimit = {
  /** At most `windowMax` sends in any sliding `windowMs` (a little over a second leaves room for jitter). */
  windowMax: number;
  windowMs: number;
  /** Minimum spacing of two sends to the same chat; 0 for none. */
  perChatMs: number;
};

/**
 * The last check before a platform call, in one Lua script so it is atomic across processes and uses Redis's
 * clock (no skew between machines): a pause after a 429 holds everyone back, a sliding window keeps any
 * second under the platform's cap, and a per-chat key spaces the parts of a long message. Returns 0 when the
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
local windowMs = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - windowMs)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + windowMs - now + 1)
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], windowMs)
if perChat > 0 then redis.call('SET', KEYS[3], '1', 'PX', perChat) end
return 0
`;

type GateRedis = Redis & {
  sendGate(window: string, pause: string, chat: string, ...args: Array<string | number>): Promise<number>;
};

export class SendGate {
  private readonly redis: GateRedis;
  private sequence = 0;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand('sendGate', { numberOfKeys: 3, lua: GATE_LUA });
    this.redis = redis as GateRedis;
  }

  /** 0: send now (the send is counted); otherwise the milliseconds to wait before asking again. */
  async acquire(channel: string, chatKey: string | number, limit: SendLimit): Promise<number> {
    const member = `${process.pid}-${Date.now()}-${this.sequence++}-${Math.random()}`;
    return this.redis.sendGate(
      this.key(channel, 'window'),
      this.key(channel, 'pause'),
      this.key(channel, `chat-${chatKey}`),
      limit.windowMax,
      limit.windowMs,
      limit.perChatMs,
      member,
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
