import { performance } from 'node:perf_hooks';
import { holdSlot } from '../storage/bookings.ts';
import { upsertContact } from '../storage/contacts.ts';
import { migrateToLatest, openDatabase } from '../storage/db.ts';

/**
 * Booking race: ROUNDS slots, each wanted by CONTENDERS families at the same instant, every attempt in its
 * own transaction. Correct means exactly one winner per slot and a polite "taken" (no error) for the rest.
 * Runs on PGlite, and on PostgreSQL too when DATABASE_URL is set (real concurrency across connections).
 */
const CONTENDERS = Number(process.env.BENCH_BOOKING_CONTENDERS ?? 50);
const ROUNDS = Number(process.env.BENCH_BOOKING_ROUNDS ?? 20);

export async function bookingBench(): Promise<boolean> {
  const db = await openDatabase(
    process.env.DATABASE_URL ? { kind: 'postgres', url: process.env.DATABASE_URL } : { kind: 'pglite' },
  );
  await migrateToLatest(db);
  const now = new Date();
  const contacts = await Promise.all(
    Array.from({ length: CONTENDERS }, (_, i) =>
      upsertContact(db, 'bench', `race-${now.getTime()}-${i}`, now),
    ),
  );
  let wrongRounds = 0;
  let errors = 0;
  const roundMs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const startsAt = new Date(
      now.getTime() + (round + 1) * 3600_000 + Math.floor(Math.random() * 1e6) * 60_000,
    );
    const slot = { specialistId: 'bench-1', startsAt, endsAt: new Date(startsAt.getTime() + 45 * 60_000) };
    const t0 = performance.now();
    const results = await Promise.all(
      contacts.map((contact) =>
        db
          .transaction()
          .execute((tx) => holdSlot(tx, { ...slot, contactId: contact.id, now, holdMinutes: 10 }))
          .catch(() => undefined),
      ),
    );
    roundMs.push(performance.now() - t0);
    errors += results.filter((r) => r === undefined).length;
    if (results.filter((r) => r?.ok).length !== 1) wrongRounds++;
  }
  roundMs.sort((a, b) => a - b);
  const report = {
    bookingRace: {
      engine: process.env.DATABASE_URL ? 'postgres' : 'pglite (in memory)',
      contendersPerSlot: CONTENDERS,
      slots: ROUNDS,
      roundsWithExactlyOneWinner: ROUNDS - wrongRounds,
      errors,
      msPerRound: {
        p50: roundMs[Math.floor(roundMs.length / 2)]?.toFixed(1),
        max: roundMs.at(-1)?.toFixed(1),
      },
    },
  };
  console.log(JSON.stringify(report, null, 2));
  await db.destroy();
  return wrongRounds === 0 && errors === 0;
}
