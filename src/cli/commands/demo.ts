// greenlight demo: the release tour (src/demo/release-demo.ts) with live progress and a summary; or, with
// --data-plane, the tour of the agent's router alone.
import type { GreenlightEvent } from '../../engine/model.js';
import { runReleaseDemo } from '../../demo/release-demo.js';
import { color, outputFormat, printJson, table } from '../output.js';

function describe(event: GreenlightEvent): string | null {
  const d = event.data;
  switch (event.action) {
    case 'release.created':
    case 'release.rollbackStarted':
      return `  → ${String((d.steps as string[] | undefined)?.[0] ?? '')}`;
    case 'release.rollingBack':
    case 'release.aborting':
      return color('yellow', `  ↩ ${String((d.steps as string[] | undefined)?.[0] ?? '')}`);
    case 'step.started':
      return `  ${d.rollback ? color('yellow', '↩') : '→'} ${String(d.name)}`;
    case 'trigger.fired':
      return color(
        'red',
        `  ✖ trigger ${String(d.name)} fired: ${String(d.metric)} = ${Number(d.value).toFixed(3)} > ${String(d.max)} over ${String(d.requests)} requests`,
      );
    case 'analysis.started':
      return `  ◇ analysis ${String(d.run)} started (${(d.templates as string[] | undefined)?.join(', ') ?? ''})`;
    case 'analysis.verdict':
      return color(
        d.phase === 'successful' ? 'green' : 'red',
        `  ◆ analysis ${String(d.run)} ${String(d.phase)}: ${String(d.rule)}`,
      );
    case 'analysis.inconclusive':
      return color('yellow', `  ◆ analysis inconclusive, release paused: ${String(d.rule)}`);
    case 'release.failing':
      return color('red', `  ✖ ${event.reason ?? 'failing'}: ${JSON.stringify(d)}`);
    case 'release.promoted':
      return color('green', `  ✔ promoted`);
    case 'release.rolledBack':
    case 'release.aborted':
    case 'release.failed':
      return color('yellow', `  ■ ${event.action.slice('release.'.length)} (${event.reason ?? ''})`);
    default:
      return null;
  }
}

export async function demoCommand(flags: {
  seconds: string;
  output: string;
  dataPlane?: boolean;
}): Promise<void> {
  if (flags.dataPlane) {
    const { dataPlaneTour } = await import('./data-plane-tour.js');
    return dataPlaneTour(flags);
  }
  const format = outputFormat(flags.output);
  const say = (line: string): void => {
    if (format === 'table') console.log(line);
  };
  say(color('bold', 'Greenlight demo: releases of an example app under steady synthetic traffic'));
  const result = await runReleaseDemo({
    say,
    onEvent: (event) => {
      const line = describe(event);
      if (line) say(line);
    },
  });
  if (format === 'json') {
    printJson({ releases: result.releases, traffic: result.traffic });
    return;
  }
  console.log('\nSummary');
  console.log(
    table(
      ['RELEASE', 'VERSION', 'KIND', 'OUTCOME', 'WHY', 'DURATION', 'CLIENT REQUESTS', 'CLIENT FAILURES'],
      result.releases.map((r) => [
        `#${r.release}`,
        r.version,
        r.kind,
        r.outcome === 'promoted' ? color('green', r.outcome) : color('yellow', r.outcome),
        r.trigger ?? '-',
        `${r.durationSeconds.toFixed(1)} s`,
        r.clientRequests,
        r.clientFailures,
      ]),
    ),
  );
  for (const r of result.releases) {
    const d = r.decidedBy;
    if (d) {
      const after = d.canaryRequests === null ? '' : ` after ${d.canaryRequests} canary requests`;
      console.log(
        `\n#${r.release} ${r.version}: rolled back by ${d.metric} (${d.judge} judge)${after}:\n  ${d.rule}`,
      );
    } else if (r.analysis.length > 0) {
      console.log(`\n#${r.release} ${r.version}: analysis ${r.analysis.join(', ')}`);
    }
  }
  const t = result.traffic;
  console.log(
    `\nsynthetic clients: ${t.requests} requests, ${t.failed} failed (${t.networkErrors} network errors).`,
  );
  console.log('every process the demo started is stopped and its temporary state removed.');
}
