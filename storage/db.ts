import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, type Migration, type MigrationProvider, Migrator, PostgresDialect } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import * as initial from './migrations/001_initial.ts';
import * as delivery from './migrations/002_delivery.ts';
import * as inboundEvents from './migrations/003_inbound_events.ts';
import * as bookings from './migrations/004_bookings.ts';
import * as appealLifecycle from './migrations/005_appeal_lifecycle.ts';
import * as surveys from './migrations/006_surveys.ts';
import * as outreachSubscriptions from './migrations/008_outreach_subscriptions.ts';
import * as broadcasts from './migrations/009_broadcasts.ts';
import * as outreach from './migrations/010_outreach.ts';
import * as dispatch from './migrations/011_dispatch.ts';
import * as followUp from './migrations/012_follow_up.ts';
import * as conversation from './migrations/013_conversation.ts';
import * as knowledgeArticles from './migrations/014_knowledge_articles.ts';
import * as staffAccess from './migrations/015_staff_access.ts';
import * as trustWeb from './migrations/016_trust_web.ts';
import * as erasureRetention from './migrations/017_erasure_retention.ts';
import * as crisisUrgent from './migrations/018_crisis_urgent.ts';
import * as updatesPerBot from './migrations/019_updates_per_bot.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

/** Migrations are listed in code (not read from a folder) so they work the same from tsx, tests and bundles. */
const MIGRATIONS: Record<string, Migration> = {
  '001_initial': initial,
  '002_delivery': delivery,
  '003_inbound_events': inboundEvents,
  '004_bookings': bookings,
  '005_appeal_lifecycle': appealLifecycle,
  '006_surveys': surveys,
  '008_outreach_subscriptions': outreachSubscriptions,
  '009_broadcasts': broadcasts,
  '010_outreach': outreach,
  '011_dispatch': dispatch,
  '012_follow_up': followUp,
  '013_conversation': conversation,
  '014_knowledge_articles': knowledgeArticles,
  '015_staff_access': staffAccess,
  '016_trust_web': trustWeb,
  '017_erasure_retention': erasureRetention,
  '018_crisis_urgent': crisisUrgent,
  '019_updates_per_bot': updatesPerBot,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export type DatabaseOptions =
  | { kind: 'postgres'; url: string }
  /** `dataDir` undefined → in-memory PGlite (tests). */
  | { kind: 'pglite'; dataDir?: string };

/** `DATA_DIR=:memory:` keeps the embedded database in memory (tests, throw-away demos). */
export function databaseOptions(env: { DATABASE_URL?: string; DATA_DIR: string }): DatabaseOptions {
  if (env.DATABASE_URL) return { kind: 'postgres', url: env.DATABASE_URL };
  return env.DATA_DIR === ':memory:'
    ? { kind: 'pglite' }
    : { kind: 'pglite', dataDir: `${env.DATA_DIR}/pglite` };
}

export async function openDatabase(
  options: DatabaseOptions,
  onIdleError?: (error: Error) => void,
): Promise<Db> {
  if (options.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: options.url, max: 10 });
    // An idle client losing its server connection (restart, admin termination) must not crash the process;
    // the pool replaces it on the next query.
    pool.on('error', (error) => onIdleError?.(error));
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const client = options.dataDir ? await PGlite.create(options.dataDir) : await PGlite.create();
  return new Kysely<Database>({ dialect: new PGliteDialect(client) });
}

export async function migrateToLatest(db: Db): Promise<void> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error || failed) {
    throw new Error(
      `database migration failed${failed ? ` at ${failed.migrationName}` : ''}: ${String(error)}`,
    );
  }
}
