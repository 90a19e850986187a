import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APIError, Keyboard, type MessageContext, type MessageEventContext, VK } from 'vk-io';
import { FakeVk, type VkEvent } from '../support/fake-vk.ts';

const USER = 5550001;
const OTHER = 5550002;

let fake: FakeVk;
let vk: VK;
const extraClients: VK[] = [];

/** A vk-io client for the fake, configured like the channel (plus the http agent it needs). */
function client(options: Partial<ConstructorParameters<typeof VK>[0]> = {}): VK {
  const made = new VK({
    token: fake.token,
    apiBaseUrl: fake.apiBaseUrl,
    pollingGroupId: fake.groupId,
    agent: fake.agent,
    apiLimit: 20,
    apiRetryLimit: 0,
    ...options,
  });
  extraClients.push(made);
  return made;
}

beforeEach(async () => {
  fake = await FakeVk.start();
  vk = client();
});

afterEach(async () => {
  for (const made of extraClients.splice(0)) await made.updates.stop();
  await fake.close();
});

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function apiError(promise: Promise<unknown>): Promise<APIError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(APIError);
  return error as APIError;
}

async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * messages.send through `on` (default: the shared client). VK answers a number for peer_id/user_id sends;
 * vk-io types every answer as the peer_ids array form, hence the cast.
 */
const send = (params: Record<string, unknown>, on?: VK) =>
  (on ?? vk).api.messages.send({
    peer_id: USER,
    random_id: Math.floor(Math.random() * 1e9) + 1,
    message: 'hi',
    ...params,
  }) as unknown as Promise<number>;

type Button = { action: Record<string, unknown>; color?: string };
const textButton = (label: string, payload = '{"b":"x"}'): Button => ({
  action: { type: 'text', label, payload },
  color: 'primary',
});
/** `total` buttons, `perRow` to a row. */
function keyboard(total: number, perRow: number, inline: boolean): string {
  const rows: Button[][] = [];
  for (let i = 0; i < total; i++) {
    if (i % perRow === 0) rows.push([]);
    rows[rows.length - 1]?.push(textButton(`B${i}`));
  }
  return JSON.stringify({ inline, buttons: rows });
}

