// Rules across fields of the runbook parts: an action is a command or an HTTP call, names are unique in a
// list, window rules and freeze times parse in a real time zone, environments name each other correctly, do
// not share a listen address and have strategies that fit the rules of spec.strategy. Silent where the schema
// already reports the field.
import { isTimeZone, parseLocalDateTime } from '../gates/local-time.js';
import { parseWindowRule } from '../gates/window-rule.js';
import { checkAnalysis } from './check-analysis.js';
import { checkCanary } from './check-canary.js';
import { describeFound, exactlyOne, uniqueNames, type Finding } from './findings.js';
import { parseListen, type ListenAddress } from './listen.js';
import { dig, isMap } from './raw.js';
import { placementName } from './environment.js';
import { STRATEGY_KINDS } from './schema-strategy.js';
import { isSurge, resolveSurge } from './surge.js';
import type { FieldPath } from './source.js';

const HOOK_LISTS = {
  preDeploy: 'before',
  postDeploy: 'preview',
  onRollback: 'after',
  onSuccess: 'after',
  onFailure: 'after',
} as const;

function checkAction(action: unknown, path: FieldPath, out: Finding[]): void {
  if (!isMap(action)) return;
  exactlyOne(action, ['run', 'http'], path, out, 'neither run nor http');
  if (action.http !== undefined) {
    for (const field of ['cwd', 'env'] as const) {
      if (action[field] !== undefined)
        out.push({
          path: [...path, field],
          anchor: 'key',
          found: `${field} on an HTTP call`,
          expected: `${field} only with run (a command)`,
        });
    }
    if (isMap(action.http))
      exactlyOne(action.http, ['path', 'url'], [...path, 'http'], out, 'neither path nor url');
  }
}

/**
 * Where a list of actions runs, for `http.path` (sent through the preview route of the new version): `preview`
 * (postDeploy: the route exists), `before` (gates.checks, preDeploy: no new version runs yet) or `after`
 * (onSuccess, onRollback, onFailure: the release is over and the preview route gone).
 */
type Moment = 'preview' | 'before' | 'after';

const NO_PREVIEW: Record<Exclude<Moment, 'preview'>, string> = {
  before: 'a url: no new version runs at this point',
  after: 'a url: the preview route exists only during the release (postDeploy)',
};

function checkActions(list: unknown, path: FieldPath, out: Finding[], moment: Moment): void {
  if (!Array.isArray(list)) return;
  uniqueNames(list, path, out);
  list.forEach((action, i) => {
    checkAction(action, [...path, i], out);
    if (moment !== 'preview' && typeof dig(action, 'http', 'path') === 'string')
      out.push({
        path: [...path, i, 'http', 'path'],
        anchor: 'key',
        found: 'a path (the preview route of the new version)',
        expected: NO_PREVIEW[moment],
      });
  });
}

function checkWindows(windows: unknown, path: FieldPath, out: Finding[]): void {
  if (!isMap(windows)) return;
  const zone = windows.timeZone;
  const zoneOk = typeof zone === 'string' && isTimeZone(zone);
  if (typeof zone === 'string' && !zoneOk)
    out.push({
      path: [...path, 'timeZone'],
      anchor: 'value',
      found: describeFound(zone),
      expected: 'an IANA time zone such as Europe/Oslo, America/New_York or UTC',
    });
  for (const kind of ['allow', 'deny'] as const) {
    const rules = windows[kind];
    if (!Array.isArray(rules)) continue;
    rules.forEach((text, i) => {
      if (typeof text !== 'string') return;
      const parsed = parseWindowRule(text);
      if ('error' in parsed)
        out.push({
          path: [...path, kind, i],
          anchor: 'value',
          found: describeFound(text),
          expected: parsed.error,
        });
    });
  }
  const freezes = windows.freezes;
  if (!Array.isArray(freezes) || !zoneOk) return;
  freezes.forEach((freeze, i) => {
    const times: number[] = [];
    for (const edge of ['from', 'until'] as const) {
      const text = dig(freeze, edge);
      if (typeof text !== 'string') continue;
      const parsed = parseLocalDateTime(text, zone);
      if (typeof parsed === 'number') times.push(parsed);
      else
        out.push({
          path: [...path, 'freezes', i, edge],
          anchor: 'value',
          found: describeFound(text),
          expected: parsed.error,
        });
    }
    const [from, until] = times;
    if (times.length === 2 && from !== undefined && until !== undefined && until <= from)
      out.push({
        path: [...path, 'freezes', i, 'until'],
        anchor: 'value',
        found: describeFound(dig(freeze, 'until')),
        expected: `a time after from (${String(dig(freeze, 'from'))})`,
      });
  });
}

