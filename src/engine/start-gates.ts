// The gates a deploy meets before a release exists: the environment's deployment windows (an emergency is let
// through) and its promotion rule (a version must first be promoted in the environment named by
// requirePromotedIn). Refused deploys leave nothing behind but the error.
import { ConflictError } from '../errors.js';
import { evaluateWindows } from '../gates/windows.js';
import type { CompiledSpec } from '../spec/compiled.js';
import type { Store } from '../store/store.js';
import type { Clock } from './clock.js';
import { planRelease } from './planner/index.js';

export interface StartGateRequest {
  app: string;
  environment: string;
  /** The environment's effective spec. */
  spec: CompiledSpec;
  version: string;
  emergency: boolean;
}

/** ConflictError outside the environment's windows (unless an emergency) or before staging promoted it. */
export async function refuseOutsideStartGates(
  deps: { store: Pick<Store, 'listRevisions'>; clock: Clock },
  request: StartGateRequest,
): Promise<void> {
  const { app, environment, spec, version } = request;
  const windows = spec.gates.windows;
  if (windows && !request.emergency) {
    const verdict = evaluateWindows(windows, deps.clock.now());
    if (!verdict.open) {
      throw new ConflictError(
        `${app} (${environment}) may not be deployed now: ${verdict.reason}. An emergency release may: deploy --emergency --justification "..."`,
        {
          app,
          environment,
          gate: 'window',
          nextChangeAt: verdict.nextChangeAt === null ? null : new Date(verdict.nextChangeAt).toISOString(),
        },
      );
    }
  }
  const required = spec.gates.requirePromotedIn;
  if (required) {
    const revisions = await deps.store.listRevisions(app, required);
    if (!revisions.some((r) => r.version === version)) {
      throw new ConflictError(
        `${version} has not been promoted in ${required}; ${environment} accepts only versions promoted there first`,
        { app, environment, gate: 'requirePromotedIn', requiredIn: required },
      );
    }
  }
}

/** What an emergency release skips: windows, and approval steps the normal plan has when the policy says so. */
export function emergencyBypasses(spec: CompiledSpec, version: string, fromVersion: string | null): string[] {
  const out = spec.gates.windows ? ['windows'] : [];
  if (
    spec.gates.emergency.bypassApprovals &&
    planRelease(spec, version, fromVersion).some((s) => s.wait.kind === 'approval')
  )
    out.push('approvals');
  return out;
}
