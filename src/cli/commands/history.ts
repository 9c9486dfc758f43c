// greenlight history APP: the live revisions, and the releases with outcome, duration, who and why.
import type { Revision } from '../../engine/model.js';
import type { ReleaseSummary } from '../../engine/status.js';
import { appPath, connect, type ApiRequest } from '../client.js';
import { outputFormat, printJson, table } from '../output.js';
import { actorText, fromTo, humanDuration, phaseText } from './format.js';
import type { ApiFlags } from './release-action.js';

export interface History {
  revisions: Revision[];
  releases: ReleaseSummary[];
}

export const historyRequests = (app: string, limit: number): ApiRequest[] => [
  { method: 'get', path: appPath(app, 'revisions') },
  { method: 'get', path: `${appPath(app, 'releases')}?limit=${limit}` },
];

const day = (iso: string): string => iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');

export function formatHistory(app: string, h: History): string {
  const revisions = [...h.revisions]
    .reverse()
    .map((r) => [r.number, r.version, r.releaseId, r.specRevision, day(r.createdAt)]);
  const releases = h.releases.map((r) => [
    r.id,
    fromTo(r),
    r.kind,
    phaseText(r.phase),
    r.outcomeReason ?? '',
    r.durationMs === null
      ? `${humanDuration(Date.now() - Date.parse(r.createdAt))}+`
      : humanDuration(r.durationMs),
    actorText(r.createdBy),
    r.reason ?? '',
    day(r.createdAt),
  ]);
  return [
    `${app}: revisions (newest first)`,
    revisions.length ? table(['REVISION', 'VERSION', 'RELEASE', 'SPEC', 'SINCE'], revisions) : '  none yet',
    '',
    `${app}: releases (newest first)`,
    releases.length
      ? table(
          ['RELEASE', 'VERSION', 'KIND', 'OUTCOME', 'WHY IT ENDED', 'DURATION', 'BY', 'REASON', 'STARTED'],
          releases,
        )
      : '  none yet',
  ].join('\n');
}

export async function historyCommand(app: string, flags: ApiFlags & { limit?: string }): Promise<void> {
  const format = outputFormat(flags.output ?? 'table');
  const client = connect(flags);
  const [revisions, releases] = historyRequests(app, Number(flags.limit ?? 20));
  const h: History = {
    revisions: (await client.send<{ revisions: Revision[] }>(revisions!)).revisions,
    releases: (await client.send<{ releases: ReleaseSummary[] }>(releases!)).releases,
  };
  if (format === 'json') printJson(h);
  else console.log(formatHistory(app, h));
}
