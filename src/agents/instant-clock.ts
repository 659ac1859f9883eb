/** Time, date and weekday in a time zone, said the way a person says them. */

export type RelativeDay = 'today' | 'tomorrow' | 'yesterday';

export function relativeDay(text: string): RelativeDay {
  return /\btomorrow\b|\btmrw\b/i.test(text) ? 'tomorrow' : /\byesterday\b/i.test(text) ? 'yesterday' : 'today';
}

/** Building an Intl formatter costs far more than using one: one per zone and shape, kept. */
const formats = new Map<string, Intl.DateTimeFormat>();
function format(timeZone: string, shape: 'clock' | 'ymd' | 'long' | 'weekday'): Intl.DateTimeFormat {
  const key = `${shape} ${timeZone}`;
  let f = formats.get(key);
  if (!f) {
    const options: Intl.DateTimeFormatOptions =
      shape === 'clock'
        ? { hour: 'numeric', minute: '2-digit', hour12: true }
        : shape === 'ymd'
          ? { year: 'numeric', month: 'numeric', day: 'numeric' }
          : shape === 'long'
            ? { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' }
            : { weekday: 'long' };
    f = new Intl.DateTimeFormat('en-US', { ...options, timeZone });
    formats.set(key, f);
  }
  return f;
}

/** "It's 5:30 PM." — on the hour, "It's 5 PM." */
export function sayTime(now: Date, timeZone: string): string {
  const parts = format(timeZone, 'clock').formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const minute = get('minute');
  const clock = minute === '00' ? get('hour') : `${get('hour')}:${minute}`;
  return `It's ${clock} ${get('dayPeriod').toUpperCase()}.`;
}

/** The calendar day in `timeZone`, shifted by whole days (safe across DST: calendar, not 24 h). */
function calendarDay(now: Date, timeZone: string, shift: number): Date {
  const parts = format(timeZone, 'ymd').formatToParts(now);
  const n = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return new Date(Date.UTC(n('year'), n('month') - 1, n('day') + shift, 12));
}

const SHIFT: Record<RelativeDay, number> = { today: 0, tomorrow: 1, yesterday: -1 };
const LEAD: Record<RelativeDay, string> = { today: 'Today is', tomorrow: 'Tomorrow is', yesterday: 'Yesterday was' };

/** "Today is Wednesday, November 25, 2026." */
export function sayDate(now: Date, timeZone: string, day: RelativeDay): string {
  const d = calendarDay(now, timeZone, SHIFT[day]);
  const text = format('UTC', 'long').format(d);
  return `${LEAD[day]} ${text}.`;
}

/** "It's Wednesday." / "Tomorrow is Thursday." */
export function sayWeekday(now: Date, timeZone: string, day: RelativeDay): string {
  const d = calendarDay(now, timeZone, SHIFT[day]);
  const name = format('UTC', 'weekday').format(d);
  return day === 'today' ? `It's ${name}.` : `${LEAD[day]} ${name}.`;
}
