// One abort signal per query that fires on the provider's timeout or on the caller's signal, whichever comes
// first, and can tell the two apart for the measurement's message. Disposed after the query so no timer lingers.
import { formatDuration } from '../../spec/duration.js';

export interface Deadline {
  readonly signal: AbortSignal;
  /** Why the signal fired ("timed out after 5s", "cancelled"), or undefined while it has not. */
  reason(): string | undefined;
  dispose(): void;
}

export function startDeadline(timeoutMs: number, outer?: AbortSignal): Deadline {
  const controller = new AbortController();
  let why: string | undefined;
  const fire = (reason: string): void => {
    if (why !== undefined) return;
    why = reason;
    controller.abort(new Error(reason));
  };
  const onOuter = (): void => fire('cancelled');
  const timer = setTimeout(() => fire(`timed out after ${formatDuration(timeoutMs)}`), timeoutMs);
  if (outer?.aborted) onOuter();
  else outer?.addEventListener('abort', onOuter, { once: true });
  return {
    signal: controller.signal,
    reason: () => why,
    dispose: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}

/** The error `untilAborted` rejects with: the deadline's reason. */
export class DeadlineError extends Error {}

/** Settles with `promise`, or rejects with DeadlineError when `deadline` fires first (for calls without a signal). */
export function untilAborted<T>(promise: Promise<T>, deadline: Deadline): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new DeadlineError(deadline.reason() ?? 'aborted'));
    if (deadline.signal.aborted) return onAbort();
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(resolve, reject).finally(() => deadline.signal.removeEventListener('abort', onAbort));
  });
}
