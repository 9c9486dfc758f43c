// greenlight promote APP [--full]: finish the current step now, or skip the remaining steps.
import { appPath, type ApiRequest } from '../client.js';
import { runReleaseAction, type ApiFlags } from './release-action.js';

export const promoteRequest = (app: string, flags: { full?: boolean }): ApiRequest => ({
  method: 'post',
  path: appPath(app, 'promote'),
  body: { full: flags.full === true },
});

export async function promoteCommand(app: string, flags: ApiFlags & { full?: boolean }): Promise<void> {
  await runReleaseAction(
    app,
    flags.full ? 'promoted fully' : 'promoted step',
    promoteRequest(app, flags),
    flags,
  );
}
