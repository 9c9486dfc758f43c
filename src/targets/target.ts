// The Target port: where versions run and how traffic reaches them. The engine drives every target through
// this interface only, with idempotent desired state (never deltas), so re-applying after a crash is safe.
// Implementations: local (the agent on this machine), memory (the fake engine tests use), kubernetes (later).
// One conformance suite (conformance.ts) holds every implementation to the same contract.
import type { SetIntent, TrafficIntent } from '../engine/model.js';
import type { CompiledSpec } from '../spec/compiled.js';
import type { AppStats, StatsBucket } from './local/types.js';

export interface TargetCapabilities {
  headerRoutes: boolean;
  cookieRoutes: boolean;
  mirror: boolean;
  sticky: boolean;
  maintenance: boolean;
  retryOnStable: boolean;
  /** Per-version request statistics from the data plane itself (the local router has them). */
  builtinStats: boolean;
}

export interface VersionSetObservation {
  version: string;
  desired: number;
  ready: number;
  available: number;
  restarts: number;
  crashLooping: boolean;
}

export interface TargetObservation {
  versionSets: VersionSetObservation[];
  traffic: {
    /** Whether the data plane serves the traffic last set: checked, different, or not checkable here. */
    verified: 'verified' | 'notVerified' | 'unsupported';
    weights: Record<string, number>;
  };
}

export interface PreviewResponse {
  status: number;
  body: string;
}

export interface Target {
  readonly name: string;
  capabilities(): TargetCapabilities;
  /** Make the app exist (listener, limits, routing options) without touching its version sets or weights. */
  ensureApp(spec: CompiledSpec): Promise<void>;
  /** Idempotent: this version runs with exactly set.instances instances (the spec says how to run it). */
  ensureVersionSet(spec: CompiledSpec, set: SetIntent): Promise<void>;
  /** Idempotent: the version's instances are drained and stopped (no error when already gone). */
  removeVersionSet(app: string, version: string): Promise<void>;
  /** Idempotent and atomic at the data plane: the whole traffic intent applies from the next request. */
  setTraffic(spec: CompiledSpec, traffic: TrafficIntent): Promise<void>;
  observe(app: string): Promise<TargetObservation>;
  /** Builtin per-version statistics, or undefined where the data plane has none. */
  stats(app: string): Promise<AppStats | undefined>;
  /**
   * Follows the data plane's low-latency statistics stream (a bucket every ≤ 100 ms) until the signal aborts;
   * absent where the data plane has none (the stream judges then have no data: inconclusive).
   */
  streamStats?(app: string, onBucket: (bucket: StatsBucket) => void, signal: AbortSignal): Promise<void>;
  /** One request to a given version through the preview route, before users reach it. */
  previewRequest(
    spec: CompiledSpec,
    version: string,
    request: { method: string; path: string; timeoutMs: number; headers?: Record<string, string> },
  ): Promise<PreviewResponse>;
}
