/**
 * A fake Telegram Bot API server for tests.
 *
 * Real grammY clients talk to it over loopback HTTP:
 *
 *   const fake = await FakeTelegram.start();
 *   const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
 *
 * It speaks the wire protocol (`POST /bot<token>/<method>`, `{ ok, result }` / `{ ok: false, error_code,
 * description, parameters }`), records every call, keeps just enough state to answer realistically (chats,
 * the bot's own messages, forum topics, commands, webhook, the update queue), validates the limits that bots
 * trip over in production (text length, 64-byte callback_data, unmodified edits, unknown threads), and can
 * inject the failures an adapter must survive (429, 403, 500, slow answers, dropped connections).
 *
 * Error descriptions are Telegram's own wording where the adapter may match on them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  BotCommand,
  Chat,
  ChatFullInfo,
  ForumTopic,
  InlineKeyboardMarkup,
  Message,
  PhotoSize,
  Update,
  User,
  UserFromGetMe,
  WebhookInfo,
} from 'grammy/types';

// biome-ignore lint/suspicious/noExplicitAny: a payload is whatever the client sent; tests read its fields freely.
export type Payload = Record<string, any>;

/** A failure to inject into the next call(s) of a method; see `failNext`. */
export type Fault =
  | { kind: 'rateLimit'; retryAfter: number }
  | { kind: 'blocked' }
  | { kind: 'deactivated' }
  | { kind: 'serverError' }
  | { kind: 'slow'; ms: number }
  | { kind: 'hangup' };

export interface RecordedCall {
  method: string;
  payload: Payload;
  /** `Date.now()` when the request arrived. */
  at: number;
  /** The injected fault this call consumed, if any. */
  fault?: Fault;
  /** true once the method ran successfully, false once it failed (error answer or hang-up); unset while in flight. */
  ok?: boolean;
  /** The `description` of an error answer (or 'hangup'). */
  error?: string;
  /** Set for calls Telegram ran from a webhook response body (grammY's webhook reply). */
  viaWebhookReply?: true;
}

export interface ChatSetup {
  id: number;
  type: 'private' | 'group' | 'supergroup';
  /** Only supergroups can be forums. */
  is_forum?: boolean;
  title?: string;
  username?: string;
  first_name?: string;
}

export interface WebhookState {
  url: string;
  secret_token?: string;
  allowed_updates?: string[];
  max_connections?: number;
}

export interface FakeTelegramOptions {
  token?: string;
  /** Upper bound on how long getUpdates waits, so a poller never holds a test for Telegram's usual 30 s. */
  maxLongPollSeconds?: number;
}

type Handler = (payload: Payload, signal: AbortSignal) => unknown;
type QueuedUpdate = { update: Update; redelivered: boolean };

/** A Bot API error answer. Handlers throw it; the server turns it into `{ ok: false, ... }`. */
class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: { retry_after: number },
  ) {
    super(description);
  }

  toJSON() {
    return {
      ok: false,
      error_code: this.code,
      description: this.description,
      ...(this.parameters && { parameters: this.parameters }),
    };
  }
}

const badRequest = (what: string) => new ApiError(400, `Bad Request: ${what}`);
/** Thrown by the `hangup` fault: the connection is dropped instead of answered. */
const HANGUP = Symbol('hangup');

const DEFAULT_TOKEN = '123456789:TEST-fake-telegram-token';
const MAX_TEXT_LENGTH = 4096;
const MAX_CALLBACK_DATA_BYTES = 64;
const GENERAL_TOPIC_ID = 1;
const DEFAULT_TOPIC_COLOR = 0x6fb9f0;
const DEFAULT_GROUP_MEMBER_ID = 10_001;
/** Update types Telegram leaves out unless allowed_updates names them explicitly. */
const OPT_IN_UPDATE_TYPES = ['chat_member', 'message_reaction', 'message_reaction_count'];
const BLOCKED = 'Forbidden: bot was blocked by the user';
const NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';
const COMMAND_PATTERN = /^[a-z0-9_]{1,32}$/;
const SECRET_TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;

export class FakeTelegram {
  readonly token: string;
  readonly botUser: UserFromGetMe;
  /** Every request that reached `/bot<token>/<method>`, in arrival order (including failed ones). */
  readonly calls: RecordedCall[] = [];

  private readonly server: Server;
  private readonly maxLongPollMs: number;
  /** Aborted by `close()`: ends long polls and slow answers at once. */
  private readonly shutdown = new AbortController();
  private readonly faults = new Map<string, Fault[]>();
  private readonly blocked = new Set<number>();
  private readonly chats = new Map<number, Chat>();
  /** Messages the fake knows (the bot's own and those built by the update helpers), by `chatId:messageId`. */
  private readonly messages = new Map<string, Message>();
  private readonly topics = new Map<number, Map<number, ForumTopic>>();
  private readonly commands = new Map<string, BotCommand[]>();
  private webhookState: WebhookState | undefined;

