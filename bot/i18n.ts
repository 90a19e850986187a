import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FluentBundle, FluentResource } from '@fluent/bundle';
import { LOCALES, type Locale } from '../config/center.ts';
import type { Msg, OutboundMessage } from '../flows/types.ts';

/** A message as an adapter receives it: plain text and labelled buttons, already in the contact's language. */
export type RenderedMessage = {
  text: string;
  buttons?: Array<Array<{ label: string; payload: string }>>;
  requestPhone?: boolean;
  /** On inbound transcript entries: the client's id of the message, so a client can match its own echo. */
  ref?: string;
};

export const LOCALES_DIR = fileURLToPath(new URL('../locales/', import.meta.url));

/** A locale's messages: `ru.ftl` plus feature files `ru.<feature>.ftl` (e.g. `ru.booking.ftl`). */
export function localeFiles(locale: Locale): string[] {
  const extra = readdirSync(LOCALES_DIR)
    .filter((name) => name.startsWith(`${locale}.`) && name.endsWith('.ftl') && name !== `${locale}.ftl`)
    .sort();
  return [`${locale}.ftl`, ...extra].map((name) => `${LOCALES_DIR}${name}`);
}

export class Translator {
  private readonly bundles = new Map<Locale, FluentBundle>();

  constructor(private readonly onError: (key: string, error: Error) => void = () => {}) {
    for (const locale of LOCALES) {
      // Isolation marks (U+2068/9) would show up as garbage in some messengers' clients.
      const bundle = new FluentBundle(locale, { useIsolating: false });
      for (const file of localeFiles(locale)) {
        const errors = bundle.addResource(new FluentResource(readFileSync(file, 'utf8')));
        if (errors.length > 0) throw new Error(`${file}: ${errors.map(String).join('; ')}`);
      }
      this.bundles.set(locale, bundle);
    }
  }

  has(locale: Locale, key: string): boolean {
    return this.bundles.get(locale)?.hasMessage(key) ?? false;
  }

  /** Falls back to Russian, then to the key itself, so a missing translation never blanks a message. */
  t(locale: Locale, { key, args }: Msg): string {
    for (const candidate of [locale, 'ru'] as const) {
      const bundle = this.bundles.get(candidate);
      const message = bundle?.getMessage(key);
      if (!bundle || !message?.value) continue;
      const errors: Error[] = [];
      const text = bundle.formatPattern(message.value, args, errors);
      for (const error of errors) this.onError(key, error);
      return text;
    }
    this.onError(key, new Error(`missing message "${key}"`));
    return key;
  }

  render(locale: Locale, message: OutboundMessage): RenderedMessage {
    const paragraphs = message.parts.map((part) =>
      Array.isArray(part) ? part.map((line) => this.t(locale, line)).join('\n') : this.t(locale, part),
    );
    const rendered: RenderedMessage = { text: paragraphs.join('\n\n') };
    if (message.buttons?.length) {
      rendered.buttons = message.buttons.map((row) =>
        row.map((button) => ({ label: this.t(locale, button.label), payload: button.payload })),
      );
    }
    if (message.requestPhone) rendered.requestPhone = true;
    return rendered;
  }
}
