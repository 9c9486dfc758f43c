// Shared pieces of the CLI's human output: durations, weights, phases, actors, releases and events.
import type { Actor, GreenlightEvent, ReleasePhase } from '../../engine/model.js';
import type { ReleaseSummary } from '../../engine/status.js';
import { color } from '../output.js';

/** 850ms, 12s, 3m04s, 1h02m. */
export function humanDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function weightsText(weights: Record<string, number>): string {
  const entries = Object.entries(weights);
  return entries.length === 0 ? '-' : entries.map(([version, weight]) => `${version}=${weight}%`).join(' ');
}

export function phaseText(phase: ReleasePhase | string): string {
  switch (phase) {
    case 'promoted':
      return color('green', phase);
    case 'rolledBack':
    case 'aborted':
    case 'failed':
      return color('red', phase);
    case 'paused':
    case 'rollingBack':
      return color('yellow', phase);
    default:
      return phase;
  }
}

export const actorText = (actor: Actor): string => `${actor.name} (${actor.role})`;

export const fromTo = (r: Pick<ReleaseSummary, 'fromVersion' | 'version'>): string =>
  r.fromVersion ? `${r.fromVersion} -> ${r.version}` : r.version;

/** `step 2/5 pause` (or `rollback step 1/2 ...`), with the time in it while the release runs. */
export function stepText(r: ReleaseSummary): string {
  const where = `${r.step.rollback ? 'rollback step' : 'step'} ${Math.min(r.step.index + 1, r.step.count)}/${r.step.count}`;
  const name = r.step.name ? ` ${r.step.name}` : '';
  return r.finishedAt ? `${where}${name}` : `${where}${name} (${humanDuration(r.step.elapsedMs)})`;
}

/** One line about a release: `release 12 v1 -> v2 paused step 3/5 pause (40s)`. */
export function releaseLine(r: ReleaseSummary): string {
  const outcome = r.outcomeReason ? ` (${r.outcomeReason})` : '';
  const tail = r.finishedAt ? `after ${humanDuration(r.durationMs ?? 0)}` : stepText(r);
  return `release ${r.id} ${fromTo(r)} ${phaseText(r.phase)}${outcome} ${tail}`;
}

const DETAIL_KEYS = [
  'version',
  'name',
  'step',
  'to',
  'percentage',
  'weights',
  'traffic',
  'revision',
  'healthy',
  'file',
];

/** The few data fields worth a glance in a one-line event (the rest is in --output json). */
function eventDetail(event: GreenlightEvent): string {
  return DETAIL_KEYS.filter((key) => event.data[key] !== undefined && event.data[key] !== null)
    .map((key) => {
      const value = event.data[key];
      return `${key}=${typeof value === 'object' ? weightsText(value as Record<string, number>) : String(value)}`;
    })
    .join(' ');
}

/** `2026-01-01 10:00:00  #42  release.paused  alice (deployer)  "checking"  step=...` */
export function eventLine(event: GreenlightEvent): string {
  const at = event.at.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
  const parts = [color('dim', at), `#${event.id}`, color('bold', event.action), actorText(event.actor)];
  if (event.app) parts.splice(2, 0, event.app);
  if (event.reason) parts.push(JSON.stringify(event.reason));
  const detail = eventDetail(event);
  if (detail) parts.push(color('dim', detail));
  return parts.join('  ');
}
