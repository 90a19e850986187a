import type { CenterProfile } from '../../config/center.ts';
import type { Understanding } from '../../flows/types.ts';
import { type ClassifierOptions, IntentClassifier } from './classifier.ts';
import { extractEntities } from './entities.ts';

/**
 * The understanding layer for one free-text message: intent (classifier) and entities together. The runtime
 * calls it before the flow and adds the knowledge-base `articles`; flows only read the result.
 */
export type UnderstandContext = { locale: 'ru' | 'en'; now: Date; center: CenterProfile };

export class Understander {
  constructor(readonly classifier: IntentClassifier) {}

  static async create(options: ClassifierOptions = {}): Promise<Understander> {
    return new Understander(await IntentClassifier.create(options));
  }

  async understand(text: string, context: UnderstandContext): Promise<Understanding & { articles: [] }> {
    const classification = await this.classifier.classify(text, context.locale);
    return {
      ...classification,
      entities: extractEntities(text, context),
      articles: [],
    };
  }
}
