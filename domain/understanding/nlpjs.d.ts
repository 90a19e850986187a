// nlp.js ships no type declarations; these cover what domain/understanding uses.
declare module '@nlpjs/core' {
  export type Container = {
    use(plugin: unknown): void;
    get(name: string): unknown;
    registerConfiguration(tag: string, settings: Record<string, unknown>, overwrite?: boolean): void;
  };
  export function containerBootstrap(): Promise<Container>;
}
declare module '@nlpjs/nlp' {
  export const Nlp: unknown;
}
declare module '@nlpjs/lang-ru' {
  export const LangRu: unknown;
  export class StemmerRu {
    stemWord(word: string): string;
  }
}
declare module '@nlpjs/lang-en-min' {
  export const LangEn: unknown;
}
declare module '@nlpjs/lang-en-min' {
  export class StemmerEn {
    stemWord(word: string): string;
  }
}
