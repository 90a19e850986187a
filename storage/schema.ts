import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** JSON is written as a string (so arrays are not mistaken for SQL arrays) and read back parsed. */
type Json<T> = ColumnType<T, string, string>;

export type ContactsTable = {
  id: Generated<number>;
  channel: string;
  external_id: string;
  locale: Generated<string>;
  /** False after the platform said the person blocked us (Telegram 403, VK 901). */
  active: Generated<boolean>;
  created_at: Generated<Date>;
  last_seen_at: Timestamp;
  /** Deletion requested (migration 017): personal data is gone; the row goes once the goodbye is delivered. */
  erased_at: NullableTimestamp;
};

export type ConsentsTable = {
  id: Generated<number>;
  contact_id: number;
  channel: string;
  version: string;
  granted: boolean;
  created_at: Generated<Date>;
  withdrawn_at: NullableTimestamp;
};

export type AppealsTable = {
  id: Generated<number>;
  number: string | null;
  contact_id: number | null;
  consent_id: number | null;
  channel: string;
  kind: 'primary' | 'secondary';
  form: string;
  full_name: string | null;
  birth_date: string | null;
  address: string | null;
  marital_status: string | null;
  minor_children: number | null;
  phone: string | null;
  purpose: string;
  need_text: string | null;
  contact_mode: string;
  call_mode: string | null;
  callback_window: string | null;
  callback_window_from: NullableTimestamp;
  callback_due_at: NullableTimestamp;
  status: Generated<string>;
  overdue_at: NullableTimestamp;
  anonymized_at: NullableTimestamp;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  /** Staff-chat ledger: the forum topic created for this appeal and the posted card. */
  staff_topic_id: string | null;
  staff_message_id: string | null;
  staff_notified_at: NullableTimestamp;
  result: 'resolved' | 'partly' | 'not_resolved' | 'withdrawn' | null;
  taken_by: string | null;
  callback_done_at: NullableTimestamp;
  closed_at: NullableTimestamp;
  /** When the family was last told its message went to the dispatcher holding the conversation. */
  hold_notice_at: NullableTimestamp;
  /** Follow-up after a visit (migration 012): when to ask, whether agreed with the family, when asked. */
  follow_up_at: NullableTimestamp;
  follow_up_agreed: Generated<boolean>;
  follow_up_sent_at: NullableTimestamp;
  /** Migration 013: a family message for staff not seen yet; a question passed from the chat. */
  unread_at: NullableTimestamp;
  is_question: Generated<boolean>;
  /** A crisis signal came with this appeal or while it was open (migration 018): first in the inbox. */
  urgent: Generated<boolean>;
  urgent_at: NullableTimestamp;
};

export type AppealEventsTable = {
  id: Generated<number>;
  appeal_id: number;
  at: Timestamp;
  actor: string;
  action: string;
  from_status: string | null;
  to_status: string | null;
  note: string | null;
};

export type ConversationsTable = {
  contact_id: number;
  state: Json<unknown>;
  updated_at: Timestamp;
};

export type ProcessedUpdatesTable = {
  channel: string;
  /** The receiving bot: Telegram getMe id, VK group id; '' for the web chat. */
  bot: Generated<string>;
  update_id: string;
  processed_at: Generated<Date>;
};

export type MessagesTable = {
  id: Generated<number>;
  contact_id: number;
  direction: 'in' | 'out';
  body: Json<unknown>;
  created_at: Generated<Date>;
  /** Delivery ledger (push channels): pending → sent, or failed for good (blocked, rejected). */
  status: Generated<'pending' | 'sent' | 'failed'>;
  /** How many chunks of a long message were already sent. */
  parts_sent: Generated<number>;
  attempts: Generated<number>;
  sent_at: NullableTimestamp;
  /** Platform error description only; never message content. */
  error: string | null;
};

export type InboundEventsTable = {
  channel: string;
  event_id: string;
  payload: Json<unknown>;
  received_at: Generated<Date>;
  attempts: Generated<number>;
};

