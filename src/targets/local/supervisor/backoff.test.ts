// Restart pacing without sleeping: the tracker is fed the clock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RestartTracker } from './backoff.js';

const backoff = { initialMs: 100, maxMs: 1_000, resetAfterMs: 5_000 };

void describe('RestartTracker', () => {
  void it('doubles the delay up to the cap', () => {
    const tracker = new RestartTracker(backoff, { restarts: 100, withinMs: 60_000 });
    const delays = [0, 1, 2, 3, 4, 5].map((k) => tracker.onExit(k * 10, 1).delayMs);
    assert.deepEqual(delays, [100, 200, 400, 800, 1_000, 1_000]);
  });

  void it('resets after a run that lasted resetAfterMs', () => {
    const tracker = new RestartTracker(backoff, { restarts: 100, withinMs: 60_000 });
    tracker.onExit(0, 1);
    tracker.onExit(100, 1);
    assert.equal(tracker.onExit(10_000, 5_000).delayMs, 100);
  });

  void it('enters a crash loop at N restarts within the window, stays in it at the cap, leaves it after a stable run', () => {
    const tracker = new RestartTracker(backoff, { restarts: 3, withinMs: 60_000 });
    assert.deepEqual(tracker.onExit(0, 1), { delayMs: 100, crashLooping: false });
    assert.deepEqual(tracker.onExit(1_000, 1), { delayMs: 200, crashLooping: false });
    assert.deepEqual(tracker.onExit(2_000, 1), { delayMs: 1_000, crashLooping: true });
    // Slower crashes than the window still count as a loop once in it: it is never hidden.
    assert.deepEqual(tracker.onExit(200_000, 1), { delayMs: 1_000, crashLooping: true });
    assert.equal(tracker.crashLooping(null), true);
    assert.equal(tracker.crashLooping(4_999), true);
    assert.equal(tracker.crashLooping(5_000), false);
    assert.deepEqual(tracker.onExit(300_000, 1), { delayMs: 100, crashLooping: false });
  });

  void it('does not call restarts spread over more than the window a loop', () => {
    const tracker = new RestartTracker(backoff, { restarts: 3, withinMs: 1_000 });
    for (const t of [0, 2_000, 4_000, 6_000]) assert.equal(tracker.onExit(t, 1).crashLooping, false);
  });
});
