import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { Translator } from '../bot/i18n.ts';
import { Runtime } from '../bot/runtime.ts';
import { buildServer } from '../bot/server.ts';
import { loadCenterProfile } from '../config/center.ts';
import { DispatcherDirectory, webDispatcher } from '../config/dispatchers.ts';
import { noScheduler } from '../scheduler/scheduler.ts';
import { migrateToLatest, openDatabase } from '../storage/db.ts';

/**
 * `npx tsx bench/login-load.ts`: what wrong-password floods do to everyone else, and whether the answer time
 * tells which logins exist. Runs the server in-process on PGlite and talks HTTP to it. On a tree without the
 * login page (the old basic auth) it sends Basic headers to a staff route instead, for the "before" figures.
 * BENCH_LOCKOUT=off raises the lockout limits so every attempt costs a full scrypt (the worst case).
 */
const LOOPS = 6;
const FLOOD_MS = Number(process.env.BENCH_FLOOD_MS ?? 5000);
const logger = pino({ level: 'silent' });

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.95)] ?? 0;
const fmt = (values: number[]) =>
  `median ${median(values).toFixed(1)} ms, p95 ${p95(values).toFixed(1)} ms, n=${values.length}`;

const db = await openDatabase({ kind: 'pglite' });
await migrateToLatest(db);
const center = await loadCenterProfile('config/centers/belovo.yaml');
const translator = new Translator();
const runtime = new Runtime({ db, center, translator, scheduler: noScheduler, logger });
const lockoutOff = process.env.BENCH_LOCKOUT === 'off';
const app = await buildServer({
  runtime,
  db,
  translator,
  center,
  logger,
  directory: new DispatcherDirectory([webDispatcher('the-right-password')]),
  ...(lockoutOff ? { staffAccess: { maxLoginFailures: 1e6, maxIpFailures: 1e6 } } : {}),
});
const base = await app.listen({ host: '127.0.0.1', port: 0 });

const probe = await fetch(`${base}/dispatcher/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: '{}',
});
const sessions = probe.status !== 404;
console.log(
  `mode: ${sessions ? 'login page + sessions' : 'basic auth (before)'}; lockout ${lockoutOff ? 'off' : 'default'}`,
);

async function attempt(login: string, password: string): Promise<number> {
  const started = performance.now();
  const response = sessions
    ? await fetch(`${base}/dispatcher/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login, password }),
      })
    : await fetch(`${base}/api/staff/appeals`, {
        headers: { authorization: `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}` },
      });
  await response.arrayBuffer();
  return performance.now() - started;
}

async function health(ms: number): Promise<number[]> {
  const times: number[] = [];
  const until = performance.now() + ms;
  while (performance.now() < until) {
    const started = performance.now();
    await (await fetch(`${base}/health`)).arrayBuffer();
    times.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return times;
}

console.log(`/health idle: ${fmt(await health(2000))}`);
let stop = false;
let attempts = 0;
const loops = Array.from({ length: LOOPS }, async (_, i) => {
  while (!stop) {
    await attempt(i % 2 ? 'dispatcher' : `nobody${i}`, `wrong-${attempts++}`);
  }
});
const during = await health(FLOOD_MS);
stop = true;
await Promise.all(loops);
console.log(
  `/health during ${LOOPS} wrong-password loops: ${fmt(during)}; ${attempts} attempts in ${FLOOD_MS} ms`,
);

// Answer time of a wrong password for an existing and for an unknown login (after the flood: lockout on
// "dispatcher" would answer early, so this part runs with BENCH_LOCKOUT=off to compare the scrypt work).
const known: number[] = [];
const unknown: number[] = [];
for (let i = 0; i < 20; i++) {
  known.push(await attempt('dispatcher', `wrong-k${i}`));
  unknown.push(await attempt(`ghost${i}`, `wrong-u${i}`));
}
console.log(`wrong password, known login: ${fmt(known)}`);
console.log(`wrong password, unknown login: ${fmt(unknown)}`);
await app.close();
await db.destroy();
