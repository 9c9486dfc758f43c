// The messages between the primary router and its worker processes (node IPC, advanced serialization).
// Every message to a worker carries a sequence number; reports echo the last one applied, so the primary
// knows when a change (an endpoint removed, say) has reached every worker.
import type { Endpoint, RouterLimits, TrafficSpec } from '../types.js';
import type { RecorderDelta } from './stats.js';

export interface InFlightEntry {
  id: string;
  version: string;
  n: number;
}

/** One app's changes in a worker since its previous report. */
export interface AppReport {
  app: string;
  versions: RecorderDelta[];
  rejected: number;
  heldThenServed: number;
  /** Endpoints with requests in flight in this worker now (absent: none). */
  inFlight: InFlightEntry[];
}

/** Primary → worker. `listen` comes with the listening server as the IPC handle. */
export type ToWorker = { seq: number } & (
  | { t: 'config'; app: string; limits: RouterLimits; traffic: TrafficSpec }
  | { t: 'listen'; app: string }
  | { t: 'endpoints'; app: string; version: string; endpoints: Endpoint[] }
  | { t: 'stream'; app: string; on: boolean }
  | { t: 'remove'; app: string }
  | { t: 'close' }
);

/** Worker → primary. */
export type FromWorker =
  | { t: 'ready' }
  | { t: 'report'; seq: number; apps: AppReport[] }
  | { t: 'done'; seq: number }
  | { t: 'log'; msg: string; fields?: Record<string, unknown> };

/** How often a worker reports; also the extra delay its requests add to the stats stream. */
export const REPORT_MS = 100;
