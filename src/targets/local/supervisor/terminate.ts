// Ending an instance: a bounded drain, then SIGTERM to its process group, up to `graceMs` for it to go, then
// SIGKILL to the group. Signals go to the group (-pgid) so that whatever the instance started dies with it.
import { groupIsOurs, groupMembers, signalGroup, waitUntil } from './proc.js';

export interface TerminateOptions {
  pgid: number;
  /** /proc start time of the group leader, so that a reused pid is never signalled. */
  leaderStart: string | null;
  graceMs: number;
  /** True once the leader has exited (and its exit was handled). */
  leaderGone: () => boolean;
  /** Also wait for every other member of the group (a stop); a restart kills leftovers itself. */
  wholeGroup: boolean;
}

export type TerminateOutcome = 'exited' | 'killed' | 'stuck';

/** How long to wait for a group to disappear after SIGKILL before calling it stuck (uninterruptible sleep). */
const AFTER_KILL_MS = 5_000;

export async function terminateGroup(opts: TerminateOptions): Promise<TerminateOutcome> {
  const { pgid, leaderStart } = opts;
  const ours = (): boolean => groupIsOurs(pgid, leaderStart);
  const groupGone = (): boolean => !opts.wholeGroup || !ours() || groupMembers(pgid).length === 0;
  const done = (): boolean => opts.leaderGone() && groupGone();
  if (opts.leaderGone() && groupGone()) return 'exited';
  if (ours()) signalGroup(pgid, 'SIGTERM');
  if (await waitUntil(done, opts.graceMs, 100)) return 'exited';
  if (ours()) signalGroup(pgid, 'SIGKILL');
  return (await waitUntil(done, AFTER_KILL_MS, 100)) ? 'killed' : 'stuck';
}

/**
 * Await the router's drain of an instance. The router bounds its own wait; this bound keeps a stop moving
 * even if the callback never settles. A failing drain is reported, and the stop goes on.
 */
export async function boundedDrain(
  drain: () => Promise<void>,
  timeoutMs: number,
  onError: (error: unknown) => void,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs + 1_000);
  });
  const drained = Promise.resolve().then(drain).catch(onError);
  await Promise.race([drained, bound]);
  clearTimeout(timer);
}
