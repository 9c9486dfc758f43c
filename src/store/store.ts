// The Store port: everything the controller persists. SQLite implements it now (embedded default); PostgreSQL
// later, for a highly available controller. Every method that changes state is one transaction, and every
// state change appends its events in that same transaction, so a crash leaves the store consistent.
import type { Actor, GreenlightEvent, NewEvent, Release, ReleasePhase, Revision } from '../engine/model.js';
import type { CompiledSpec } from '../spec/compiled.js';
import { GreenlightError } from '../errors.js';

export interface AppRecord {
  name: string;
  specRevision: number;
  spec: CompiledSpec;
  /** The YAML as applied, for `greenlight history` and diffing. */
  sourceText: string;
  updatedAt: string;
}

export interface LockInfo {
  app: string;
  environment: string;
  holder: string;
  releaseId: number | null;
  acquiredAt: string;
  expiresAt: string;
}

export interface TokenRecord {
  id: number;
  name: string;
  role: string;
  environments: string[] | null;
  createdAt: string;
  revokedAt: string | null;
}

export type NewRelease = Omit<Release, 'id' | 'createdAt' | 'updatedAt' | 'finishedAt' | 'generation'>;

export interface ReleaseQuery {
  app?: string;
  phases?: ReleasePhase[];
  limit?: number;
}

export interface EventQuery {
  app?: string;
  releaseId?: number;
  afterId?: number;
  limit?: number;
}

export interface ChainVerdict {
  ok: boolean;
  checked: number;
  /**
   * The first problem in id order: `altered` (the event does not match its own hash), `broken-link` (it does
   * not follow the previous event), or `missing` (the id of the first absent event, newest ones included).
   */
  firstBad?: { id: number; problem: 'altered' | 'missing' | 'broken-link' };
}

/** A conflict (GL1003) worth retrying after reloading the release. */
export class StaleWriteError extends GreenlightError {
  constructor(readonly releaseId: number) {
    super(
      'GL1003',
      `release ${releaseId} was changed by someone else; reload and retry`,
      { releaseId },
      true,
    );
  }
}

export interface Store {
  /** Apply pending migrations (idempotent). */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /**
   * Store a spec; a new spec revision only when the compiled spec changed (canonical JSON compared). The event
   * is recorded only then, with `specRevision` added to its data.
   */
  putApp(
    spec: CompiledSpec,
    sourceText: string,
    event: NewEvent,
  ): Promise<{ record: AppRecord; changed: boolean }>;
  getApp(name: string): Promise<AppRecord | undefined>;
  /** A past spec revision (releases keep the one they started with). */
  getAppSpec(name: string, specRevision: number): Promise<CompiledSpec | undefined>;
  listApps(): Promise<AppRecord[]>;

  /**
   * Create a release and take the app's lock (per app and environment) in one transaction. Fails with a
   * ConflictError (details: releaseId, holder, since) while another release of the app and environment is not
   * final: a release is finished, never overtaken. The lock's lease says which controller drives the release.
   * NotFoundError when the app has no such spec revision. The events get the new release's id (and its app
   * when they name none). The release starts at generation 1.
   */
  createRelease(release: NewRelease, holder: string, leaseMs: number, events: NewEvent[]): Promise<Release>;
  /**
   * Write a release's new state with its events, if its generation is still `expectedGeneration` (else
   * StaleWriteError). A release reaching a final phase releases its lock in the same transaction. A final
   * release no longer changes (ConflictError); the fields fixed at creation (app, environment, version,
   * fromVersion, kind, specRevision, createdBy, createdAt) may not change (InvalidInputError). Events with no
   * releaseId get this release's.
   */
  updateRelease(release: Release, expectedGeneration: number, events: NewEvent[]): Promise<Release>;
  getRelease(id: number): Promise<Release | undefined>;
  /** Newest first. */
  listReleases(query: ReleaseQuery): Promise<Release[]>;

  /**
   * Record a new live revision (numbered per app and environment) with its event, in one transaction; the
   * event's data gets `revision` (the new number). NotFoundError when the release does not exist.
   */
  recordRevision(revision: Omit<Revision, 'number' | 'createdAt'>, event: NewEvent): Promise<Revision>;
  listRevisions(app: string, environment: string): Promise<Revision[]>;
  currentRevision(app: string, environment: string): Promise<Revision | undefined>;

  /** Extend the lease of every lock this holder has (the controller heartbeats). */
  renewLocks(holder: string, leaseMs: number): Promise<number>;
  /**
   * Take over every lock whose lease has expired (a controller that died), recording a lock.takenOver event
   * for each; returns the release ids now held. A restarted controller calls it before resuming releases.
   */
  claimExpiredLocks(holder: string, leaseMs: number): Promise<number[]>;
  getLock(app: string, environment: string): Promise<LockInfo | undefined>;

  appendEvent(event: NewEvent): Promise<GreenlightEvent>;
  /** Oldest first (id order), so `afterId` pages forward. */
  listEvents(query: EventQuery): Promise<GreenlightEvent[]>;
  verifyChain(): Promise<ChainVerdict>;
  /** A named position in the event log (the last event a consumer is done with); undefined until first set. */
  getCursor(name: string): Promise<number | undefined>;
  setCursor(name: string, eventId: number): Promise<void>;

  /**
   * Tokens are stored as SHA-256 hashes only (64 lowercase hex digits, else InvalidInputError). Names are
   * unique among tokens not revoked (ConflictError). Records a token.created event.
   */
  createToken(
    name: string,
    role: string,
    environments: string[] | null,
    tokenHash: string,
    by: Actor,
  ): Promise<TokenRecord>;
  findToken(tokenHash: string): Promise<TokenRecord | undefined>;
  listTokens(): Promise<TokenRecord[]>;
  /** Revoke the live token of that name (false when none), recording a token.revoked event. */
  revokeToken(name: string, by: Actor): Promise<boolean>;
}
