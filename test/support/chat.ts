import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { RenderedMessage } from '../../bot/i18n.ts';
import type { HandleResult, InboundUpdate, Runtime } from '../../bot/runtime.ts';

/**
 * Drives a conversation through the runtime like a person would: typing, and tapping buttons by their label
 * on the last message that had buttons (so a test fails if the button is not actually offered).
 */
export class ChatDriver {
  lastReplies: RenderedMessage[] = [];
  private lastButtons: Array<{ label: string; payload: string }> = [];

  constructor(
    private readonly runtime: Runtime,
    readonly externalId: string = randomUUID(),
    readonly channel = 'web',
  ) {}

  async send(event: InboundUpdate['event'], updateId: string = randomUUID()): Promise<HandleResult> {
    const result = await this.runtime.handle({
      channel: this.channel,
      externalId: this.externalId,
      updateId,
      event,
    });
    if (result.status !== 'duplicate') {
      this.lastReplies = result.replies;
      // Every button shown by this step's replies can be tapped (e.g. an offer above the menu).
      const shown = result.replies.flatMap((reply) => reply.buttons?.flat() ?? []);
      if (shown.length > 0) this.lastButtons = shown;
    }
    return result;
  }

  say(text: string) {
    return this.send({ type: 'text', text });
  }

  start() {
    return this.send({ type: 'start' });
  }

  /** Taps the offered button whose label contains `label`. */
  tap(label: string) {
    const button = this.lastButtons.find((candidate) => candidate.label.includes(label));
    expect(
      button,
      `button "${label}" among [${this.lastButtons.map((b) => b.label).join(' | ')}]`,
    ).toBeDefined();
    return this.send({ type: 'button', payload: button?.payload ?? '' });
  }

  /** All reply text of the last step, joined, for `toContain` checks. */
  get text(): string {
    return this.lastReplies.map((reply) => reply.text).join('\n---\n');
  }
}

/** The Russian happy path up to the summary: phone consultation, "call me back". */
export async function answerIntakeUpToSummary(chat: ChatDriver): Promise<void> {
  await chat.say('иванова мария петровна');
  await chat.say('пгт Грамотеино, ул. Светлая, 6, кв. 1');
  await chat.tap('Не в браке');
  await chat.tap('2');
  await chat.say('05.03.1988');
  await chat.say('8 913 123-45-67');
  await chat.tap('юриста');
  await chat.say('Нужна консультация по алиментам');
  await chat.tap('По телефону');
  await chat.tap('Перезвоните мне');
}
