import { z } from 'zod';

/** Queue names. One queue per concern keeps priorities and rate limits independent. */
export const QUEUES = { sla: 'sla' } as const;

export const CallbackDeadlineJob = z.object({ appealId: z.number().int().positive() });
export type CallbackDeadlineJob = z.infer<typeof CallbackDeadlineJob>;

/**
 * Deterministic ids make scheduling idempotent: adding the same job twice (a retried request, start-up
 * reconciliation) keeps one job. BullMQ forbids ":" in custom ids.
 */
export const jobIds = {
  callbackDeadline: (appealId: number) => `callback-deadline-${appealId}`,
};
