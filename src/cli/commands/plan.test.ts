// `greenlight plan` shows the analysis a release would run: the builtin defaults of an app without an
// analysis section (which metric, which judge, where), or plainly none.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testSpec } from '../../../test/helpers/spec.js';
import { describeAnalysis } from '../../analysis/describe.js';
import { planRelease } from '../../engine/planner/index.js';
import { compileAnalysis, noAnalysis } from '../../spec/compile-analysis.js';
import type { CanaryStrategy } from '../../spec/compiled.js';
import { formatPlan } from './plan.js';

const strategy: CanaryStrategy = { kind: 'canary', canaryInstances: 1, steps: [{ setWeight: 20 }] };

describe('greenlight plan output', () => {
  it('shows the builtin defaults, the background run on its steps and the gate before the promotion', () => {
    const spec = testSpec({ strategy, analysis: compileAnalysis(undefined, strategy) });
    const steps = planRelease(spec, 'v2', 'v1');
    const text = formatPlan('shop', 'v2', {
      fromVersion: 'v1',
      steps,
      analysis: describeAnalysis(spec.analysis),
    });
    assert.match(text, /Analysis: the builtin defaults \(no analysis configured\)/);
    assert.match(
      text,
      /builtin\/error-rate \[sequential\]: sequential test of the error rate against stable/,
    );
    assert.match(text, /builtin\/latency \[compare\]: canary against stable over 10s windows/);
    assert.match(text, /background: builtin .* after at least 30s/);
    assert.doesNotMatch(text, /builtin-error-rate/, 'the blue-green template is not used by a canary');
    assert.match(
      text,
      /analysis gate \(builtin\)\s+v1x4 v2x1\s+v1=80% v2=20%\s+analysis background concludes/,
    );
    const gate = steps.findIndex((s) => s.name.startsWith('analysis gate'));
    assert.ok(gate > 0 && steps[gate + 1]?.promotionStart, 'the gate comes right before the promotion');
  });

  it('says plainly when there is no analysis', () => {
    const spec = testSpec({ strategy, analysis: noAnalysis() });
    const steps = planRelease(spec, 'v2', 'v1');
    const text = formatPlan('shop', 'v2', {
      fromVersion: 'v1',
      steps,
      analysis: describeAnalysis(spec.analysis),
    });
    assert.match(text, /Analysis: none/);
    assert.ok(!steps.some((s) => s.analysis), 'no step runs analysis');
  });
});
