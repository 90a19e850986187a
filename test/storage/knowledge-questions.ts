/**
 * Realistic parent questions for the navigator's search (typos, word forms, no punctuation, several
 * sentences), with the article that must answer them. `top` is where it must rank: 1 (first) or 3 (top three).
 * None of these texts is an article phrasing verbatim; they are written the way parents write.
 */
export type SearchCase = { text: string; center: 'belovo' | 'barnaul'; expected: string; top: 1 | 3 };

export const SEARCH_CASES: SearchCase[] = [
  { text: 'какие документы нужны на соцконтракт', center: 'belovo', expected: 'social-contract', top: 1 },
  { text: 'сколько стоит консультация', center: 'belovo', expected: 'free', top: 1 },
  { text: 'можно ли анонимно к психологу', center: 'barnaul', expected: 'anonymous', top: 1 },
  { text: 'где взять коляску на время', center: 'barnaul', expected: 'rental', top: 1 },
  { text: 'где взять коляску на время', center: 'belovo', expected: 'mutual-aid', top: 1 },
  { text: 'телефон пенсионного фонда', center: 'belovo', expected: 'social-fund', top: 1 },
  {
    text: 'здравствуйте у меня трое детей муж не работает подскажите как оформить социальный контракт',
    center: 'barnaul',
    expected: 'social-contract',
    top: 1,
  },
  { text: 'консультация юриста у вас платная?', center: 'barnaul', expected: 'free', top: 3 },
  { text: 'а психолог бесплатно принимает', center: 'belovo', expected: 'free', top: 3 },
  { text: 'хочу поговорить с психологом но без фамилии', center: 'belovo', expected: 'anonymous', top: 1 },
  { text: 'что взять с собой на прием паспорт нужен?', center: 'belovo', expected: 'documents', top: 1 },
  {
    text: 'как нам получить удостоверение многодетной семьи',
    center: 'belovo',
    expected: 'large-family',
    top: 1,
  },
  {
    text: 'мы многодетные что нам положено от государства',
    center: 'barnaul',
    expected: 'large-family',
    top: 1,
  },
  {
    text: 'как признают малоимущими? у нас зарплата маленькая',
    center: 'belovo',
    expected: 'low-income',
    top: 3,
  },
  {
    text: 'какой сейчас прожиточный минимум на ребенка',
    center: 'belovo',
    expected: 'subsistence-minimum',
    top: 1,
  },
  { text: 'номер горячей линии круглосуточно', center: 'belovo', expected: 'helpline-belovo', top: 1 },
  { text: 'куда можно позвонить ночью если плохо', center: 'barnaul', expected: 'helpline-barnaul', top: 1 },
  { text: 'муж на сво, какие выплаты положены семье', center: 'barnaul', expected: 'svo', top: 1 },
  {
    text: 'я жена мобилизованного, двое малышей, нужна помощь',
    center: 'belovo',
    expected: 'svo-belovo',
    top: 1,
  },
  {
    text: 'сын подросток грубит не слушается постоянные ссоры',
    center: 'belovo',
    expected: 'psychologist',
    top: 1,
  },
  { text: 'ребенка в школе травят одноклассники', center: 'barnaul', expected: 'psychologist', top: 3 },
  { text: 'нужна помощь юриста по алиментам', center: 'belovo', expected: 'lawyer', top: 1 },
  { text: 'помогите составить исковое на развод', center: 'barnaul', expected: 'lawyer', top: 1 },
  {
    text: 'мужа сократили на работе, живем на детские, что делать',
    center: 'belovo',
    expected: 'job-loss',
    top: 3,
  },
  { text: 'как оформить пособие на ребенка', center: 'barnaul', expected: 'child-benefits', top: 1 },
  { text: 'перестали приходить детские выплаты', center: 'belovo', expected: 'child-benefits', top: 1 },
  {
    text: 'я мать одиночка какие льготы мне положены',
    center: 'belovo',
    expected: 'family-categories',
    top: 1,
  },
  { text: 'когда у вас принимает соцзащита', center: 'barnaul', expected: 'partners-barnaul', top: 1 },
  { text: 'дайте телефон центра занятости', center: 'belovo', expected: 'partners-belovo', top: 1 },
  {
    text: 'какие документы нужны чтобы ребенку инвалиду делали массаж',
    center: 'barnaul',
    expected: 'social-services-documents',
    top: 3,
  },
  { text: 'нужен вертикализатор для ребенка с дцп', center: 'barnaul', expected: 'rental', top: 3 },
  { text: 'чем вы вообще занимаетесь какие услуги', center: 'barnaul', expected: 'about', top: 1 },
  { text: 'живу в грамотеино, вы к нам приезжаете?', center: 'belovo', expected: 'outreach-belovo', top: 1 },
  { text: 'сколко стоит консультацыя психолога', center: 'barnaul', expected: 'free', top: 3 },
  { text: 'докуметы на соцконтракт какие', center: 'belovo', expected: 'social-contract', top: 1 },
  { text: 'Is the consultation free?', center: 'barnaul', expected: 'free', top: 1 },
  { text: 'where can I borrow a pram', center: 'barnaul', expected: 'rental', top: 1 },
];

