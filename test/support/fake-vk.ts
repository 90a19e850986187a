/**
 * A fake VK API server for tests.
 *
 * The real vk-io client talks to it over loopback HTTP:
 *
 *   const fake = await FakeVk.start();
 *   const vk = new VK({
 *     token: fake.token,
 *     apiBaseUrl: fake.apiBaseUrl,
 *     pollingGroupId: fake.groupId,
 *     agent: fake.agent, // required: vk-io's default agent is https.globalAgent, which refuses http:// URLs
 *     apiLimit: 20,
 *     apiRetryLimit: 0,
 *   });
 *
 * It speaks the wire protocol (`POST <apiBaseUrl>/<method>` with a form-urlencoded body carrying
 * `access_token` and `v`, answered with HTTP 200 and `{ response }` or `{ error: { error_code, error_msg,
 * request_params } }`), serves the group Long Poll (`groups.getLongPollServer`, then `GET <server>?act=a_check
 * &key&ts&wait` answered `{ ts, updates }` or `{ failed }`), records every call, keeps just enough state to
 * answer realistically (message ids, random_id de-duplication, per-peer permission), validates the limits
 * that bots trip over in production (4096-character messages, keyboard sizes, 255-character payloads) and
 * can inject the failures an adapter must survive (VK error codes, HTTP 500, slow answers, dropped
 * connections, Long Poll `failed`).
 *
 * Error codes and messages are VK's own where the adapter may match on them.
 */
import { randomBytes } from 'node:crypto';
import { Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { AddressInfo } from 'node:net';

// biome-ignore lint/suspicious/noExplicitAny: params are whatever the client sent; tests read their fields freely.
export type Payload = Record<string, any>;

/** A failure to inject into the next call(s) of a method; see `failNext`. */
export type Fault =
  /** An API error answer (HTTP 200, `{ error }`), e.g. 6 too many requests, 9 flood control, 10, 901. */
  | { kind: 'error'; code: number; message?: string }
  /** A non-JSON answer with this HTTP status, as VK's nginx gives when a backend is down. */
  | { kind: 'http'; status: number }
  /** Answers after `ms` (and still carries out the call even if the client gave up meanwhile). */
  | { kind: 'slow'; ms: number }
  /** Drops the connection without answering; the call is not carried out. */
  | { kind: 'hangup' };

/** What the next a_check answers instead of events; see `failLongPoll`. */
export interface LongPollFault {
  failed: 1 | 2 | 3;
  /** For `failed: 1`: the ts handed back (default: the current one, so undelivered events are skipped). */
  ts?: number;
}

export interface RecordedCall {
  /** The API method (`messages.send`, …) or `a_check` for a Long Poll request. */
  method: string;
  /** The parameters as sent (form values are strings), without `access_token`. */
  params: Payload;
  /** `Date.now()` when the request arrived. */
  at: number;
  /** The injected fault this call consumed, if any. */
  fault?: Fault | LongPollFault;
  /** true once the call succeeded, false once it failed (error answer, hang-up, abort); unset while in flight. */
  ok?: boolean;
  /** The `error_msg` of an error answer, or 'hangup', 'HTTP <status>', 'failed: <n>', 'aborted'. */
  error?: string;
  /** The `error_code` of an error answer. */
  errorCode?: number;
  /** What `response` carried on success. */
  response?: unknown;
  /** A messages.send that VK de-duplicated by random_id: answered with the earlier id, nothing delivered. */
  duplicate?: true;
}

/** A group event as VK delivers it by Long Poll and (plus `secret`) by Callback API. */
export interface VkEvent {
  group_id: number;
  type: string;
  event_id: string;
  v: string;
  object: Payload;
}

export interface VkUser {
  id: number;
  first_name: string;
  last_name: string;
  can_access_closed?: boolean;
  is_closed?: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: extra fields (sex, photo_100, …) as VK returns them.
  [field: string]: any;
}

export interface FakeVkOptions {
  token?: string;
  groupId?: number;
  /** Upper bound on how long an a_check waits, so a poller never holds a test for vk-io's `wait=25`. */
  maxLongPollSeconds?: number;
}

export interface MessageNewOptions {
  /** Becomes the message's `payload` (a JSON string, as VK delivers a button's payload). */
  payload?: object;
  // biome-ignore lint/suspicious/noExplicitAny: attachments are VK objects of many shapes.
  attachments?: any[];
  /** The sender; in a private dialog it must be the peer itself (the default), in a chat any user. */
  fromId?: number;
}

type Handler = (params: Payload, call: RecordedCall) => unknown;

/** A VK API error answer. Handlers throw it; the server turns it into `{ error: … }`. */
class VkApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
  ) {
    super(description);
  }

  toJSON(method: string, params: Payload) {
    // VK echoes the request back, without the token; `oauth: 1` says one was given.
    const request_params = [
      { key: 'method', value: method },
      { key: 'oauth', value: '1' },
      ...Object.entries(params).map(([key, value]) => ({ key, value: String(value) })),
    ];
    return { error: { error_code: this.code, error_msg: this.description, request_params } };
  }
}

