import type { z } from 'zod';

/** A zod error as one readable line for a 400 answer: "segment.settlements: at most 200; text: …". */
export const describeIssues = (error: z.ZodError) =>
  error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ` : '') + issue.message)
    .join('; ');
