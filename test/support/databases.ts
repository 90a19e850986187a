import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Db, migrateToLatest, openDatabase } from '../../storage/db.ts';

/**
 * The same suites run on both storage engines: embedded PGlite (the default) and a real PostgreSQL server.
 * Each test database is fresh and private: PGlite in memory, PostgreSQL as a new database that is dropped after.
 */
export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type TestDatabase = { db: Db; url?: string; drop(): Promise<void> };

export type Engine = { name: 'pglite' | 'postgres'; create(): Promise<TestDatabase> };

async function createPglite(): Promise<TestDatabase> {
  const db = await openDatabase({ kind: 'pglite' });
  await migrateToLatest(db);
  return { db, drop: () => db.destroy() };
}

async function createPostgres(): Promise<TestDatabase> {
  const name = `sd_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  const db = await openDatabase({ kind: 'postgres', url: url.toString() });
  await migrateToLatest(db);
  return {
    db,
    url: url.toString(),
    async drop() {
      await db.destroy();
      const cleanup = new pg.Client({ connectionString: POSTGRES_URL });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

export const ENGINES: Engine[] = [
  { name: 'pglite', create: createPglite },
  { name: 'postgres', create: createPostgres },
];
