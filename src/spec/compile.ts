// A validated raw spec turned into the CompiledSpec: units converted, paths made absolute, every default
// filled here and nowhere else.
import { dirname, resolve } from 'node:path';
import type { ProbeSpec, RouterLimits } from '../targets/local/types.js';
import type {
  CanaryStep,
  CompiledSpec,
  HttpCheck,
  LocalRunTemplate,
  LocalTargetSpec,
  RollbackTrigger,
  Strategy,
} from './compiled.js';
import { API_VERSION } from './compiled.js';
import { builtinPostPromotion, compileAnalysis, compileAnalysisRef } from './compile-analysis.js';
import { DEFAULT_PREVIEW_HEADER } from './check-canary.js';
import { resolveSurge } from './surge.js';
import { parseDuration } from './duration.js';
import { parseListen } from './listen.js';
import type { RawApp, RawSpec, RawStep } from './schema.js';
import { parseSize } from './size.js';
import { compileRunbook } from './compile-runbook.js';

type RawLocal = RawSpec['target']['local'];
type RawProbe = NonNullable<NonNullable<RawSpec['health']>['readiness']>;
type RawStrategy = NonNullable<RawSpec['strategy']>;
type RawMatch = { name: string; value?: string | undefined; regex?: string | undefined };

export const DEFAULT_CANARY_STEPS: CanaryStep[] = [
  { setWeight: 10 },
  { pause: { durationMs: 30_000 } },
  { setWeight: 50 },
  { pause: { durationMs: 30_000 } },
];

const ms = (value: string | undefined, fallback: string): number => parseDuration(value ?? fallback);

function compileOverride(
  raw: NonNullable<RawLocal['versions']>[string],
  dir: string,
): Partial<LocalRunTemplate> {
  const out: Partial<LocalRunTemplate> = {};
  if (raw.command !== undefined) out.command = [...raw.command];
  if (raw.cwd !== undefined) out.cwd = resolve(dir, raw.cwd);
  if (raw.env !== undefined) out.env = { ...raw.env };
  return out;
}

function compileTarget(raw: RawLocal, dir: string): LocalTargetSpec {
  const listen = parseListen(raw.listen);
  if (listen === undefined) throw new Error(`listen ${raw.listen} passed validation but does not parse`);
  const versions: Record<string, Partial<LocalRunTemplate>> = {};
  for (const [version, override] of Object.entries(raw.versions ?? {}))
    versions[version] = compileOverride(override, dir);
  return {
    kind: 'local',
    listen,
    instances: raw.instances ?? 1,
    run: { command: [...raw.run.command], cwd: resolve(dir, raw.run.cwd ?? '.'), env: { ...raw.run.env } },
    versions,
    drainTimeoutMs: ms(raw.drainTimeout, '10s'),
    stopGraceMs: ms(raw.stopGrace, '5s'),
  };
}

function compileProbe(raw: RawProbe | undefined): ProbeSpec | undefined {
  if (raw === undefined) return undefined;
  const probe: ProbeSpec = {
    initialDelayMs: ms(raw.initialDelay, '0s'),
    periodMs: ms(raw.period, '1s'),
    timeoutMs: ms(raw.timeout, '1s'),
    successThreshold: raw.successThreshold ?? 1,
    failureThreshold: raw.failureThreshold ?? 3,
  };
  if (raw.http !== undefined) {
    probe.http = { path: raw.http.path };
    if (raw.http.expectStatus !== undefined) probe.http.expectStatus = raw.http.expectStatus;
  } else if (raw.exec !== undefined) {
    probe.exec = { command: [...raw.exec.command] };
  } else {
    probe.tcp = {};
  }
  return probe;
}

function compileMatch(raw: RawMatch, lowerName: boolean): RawMatch {
  const match: RawMatch = { name: lowerName ? raw.name.toLowerCase() : raw.name };
  if (raw.value !== undefined) match.value = raw.value;
  if (raw.regex !== undefined) match.regex = raw.regex;
  return match;
}

function compileStep(raw: RawStep): CanaryStep {
  if (raw.setWeight !== undefined) return { setWeight: raw.setWeight };
  if (raw.pause !== undefined) {
    if (raw.pause.untilApproved === true) return { pause: { untilApproved: true } };
    return {
      pause: raw.pause.duration === undefined ? {} : { durationMs: parseDuration(raw.pause.duration) },
    };
  }
  if (raw.setMirror !== undefined) return { setMirror: { percent: raw.setMirror.percent } };
  const analysis = compileAnalysisRef(raw.analysis);
  if (analysis !== null) return { analysis };
  const route = raw.setHeaderRoute;
  if (route?.header !== undefined)
    return { setHeaderRoute: { match: { header: compileMatch(route.header, true) } } };
  if (route?.cookie !== undefined)
    return { setHeaderRoute: { match: { cookie: compileMatch(route.cookie, false) } } };
  throw new Error('a canary step passed validation without a kind');
}