export type BookingStatus = 'held' | 'confirmed' | 'cancelled' | 'expired' | 'attended' | 'missed';

export type BookingsTable = {
  id: Generated<number>;
  contact_id: number | null;
  appeal_id: number | null;
  kind: Generated<'specialist' | 'partner'>;
  specialist_id: string | null;
  format: string | null;
  starts_at: Timestamp;
  ends_at: Timestamp;
  status: BookingStatus;
  hold_expires_at: NullableTimestamp;
  cancelled_by: 'family' | 'staff' | null;
  rescheduled_from: number | null;
  partner_org: string | null;
  partner_address: string | null;
  partner_person: string | null;
  partner_phone: string | null;
  reminded_day_before_at: NullableTimestamp;
  reminded_two_hours_at: NullableTimestamp;
  attendance_asked_at: NullableTimestamp;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
};

export type SurveyAnswer = 'yes' | 'no' | 'partly';

export type SurveysTable = {
  id: Generated<number>;
  appeal_id: number;
  contact_id: number | null;
  sent_at: Timestamp;
  reminded_at: NullableTimestamp;
  completed_at: NullableTimestamp;
  comment: string | null;
};

export type SurveyAnswersTable = {
  survey_id: number;
  question: number;
  answer: SurveyAnswer;
  answered_at: Timestamp;
};

/** A family following a settlement's outreach visit days (issue 7). */
export type OutreachSubscriptionsTable = {
  contact_id: number;
  settlement: string;
  created_at: Generated<Date>;
};

/** A staff-chat message about an appeal (card, family message, status line): replying to it answers the family. */
export type StaffPostsTable = {
  chat_id: string;
  message_id: ColumnType<number, number, number>;
  appeal_id: number;
  created_at: Generated<Date>;
};

/** A crisis alert for the staff chat (who, where, which signal — never the text); an outbox row. */
export type UrgentAlertsTable = {
  id: Generated<number>;
  contact_id: number | null;
  channel: string;
  signal: string;
  created_at: Generated<Date>;
  posted_at: NullableTimestamp;
  attempts: Generated<number>;
  /** Seen by a dispatcher in the web inbox ("принято"): the banner there stops showing it. */
  acknowledged_at: NullableTimestamp;
  acknowledged_by: string | null;
  /** Further crisis messages from the same contact while the alert is open (0: just the first). */
  repeat_count: Generated<number>;
  /** The latest of them. */
  last_seen_at: NullableTimestamp;
  /** The alert's own post in the staff chat (edited on repeats). */
  staff_message_id: string | null;
  /** The repeat count that post shows now. */
  posted_repeat_count: Generated<number>;
  /** Reached the staff chat as part of a flood summary rather than as its own post. */
  summarized: Generated<boolean>;
};

/** A staff change of the outreach schedule (issue 7); dates are local YYYY-MM-DD text. */
export type OutreachChangesTable = {
  id: Generated<number>;
  settlement: string;
  kind: 'cancel' | 'change' | 'extra';
  visit_date: string;
  entry_id: string | null;
  new_date: string | null;
  hours_from: string | null;
  hours_to: string | null;
  place_ru: string | null;
  place_en: string | null;
  reason: string | null;
  created_by: string;
  created_at: Timestamp;
};

/** Send-once ledger of outreach reminders and change notices. */
export type OutreachNoticesTable = {
  contact_id: number;
  settlement: string;
  visit_date: string;
  kind: string;
  sent_at: Timestamp;
};

/** Who a broadcast goes to: the subscribers of some settlements, or every subscriber. */
export type BroadcastSegment = { all: true } | { settlements: string[] };
export type BroadcastStatus = 'running' | 'finished' | 'cancelled';

/** A staff broadcast (issue 7); the counters follow the recipients ledger. */
export type BroadcastsTable = {
  id: Generated<number>;
  created_by: string;
  segment: Json<BroadcastSegment>;
  text: string;
  status: Generated<BroadcastStatus>;
  total: Generated<number>;
  sent: Generated<number>;
  blocked: Generated<number>;
  failed: Generated<number>;
  created_at: Generated<Date>;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
};

