import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Translator } from '../../bot/i18n.ts';
import { Runtime } from '../../bot/runtime.ts';
import { buildServer } from '../../bot/server.ts';
import type { CenterProfile } from '../../config/center.ts';
import type { AppealDraft } from '../../domain/appeal.ts';
import { freeSlots, type Slot } from '../../domain/slots.ts';
import { encodeSlotPayload } from '../../flows/slot-payload.ts';
import { noScheduler } from '../../scheduler/scheduler.ts';
import { createAppeal } from '../../storage/appeals.ts';
import { confirmBooking, getBooking, holdSlot } from '../../storage/bookings.ts';
import { recordConsent } from '../../storage/consents.ts';
import { setContactLocale, upsertContact } from '../../storage/contacts.ts';
import { messagesAfter } from '../../storage/messages.ts';
import type { Booking } from '../../storage/schema.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { loadBelovo, silentLogger } from '../support/fixtures.ts';
import { RecordingScheduler } from '../support/recording-scheduler.ts';
import { staffLogin } from '../support/staff.ts';

const PASSWORD = 'secret-pass';
/** The dispatcher's session (logged in through the real login route in beforeAll). */
let AUTH: Record<string, string> = {};
/** A forged session cookie: matches no session. */
const WRONG = { cookie: 'sd_staff=forged-session-token' };
const HOUR_MS = 3600_000;

const engine = ENGINES[0];
if (!engine) throw new Error('no engine');