  /** Unconfirmed updates, sorted by update_id, as Telegram keeps them until an offset confirms them. */
  private queue: QueuedUpdate[] = [];
  /** Every update ever queued, so `redeliver` can put a confirmed one back. */
  private readonly history = new Map<number, Update>();
  /** The subscription set by the last allowed_updates; undefined means Telegram's default. */
  private allowedUpdates: string[] | undefined;
  /** Wake-up callbacks of pending long polls. */
  private readonly pollWaiters = new Set<() => void>();
  /** The pending getUpdates; a newer one terminates it with 409, like Telegram. */
  private activePoll: AbortController | undefined;

  private nextUpdateId = 1;
  private nextMessageId = 1;
  private nextCallbackQueryId = 1;

  private readonly handlers: Record<string, Handler> = {
    getMe: () => this.botUser,
    logOut: () => true,
    close: () => true,
    getUpdates: (p, signal) => this.getUpdates(p, signal),
    setWebhook: (p) => this.setWebhook(p),
    deleteWebhook: (p) => this.deleteWebhook(p),
    getWebhookInfo: () => this.webhookInfo(),
    sendMessage: (p) => this.sendMessage(p),
    editMessageText: (p) => this.editMessage(p, 'text'),
    editMessageReplyMarkup: (p) => this.editMessage(p, 'markup'),
    deleteMessage: (p) => this.deleteMessage(p),
    sendChatAction: (p) => this.sendChatAction(p),
    answerCallbackQuery: (p) => this.answerCallbackQuery(p),
    setMyCommands: (p) => this.setMyCommands(p),
    getMyCommands: (p) => this.commands.get(commandsKey(p)) ?? [],
    deleteMyCommands: (p) => this.deleteMyCommands(p),
    getChat: (p) => this.getChat(p),
    createForumTopic: (p) => this.createForumTopic(p),
    deleteForumTopic: (p) => this.deleteForumTopic(p),
    setMessageReaction: (p) => this.setMessageReaction(p),
  };
  /** Telegram method names are case-insensitive: lower-case name → canonical name. */
  private readonly methodNames = new Map(
    Object.keys(this.handlers).map((name) => [name.toLowerCase(), name]),
  );

  private constructor(options: FakeTelegramOptions) {
    this.token = options.token ?? DEFAULT_TOKEN;
    this.maxLongPollMs = (options.maxLongPollSeconds ?? 2) * 1000;
    const id = Number(this.token.split(':')[0]);
    this.botUser = {
      id: Number.isSafeInteger(id) && id > 0 ? id : 123456789,
      is_bot: true,
      first_name: 'Test Bot',
      username: 'test_bot',
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
      can_manage_bots: false,
      supports_join_request_queries: false,
    };
    this.server = createServer((req, res) => {
      // A dropped client must never crash the test process.
      req.on('error', () => {});
      res.on('error', () => {});
      this.handle(req, res).catch(() => res.destroy());
    });
    this.server.on('clientError', (_error, socket) => socket.destroy());
  }

