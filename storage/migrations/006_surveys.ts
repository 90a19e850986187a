import { type Kysely, sql } from 'kysely';

/**
 * The satisfaction survey (survey.md): one per appeal, sent after the case is closed. Answers are one row per
 * question (2..8; question 1, the name, comes from the appeal) and are upserted: a changed mind replaces the
 * answer, and a half-answered survey keeps what was answered.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table surveys (
      id serial primary key,
      appeal_id integer not null references appeals(id) on delete cascade,
      contact_id integer references contacts(id) on delete set null,
      sent_at timestamptz not null default now(),
      reminded_at timestamptz,
      completed_at timestamptz,
      comment text
    )`.execute(db);
  await sql`create unique index surveys_appeal_idx on surveys (appeal_id)`.execute(db);
  await sql`
    create table survey_answers (
      survey_id integer not null references surveys(id) on delete cascade,
      question smallint not null check (question between 2 and 8),
      answer text not null check (answer in ('yes', 'no', 'partly')),
      answered_at timestamptz not null default now(),
      primary key (survey_id, question)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists survey_answers`.execute(db);
  await sql`drop table if exists surveys`.execute(db);
}
