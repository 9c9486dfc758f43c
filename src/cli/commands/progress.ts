// Live progress of one release for `deploy --wait`: follows the release's events and prints one line per step
// started or completed, trigger fired, check, person acting and outcome, until the release ends.
import type { GreenlightEvent, ReleasePhase } from '../../engine/model.js';
import type { ReleaseView } from '../../server/api/lookup.js';
import type { ApiClient } from '../client.js';
import { ReleaseEndedError, WaitTimeoutError } from '../errors.js';
import { color } from '../output.js';
import { actorText, humanDuration, phaseText, weightsText } from './format.js';

const FINAL: Record<string, ReleasePhase> = {
  'release.promoted': 'promoted',
  'release.rolledBack': 'rolledBack',
  'release.aborted': 'aborted',
  'release.failed': 'failed',
};

const str = (value: unknown): string => (value === undefined || value === null ? '' : String(value));
const because = (event: GreenlightEvent): string => (event.reason ? `: ${event.reason}` : '');

/** The progress lines for an event (none for events not worth a line). */
export function progressLines(event: GreenlightEvent, totalSteps?: number): string[] {
  const line = progressLine(event, totalSteps);
  // The first step starts with the release, without an event of its own.
  const steps =
    event.action === 'release.created' && Array.isArray(event.data.steps)
      ? (event.data.steps as unknown[])
      : [];
  const first = steps.length > 0 ? [`step 1/${steps.length} started: ${str(steps[0])}`] : [];
  return line ? [line, ...first] : first;
}

function progressLine(event: GreenlightEvent, totalSteps?: number): string | undefined {
  const d = event.data;
  const of = totalSteps && !d.rollback ? `/${totalSteps}` : '';
  const step = `${d.rollback ? 'rollback step' : 'step'} ${Number(d.index) + 1}${of}`;
  switch (event.action) {
    case 'release.created':
    case 'release.rollbackStarted': {
      const steps = Array.isArray(d.steps) ? d.steps.length : 0;
      const what = d.fromVersion ? `${str(d.fromVersion)} -> ${str(d.version)}` : str(d.version);
      return `release ${str(event.releaseId)}: ${what}, ${str(d.strategy)}, ${steps} steps${because(event)}`;
    }
    case 'step.started':
      return `${step} started: ${str(d.name)}${d.traffic ? `  traffic ${weightsText(d.traffic as Record<string, number>)}` : ''}`;
    case 'step.completed':
      return `${step} completed: ${str(d.name)}`;
    case 'trigger.fired':
      return color('red', `trigger fired${because(event)}`);
    case 'release.failing':
      return color('red', `failing${because(event)}`);
    case 'release.rollingBack':
      return color('yellow', `rolling back${because(event)}`);
    case 'check.passed':
    case 'check.failed':
      return `check ${str(d.name)} ${event.action === 'check.passed' ? color('green', 'passed') : color('red', 'failed')}: ${str(d.message)}`;
    case 'release.paused':
    case 'release.resumed':
    case 'release.aborting':
    case 'release.promoteStep':
    case 'release.promotedFully':
      return `${event.action.slice('release.'.length)} by ${actorText(event.actor)}${because(event)}`;
    default: {
      const phase = FINAL[event.action];
      return phase ? `release ${str(event.releaseId)} ${phaseText(phase)}${because(event)}` : undefined;
    }
  }
}

/**
 * Follows a release until it ends. Resolves with its final view when promoted; ReleaseEndedError when it rolled
 * back, was aborted or failed; WaitTimeoutError after timeoutMs (the release goes on).
 */
export async function waitForRelease(
  client: ApiClient,
  app: string,
  releaseId: number,
  timeoutMs: number,
  print: (line: string) => void,
): Promise<ReleaseView> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  let totalSteps: number | undefined;
  let ended = false;
  try {
    const path = `/v1/events/stream?app=${encodeURIComponent(app)}&release=${releaseId}`;
    await client.follow(
      path,
      (event) => {
        if (event.action === 'release.created' && Array.isArray(event.data.steps))
          totalSteps = event.data.steps.length;
        progressLines(event, totalSteps).forEach(print);
        ended = event.action in FINAL;
        return ended;
      },
      controller.signal,
    );
  } finally {
    clearTimeout(timer);
  }
  if (timedOut && !ended) {
    throw new WaitTimeoutError(
      `gave up waiting after ${humanDuration(timeoutMs)}; release ${releaseId} goes on (see greenlight status ${app})`,
    );
  }
  const view = await client.get<ReleaseView>(`/v1/releases/${releaseId}`);
  if (view.release.phase !== 'promoted')
    throw new ReleaseEndedError(releaseId, view.release.phase, view.release.outcomeReason);
  return view;
}
