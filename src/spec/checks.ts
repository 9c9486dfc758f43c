// Rules across fields that a schema cannot say: exactly one strategy, one probe kind, one step kind, how a
// canary plan ends, rolling batches that can make progress, trigger limits that fit their metric. They read
// the raw value defensively and stay silent where the schema already reports the field.
import type { Finding } from './findings.js';
import { describeFound, exactlyOne, uniqueNames } from './findings.js';
import { dig, isMap } from './raw.js';
import type { RawMap } from './raw.js';
import { PROBE_KINDS } from './schema-target.js';
import { STRATEGY_KINDS } from './schema-strategy.js';
import { isSurge, resolveSurge } from './surge.js';
import type { FieldPath } from './source.js';
import { checkAnalysis } from './check-analysis.js';
import { checkCanary } from './check-canary.js';
import { checkRunbook } from './check-runbook.js';

function checkProbes(health: unknown, out: Finding[]): void {
  for (const kind of ['readiness', 'liveness']) {
    const probe = dig(health, kind);
    if (isMap(probe)) exactlyOne(probe, PROBE_KINDS, ['spec', 'health', kind], out, 'no probe kind');
  }
}

function checkRolling(rolling: RawMap, instances: number, out: Finding[]): void {
  const surge = rolling.maxSurge ?? 1;
  const unavailable = rolling.maxUnavailable ?? 0;
  if (!isSurge(surge) || !isSurge(unavailable)) return;
  if (resolveSurge(surge, instances, 'up') > 0 || resolveSurge(unavailable, instances, 'down') > 0) return;
  const relative = typeof surge === 'string' || typeof unavailable === 'string';
  out.push({
    path: ['spec', 'strategy', 'rolling'],
    anchor: 'value',
    found: `maxSurge ${describeFound(surge)} and maxUnavailable ${describeFound(unavailable)}${relative ? ` (0 and 0 of ${instances} instances)` : ''}`,
    expected: 'at least one of them above 0, or no instance can ever be replaced',
  });
}

function checkStrategy(spec: unknown, out: Finding[]): void {
  const strategy = dig(spec, 'strategy');
  if (!isMap(strategy)) return;
  exactlyOne(strategy, STRATEGY_KINDS, ['spec', 'strategy'], out, 'no strategy');
  const instances = dig(spec, 'target', 'local', 'instances');
  const count =
    typeof instances === 'number' && Number.isInteger(instances) && instances >= 1 ? instances : 1;
  if (isMap(strategy.rolling)) checkRolling(strategy.rolling, count, out);
  if (isMap(strategy.canary)) checkCanary(strategy.canary, dig(spec, 'traffic', 'previewHeader'), out);
  const checks = dig(strategy, 'blueGreen', 'prePromotionChecks');
  if (Array.isArray(checks))
    uniqueNames(checks, ['spec', 'strategy', 'blueGreen', 'prePromotionChecks'], out);
}

function checkTriggers(spec: unknown, out: Finding[]): void {
  const triggers = dig(spec, 'rollbackTriggers');
  if (!Array.isArray(triggers)) return;
  const path: FieldPath = ['spec', 'rollbackTriggers'];
  uniqueNames(triggers, path, out);
  triggers.forEach((trigger, i) => {
    const max = dig(trigger, 'max');
    if (dig(trigger, 'metric') === 'errorRate' && typeof max === 'number' && max > 1) {
      out.push({
        path: [...path, i, 'max'],
        anchor: 'value',
        found: String(max),
        expected: 'a fraction from 0 to 1 for errorRate',
        hint: `write ${max / 100} for ${max}%`,
      });
    }
  });
}

function checkEnv(spec: unknown, out: Finding[]): void {
  const local = dig(spec, 'target', 'local');
  const places: [FieldPath, unknown][] = [
    [['spec', 'target', 'local', 'run', 'env'], dig(local, 'run', 'env')],
  ];
  const versions = dig(local, 'versions');
  if (isMap(versions)) {
    for (const [version, override] of Object.entries(versions)) {
      places.push([['spec', 'target', 'local', 'versions', version, 'env'], dig(override, 'env')]);
    }
  }
  for (const [path, env] of places) {
    const port = dig(env, 'PORT');
    if (typeof port === 'string' && port !== '${PORT}') {
      out.push({
        path: [...path, 'PORT'],
        anchor: 'value',
        found: describeFound(port),
        expected: '"${PORT}" or no PORT at all: the agent sets PORT to the port it assigns each instance',
      });
    }
  }
}

/** Every rule finding of a raw spec document. */
export function checkRules(data: unknown): Finding[] {
  const out: Finding[] = [];
  const spec = dig(data, 'spec');
  checkProbes(dig(spec, 'health'), out);
  checkStrategy(spec, out);
  checkTriggers(spec, out);
  checkAnalysis(spec, out);
  checkEnv(spec, out);
  out.push(...checkRunbook(spec, dig(data, 'metadata', 'name')));
  return out;
}
