// Applies a plan step's desired state to the target: version sets first, then traffic, then removal of the sets
// the step no longer lists. Idempotent, so re-applying the current step after a crash is always safe.
import type { CompiledSpec } from '../spec/compiled.js';
import type { Target } from '../targets/target.js';
import type { PlanStep } from './model.js';

export class StepApplier {
  private readonly removing = new Set<string>();
  private readonly appsEnsured = new Set<string>();

  constructor(
    private readonly target: Target,
    private readonly log: (msg: string, fields?: Record<string, unknown>) => void,
  ) {}

  /** Applies the step to the app as the target knows it (spec.name); a gate step applies nothing. */
  async apply(spec: CompiledSpec, step: PlanStep): Promise<void> {
    if (step.gate) return;
    const { target } = this;
    const app = spec.name;
    if (!this.appsEnsured.has(app)) {
      await target.ensureApp(spec);
      this.appsEnsured.add(app);
    }
    for (const set of step.sets) await target.ensureVersionSet(spec, set);
    await target.setTraffic(spec, step.traffic);
    const wanted = new Set(step.sets.map((s) => s.version));
    const observed = await target.observe(app);
    for (const set of observed.versionSets) {
      const key = `${app}/${set.version}`;
      if (wanted.has(set.version) || this.removing.has(key)) continue;
      // Draining can take a while; the release goes on meanwhile, and a failed removal is retried next apply.
      this.removing.add(key);
      void target
        .removeVersionSet(app, set.version)
        .catch((error: unknown) =>
          this.log('remove version set failed', { app, version: set.version, error: String(error) }),
        )
        .finally(() => this.removing.delete(key));
    }
  }
}
