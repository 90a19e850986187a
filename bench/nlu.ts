import { performance } from 'node:perf_hooks';
import { IntentClassifier } from '../domain/understanding/classifier.ts';
import {
  asTrainingDocuments,
  type LabelledMessage,
  loadEvaluationSet,
  type Scores,
  score,
} from '../domain/understanding/evaluation.ts';

/**
 * `npm run bench -- nlu`: the intent classifier on the held-out parent messages (nlu/eval/heldout.yaml, never
 * trained on) against the regular expressions it replaces (flows/assistant.ts `menuChoiceFromText`, copied
 * below as it was), plus training time, time per message and the threshold curve on the dev messages.
 */

/** The old matcher, verbatim from flows/assistant.ts (issue 11 replaces it). */
function menuChoiceFromText(event: { type: 'text'; text: string }): string | undefined {
  const text = event.text.toLocaleLowerCase('ru');
  if (/мои записи|my (appointments|bookings)/.test(text)) return 'bookings';
  if (/результат|вопрос решил|решился|progress|result/.test(text)) return 'progress';
  if (/запис|appointment|book/.test(text)) return 'book';
  if (/обращ|помо[гщ]|юрист|психолог|консульт|help|appeal|lawyer|psycholog/.test(text)) return 'intake';
  if (/контакт|телефон|адрес|час|режим|contact|phone|hours/.test(text)) return 'contacts';
  if (/график|выезд|расписан|приезж|schedule|visit/.test(text)) return 'outreach';
  if (/удал.*данн|delete.*data/.test(text)) return 'delete';
  return undefined;
}

/** The old menu choices as intent ids: what the assistant did with each. */
const BASELINE_INTENT: Record<string, string> = {
  bookings: 'bookings.mine',
  progress: 'progress.report',
  book: 'book',
  intake: 'appeal.new',
  contacts: 'contacts',
  outreach: 'outreach.schedule',
  delete: 'data.delete',
};

const baseline = (message: LabelledMessage) => {
  const choice = menuChoiceFromText({ type: 'text', text: message.text });
  return { intent: choice ? BASELINE_INTENT[choice] : undefined };
};

const pct = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;
const summary = (scores: Scores) => ({
  right: `${scores.right} / ${scores.total} (${pct(scores.accuracy)})`,
  fallback: `${scores.fallback} (${pct(scores.fallbackRate)})`,
  wrongAction: `${scores.wrong} (${pct(scores.wrongRate)})`,
});

/** Median of three trainings: the machine is shared, one run can be unlucky. */
async function trainingMs(options: Parameters<typeof IntentClassifier.create>[0]): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    await IntentClassifier.create(options);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[1] ?? 0;
}

export async function nluBench(): Promise<boolean> {
  const set = await loadEvaluationSet();
  const options = { extraDocuments: asTrainingDocuments(set.train) };
  const classifier = await IntentClassifier.create({ ...options, threshold: 0 });
  const threshold = (await IntentClassifier.create(options)).threshold;
  // One classification per message at threshold 0 gives every threshold's outcome: the curve below.
  const raw = new Map<string, { intent?: string; score: number }>();
  for (const message of [...set.dev, ...set.heldout])
    raw.set(message.text, await classifier.classify(message.text, message.locale));
  const at = (cut: number) => (message: LabelledMessage) => {
    const result = raw.get(message.text);
    return { intent: result && result.score >= cut ? result.intent : undefined };
  };
  const nlu = await score(set.heldout, at(threshold));
  const old = await score(set.heldout, baseline);
  const timed = await score(set.heldout, (message) => classifier.classify(message.text, message.locale));
  const curve: Record<string, string> = {};
  for (const cut of [0.3, 0.4, 0.5, 0.6, 0.7, 0.8]) {
    const dev = await score(set.dev, at(cut));
    curve[cut.toFixed(1)] =
      `right ${pct(dev.accuracy)}, fallback ${pct(dev.fallbackRate)}, wrong ${pct(dev.wrongRate)}`;
  }
  const report = {
    bench: 'nlu: intent classification of parent messages',
    messages: { train: set.train.length, dev: set.dev.length, heldout: set.heldout.length },
    threshold,
    heldout: { nlu: summary(nlu), regexBaseline: summary(old) },
    ratios: {
      rightNluToBaseline: Number((nlu.accuracy / Math.max(old.accuracy, 1e-9)).toFixed(2)),
      wrongActionBaselineToNlu: Number((old.wrongRate / Math.max(nlu.wrongRate, 1e-9)).toFixed(2)),
    },
    dev: summary(await score(set.dev, at(threshold))),
    thresholdCurveOnDev: curve,
    trainingMs: Number((await trainingMs(options)).toFixed(0)),
    networkTrainingMs: Number(classifier.trainingMs.toFixed(0)),
    classifyMs: {
      p50: Number(timed.msPerMessage.p50.toFixed(2)),
      p99: Number(timed.msPerMessage.p99.toFixed(2)),
    },
    heldoutMisses: nlu.outcomes
      .filter((outcome) => outcome.predicted !== (outcome.intent === 'none' ? undefined : outcome.intent))
      .map((outcome) => `${outcome.intent} → ${outcome.predicted ?? '(fallback)'}: ${outcome.text}`),
  };
  console.log(JSON.stringify(report, null, 2));
  return nlu.accuracy >= 0.85;
}