const invalidParam = (what: string) =>
  new VkApiError(100, `One of the parameters specified was missing or invalid: ${what}`);
/** Thrown by the `hangup` fault: the connection is dropped instead of answered. */
const HANGUP = Symbol('hangup');

const DEFAULT_TOKEN = 'vk1.a.TEST-fake-vk-community-token';
const DEFAULT_GROUP_ID = 218000000;
const API_VERSION = '5.199';
/** Peer ids from here up are group chats (peer_id = 2e9 + chat_id). */
const CHAT_PEER_BASE = 2_000_000_000;
/** The member who writes in a group chat unless a builder is told otherwise. */
const DEFAULT_CHAT_MEMBER_ID = 500_001;
const MAX_MESSAGE_LENGTH = 4096;
const MAX_PAYLOAD_LENGTH = 255;
const MAX_LABEL_LENGTH = 40;
const KEYBOARD_LIMITS = {
  inline: { rows: 6, perRow: 5, total: 10 },
  regular: { rows: 10, perRow: 5, total: 40 },
};
const BUTTON_TYPES = new Set(['text', 'callback', 'open_link', 'location', 'vkpay', 'open_app']);
/** These button types always take a whole row. */
const FULL_WIDTH_BUTTON_TYPES = new Set(['location', 'vkpay', 'open_app']);
const BUTTON_COLORS = new Set(['primary', 'secondary', 'negative', 'positive']);
const CLIENT_BUTTON_ACTIONS = [
  'text',
  'vkpay',
  'open_app',
  'location',
  'open_link',
  'callback',
  'intent_subscribe',
  'intent_unsubscribe',
];
const ERROR_MESSAGES: Record<number, string> = {
  1: 'Unknown error occurred',
  3: 'Unknown method passed',
  5: 'User authorization failed: invalid access_token',
  6: 'Too many requests per second',
  7: 'Permission to perform this action is denied',
  9: 'Flood control',
  10: 'Internal server error',
  15: 'Access denied',
  29: 'Rate limit reached',
  100: 'One of the parameters specified was missing or invalid',
  901: "Can't send messages for users without permission",
  902: "Can't send messages to this user due to their privacy settings",
  911: 'Keyboard format is invalid',
  914: 'Message is too long',
  917: "You don't have access to this chat",
};
const NOT_PERMITTED = 901;
const NO_CHAT_ACCESS = 917;
const NGINX_PAGE = (status: number) =>
  `<html>\r\n<head><title>${status} Internal Server Error</title></head>\r\n<body>\r\n<center><h1>${status} Internal Server Error</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;

export class FakeVk {
  readonly token: string;
  readonly groupId: number;
  /**
   * A keep-alive `http.Agent` for vk-io's `agent` option. vk-io defaults to `https.globalAgent`, with which
   * every request to an `http://` URL fails (TypeError ERR_INVALID_PROTOCOL). Typed as vk-io's option type
   * (an https Agent) so it can be passed as is; destroyed by `close()`.
   */
  readonly agent: HttpsAgent;
  /** Every request to an API method or the Long Poll server, in arrival order (including failed ones). */
  readonly calls: RecordedCall[] = [];

  private readonly server: Server;
  private readonly maxLongPollMs: number;
  /** Aborted by `close()`: ends long polls and slow answers at once. */
  private readonly shutdown = new AbortController();
  private readonly faults = new Map<string, Fault[]>();
  private readonly longPollFaults: LongPollFault[] = [];
  private readonly denied = new Set<number>();
  private readonly users = new Map<number, VkUser>();
  /** messages.send de-duplication: `peerId:randomId` → the message id VK answered the first time. */
  private readonly sentByRandomId = new Map<string, number>();
  /** Per peer: the last conversation_message_id used, and the last one the community sent. */
  private readonly lastCmid = new Map<number, number>();
  private readonly lastBotCmid = new Map<number, number>();

  /** The group event log: event number `seq` is what a Long Poll `ts` counts. */
  private readonly log: Array<{ seq: number; event: VkEvent }> = [];
  private nextSeq = 1;
  private longPollKey = newLongPollKey();
  /** Wake-up callbacks of pending long polls. */
  private readonly pollWaiters = new Set<() => void>();
  private nextMessageId = 1;
  private closed = false;

  private readonly handlers: Record<string, Handler> = {
    'groups.getLongPollServer': (p) => this.getLongPollServer(p),
    'groups.getById': (p) => this.getGroupsById(p),
    'messages.send': (p, call) => this.sendMessage(p, call),
    'messages.sendMessageEventAnswer': (p) => this.sendMessageEventAnswer(p),
    'messages.getConversationsById': (p) => this.getConversationsById(p),
    'users.get': (p) => this.getUsers(p),
  };

  private constructor(options: FakeVkOptions) {
    this.token = options.token ?? DEFAULT_TOKEN;
    this.groupId = options.groupId ?? DEFAULT_GROUP_ID;
    this.maxLongPollMs = (options.maxLongPollSeconds ?? 1) * 1000;
    this.agent = new Agent({ keepAlive: true }) as HttpsAgent;
    this.server = createServer((req, res) => {
      // A dropped client must never crash the test process.
      req.on('error', () => {});
      res.on('error', () => {});
      this.handle(req, res).catch(() => res.destroy());
    });
    this.server.on('clientError', (_error, socket) => socket.destroy());
  }

  static async start(options: FakeVkOptions = {}): Promise<FakeVk> {
    const fake = new FakeVk(options);
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(0, '127.0.0.1', () => resolve());
    });
    return fake;
  }

  /** `http://127.0.0.1:<port>/method`, for vk-io's `apiBaseUrl`. */
  get apiBaseUrl(): string {
    return `${this.origin}/method`;
  }

  /** The Long Poll server URL that groups.getLongPollServer hands out. */
  get longPollServer(): string {
    return `${this.origin}/whp/${this.groupId}`;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Pending long polls answer at once (empty), slow answers stop waiting.
    this.shutdown.abort();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
      // Whatever is still open a moment later (a hung request, a busy keep-alive socket) is cut.
      setTimeout(() => this.server.closeAllConnections(), 20).unref();
    });
    this.agent.destroy();
  }

  // ── Inspecting calls ──────────────────────────────────────────────────────────────────────────────────

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /**
   * Params of the messages.send calls that delivered a message (succeeded and were not de-duplicated), with
   * `keyboard` parsed into an object.
   */
  sent(): Payload[] {
    return this.callsOf('messages.send')
      .filter((call) => call.ok === true && !call.duplicate)
      .map((call) => {
        const { keyboard } = call.params;
        return typeof keyboard === 'string' && keyboard !== ''
          ? { ...call.params, keyboard: JSON.parse(keyboard) }
          : { ...call.params };
      });
  }

  /** messages.send calls answered from the random_id memory instead of delivering again (since `clear()`). */
  get duplicatesSuppressed(): number {
    return this.callsOf('messages.send').filter((call) => call.duplicate).length;
  }

  /** Forgets the recorded calls (not faults, permissions, events or the random_id memory). */
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

  /** From now on messages.send to this peer answers 901 (917 for a chat), as when a user forbids messages. */
  denyMessages(peerId: number): void {
    this.denied.add(peerId);
  }

  allowMessages(peerId: number): void {
    this.denied.delete(peerId);
  }

  isAllowed(peerId: number): boolean {
    return !this.denied.has(peerId);
  }

  /** Sets what users.get answers for this user (others get a made-up "Test User<id>"). */
  setUser(user: Partial<VkUser> & { id: number }): VkUser {
    const full = { ...defaultUser(user.id), ...user };
    this.users.set(user.id, full);
    return full;
  }

  /**
   * Makes the next `times` calls of `method` fail with `fault`. Faults queue per method and are consumed in
   * order; the failing call is still recorded (with `fault` set) so tests can count attempts. `a_check` (the
   * Long Poll request) takes `http`, `slow` and `hangup` faults; for `failed` answers use `failLongPoll`.
   */
  failNext(method: string, fault: Fault, times = 1): void {
    if (method === 'a_check') {
      if (fault.kind === 'error') throw new Error('a_check has no API errors; use failLongPoll');
    } else if (!this.handlers[method]) {
      throw new Error(`the fake does not implement ${method}`);
    }
    const pending = this.faults.get(method) ?? [];
    for (let i = 0; i < times; i++) pending.push(fault);
    this.faults.set(method, pending);
  }

  /**
   * The next a_check (a pending one at once, else the next to arrive) answers `{ failed }` instead of
   * events: 1 — history lost, continue from the returned ts; 2 — the key expired; 3 — key and ts lost. After
   * 2 or 3 the old key stays invalid (every a_check with it answers `failed: 2`) until groups.getLongPollServer
   * is called again.
   */
  failLongPoll(fault: LongPollFault): void {
    this.longPollFaults.push(fault);
    this.wakePolls();
  }

  /** The event log (everything pushed), oldest first. */
  get events(): VkEvent[] {
    return this.log.map((entry) => entry.event);
  }

  /** How many a_check requests are waiting for events right now. */
  get pendingLongPolls(): number {
    return this.pollWaiters.size;
  }

  /** The Long Poll `ts` the next pushed event will carry. */
  get currentTs(): number {
    return this.nextSeq;
  }

  // ── Incoming events ───────────────────────────────────────────────────────────────────────────────────

  /**
   * Appends a group event to the Long Poll log and wakes pending a_checks. Like VK, message_allow and
   * message_deny also change whether messages.send may reach that user.
   */
  pushEvent(event: VkEvent): VkEvent {
    this.applyEvent(event);
    this.log.push({ seq: this.nextSeq++, event });
    this.wakePolls();
    return event;
  }

  /**
   * POSTs `{ ...event, secret }` as JSON to a Callback API URL, the way VK does, and returns the answer (VK
   * wants status 200 and body "ok", or the confirmation code for a `confirmation` event). `retryCounter` sets
   * the `X-Retry-Counter` header VK adds when it re-sends an event the server did not acknowledge.
   * message_allow / message_deny change the permission state as with `pushEvent`.
   */
  async postCallback(
    url: string,
    event: VkEvent | { type: 'confirmation'; group_id: number },
    options: { secret?: string; retryCounter?: number } = {},
  ): Promise<{ status: number; body: string }> {
    if ('object' in event) this.applyEvent(event);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.retryCounter !== undefined) headers['x-retry-counter'] = String(options.retryCounter);
    const body = JSON.stringify(options.secret === undefined ? event : { ...event, secret: options.secret });
    const response = await fetch(url, { method: 'POST', headers, body });
    return { status: response.status, body: await response.text() };
  }

  /** The Callback API confirmation request (the server must answer the confirmation code). */
  confirmationEvent(): { type: 'confirmation'; group_id: number } {
    return { type: 'confirmation', group_id: this.groupId };
  }

  // Event builders (API 5.199 shapes): each returns a fresh event (new event_id) without queuing it.

  /** A message in a private dialog (`peerId` < 2e9) or, with `fromId`, a chat. */
  messageNew(peerId: number, text: string, options: MessageNewOptions = {}): VkEvent {
    const isChat = peerId > CHAT_PEER_BASE;
    if (!isChat && options.fromId !== undefined && options.fromId !== peerId) {
      throw new Error(`in a private dialog the sender is the peer: fromId ${options.fromId} !== ${peerId}`);
    }
    const message: Payload = {
      date: nowSeconds(),
      from_id: isChat ? (options.fromId ?? DEFAULT_CHAT_MEMBER_ID) : peerId,
      // A community bot sees id 0 for chat messages; conversation_message_id is what identifies them.
      id: isChat ? 0 : this.nextMessageId++,
      out: 0,
      attachments: options.attachments ?? [],
      conversation_message_id: this.nextCmid(peerId),
      fwd_messages: [],
      important: false,
      is_hidden: false,
      peer_id: peerId,
      random_id: 0,
      text,
      ...(options.payload !== undefined && { payload: JSON.stringify(options.payload) }),
    };
    const client_info = {
      button_actions: CLIENT_BUTTON_ACTIONS,
      keyboard: true,
      inline_keyboard: true,
      carousel: true,
      lang_id: 0,
    };
    return this.wrap('message_new', { message, client_info });
  }

  /** A message in a group chat (`chatPeerId` = 2000000000 + chat id). */
  chatMessage(chatPeerId: number, text: string, fromId = DEFAULT_CHAT_MEMBER_ID): VkEvent {
    if (chatPeerId <= CHAT_PEER_BASE) throw new Error(`a chat peer id is above ${CHAT_PEER_BASE}`);
    return this.messageNew(chatPeerId, text, { fromId });
  }

  /** A photo without text, as when someone sends a picture. */
  messagePhoto(peerId: number): VkEvent {
    const photoId = 457239000 + this.nextMessageId;
    const ownerId = peerId > CHAT_PEER_BASE ? DEFAULT_CHAT_MEMBER_ID : peerId;
    const sizes = [
      ['s', 75],
      ['m', 130],
      ['x', 604],
      ['y', 807],
    ].map(([type, width]) => ({
      type,
      width,
      height: Math.round(Number(width) * 0.75),
      url: `https://sun9-1.userapi.com/impg/fake/${photoId}_${type}.jpg`,
    }));
    const photo = {
      album_id: -3,
      date: nowSeconds(),
      id: photoId,
      owner_id: ownerId,
      access_key: randomBytes(9).toString('hex'),
      sizes,
      text: '',
      has_tags: false,
    };
    return this.messageNew(peerId, '', { attachments: [{ type: 'photo', photo }] });
  }

  /**
   * A callback button tap. `conversationMessageId` defaults to the last message the community sent to the
   * peer (the one carrying the keyboard), or a new number if it sent none.
   */
  messageEvent(peerId: number, payload: object, conversationMessageId?: number): VkEvent {
    const isChat = peerId > CHAT_PEER_BASE;
    return this.wrap('message_event', {
      user_id: isChat ? DEFAULT_CHAT_MEMBER_ID : peerId,
      peer_id: peerId,
      event_id: randomBytes(6).toString('hex'),
      payload,
      conversation_message_id: conversationMessageId ?? this.lastBotCmid.get(peerId) ?? this.nextCmid(peerId),
    });
  }

  /** The user allowed messages from the community (`key` is the allowMessagesFromGroup parameter). */
  messageAllow(userId: number, key = ''): VkEvent {
    return this.wrap('message_allow', { user_id: userId, key });
  }

  /** The user forbade messages from the community. */
  messageDeny(userId: number): VkEvent {
    return this.wrap('message_deny', { user_id: userId });
  }

  // ── HTTP ──────────────────────────────────────────────────────────────────────────────────────────────

  private get origin(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (url.pathname.startsWith('/method/')) return this.handleApi(req, res, url);
    if (url.pathname === `/whp/${this.groupId}`) return this.handleLongPoll(req, res, url);
    answerText(res, 404, 'Not Found');
  }

  private async handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = decodeURIComponent(url.pathname.slice('/method/'.length));
    const call: RecordedCall = { method, params: {}, at: Date.now() };
    this.calls.push(call);
    try {
      const { access_token: token, ...params } = await readParams(req, url);
      call.params = params;
      const handler = this.handlers[method];
      if (!handler) throw new VkApiError(3, ERROR_MESSAGES[3] ?? '');
      if (token === undefined || token === '') {
        throw new VkApiError(5, 'User authorization failed: no access_token passed.');
      }
      if (token !== this.token) throw new VkApiError(5, ERROR_MESSAGES[5] ?? '');
      if (!params.v) throw new VkApiError(8, 'Invalid request: v is required');
      const fault = this.faults.get(method)?.shift();
      if (fault) {
        call.fault = fault;
        await this.applyFault(fault, res);
        if (fault.kind === 'http') {
          call.ok = false;
          call.error = `HTTP ${fault.status}`;
          return;
        }
      }
      if (this.shutdown.signal.aborted) {
        call.ok = false;
        call.error = 'aborted';
        res.destroy();
        return;
      }
      const response = await handler(params, call);
      call.ok = true;
      call.response = response;
      answerJson(res, 200, { response });
    } catch (error) {
      call.ok = false;
      if (error instanceof VkApiError) {
        call.error = error.description;
        call.errorCode = error.code;
        // VK answers errors with HTTP 200.
        answerJson(res, 200, error.toJSON(method, call.params));
      } else if (error === HANGUP) {
        call.error = 'hangup';
        res.destroy();
      } else {
        // A bug in the fake: answer like VK's own failures, but say what went wrong.
        call.error = `Internal server error: ${String(error)}`;
        call.errorCode = 10;
        answerJson(res, 200, new VkApiError(10, call.error).toJSON(method, call.params));
      }
    }
  }

  private async applyFault(fault: Fault, res: ServerResponse): Promise<void> {
    switch (fault.kind) {
      case 'error':
        throw new VkApiError(
          fault.code,
          fault.message ?? ERROR_MESSAGES[fault.code] ?? 'Unknown error occurred',
        );
      case 'http':
        answerText(res, fault.status, NGINX_PAGE(fault.status), 'text/html');
        return;
      case 'hangup':
        throw HANGUP;
      case 'slow':
        // Deliberately not cut short when the client gives up: VK still carries out a request whose caller
        // timed out, which is exactly how retried sends end up duplicated (unless random_id is reused).
        await delay(fault.ms, this.shutdown.signal);
    }
  }

  /** Aborts when the client goes away before the answer (e.g. a dropped poll) or the fake closes. */
  private requestSignal(res: ServerResponse): AbortSignal {
    const gone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) gone.abort();
    });
    return AbortSignal.any([gone.signal, this.shutdown.signal]);
  }

  // ── Long Poll ─────────────────────────────────────────────────────────────────────────────────────────

  private async handleLongPoll(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const call: RecordedCall = { method: 'a_check', params: {}, at: Date.now() };
    this.calls.push(call);
    const signal = this.requestSignal(res);
    try {
      call.params = await readParams(req, url);
      const fault = this.faults.get('a_check')?.shift();
      if (fault) {
        call.fault = fault;
        await this.applyFault(fault, res);
        if (fault.kind === 'http') {
          call.ok = false;
          call.error = `HTTP ${fault.status}`;
          return;
        }
      }
      const answer = await this.check(call, signal);
      if (signal.aborted && !this.shutdown.signal.aborted) {
        // The client left (vk-io stopped, a timeout): nobody reads the answer. Events stay in the log.
        call.ok = false;
        call.error = 'aborted';
        return;
      }
      answerJson(res, 200, answer);
    } catch (error) {
      call.ok = false;
      if (error === HANGUP) {
        call.error = 'hangup';
        res.destroy();
      } else {
        call.error = `Internal server error: ${String(error)}`;
        answerText(res, 500, NGINX_PAGE(500), 'text/html');
      }
    }
  }

  /** One a_check: a failure, events after `ts`, or (after waiting up to `wait`, capped) none. */
  private async check(call: RecordedCall, signal: AbortSignal): Promise<Payload> {
    const p = call.params;
    if (p.act !== 'a_check') return this.failed(call, { failed: 2 });
    if (p.key !== this.longPollKey) return this.failed(call, { failed: 2 });
    const wait = Math.min(Math.max(Number(p.wait) || 0, 0), 90) * 1000;
    const deadline = Date.now() + Math.min(wait, this.maxLongPollMs);
    const ts = Number(p.ts);
    for (;;) {
      const fault = this.longPollFaults.shift();
      if (fault) {
        call.fault = fault;
        return this.failed(call, fault);
      }
      // A ts that never was (or from the future): VK says the history is lost and hands out the current one.
      if (!Number.isInteger(ts) || ts < 1 || ts > this.nextSeq) return this.failed(call, { failed: 1 });
      const updates = this.log.filter((entry) => entry.seq >= ts).map((entry) => entry.event);
      if (updates.length > 0 || Date.now() >= deadline || signal.aborted) {
        call.ok = true;
        call.response = { ts: String(this.nextSeq), updates };
        return call.response as Payload;
      }
      await this.waitForEvent(deadline - Date.now(), signal);
    }
  }

  private failed(call: RecordedCall, fault: LongPollFault): Payload {
    call.ok = false;
    call.error = `failed: ${fault.failed}`;
    if (fault.failed === 1) {
      call.response = { failed: 1, ts: String(fault.ts ?? this.nextSeq) };
    } else {
      this.longPollKey = newLongPollKey();
      call.response = { failed: fault.failed };
    }
    return call.response as Payload;
  }

  /** Resolves when an event is pushed (or a failure queued), after `ms`, or on abort, whichever is first. */
  private waitForEvent(ms: number, signal: AbortSignal): Promise<void> {
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

  private wakePolls(): void {
    for (const wake of [...this.pollWaiters]) wake();
  }

  private getLongPollServer(p: Payload): { key: string; server: string; ts: string } {
    if (p.group_id === undefined || p.group_id === '') throw invalidParam('group_id is undefined');
    if (Number(p.group_id) !== this.groupId)
      throw new VkApiError(15, 'Access denied: no access to this group');
    return { key: this.longPollKey, server: this.longPollServer, ts: String(this.nextSeq) };
  }

  // ── Methods ───────────────────────────────────────────────────────────────────────────────────────────

  private getGroupsById(p: Payload): { groups: Payload[]; profiles: [] } {
    const raw = String(p.group_ids ?? p.group_id ?? '');
    const ids = raw === '' ? [this.groupId] : raw.split(',').map((id) => parseGroupId(id.trim()));
    return { groups: ids.map((id) => this.groupObject(id)), profiles: [] };
  }

  private groupObject(id: number): Payload {
    const own = id === this.groupId;
    return {
      id,
      name: own ? 'Test Community' : `Community ${id}`,
      screen_name: `club${id}`,
      is_closed: 0,
      type: 'group',
      ...(own && { is_admin: 1, admin_level: 3, is_member: 0, is_advertiser: 0 }),
      photo_50: `https://sun9-1.userapi.com/fake/group${id}_50.jpg`,
      photo_100: `https://sun9-1.userapi.com/fake/group${id}_100.jpg`,
      photo_200: `https://sun9-1.userapi.com/fake/group${id}_200.jpg`,
    };
  }

  private sendMessage(p: Payload, call: RecordedCall): number {
    if (p.peer_ids !== undefined) throw invalidParam('peer_ids is not supported by the fake');
    const rawPeer = p.peer_id ?? p.user_id;
    if (rawPeer === undefined || rawPeer === '') throw invalidParam('peer_id is undefined');
    const peerId = Number(rawPeer);
    if (!Number.isSafeInteger(peerId) || peerId === 0) throw invalidParam('peer_id is invalid');
    if (p.random_id === undefined || p.random_id === '')
      throw invalidParam('random_id is a required parameter');
    const randomId = Number(p.random_id);
    if (!Number.isInteger(randomId) || randomId < -(2 ** 31) || randomId >= 2 ** 31) {
      throw invalidParam('random_id should be a 32-bit integer');
    }
    const text = p.message === undefined ? '' : String(p.message);
    const hasAttachment = String(p.attachment ?? '') !== '' || p.sticker_id !== undefined;
    if (text.trim() === '' && !hasAttachment) throw invalidParam('message is empty or invalid');
    if (text.length > MAX_MESSAGE_LENGTH) throw new VkApiError(914, ERROR_MESSAGES[914] ?? '');
    if (p.keyboard !== undefined && p.keyboard !== '') checkKeyboard(p.keyboard);
    // VK remembers random_id per dialog: a repeat answers the first message's id and delivers nothing.
    // random_id 0 opts out of the check.
    const dedupKey = `${peerId}:${randomId}`;
    const earlier = randomId === 0 ? undefined : this.sentByRandomId.get(dedupKey);
    if (earlier !== undefined) {
      call.duplicate = true;
      return earlier;
    }
    if (this.denied.has(peerId)) {
      throw peerId > CHAT_PEER_BASE
        ? new VkApiError(NO_CHAT_ACCESS, ERROR_MESSAGES[NO_CHAT_ACCESS] ?? '')
        : new VkApiError(NOT_PERMITTED, ERROR_MESSAGES[NOT_PERMITTED] ?? '');
    }
    const messageId = this.nextMessageId++;
    if (randomId !== 0) this.sentByRandomId.set(dedupKey, messageId);
    this.lastBotCmid.set(peerId, this.nextCmid(peerId));
    return messageId;
  }

  private sendMessageEventAnswer(p: Payload): 1 {
    for (const name of ['event_id', 'user_id', 'peer_id']) {
      if (p[name] === undefined || p[name] === '') throw invalidParam(`${name} is undefined`);
    }
    if (p.event_data !== undefined && p.event_data !== '') {
      let data: unknown;
      try {
        data = JSON.parse(String(p.event_data));
      } catch {
        throw invalidParam('event_data is invalid');
      }
      const type = (data as { type?: unknown } | null)?.type;
      if (type !== 'show_snackbar' && type !== 'open_link' && type !== 'open_app') {
        throw invalidParam('event_data is invalid');
      }
      if (type === 'show_snackbar' && String((data as { text?: unknown }).text ?? '').length > 90) {
        throw invalidParam('event_data.text is too long');
      }
    }
    return 1;
  }

  private getUsers(p: Payload): VkUser[] {
    const raw = String(p.user_ids ?? p.user_id ?? '').trim();
    if (raw === '') return [];
    const fields = new Set(
      String(p.fields ?? '')
        .split(',')
        .map((field) => field.trim())
        .filter(Boolean),
    );
    return raw.split(',').map((token) => {
      const id = parseUserId(token.trim());
      const user = this.users.get(id) ?? defaultUser(id);
      const extras: Payload = {};
      if (fields.has('sex')) extras.sex = user.sex ?? 0;
      if (fields.has('screen_name')) extras.screen_name = user.screen_name ?? `id${id}`;
      if (fields.has('domain')) extras.domain = user.domain ?? `id${id}`;
      if (fields.has('photo_100'))
        extras.photo_100 = user.photo_100 ?? 'https://vk.com/images/camera_100.png';
      return { ...user, ...extras };
    });
  }

  private getConversationsById(p: Payload): { count: number; items: Payload[] } {
    const raw = String(p.peer_ids ?? '').trim();
    if (raw === '') throw invalidParam('peer_ids is undefined');
    const items = raw.split(',').map((token) => {
      const peerId = Number(token.trim());
      if (!Number.isSafeInteger(peerId) || peerId === 0) throw invalidParam('peer_ids is invalid');
      const isChat = peerId > CHAT_PEER_BASE;
      const allowed = !this.denied.has(peerId);
      const lastCmid = this.lastCmid.get(peerId) ?? 0;
      return {
        peer: {
          id: peerId,
          type: isChat ? 'chat' : 'user',
          local_id: isChat ? peerId - CHAT_PEER_BASE : peerId,
        },
        last_message_id: 0,
        in_read: 0,
        out_read: 0,
        last_conversation_message_id: lastCmid,
        in_read_cmid: lastCmid,
        out_read_cmid: lastCmid,
        is_marked_unread: false,
        important: false,
        can_write: allowed
          ? { allowed: true }
          : { allowed: false, reason: isChat ? NO_CHAT_ACCESS : NOT_PERMITTED },
        ...(isChat && {
          chat_settings: {
            title: `Chat ${peerId - CHAT_PEER_BASE}`,
            members_count: 3,
            state: 'in',
            active_ids: [DEFAULT_CHAT_MEMBER_ID],
            is_group_channel: false,
          },
        }),
      };
    });
    return { count: items.length, items };
  }

  // ── Building events ───────────────────────────────────────────────────────────────────────────────────

  private wrap(type: string, object: Payload): VkEvent {
    // VK's event_id is 40 hex digits, unique per event (and the same when it re-sends one).
    return {
      group_id: this.groupId,
      type,
      event_id: randomBytes(20).toString('hex'),
      v: API_VERSION,
      object,
    };
  }

  private nextCmid(peerId: number): number {
    const next = (this.lastCmid.get(peerId) ?? 0) + 1;
    this.lastCmid.set(peerId, next);
    return next;
  }

  private applyEvent(event: VkEvent): void {
    const userId = Number(event.object?.user_id);
    if (event.type === 'message_allow') this.allowMessages(userId);
    if (event.type === 'message_deny') this.denyMessages(userId);
  }
}

