import type { InlineKeyboardMarkup } from 'grammy/types';
import type { Translator } from '../../bot/i18n.ts';
import { APPEAL_RESULTS, type AppealAction, type AppealResult } from '../../storage/appeal-lifecycle.ts';

/**
 * Buttons under an appeal's card in the staff chat. callback_data is "st:<verb>:<appeal id>[:<result>]" —
 * well under Telegram's 64 bytes — and always names the appeal, so a tap on an old card acts on the right one.
 */
export type StaffTap =
  | { verb: 'act'; action: Exclude<AppealAction, 'close'>; appealId: number }
  | { verb: 'close'; appealId: number }
  | { verb: 'result'; appealId: number; result: AppealResult }
  | { verb: 'back'; appealId: number };

const ACTIONS = ['take', 'wait', 'callback-done', 'reopen'] as const;

export function parseStaffPayload(data: string | undefined): StaffTap | undefined {
  const [prefix, verb, id, extra] = (data ?? '').split(':');
  const appealId = Number(id);
  if (prefix !== 'st' || !Number.isSafeInteger(appealId) || appealId <= 0) return undefined;
  if ((ACTIONS as readonly string[]).includes(verb ?? '')) {
    return { verb: 'act', action: verb as (typeof ACTIONS)[number], appealId };
  }
  if (verb === 'close') return { verb: 'close', appealId };
  if (verb === 'back') return { verb: 'back', appealId };
  if (verb === 'res' && (APPEAL_RESULTS as readonly string[]).includes(extra ?? '')) {
    return { verb: 'result', appealId, result: extra as AppealResult };
  }
  return undefined;
}

type Row = Array<[labelKey: string, data: string]>;

/** What can be done next, by status: the same moves the lifecycle table allows. */
function rowsFor(status: string, id: number): Row[] {
  switch (status) {
    case 'new':
      return [
        [
          ['staff-button-take', `st:take:${id}`],
          ['staff-button-callback-done', `st:callback-done:${id}`],
        ],
        [['staff-button-close', `st:close:${id}`]],
      ];
    case 'in_work':
      return [
        [
          ['staff-button-callback-done', `st:callback-done:${id}`],
          ['staff-button-wait', `st:wait:${id}`],
        ],
        [['staff-button-close', `st:close:${id}`]],
      ];
    case 'waiting':
      return [[['staff-button-resume', `st:take:${id}`]], [['staff-button-close', `st:close:${id}`]]];
    default:
      return [[['staff-button-reopen', `st:reopen:${id}`]]];
  }
}

const RESULT_ROWS = (id: number): Row[] => [
  [
    ['staff-result-resolved', `st:res:${id}:resolved`],
    ['staff-result-partly', `st:res:${id}:partly`],
  ],
  [
    ['staff-result-not_resolved', `st:res:${id}:not_resolved`],
    ['staff-result-withdrawn', `st:res:${id}:withdrawn`],
  ],
  [['staff-button-back', `st:back:${id}`]],
];

function markup(rows: Row[], translator: Translator): InlineKeyboardMarkup {
  return {
    inline_keyboard: rows.map((row) =>
      row.map(([key, data]) => ({ text: translator.t('ru', { key }), callback_data: data })),
    ),
  };
}

export const cardKeyboard = (status: string, appealId: number, translator: Translator) =>
  markup(rowsFor(status, appealId), translator);

export const resultKeyboard = (appealId: number, translator: Translator) =>
  markup(RESULT_ROWS(appealId), translator);