export type RecipientStatus = 'pending' | 'sending' | 'sent' | 'blocked' | 'failed';

/** The broadcast ledger: one row per recipient. `claimed_at` is when a worker took it for sending. */
export type BroadcastRecipientsTable = {
  broadcast_id: number;
  contact_id: number;
  channel: string;
  status: Generated<RecipientStatus>;
  parts_sent: Generated<number>;
  attempts: Generated<number>;
  claimed_at: NullableTimestamp;
  sent_at: NullableTimestamp;
  /** The kind of the last failure (blocked, rejected, transient, retry-after); never message content. */
  error: string | null;
};

/** Dispatcher web sessions (issue 12): only the SHA-256 of the cookie's token is stored. */
export type StaffSessionsTable = {
  token_hash: string;
  dispatcher_id: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  ended_at: NullableTimestamp;
  ip: string | null;
};

export type StaffLoginFailuresTable = {
  id: Generated<string>;
  /** "ip:<address>" or "login:<login>". */
  key: string;
  at: Timestamp;
};

/** Append-only: who looked at or acted on what. Ids and action names only, never texts or personal data. */
export type AuditLogTable = {
  id: Generated<string>;
  at: Timestamp;
  actor: string;
  action: string;
  method: string;
  route: string;
  appeal_id: number | null;
  object_id: string | null;
  status: number;
  ip: string | null;
};

/** The navigator's articles per locale, mirrored from the knowledge folder (migration 013). */
export type KnowledgeArticlesTable = {
  id: string;
  locale: string;
  title: string;
  phrasings: string;
  body: string;
  centers: string[] | null;
  /** Generated from title, phrasings and body; never written. */
  search: ColumnType<string, never, never>;
  updated_at: Generated<Date>;
};

/** A staff-chat post (or forum topic) to delete, or blank when too old to delete (migration 017). */
export type StaffErasuresTable = {
  id: Generated<number>;
  chat_id: string;
  message_id: ColumnType<number | null, number | null | undefined, number | null>;
  topic_id: ColumnType<number | null, number | null | undefined, number | null>;
  posted_at: NullableTimestamp;
  created_at: Generated<Date>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  done_at: NullableTimestamp;
  /** deleted | edited | gone (already absent); never message content. */
  outcome: string | null;
  last_error: string | null;
};

/** One row per local day on which the retention periods were applied (claimed by one process). */
export type RetentionRunsTable = {
  day: string;
  started_at: Timestamp;
  finished_at: NullableTimestamp;
  summary: string | null;
};

export type Database = {
  knowledge_articles: KnowledgeArticlesTable;
  staff_sessions: StaffSessionsTable;
  staff_login_failures: StaffLoginFailuresTable;
  audit_log: AuditLogTable;
  staff_erasures: StaffErasuresTable;
  retention_runs: RetentionRunsTable;
  broadcasts: BroadcastsTable;
  broadcast_recipients: BroadcastRecipientsTable;
  appeal_events: AppealEventsTable;
  bookings: BookingsTable;
  inbound_events: InboundEventsTable;
  outreach_subscriptions: OutreachSubscriptionsTable;
  staff_posts: StaffPostsTable;
  urgent_alerts: UrgentAlertsTable;
  outreach_changes: OutreachChangesTable;
  outreach_notices: OutreachNoticesTable;
  contacts: ContactsTable;
  consents: ConsentsTable;
  appeals: AppealsTable;
  conversations: ConversationsTable;
  processed_updates: ProcessedUpdatesTable;
  messages: MessagesTable;
  surveys: SurveysTable;
  survey_answers: SurveyAnswersTable;
};

export type Contact = Selectable<ContactsTable>;
export type Appeal = Selectable<AppealsTable>;
export type NewAppeal = Insertable<AppealsTable>;

export type Booking = Selectable<BookingsTable>;

export type Survey = Selectable<SurveysTable>;

export type Broadcast = Selectable<BroadcastsTable>;
