// What the request path needs from its app: the current table and limits, request ids, app-level counters,
// and maintenance hold. Kept apart from app.ts so the hot path does not import the app's lifecycle code.
import type { RouterLimits } from '../types.js';
import type { Holdable } from './maintenance.js';
import type { RouteTable } from './table.js';

export interface AppContext {
  readonly name: string;
  /** Swapped whole by setTraffic / setEndpoints; read once per request. */
  readonly table: RouteTable;
  readonly limits: RouterLimits;
  /** A new request id: boot id, app and a counter (no randomness on the hot path). */
  nextRequestId(): string;
  /** Maintenance `hold`: keeps the request until maintenance ends or holdMs passes. */
  hold(item: Holdable): void;
  /** Maintenance `reject`: counted at the app level. */
  countRejected(): void;
}
