// The engine benchmark's run record: what bench/results/engine.json holds (the figures the issue asks for
// first, then the detail), the machine it ran on, and the headline figures.
import os from 'node:os';
import type { ScenarioOptions, ScenarioResult, StoreMode } from './engine-types.js';

export const TARGET_P99_MS = 100;
export const TARGET_RSS_MB = 1024;

export interface EngineMachine {
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  loadAverageAtStart: number[];
  /** After the headline run, before the diagnostic runs. */
  loadAverageAfterHeadline?: number[];
  loadAverageAtEnd: number[];
}

export type EngineConfig = Omit<ScenarioOptions, 'storeMode'>;

export interface EngineRun {
  quick: boolean;
  date: string;
  machine: EngineMachine;
  config: EngineConfig;
  /** The headline: the production store. */
  result: ScenarioResult;
  /** The same scenario on store variants that are not production, to show where the time goes. */
  diagnostics: Array<{
    storeMode: StoreMode;
    canary: ScenarioResult['canary'];
    store: ScenarioResult['store'];
  }>;
}

export function loadAverage(): number[] {
  return os.loadavg().map((n) => Math.round(n * 100) / 100);
}

export function machine(loadAverageAtStart: number[]): EngineMachine {
  return {
    nproc: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    loadAverageAtStart,
    loadAverageAtEnd: loadAverage(),
  };
}

/** The headline figures, in the shape the issue asks for. */
export function headline(result: ScenarioResult) {
  const c = result.canary;
  return {
    releases: c.releases,
    stepLatencyMs: { p50: c.stepLatencyMs.p50, p99: c.stepLatencyMs.p99 },
    peakRssMB: Math.max(result.memory.maxRssMB, result.memory.sampledPeakRssMB),
  };
}

export function summary(run: EngineRun) {
  return headline(run.result);
}
