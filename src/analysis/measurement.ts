// The shared vocabulary of automated analysis: a Measurement is one observation of one metric, stored as data
// whatever happened (Argo Rollouts' model: a failed query is a measurement in phase `error`, not an exception;
// missing data is `inconclusive`, never a pass); a Verdict is what a judge concludes from measurements, with the
// human text of the rule that decided, so `greenlight explain` can show every decision in order.
// Plain JSON-serialisable data: the engine persists measurements and judge states and can replay them.

/**
 * - `successful`: a value was obtained (from a provider), or judged within bounds (by a judge);
 * - `failed`: judged out of bounds (or a provider that judges by itself, e.g. a command's exit code);
 * - `inconclusive`: no data (no requests in the window, an empty query result);
 * - `error`: the query itself failed (timeout, connection refused, garbage answer).
 */
export type MeasurementPhase = 'successful' | 'failed' | 'inconclusive' | 'error';

export interface Measurement {
  metric: string;
  phase: MeasurementPhase;
  /** The measured value; null when there is none (inconclusive, error). */
  value: number | null;
  /** ISO timestamps: when the query started and when its answer arrived. */
  startedAt: string;
  finishedAt: string;
  /** Why: the error text, "no requests in window", or the judge's reading of the value. */
  message: string;
}

/** `running`: no conclusion yet. The other three are final: a judge never leaves them. */
export type VerdictPhase = 'running' | 'successful' | 'failed' | 'inconclusive';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface Verdict {
  phase: VerdictPhase;
  /** The rule that decided, in words: "error-rate > 0.05 for 2m held in 1 measurement (failureLimit 0)". */
  rule: string;
  /** The figures behind the decision (counts, statistics, p-values), for explain and the API. */
  detail: { [key: string]: JsonValue };
}

export function isFinal(verdict: Verdict): boolean {
  return verdict.phase !== 'running';
}
