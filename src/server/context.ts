// What the controller's HTTP API works with: the composed core, passed in, never imported as globals.
import type { Clock } from '../engine/clock.js';
import type { Engine } from '../engine/engine.js';
import type { Operations } from '../engine/operations.js';
import type { Store } from '../store/store.js';
import type { AgentClient } from '../targets/local/agent/client.js';
import type { Target } from '../targets/target.js';
import type { ControllerMetrics } from './metrics.js';

export interface ControllerContext {
  store: Store;
  engine: Engine;
  ops: Operations;
  target: Target;
  clock: Clock;
  /** The local agent's client, for local-only operations (health-check, manual traffic); null elsewhere. */
  agent: AgentClient | null;
  metrics: ControllerMetrics;
  version: string;
  /** Subscribe to events as they are stored (for the SSE stream); returns an unsubscribe function. */
  onEvents: (listener: () => void) => () => void;
}
