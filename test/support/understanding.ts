import { navigatorOf } from '../../bot/navigator.ts';
import type { RuntimeDeps, UnderstandFn } from '../../bot/runtime.ts';
import { understandingLayer } from '../../bot/understanding.ts';
import type { CenterProfile } from '../../config/center.ts';
import { centerIdOf, loadKnowledge } from '../../config/knowledge.ts';
import { Understander } from '../../domain/understanding/understand.ts';
import type { Db } from '../../storage/db.ts';
import { searchKnowledge, syncKnowledge } from '../../storage/knowledge.ts';
import { BELOVO } from './fixtures.ts';

let trained: Promise<Understander> | undefined;

/** The classifier is trained once per test file (the same data the service trains at start). */
export const sharedUnderstander = (): Promise<Understander> => {
  trained ??= Understander.create();
  return trained;
};

/**
 * The real understanding layer and navigator of a center, as the composition root builds them: classifier,
 * entities, the knowledge articles synced into `db` and searched there.
 */
export async function realUnderstanding(
  db: Db,
  center: CenterProfile,
  profilePath = BELOVO,
): Promise<Pick<RuntimeDeps, 'understand' | 'navigator'> & { understand: UnderstandFn }> {
  const centerId = centerIdOf(profilePath);
  const knowledge = await loadKnowledge('knowledge', { center });
  await syncKnowledge(db, knowledge);
  const understander = await sharedUnderstander();
  return {
    understand: understandingLayer(understander, center, (tx, text, locale) =>
      searchKnowledge(tx, text, locale, { centerId }),
    ),
    navigator: navigatorOf(knowledge, centerId),
  };
}
