// `npm run bench -- engine`: the release engine at scale. 1,000 apps on the in-memory fake target and the
// SQLite store, 1,000 concurrent canary releases of 5 steps on the system clock; step-scheduling latency and
// peak RSS, on the production store; then the same with two store variants, as diagnostics. Writes
// bench/results/engine.json and engine.md, only after a complete run.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeEngineResults } from './lib/engine-markdown.js';
import {
  headline,
  loadAverage,
  machine,
  summary,
  type EngineConfig,
  type EngineRun,
} from './lib/engine-report.js';
import { runScenario } from './lib/engine-scenario.js';
import type { StoreMode } from './lib/engine-types.js';

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const log = (line: string): void => void process.stdout.write(`[engine] ${line}\n`);

function options(args: string[]): { quick: boolean; diagnostics: boolean; scenario: EngineConfig } {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      apps: { type: 'string' },
      'ready-after-ms': { type: 'string', default: '200' },
      'pause-ms': { type: 'string', default: '2000' },
      'pause-spread-ms': { type: 'string', default: '1000' },
      'resync-ms': { type: 'string', default: '500' },
      'skip-diagnostics': { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
    },
  });
  const number = (name: string, text: string, min: number): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`--${name} must be an integer ≥ ${min}, got "${text}"`);
    return n;
  };
  const quick = values.quick;
  return {
    quick,
    diagnostics: !values['skip-diagnostics'],
    scenario: {
      apps: number('apps', values.apps ?? (quick ? '100' : '1000'), 1),
      readyAfterMs: number('ready-after-ms', values['ready-after-ms'], 0),
      pauseMs: number('pause-ms', values['pause-ms'], 1),
      pauseSpreadMs: number('pause-spread-ms', values['pause-spread-ms'], 0),
      resyncMs: number('resync-ms', values['resync-ms'], 1),
      timeoutMs: 10 * 60_000,
    },
  };
}

/** Store variants run after the headline, to show where the time goes; not the production store. */
const DIAGNOSTIC_MODES: StoreMode[] = ['sync-normal', 'group-commit'];

export async function main(args: string[]): Promise<void> {
  const opts = options(args);
  const loadAverageAtStart = loadAverage();
  const date = new Date().toISOString();
  log(`load average ${loadAverageAtStart.join(' ')}; ${opts.scenario.apps} apps; the production store`);
  const result = await runScenario({ ...opts.scenario, storeMode: 'production' }, log);
  const loadAverageAfterHeadline = loadAverage();
  log(`headline: ${JSON.stringify(headline(result))}`);
  const diagnostics: EngineRun['diagnostics'] = [];
  for (const storeMode of opts.diagnostics ? DIAGNOSTIC_MODES : []) {
    log(`diagnostic run, store mode ${storeMode} (not the production store)`);
    const diagnostic = await runScenario({ ...opts.scenario, storeMode }, log);
    diagnostics.push({ storeMode, canary: diagnostic.canary, store: diagnostic.store });
  }
  const run: EngineRun = {
    quick: opts.quick,
    date,
    machine: { ...machine(loadAverageAtStart), loadAverageAfterHeadline },
    config: opts.scenario,
    result,
    diagnostics,
  };
  const files = await writeEngineResults(RESULTS_DIR, run);
  log(`summary: ${JSON.stringify(summary(run))}`);
  log(`wrote ${files.join(', ')}`);
}
