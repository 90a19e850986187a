import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  attendanceQuestion,
  bookingReminder,
  parseAttendancePayload,
  routeItemConfirmation,
  staffCancellation,
} from '../../bot/booking-messages.ts';
import { Translator } from '../../bot/i18n.ts';
import type { CenterProfile, Locale } from '../../config/center.ts';
import { freeSlots, reminderTimes } from '../../domain/slots.ts';
import { decodeSlotPayload } from '../../flows/slot-payload.ts';
import type { OutboundMessage } from '../../flows/types.ts';
import type { Booking } from '../../storage/schema.ts';
import { loadBelovo, TUESDAY_10AM } from '../support/fixtures.ts';

const ZONE = 'Asia/Novokuznetsk';
/** A local Belovo time (UTC+7) as a Date. */
const local = (text: string) => DateTime.fromFormat(text, 'yyyy-MM-dd HH:mm', { zone: ZONE }).toJSDate();
const asLocal = (date: Date) => DateTime.fromJSDate(date).setZone(ZONE).toFormat('yyyy-MM-dd HH:mm');

function booking(overrides: Partial<Booking> = {}): Booking {
  return {
    id: 42,
    contact_id: 7,
    appeal_id: null,
    kind: 'specialist',
    specialist_id: 'lawyer-1',
    format: 'in_person',
    // Thursday 26.11.2026, 15:00–15:45 in Belovo = 08:00–08:45 UTC.
    starts_at: local('2026-11-26 15:00'),
    ends_at: local('2026-11-26 15:45'),
    status: 'confirmed',
    hold_expires_at: null,
    cancelled_by: null,
    rescheduled_from: null,
    partner_org: null,
    partner_address: null,
    partner_person: null,
    partner_phone: null,
    reminded_day_before_at: null,
    reminded_two_hours_at: null,
    attendance_asked_at: null,
    created_at: local('2026-11-20 10:00'),
    updated_at: local('2026-11-20 10:00'),
    ...overrides,
  };
}

const partner = booking({
  kind: 'partner',
  specialist_id: null,
  format: null,
  partner_org: 'ГБУЗ «Беловская городская больница»',
  partner_address: 'г. Белово, ул. Ленина, 1',
  partner_person: 'Петрова Анна Ивановна, каб. 12',
  partner_phone: '+7 38452 2-00-00',
});

const translator = new Translator((key, error) => {
  throw new Error(`${key}: ${error.message}`);
});
const render = (message: OutboundMessage, locale: Locale = 'ru') => translator.render(locale, message);
const payloads = (message: OutboundMessage) => (message.buttons ?? []).flat().map((button) => button.payload);

let center: CenterProfile;
beforeAll(async () => {
  center = await loadBelovo();
});

