import type { JobScheduler, ReminderBooking } from '../../scheduler/scheduler.ts';

/** Records what the runtime asked to schedule; the real BullMQ scheduler is tested in test/scheduler. */
export class RecordingScheduler implements JobScheduler {
  readonly deadlines: Array<{ appealId: number; dueAt: Date }> = [];
  readonly reminders: ReminderBooking[] = [];
  readonly cancelledReminders: number[] = [];
  readonly followUps: Array<{ appealId: number; at: Date }> = [];
  readonly surveyReminders: Array<{ surveyId: number; at: Date }> = [];

  async scheduleCallbackDeadline(appealId: number, dueAt: Date) {
    this.deadlines.push({ appealId, dueAt });
  }

  async scheduleBookingReminders(booking: ReminderBooking) {
    this.reminders.push(booking);
  }

  async cancelBookingReminders(bookingId: number) {
    this.cancelledReminders.push(bookingId);
  }

  async scheduleFollowUp(appealId: number, at: Date) {
    this.followUps.push({ appealId, at });
  }

  async scheduleSurveyReminder(surveyId: number, at: Date) {
    this.surveyReminders.push({ surveyId, at });
  }
}
