// greenlight rollback APP [--to-revision N] --reason R: abort the release in progress, or release the previous
// revision (or revision N) again.
import { InvalidInputError } from '../../errors.js';
import { appPath, type ApiRequest } from '../client.js';
import { runReleaseAction, type ApiFlags } from './release-action.js';

export function rollbackRequest(app: string, flags: { reason: string; toRevision?: string }): ApiRequest {
  let toRevision: number | undefined;
  if (flags.toRevision !== undefined) {
    toRevision = Number(flags.toRevision);
    if (!Number.isInteger(toRevision) || toRevision < 1) {
      throw new InvalidInputError(
        `--to-revision ${flags.toRevision}: expected a revision number (see greenlight history)`,
      );
    }
  }
  return {
    method: 'post',
    path: appPath(app, 'rollback'),
    body: { reason: flags.reason, ...(toRevision === undefined ? {} : { toRevision }) },
  };
}

export async function rollbackCommand(
  app: string,
  flags: ApiFlags & { reason: string; toRevision?: string },
): Promise<void> {
  await runReleaseAction(app, 'rolling back', rollbackRequest(app, flags), flags);
}