describe('booking reminders', () => {
  it('the day before: sent at 12:00 local the previous day, naming the local time, who, where and what to bring', () => {
    const b = booking();
    const times = reminderTimes(center, { startsAt: b.starts_at, endsAt: b.ends_at }, b.created_at);
    expect(asLocal(times.dayBefore as Date)).toBe('2026-11-25 12:00');
    const message = bookingReminder(b, 'dayBefore', center, times.dayBefore as Date);
    const { text, buttons } = render(message);
    expect(text).toContain('Вы записаны на приём завтра, 26.11, в 15:00');
    expect(text).not.toContain('08:00'); // the UTC hour must never show
    expect(text).toContain('Специалист: Юрисконсульт центра');
    expect(text).toContain('Где: г. Белово, ул. Маркса, 2, каб. 5');
    expect(text).toContain(
      'Возьмите с собой: паспорт, СНИЛС и документы по Вашему вопросу, если они есть; заявление на социальные услуги оформят на приёме.',
    );
    expect(text).toContain('отмените или перенесите запись в «Мои записи»');
    expect(buttons).toEqual([[{ label: '📅 Мои записи', payload: 'menu:bookings' }]]);
  });

  it('two hours before: "today at 15:00", in English too', () => {
    const b = booking();
    const times = reminderTimes(center, { startsAt: b.starts_at, endsAt: b.ends_at }, b.created_at);
    expect(asLocal(times.twoHoursBefore as Date)).toBe('2026-11-26 13:00');
    const message = bookingReminder(b, 'twoHours', center, times.twoHoursBefore as Date);
    expect(render(message).text).toContain('Приём уже скоро — сегодня в 15:00.');
    const en = render(bookingReminder(b, 'twoHours', center, times.twoHoursBefore as Date, 'en'), 'en');
    expect(en.text).toContain('coming up — today at 15:00');
    expect(en.text).toContain('Specialist: Center lawyer');
    expect(en.text).toContain('Where: Room 5, 2 Marksa St, Belovo');
    expect(en.buttons).toEqual([[{ label: '📅 My appointments', payload: 'menu:bookings' }]]);
  });

  it('an early-morning local appointment keeps its local date (the UTC date is the day before)', () => {
    // 06:30 Friday in Belovo is 23:30 Thursday UTC.
    const b = booking({ starts_at: local('2026-11-27 06:30'), ends_at: local('2026-11-27 07:15') });
    const text = render(bookingReminder(b, 'dayBefore', center, local('2026-11-26 12:00'))).text;
    expect(text).toContain('завтра, 27.11, в 06:30');
  });

  it('days further away are named by weekday and date', () => {
    const text = render(bookingReminder(booking(), 'dayBefore', center, TUESDAY_10AM)).text;
    expect(text).toContain('в четверг, 26.11, в 15:00');
  });

  it('phone and video appointments say how, not where, and ask for no documents', () => {
    const byPhone = render(
      bookingReminder(booking({ format: 'phone' }), 'dayBefore', center, TUESDAY_10AM),
    ).text;
    expect(byPhone).toContain('по телефону — специалист сам позвонит');
    expect(byPhone).not.toContain('Где:');
    expect(byPhone).not.toContain('Возьмите с собой');
    const psychologist = booking({ specialist_id: 'psychologist-1', format: 'video' });
    const text = render(bookingReminder(psychologist, 'dayBefore', center, TUESDAY_10AM)).text;
    expect(text).toContain('Специалист: Педагог-психолог');
    expect(text).toContain('видеосвязь');
    expect(text).not.toContain('Возьмите с собой');
  });

  it("a specialist without a place of their own receives at the center's address", () => {
    const social = booking({ specialist_id: 'family-specialist-1' });
    const text = render(bookingReminder(social, 'dayBefore', center, TUESDAY_10AM)).text;
    expect(text).toContain('Где: г. Белово, ул. Маркса, 2\n');
    expect(text).toContain('Возьмите с собой: паспорт (и паспорт супруга');
    expect(text).toContain('СНИЛС (Ваш, супруга и детей), свидетельства о рождении детей');
    expect(text).toContain('для ребёнка-инвалида — справка МСЭ и ИПРА');
  });

  it('a partner route item names the organisation, address, person and phone, and how to change plans', () => {
    const text = render(bookingReminder(partner, 'dayBefore', center, local('2026-11-25 12:00'))).text;
    expect(text).toContain('завтра, 26.11, в 15:00');
    expect(text).toContain('Куда: ГБУЗ «Беловская городская больница»');
    expect(text).toContain('Адрес: г. Белово, ул. Ленина, 1');
    expect(text).toContain('К кому: Петрова Анна Ивановна, каб. 12');
    expect(text).toContain('Телефон: +7 38452 2-00-00');
    expect(text).toContain('предупредите, пожалуйста, организацию');
    expect(text).toContain(center.phone);
    expect(text).not.toContain('Специалист:');
    expect(text).not.toContain('Возьмите с собой');
    expect(payloads(bookingReminder(partner, 'twoHours', center, TUESDAY_10AM))).toEqual(['menu:bookings']);

    const orgOnly = booking({ ...partner, partner_address: null, partner_person: null, partner_phone: null });
    const short = render(bookingReminder(orgOnly, 'dayBefore', center, TUESDAY_10AM)).text;
    expect(short).toContain('Куда: ГБУЗ');
    expect(short).not.toMatch(/Адрес:|К кому:|Телефон:/);
  });

  it('the route item confirmation says what was booked and that reminders follow', () => {
    const text = render(routeItemConfirmation(partner, center, TUESDAY_10AM)).text;
    expect(text).toContain('Мы записали Вас на приём в четверг, 26.11, в 15:00');
    expect(text).toContain('Куда: ГБУЗ «Беловская городская больница»');
    expect(text).toContain('напомню');
    const en = render(routeItemConfirmation(partner, center, TUESDAY_10AM, 'en'), 'en').text;
    expect(en).toContain('We have booked an appointment for you on Thursday, 26.11, at 15:00');
  });
});

