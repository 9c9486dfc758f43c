// Durations as people write them in a spec ("250ms", "30s", "2m", "1h30m"), turned into milliseconds.
// Units go from largest to smallest, each at most once, whole numbers only: one spelling per duration.
import { InvalidInputError } from '../errors.js';

/** The accepted grammar, shared with the JSON Schema so editors flag the same strings the loader refuses. */
export const DURATION_PATTERN = /^(?=\d)(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;

export const DURATION_EXPECTED = 'a duration like 250ms, 30s, 2m or 1h30m';

const UNIT_MS = [3_600_000, 60_000, 1_000, 1];

/** '500ms' '30s' '2m' '1h' '1m30s' → milliseconds. Throws InvalidInputError on anything else. */
export function parseDuration(text: string): number {
  const match = DURATION_PATTERN.exec(text);
  if (match === null) {
    throw new InvalidInputError(`found ${JSON.stringify(text)}, expected ${DURATION_EXPECTED}`, { text });
  }
  let total = 0;
  UNIT_MS.forEach((unit, i) => {
    const amount = match[i + 1];
    if (amount !== undefined) total += Number(amount) * unit;
  });
  if (!Number.isSafeInteger(total)) {
    throw new InvalidInputError(`found ${JSON.stringify(text)}, expected a shorter duration`, { text });
  }
  return total;
}

/** The inverse, for messages and defaults in docs: 90_000 → '1m30s'. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, suffix] of [
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1_000, 's'],
    [1, 'ms'],
  ] as const) {
    const amount = Math.floor(rest / unit);
    if (amount > 0) parts.push(`${amount}${suffix}`);
    rest -= amount * unit;
  }
  return parts.join('');
}
