import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../bot/app.ts';
import { loadEnv } from '../../config/env.ts';
import { pendingOutboundCount } from '../support/delivery.ts';
import { FakeTelegram } from '../support/fake-telegram.ts';
import { BARNAUL, BELOVO, silentLogger } from '../support/fixtures.ts';
import { REDIS_URL, uniquePrefix, waitFor } from '../support/redis.ts';

type Harness = { fake: FakeTelegram; service: Service; set(local: string): void };
const open: Harness[] = [];

afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.service.close();
    await h.fake.close();
  }
});

/** The real service (grammY polling, delivery, outreach scheduler on real Redis) with a controlled clock. */
async function start(config: string, zone: string, first: string): Promise<Harness> {
  const fake = await FakeTelegram.start({ maxLongPollSeconds: 1 });
  const clock = { now: DateTime.fromISO(first, { zone }).toJSDate() };
  const env = loadEnv({
    DATA_DIR: ':memory:',
    LOG_LEVEL: 'silent',
    CENTER_CONFIG: config,
    REDIS_URL,
    QUEUE_PREFIX: uniquePrefix(),
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.apiRoot,
    TELEGRAM_MODE: 'polling',
  });
  const service = await createService(env, silentLogger, { clock: () => clock.now });
  const h = {
    fake,
    service,
    set(local: string) {
      clock.now = DateTime.fromISO(local, { zone }).toJSDate();
    },
  };
  open.push(h);
  return h;
}

/** A parent in a private Telegram chat. */
class Parent {
  constructor(
    private readonly h: Harness,
    readonly chatId: number,
  ) {
    h.fake.setChat({ id: chatId, type: 'private', first_name: 'Мария' });
  }

  sent() {
    return this.h.fake.sent().filter((payload) => String(payload.chat_id) === String(this.chatId));
  }

  texts(): string[] {
    return this.sent().map((p) => String(p.text ?? ''));
  }

  count(fragment: string): number {
    return this.texts().filter((text) => text.includes(fragment)).length;
  }

  async delivered(): Promise<boolean> {
    return (await pendingOutboundCount(this.h.service.db, 'telegram', String(this.chatId))) === 0;
  }

  async send(update: Parameters<FakeTelegram['pushUpdate']>[0]): Promise<void> {
    const before = this.sent().length;
    this.h.fake.pushUpdate(update);
    await waitFor(async () => this.sent().length > before && (await this.delivered()), 15_000, 20);
  }

  command(text: string) {
    return this.send(this.h.fake.commandUpdate(this.chatId, text));
  }

  /** Taps the newest inline button whose label contains `label`. */
  tap(label: string) {
    const button = [...this.sent()]
      .reverse()
      .flatMap((p) => p.reply_markup?.inline_keyboard?.flat() ?? [])
      .find((b: { text: string }) => b.text.includes(label));
    expect(button, `button "${label}"`).toBeDefined();
    return this.send(this.h.fake.callbackUpdate(this.chatId, button.callback_data));
  }

  /** Waits until a message with the fragment has been delivered `times` times. */
  async receives(fragment: string, times = 1): Promise<void> {
    await waitFor(async () => this.count(fragment) >= times && (await this.delivered()), 15_000, 20);
  }
}

describe('outreach reminders in Telegram (fake Bot API, real Redis, controlled clock)', {
  timeout: 120_000,
}, () => {
  it('Бачатский, biweekly Friday: day before, morning, none twice, none at night, unsubscribe', async () => {
    const h = await start(BELOVO, 'Asia/Novokuznetsk', '2026-11-16T12:00');
    const outreach = h.service.outreach;
    if (!outreach) throw new Error('no outreach scheduler with REDIS_URL');
    const parent = new Parent(h, 7001);
    await parent.command('/start');
    await parent.tap('График выездов');
    await parent.tap('Бачатский');
    expect(parent.texts().at(-1)).toContain('пт, 20.11 — пгт Бачатский');
    await parent.tap('Напоминать');
    expect(parent.texts().at(-1)).toContain('Буду напоминать');
    for (const payload of parent.sent()) {
      for (const b of payload.reply_markup?.inline_keyboard?.flat() ?? []) {
        expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);
      }
    }

    h.set('2026-11-19T18:00');
    await outreach.trigger();
    await parent.receives('завтра, пт, 20.11');
    const reminder = parent.sent().find((p) => String(p.text).includes('завтра, пт, 20.11'));
    expect(reminder?.text).toContain('📍 пгт Бачатский, ул. 50 лет Октября, 30 — 09:00–15:30');
    expect(reminder?.text).toContain('Телефон центра: +7 (38452) 3-06-56');
    await outreach.trigger();
    expect((await outreach.runNow()).sent).toBe(0);

    h.set('2026-11-20T08:00');
    await outreach.trigger();
    await parent.receives('Сегодня, пт, 20.11');
    expect((await outreach.runNow()).sent).toBe(0);
    expect(parent.count('завтра, пт, 20.11')).toBe(1);
    expect(parent.count('Сегодня, пт, 20.11')).toBe(1);

    // The off week sends nothing; in the visit week a sweep at 23:00 waits for the morning.
    const before = parent.sent().length;
    h.set('2026-11-26T18:00');
    expect((await outreach.runNow()).sent).toBe(0);
    h.set('2026-12-03T23:00');
    expect(await outreach.runNow()).toMatchObject({ sent: 0, postponedUntil: expect.any(Date) });
    await new Promise((r) => setTimeout(r, 300));
    expect(parent.sent()).toHaveLength(before);

    await parent.tap('Отписаться');
    expect(parent.texts().at(-1)).toContain('Вы отписались');
    h.set('2026-12-04T08:00');
    expect((await outreach.runNow()).sent).toBe(0);
  });

  it('Barnaul, 2nd and 4th Wednesday: reminders before the 2nd Wednesday, none before the 5th', async () => {
    const h = await start(BARNAUL, 'Asia/Barnaul', '2026-12-07T12:00');
    const outreach = h.service.outreach;
    if (!outreach) throw new Error('no outreach scheduler with REDIS_URL');
    const parent = new Parent(h, 7002);
    await parent.command('/start');
    await parent.tap('График выездов');
    await waitFor(async () => parent.count('Барнаул — ближайшие выезды') === 1);
    await parent.tap('Напоминать');

    h.set('2026-12-08T18:00');
    await outreach.trigger();
    await parent.receives('завтра, ср, 09.12');
    expect(parent.sent().find((p) => String(p.text).includes('завтра, ср, 09.12'))?.text).toContain(
      'Центр занятости населения — 09:00–12:00',
    );
    h.set('2026-12-09T08:00');
    await outreach.trigger();
    await parent.receives('Сегодня, ср, 09.12');
    h.set('2026-12-29T18:00');
    expect((await outreach.runNow()).sent).toBe(0);
  });
});
