// The `since` of a report or an export, as people write it: a duration back from now (30d, 12h, 90m, 1d12h)
// or a date and time (2026-01-01, 2026-01-01T12:00:00Z). Anything else is refused with the accepted forms.
import { InvalidInputError } from '../errors.js';

export const DEFAULT_SINCE = '30d';

const SINCE_PATTERN = /^(?=\d)(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const UNIT_MS = [86_400_000, 3_600_000, 60_000, 1_000];
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;

const EXPECTED = 'a duration like 30d, 12h, 90m or 1d12h, or a date like 2026-01-31 or 2026-01-31T12:00:00Z';

/** The length in milliseconds of the period from `since` until `now` (epoch ms); it is always positive. */
export function parseSince(since: string, now: number): number {
  const text = since.trim();
  const match = SINCE_PATTERN.exec(text);
  let ms: number;
  if (match) {
    ms = 0;
    UNIT_MS.forEach((unit, i) => {
      const amount = match[i + 1];
      if (amount !== undefined) ms += Number(amount) * unit;
    });
  } else if (DATE_PATTERN.test(text) && Number.isFinite(Date.parse(text))) {
    ms = now - Date.parse(text);
    if (ms <= 0) throw new InvalidInputError(`since ${since}: the date is not in the past`, { since });
  } else {
    throw new InvalidInputError(`since ${JSON.stringify(since)}: expected ${EXPECTED}`, { since });
  }
  if (!Number.isSafeInteger(ms) || ms <= 0 || ms > now) {
    throw new InvalidInputError(`since ${since}: expected a period longer than zero and after 1970`, {
      since,
    });
  }
  return ms;
}
