// The runbook parts of a validated raw spec compiled: gates, hooks, notifications, secrets, environments.
// Every default of those parts is filled here and nowhere else.
import { resolve } from 'node:path';
import { parseLocalDateTime } from '../gates/local-time.js';
import { parseWindowRule } from '../gates/window-rule.js';
import type {
  ApprovalPolicy,
  EnvironmentOverrides,
  GatesSpec,
  HookAction,
  HooksSpec,
  MigrationSpec,
  WindowPolicy,
  WindowRule,
} from './compiled-gates.js';
import type { Strategy } from './compiled.js';
import { parseDuration } from './duration.js';
import { parseListen } from './listen.js';
import {
  DEFAULT_ENVIRONMENT,
  DEFAULT_SECRET_PATTERNS,
  noRunbook,
  type RunbookParts,
} from './runbook-defaults.js';
import type { RawSpec } from './schema.js';

type RawGates = NonNullable<RawSpec['gates']>;
type RawHooks = NonNullable<RawSpec['hooks']>;
type RawAction = NonNullable<RawGates['checks']>[number];
type RawWindows = NonNullable<RawGates['windows']>;

const ms = (value: string | undefined, fallback: string): number => parseDuration(value ?? fallback);

export function compileAction(raw: RawAction, dir: string, defaultTimeout = '60s'): HookAction {
  const timeoutMs = ms(raw.timeout, defaultTimeout);
  const retries = raw.retries ?? 0;
  if (raw.http !== undefined) {
    return {
      kind: 'http',
      name: raw.name,
      url: raw.http.url ?? null,
      path: raw.http.path ?? null,
      method: raw.http.method ?? 'GET',
      headers: { ...raw.http.headers },
      expectStatus: raw.http.expectStatus ?? 200,
      expectBody: raw.http.expectBody ?? null,
      timeoutMs,
      retries,
    };
  }
  if (raw.run === undefined)
    throw new Error(`action ${raw.name} passed validation with neither run nor http`);
  return {
    kind: 'command',
    name: raw.name,
    argv: [...raw.run],
    cwd: resolve(dir, raw.cwd ?? '.'),
    env: { ...raw.env },
    timeoutMs,
    retries,
  };
}

const actions = (raw: RawAction[] | undefined, dir: string): HookAction[] =>
  (raw ?? []).map((a) => compileAction(a, dir));

function rule(text: string): WindowRule {
  const parsed = parseWindowRule(text);
  if ('error' in parsed) throw new Error(`window rule ${text} passed validation but does not parse`);
  return parsed;
}

function instant(text: string, timeZone: string): number {
  const parsed = parseLocalDateTime(text, timeZone);
  if (typeof parsed !== 'number') throw new Error(`freeze time ${text} passed validation but does not parse`);
  return parsed;
}

function compileWindows(raw: RawWindows): WindowPolicy {
  return {
    timeZone: raw.timeZone,
    allow: (raw.allow ?? []).map(rule),
    deny: (raw.deny ?? []).map(rule),
    freezes: (raw.freezes ?? []).map((f) => ({
      fromMs: instant(f.from, raw.timeZone),
      untilMs: instant(f.until, raw.timeZone),
      reason: f.reason,
    })),
  };
}

function compileApprovals(raw: NonNullable<RawGates['approvals']>): ApprovalPolicy[] {
  return raw.map((a) => ({
    stage: a.before,
    roles: [...(a.roles ?? ['approver'])],
    count: a.count ?? 1,
    expiresAfterMs: a.expiresAfter === undefined ? null : parseDuration(a.expiresAfter),
    allowSelfApproval: a.allowSelfApproval ?? false,
  }));
}

/** Only the fields the raw gates name (environments merge them field by field over the app's). */
function compileGatesPartial(raw: RawGates, dir: string): Partial<GatesSpec> {
  const out: Partial<GatesSpec> = {};
  if (raw.checks !== undefined) out.checks = actions(raw.checks, dir);
  if (raw.approvals !== undefined) out.approvals = compileApprovals(raw.approvals);
  if (raw.windows !== undefined) out.windows = compileWindows(raw.windows);
  if (raw.emergency !== undefined)
    out.emergency = { bypassApprovals: raw.emergency.bypassApprovals ?? false };
  if (raw.requirePromotedIn !== undefined) out.requirePromotedIn = raw.requirePromotedIn;
  return out;
}

function compileMigration(raw: NonNullable<RawHooks['migrate']>, dir: string): MigrationSpec {
  const action = compileAction({ ...raw, retries: 0 }, dir, '10m');
  if (action.kind !== 'command') throw new Error('a migration compiled to an HTTP call');
  return {
    action,
    mode: raw.mode ?? 'safe',
    maintenance: {
      mode: raw.maintenance?.mode ?? 'hold',
      holdMs: ms(raw.maintenance?.hold, '30s'),
      retryAfterSeconds: Math.round(ms(raw.maintenance?.retryAfter, '5s') / 1000),
    },
  };
}

function compileHooksPartial(raw: RawHooks, dir: string): Partial<HooksSpec> {
  const out: Partial<HooksSpec> = {};
  for (const key of ['preDeploy', 'postDeploy', 'onRollback', 'onSuccess', 'onFailure'] as const) {
    if (raw[key] !== undefined) out[key] = actions(raw[key], dir);
  }
  if (raw.migrate !== undefined) out.migrate = compileMigration(raw.migrate, dir);
  return out;
}

export function compileRunbook(
  spec: RawSpec,
  dir: string,
  compileStrategy: (raw: RawSpec['strategy'], instances: number) => Strategy,
  instances: number,
): RunbookParts {
  const base = noRunbook();
  const gates: GatesSpec = { ...base.gates, ...compileGatesPartial(spec.gates ?? {}, dir) };
  const hooks: HooksSpec = { ...base.hooks, ...compileHooksPartial(spec.hooks ?? {}, dir) };
  const webhooks = (spec.notifications?.webhooks ?? []).map((w) => ({
    name: w.name,
    url: w.url,
    format: w.format ?? 'json',
    secretEnv: w.secretEnv ?? null,
    events: [...(w.events ?? [])],
    timeoutMs: ms(w.timeout, '5s'),
    attempts: w.attempts ?? 5,
  }));
  const secrets = {
    env: [...(spec.secrets?.env ?? [])],
    namePatterns: [...DEFAULT_SECRET_PATTERNS, ...(spec.secrets?.redactPatterns ?? [])],
  };
  let environments: Record<string, EnvironmentOverrides> = { [DEFAULT_ENVIRONMENT]: {} };
  if (spec.environments !== undefined && Object.keys(spec.environments).length > 0) {
    environments = {};
    for (const [name, raw] of Object.entries(spec.environments)) {
      const env: EnvironmentOverrides = {};
      if (raw.listen !== undefined) {
        const listen = parseListen(raw.listen);
        if (listen === undefined)
          throw new Error(`listen ${raw.listen} passed validation but does not parse`);
        env.listen = listen;
      }
      if (raw.instances !== undefined) env.instances = raw.instances;
      // Strategies count instances (canary instances, surge percentages): recompiled for the environment's.
      if (raw.strategy !== undefined || raw.instances !== undefined)
        env.strategy = compileStrategy(raw.strategy ?? spec.strategy, raw.instances ?? instances);
      if (raw.gates !== undefined) env.gates = compileGatesPartial(raw.gates, dir);
      if (raw.hooks !== undefined) env.hooks = compileHooksPartial(raw.hooks, dir);
      environments[name] = env;
    }
  }
  return { gates, hooks, notifications: { webhooks }, secrets, environments };
}