/** Texts with no meaningful word: the search must return nothing. */
export const EMPTY_CASES = ['', '   ', '???', 'ну и', 'а', '!!! ... ,,,', '\u0000\u0000'];

/**
 * A second set, written after the articles and deliberately in other words than their phrasings (synonyms,
 * slang, typos, long stories). The search is not tuned on it: it measures how the navigator copes with what
 * it was not written for. The test requires a floor of top-3 hits over the set, not each one.
 */
export const UNSEEN_CASES: SearchCase[] = [
  { text: 'за прием у вас надо деньги платить или нет', center: 'belovo', expected: 'free', top: 3 },
  {
    text: 'мне неудобно называть себя, можно так поговорить со специалистом по душевным вопросам',
    center: 'barnaul',
    expected: 'anonymous',
    top: 3,
  },
  { text: 'на соц контракт что собирать', center: 'barnaul', expected: 'social-contract', top: 3 },
  {
    text: 'деньги от государства на открытие бизнеса малоимущим',
    center: 'belovo',
    expected: 'social-contract',
    top: 3,
  },
  {
    text: 'у нас четверо детей, положена ли скидка на коммуналку',
    center: 'belovo',
    expected: 'large-family',
    top: 3,
  },
  {
    text: 'живем бедно доход маленький нас признают нуждающимися?',
    center: 'barnaul',
    expected: 'low-income',
    top: 3,
  },
  { text: 'можно одолжить манеж или ходунки малышу', center: 'barnaul', expected: 'rental', top: 3 },
  { text: 'нужна детская одежда на зиму, денег нет', center: 'belovo', expected: 'mutual-aid', top: 3 },
  {
    text: 'есть номер куда звонить в любое время суток',
    center: 'belovo',
    expected: 'helpline-belovo',
    top: 3,
  },
  {
    text: 'мой муж мобилизован, я одна с малышом и бабушкой, кто поможет привезти лекарства',
    center: 'barnaul',
    expected: 'svo',
    top: 3,
  },
  {
    text: 'дочка перестала разговаривать с нами, закрылась в комнате, я не знаю что делать',
    center: 'belovo',
    expected: 'psychologist',
    top: 3,
  },
  { text: 'бывший муж не платит на ребенка, куда подать', center: 'barnaul', expected: 'lawyer', top: 3 },
  {
    text: 'потерял паспорт и свидетельство о рождении сына как восстановить',
    center: 'belovo',
    expected: 'lawyer',
    top: 3,
  },
  { text: 'меня уволили, трое детей, на что жить', center: 'barnaul', expected: 'job-loss', top: 3 },
  { text: 'куда звонить насчет маткапитала', center: 'belovo', expected: 'social-fund', top: 3 },
  {
    text: 'у вас можно попасть к специалистам соцзащиты и мфц в одном месте?',
    center: 'barnaul',
    expected: 'partners-barnaul',
    top: 3,
  },
  { text: 'что у вас за организация и чем помогаете людям', center: 'belovo', expected: 'about', top: 3 },
  {
    text: 'я одна воспитываю сына, что мне полагается',
    center: 'barnaul',
    expected: 'family-categories',
    top: 3,
  },
  { text: 'ежемесячные деньги на детей как получить', center: 'belovo', expected: 'child-benefits', top: 3 },
  { text: 'что нужно принести с собой в первый раз', center: 'barnaul', expected: 'documents', top: 3 },
  {
    text: 'какой минимальный доход на одного человека в кузбассе',
    center: 'belovo',
    expected: 'subsistence-minimum',
    top: 3,
  },
  {
    text: 'у сына инвалидность, нужны тренажеры и занятия дома',
    center: 'barnaul',
    expected: 'disabled-children',
    top: 3,
  },
  { text: 'в новый городок специалисты ездят?', center: 'belovo', expected: 'outreach-belovo', top: 3 },
  {
    text: 'в деревне нет психолога, можно по интернету',
    center: 'barnaul',
    expected: 'online-psychologist',
    top: 3,
  },
  {
    text: 'помогите пожалуйста разобраться что положено семье сво в белово',
    center: 'belovo',
    expected: 'svo-belovo',
    top: 3,
  },
];
