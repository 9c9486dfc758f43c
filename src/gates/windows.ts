// Deployment windows: whether a release may start at an instant, why, and when that next changes.
//
// Rules are wall-clock times in the policy's zone: each day a rule applies, its start and end are converted to
// instants, so on a DST change day a window lasts an hour more or less in real time. A boundary that falls in a
// spring-forward gap happens at the first existing instant after it (the change itself); one that falls in a
// fall-back hour happens at the first of its two instants. Everything below works on those instant intervals,
// so the verdict and nextChangeAt always agree.
import type { Freeze, WindowPolicy, WindowRule } from '../spec/compiled-gates.js';
import {
  describeInstant,
  instantOfWallClock,
  wallClockOf,
  wallDay,
  wallOf,
  weekdayOfDay,
} from './local-time.js';

export interface WindowVerdict {
  open: boolean;
  /** One line for people: why it is open or closed, and until when where that helps. */
  reason: string;
  /** The first instant after now at which `open` changes; null if it never does. */
  nextChangeAt: number | null;
  /** The freeze in force now, if any. */
  freeze: Freeze | null;
}

interface Occurrence {
  rule: WindowRule;
  fromMs: number;
  untilMs: number;
}

const DAY_MS = 86_400_000;
// Rules repeat every 7 local days; an 8-day span of instants covers a whole week even across an offset change.
const HORIZON_MS = 8 * DAY_MS;

/** Occurrences of `rules` that start on local days firstDay … lastDay (days since 1970-01-01). */
function occurrences(rules: WindowRule[], timeZone: string, firstDay: number, lastDay: number): Occurrence[] {
  const found: Occurrence[] = [];
  for (let day = firstDay; day <= lastDay; day++) {
    for (const rule of rules) {
      if (!rule.days.includes(weekdayOfDay(day))) continue;
      const endDay = rule.endMinute <= rule.startMinute ? day + 1 : day;
      const fromMs = instantOfWallClock(wallOf(day, rule.startMinute), timeZone, 'transition');
      const untilMs = instantOfWallClock(wallOf(endDay, rule.endMinute), timeZone, 'transition');
      // A window lying wholly inside a spring-forward gap does not happen that day.
      if (fromMs < untilMs) found.push({ rule, fromMs, untilMs });
    }
  }
  return found;
}

/** Occurrences that may touch the instants fromMs … untilMs (with a margin for offsets of up to a day). */
function occurrencesAround(
  rules: WindowRule[],
  timeZone: string,
  fromMs: number,
  untilMs: number,
): Occurrence[] {
  const firstDay = wallDay(wallClockOf(fromMs, timeZone)) - 2;
  const lastDay = wallDay(wallClockOf(untilMs, timeZone)) + 1;
  return occurrences(rules, timeZone, firstDay, lastDay);
}

/** Of the occurrences containing `ms`, the one lasting longest after it. */
function containing(rules: WindowRule[], timeZone: string, ms: number): Occurrence | null {
  let best: Occurrence | null = null;
  for (const occurrence of occurrencesAround(rules, timeZone, ms, ms)) {
    if (
      occurrence.fromMs <= ms &&
      ms < occurrence.untilMs &&
      (best === null || occurrence.untilMs > best.untilMs)
    ) {
      best = occurrence;
    }
  }
  return best;
}

// Of overlapping freezes, the one ending last is reported; nextChangeAt tells when releases may really start.
function activeFreeze(freezes: Freeze[], ms: number): Freeze | null {
  let best: Freeze | null = null;
  for (const freeze of freezes) {
    if (freeze.fromMs <= ms && ms < freeze.untilMs && (best === null || freeze.untilMs > best.untilMs)) {
      best = freeze;
    }
  }
  return best;
}

function isOpen(policy: WindowPolicy, ms: number): boolean {
  if (activeFreeze(policy.freezes, ms) !== null) return false;
  if (containing(policy.deny, policy.timeZone, ms) !== null) return false;
  return policy.allow.length === 0 || containing(policy.allow, policy.timeZone, ms) !== null;
}

/**
 * The first change after nowMs. It can only happen at a freeze edge or a rule edge. Rule edges repeat weekly,
 * so one that changes `open` comes within a horizon after now or after the end of a freeze (while frozen, rule
 * edges change nothing); those are the only rule edges worth trying.
 */
function nextChange(policy: WindowPolicy, nowMs: number, openNow: boolean): number | null {
  const rules = [...policy.allow, ...policy.deny];
  const candidates = new Set<number>();
  const starts = [nowMs];
  for (const freeze of policy.freezes) {
    if (freeze.fromMs >= freeze.untilMs) continue;
    for (const edge of [freeze.fromMs, freeze.untilMs]) if (edge > nowMs) candidates.add(edge);
    if (freeze.untilMs > nowMs) starts.push(freeze.untilMs);
  }
  for (const start of starts) {
    for (const occurrence of occurrencesAround(rules, policy.timeZone, start, start + HORIZON_MS)) {
      for (const edge of [occurrence.fromMs, occurrence.untilMs]) {
        if (edge > nowMs && edge >= start && edge <= start + HORIZON_MS) candidates.add(edge);
      }
    }
  }
  for (const candidate of [...candidates].sort((a, b) => a - b)) {
    if (isOpen(policy, candidate) !== openNow) return candidate;
  }
  return null;
}

function listRules(rules: WindowRule[], timeZone: string): string {
  return [...rules.map((rule) => rule.text), timeZone].join(', ');
}

/** Whether a release may start at nowMs under `policy`: not frozen, not denied, and inside an allowed window. */
export function evaluateWindows(policy: WindowPolicy, nowMs: number): WindowVerdict {
  const { timeZone } = policy;
  const open = isOpen(policy, nowMs);
  const nextChangeAt = nextChange(policy, nowMs, open);
  const freeze = activeFreeze(policy.freezes, nowMs);
  const verdict = (reason: string): WindowVerdict => ({ open, reason, nextChangeAt, freeze });

  if (freeze !== null) {
    const until = `frozen until ${describeInstant(freeze.untilMs, timeZone)}`;
    return verdict(freeze.reason === '' ? until : `${until}: ${freeze.reason}`);
  }
  const denied = containing(policy.deny, timeZone, nowMs);
  if (denied !== null) {
    return verdict(
      `denied by ${denied.rule.text} (${timeZone}) until ${describeInstant(denied.untilMs, timeZone)}`,
    );
  }
  if (policy.allow.length > 0) {
    const allowed = containing(policy.allow, timeZone, nowMs);
    if (allowed !== null) return verdict(`inside ${allowed.rule.text} (${timeZone})`);
    const next =
      nextChangeAt === null
        ? 'no allowed time ahead'
        : `next opens ${describeInstant(nextChangeAt, timeZone)}`;
    return verdict(`outside the allowed windows (${listRules(policy.allow, timeZone)}); ${next}`);
  }
  if (policy.deny.length > 0)
    return verdict(`outside the denied windows (${listRules(policy.deny, timeZone)})`);
  return verdict('no windows: always open');
}