describe('attendance question', () => {
  it('asks after the appointment, with yes/no buttons carrying the booking id', () => {
    const b = booking();
    const times = reminderTimes(center, { startsAt: b.starts_at, endsAt: b.ends_at }, b.created_at);
    expect(asLocal(times.attendanceCheck)).toBe('2026-11-26 16:45');
    const message = attendanceQuestion(b, center, times.attendanceCheck);
    const { text, buttons } = render(message);
    expect(text).toContain('состоялся ли Ваш приём сегодня в 15:00 (Юрисконсульт центра)');
    expect(buttons).toEqual([
      [
        { label: '✅ Да, состоялся', payload: 'attend:yes:42' },
        { label: '❌ Нет, не получилось', payload: 'attend:no:42' },
      ],
    ]);
    expect(parseAttendancePayload('attend:yes:42')).toEqual({ attended: true, bookingId: 42 });
    expect(parseAttendancePayload('attend:no:42')).toEqual({ attended: false, bookingId: 42 });
    expect(parseAttendancePayload('attend:maybe:42')).toBeUndefined();
  });

  it('names the partner organisation for a route item', () => {
    expect(render(attendanceQuestion(partner, center, TUESDAY_10AM)).text).toContain(
      '(ГБУЗ «Беловская городская больница»)',
    );
  });
});

describe('cancellation by the center', () => {
  it('apologises and offers at most 3 alternatives as slot buttons within 64 bytes, plus my appointments', () => {
    const alternatives = freeSlots(center, 'lawyer', TUESDAY_10AM, []).slice(0, 5);
    expect(alternatives).toHaveLength(5);
    const message = staffCancellation(booking(), center, alternatives, TUESDAY_10AM);
    const { text, buttons } = render(message);
    expect(text).toContain(
      'нам пришлось отменить Вашу запись в четверг, 26.11, в 15:00 (Юрисконсульт центра)',
    );
    expect(text).toContain('нажмите на удобное');
    expect(buttons).toHaveLength(4);
    const offered = (buttons ?? []).slice(0, 3).map((row) => row[0]);
    for (const [index, button] of offered.entries()) {
      const slot = alternatives[index];
      if (!button || !slot) throw new Error('missing button');
      expect(Buffer.byteLength(button.payload, 'utf8')).toBeLessThanOrEqual(64);
      expect(decodeSlotPayload(button.payload)).toEqual({
        specialistId: slot.specialistId,
        startsAt: slot.startsAt,
      });
      // The label shows the local time of the slot.
      expect(button.label).toContain(
        DateTime.fromJSDate(slot.startsAt).setZone(ZONE).toFormat('dd.MM, HH:mm'),
      );
    }
    // Tuesday 10:00 + 2 h lead: the lawyer's next free slot is today at 13:00 local.
    expect(offered[0]?.label).toBe('Сегодня 24.11, 13:00');
    expect(buttons?.[3]).toEqual([{ label: '📅 Мои записи', payload: 'menu:bookings' }]);
  });

  it('without free times, gives the center phone instead', () => {
    const message = staffCancellation(booking(), center, [], TUESDAY_10AM);
    const { text } = render(message);
    expect(text).toContain('Свободного времени в ближайшие дни пока нет');
    expect(text).toContain(center.phone);
    expect(payloads(message)).toEqual(['menu:bookings']);
  });

  it('renders every message in English without missing keys or variables', () => {
    const alternatives = freeSlots(center, 'lawyer', TUESDAY_10AM, []);
    for (const message of [
      bookingReminder(booking(), 'dayBefore', center, TUESDAY_10AM, 'en'),
      bookingReminder(partner, 'twoHours', center, TUESDAY_10AM, 'en'),
      attendanceQuestion(booking(), center, TUESDAY_10AM, 'en'),
      staffCancellation(booking(), center, alternatives, TUESDAY_10AM, 'en'),
      routeItemConfirmation(partner, center, TUESDAY_10AM, 'en'),
    ]) {
      const rendered = render(message, 'en');
      expect(rendered.text).not.toMatch(/[{}]|undefined/);
      expect(rendered.text).not.toMatch(/Напоминаем|Приём|пришлось|записали|состоялся/);
    }
  });
});
