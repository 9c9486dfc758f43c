// Running the actions of a step (pre-deployment checks, hooks, smoke tests) for the engine: one after the other,
// with the release's placeholders, the GREENLIGHT_* variables, the declared secrets and redaction. A failed
// action ends the list unless the step goes on whatever happens (onRollback, onSuccess, onFailure).
import { createRedactor, secretsFromEnv, type Secret } from '../hooks/redact.js';
import { runAction, type ActionContext } from '../hooks/run-action.js';
import type { ActionResult } from '../hooks/result.js';
import type { CompiledSpec } from '../spec/compiled.js';
import type { Target } from '../targets/target.js';
import type { PlanStep, Release, StepWait } from './model.js';

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
    a.kind === 'command' ? secretsFromEnv(a.env, spec.secrets.namePatterns) : [],
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
): Promise<void> {
  const ctx = actionContext(deps, spec, release, wait, signal);
  for (const action of wait.actions) {
    if (signal.aborted) return;
    const result = await runAction(action, ctx);
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
  const patterns = namePatterns.map((source) => new RegExp(source, 'i'));
  const mask = (env: Record<string, string>): Record<string, string> =>
    Object.fromEntries(
      Object.entries(env).map(([name, value]) => [
        name,
        patterns.some((p) => p.test(name)) ? '[redacted]' : value,
      ]),
    );
  return steps.map((step) => {
    const wait = step.wait;
    if (wait.kind !== 'actions' || !wait.actions.some((a) => a.kind === 'command')) return step;
    const actions = wait.actions.map((a) => (a.kind === 'command' ? { ...a, env: mask(a.env) } : a));
    return { ...step, wait: { ...wait, actions } };
  });
}