describe('staff booking API', () => {
  let t: TestDatabase;
  let app: FastifyInstance;
  let center: CenterProfile;
  const scheduler = new RecordingScheduler();
  let families = 0;

  beforeAll(async () => {
    t = await engine.create();
    center = await loadBelovo();
    const translator = new Translator();
    const runtime = new Runtime({
      db: t.db,
      center,
      translator,
      scheduler: noScheduler,
      logger: silentLogger,
    });
    app = await buildServer({
      runtime,
      db: t.db,
      translator,
      center,
      logger: silentLogger,
      dispatcherPassword: PASSWORD,
      scheduler,
    });
    AUTH = await staffLogin(app, 'dispatcher', PASSWORD);
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  const family = async (locale: 'ru' | 'en' = 'ru') => {
    const contact = await upsertContact(t.db, 'web', `staff-api-${++families}`, new Date());
    if (locale !== 'ru') await setContactLocale(t.db, contact.id, locale);
    return contact.id;
  };

  async function book(contactId: number, slot: Slot): Promise<Booking> {
    const now = new Date();
    const held = await holdSlot(t.db, { ...slot, contactId, now, holdMinutes: 10 });
    if (!held.ok) throw new Error('slot taken');
    const booking = await confirmBooking(t.db, held.booking.id, contactId, now);
    if (!booking) throw new Error('not confirmed');
    return booking;
  }

  const transcript = async (contactId: number) =>
    (await messagesAfter(t.db, contactId, 0)).map((m) => m.body);
  const cancel = (id: number | string, headers: Record<string, string> = AUTH) =>
    app.inject({ method: 'POST', url: `/api/staff/bookings/${id}/cancel`, headers, payload: {} });
  const addRouteItem = (payload: unknown, headers: Record<string, string> = AUTH) =>
    app.inject({ method: 'POST', url: '/api/staff/route-items', headers, payload: payload as object });

  it('requires the dispatcher login', async () => {
    const contactId = await family();
    const [slot] = freeSlots(center, 'psychologist', new Date(), []);
    if (!slot) throw new Error('no slot');
    const booking = await book(contactId, slot);
    for (const headers of [{}, WRONG]) {
      const cancelled = await cancel(booking.id, headers);
      expect(cancelled.statusCode).toBe(401);
      // A JSON answer, never the browser's basic-auth prompt.
      expect(cancelled.headers['www-authenticate']).toBeUndefined();
      expect(cancelled.json().error).toBe('unauthorised');
      const added = await addRouteItem(
        { contactId, org: 'X', startsAt: new Date(Date.now() + 86_400_000) },
        headers,
      );
      expect(added.statusCode).toBe(401);
    }
    expect((await getBooking(t.db, booking.id))?.status).toBe('confirmed');
    expect(await transcript(contactId)).toEqual([]);
    expect(scheduler.cancelledReminders).not.toContain(booking.id);
  });

  it('cancels a booking: the family is told, with the 3 nearest free slots of the same role; reminders go', async () => {
    const contactId = await family();
    const other = await family();
    const slots = freeSlots(center, 'lawyer', new Date(), []);
    const [mine, taken, ...rest] = slots;
    if (!mine || !taken || rest.length < 3) throw new Error('not enough lawyer slots');
    const booking = await book(contactId, mine);
    await book(other, taken); // someone else's: never offered

    const response = await cancel(booking.id);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ ok: true });
    expect(await getBooking(t.db, booking.id)).toMatchObject({ status: 'cancelled', cancelled_by: 'staff' });
    expect(scheduler.cancelledReminders).toContain(booking.id);

    const [message, ...more] = await transcript(contactId);
    expect(more).toEqual([]);
    expect(message?.text).toContain('нам пришлось отменить Вашу запись');
    expect(message?.text).toContain('Юрисконсульт центра');
    const payloads = (message?.buttons ?? []).flat().map((button) => button.payload);
    // Neither the cancelled slot nor the one taken by another family; the next three, in order.
    expect(payloads).toEqual([...rest.slice(0, 3).map(encodeSlotPayload), 'menu:bookings']);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(64);
    expect(await transcript(other)).toEqual([]);

    // Not live any more: nothing to cancel, nothing sent again.
    expect((await cancel(booking.id)).statusCode).toBe(404);
    expect(await transcript(contactId)).toHaveLength(1);
  });

  it('answers 404 for an unknown booking and 400 for a malformed id', async () => {
    expect((await cancel(999_999)).statusCode).toBe(404);
    const bad = await cancel('abc');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/id/);
  });

  it('adds a route item: a partner booking, a confirmation to the family, reminders scheduled', async () => {
    const contactId = await family();
    const startsAt = new Date(Math.ceil((Date.now() + 3 * 24 * HOUR_MS) / HOUR_MS) * HOUR_MS);
    const response = await addRouteItem({
      contactId,
      org: 'ГБУЗ «Беловская городская больница»',
      address: 'г. Белово, ул. Ленина, 1',
      person: 'Петрова Анна Ивановна',
      phone: '+7 38452 2-00-00',
      startsAt: startsAt.toISOString(),
    });
    expect(response.statusCode).toBe(201);
    const { ok, bookingId } = response.json();
    expect(ok).toBe(true);
    const booking = await getBooking(t.db, bookingId);
    expect(booking).toMatchObject({
      kind: 'partner',
      status: 'confirmed',
      contact_id: contactId,
      specialist_id: null,
      partner_org: 'ГБУЗ «Беловская городская больница»',
      partner_address: 'г. Белово, ул. Ленина, 1',
      partner_person: 'Петрова Анна Ивановна',
      partner_phone: '+7 38452 2-00-00',
    });
    expect(booking?.starts_at.getTime()).toBe(startsAt.getTime());
    expect(booking?.ends_at.getTime()).toBe(startsAt.getTime() + HOUR_MS); // one hour by default
    expect(scheduler.reminders).toContainEqual({
      id: bookingId,
      startsAt,
      endsAt: new Date(startsAt.getTime() + HOUR_MS),
      createdAt: booking?.created_at,
    });

    const [message] = await transcript(contactId);
    expect(message?.text).toContain('Мы записали Вас на приём');
    expect(message?.text).toContain('Куда: ГБУЗ «Беловская городская больница»');
    expect(message?.text).toContain('К кому: Петрова Анна Ивановна');
    expect(message?.buttons).toEqual([[{ label: '📅 Мои записи', payload: 'menu:bookings' }]]);

    // Staff cancel a route item: no slots to offer, the center's phone instead.
    expect((await cancel(bookingId)).statusCode).toBe(200);
    const [, cancelled] = await transcript(contactId);
    expect(cancelled?.text).toContain('ГБУЗ «Беловская городская больница»');
    expect(cancelled?.text).toContain(center.phone);
    expect((cancelled?.buttons ?? []).flat().map((button) => button.payload)).toEqual(['menu:bookings']);
  });

  it("finds the family from an appeal and writes in the family's language", async () => {
    const contactId = await family('en');
    const consentId = await recordConsent(t.db, {
      contactId,
      channel: 'web',
      version: center.consent.version,
      granted: true,
      at: new Date(),
    });
    const draft: AppealDraft = {
      fullName: 'Иванова Мария Петровна',
      address: 'г. Белово, ул. Маркса, 2',
      maritalStatus: 'married',
      minorChildren: 1,
      birthDate: '1990-01-01',
      phone: '+79131234567',
      purpose: 'other',
      contactMode: 'phone',
      callMode: 'callback_asap',
    };
    const appeal = await createAppeal(t.db, { contactId, consentId, channel: 'web', draft, now: new Date() });
    const startsAt = new Date(Date.now() + 2 * 24 * HOUR_MS);
    const endsAt = new Date(startsAt.getTime() + 30 * 60_000);
    const response = await addRouteItem({
      appealId: appeal.id,
      org: 'МФЦ',
      startsAt: startsAt.toISOString(),
      endsAt: endsAt.toISOString(),
    });
    expect(response.statusCode).toBe(201);
    const booking = await getBooking(t.db, response.json().bookingId);
    expect(booking).toMatchObject({ contact_id: contactId, appeal_id: appeal.id, partner_address: null });
    expect(booking?.ends_at.getTime()).toBe(endsAt.getTime());
    const [message] = await transcript(contactId);
    expect(message?.text).toContain('We have booked an appointment for you');
    expect(message?.text).toContain('Where: МФЦ');

    const mismatch = await addRouteItem({
      appealId: appeal.id,
      contactId: await family(),
      org: 'МФЦ',
      startsAt: startsAt.toISOString(),
    });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.json().message).toContain('contactId');
  });

  it('rejects bad input with a readable message and books nothing', async () => {
    const contactId = await family();
    const tomorrow = new Date(Date.now() + 24 * HOUR_MS).toISOString();
    const count = async () =>
      Number(
        (
          await t.db
            .selectFrom('bookings')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirst()
        )?.n,
      );
    const before = await count();

    const cases: Array<[unknown, RegExp]> = [
      [{}, /org: org is required; startsAt: startsAt is required/],
      [{ org: 'МФЦ', startsAt: tomorrow }, /contactId: contactId or appealId is required/],
      [{ contactId, org: '   ', startsAt: tomorrow }, /org: org must not be empty/],
      [
        { contactId, org: 'МФЦ', startsAt: 'tomorrow at noon' },
        /startsAt: startsAt must be an ISO date-time/,
      ],
      [
        { contactId, org: 'МФЦ', startsAt: tomorrow, endsAt: tomorrow },
        /endsAt: endsAt must be after startsAt/,
      ],
      [{ contactId, org: 'МФЦ', startsAt: new Date(Date.now() - HOUR_MS).toISOString() }, /in the future/],
      [{ contactId: 'seven', org: 'МФЦ', startsAt: tomorrow }, /contactId/],
    ];
    for (const [payload, message] of cases) {
      const response = await addRouteItem(payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().message, JSON.stringify(payload)).toMatch(message);
    }
    const unknown = await addRouteItem({ contactId: 999_999, org: 'МФЦ', startsAt: tomorrow });
    expect(unknown.statusCode).toBe(404);
    const noAppeal = await addRouteItem({ appealId: 999_999, org: 'МФЦ', startsAt: tomorrow });
    expect(noAppeal.statusCode).toBe(404);
    const notJson = await app.inject({
      method: 'POST',
      url: '/api/staff/route-items',
      headers: { ...AUTH, 'content-type': 'application/json' },
      payload: '{"org": ',
    });
    expect(notJson.statusCode).toBe(400);

    expect(await count()).toBe(before);
    expect(await transcript(contactId)).toEqual([]);
  });
});