function compileCheck(
  raw: NonNullable<NonNullable<RawStrategy['blueGreen']>['prePromotionChecks']>[number],
): HttpCheck {
  const check: HttpCheck = {
    name: raw.name,
    path: raw.path,
    method: raw.method ?? 'GET',
    expectStatus: raw.expectStatus ?? 200,
    timeoutMs: ms(raw.timeout, '2s'),
    retries: raw.retries ?? 2,
  };
  if (raw.expectBody !== undefined) check.expectBody = raw.expectBody;
  return check;
}

function compileStrategy(raw: RawStrategy | undefined, instances: number): Strategy {
  if (raw?.canary !== undefined) {
    const steps =
      raw.canary.steps?.map(compileStep) ?? DEFAULT_CANARY_STEPS.map((step) => structuredClone(step));
    return { kind: 'canary', steps, canaryInstances: raw.canary.instances ?? instances };
  }
  if (raw?.blueGreen !== undefined) {
    const blueGreen = raw.blueGreen;
    return {
      kind: 'blueGreen',
      prePromotionChecks: (blueGreen.prePromotionChecks ?? []).map(compileCheck),
      autoPromote: blueGreen.autoPromote ?? true,
      postPromotionWatchMs: ms(blueGreen.postPromotionWatch, '30s'),
      scaleDownDelayMs: ms(blueGreen.scaleDownDelay, '30s'),
      prePromotionAnalysis: compileAnalysisRef(blueGreen.prePromotionAnalysis),
      postPromotionAnalysis: compileAnalysisRef(blueGreen.postPromotionAnalysis),
    };
  }
  const rolling = raw?.rolling ?? {};
  return {
    kind: 'rolling',
    maxSurge: resolveSurge(rolling.maxSurge ?? 1, instances, 'up'),
    maxUnavailable: resolveSurge(rolling.maxUnavailable ?? 0, instances, 'down'),
  };
}

function compileLimits(
  raw: NonNullable<NonNullable<RawSpec['traffic']>['limits']> | undefined,
): RouterLimits {
  return {
    maxHeaderBytes: parseSize(raw?.maxHeaderSize ?? '16KiB'),
    maxBodyBytes: parseSize(raw?.maxBodySize ?? '10MiB'),
    headersTimeoutMs: ms(raw?.headersTimeout, '10s'),
    upstreamTimeoutMs: ms(raw?.upstreamTimeout, '30s'),
    keepAliveTimeoutMs: ms(raw?.keepAliveTimeout, '5s'),
  };
}

function compileTriggers(raw: RawSpec['rollbackTriggers']): RollbackTrigger[] {
  return (raw ?? []).map((trigger) => ({
    name: trigger.name,
    metric: trigger.metric,
    max: trigger.max,
    forMs: ms(trigger.for, '1m'),
    minRequests: trigger.minRequests ?? 20,
  }));
}

/** `file` names the source in messages; relative working directories resolve against its folder. */
export function compileApp(raw: RawApp, file: string): CompiledSpec {
  const spec = raw.spec;
  const target = compileTarget(spec.target.local, resolve(dirname(file)));
  const traffic: CompiledSpec['traffic'] = {
    previewHeader: (spec.traffic?.previewHeader ?? DEFAULT_PREVIEW_HEADER).toLowerCase(),
    retryOnStable: spec.traffic?.retryOnStable ?? false,
    limits: compileLimits(spec.traffic?.limits),
  };
  const sticky = spec.traffic?.sticky;
  if (sticky !== undefined)
    traffic.sticky = { cookie: sticky.cookie, ttlSeconds: Math.ceil(ms(sticky.ttl, '1h') / 1000) };
  const health: CompiledSpec['health'] = {};
  const readiness = compileProbe(spec.health?.readiness);
  const liveness = compileProbe(spec.health?.liveness);
  if (readiness !== undefined) health.readiness = readiness;
  if (liveness !== undefined) health.liveness = liveness;
  const strategy = compileStrategy(spec.strategy, target.instances);
  const analysis = compileAnalysis(spec.analysis, strategy, resolve(dirname(file)));
  const withDefaults = (s: Strategy): Strategy => {
    if (s.kind === 'blueGreen' && s.postPromotionAnalysis === null) {
      s.postPromotionAnalysis = builtinPostPromotion(analysis, s.postPromotionWatchMs);
    }
    return s;
  };
  withDefaults(strategy);
  const runbook = compileRunbook(
    spec,
    resolve(dirname(file)),
    (raw, instances) => withDefaults(compileStrategy(raw, instances)),
    target.instances,
  );
  return {
    apiVersion: API_VERSION,
    name: raw.metadata.name,
    labels: { ...raw.metadata.labels },
    source: file,
    target,
    health,
    traffic,
    strategy,
    progressDeadlineMs: ms(spec.progressDeadline, '10m'),
    rollbackTriggers: compileTriggers(spec.rollbackTriggers),
    analysis,
    ...runbook,
  };
}