describe('wire protocol', () => {
  it('answers API calls made by vk-io with the right token, recording the params without the token', async () => {
    const users = await vk.api.users.get({ user_ids: [USER, 'id42'] });
    expect(users).toEqual([
      { id: USER, first_name: 'Test', last_name: `User${USER}`, can_access_closed: true, is_closed: false },
      { id: 42, first_name: 'Test', last_name: 'User42', can_access_closed: true, is_closed: false },
    ]);
    const [call] = fake.callsOf('users.get');
    expect(call).toMatchObject({
      method: 'users.get',
      ok: true,
      params: { user_ids: `${USER},id42`, v: '5.199' },
    });
    expect(call?.params).not.toHaveProperty('access_token');
  });

  it('vk-io POSTs a form-urlencoded body to <apiBaseUrl>/<method>; GET with a query works too', async () => {
    const form = await fetch(`${fake.apiBaseUrl}/users.get`, {
      method: 'POST',
      body: new URLSearchParams({ access_token: fake.token, v: '5.199', user_ids: '7' }),
    });
    expect(form.status).toBe(200);
    expect(await form.json()).toMatchObject({ response: [{ id: 7 }] });
    const query = new URLSearchParams({ access_token: fake.token, v: '5.199', user_ids: '8' });
    const get = await fetch(`${fake.apiBaseUrl}/users.get?${query}`);
    expect(await get.json()).toMatchObject({ response: [{ id: 8 }] });
  });

  it('a wrong token is APIError 5; a missing one too (HTTP 200, request_params echoed without the token)', async () => {
    const stranger = client({ token: 'vk1.a.not-the-token' });
    const error = await apiError(stranger.api.users.get({ user_ids: [1] }));
    expect(error.code).toBe(5);
    expect(error.message).toBe('Code №5 - User authorization failed: invalid access_token');
    expect(error.params).toEqual(
      expect.arrayContaining([
        { key: 'method', value: 'users.get' },
        { key: 'user_ids', value: '1' },
      ]),
    );

    const response = await fetch(`${fake.apiBaseUrl}/users.get`, {
      method: 'POST',
      body: new URLSearchParams({ v: '5.199' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      error: { error_code: 5, error_msg: 'User authorization failed: no access_token passed.' },
    });
  });

  it('an unknown method is APIError 3', async () => {
    const error = await apiError(vk.api.call('messages.teleport', { peer_id: USER }));
    expect(error.code).toBe(3);
    expect(error.message).toBe('Code №3 - Unknown method passed');
  });

  it('without an http agent vk-io cannot reach an http:// API at all (its default is https.globalAgent)', async () => {
    const plain = new VK({ token: fake.token, apiBaseUrl: fake.apiBaseUrl, apiRetryLimit: 0 });
    const error = (await rejection(plain.api.users.get({}))) as NodeJS.ErrnoException;
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe('ERR_INVALID_PROTOCOL');
    expect(fake.calls).toHaveLength(0);
  });

  it('groups.getById answers the community of the token', async () => {
    const { groups } = await vk.api.groups.getById({});
    expect(groups).toEqual([expect.objectContaining({ id: fake.groupId, type: 'group', is_closed: 0 })]);
  });
});

describe('messages.send', () => {
  it('delivers, answers the message id and records the params with the keyboard parsed', async () => {
    const markup = Keyboard.builder()
      .callbackButton({ label: 'Да', payload: { b: 'yes' }, color: Keyboard.POSITIVE_COLOR })
      .textButton({ label: 'Нет', payload: { b: 'no' } })
      .row()
      .urlButton({ label: 'Сайт', url: 'https://example.org' })
      .inline();
    const id = await vk.api.messages.send({
      peer_id: USER,
      random_id: 101,
      message: 'Привет',
      keyboard: markup,
      dont_parse_links: 1,
    });
    expect(id).toBeGreaterThan(0);
    expect(fake.sent()).toEqual([
      expect.objectContaining({
        peer_id: String(USER),
        random_id: '101',
        message: 'Привет',
        dont_parse_links: '1',
        keyboard: {
          inline: true,
          buttons: [
            [
              { action: { type: 'callback', label: 'Да', payload: '{"b":"yes"}' }, color: 'positive' },
              { action: { type: 'text', label: 'Нет', payload: '{"b":"no"}' }, color: 'secondary' },
            ],
            [{ action: { type: 'open_link', label: 'Сайт', link: 'https://example.org', payload: '{}' } }],
          ],
        },
      }),
    ]);
    expect(fake.callsOf('messages.send')[0]?.response).toBe(id);
  });

  it('accepts user_id instead of peer_id and gives every delivery a new id', async () => {
    const first = await send({ peer_id: undefined, user_id: USER, random_id: 1, message: 'a' });
    const second = await send({ random_id: 2, message: 'b' });
    expect(second).toBeGreaterThan(first);
    expect(fake.sent().map((params) => params.message)).toEqual(['a', 'b']);
  });

  it('the same random_id for the same peer answers the same id and delivers once, like VK', async () => {
    const first = await vk.api.messages.send({ peer_id: USER, random_id: 777, message: 'once' });
    const again = await vk.api.messages.send({ peer_id: USER, random_id: 777, message: 'once' });
    expect(again).toBe(first);
    expect(fake.sent()).toHaveLength(1);
    expect(fake.duplicatesSuppressed).toBe(1);
    expect(fake.callsOf('messages.send').map((call) => call.duplicate)).toEqual([undefined, true]);

    // Another dialog has its own random_id space.
    const elsewhere = await vk.api.messages.send({ peer_id: OTHER, random_id: 777, message: 'once' });
    expect(elsewhere).not.toBe(first);
    expect(fake.sent()).toHaveLength(2);
  });

  it('requires random_id and a non-empty message of at most 4096 characters', async () => {
    const noRandom = await apiError(vk.api.messages.send({ peer_id: USER, message: 'x' }));
    expect(noRandom.code).toBe(100);
    const empty = await apiError(send({ message: '   ' }));
    expect(empty.code).toBe(100);
    const long = await apiError(send({ message: 'я'.repeat(4097) }));
    expect(long.code).toBe(914);
    expect(long.message).toBe('Code №914 - Message is too long');
    await send({ message: 'я'.repeat(4096) });
    expect(fake.sent()).toHaveLength(1);
  });

  it('enforces the inline keyboard limits: 10 buttons, 6 rows, 5 a row', async () => {
    await send({ keyboard: keyboard(10, 5, true) });
    for (const bad of [keyboard(11, 5, true), keyboard(7, 1, true), keyboard(6, 6, true)]) {
      const error = await apiError(send({ keyboard: bad }));
      expect(error.code).toBe(911);
      expect(error.message).toBe('Code №911 - Keyboard format is invalid');
    }
    expect(fake.sent()).toHaveLength(1);
  });

  it('enforces the regular keyboard limits: 40 buttons, 10 rows, 5 a row', async () => {
    await send({ keyboard: keyboard(40, 4, false) });
    await send({ keyboard: keyboard(10, 1, false) });
    for (const bad of [keyboard(41, 5, false), keyboard(11, 1, false), keyboard(6, 6, false)]) {
      expect((await apiError(send({ keyboard: bad }))).code).toBe(911);
    }
    expect(fake.sent()).toHaveLength(2);
  });

  it('limits payloads to 255 characters and labels to 40, and checks button types and JSON', async () => {
    const one = (button: Button) => JSON.stringify({ inline: true, buttons: [[button]] });
    const payload255 = JSON.stringify({ b: 'x'.repeat(255 - 8) });
    expect(payload255).toHaveLength(255);
    await send({ keyboard: one(textButton('ok', payload255)) });
    await send({ keyboard: one(textButton('л'.repeat(40))) });

    const invalid = [
      one(textButton('ok', JSON.stringify({ b: 'x'.repeat(256 - 8) }))),
      one(textButton('л'.repeat(41))),
      one({ action: { type: 'teleport', label: 'x' } }),
      one({ action: { type: 'text', label: 'x', payload: 'not json' } }),
      one({ action: { type: 'open_link', label: 'x', link: 'not a url' } }),
      JSON.stringify({ buttons: [[{ action: { type: 'location' } }, textButton('x')]] }),
      '{"buttons": [[',
    ];
    for (const bad of invalid) expect((await apiError(send({ keyboard: bad }))).code).toBe(911);
    expect(fake.sent()).toHaveLength(2);
  });

  it('denyMessages makes sends to that peer APIError 901 until allowMessages', async () => {
    fake.denyMessages(USER);
    const error = await apiError(send({}));
    expect(error.code).toBe(901);
    expect(error.message).toBe("Code №901 - Can't send messages for users without permission");
    await send({ peer_id: OTHER });
    fake.allowMessages(USER);
    await send({});
    expect(fake.sent().map((params) => params.peer_id)).toEqual([String(OTHER), String(USER)]);
  });

  it('getConversationsById reports can_write; message_deny / message_allow events change it', async () => {
    fake.pushEvent(fake.messageDeny(USER));
    const denied = await vk.api.messages.getConversationsById({ peer_ids: [USER, 2000000001] });
    expect(denied.items).toEqual([
      expect.objectContaining({
        peer: { id: USER, type: 'user', local_id: USER },
        can_write: { allowed: false, reason: 901 },
      }),
      expect.objectContaining({
        peer: { id: 2000000001, type: 'chat', local_id: 1 },
        can_write: { allowed: true },
      }),
    ]);
    expect((await apiError(send({}))).code).toBe(901);
    fake.pushEvent(fake.messageAllow(USER));
    await send({});
    expect(fake.isAllowed(USER)).toBe(true);
  });

  it('sendMessageEventAnswer answers 1 and checks event_data', async () => {
    const tap = fake.messageEvent(USER, { b: 'yes' });
    const answer = await vk.api.messages.sendMessageEventAnswer({
      event_id: tap.object.event_id,
      user_id: USER,
      peer_id: USER,
      event_data: JSON.stringify({ type: 'show_snackbar', text: 'Готово' }),
    });
    expect(answer).toBe(1);
    const bad = await apiError(
      vk.api.messages.sendMessageEventAnswer({
        event_id: 'x',
        user_id: USER,
        peer_id: USER,
        event_data: '{',
      }),
    );
    expect(bad.code).toBe(100);
  });
});

describe('fault injection and what vk-io does about it', () => {
  it('injected errors 9, 901 and 10 surface at once as APIError with that code (no retry)', async () => {
    for (const code of [9, 901, 10]) fake.failNext('messages.send', { kind: 'error', code });
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await apiError(send({}))).code);
    expect(codes).toEqual([9, 901, 10]);
    const flood = fake.callsOf('messages.send')[0];
    expect(flood).toMatchObject({ ok: false, errorCode: 9, error: 'Flood control', fault: { code: 9 } });
    expect(fake.sent()).toHaveLength(0);
  });

  it('error 9 is not retried with the default apiRetryLimit either', async () => {
    fake.failNext('messages.send', { kind: 'error', code: 9 });
    const defaults = client({ apiRetryLimit: undefined });
    expect(
      (await apiError(defaults.api.messages.send({ peer_id: USER, random_id: 5, message: 'x' }))).code,
    ).toBe(9);
    expect(fake.callsOf('messages.send')).toHaveLength(1);
  });

  it('error 6 never surfaces: vk-io pauses ~1.1 s and resends, whatever apiRetryLimit says (here 0)', async () => {
    fake.failNext('messages.send', { kind: 'error', code: 6 }, 2);
    const started = Date.now();
    const id = await send({ random_id: 66 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * 1100);
    expect(id).toBeGreaterThan(0);
    expect(fake.callsOf('messages.send').map((call) => call.errorCode ?? 'ok')).toEqual([6, 6, 'ok']);
  });

  it('error 6 retries are not bounded by the default apiRetryLimit (3) either', async () => {
    fake.failNext('messages.send', { kind: 'error', code: 6 }, 4);
    const defaults = client({ apiRetryLimit: undefined });
    await defaults.api.messages.send({ peer_id: USER, random_id: 67, message: 'x' });
    expect(fake.callsOf('messages.send')).toHaveLength(5);
    expect(fake.sent()).toHaveLength(1);
  }, 15_000);

  it('a hang-up surfaces as node-fetch FetchError (code ECONNRESET), not APIError, and nothing is delivered', async () => {
    fake.failNext('messages.send', { kind: 'hangup' });
    const error = (await rejection(send({}))) as Error & { code?: string; type?: string };
    expect(error).not.toBeInstanceOf(APIError);
    expect(error.name).toBe('FetchError');
    expect(error.code).toBe('ECONNRESET');
    expect(error.type).toBe('system');
    expect(fake.callsOf('messages.send')[0]).toMatchObject({ ok: false, error: 'hangup' });
    expect(fake.sent()).toHaveLength(0);
  });

  it('HTTP 500 (an HTML page) surfaces as a SyntaxError from parsing the body', async () => {
    fake.failNext('users.get', { kind: 'http', status: 500 });
    const error = await rejection(vk.api.users.get({ user_ids: [1] }));
    expect(error).toBeInstanceOf(SyntaxError);
    expect(fake.callsOf('users.get')[0]).toMatchObject({ ok: false, error: 'HTTP 500' });
  });

  it('network errors and HTTP 500 are retried up to apiRetryLimit, apiWait apart', async () => {
    const retrying = client({ apiRetryLimit: 2, apiWait: 30 });
    fake.failNext('messages.send', { kind: 'hangup' });
    fake.failNext('messages.send', { kind: 'http', status: 502 });
    const id = await retrying.api.messages.send({ peer_id: USER, random_id: 9, message: 'x' });
    expect(id).toBeGreaterThan(0);
    expect(fake.callsOf('messages.send').map((call) => call.error ?? 'ok')).toEqual([
      'hangup',
      'HTTP 502',
      'ok',
    ]);

    fake.clear();
    fake.failNext('messages.send', { kind: 'hangup' }, 3);
    const error = (await rejection(send({ random_id: 10 }, retrying))) as Error;
    expect(error.name).toBe('FetchError');
    expect(fake.callsOf('messages.send')).toHaveLength(3);
  });

  it('slow answers are slow, and still delivered when vk-io times out (AbortError); a resend is de-duplicated', async () => {
    fake.failNext('messages.send', { kind: 'slow', ms: 300 });
    let started = Date.now();
    const id = await send({ random_id: 31 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);

    const impatient = client({ apiTimeout: 100 });
    fake.failNext('messages.send', { kind: 'slow', ms: 300 });
    started = Date.now();
    const error = (await rejection(send({ random_id: 32 }, impatient))) as Error & { type?: string };
    expect(Date.now() - started).toBeLessThan(290);
    expect(error.name).toBe('AbortError');
    expect(error.type).toBe('aborted');
    await fake.waitForCalls('messages.send', 2);
    expect(fake.sent()).toHaveLength(2); // VK carried it out anyway

    const resent = await send({ random_id: 32 }, impatient);
    expect(resent).toBe(id + 1);
    expect(fake.duplicatesSuppressed).toBe(1);
  });

  it('faults are consumed in order per method and only hit that method', async () => {
    fake.failNext('messages.send', { kind: 'error', code: 10 }, 2);
    await vk.api.users.get({ user_ids: [1] });
    expect((await apiError(send({}))).code).toBe(10);
    expect((await apiError(send({}))).code).toBe(10);
    await send({});
    expect(() => fake.failNext('messages.teleport', { kind: 'hangup' })).toThrow(/does not implement/);
  });

  it('apiLimit paces requests: 20 a second means one every ~57 ms', async () => {
    await Promise.all([1, 2, 3, 4, 5].map((n) => vk.api.users.get({ user_ids: [n] })));
    const arrivals = fake.callsOf('users.get').map((call) => call.at);
    expect((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(4 * 50);
  });
});

describe('group Long Poll with vk-io', () => {
  it('getLongPollServer hands out key, ts and a server URL pointing back at the fake', async () => {
    const server = await vk.api.groups.getLongPollServer({ group_id: fake.groupId });
    expect(server).toEqual({
      key: expect.any(String),
      server: fake.longPollServer,
      ts: String(fake.currentTs),
    });
    expect((await apiError(vk.api.groups.getLongPollServer({ group_id: 1 }))).code).toBe(15);
  });

  it('delivers pushed events to vk.updates.on handlers, in order', async () => {
    const seen: string[] = [];
    let tapped: MessageEventContext | undefined;
    let message: MessageContext | undefined;
    vk.updates.on('message_new', (context) => {
      message = context;
      seen.push(`message_new:${context.text}`);
    });
    vk.updates.on('message_event', (context) => {
      tapped = context;
      seen.push(`message_event:${JSON.stringify(context.eventPayload)}`);
    });
    await vk.updates.start();
    await until(() => fake.pendingLongPolls > 0);

    fake.pushEvent(fake.messageNew(USER, 'Здравствуйте', { payload: { b: 'start' } }));
    const tap = fake.pushEvent(fake.messageEvent(USER, { b: 'yes' }));
    await until(() => seen.length === 2);
    expect(seen).toEqual(['message_new:Здравствуйте', 'message_event:{"b":"yes"}']);
    expect(message?.peerId).toBe(USER);
    expect(message?.senderId).toBe(USER);
    expect(message?.messagePayload).toEqual({ b: 'start' });
    expect(message?.clientInfo?.inline_keyboard).toBe(true);
    expect(tapped?.eventId).toBe(tap.object.event_id);
    expect(tapped?.userId).toBe(USER);

    // Later events arrive through the next a_check with the advanced ts.
    fake.pushEvent(fake.messageNew(USER, 'ещё'));
    await until(() => seen.length === 3);
    const checks = fake.callsOf('a_check');
    expect(checks[0]?.params).toMatchObject({ act: 'a_check', wait: '25' });
    expect(Number(checks.at(-1)?.params.ts)).toBeGreaterThan(Number(checks[0]?.params.ts));
    expect(fake.callsOf('groups.getLongPollServer')).toHaveLength(1);
  });

  it('raw events can be intercepted by replacing vk.updates.handleWebhookUpdate before start()', async () => {
    const raw: unknown[] = [];
    vk.updates.handleWebhookUpdate = async (update: unknown) => {
      raw.push(update);
    };
    await vk.updates.start();
    const events = [fake.messageNew(USER, 'a'), fake.messagePhoto(USER), fake.messageAllow(USER, 'k')];
    for (const event of events) fake.pushEvent(event);
    await until(() => raw.length === 3);
    expect(raw).toEqual(events); // byte for byte what VK sent: { group_id, type, event_id, v, object }
  });

  it('a pending poll answers at once when an event is pushed and otherwise after ~1 s (not wait=25)', async () => {
    await vk.updates.start();
    await until(() => fake.pendingLongPolls > 0);
    const started = Date.now();
    await fake.waitForCalls('a_check', 1, 3000);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(fake.callsOf('a_check')[0]?.response).toEqual({ ts: String(fake.currentTs), updates: [] });
  });

  it('failed: 1 — vk-io takes the new ts and goes on polling with the same key', async () => {
    const texts: string[] = [];
    vk.updates.on('message_new', (context) => {
      texts.push(context.text ?? '');
    });
    await vk.updates.start();
    await until(() => fake.pendingLongPolls > 0);
    fake.failLongPoll({ failed: 1 });
    await until(() => fake.callsOf('a_check').some((call) => call.error === 'failed: 1'));
    fake.pushEvent(fake.messageNew(USER, 'после сбоя'));
    await until(() => texts.length === 1);
    expect(texts).toEqual(['после сбоя']);
    expect(fake.callsOf('groups.getLongPollServer')).toHaveLength(1);
  });

  it.each([2, 3] as const)(
    'failed: %i — vk-io at once asks groups.getLongPollServer for a new key',
    async (failed) => {
      const texts: string[] = [];
      vk.updates.on('message_new', (context) => {
        texts.push(context.text ?? '');
      });
      await vk.updates.start();
      await until(() => fake.pendingLongPolls > 0);
      const started = Date.now();
      fake.failLongPoll({ failed });
      await until(() => fake.callsOf('groups.getLongPollServer').length === 2);
      expect(Date.now() - started).toBeLessThan(1000);
      await until(() => fake.pendingLongPolls > 0);
      fake.pushEvent(fake.messageNew(USER, 'с новым ключом'));
      await until(() => texts.length === 1);
      const keys = fake.callsOf('a_check').map((call) => call.params.key);
      expect(new Set(keys).size).toBe(2);
    },
  );

  it('an old key keeps answering failed: 2 after a key change', async () => {
    const { key, server, ts } = await vk.api.groups.getLongPollServer({ group_id: fake.groupId });
    fake.failLongPoll({ failed: 3 });
    const check = () => fetch(`${server}?act=a_check&key=${key}&ts=${ts}&wait=0`).then((r) => r.json());
    expect(await check()).toEqual({ failed: 3 });
    expect(await check()).toEqual({ failed: 2 });
  });

  it('a_check HTTP faults make vk-io retry after its fixed 3 s pause', async () => {
    fake.failNext('a_check', { kind: 'http', status: 500 });
    const texts: string[] = [];
    vk.updates.on('message_new', (context) => {
      texts.push(context.text ?? '');
    });
    await vk.updates.start();
    fake.pushEvent(fake.messageNew(USER, 'после 500'));
    await until(() => texts.length === 1, 6000);
    const checks = fake.callsOf('a_check');
    expect(checks[0]).toMatchObject({ ok: false, error: 'HTTP 500' });
    expect((checks[1]?.at ?? 0) - (checks[0]?.at ?? 0)).toBeGreaterThanOrEqual(2900);
  }, 10_000);

  it('vk.updates.stop() ends polling: the in-flight a_check finishes and no new one starts', async () => {
    const texts: string[] = [];
    vk.updates.on('message_new', (context) => {
      texts.push(context.text ?? '');
    });
    await vk.updates.start();
    await until(() => fake.pendingLongPolls > 0);
    await vk.updates.stop();
    expect(vk.updates.isStarted).toBe(false);
    // vk-io does not abort the pending request: an event pushed now is still handed over and dispatched.
    fake.pushEvent(fake.messageNew(USER, 'в полёте'));
    await until(() => texts.length === 1);
    const count = fake.callsOf('a_check').length;
    fake.pushEvent(fake.messageNew(USER, 'после остановки'));
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(fake.callsOf('a_check')).toHaveLength(count);
    expect(fake.pendingLongPolls).toBe(0);
    expect(texts).toEqual(['в полёте']);
  });

  it('survives a client that aborts a pending a_check, and keeps the events for the next one', async () => {
    const { key, server, ts } = await vk.api.groups.getLongPollServer({ group_id: fake.groupId });
    const controller = new AbortController();
    const pending = fetch(`${server}?act=a_check&key=${key}&ts=${ts}&wait=25`, { signal: controller.signal });
    await until(() => fake.pendingLongPolls > 0);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await until(() => fake.callsOf('a_check')[0]?.ok === false);
    expect(fake.callsOf('a_check')[0]?.error).toBe('aborted');

    const event = fake.pushEvent(fake.messageNew(USER, 'не потеряно'));
    const answer = await fetch(`${server}?act=a_check&key=${key}&ts=${ts}&wait=25`).then((r) => r.json());
    expect(answer).toEqual({ ts: String(Number(ts) + 1), updates: [event] });
  });

  it('close() answers pending polls and leaves no open handles behind', async () => {
    await vk.updates.start();
    await until(() => fake.pendingLongPolls > 0);
    await vk.updates.stop();
    await fake.close();
    expect(fake.callsOf('a_check')[0]).toMatchObject({ ok: true, response: { updates: [] } });
  });
});

describe('event builders', () => {
  it('messageNew has the API 5.199 shape with a fresh event_id and counters per dialog', () => {
    const first = fake.messageNew(USER, 'Привет', { payload: { b: 'x' } });
    const second = fake.messageNew(USER, 'Ещё');
    expect(first).toEqual({
      group_id: fake.groupId,
      type: 'message_new',
      event_id: expect.stringMatching(/^[0-9a-f]{40}$/),
      v: '5.199',
      object: {
        message: expect.objectContaining({
          id: expect.any(Number),
          date: expect.any(Number),
          peer_id: USER,
          from_id: USER,
          text: 'Привет',
          conversation_message_id: 1,
          payload: '{"b":"x"}',
          attachments: [],
          out: 0,
        }),
        client_info: expect.objectContaining({
          button_actions: expect.arrayContaining(['text', 'callback', 'open_link']),
          keyboard: true,
          inline_keyboard: true,
          carousel: true,
          lang_id: 0,
        }),
      },
    });
    expect(second.event_id).not.toBe(first.event_id);
    expect(second.object.message.conversation_message_id).toBe(2);
    expect(second.object.message).not.toHaveProperty('payload');
    expect(fake.events).toEqual([]); // builders do not queue
  });

  it('chat messages come from a member with id 0; photos have no text; allow/deny carry the user', () => {
    const chat = fake.chatMessage(2000000001, 'всем привет');
    expect(chat.object.message).toMatchObject({
      id: 0,
      peer_id: 2000000001,
      from_id: 500001,
      text: 'всем привет',
    });
    expect(() => fake.chatMessage(USER, 'x')).toThrow();

    const photo = fake.messagePhoto(USER).object.message;
    expect(photo.text).toBe('');
    expect(photo.attachments).toEqual([
      { type: 'photo', photo: expect.objectContaining({ owner_id: USER, sizes: expect.any(Array) }) },
    ]);

    expect(fake.messageAllow(USER, 'promo').object).toEqual({ user_id: USER, key: 'promo' });
    expect(fake.messageDeny(USER)).toMatchObject({ type: 'message_deny', object: { user_id: USER } });
  });

  it('messageEvent points at the last message the community sent to that peer', async () => {
    await send({ random_id: 1 });
    const sentCmid = 1;
    const tap = fake.messageEvent(USER, { b: 'yes' });
    expect(tap).toMatchObject({
      type: 'message_event',
      object: {
        user_id: USER,
        peer_id: USER,
        event_id: expect.stringMatching(/^[0-9a-f]+$/),
        payload: { b: 'yes' },
        conversation_message_id: sentCmid,
      },
    });
    expect(fake.messageEvent(USER, {}, 42).object.conversation_message_id).toBe(42);
  });
});

describe('Callback API', () => {
  let server: Server | undefined;

  afterEach(async () => {
    if (!server) return;
    const closing = server;
    server = undefined;
    await new Promise((resolve) => closing.close(resolve));
  });

  async function serve(callbackVk: VK): Promise<string> {
    const handler = callbackVk.updates.getWebhookCallback('/vk');
    server = createServer((req, res) => void handler(req, res, () => res.writeHead(404).end()));
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/vk`;
  }

  it("postCallback delivers events the way VK does to vk-io's webhook (secret, confirmation, 'ok')", async () => {
    const hooked = client({ webhookSecret: 's3cret', webhookConfirmation: 'c0nfirm' });
    const texts: string[] = [];
    hooked.updates.on('message_new', (context) => {
      texts.push(context.text ?? '');
    });
    const url = await serve(hooked);

    expect(await fake.postCallback(url, fake.confirmationEvent(), { secret: 's3cret' })).toEqual({
      status: 200,
      body: 'c0nfirm',
    });
    const event: VkEvent = fake.messageNew(USER, 'по колбэку');
    expect(await fake.postCallback(url, event, { secret: 's3cret', retryCounter: 1 })).toEqual({
      status: 200,
      body: 'ok',
    });
    expect((await fake.postCallback(url, event, { secret: 'wrong' })).status).toBe(403);
    await until(() => texts.length === 1);
    expect(texts).toEqual(['по колбэку']);
  });

  it('sends the event as JSON with the secret added', async () => {
    const bodies: unknown[] = [];
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        bodies.push({
          type: req.headers['content-type'],
          retry: req.headers['x-retry-counter'],
          body: JSON.parse(Buffer.concat(chunks).toString()),
        });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const event = fake.messageDeny(USER);
    expect(await fake.postCallback(url, event, { secret: 'abc' })).toEqual({ status: 200, body: 'ok' });
    expect(bodies).toEqual([
      { type: 'application/json', retry: undefined, body: { ...event, secret: 'abc' } },
    ]);
    expect(fake.isAllowed(USER)).toBe(false); // a delivered message_deny changes permission, as with pushEvent
  });
});