// ── Helpers ─────────────────────────────────────────────────────────────────────────────────────────────

/**
 * Throws 911 unless `raw` is a keyboard VK accepts: JSON `{ one_time?, inline?, buttons: [[{ action, color? }]] }`
 * within the size limits, every button of a known type with its required fields, labels up to 40 characters,
 * payloads JSON strings up to 255 characters.
 */
function checkKeyboard(raw: unknown): void {
  const invalid = () => new VkApiError(911, ERROR_MESSAGES[911] ?? '');
  let keyboard: unknown;
  try {
    keyboard = typeof raw === 'string' ? JSON.parse(raw) : raw;
  } catch {
    throw invalid();
  }
  if (typeof keyboard !== 'object' || keyboard === null || Array.isArray(keyboard)) throw invalid();
  const { buttons, inline, one_time } = keyboard as {
    buttons?: unknown;
    inline?: unknown;
    one_time?: unknown;
  };
  if (!Array.isArray(buttons)) throw invalid();
  if (inline === true && one_time === true) throw invalid(); // an inline keyboard cannot be one-time
  const limits = inline === true ? KEYBOARD_LIMITS.inline : KEYBOARD_LIMITS.regular;
  if (buttons.length > limits.rows) throw invalid();
  let total = 0;
  for (const row of buttons) {
    if (!Array.isArray(row) || row.length === 0 || row.length > limits.perRow) throw invalid();
    total += row.length;
    for (const button of row) {
      const type = checkButton(button, invalid);
      if (FULL_WIDTH_BUTTON_TYPES.has(type) && row.length > 1) throw invalid();
    }
  }
  if (total > limits.total) throw invalid();
}

