// greenlight deploy APP --version V [--reason R] [--wait [--timeout 30m]]: start a release; with --wait, show
// its progress and exit 0 promoted, 1 rolled back/aborted/failed, 3 timeout.
import { parseDuration } from '../../spec/duration.js';
import type { ReleaseView } from '../../server/api/lookup.js';
import { appPath, connect, type ApiRequest } from '../client.js';
import { ReleaseEndedError } from '../errors.js';
import { outputFormat, printJson } from '../output.js';
import { humanDuration, releaseLine } from './format.js';
import { waitForRelease } from './progress.js';
import type { ApiFlags } from './release-action.js';

export interface DeployFlags extends ApiFlags {
  version: string;
  reason?: string;
  wait?: boolean;
  timeout?: string;
}

export const deployRequest = (app: string, flags: { version: string; reason?: string }): ApiRequest => ({
  method: 'post',
  path: appPath(app, 'releases'),
  body: { version: flags.version, ...(flags.reason ? { reason: flags.reason } : {}) },
});

export async function deployCommand(app: string, flags: DeployFlags): Promise<void> {
  const format = outputFormat(flags.output ?? 'table');
  const timeoutMs = parseDuration(flags.timeout ?? '30m');
  const client = connect(flags);
  const started = await client.send<ReleaseView>(deployRequest(app, flags));
  if (!flags.wait) {
    if (format === 'json') printJson(started);
    else console.log(`${app}: ${releaseLine(started.summary)}`);
    return;
  }
  const print = format === 'json' ? () => {} : (line: string) => console.log(line);
  let done: ReleaseView;
  try {
    done = await waitForRelease(client, app, started.release.id, timeoutMs, print);
  } catch (error) {
    if (format === 'json' && error instanceof ReleaseEndedError)
      printJson(await client.get(`/v1/releases/${error.releaseId}`));
    throw error;
  }
  if (format === 'json') printJson(done);
  else
    console.log(
      `${app}: ${done.release.version} is live (release ${done.release.id}, ${humanDuration(done.summary.durationMs ?? 0)})`,
    );
}