  static async start(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
    const fake = new FakeTelegram(options);
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(0, '127.0.0.1', () => resolve());
    });
    return fake;
  }

  /** `http://127.0.0.1:<port>`, for grammY's `client.apiRoot`. */
  get apiRoot(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    this.shutdown.abort();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      // Long polls and grammY's keep-alive sockets would otherwise hold close() open.
      this.server.closeAllConnections();
    });
  }

  // ── Inspecting calls ──────────────────────────────────────────────────────────────────────────────────

  callsOf(method: string): RecordedCall[] {
    const name = this.canonicalName(method);
    return this.calls.filter((call) => call.method === name);
  }

  /** Payloads of the sendMessage calls that succeeded, i.e. of the messages that reached a chat. */
  sent(): Payload[] {
    return this.callsOf('sendMessage')
      .filter((call) => call.ok === true)
      .map((call) => call.payload);
  }

  /**
   * The most calls of `method` that arrived within any sliding `windowMs` (Telegram's "30 messages per
   * second" is about every second, not calendar seconds). Every arrival counts, failed ones included.
   */
  maxInWindow(method: string, windowMs = 1000): number {
    return maxInWindow(
      this.callsOf(method).map((call) => call.at),
      windowMs,
    );
  }

  /** Forgets the recorded calls (not faults, chats or updates). */
  clear(): void {
    this.calls.length = 0;
  }

  /** Resolves once `count` calls of `method` have finished (successfully or not); for asynchronous bots. */
  async waitForCalls(method: string, count = 1, timeoutMs = 2000): Promise<RecordedCall[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const finished = this.callsOf(method).filter((call) => call.ok !== undefined);
      if (finished.length >= count) return finished;
      if (Date.now() > deadline) {
        throw new Error(
          `expected ${count} finished ${method} call(s) within ${timeoutMs} ms, saw ${finished.length}`,
        );
      }
      await delay(10);
    }
  }

  // ── Configuring the world ─────────────────────────────────────────────────────────────────────────────

  /** Makes one of the bot's messages look `seconds` older (the 48-hour limit of deleteMessage). */
  ageMessage(chatId: number, messageId: number, seconds: number): void {
    const key = messageKey(chatId, messageId);
    const message = this.messages.get(key);
    if (!message) throw new Error(`no message ${messageId} in chat ${chatId}`);
    this.messages.set(key, { ...message, date: message.date - seconds } as Message);
  }

  /** Registers a chat the bot knows (getChat, createForumTopic and the update helpers use it). */
  setChat(setup: ChatSetup): Chat {
    if (setup.is_forum && setup.type !== 'supergroup') throw new Error('only supergroups can be forums');
    const chat: Chat =
      setup.type === 'private'
        ? privateChat(setup.id, setup.first_name, setup.username)
        : setup.type === 'group'
          ? { id: setup.id, type: 'group', title: setup.title ?? 'Test Group' }
          : {
              id: setup.id,
              type: 'supergroup',
              title: setup.title ?? 'Test Supergroup',
              ...(setup.username && { username: setup.username }),
              ...(setup.is_forum && { is_forum: true }),
            };
    this.chats.set(chat.id, chat);
    return chat;
  }

  /** From now on every message sent to (or edited in) this chat is answered 403 "bot was blocked". */
  blockChat(chatId: number): void {
    this.blocked.add(chatId);
  }

  unblockChat(chatId: number): void {
    this.blocked.delete(chatId);
  }

  /**
   * Makes the next `times` calls of `method` fail with `fault`. Faults queue per method and are consumed in
   * order; the failing call is still recorded (with `fault` set) so tests can count attempts.
   */
  failNext(method: string, fault: Fault, times = 1): void {
    const name = this.canonicalName(method);
    const pending = this.faults.get(name) ?? [];
    for (let i = 0; i < times; i++) pending.push(fault);
    this.faults.set(name, pending);
  }

  get webhook(): Readonly<WebhookState> | undefined {
    return this.webhookState;
  }

  /** Updates queued and not yet confirmed by a getUpdates offset. */
  get pendingUpdates(): Update[] {
    return this.queue.map((entry) => entry.update);
  }

  // ── Incoming updates ──────────────────────────────────────────────────────────────────────────────────

  /** Queues an update for getUpdates (assigning the next update_id if it has none) and wakes a long poll. */
  pushUpdate(update: Omit<Update, 'update_id'> & { update_id?: number }): Update {
    const full = { ...update, update_id: update.update_id ?? this.nextUpdateId++ } as Update;
    this.nextUpdateId = Math.max(this.nextUpdateId, full.update_id + 1);
    if (full.message) this.remember(full.message);
    this.enqueue(full, false);
    return full;
  }

  /**
   * Puts an already confirmed update back in the queue, as Telegram does when it believes a delivery failed.
   * It is handed out once more regardless of the poller's offset.
   */
  redeliver(updateId: number): void {
    const update = this.history.get(updateId);
    if (!update) throw new Error(`update ${updateId} was never pushed`);
    if (this.queue.some((entry) => entry.update.update_id === updateId)) return; // still pending anyway
    this.enqueue(update, true);
  }

  /**
   * POSTs `update` to the URL set by setWebhook (with the secret header, as Telegram does) and, like Telegram,
   * runs a Bot API call returned in the response body (grammY's webhook reply). Nothing is queued.
   */
  async deliverWebhook(update: Update): Promise<{ status: number; body: string }> {
    const hook = this.webhookState;
    if (!hook) throw new Error('no webhook is set; call setWebhook first');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (hook.secret_token) headers['x-telegram-bot-api-secret-token'] = hook.secret_token;
    const response = await fetch(hook.url, { method: 'POST', headers, body: JSON.stringify(update) });
    const body = await response.text();
    if (response.ok) await this.runWebhookReply(body);
    return { status: response.status, body };
  }

  // Update builders: each returns a fresh Update (new update_id) without queuing it. Private chats get
  // `chat.id === from.id`; a chat that writes to the bot becomes known to it (getChat works afterwards).

  textUpdate(chatId: number, text: string, from?: Partial<User>): Update {
    return this.messageUpdate(chatId, from, { text });
  }

  /** `command` is the whole text, e.g. '/start' or '/start payload'. */
  commandUpdate(chatId: number, command: string, from?: Partial<User>): Update {
    const length = command.split(/\s/, 1)[0]?.length ?? command.length;
    return this.messageUpdate(chatId, from, {
      text: command,
      entities: [{ type: 'bot_command', offset: 0, length }],
    });
  }

  /**
   * A shared contact. `userId` defaults to the sender (what a request_contact button produces); pass another
   * id to simulate someone forwarding a stranger's contact card.
   */
  contactUpdate(chatId: number, phone: string, userId?: number): Update {
    const sender = this.senderFor(this.chatOf(chatId));
    const contact = { phone_number: phone, first_name: sender.first_name, user_id: userId ?? sender.id };
    return this.messageUpdate(chatId, undefined, { contact });
  }

  /**
   * A group member's reply to a message the fake knows (e.g. the bot's post), in that message's forum topic
   * if it has one — what a dispatcher does to answer a family from the staff chat. `text` undefined: a photo.
   */
  replyUpdate(
    chatId: number,
    replyToMessageId: number,
    text: string | undefined,
    from: Partial<User>,
  ): Update {
    const chat = this.chatOf(chatId);
    const original = this.messages.get(messageKey(chat.id, replyToMessageId));
    if (!original) throw new Error(`replyUpdate: message ${replyToMessageId} of chat ${chatId} is unknown`);
    const thread = original.message_thread_id;
    return this.messageUpdate(chatId, from, {
      reply_to_message: original,
      ...(thread !== undefined && { message_thread_id: thread, is_topic_message: true }),
      ...(text === undefined
        ? { photo: [{ file_id: 'p', file_unique_id: 'p', width: 90, height: 90 }] }
        : { text }),
    });
  }

  /** Every message the bot has sent and that still exists, in the order they were sent. */
  botMessages(): Message[] {
    return [...this.messages.values()].filter((message) => message.from?.id === this.botUser.id);
  }

  /** Reactions the bot set, by chat and message: `${chatId}:${messageId}` → emoji. */
  readonly reactions = new Map<string, string[]>();

  photoUpdate(chatId: number, caption?: string): Update {
    const fileId = `AgACAgIAAxkBAAI${this.nextMessageId}`;
    const photo: PhotoSize[] = [90, 320, 800].map((size, index) => ({
      file_id: `${fileId}-${index}`,
      file_unique_id: `AQAD${this.nextMessageId}${index}`,
      width: size,
      height: Math.round(size * 0.75),
      file_size: size * 40,
    }));
    return this.messageUpdate(chatId, undefined, { photo, ...(caption !== undefined && { caption }) });
  }

  /**
   * A button tap on `messageId` (a message the bot sent, if the fake knows it; otherwise a bot message with a
   * single button carrying `data` is made up, so editing it afterwards works).
   */
  callbackUpdate(chatId: number, data: string, messageId?: number, from?: Partial<User>): Update {
    const chat = this.chatOf(chatId);
    const known = messageId === undefined ? undefined : this.messages.get(messageKey(chat.id, messageId));
    const message = known ?? this.madeUpBotMessage(chat, data, messageId);
    const callback_query = {
      id: `${this.botUser.id}${String(this.nextCallbackQueryId++).padStart(8, '0')}`,
      from: this.senderFor(chat, from),
      message,
      // Telegram's chat_instance is an opaque string that is stable per chat.
      chat_instance: String(Math.abs(chat.id) * 7919 + 13),
      data,
    };
    return { update_id: this.nextUpdateId++, callback_query } as Update;
  }

  // ── HTTP ──────────────────────────────────────────────────────────────────────────────────────────────

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const route = /^\/bot([^/]+)\/(?:test\/)?([A-Za-z]+)\/?$/.exec(
      new URL(req.url ?? '/', 'http://fake').pathname,
    );
    if (!route) return answer(res, 404, new ApiError(404, 'Not Found').toJSON());
    const [, token, rawMethod = ''] = route;
    const call: RecordedCall = { method: this.canonicalName(rawMethod), payload: {}, at: Date.now() };
    this.calls.push(call);
    const signal = this.requestSignal(res);
    try {
      call.payload = await readPayload(req);
      if (token !== this.token) throw new ApiError(401, 'Unauthorized');
      const fault = this.faults.get(call.method)?.shift();
      if (fault) {
        call.fault = fault;
        await this.applyFault(fault);
      }
      if (this.shutdown.signal.aborted) return;
      const result = await this.execute(call.method, call.payload, signal);
      call.ok = true;
      answer(res, 200, { ok: true, result });
    } catch (error) {
      call.ok = false;
      if (error instanceof ApiError) {
        call.error = error.description;
        answer(res, error.code, error.toJSON());
      } else if (error === HANGUP) {
        call.error = 'hangup';
        res.destroy();
      } else {
        // A bug in the fake: answer like Telegram's own failures, but say what went wrong.
        call.error = `Internal Server Error: ${String(error)}`;
        answer(res, 500, { ok: false, error_code: 500, description: call.error });
      }
    }
  }

  /** Aborts when the client goes away before the answer (e.g. grammY's bot.stop()) or the fake closes. */
  private requestSignal(res: ServerResponse): AbortSignal {
    const gone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) gone.abort();
    });
    return AbortSignal.any([gone.signal, this.shutdown.signal]);
  }

  private async applyFault(fault: Fault): Promise<void> {
    switch (fault.kind) {
      case 'rateLimit':
        throw new ApiError(429, `Too Many Requests: retry after ${fault.retryAfter}`, {
          retry_after: fault.retryAfter,
        });
      case 'blocked':
        throw new ApiError(403, BLOCKED);
      case 'deactivated':
        throw new ApiError(403, 'Forbidden: user is deactivated');
      case 'serverError':
        throw new ApiError(500, 'Internal Server Error');
      case 'hangup':
        throw HANGUP;
      case 'slow':
        // Deliberately not cut short when the client gives up: Telegram still carries out a request whose
        // caller timed out, which is exactly how retried sends end up duplicated.
        await delay(fault.ms, this.shutdown.signal);
    }
  }

  private async execute(method: string, payload: Payload, signal: AbortSignal): Promise<unknown> {
    const handler = this.handlers[method];
    if (!handler) throw new ApiError(404, 'Not Found: method not found');
    return handler(payload, signal);
  }

  private canonicalName(method: string): string {
    return this.methodNames.get(method.toLowerCase()) ?? method;
  }

  private async runWebhookReply(body: string): Promise<void> {
    let reply: Payload;
    try {
      reply = JSON.parse(body);
    } catch {
      return;
    }
    if (typeof reply?.method !== 'string') return;
    const { method, ...payload } = reply;
    const call: RecordedCall = {
      method: this.canonicalName(method),
      payload,
      at: Date.now(),
      viaWebhookReply: true,
    };
    this.calls.push(call);
    try {
      await this.execute(call.method, payload, this.shutdown.signal);
      call.ok = true;
    } catch (error) {
      // Telegram never reports a failed webhook reply back to the bot; the record is all there is.
      call.ok = false;
      call.error = error instanceof ApiError ? error.description : String(error);
    }
  }

  // ── Long polling ──────────────────────────────────────────────────────────────────────────────────────

  private async getUpdates(p: Payload, signal: AbortSignal): Promise<Update[]> {
    if (this.webhookState) {
      throw new ApiError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    }
    this.activePoll?.abort();
    const mine = new AbortController();
    this.activePoll = mine;
    try {
      this.confirm(Number(p.offset ?? 0));
      if (Array.isArray(p.allowed_updates)) {
        this.allowedUpdates = p.allowed_updates.length > 0 ? p.allowed_updates.map(String) : undefined;
      }
      const limit = Math.min(Math.max(Number(p.limit ?? 100) || 100, 1), 100);
      const deadline = Date.now() + Math.min(Number(p.timeout ?? 0) * 1000, this.maxLongPollMs);
      for (;;) {
        if (signal.aborted) return []; // nobody is listening: hand out nothing
        if (mine.signal.aborted) {
          throw new ApiError(
            409,
            'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
          );
        }
        const batch = this.takeBatch(limit);
        if (batch.length > 0 || Date.now() >= deadline) return batch;
        await this.waitForUpdate(deadline - Date.now(), AbortSignal.any([signal, mine.signal]));
      }
    } finally {
      if (this.activePoll === mine) this.activePoll = undefined;
    }
  }

  /** Telegram's offset: every update below it is confirmed and forgotten; a negative one keeps the last -offset. */
  private confirm(offset: number): void {
    if (!offset) return;
    if (offset < 0) {
      this.queue = this.queue.slice(offset);
      return;
    }
    this.queue = this.queue.filter((entry) => entry.update.update_id >= offset || entry.redelivered);
  }

  private takeBatch(limit: number): Update[] {
    // Telegram never produces updates of a type the bot is not subscribed to.
    this.queue = this.queue.filter((entry) => this.isSubscribed(entry.update));
    const batch = this.queue.slice(0, limit);
    for (const entry of batch) entry.redelivered = false; // from now on the offset confirms it as usual
    return batch.map((entry) => entry.update);
  }

  private isSubscribed(update: Update): boolean {
    const type = Object.keys(update).find((key) => key !== 'update_id') ?? '';
    return this.allowedUpdates ? this.allowedUpdates.includes(type) : !OPT_IN_UPDATE_TYPES.includes(type);
  }

  private enqueue(update: Update, redelivered: boolean): void {
    this.history.set(update.update_id, update);
    const at = this.queue.findIndex((entry) => entry.update.update_id > update.update_id);
    this.queue.splice(at === -1 ? this.queue.length : at, 0, { update, redelivered });
    for (const wake of [...this.pollWaiters]) wake();
  }

  /** Resolves when an update is queued, after `ms`, or on abort, whichever comes first. */
  private waitForUpdate(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.pollWaiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(ms, 0));
      this.pollWaiters.add(done);
      signal.addEventListener('abort', done);
    });
  }

  // ── Webhook ───────────────────────────────────────────────────────────────────────────────────────────

  private setWebhook(p: Payload): true {
    const url = String(p.url ?? '');
    if (!url) return this.deleteWebhook(p);
    if (!URL.canParse(url)) throw badRequest('invalid webhook URL specified');
    if (p.secret_token !== undefined && !SECRET_TOKEN_PATTERN.test(String(p.secret_token))) {
      throw badRequest('secret token contains unallowed characters');
    }
    // Unlike Telegram, plain http:// URLs are accepted so tests can point the webhook at a local server.
    this.webhookState = {
      url,
      ...(p.secret_token !== undefined && { secret_token: String(p.secret_token) }),
      ...(Array.isArray(p.allowed_updates) && { allowed_updates: p.allowed_updates.map(String) }),
      ...(p.max_connections !== undefined && { max_connections: Number(p.max_connections) }),
    };
    if (Array.isArray(p.allowed_updates)) {
      this.allowedUpdates = p.allowed_updates.length > 0 ? p.allowed_updates.map(String) : undefined;
    }
    if (isTrue(p.drop_pending_updates)) this.queue = [];
    return true;
  }

  private deleteWebhook(p: Payload): true {
    this.webhookState = undefined;
    if (isTrue(p.drop_pending_updates)) this.queue = [];
    return true;
  }

  private webhookInfo(): WebhookInfo {
    const hook = this.webhookState;
    return {
      url: hook?.url ?? '',
      has_custom_certificate: false,
      pending_update_count: this.queue.length,
      ...(hook?.max_connections !== undefined && { max_connections: hook.max_connections }),
      ...(hook?.allowed_updates && {
        allowed_updates: hook.allowed_updates as WebhookInfo['allowed_updates'],
      }),
    };
  }

  // ── Messages ──────────────────────────────────────────────────────────────────────────────────────────

  private sendMessage(p: Payload): Message {
    const chat = this.chatFor(p.chat_id);
    this.assertReachable(chat.id);
    const text = checkText(p.text);
    const markup = checkInlineKeyboard(p.reply_markup);
    const threadId = this.checkThread(chat, p.message_thread_id);
    const message = {
      message_id: this.nextMessageId++,
      from: this.botAsSender(),
      chat,
      date: nowSeconds(),
      ...(threadId !== undefined && { message_thread_id: threadId, is_topic_message: true }),
      text,
      // Telegram echoes only inline keyboards; reply keyboards are not part of the returned Message.
      ...(markup && { reply_markup: markup }),
    } as Message;
    this.remember(message);
    return message;
  }

  private setMessageReaction(p: Payload): true {
    const chat = this.chatFor(p.chat_id);
    const key = messageKey(chat.id, Number(p.message_id));
    if (!this.messages.has(key)) throw badRequest('message to react not found');
    const reaction = (p.reaction ?? []) as Array<{ type: string; emoji?: string }>;
    this.reactions.set(
      `${chat.id}:${p.message_id}`,
      reaction.map((r) => r.emoji ?? r.type),
    );
    return true;
  }

  /** editMessageText / editMessageReplyMarkup. Omitting reply_markup removes the keyboard, as on Telegram. */
  private editMessage(p: Payload, part: 'text' | 'markup'): Message | true {
    const text = part === 'text' ? checkText(p.text) : undefined;
    const markup = checkInlineKeyboard(p.reply_markup);
    if (p.inline_message_id !== undefined) return true; // inline messages are not tracked; Telegram answers true
    const chat = this.chatFor(p.chat_id);
    this.assertReachable(chat.id);
    const key = messageKey(chat.id, Number(p.message_id));
    const current = this.messages.get(key);
    if (!current) throw badRequest('message to edit not found');
    if (current.from?.id !== this.botUser.id) throw badRequest("message can't be edited");
    const newText = text ?? current.text;
    if (newText === current.text && sameKeyboard(markup, current.reply_markup))
      throw badRequest(NOT_MODIFIED);
    const { reply_markup: _old, ...rest } = current;
    const edited = {
      ...rest,
      text: newText,
      edit_date: nowSeconds(),
      ...(markup && { reply_markup: markup }),
    };
    this.messages.set(key, edited as Message);
    return edited as Message;
  }

  private deleteMessage(p: Payload): true {
    const chat = this.chatFor(p.chat_id);
    const key = messageKey(chat.id, Number(p.message_id));
    const message = this.messages.get(key);
    if (!message) throw badRequest('message to delete not found');
    // Bots may delete messages for 48 hours only (Bot API deleteMessage).
    if (nowSeconds() - message.date > BOT_DELETE_WINDOW_S)
      throw badRequest("message can't be deleted for everyone");
    this.messages.delete(key);
    return true;
  }

  /** Deletes a forum topic with all its messages. */
  private deleteForumTopic(p: Payload): true {
    const chat = this.knownChat(p.chat_id);
    const threadId = Number(p.message_thread_id);
    if (!this.topics.get(chat.id)?.delete(threadId)) throw badRequest('TOPIC_ID_INVALID');
    for (const [key, message] of this.messages) {
      if (message.chat.id === chat.id && message.message_thread_id === threadId) this.messages.delete(key);
    }
    return true;
  }

  private sendChatAction(p: Payload): true {
    this.assertReachable(this.chatFor(p.chat_id).id);
    return true;
  }

  private answerCallbackQuery(p: Payload): true {
    if (!p.callback_query_id) {
      throw badRequest('query is too old and response timeout expired or query ID is invalid');
    }
    return true;
  }

  private setMyCommands(p: Payload): true {
    const commands: BotCommand[] = Array.isArray(p.commands) ? p.commands : [];
    if (commands.length > 100) throw badRequest('too many commands');
    for (const { command } of commands) {
      if (!COMMAND_PATTERN.test(String(command))) throw badRequest('BOT_COMMAND_INVALID');
    }
    this.commands.set(commandsKey(p), commands);
    return true;
  }

  private deleteMyCommands(p: Payload): true {
    this.commands.delete(commandsKey(p));
    return true;
  }

  // ── Chats and topics ──────────────────────────────────────────────────────────────────────────────────

  private getChat(p: Payload): ChatFullInfo {
    const chat = this.knownChat(p.chat_id);
    return {
      ...chat,
      accent_color_id: 0,
      max_reaction_count: 11,
      accepted_gift_types: {
        unlimited_gifts: false,
        limited_gifts: false,
        unique_gifts: false,
        premium_subscription: false,
        gifts_from_channels: false,
      },
    } as ChatFullInfo;
  }

  private createForumTopic(p: Payload): ForumTopic {
    const chat = this.knownChat(p.chat_id);
    if (!chat.is_forum) throw badRequest('the chat is not a forum');
    if (!p.name) throw badRequest('TOPIC_TITLE_EMPTY');
    // A topic's thread id is the id of the service message that opened it, so it shares the message counter.
    const topic: ForumTopic = {
      message_thread_id: this.nextMessageId++,
      name: String(p.name),
      icon_color: Number(p.icon_color ?? DEFAULT_TOPIC_COLOR),
      ...(p.icon_custom_emoji_id && { icon_custom_emoji_id: String(p.icon_custom_emoji_id) }),
    };
    const topics = this.topics.get(chat.id) ?? new Map<number, ForumTopic>();
    topics.set(topic.message_thread_id, topic);
    this.topics.set(chat.id, topics);
    return topic;
  }

  /** In a forum the thread must exist (or be General); elsewhere Telegram ignores it, and so do we. */
  private checkThread(chat: Chat, raw: unknown): number | undefined {
    if (raw === undefined || raw === null || !chat.is_forum) return undefined;
    const threadId = Number(raw);
    if (threadId !== GENERAL_TOPIC_ID && !this.topics.get(chat.id)?.has(threadId)) {
      throw badRequest('message thread not found');
    }
    return threadId;
  }

  /** The chat for a send: a known one, or one inferred from the id (sends are lenient so tests need no setup). */
  private chatFor(raw: unknown): Chat {
    const id = this.parseChatId(raw);
    return this.chats.get(id) ?? inferChat(id);
  }

  /** The chat for getChat-like methods: only chats the bot knows. */
  private knownChat(raw: unknown): Chat {
    const chat = this.chats.get(this.parseChatId(raw));
    if (!chat) throw badRequest('chat not found');
    return chat;
  }

  /** The chat for an incoming update: a chat writing to the bot becomes known to it. */
  private chatOf(id: number): Chat {
    const chat = this.chats.get(id) ?? inferChat(id);
    this.chats.set(id, chat);
    return chat;
  }

  private parseChatId(raw: unknown): number {
    if (raw === undefined || raw === null || raw === '') throw badRequest('chat_id is empty');
    const text = String(raw);
    if (/^-?\d+$/.test(text)) return Number(text);
    const byUsername = [...this.chats.values()].find((chat) => chat.username && `@${chat.username}` === text);
    if (byUsername) return byUsername.id;
    throw badRequest('chat not found');
  }

  private assertReachable(chatId: number): void {
    if (this.blocked.has(chatId)) throw new ApiError(403, BLOCKED);
  }

  // ── Building messages ─────────────────────────────────────────────────────────────────────────────────

  private messageUpdate(chatId: number, from: Partial<User> | undefined, content: object): Update {
    const chat = this.chatOf(chatId);
    const message = {
      message_id: this.nextMessageId++,
      from: this.senderFor(chat, from),
      chat,
      date: nowSeconds(),
      ...content,
    } as Message;
    this.remember(message);
    return { update_id: this.nextUpdateId++, message } as Update;
  }

  /** The person writing: in a private chat that is the chat itself (same id), in a group a default member. */
  private senderFor(chat: Chat, from: Partial<User> = {}): User {
    if (chat.type === 'private' && from.id !== undefined && from.id !== chat.id) {
      throw new Error(`in a private chat the sender is the chat: from.id ${from.id} !== chat.id ${chat.id}`);
    }
    const id = chat.type === 'private' ? chat.id : (from.id ?? DEFAULT_GROUP_MEMBER_ID);
    return {
      id,
      is_bot: false,
      first_name: chat.type === 'private' ? chat.first_name : 'Test',
      last_name: 'User',
      username: `user${id}`,
      language_code: 'ru',
      ...from,
    };
  }

  private madeUpBotMessage(chat: Chat, data: string, messageId?: number): Message {
    const id = messageId ?? this.nextMessageId++;
    this.nextMessageId = Math.max(this.nextMessageId, id + 1);
    const message = {
      message_id: id,
      from: this.botAsSender(),
      chat,
      date: nowSeconds(),
      text: 'Test message',
      reply_markup: { inline_keyboard: [[{ text: data, callback_data: data }]] },
    } as Message;
    this.remember(message);
    return message;
  }

  /** The bot as it appears in `message.from`: a plain User, without getMe's capability flags. */
  private botAsSender(): User {
    const { id, first_name, username } = this.botUser;
    return { id, is_bot: true, first_name, username };
  }

  private remember(message: Message): void {
    this.messages.set(messageKey(message.chat.id, message.message_id), message);
  }
}

