// maxSurge and maxUnavailable: a count of instances, or a percentage of them.
import { PERCENT } from './schema-strategy.js';

/** Instances from a count or a percentage of `of`; surge rounds up, unavailable rounds down. */
export function resolveSurge(value: number | string, of: number, round: 'up' | 'down'): number {
  if (typeof value === 'number') return value;
  const share = (Number(value.slice(0, -1)) / 100) * of;
  return round === 'up' ? Math.ceil(share) : Math.floor(share);
}

/** Whether a raw value is one the schema accepts for maxSurge or maxUnavailable. */
export function isSurge(value: unknown): value is number | string {
  return (
    (typeof value === 'number' && Number.isInteger(value) && value >= 0) ||
    (typeof value === 'string' && PERCENT.test(value))
  );
}
