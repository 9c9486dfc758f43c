// Rows as SQLite returns them and their mapping to the store's records. JSON columns are parsed here and
// nowhere else.
import type {
  Actor,
  GreenlightEvent,
  PlanStep,
  Release,
  ReleasePhase,
  ReleaseMeta,
  ReleaseRuntime,
  Revision,
} from '../../engine/model.js';
import type { CompiledSpec } from '../../spec/compiled.js';
import type { AppRecord, LockInfo, TokenRecord } from '../store.js';

export interface AppRow {
  name: string;
  spec_revision: number;
  updated_at: string;
  spec: string;
  source_text: string;
}

export function appFromRow(row: AppRow): AppRecord {
  return {
    name: row.name,
    specRevision: row.spec_revision,
    spec: JSON.parse(row.spec) as CompiledSpec,
    sourceText: row.source_text,
    updatedAt: row.updated_at,
  };
}

export interface ReleaseRow {
  id: number;
  app: string;
  environment: string;
  version: string;
  from_version: string | null;
  kind: string;
  spec_revision: number;
  plan: string;
  rollback_plan: string;
  phase: string;
  step_index: number;
  step_started_at: string;
  paused_ms: number;
  paused_at: string | null;
  rollback_step_index: number;
  runtime: string;
  outcome_reason: string | null;
  created_by: string;
  reason: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  generation: number;
  meta: string;
}

export function releaseFromRow(row: ReleaseRow): Release {
  return {
    id: row.id,
    app: row.app,
    environment: row.environment,
    version: row.version,
    fromVersion: row.from_version,
    kind: row.kind as Release['kind'],
    specRevision: row.spec_revision,
    plan: JSON.parse(row.plan) as PlanStep[],
    rollbackPlan: JSON.parse(row.rollback_plan) as PlanStep[],
    phase: row.phase as ReleasePhase,
    stepIndex: row.step_index,
    stepStartedAt: row.step_started_at,
    pausedMs: row.paused_ms,
    pausedAt: row.paused_at,
    rollbackStepIndex: row.rollback_step_index,
    runtime: JSON.parse(row.runtime) as ReleaseRuntime,
    outcomeReason: row.outcome_reason,
    createdBy: JSON.parse(row.created_by) as Actor,
    reason: row.reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
    generation: row.generation,
    meta: JSON.parse(row.meta) as ReleaseMeta,
  };
}

/** The columns of a release as named parameters (JSON columns serialised). */
export function releaseParams(release: Release): Record<string, unknown> {
  return {
    id: release.id,
    app: release.app,
    environment: release.environment,
    version: release.version,
    fromVersion: release.fromVersion,
    kind: release.kind,
    specRevision: release.specRevision,
    plan: JSON.stringify(release.plan),
    rollbackPlan: JSON.stringify(release.rollbackPlan),
    phase: release.phase,
    stepIndex: release.stepIndex,
    stepStartedAt: release.stepStartedAt,
    pausedMs: release.pausedMs,
    pausedAt: release.pausedAt,
    rollbackStepIndex: release.rollbackStepIndex,
    runtime: JSON.stringify(release.runtime),
    outcomeReason: release.outcomeReason,
    createdBy: JSON.stringify(release.createdBy),
    reason: release.reason,
    createdAt: release.createdAt,
    updatedAt: release.updatedAt,
    finishedAt: release.finishedAt,
    generation: release.generation,
    meta: JSON.stringify(release.meta ?? {}),
  };
}

export interface RevisionRow {
  app: string;
  environment: string;
  number: number;
  version: string;
  release_id: number;
  spec_revision: number;
  created_at: string;
}

export function revisionFromRow(row: RevisionRow): Revision {
  return {
    app: row.app,
    environment: row.environment,
    number: row.number,
    version: row.version,
    releaseId: row.release_id,
    specRevision: row.spec_revision,
    createdAt: row.created_at,
  };
}

export interface LockRow {
  app: string;
  environment: string;
  holder: string;
  release_id: number | null;
  acquired_at: string;
  expires_at: string;
}

export function lockFromRow(row: LockRow): LockInfo {
  return {
    app: row.app,
    environment: row.environment,
    holder: row.holder,
    releaseId: row.release_id,
    acquiredAt: row.acquired_at,
    expiresAt: row.expires_at,
  };
}

export interface EventRow {
  id: number;
  at: string;
  app: string | null;
  release_id: number | null;
  actor: string;
  action: string;
  reason: string | null;
  data: string;
  prev_hash: string;
  hash: string;
}

export function eventFromRow(row: EventRow): GreenlightEvent {
  return {
    id: row.id,
    at: row.at,
    app: row.app,
    releaseId: row.release_id,
    actor: JSON.parse(row.actor) as Actor,
    action: row.action,
    reason: row.reason,
    data: JSON.parse(row.data) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export interface TokenRow {
  id: number;
  name: string;
  role: string;
  environments: string | null;
  created_at: string;
  revoked_at: string | null;
}

export function tokenFromRow(row: TokenRow): TokenRecord {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    environments: row.environments === null ? null : (JSON.parse(row.environments) as string[]),
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}
