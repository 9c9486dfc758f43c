// greenlight retry APP [--reason R]: a new release of the version the last release failed or aborted.
import { appPath, type ApiRequest } from '../client.js';
import { runReleaseAction, type ApiFlags } from './release-action.js';

export const retryRequest = (app: string, flags: { reason?: string }): ApiRequest => ({
  method: 'post',
  path: appPath(app, 'retry'),
  body: flags.reason ? { reason: flags.reason } : {},
});

export async function retryCommand(app: string, flags: ApiFlags & { reason?: string }): Promise<void> {
  await runReleaseAction(app, 'retrying', retryRequest(app, flags), flags);
}
