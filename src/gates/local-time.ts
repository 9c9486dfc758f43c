// Time-zone arithmetic with Intl only: instants (ms since the epoch) to local wall-clock time and back, plus the
// spec-facing helpers that read a local date-time and describe an instant for people.
//
// A "wall" value is a local date and time encoded as if it were UTC: Date.UTC(year, month, day, hour, minute).
// Wall values are what the deployment-window rules are written in; instants are what clocks return.

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

const partsFormatters = new Map<string, Intl.DateTimeFormat>();
const zoneNameFormatters = new Map<string, Intl.DateTimeFormat[]>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = partsFormatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    partsFormatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether Intl knows `name` as an IANA time zone (offsets like "+01:00" are not zone names). */
export function isTimeZone(name: string): boolean {
  if (name === '' || /^[+-]/.test(name)) return false;
  try {
    partsFormatter(name);
    return true;
  } catch {
    return false;
  }
}

/** The local wall-clock time of an instant in `timeZone`, as a wall value. */
export function wallClockOf(ms: number, timeZone: string): number {
  const wholeSecond = Math.floor(ms / 1000) * 1000;
  const fields: Record<string, number> = {};
  for (const part of partsFormatter(timeZone).formatToParts(wholeSecond)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const wall = Date.UTC(
    fields.year ?? 1970,
    (fields.month ?? 1) - 1,
    fields.day ?? 1,
    fields.hour ?? 0,
    fields.minute ?? 0,
    fields.second ?? 0,
  );
  return wall + (ms - wholeSecond);
}

function offsetAt(ms: number, timeZone: string): number {
  return wallClockOf(ms, timeZone) - ms;
}

/**
 * What to do with a wall time that does not exist (it falls in a spring-forward gap):
 * `shift` moves it forward by the length of the gap (02:30 in a 02:00→03:00 gap is 03:30);
 * `transition` takes the first existing instant after it, the moment of the change itself (03:00).
 */
export type GapPolicy = 'shift' | 'transition';

/**
 * The instant at which the wall clock of `timeZone` shows `wall`. Found by trying the offsets in force a day
 * before and a day after (a zone changes its offset at most once in such a span) and keeping those that
 * round-trip. An ambiguous wall time (fall-back, it happens twice) takes the earlier instant.
 */
export function instantOfWallClock(wall: number, timeZone: string, gap: GapPolicy): number {
  const before = offsetAt(wall - DAY_MS, timeZone);
  const after = offsetAt(wall + DAY_MS, timeZone);
  const matches = [wall - before, wall - after].filter((ms) => wallClockOf(ms, timeZone) === wall);
  if (matches.length > 0) return Math.min(...matches);
  // In a gap the earlier offset is the smaller one: wall - after lies before the change, wall - before after it.
  if (gap === 'shift') return wall - before;
  let lo = wall - after;
  let hi = wall - before;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetAt(mid, timeZone) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Days since 1970-01-01 of a wall value, and its weekday (0 Sunday … 6 Saturday). */
export function wallDay(wall: number): number {
  return Math.floor(wall / DAY_MS);
}

export function weekdayOfDay(day: number): number {
  // 1970-01-01 was a Thursday.
  return (((day + 4) % 7) + 7) % 7;
}

export function wallOf(day: number, minute: number): number {
  return day * DAY_MS + minute * MINUTE_MS;
}

const LOCAL_PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?$/;
const INSTANT_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

function validDateTime(fields: (string | undefined)[]): boolean {
  const [year, month, day, hour, minute, second] = fields.map((f) => Number(f ?? 0));
  const date = new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1));
  return (
    date.getUTCMonth() === (month ?? 0) - 1 &&
    date.getUTCDate() === day &&
    (hour ?? 0) < 24 &&
    (minute ?? 0) < 60 &&
    (second ?? 0) < 60
  );
}

/**
 * Reads "2026-12-20T00:00", "2026-12-20 00:00" or "2026-12-20" (midnight) as wall time in `timeZone` (which must
 * be valid, see isTimeZone); an ISO instant with Z or an offset ("2026-12-20T00:00:00+01:00") is taken as is.
 * A wall time in a spring-forward gap moves forward by the gap (02:30 in a 02:00→03:00 gap means 03:30); an
 * ambiguous one in a fall-back hour means the earlier of its two instants (still on summer time).
 */
export function parseLocalDateTime(text: string, timeZone: string): number | { error: string } {
  const error = {
    error: `a date and time like "2026-12-20T00:00" or "2026-12-20" (wall time in ${timeZone}), or an ISO instant like "2026-12-20T00:00Z"`,
  };
  const instant = INSTANT_PATTERN.exec(text);
  if (instant !== null) return validDateTime(instant.slice(1)) ? Date.parse(text) : error;
  const local = LOCAL_PATTERN.exec(text);
  if (local === null || !validDateTime(local.slice(1))) return error;
  const [year, month, day, hour, minute] = local.slice(1).map((f) => Number(f ?? 0));
  const wall = Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1, hour ?? 0, minute ?? 0);
  return instantOfWallClock(wall, timeZone, 'shift');
}

function zoneNameFormatterList(timeZone: string): Intl.DateTimeFormat[] {
  let list = zoneNameFormatters.get(timeZone);
  if (list === undefined) {
    // en-US knows abbreviations for American zones only; en-GB adds CET/BST, en-IN adds IST.
    list = ['en-US', 'en-GB', 'en-IN'].map(
      (locale) => new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' }),
    );
    zoneNameFormatters.set(timeZone, list);
  }
  return list;
}

function shortZoneName(ms: number, timeZone: string): string {
  let fallback = '';
  for (const formatter of zoneNameFormatterList(timeZone)) {
    const name = formatter.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? '';
    if (fallback === '') fallback = name;
    if (name !== '' && !/^GMT[+-]/.test(name)) return name;
  }
  return fallback;
}

/** An instant for people, in local time: "Mon 2026-12-07 09:00 CET". */
export function describeInstant(ms: number, timeZone: string): string {
  const wall = wallClockOf(ms, timeZone);
  const date = new Date(wall).toISOString();
  const weekday = WEEKDAYS[weekdayOfDay(wallDay(wall))] ?? '';
  return `${weekday} ${date.slice(0, 10)} ${date.slice(11, 16)} ${shortZoneName(ms, timeZone)}`;
}
