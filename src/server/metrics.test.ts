// The controller's /metrics: releases by outcome, release and step durations, current weights.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Release } from '../engine/model.js';
import { ControllerMetrics } from './metrics.js';

const release = {
  app: 'shop',
  phase: 'promoted',
  plan: [{ traffic: { weights: { v2: 100 } } }],
  rollbackPlan: [],
  stepIndex: 0,
  rollbackStepIndex: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:01:30.000Z',
} as unknown as Release;

describe('controller metrics', () => {
  it('counts releases by outcome, their durations, step durations and weights', async () => {
    const metrics = new ControllerMetrics();
    metrics.stepCompleted('shop', 2500);
    metrics.observe(release, 0);
    const text = await metrics.text();
    assert.match(text, /greenlight_releases_total\{app="shop",outcome="promoted"\} 1/);
    assert.match(text, /greenlight_release_duration_seconds_sum\{app="shop",outcome="promoted"\} 90/);
    assert.match(text, /greenlight_step_duration_seconds_sum\{app="shop"\} 2\.5/);
    assert.match(text, /greenlight_traffic_weight_percent\{app="shop",version="v2"\} 100/);
    assert.match(text, /greenlight_releases_in_progress 0/);
  });
});
