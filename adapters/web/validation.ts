import { z } from 'zod';

/** A zod error as one readable line for a 400 answer: "segment.settlements: at most 200; text: …". */
export const describeIssues = (error: z.ZodError) =>
  error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ` : '') + issue.message)
    .join('; ');

/** PostgreSQL `integer` (serial ids, message cursors): a larger number would fail in the query, not here. */
export const MAX_DB_INT = 2 ** 31 - 1;

/** A row id or cursor from a path or query string: a whole number the database can hold, or a clear 400. */
export const dbInt = (what: string, min = 0) => {
  const kind = min >= 1 ? `${what} must be a positive number` : `${what} must be a whole number from ${min}`;
  return z.coerce
    .number({ error: kind })
    .int(kind)
    .min(min, kind)
    .max(MAX_DB_INT, `${what} must be at most ${MAX_DB_INT}`);
};
