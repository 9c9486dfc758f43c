// greenlight resume APP [--reason R]: a paused release continues where it stopped.
import { appPath, type ApiRequest } from '../client.js';
import { runReleaseAction, type ApiFlags } from './release-action.js';

export const resumeRequest = (app: string, flags: { reason?: string }): ApiRequest => ({
  method: 'post',
  path: appPath(app, 'resume'),
  body: flags.reason ? { reason: flags.reason } : {},
});

export async function resumeCommand(app: string, flags: ApiFlags & { reason?: string }): Promise<void> {
  await runReleaseAction(app, 'resumed', resumeRequest(app, flags), flags);
}