function checkButton(button: unknown, invalid: () => VkApiError): string {
  const action = (button as { action?: unknown } | null)?.action as Payload | undefined;
  if (typeof action !== 'object' || action === null) throw invalid();
  const type = String(action.type);
  if (!BUTTON_TYPES.has(type)) throw invalid();
  const color = (button as { color?: unknown }).color;
  if (
    color !== undefined &&
    (!BUTTON_COLORS.has(String(color)) || (type !== 'text' && type !== 'callback'))
  ) {
    throw invalid();
  }
  if (action.payload !== undefined) {
    if (typeof action.payload !== 'string' || action.payload.length > MAX_PAYLOAD_LENGTH) throw invalid();
    try {
      JSON.parse(action.payload);
    } catch {
      throw invalid();
    }
  }
  const needsLabel = type === 'text' || type === 'callback' || type === 'open_link' || type === 'open_app';
  if (needsLabel) {
    if (typeof action.label !== 'string' || action.label === '') throw invalid();
  }
  if (action.label !== undefined && String(action.label).length > MAX_LABEL_LENGTH) throw invalid();
  if (type === 'open_link' && !URL.canParse(String(action.link ?? ''))) throw invalid();
  if (type === 'vkpay' && typeof action.hash !== 'string') throw invalid();
  if (type === 'open_app' && action.app_id === undefined) throw invalid();
  return type;
}