function checkApprovals(approvals: unknown, path: FieldPath, out: Finding[]): void {
  if (!Array.isArray(approvals)) return;
  const seen = new Set<string>();
  approvals.forEach((approval, i) => {
    const stage = dig(approval, 'before');
    if (typeof stage !== 'string') return;
    if (seen.has(stage))
      out.push({
        path: [...path, i, 'before'],
        anchor: 'value',
        found: `a second rule for ${JSON.stringify(stage)}`,
        expected: 'one approval rule per stage',
      });
    seen.add(stage);
  });
}

function checkGates(
  gates: unknown,
  path: FieldPath,
  environments: string[] | null,
  self: string | null,
  out: Finding[],
): void {
  if (!isMap(gates)) return;
  checkActions(gates.checks, [...path, 'checks'], out, 'before');
  checkApprovals(gates.approvals, [...path, 'approvals'], out);
  checkWindows(gates.windows, [...path, 'windows'], out);
  const required = gates.requirePromotedIn;
  if (typeof required !== 'string') return;
  const expected =
    environments === null
      ? 'requirePromotedIn only when spec.environments declares the environments'
      : `another environment of spec.environments: ${environments.filter((e) => e !== self).join(', ') || 'none'}`;
  if (environments === null || !environments.includes(required) || required === self)
    out.push({
      path: [...path, 'requirePromotedIn'],
      anchor: 'value',
      found: describeFound(required),
      expected,
    });
}

function checkHooks(hooks: unknown, path: FieldPath, out: Finding[]): void {
  if (!isMap(hooks)) return;
  for (const [list, moment] of Object.entries(HOOK_LISTS))
    checkActions(hooks[list], [...path, list], out, moment);
  const migrate = hooks.migrate;
  if (isMap(migrate) && migrate.maintenance !== undefined && migrate.mode !== 'breaking')
    out.push({
      path: [...path, 'migrate', 'maintenance'],
      anchor: 'key',
      found: `maintenance with mode ${describeFound(migrate.mode ?? 'safe')}`,
      expected: 'maintenance only with mode: breaking (a safe migration runs while the app serves)',
    });
}

function checkPauses(strategy: unknown, path: FieldPath, out: Finding[]): void {
  const steps = dig(strategy, 'canary', 'steps');
  if (!Array.isArray(steps)) return;
  steps.forEach((step, i) => {
    const pause = dig(step, 'pause');
    if (isMap(pause) && pause.untilApproved !== undefined && pause.duration !== undefined)
      out.push({
        path: [...path, 'canary', 'steps', i, 'pause'],
        anchor: 'value',
        found: 'both duration and untilApproved',
        expected: 'one of them: a pause waits for a time or for approvals',
      });
  });
}

/** Findings of the rules written for spec.strategy, moved under an environment's strategy. */
function reroot(findings: Finding[], path: FieldPath): Finding[] {
  return findings
    .filter((finding) => finding.path[0] === 'spec' && finding.path[1] === 'strategy')
    .map((finding) => ({ ...finding, path: [...path, ...finding.path.slice(2)] }));
}

/** Instances a maxSurge or maxUnavailable stands for; null when the schema refuses the value. */
const surgeOf = (value: unknown, of: number, round: 'up' | 'down'): number | null =>
  isSurge(value) ? resolveSurge(value, of, round) : null;

/** Whether a rolling update can replace an instance at this count (null: the schema reports the values). */
function rollingStalls(rolling: unknown, instances: number): string | null {
  if (!isMap(rolling)) return null;
  const surge = rolling.maxSurge ?? 1;
  const unavailable = rolling.maxUnavailable ?? 0;
  const up = surgeOf(surge, instances, 'up');
  const down = surgeOf(unavailable, instances, 'down');
  if (up === null || down === null || up > 0 || down > 0) return null;
  return `maxSurge ${describeFound(surge)} and maxUnavailable ${describeFound(unavailable)}`;
}

const count = (value: unknown): number | null =>
  typeof value === 'number' && Number.isInteger(value) && value >= 1 ? value : null;

/**
 * An environment's strategy gets the rules spec.strategy gets (one kind, a canary plan the engine can finish,
 * analysis steps naming templates), and a rolling update, the environment's or the app's, must be able to
 * replace an instance at the environment's count. Without this an environment's `{canary: {}, rolling: {}}`
 * compiled silently to a canary.
 */
