// Pieces of the controller chaos test: a seeded random source (a failure is replayed with its seed), and where a
// kill -9 landed, read once the controller is dead (the store and the agent's desired state stand still then).
import type { PlanStep, Release } from '../../src/engine/model.js';
import { FINAL_PHASES } from '../../src/engine/model.js';
import type { AppDesired } from '../../src/targets/local/types.js';

/** mulberry32: a small, good-enough PRNG; numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Where a kill landed in a release. */
export type KillMoment = 'waiting ready' | 'pause' | 'during apply' | 'during rollback' | 'after the end';

const positive = (weights: Record<string, number>): string =>
  JSON.stringify(
    Object.entries(weights)
      .filter(([, w]) => w > 0)
      .sort(([a], [b]) => a.localeCompare(b)),
  );

const instanceCounts = (sets: Array<{ version: string; instances: number }>): string =>
  JSON.stringify(
    sets
      .filter((s) => s.instances > 0)
      .map((s) => [s.version, s.instances])
      .sort(),
  );

/** Whether the agent already holds a step's desired state: its traffic weights and its version sets. */
export function stepApplied(step: PlanStep, desired: AppDesired): boolean {
  return (
    positive(step.traffic.weights) === positive(desired.traffic.weights) &&
    instanceCounts(step.sets) === instanceCounts(desired.versions)
  );
}

/**
 * Classifies a kill from the release as stored and the agent's desired state at that moment: rolling back;
 * between a stored step and its desired state reaching the agent (or on a step that waits for nothing);
 * waiting for instances; in a timed pause; or after the release had already ended.
 */
export function killMoment(release: Release, desired: AppDesired): KillMoment {
  if (FINAL_PHASES.has(release.phase)) return 'after the end';
  if (release.phase === 'rollingBack') return 'during rollback';
  const step = release.plan[release.stepIndex];
  if (!step || step.wait.kind === 'none' || !stepApplied(step, desired)) return 'during apply';
  if (step.wait.kind === 'ready') return 'waiting ready';
  return 'pause';
}
