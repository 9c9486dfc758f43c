// Running the actions of a step (pre-deployment checks, hooks, smoke tests) for the engine: one after the other,
// with the release's placeholders, the GREENLIGHT_* variables, the declared secrets and redaction. A failed
// action ends the list unless the step goes on whatever happens (onRollback, onSuccess, onFailure).
import { createRedactor, secretsFromEnv, type Secret } from '../hooks/redact.js';
import { runAction, type ActionContext } from '../hooks/run-action.js';
import type { ActionResult } from '../hooks/result.js';
import type { CompiledSpec } from '../spec/compiled.js';
import { groupIsOurs, groupMembers, signalGroup, waitUntil } from '../targets/local/supervisor/proc.js';
import type { Target } from '../targets/target.js';
import type { PlanStep, Release, ReleaseRuntime, StepWait } from './model.js';

type ActionsWait = Extract<StepWait, { kind: 'actions' }>;

/** Values of the spec's declared secrets, read from the controller's environment. */
function declaredSecrets(spec: CompiledSpec, source: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of spec.secrets.env) {
    const value = source[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

export interface StepActionsDeps {
  target: Target;
  /** The controller's environment (declared secrets are read from it). */
  env?: NodeJS.ProcessEnv;
}

/** The context every action of a release gets; exported for `explain`-style tests. */
export function actionContext(
  deps: StepActionsDeps,
  spec: CompiledSpec,
  release: Release,
  wait: ActionsWait,
  signal: AbortSignal,
): ActionContext {
  const secrets = declaredSecrets(spec, deps.env ?? process.env);
  const listen = spec.target.listen;
  const env: Record<string, string> = {
    ...secrets,
    GREENLIGHT_APP: release.app,
    GREENLIGHT_ENVIRONMENT: release.environment,
    GREENLIGHT_RELEASE: String(release.id),
    GREENLIGHT_VERSION: wait.version,
    GREENLIGHT_FROM_VERSION: release.fromVersion ?? '',
    GREENLIGHT_HOOK: wait.hook,
    GREENLIGHT_URL: `http://${listen.host}:${listen.port}`,
    GREENLIGHT_PREVIEW_HEADER: `${spec.traffic.previewHeader}: ${wait.version}`,
  };
  const known: Secret[] = Object.entries(secrets).map(([name, value]) => ({ name, value }));
  const fromActions = wait.actions.flatMap((a) =>
    secretsFromEnv(a.kind === 'command' ? a.env : a.headers, secretNamePatterns(spec.secrets.namePatterns)),
  );
  return {
    vars: {
      app: release.app,
      version: wait.version,
      fromVersion: release.fromVersion ?? '',
      environment: release.environment,
      release: String(release.id),
    },
    env,
    redactor: createRedactor([...known, ...fromActions]),
    preview: (req) =>
      deps.target.previewRequest(spec, wait.version, {
        method: req.method,
        path: req.path,
        timeoutMs: req.timeoutMs,
        headers: req.headers,
      }),
    signal,
  };
}

/** Runs the step's actions in order; each result is handed to `onResult` as soon as it is known. */
export async function runStepActions(
  deps: StepActionsDeps,
  spec: CompiledSpec,
  release: Release,
  wait: ActionsWait,
  signal: AbortSignal,
  onResult: (result: ActionResult) => Promise<void>,
  onSpawn?: (action: string, pid: number) => void,
): Promise<void> {
  const ctx = actionContext(deps, spec, release, wait, signal);
  for (const action of wait.actions) {
    if (signal.aborted) return;
    const result = await runAction(action, { ...ctx, onSpawn: (pid) => onSpawn?.(action.name, pid) });
    if (signal.aborted) return;
    await onResult(result);
    if (!result.ok && wait.onFailure !== 'continue') return;
  }
}

/**
 * A plan as people see it (API, CLI, dashboard): the values of hook environment variables whose names look
 * secret (the spec's patterns) are masked. The stored plan keeps them, since the hooks need them.
 */
export function planForDisplay(steps: PlanStep[], namePatterns: string[]): PlanStep[] {
  const patterns = secretNamePatterns(namePatterns).map((source) => new RegExp(source, 'i'));
  const mask = (values: Record<string, string>): Record<string, string> =>
    Object.fromEntries(
      Object.entries(values).map(([name, value]) => [
        name,
        patterns.some((p) => p.test(name)) ? '[redacted]' : value,
      ]),
    );
  return steps.map((step) => {
    const wait = step.wait;
    if (wait.kind !== 'actions') return step;
    const actions = wait.actions.map((a) =>
      a.kind === 'command' ? { ...a, env: mask(a.env) } : { ...a, headers: mask(a.headers) },
    );
    return { ...step, wait: { ...wait, actions } };
  });
}

/** The spec's secret name patterns, plus the HTTP headers that carry credentials. */
function secretNamePatterns(namePatterns: string[]): string[] {
  return [...namePatterns, '^authorization$', '^proxy-authorization$', '^cookie$'];
}

type HookProcess = NonNullable<ReleaseRuntime['hookProcess']>;

/**
 * Waits for a hook command a previous controller left running (it was killed while the hook ran), for up to
 * the action's timeout, then stops its process group: the hook is run again afterwards, never beside itself.
 */
export async function settleOrphanHook(
  orphan: HookProcess,
  timeoutMs: number,
  log: (msg: string, fields?: Record<string, unknown>) => void,
): Promise<void> {
  const alive = (): boolean =>
    groupIsOurs(orphan.pgid, orphan.startTime) && groupMembers(orphan.pgid).length > 0;
  if (!alive()) return;
  log('waiting for a hook a previous controller left running', { action: orphan.action, pgid: orphan.pgid });
  if (await waitUntil(() => !alive(), timeoutMs, 100)) return;
  signalGroup(orphan.pgid, 'SIGTERM');
  if (await waitUntil(() => !alive(), 2000)) return;
  signalGroup(orphan.pgid, 'SIGKILL');
  await waitUntil(() => !alive(), 2000);
}
