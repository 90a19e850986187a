import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cancelBooking,
  confirmBooking,
  createPartnerBooking,
  holdSlot,
  markAttendance,
  takenSlots,
  upcomingBookings,
} from '../../storage/bookings.ts';
import { upsertContact } from '../../storage/contacts.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';

const NOW = new Date('2026-11-24T03:00:00Z');
const SLOT = {
  specialistId: 'lawyer-1',
  startsAt: new Date('2026-11-26T02:00:00Z'),
  endsAt: new Date('2026-11-26T02:45:00Z'),
};
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);

describe.each(ENGINES)('bookings on $name', (engine) => {
  let t: TestDatabase;
  const contacts: number[] = [];
  beforeAll(async () => {
    t = await engine.create();
    for (let i = 0; i < 50; i++) contacts.push((await upsertContact(t.db, 'web', `family-${i}`, NOW)).id);
  });
  afterAll(async () => {
    await t.drop();
  });

  const hold = (contactId: number, slot = SLOT, now = NOW) =>
    holdSlot(t.db, { ...slot, contactId, now, holdMinutes: 10 });

  it('50 families racing for one slot: exactly one gets it, nobody gets an error', async () => {
    const slot = {
      ...SLOT,
      startsAt: new Date('2026-11-26T05:00:00Z'),
      endsAt: new Date('2026-11-26T05:45:00Z'),
    };
    // Each attempt in its own transaction, as concurrent requests would run.
    const results = await Promise.all(
      contacts.map((contactId) =>
        t.db.transaction().execute((tx) => holdSlot(tx, { ...slot, contactId, now: NOW, holdMinutes: 10 })),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === 'taken')).toBe(true);
    const live = await t.db
      .selectFrom('bookings')
      .select('id')
      .where('starts_at', '=', slot.startsAt)
      .where('status', 'in', ['held', 'confirmed'])
      .execute();
    expect(live).toHaveLength(1);
  });

  it('holds, confirms within the hold, and shows the booking as upcoming', async () => {
    const [a = 0, b = 0] = contacts;
    const held = await hold(a);
    expect(held.ok).toBe(true);
    if (!held.ok) return;
    expect(await hold(b)).toEqual({ ok: false, reason: 'taken' });
    expect(await confirmBooking(t.db, held.booking.id, b, minutes(1))).toBeUndefined(); // not theirs
    const confirmed = await confirmBooking(t.db, held.booking.id, a, minutes(5));
    expect(confirmed?.status).toBe('confirmed');
    expect((await upcomingBookings(t.db, a, NOW)).map((x) => x.id)).toEqual([held.booking.id]);
    expect(await takenSlots(t.db, NOW, minutes(60 * 24 * 7), NOW)).toContainEqual({
      specialistId: 'lawyer-1',
      startsAt: SLOT.startsAt,
    });
  });

  it('an expired hold frees the slot and cannot be confirmed', async () => {
    const slot = {
      ...SLOT,
      startsAt: new Date('2026-11-26T06:00:00Z'),
      endsAt: new Date('2026-11-26T06:45:00Z'),
    };
    const [a = 0, b = 0] = contacts.slice(2);
    const first = await hold(a, slot);
    expect(first.ok).toBe(true);
    expect(
      (await takenSlots(t.db, NOW, minutes(60 * 24 * 7), minutes(11))).map((s) => s.startsAt.getTime()),
    ).not.toContain(slot.startsAt.getTime());
    const second = await hold(b, slot, minutes(11));
    expect(second.ok).toBe(true);
    if (first.ok) expect(await confirmBooking(t.db, first.booking.id, a, minutes(12))).toBeUndefined();
  });

  it('cancelling frees the slot; attendance is recorded', async () => {
    const slot = {
      ...SLOT,
      startsAt: new Date('2026-11-26T07:00:00Z'),
      endsAt: new Date('2026-11-26T07:45:00Z'),
    };
    const [a = 0, b = 0] = contacts.slice(4);
    const held = await hold(a, slot);
    if (!held.ok) throw new Error('expected a hold');
    await confirmBooking(t.db, held.booking.id, a, NOW);
    expect(await cancelBooking(t.db, held.booking.id, 'family', NOW, b)).toBeUndefined(); // someone else's
    expect((await cancelBooking(t.db, held.booking.id, 'family', NOW, a))?.status).toBe('cancelled');
    expect((await hold(b, slot)).ok).toBe(true);
    expect(await markAttendance(t.db, held.booking.id, true, NOW)).toBeUndefined(); // cancelled: no attendance
  });

  it('stores a partner route-sheet item as a confirmed booking', async () => {
    const [a = 0] = contacts.slice(6);
    const item = await createPartnerBooking(t.db, {
      contactId: a,
      org: 'Центр занятости населения',
      address: 'г. Барнаул',
      person: 'Иванов И. И.',
      phone: '+73852000000',
      startsAt: new Date('2026-11-25T02:00:00Z'),
      endsAt: new Date('2026-11-25T03:00:00Z'),
      now: NOW,
    });
    expect(item).toMatchObject({
      kind: 'partner',
      status: 'confirmed',
      specialist_id: null,
      partner_org: 'Центр занятости населения',
    });
    expect((await markAttendance(t.db, item.id, false, NOW))?.status).toBe('missed');
  });
});
