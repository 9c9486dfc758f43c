// greenlight deploy APP --version V [--reason R] [--wait [--timeout 30m]]: start a release; with --wait, show
// its progress and exit 0 promoted, 1 rolled back/aborted/failed, 3 timeout.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { InvalidInputError } from '../../errors.js';
import { parseDuration } from '../../spec/duration.js';
import type { ReleaseView } from '../../server/api/lookup.js';
import { appPath, connect, type ApiRequest } from '../client.js';
import { ReleaseEndedError } from '../errors.js';
import { outputFormat, printJson } from '../output.js';
import { humanDuration, releaseLine } from './format.js';
import { waitForRelease } from './progress.js';
import type { ApiFlags } from './release-action.js';

const run = promisify(execFile);

export interface DeployFlags extends ApiFlags {
  version: string;
  reason?: string;
  wait?: boolean;
  timeout?: string;
  emergency?: boolean;
  justification?: string;
  commit?: string;
  commitTime?: string;
}

type DeployRequestFlags = Pick<
  DeployFlags,
  'version' | 'reason' | 'env' | 'emergency' | 'justification' | 'commit' | 'commitTime'
>;

export function deployRequest(app: string, flags: DeployRequestFlags): ApiRequest {
  if (flags.emergency && !flags.justification?.trim())
    throw new InvalidInputError('--emergency needs --justification "why this cannot wait for a window"');
  if (!flags.emergency && flags.justification)
    throw new InvalidInputError('--justification goes with --emergency');
  if (flags.commitTime !== undefined && Number.isNaN(Date.parse(flags.commitTime)))
    throw new InvalidInputError(
      `--commit-time ${flags.commitTime}: expected an ISO time like 2026-12-07T10:00:00Z`,
    );
  return {
    method: 'post',
    path: appPath(app, 'releases'),
    body: {
      version: flags.version,
      ...(flags.reason ? { reason: flags.reason } : {}),
      ...(flags.env ? { environment: flags.env } : {}),
      ...(flags.emergency ? { emergency: { justification: flags.justification } } : {}),
      ...(flags.commit ? { commit: flags.commit } : {}),
      ...(flags.commitTime ? { commitTime: new Date(flags.commitTime).toISOString() } : {}),
    },
  };
}

/** The commit time of a commit, from git in the current folder (argv, no shell); undefined when git cannot tell. */
export async function gitCommitTime(commit: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', ['show', '-s', '--format=%cI', commit, '--'], { timeout: 10_000 });
    const time = stdout.trim();
    return Number.isNaN(Date.parse(time)) ? undefined : time;
  } catch {
    return undefined;
  }
}

export async function deployCommand(app: string, flags: DeployFlags): Promise<void> {
  const format = outputFormat(flags.output ?? 'table');
  const timeoutMs = parseDuration(flags.timeout ?? '30m');
  const client = connect(flags);
  const commitTime = flags.commitTime ?? (flags.commit ? await gitCommitTime(flags.commit) : undefined);
  if (flags.commit && !commitTime && format !== 'json')
    console.error(
      `note: git does not know commit ${flags.commit} here; no lead time is recorded (--commit-time)`,
    );
  const started = await client.send<ReleaseView>(
    deployRequest(app, { ...flags, ...(commitTime ? { commitTime } : {}) }),
  );
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
