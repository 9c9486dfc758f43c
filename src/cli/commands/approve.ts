// greenlight approve APP --reason R [--release N] [--env E]: approve the step the release waits at.
import { InvalidInputError } from '../../errors.js';
import { appPath, type ApiRequest } from '../client.js';
import { runReleaseAction, type ApiFlags } from './release-action.js';

export function approveRequest(app: string, flags: { reason: string; release?: string }): ApiRequest {
  let release: number | undefined;
  if (flags.release !== undefined) {
    release = Number(flags.release);
    if (!Number.isInteger(release) || release < 1)
      throw new InvalidInputError(
        `--release ${flags.release}: expected a release id (see greenlight history)`,
      );
  }
  return {
    method: 'post',
    path: appPath(app, 'approve'),
    body: { reason: flags.reason, ...(release === undefined ? {} : { release }) },
  };
}

export async function approveCommand(
  app: string,
  flags: ApiFlags & { reason: string; release?: string },
): Promise<void> {
  const view = await runReleaseAction(app, 'approved', approveRequest(app, flags), flags);
  const wait = view.release.plan[view.release.stepIndex]?.wait;
  if (flags.output !== 'json' && wait?.kind === 'approval' && view.release.phase !== 'rollingBack') {
    console.log(
      `${app}: still waiting for approvals (${wait.policy.count} needed from ${wait.policy.roles.join(' or ')})`,
    );
  }
}
