import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** BullMQ needs `maxRetriesPerRequest: null` on worker connections, or blocking commands fail under load. */
export function createRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
}

/**
 * BullMQ keeps jobs as ordinary keys: with any eviction policy other than `noeviction`, Redis under memory
 * pressure silently deletes scheduled reminders. We cannot fix that from here, so we say it loudly.
 */
export async function checkEvictionPolicy(redis: Redis, logger: Logger): Promise<string | undefined> {
  try {
    const reply = (await redis.call('CONFIG', 'GET', 'maxmemory-policy')) as string[];
    const policy = reply[1];
    if (policy !== 'noeviction') {
      logger.error(
        { policy },
        '!!! Redis maxmemory-policy is "%s", not "noeviction": Redis may silently drop scheduled jobs. ' +
          'Set `maxmemory-policy noeviction` in redis.conf (or CONFIG SET). Reminders are reconciled from the ' +
          'database at start-up, but jobs dropped while running are lost until the next restart.',
        policy,
      );
    }
    return policy;
  } catch (error) {
    // Managed Redis services often disable CONFIG; we cannot check, so we ask the operator to.
    logger.warn({ err: error }, 'could not read Redis maxmemory-policy; make sure it is "noeviction"');
    return undefined;
  }
}
