import { describe, expect, it } from 'vitest';
import { type CrisisSignal, detectCrisis } from '../../domain/crisis.ts';

/** Messages as families write them: word forms, "ё" or "е", the signal somewhere inside a longer text. */
const CRISIS: Array<[string, CrisisSignal]> = [
  ['Здравствуйте. Я хочу покончить с собой, сил больше нет', 'suicide'],
  ['я больше не хочу жить', 'suicide'],
  ['Сын пишет в дневнике, что жить не хочется', 'suicide'],
  ['у дочери мысли о суициде, что делать?', 'suicide'],
  ['Если он уйдёт, я убью себя', 'suicide'],
  ['Подруга говорила про самоубийство', 'suicide'],
  ['наглоталась таблеток, мне страшно', 'suicide'],
  ['лучше бы я умерла, никому не нужна', 'suicide'],
  ['похоронила мужа и не вижу смысла жить', 'suicide'],
  ['I want to kill myself', 'suicide'],
  ['Муж бьёт меня уже второй год, куда идти?', 'violence'],
  ['отчим избивает детей, когда пьёт', 'violence'],
  ['Он меня избил вчера вечером', 'violence'],
  ['сожитель угрожает убить, я боюсь идти домой', 'violence'],
  ['Бывший муж угрожал ножом', 'violence'],
  ['дома меня бьют, помогите', 'violence'],
  ['у нас домашнее насилие, нужна консультация', 'violence'],
  ['Он меня изнасиловал', 'sexual_violence'],
  ['отчим домогается до дочери', 'sexual_violence'],
  ['было изнасилование, боюсь заявлять', 'sexual_violence'],
  ['Помогите, ребёнку угрожают в школе', 'child_danger'],
  ['ребенок пропал, не отвечает на звонки', 'child_danger'],
  ['Пропала дочь, 14 лет', 'child_danger'],
  ['сын не вернулся домой со вчерашнего дня', 'child_danger'],
  ['он угрожает убить ребёнка', 'child_danger'],
  ['малыш не дышит!!!', 'child_danger'],
  ['умерла мама, не могу', 'loss'],
  ['Вчера погиб муж. Я не знаю, что делать', 'loss'],
  ['у меня умер сын', 'loss'],
  ['не стало мамы, и дети остались со мной', 'loss'],
  ['My mother died last week', 'loss'],
  ['Пожар!', 'emergency'],
  ['у нас пожар в доме, что делать', 'emergency'],
  ['горит квартира у соседей', 'emergency'],
  ['в подъезде пахнет газом', 'emergency'],
  ['вызовите скорую, пожалуйста', 'emergency'],
];

/** Everyday messages with the same words: a help text and an urgent alert here would be noise. */
const LOOK_ALIKES = [
  'Как убить время в очереди?',
  'нам жить негде, нужна помощь с жильём',
  'жить не на что, подскажите про пособие',
  'не хочу жить с мужем в одной квартире, как разделить жильё',
  'Наш сын бьёт рекорды по плаванию',
  'у нас пожарная инспекция в пятницу',
  'Нужен юрист: судебный процесс по алиментам',
  'читали со смертью Кощея в сказке',
  'смерть Кощея в сказке',
  'у ребёнка пропал аппетит',
  'муж меня не бьёт, но пьёт',
  'батарейка в телефоне умерла',
  'бывший муж угрожает забрать ребёнка',
  'опека угрожает изъять детей, нужен юрист',
  'меня бьёт озноб, можно перенести приём?',
  'это избитая фраза',
  'у сына взрывной характер, нужен психолог',
  'дочка чуть не умерла со смеху',
  'у нас горит срок подачи документов',
  'у дочки умер хомяк',
  'у нас билеты на поезд',
  'хочу записаться к психологу',
  'killing time before the appointment',
];

describe('detectCrisis', () => {
  it.each(CRISIS)('%j → %s', (text, signal) => {
    expect(detectCrisis(text)).toEqual({ signal });
  });

  it.each(LOOK_ALIKES)('stays quiet on %j', (text) => {
    expect(detectCrisis(text)).toBeUndefined();
  });

  it('has enough cases on both sides', () => {
    expect(CRISIS.length).toBeGreaterThanOrEqual(25);
    expect(LOOK_ALIKES.length).toBeGreaterThanOrEqual(15);
    expect(new Set(CRISIS.map(([, signal]) => signal)).size).toBe(6);
  });
});