function answerJson(res: ServerResponse, status: number, body: unknown): void {
  answerText(res, status, JSON.stringify(body), 'application/json; charset=utf-8');
}

function answerText(res: ServerResponse, status: number, body: string, type = 'text/plain'): void {
  if (res.destroyed || res.writableEnded) return; // the client already left
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Query-string and form-urlencoded parameters (VK accepts both); values stay strings, as on the wire. */
async function readParams(req: IncomingMessage, url: URL): Promise<Payload> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'multipart/form-data') throw invalidParam('multipart/form-data is not supported by the fake');
  const params: Payload = Object.fromEntries(url.searchParams);
  if (type === 'application/json' && raw.trim() !== '') {
    try {
      const body: unknown = JSON.parse(raw);
      if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
        for (const [key, value] of Object.entries(body)) {
          params[key] = typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
        }
      }
    } catch {
      throw invalidParam('the request body is not valid JSON');
    }
    return params;
  }
  for (const [key, value] of new URLSearchParams(raw)) params[key] = value;
  return params;
}

/** A user id as users.get accepts it: a number or `id<number>` (screen names are not resolved). */
function parseUserId(token: string): number {
  const match = /^(?:id)?(\d+)$/.exec(token);
  if (!match) throw new VkApiError(113, 'Invalid user id');
  return Number(match[1]);
}

function parseGroupId(token: string): number {
  const match = /^(?:club|public)?-?(\d+)$/.exec(token);
  if (!match) throw invalidParam('group_ids is invalid');
  return Number(match[1]);
}

function defaultUser(id: number): VkUser {
  return { id, first_name: 'Test', last_name: `User${id}`, can_access_closed: true, is_closed: false };
}

function newLongPollKey(): string {
  return randomBytes(20).toString('hex');
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
