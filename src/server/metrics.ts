// The controller's own Prometheus metrics: releases by outcome, release and step durations, current weights.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Release } from '../engine/model.js';

export class ControllerMetrics {
  readonly registry = new Registry();
  private readonly releases = new Counter({
    name: 'greenlight_releases_total',
    help: 'Releases that ended, by app and outcome.',
    labelNames: ['app', 'outcome'],
    registers: [this.registry],
  });
  private readonly releaseDuration = new Histogram({
    name: 'greenlight_release_duration_seconds',
    help: 'Time from a release being created to its end.',
    labelNames: ['app', 'outcome'],
    buckets: [5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [this.registry],
  });
  private readonly stepLatency = new Histogram({
    name: 'greenlight_step_scheduling_latency_seconds',
    help: 'Delay between a step becoming due and the engine starting the next one.',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  private readonly stepDuration = new Histogram({
    name: 'greenlight_step_duration_seconds',
    help: 'Time spent in each completed release step (paused time excluded).',
    labelNames: ['app'],
    buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 300, 900, 3600],
    registers: [this.registry],
  });
  private readonly weights = new Gauge({
    name: 'greenlight_traffic_weight_percent',
    help: 'Traffic weight of each version of an app at its release step.',
    labelNames: ['app', 'version'],
    registers: [this.registry],
  });
  private readonly active = new Gauge({
    name: 'greenlight_releases_in_progress',
    help: 'Releases in progress.',
    registers: [this.registry],
  });

  /** Called on every persisted change of a release. */
  observe(release: Release, inProgress: number): void {
    this.active.set(inProgress);
    const plan = release.phase === 'rollingBack' ? release.rollbackPlan : release.plan;
    const index = release.phase === 'rollingBack' ? release.rollbackStepIndex : release.stepIndex;
    const step = plan[Math.min(index, plan.length - 1)];
    if (step)
      for (const [version, weight] of Object.entries(step.traffic.weights))
        this.weights.set({ app: release.app, version }, weight);
    if (release.finishedAt) {
      this.releases.inc({ app: release.app, outcome: release.phase });
      const seconds = (Date.parse(release.finishedAt) - Date.parse(release.createdAt)) / 1000;
      this.releaseDuration.observe({ app: release.app, outcome: release.phase }, seconds);
    }
  }

  stepScheduled(latencyMs: number): void {
    this.stepLatency.observe(latencyMs / 1000);
  }

  stepCompleted(app: string, ms: number): void {
    this.stepDuration.observe({ app }, ms / 1000);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
