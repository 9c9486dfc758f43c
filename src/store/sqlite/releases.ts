// Release writes and the per-app lock on SQLite. Each function runs inside the caller's write transaction:
// the release row, its lock and its events change together or not at all.
import { FINAL_PHASES } from '../../engine/model.js';
import type { NewEvent, Release } from '../../engine/model.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../../errors.js';
import { StaleWriteError } from '../store.js';
import type { LockInfo, NewRelease, ReleaseQuery } from '../store.js';
import { appendEvents } from './event-log.js';
import { lockFromRow, releaseFromRow, releaseParams } from './rows.js';
import type { LockRow, ReleaseRow } from './rows.js';
import type { Sql } from './sql.js';

const FINAL_LIST = [...FINAL_PHASES];

/** Fields fixed when a release is created; updateRelease refuses to change them. */
const IDENTITY: ReadonlyArray<keyof Release> = [
  'app',
  'environment',
  'version',
  'fromVersion',
  'kind',
  'specRevision',
  'createdBy',
  'createdAt',
];

function addMs(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

export function getRelease(sql: Sql, id: number): Release | undefined {
  const row = sql.get<ReleaseRow>('SELECT * FROM releases WHERE id = ?', [id]);
  return row && releaseFromRow(row);
}

/** Newest first. */
export function listReleases(sql: Sql, query: ReleaseQuery): Release[] {
  const where: string[] = [];
  if (query.app !== undefined) where.push('app = @app');
  if (query.phases !== undefined) where.push('phase IN (SELECT value FROM json_each(@phases))');
  const rows = sql.all<ReleaseRow>(
    `SELECT * FROM releases ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY id DESC LIMIT @limit`,
    { app: query.app, phases: JSON.stringify(query.phases ?? []), limit: query.limit ?? -1 },
  );
  return rows.map(releaseFromRow);
}

export function getLock(sql: Sql, app: string, environment: string): LockInfo | undefined {
  const row = sql.get<LockRow>('SELECT * FROM locks WHERE app = ? AND environment = ?', [app, environment]);
  return row && lockFromRow(row);
}

export function createRelease(
  sql: Sql,
  input: NewRelease,
  holder: string,
  leaseMs: number,
  events: readonly NewEvent[],
  now: string,
): Release {
  const blocking = sql.get<{
    id: number;
    created_at: string;
    holder: string | null;
    acquired_at: string | null;
  }>(
    `SELECT r.id, r.created_at, l.holder, l.acquired_at
       FROM releases r LEFT JOIN locks l ON l.app = r.app AND l.environment = r.environment
      WHERE r.app = @app AND r.environment = @environment
        AND r.phase NOT IN (SELECT value FROM json_each(@final))`,
    { app: input.app, environment: input.environment, final: JSON.stringify(FINAL_LIST) },
  );
  if (blocking) {
    throw new ConflictError(
      `${input.app} in ${input.environment} is locked by release ${blocking.id}, which has not finished`,
      { releaseId: blocking.id, holder: blocking.holder, since: blocking.acquired_at ?? blocking.created_at },
    );
  }
  const spec = sql.get('SELECT 1 FROM app_specs WHERE app = ? AND revision = ?', [
    input.app,
    input.specRevision,
  ]);
  if (!spec) throw new NotFoundError(`spec revision ${input.specRevision} of ${input.app}`);

  const final = FINAL_PHASES.has(input.phase);
  const draft: Release = {
    ...input,
    id: 0,
    createdAt: now,
    updatedAt: now,
    finishedAt: final ? now : null,
    generation: 1,
  };
  const { id: _id, ...params } = releaseParams(draft);
  const id = Number(
    sql.run(
      `INSERT INTO releases (app, environment, version, from_version, kind, spec_revision, plan, rollback_plan,
         phase, step_index, step_started_at, paused_ms, paused_at, rollback_step_index, runtime, outcome_reason,
         created_by, reason, created_at, updated_at, finished_at, generation, meta)
       VALUES (@app, @environment, @version, @fromVersion, @kind, @specRevision, @plan, @rollbackPlan,
         @phase, @stepIndex, @stepStartedAt, @pausedMs, @pausedAt, @rollbackStepIndex, @runtime, @outcomeReason,
         @createdBy, @reason, @createdAt, @updatedAt, @finishedAt, @generation, @meta)`,
      params,
    ).lastInsertRowid,
  );
  if (!final) {
    sql.run(
      `INSERT INTO locks (app, environment, holder, release_id, acquired_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
      [input.app, input.environment, holder, id, now, addMs(now, leaseMs)],
    );
  }
  appendEvents(
    sql,
    events.map((e) => ({ ...e, app: e.app ?? input.app, releaseId: id })),
    now,
  );
  const created = getRelease(sql, id);
  if (!created) throw new Error(`release ${id} vanished inside its own transaction`);
  return created;
}

export function updateRelease(
  sql: Sql,
  release: Release,
  expectedGeneration: number,
  events: readonly NewEvent[],
  now: string,
): Release {
  const stored = getRelease(sql, release.id);
  if (!stored) throw new NotFoundError(`release ${release.id}`, { releaseId: release.id });
  if (stored.generation !== expectedGeneration) throw new StaleWriteError(release.id);
  if (FINAL_PHASES.has(stored.phase)) {
    throw new ConflictError(`release ${release.id} is ${stored.phase}; a finished release does not change`, {
      releaseId: release.id,
      phase: stored.phase,
    });
  }
  const changed = IDENTITY.filter((key) => JSON.stringify(release[key]) !== JSON.stringify(stored[key]));
  if (changed.length > 0) {
    throw new InvalidInputError(`release ${release.id}: ${changed.join(', ')} cannot change after creation`, {
      releaseId: release.id,
      fields: changed,
    });
  }
  const final = FINAL_PHASES.has(release.phase);
  const next: Release = {
    ...release,
    updatedAt: now,
    finishedAt: final ? now : null,
    generation: expectedGeneration + 1,
  };
  sql.run(
    `UPDATE releases SET plan = @plan, rollback_plan = @rollbackPlan, phase = @phase, step_index = @stepIndex,
       step_started_at = @stepStartedAt, paused_ms = @pausedMs, paused_at = @pausedAt,
       rollback_step_index = @rollbackStepIndex, runtime = @runtime, outcome_reason = @outcomeReason, reason = @reason,
       updated_at = @updatedAt, finished_at = @finishedAt, generation = @generation
     WHERE id = @id`,
    releaseParams(next),
  );
  if (final) sql.run('DELETE FROM locks WHERE release_id = ?', [release.id]);
  appendEvents(
    sql,
    events.map((e) => ({ ...e, app: e.app ?? release.app, releaseId: e.releaseId ?? release.id })),
    now,
  );
  const updated = getRelease(sql, release.id);
  if (!updated) throw new Error(`release ${release.id} vanished inside its own transaction`);
  return updated;
}

export function renewLocks(sql: Sql, holder: string, leaseMs: number, now: string): number {
  return sql.run('UPDATE locks SET expires_at = ? WHERE holder = ?', [addMs(now, leaseMs), holder]).changes;
}

export function claimExpiredLocks(sql: Sql, holder: string, leaseMs: number, now: string): number[] {
  // ISO-8601 UTC strings from toISOString() order like the instants they name.
  const expired = sql.all<LockRow>('SELECT * FROM locks WHERE expires_at <= ? ORDER BY app, environment', [
    now,
  ]);
  const claimed: number[] = [];
  for (const lock of expired) {
    sql.run(
      'UPDATE locks SET holder = ?, acquired_at = ?, expires_at = ? WHERE app = ? AND environment = ?',
      [holder, now, addMs(now, leaseMs), lock.app, lock.environment],
    );
    appendEvents(
      sql,
      [
        {
          app: lock.app,
          releaseId: lock.release_id,
          actor: { name: holder, role: 'controller' },
          action: 'lock.takenOver',
          reason: `the lease of ${lock.holder} expired at ${lock.expires_at}`,
          data: {
            environment: lock.environment,
            previousHolder: lock.holder,
            previousExpiresAt: lock.expires_at,
          },
        },
      ],
      now,
    );
    if (lock.release_id !== null) claimed.push(lock.release_id);
  }
  return claimed;
}
