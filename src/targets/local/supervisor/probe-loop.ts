// A probe run periodically with Kubernetes semantics: first check after initialDelayMs, then every periodMs
// (checks never overlap); the state flips to passing after successThreshold consecutive successes and to
// failing after failureThreshold consecutive failures.
import type { ProbeSpec } from '../types.js';
import { checkOnce } from './probes.js';
import type { ProbeResult, ProbeTarget } from './probes.js';

export interface ProbeLoopOptions {
  spec: ProbeSpec;
  target: ProbeTarget;
  /** Readiness starts failing, liveness starts passing. */
  initiallyPassing: boolean;
  /** Delay before the first check; the caller shortens it for a process that has been up a while. */
  firstDelayMs: number;
  onResult: (result: ProbeResult, passing: boolean, changed: boolean) => void;
}

export class ProbeLoop {
  private passing: boolean;
  private successes = 0;
  private failures = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly opts: ProbeLoopOptions) {
    this.passing = opts.initiallyPassing;
  }

  start(): void {
    this.schedule(this.opts.firstDelayMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  get isPassing(): boolean {
    return this.passing;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), Math.max(0, delayMs));
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = null;
    const started = Date.now();
    const result = await checkOnce(this.opts.spec, this.opts.target);
    if (this.stopped) return;
    this.count(result);
    this.schedule(this.opts.spec.periodMs - (Date.now() - started));
  }

  private count(result: ProbeResult): void {
    const { successThreshold, failureThreshold } = this.opts.spec;
    if (result.ok) {
      this.successes += 1;
      this.failures = 0;
    } else {
      this.failures += 1;
      this.successes = 0;
    }
    const before = this.passing;
    if (!this.passing && this.successes >= successThreshold) this.passing = true;
    else if (this.passing && this.failures >= failureThreshold) this.passing = false;
    this.opts.onResult(result, this.passing, before !== this.passing);
  }
}