/** The most timestamps within any half-open window [t, t + windowMs) starting at one of them. */
export function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last++) {
    while ((sorted[last] as number) - (sorted[first] as number) >= windowMs) first++;
    best = Math.max(best, last - first + 1);
  }
  return best;
}

// ── Helpers ─────────────────────────────────────────────────────────────────────────────────────────────

function answer(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed || res.writableEnded) return; // the client already left
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

/** JSON (what grammY sends), form-urlencoded or query-string parameters, like the real Bot API accepts. */
async function readPayload(req: IncomingMessage): Promise<Payload> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  const query = fromParams(new URL(req.url ?? '/', 'http://fake').searchParams);
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'multipart/form-data') throw badRequest('multipart/form-data is not supported by the fake');
  if (type === 'application/json' && raw.trim() !== '') {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw badRequest("can't parse JSON");
    }
    return typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...query, ...body } : query;
  }
  return { ...query, ...fromParams(new URLSearchParams(raw)) };
}

/** Form values are strings; Telegram JSON-decodes the structured ones (reply_markup, allowed_updates, ...). */
function fromParams(params: URLSearchParams): Payload {
  const payload: Payload = {};
  for (const [key, value] of params) {
    payload[key] = value;
    if (/^\s*[[{]/.test(value)) {
      try {
        payload[key] = JSON.parse(value);
      } catch {
        // not JSON after all: keep the string
      }
    }
  }
  return payload;
}

/** Length is counted in UTF-16 code units, which is what JavaScript's `length` gives. */
function checkText(raw: unknown): string {
  const text = raw === undefined || raw === null ? '' : String(raw);
  if (text.trim() === '') throw badRequest('message text is empty');
  if (text.length > MAX_TEXT_LENGTH) throw badRequest('message is too long');
  return text;
}

/** Validates callback_data (1-64 bytes of UTF-8, not characters) and returns the keyboard if it is inline. */
function checkInlineKeyboard(markup: unknown): InlineKeyboardMarkup | undefined {
  const rows = (markup as Partial<InlineKeyboardMarkup> | undefined)?.inline_keyboard;
  if (!Array.isArray(rows)) return undefined;
  for (const row of rows) {
    for (const button of Array.isArray(row) ? row : []) {
      if (typeof button !== 'object' || button === null || !('callback_data' in button)) continue;
      const bytes = Buffer.byteLength(String(button.callback_data), 'utf8');
      if (bytes < 1 || bytes > MAX_CALLBACK_DATA_BYTES) throw badRequest('BUTTON_DATA_INVALID');
    }
  }
  return markup as InlineKeyboardMarkup;
}

function sameKeyboard(a: InlineKeyboardMarkup | undefined, b: InlineKeyboardMarkup | undefined): boolean {
  const normalize = (markup: InlineKeyboardMarkup | undefined) =>
    markup?.inline_keyboard.length ? JSON.stringify(markup.inline_keyboard) : '';
  return normalize(a) === normalize(b);
}

/** Telegram's id ranges: users are positive, supergroups are -100…, basic groups other negatives. */
function inferChat(id: number): Chat {
  if (id > 0) return privateChat(id);
  if (id <= -1_000_000_000_000) return { id, type: 'supergroup', title: 'Test Supergroup' };
  return { id, type: 'group', title: 'Test Group' };
}

function privateChat(id: number, firstName = 'Test', username = `user${id}`): Chat.PrivateChat {
  return { id, type: 'private', first_name: firstName, last_name: 'User', username };
}

function commandsKey(p: Payload): string {
  return JSON.stringify([p.scope ?? { type: 'default' }, p.language_code ?? '']);
}

const BOT_DELETE_WINDOW_S = 48 * 3600;

function messageKey(chatId: number, messageId: number): string {
  return `${chatId}:${messageId}`;
}

function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done);
  });
}
