// greenlight pause APP [--reason R]: the release in progress stops advancing; its timers stop.
import { appPath, type ApiRequest } from '../client.js';
import { runReleaseAction, type ApiFlags } from './release-action.js';

export const pauseRequest = (app: string, flags: { reason?: string }): ApiRequest => ({
  method: 'post',
  path: appPath(app, 'pause'),
  body: flags.reason ? { reason: flags.reason } : {},
});

export async function pauseCommand(app: string, flags: ApiFlags & { reason?: string }): Promise<void> {
  await runReleaseAction(app, 'paused', pauseRequest(app, flags), flags);
}
