// greenlight abort APP --reason R: back to the previous version; the release ends aborted, by you.
import { appPath, type ApiRequest } from '../client.js';
import { runReleaseAction, type ApiFlags } from './release-action.js';

export const abortRequest = (app: string, flags: { reason: string }): ApiRequest => ({
  method: 'post',
  path: appPath(app, 'abort'),
  body: { reason: flags.reason },
});

export async function abortCommand(app: string, flags: ApiFlags & { reason: string }): Promise<void> {
  await runReleaseAction(app, 'aborting', abortRequest(app, flags), flags);
}
