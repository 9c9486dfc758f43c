// Deployment-window rules as people write them in a spec ("Mon-Fri 09:00-17:00", "Fri 22:00-02:00"), read into
// the compiled WindowRule: weekdays plus a start and end in minutes after local midnight.
import type { WindowRule } from '../spec/compiled-gates.js';

export const WINDOW_RULE_EXPECTED =
  'days and times like "Mon-Fri 09:00-17:00" (days Mon…Sun or daily, times HH:MM, 24:00 allowed as an end)';

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const RULE_PATTERN = /^([^\s,]+(?:\s*,\s*[^\s,]+)*)\s+(\d{2}):(\d{2})\s*-\s*(\d{2}):(\d{2})$/;

function dayIndex(name: string): number | null {
  const index = DAY_NAMES.indexOf(name.toLowerCase());
  return index < 0 ? null : index;
}

/** "daily", or a comma list of days and day ranges; a range may wrap past Saturday ("Fri-Mon"). */
function parseDays(text: string): number[] | null {
  if (text.toLowerCase() === 'daily') return [0, 1, 2, 3, 4, 5, 6];
  const days = new Set<number>();
  for (const item of text.split(/\s*,\s*/)) {
    const [first, last, ...rest] = item.split('-');
    const from = dayIndex(first ?? '');
    const to = last === undefined ? from : dayIndex(last);
    if (from === null || to === null || rest.length > 0) return null;
    // "Mon-Mon" could mean one day or the whole week: refused rather than guessed.
    if (last !== undefined && from === to) return null;
    for (let day = from; ; day = (day + 1) % 7) {
      days.add(day);
      if (day === to) break;
    }
  }
  return [...days].sort((a, b) => a - b);
}

function minuteOfDay(hours: string | undefined, minutes: string | undefined): number | null {
  const h = Number(hours);
  const m = Number(minutes);
  if (h === 24 && m === 0) return 1440;
  return h < 24 && m < 60 ? h * 60 + m : null;
}

/**
 * Reads a weekly window rule. An end at or before the start runs past midnight into the next day and belongs
 * to the start day ("Fri 22:00-02:00" covers Saturday 01:00). On failure returns only what was expected, for a
 * message like `found "Mon-Fri 9-5", expected …`.
 */
export function parseWindowRule(text: string): WindowRule | { error: string } {
  const trimmed = text.trim();
  const match = RULE_PATTERN.exec(trimmed);
  if (match === null) return { error: WINDOW_RULE_EXPECTED };
  const days = parseDays(match[1] ?? '');
  const startMinute = minuteOfDay(match[2], match[3]);
  const endMinute = minuteOfDay(match[4], match[5]);
  if (days === null || startMinute === null || endMinute === null || startMinute === 1440) {
    return { error: WINDOW_RULE_EXPECTED };
  }
  if (startMinute === endMinute) {
    return { error: 'a start and an end that differ (00:00-24:00 for a whole day)' };
  }
  return { text: trimmed, days, startMinute, endMinute };
}
