// greenlight status [APP] [--watch]: the live state of one app (release step, weights, triggers, instances) or a
// line per app. --watch redraws on a terminal, and prints a new snapshot on each change otherwise.
import type { AppStatusView, ReleaseSummary } from '../../engine/status.js';
import { appPath, connect, type ApiRequest } from '../client.js';
import { color, outputFormat, table } from '../output.js';
import { actorText, humanDuration, phaseText, releaseLine, stepText, weightsText } from './format.js';
import type { ApiFlags } from './release-action.js';

export const statusRequest = (app?: string, env?: string): ApiRequest => ({
  method: 'get',
  path: app ? `${appPath(app)}${env ? `?env=${encodeURIComponent(env)}` : ''}` : '/v1/apps',
});

function triggerLines(r: ReleaseSummary): string[] {
  return Object.entries(r.triggers).map(([name, t]) => {
    const state = t.breachedSince ? color('red', `breached since ${t.breachedSince}`) : color('green', 'ok');
    const value = t.lastValue === null ? 'no data' : `last ${t.lastValue}`;
    return `  trigger ${name}: ${state} (${value}, ${t.lastRequests} requests)`;
  });
}

const PHASE_COLOR = { successful: 'green', failed: 'red', inconclusive: 'yellow', running: 'bold' } as const;

function phaseWord(phase: string): string {
  const c = PHASE_COLOR[phase as keyof typeof PHASE_COLOR];
  return c === undefined ? phase : color(c, phase);
}

function analysisLines(r: ReleaseSummary): string[] {
  return r.analysis.flatMap((run) => [
    `  analysis ${run.run}: ${phaseWord(run.phase)}`,
    ...run.metrics.map(
      (m) =>
        `    ${m.metric} [${m.judge}${m.dryRun ? ', dry run' : ''}] ${phaseWord(m.phase)}, ${m.measurements} measurements${m.last ? `: ${m.last}` : ''}`,
    ),
  ]);
}

/** The detailed status of one app, as lines. */
export function formatAppStatus(s: AppStatusView): string {
  const where =
    (s.environments ?? []).length > 1 || (s.environment && s.environment !== 'default')
      ? `  environment ${s.environment}`
      : '';
  const lines = [
    `${color('bold', s.app)}${where}  ${s.strategy}  spec revision ${s.specRevision}  live ${s.live ? `${s.live.version} (revision ${s.live.number})` : 'none'}`,
  ];
  if (s.lock)
    lines.push(
      `lock held by ${s.lock.heldBy ? actorText(s.lock.heldBy) : s.lock.holder} (release ${s.lock.releaseId ?? '-'}) since ${s.lock.acquiredAt}`,
    );
  const r = s.release;
  if (r) {
    lines.push(
      `release ${r.id} ${r.fromVersion ? `${r.fromVersion} -> ` : ''}${r.version}  ${phaseText(r.phase)}  ${stepText(r)}`,
    );
    lines.push(
      `  by ${actorText(r.createdBy)}${r.reason ? `: ${JSON.stringify(r.reason)}` : ''}${r.outcomeReason ? `  (${r.outcomeReason})` : ''}`,
    );
    lines.push(`  planned weights ${weightsText(r.weights)}`);
    lines.push(...triggerLines(r));
    lines.push(...analysisLines(r));
  } else if (s.lastRelease) {
    lines.push(`last ${releaseLine(s.lastRelease)}`);
  }
  if (s.observed) {
    lines.push(`traffic ${weightsText(s.observed.traffic.weights)} (${s.observed.traffic.verified})`);
    if (s.observed.versionSets.length > 0) {
      const rows = s.observed.versionSets.map((v) => [
        v.version,
        v.desired,
        v.ready < v.desired ? color('yellow', String(v.ready)) : v.ready,
        v.crashLooping ? color('red', `${v.restarts} (crash loop)`) : v.restarts,
      ]);
      lines.push(table(['VERSION', 'DESIRED', 'READY', 'RESTARTS'], rows));
    }
  } else if (s.observeError) {
    lines.push(color('red', `target: ${s.observeError}`));
  }
  return lines.join('\n');
}

/** One row per app. */
export function formatAppList(apps: AppStatusView[]): string {
  if (apps.length === 0) return 'no apps (apply one with greenlight apply -f greenlight.yaml)';
  const rows = apps.map((s) => {
    const r = s.release;
    return [
      s.app,
      s.strategy,
      s.live?.version ?? '-',
      r ? `${r.id} ${r.version}` : '-',
      r ? phaseText(r.phase) : s.lastRelease ? `last ${phaseText(s.lastRelease.phase)}` : '-',
      r
        ? `${Math.min(r.step.index + 1, r.step.count)}/${r.step.count} ${humanDuration(r.step.elapsedMs)}`
        : '-',
      weightsText(s.observed?.traffic.weights ?? {}),
    ];
  });
  return table(['APP', 'STRATEGY', 'LIVE', 'RELEASE', 'PHASE', 'STEP', 'TRAFFIC'], rows);
}

type StatusAnswer = AppStatusView | { apps: AppStatusView[] };

/** What changes a watched status in a way worth a new snapshot when the output is not a terminal. */
function signature(view: StatusAnswer): string {
  const views = 'apps' in view ? view.apps : [view];
  return JSON.stringify(
    views.map((s) => [
      s.live?.number,
      s.release?.id,
      s.release?.phase,
      s.release?.step.index,
      s.lastRelease?.phase,
      s.observed,
    ]),
  );
}

function formatAnswer(answer: StatusAnswer, json: boolean): string {
  if (json) return JSON.stringify(answer, null, 2);
  return 'apps' in answer ? formatAppList(answer.apps) : formatAppStatus(answer);
}

export async function statusCommand(
  app: string | undefined,
  flags: ApiFlags & { watch?: boolean },
): Promise<void> {
  const json = outputFormat(flags.output ?? 'table') === 'json';
  const client = connect(flags);
  const read = (): Promise<StatusAnswer> => client.send<StatusAnswer>(statusRequest(app, flags.env));
  if (!flags.watch) {
    console.log(formatAnswer(await read(), json));
    return;
  }
  const tty = Boolean(process.stdout.isTTY) && !json;
  let lastKey = '';
  for (;;) {
    const answer = await read();
    const key = signature(answer);
    if (tty)
      process.stdout.write(
        `\u001b[2J\u001b[H${formatAnswer(answer, json)}\n${color('dim', 'watching; Ctrl-C to stop')}\n`,
      );
    else if (key !== lastKey) process.stdout.write(`${formatAnswer(answer, json)}\n\n`);
    lastKey = key;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
