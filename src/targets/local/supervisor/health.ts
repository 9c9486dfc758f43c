// The probes of one instance: readiness (a TCP check when none is configured) and liveness, run periodically
// while it runs, or once on demand.
// Initial delays count from the process start, so an adopted process that has been up a while is probed now.
import type { ProbeSpec, VersionSetSpec } from '../types.js';
import { ProbeLoop } from './probe-loop.js';
import { checkOnce } from './probes.js';
import type { ProbeResult, ProbeTarget } from './probes.js';
import { DEFAULT_READINESS } from './spec.js';

export type ProbeHandler = (result: ProbeResult, passing: boolean, changed: boolean) => void;

export function startHealthProbes(
  spec: VersionSetSpec,
  target: ProbeTarget,
  upMs: number,
  handlers: { readiness: ProbeHandler; liveness: ProbeHandler },
): ProbeLoop[] {
  const readiness = spec.readiness ?? DEFAULT_READINESS;
  const loops = [
    new ProbeLoop({
      spec: readiness,
      target,
      initiallyPassing: false,
      firstDelayMs: readiness.initialDelayMs - upMs,
      onResult: handlers.readiness,
    }),
  ];
  if (spec.liveness !== undefined) {
    loops.push(
      new ProbeLoop({
        spec: spec.liveness,
        target,
        initiallyPassing: true,
        firstDelayMs: spec.liveness.initialDelayMs - upMs,
        onResult: handlers.liveness,
      }),
    );
  }
  for (const loop of loops) loop.start();
  return loops;
}

export interface ProbeReport {
  instance: string;
  version: string;
  /** Null for a probe the spec does not have (liveness is optional). */
  readiness: ProbeResult | null;
  liveness: ProbeResult | null;
}

/** Both probes once, outside the counting of the periodic ones; `target` null when no process runs. */
export async function probeOnce(
  spec: VersionSetSpec,
  target: ProbeTarget | null,
  notRunning: string,
): Promise<Pick<ProbeReport, 'readiness' | 'liveness'>> {
  const run = async (probe: ProbeSpec | undefined): Promise<ProbeResult | null> => {
    if (probe === undefined) return null;
    return target === null ? { ok: false, message: notRunning } : checkOnce(probe, target);
  };
  const [readiness, liveness] = await Promise.all([
    run(spec.readiness ?? DEFAULT_READINESS),
    run(spec.liveness),
  ]);
  return { readiness, liveness };
}