function checkEnvironmentStrategy(spec: unknown, env: unknown, path: FieldPath, out: Finding[]): void {
  const own = dig(env, 'strategy');
  const appInstances = count(dig(spec, 'target', 'local', 'instances')) ?? 1;
  const instances = count(dig(env, 'instances')) ?? appInstances;
  if (isMap(own)) {
    const found: Finding[] = [];
    exactlyOne(own, STRATEGY_KINDS, ['spec', 'strategy'], found, 'no strategy');
    if (isMap(own.canary)) checkCanary(own.canary, dig(spec, 'traffic', 'previewHeader'), found);
    checkAnalysis({ ...(isMap(spec) ? spec : {}), strategy: own }, found);
    const checks = dig(own, 'blueGreen', 'prePromotionChecks');
    if (Array.isArray(checks))
      uniqueNames(checks, ['spec', 'strategy', 'blueGreen', 'prePromotionChecks'], found);
    out.push(...reroot(found, [...path, 'strategy']));
    const stalls = rollingStalls(own.rolling, instances);
    if (stalls !== null)
      out.push({
        path: [...path, 'strategy', 'rolling'],
        anchor: 'value',
        found: `${stalls} (0 and 0 of ${instances} instances)`,
        expected: 'at least one of them above 0, or no instance can ever be replaced',
      });
    return;
  }
  // The app's strategy, recompiled for this environment's instance count (the app's own count is checked at spec.strategy).
  if (instances === appInstances) return;
  const stalls = rollingStalls(dig(spec, 'strategy', 'rolling'), instances);
  if (stalls !== null)
    out.push({
      path: [...path, 'instances'],
      anchor: 'value',
      found: `${instances} instances, of which spec.strategy.rolling (${stalls}) replaces 0 at a time`,
      expected:
        'a count at which a rolling update can replace an instance, or a strategy of this environment',
    });
}

/** Whether two listen addresses would take the same socket (a wildcard host takes the port on every address). */
function sameSocket(a: ListenAddress, b: ListenAddress): boolean {
  const wildcard = (host: string) => host === '0.0.0.0' || host === '::';
  return a.port === b.port && (a.host === b.host || wildcard(a.host) || wildcard(b.host));
}

/** An environment runs on the target as `<app>-<environment>`, which must stay a DNS label (63 at most). */
function checkPlacementNames(spec: unknown, app: string, out: Finding[]): void {
  const environments = dig(spec, 'environments');
  if (!isMap(environments)) return;
  for (const name of Object.keys(environments)) {
    const placement = placementName(app, name);
    if (placement.length > 63)
      out.push({
        path: ['spec', 'environments', name],
        anchor: 'key',
        found: `the target name ${JSON.stringify(placement)} (${placement.length} characters)`,
        expected: 'an app name and environment name of 62 characters together at most',
      });
  }
}

function checkEnvironments(spec: unknown, names: string[] | null, out: Finding[]): void {
  const environments = dig(spec, 'environments');
  if (!isMap(environments)) return;
  const listens: { address: ListenAddress; name: string }[] = [];
  const appListen = dig(spec, 'target', 'local', 'listen');
  for (const [name, env] of Object.entries(environments)) {
    const path: FieldPath = ['spec', 'environments', name];
    checkGates(dig(env, 'gates'), [...path, 'gates'], names, name, out);
    checkHooks(dig(env, 'hooks'), [...path, 'hooks'], out);
    checkPauses(dig(env, 'strategy'), [...path, 'strategy'], out);
    checkEnvironmentStrategy(spec, env, path, out);
    const listen = dig(env, 'listen') ?? appListen;
    if (typeof listen !== 'string') continue;
    const address = parseListen(listen);
    // Port 0 asks for a free port: environments that all say 0 still get one each.
    if (address === undefined || address.port === 0) continue;
    const other = listens.find((seen) => sameSocket(seen.address, address));
    if (other !== undefined)
      out.push({
        path: [...path, 'listen'],
        anchor: dig(env, 'listen') === undefined ? 'key' : 'value',
        found: `${listen}, also the address of ${other.name}`,
        expected: 'a listen address of its own for each environment (environments run side by side)',
      });
    listens.push({ address, name });
  }
}

/** Every rule finding of the runbook parts of a raw spec (`spec` is the value under `spec:`). */
export function checkRunbook(spec: unknown, app?: unknown): Finding[] {
  const out: Finding[] = [];
  if (typeof app === 'string') checkPlacementNames(spec, app, out);
  const environments = dig(spec, 'environments');
  const names =
    isMap(environments) && Object.keys(environments).length > 0 ? Object.keys(environments) : null;
  checkGates(dig(spec, 'gates'), ['spec', 'gates'], names, null, out);
  checkHooks(dig(spec, 'hooks'), ['spec', 'hooks'], out);
  checkPauses(dig(spec, 'strategy'), ['spec', 'strategy'], out);
  checkEnvironments(spec, names, out);
  return out;
}
