import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import type { CenterProfile } from '../config/center.ts';
import type { Db } from '../storage/db.ts';
import { compactAfterErasure, finishErasedContacts } from '../storage/erasure.ts';
import {
  anonymiseClosedAppeals,
  claimRetentionRun,
  finishRetentionRun,
  purgeAuditLog,
  purgeFinishedStaffErasures,
  purgeIdleContacts,
  purgeInboundEvents,
  purgeStaleConversations,
  purgeTranscripts,
  purgeUrgentAlerts,
} from '../storage/retention.ts';

export type RetentionOptions = {
  db: Db;
  center: CenterProfile;
  logger: Logger;
  clock?: () => Date;
  /** How often the tick looks (the daily run itself happens once per local day). */
  intervalMs?: number;
  /** The first look after start (catch-up of a missed day), once the service has settled. */
  firstTickMs?: number;
};

export type RetentionSummary = {
  transcripts: number;
  contacts: number;
  drafts: number;
  appeals: number;
  alerts: number;
  inboundEvents: number;
  auditLog: number;
  staffErasures: number;
};

export type RetentionTick = {
  /** Rows of contacts whose deletion was requested, removed now that the goodbye is out. */
  erasedContacts: number;
  /** The day's run, when this tick did it. */
  daily?: RetentionSummary;
};

const DAY_MS = 24 * 3600_000;
const FINISHED_ERASURES_KEPT_DAYS = 30;

/**
 * Applies the retention periods of the center profile. A plain timer, not a Redis queue, so it works in the
 * demo without Redis; with several processes the daily run is claimed in the database (retention_runs), and
 * every statement is idempotent anyway. Each tick also removes the rows of erased contacts whose goodbye was
 * delivered. Counts only are logged — never what was deleted.
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private firstTimer: NodeJS.Timeout | undefined;
  private running: Promise<RetentionTick> | undefined;
  private readonly clock: () => Date;

  constructor(private readonly options: RetentionOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  start(): void {
    const tick = () =>
      void this.tick().catch((error: unknown) =>
        this.options.logger.warn({ err: error }, 'retention tick failed; the next tick retries'),
      );
    this.firstTimer = setTimeout(tick, this.options.firstTickMs ?? 60_000);
    this.firstTimer.unref();
    this.timer = setInterval(tick, this.options.intervalMs ?? 15 * 60_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.firstTimer);
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One look: concurrent calls in one process share it. */
  tick(): Promise<RetentionTick> {
    this.running ??= this.tickOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async tickOnce(): Promise<RetentionTick> {
    const { db, center, logger } = this.options;
    const now = this.clock();
    const erasedContacts = await finishErasedContacts(db, now);
    const local = DateTime.fromJSDate(now).setZone(center.timeZone);
    let daily: RetentionSummary | undefined;
    if (local.toFormat('HH:mm') >= center.retention.runAt) {
      const day = local.toISODate() ?? '';
      if ((await claimRetentionRun(db, day, now)) === 'claimed') {
        daily = await this.runDaily(now);
        await finishRetentionRun(db, day, this.clock(), daily);
        logger.info({ day, ...daily }, 'retention periods applied');
      }
    }
    const touched = erasedContacts + (daily ? Object.values(daily).reduce((sum, n) => sum + n, 0) : 0);
    if (touched > 0) {
      await compactAfterErasure(db).catch((error: unknown) =>
        logger.warn({ err: error }, 'storage not compacted after retention'),
      );
    }
    return { erasedContacts, ...(daily ? { daily } : {}) };
  }

  /** Every period of the profile, applied as of `now`. Idempotent. */
  async runDaily(now: Date): Promise<RetentionSummary> {
    const { db } = this.options;
    const periods = this.options.center.retention;
    const before = (days: number) => new Date(now.getTime() - days * DAY_MS);
    // Appeals first: an anonymised appeal no longer holds its contact, which may then go as idle.
    const appeals = await anonymiseClosedAppeals(db, before(periods.closedAppealDays), now);
    const transcripts = await purgeTranscripts(db, before(periods.transcriptDays));
    const drafts = await purgeStaleConversations(db, before(periods.draftDays));
    const contacts = await purgeIdleContacts(db, {
      anonymousCutoff: before(periods.anonymousContactDays),
      consentedCutoff: before(periods.transcriptDays),
      now,
    });
    const alerts = await purgeUrgentAlerts(db, before(periods.urgentAlertDays));
    const inboundEvents = await purgeInboundEvents(db, before(periods.inboundEventDays));
    // The access log is append-only at the database; a trigger that refuses the purge must not stop the rest.
    const auditLog = await purgeAuditLog(db, before(periods.auditLogDays)).catch((error: unknown) => {
      this.options.logger.warn({ err: error }, 'audit log not purged (append-only trigger?)');
      return 0;
    });
    const staffErasures = await purgeFinishedStaffErasures(db, before(FINISHED_ERASURES_KEPT_DAYS));
    return { transcripts, contacts, drafts, appeals, alerts, inboundEvents, auditLog, staffErasures };
  }
}
