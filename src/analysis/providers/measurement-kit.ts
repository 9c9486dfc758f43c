// Building measurements: each provider starts one at the context's time and finishes it in exactly one phase.
// startedAt is the engine's `now`; finishedAt adds the time the query really took, so a fake clock in tests
// still gives coherent, ordered timestamps.
import type { Measurement } from '../measurement.js';
import type { MeasureContext } from './provider.js';

export interface MeasurementBuilder {
  /** A number that came back: successful when finite; NaN or ±Inf is no data (inconclusive). */
  value(value: number, message: string): Measurement;
  /** A verdict the source gives itself (e.g. a command's exit code), with the value that carried it. */
  failed(value: number | null, message: string): Measurement;
  inconclusive(message: string): Measurement;
  error(message: string): Measurement;
}

export function startMeasurement(metric: string, now: number): MeasurementBuilder {
  const started = performance.now();
  const finish = (phase: Measurement['phase'], value: number | null, message: string): Measurement => ({
    metric,
    phase,
    value,
    startedAt: new Date(now).toISOString(),
    finishedAt: new Date(now + Math.max(0, Math.round(performance.now() - started))).toISOString(),
    message,
  });
  return {
    value: (value, message) =>
      Number.isFinite(value)
        ? finish('successful', value, message)
        : finish('inconclusive', null, `${message}: the value is ${String(value)}, not a finite number`),
    failed: (value, message) => finish('failed', value, message),
    inconclusive: (message) => finish('inconclusive', null, message),
    error: (message) => finish('error', null, message),
  };
}

/**
 * Runs a provider's measurement and keeps the promise that it never rejects: an unexpected exception (a bug)
 * still comes back as a measurement in phase `error`, naming the bug, instead of breaking the analysis loop.
 */
export async function guarded(
  metric: string,
  ctx: MeasureContext,
  run: (m: MeasurementBuilder) => Promise<Measurement>,
): Promise<Measurement> {
  const m = startMeasurement(metric, ctx.now);
  if (ctx.signal?.aborted) return m.error('cancelled before the query started');
  try {
    return await run(m);
  } catch (error) {
    return m.error(`internal error in the provider: ${(error as Error).message ?? String(error)}`);
  }
}
