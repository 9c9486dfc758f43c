// The embedded Store: one SQLite file in WAL mode with synchronous=FULL, so a committed transition survives
// kill -9 and power loss. better-sqlite3 is synchronous; the methods are async only to share the Store port
// with PostgreSQL. Every mutating method is one immediate transaction holding the change and its events.
import Database from 'better-sqlite3';
import type { Actor, GreenlightEvent, NewEvent, Release, Revision } from '../../engine/model.js';
import { ExternalError, NotFoundError } from '../../errors.js';
import type { CompiledSpec } from '../../spec/compiled.js';
import { canonicalJson } from '../event-chain.js';
import type {
  AppRecord,
  ChainVerdict,
  EventQuery,
  LockInfo,
  NewRelease,
  ReleaseQuery,
  Store,
  TokenRecord,
} from '../store.js';
import { appendEvents, listEvents, verifyEventLog } from './event-log.js';
import { assertSchemaKnown, migrate } from './migrations.js';
import * as releases from './releases.js';
import { appFromRow, revisionFromRow } from './rows.js';
import type { AppRow, RevisionRow } from './rows.js';
import { Sql } from './sql.js';
import * as tokens from './tokens.js';

export interface SqliteStoreOptions {
  /** Time for records, events and leases (default: the system clock). */
  clock?: () => Date;
  /** How long a write waits for another connection's write lock (default 5000 ms). */
  busyTimeoutMs?: number;
}

const APP_SELECT = `SELECT a.name, a.spec_revision, a.updated_at, s.spec, s.source_text
  FROM apps a JOIN app_specs s ON s.app = a.name AND s.revision = a.spec_revision`;

/**
 * Open (creating if needed) the database at `path`. Refuses a database whose schema is newer than this code;
 * call migrate() before use.
 */
export function openSqliteStore(path: string, opts: SqliteStoreOptions = {}): SqliteStore {
  const db = new Database(path);
  try {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal' && !(path === ':memory:' && mode === 'memory')) {
      throw new ExternalError(
        `SQLite refused WAL mode for ${path} (journal_mode is ${String(mode)})`,
        { path },
        false,
      );
    }
    db.pragma('synchronous = FULL');
    db.pragma(`busy_timeout = ${Math.trunc(opts.busyTimeoutMs ?? 5_000)}`);
    db.pragma('foreign_keys = ON');
    assertSchemaKnown(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return new SqliteStore(db, opts.clock ?? (() => new Date()));
}

export class SqliteStore implements Store {
  private readonly sql: Sql;

  constructor(
    /** The connection, for diagnostics and tests (PRAGMA checks); writes go through the methods. */
    readonly db: Database.Database,
    private readonly clock: () => Date,
  ) {
    this.sql = new Sql(db);
  }

  private now(): string {
    return this.clock().toISOString();
  }

  async migrate(): Promise<void> {
    migrate(this.db, this.clock);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  async putApp(
    spec: CompiledSpec,
    sourceText: string,
    event: NewEvent,
  ): Promise<{ record: AppRecord; changed: boolean }> {
    return this.sql.write(() => {
      const now = this.now();
      const current = this.sql.get<AppRow>(`${APP_SELECT} WHERE a.name = ?`, [spec.name]);
      const text = canonicalJson(spec);
      if (current && current.spec === text) return { record: appFromRow(current), changed: false };
      const revision = (current?.spec_revision ?? 0) + 1;
      this.sql.run(
        `INSERT INTO apps (name, spec_revision, updated_at) VALUES (@name, @revision, @now)
         ON CONFLICT (name) DO UPDATE SET spec_revision = @revision, updated_at = @now`,
        { name: spec.name, revision, now },
      );
      this.sql.run(
        'INSERT INTO app_specs (app, revision, spec, source_text, created_at) VALUES (?, ?, ?, ?, ?)',
        [spec.name, revision, text, sourceText, now],
      );
      appendEvents(
        this.sql,
        [{ ...event, app: event.app ?? spec.name, data: { ...event.data, specRevision: revision } }],
        now,
      );
      const record = this.sql.get<AppRow>(`${APP_SELECT} WHERE a.name = ?`, [spec.name]);
      if (!record) throw new Error(`app ${spec.name} vanished inside its own transaction`);
      return { record: appFromRow(record), changed: true };
    });
  }

  async getApp(name: string): Promise<AppRecord | undefined> {
    const row = this.sql.get<AppRow>(`${APP_SELECT} WHERE a.name = ?`, [name]);
    return row && appFromRow(row);
  }

  async getAppSpec(name: string, specRevision: number): Promise<CompiledSpec | undefined> {
    const row = this.sql.get<{ spec: string }>('SELECT spec FROM app_specs WHERE app = ? AND revision = ?', [
      name,
      specRevision,
    ]);
    return row && (JSON.parse(row.spec) as CompiledSpec);
  }

  async listApps(): Promise<AppRecord[]> {
    return this.sql.all<AppRow>(`${APP_SELECT} ORDER BY a.name`).map(appFromRow);
  }

  async createRelease(
    release: NewRelease,
    holder: string,
    leaseMs: number,
    events: NewEvent[],
  ): Promise<Release> {
    return this.sql.write(() =>
      releases.createRelease(this.sql, release, holder, leaseMs, events, this.now()),
    );
  }

  async updateRelease(release: Release, expectedGeneration: number, events: NewEvent[]): Promise<Release> {
    return this.sql.write(() =>
      releases.updateRelease(this.sql, release, expectedGeneration, events, this.now()),
    );
  }

  async getRelease(id: number): Promise<Release | undefined> {
    return releases.getRelease(this.sql, id);
  }

  async listReleases(query: ReleaseQuery): Promise<Release[]> {
    return releases.listReleases(this.sql, query);
  }

  async recordRevision(revision: Omit<Revision, 'number' | 'createdAt'>, event: NewEvent): Promise<Revision> {
    return this.sql.write(() => {
      const now = this.now();
      const last = this.sql.get<{ number: number | null }>(
        'SELECT max(number) AS number FROM revisions WHERE app = ? AND environment = ?',
        [revision.app, revision.environment],
      );
      if (!releases.getRelease(this.sql, revision.releaseId)) {
        throw new NotFoundError(`release ${revision.releaseId}`, { releaseId: revision.releaseId });
      }
      const stored: Revision = {
        app: revision.app,
        environment: revision.environment,
        number: (last?.number ?? 0) + 1,
        version: revision.version,
        releaseId: revision.releaseId,
        specRevision: revision.specRevision,
        createdAt: now,
      };
      this.sql.run(
        `INSERT INTO revisions (app, environment, number, version, release_id, spec_revision, created_at)
         VALUES (@app, @environment, @number, @version, @releaseId, @specRevision, @createdAt)`,
        { ...stored },
      );
      appendEvents(
        this.sql,
        [
          {
            ...event,
            app: event.app ?? revision.app,
            releaseId: event.releaseId ?? revision.releaseId,
            data: { ...event.data, revision: stored.number },
          },
        ],
        now,
      );
      return stored;
    });
  }

  async listRevisions(app: string, environment: string): Promise<Revision[]> {
    return this.sql
      .all<RevisionRow>('SELECT * FROM revisions WHERE app = ? AND environment = ? ORDER BY number', [
        app,
        environment,
      ])
      .map(revisionFromRow);
  }

  async currentRevision(app: string, environment: string): Promise<Revision | undefined> {
    const row = this.sql.get<RevisionRow>(
      'SELECT * FROM revisions WHERE app = ? AND environment = ? ORDER BY number DESC LIMIT 1',
      [app, environment],
    );
    return row && revisionFromRow(row);
  }

  async renewLocks(holder: string, leaseMs: number): Promise<number> {
    return this.sql.write(() => releases.renewLocks(this.sql, holder, leaseMs, this.now()));
  }

  async claimExpiredLocks(holder: string, leaseMs: number): Promise<number[]> {
    return this.sql.write(() => releases.claimExpiredLocks(this.sql, holder, leaseMs, this.now()));
  }

  async getLock(app: string, environment: string): Promise<LockInfo | undefined> {
    return releases.getLock(this.sql, app, environment);
  }

  async appendEvent(event: NewEvent): Promise<GreenlightEvent> {
    const [sealed] = this.sql.write(() => appendEvents(this.sql, [event], this.now()));
    if (!sealed) throw new Error('appending one event returned none');
    return sealed;
  }

  async listEvents(query: EventQuery): Promise<GreenlightEvent[]> {
    return listEvents(this.sql, query);
  }

  async verifyChain(): Promise<ChainVerdict> {
    return verifyEventLog(this.sql);
  }

  async getCursor(name: string): Promise<number | undefined> {
    return this.sql.get<{ event_id: number }>('SELECT event_id FROM cursors WHERE name = ?', [name])
      ?.event_id;
  }

  async setCursor(name: string, eventId: number): Promise<void> {
    this.sql.write(() =>
      this.sql.run(
        'INSERT INTO cursors (name, event_id) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET event_id = excluded.event_id',
        [name, eventId],
      ),
    );
  }

  async createToken(
    name: string,
    role: string,
    environments: string[] | null,
    tokenHash: string,
    by: Actor,
  ): Promise<TokenRecord> {
    return this.sql.write(() =>
      tokens.createToken(this.sql, { name, role, environments, tokenHash }, by, this.now()),
    );
  }

  async findToken(tokenHash: string): Promise<TokenRecord | undefined> {
    return tokens.findToken(this.sql, tokenHash);
  }

  async listTokens(): Promise<TokenRecord[]> {
    return tokens.listTokens(this.sql);
  }

  async revokeToken(name: string, by: Actor): Promise<boolean> {
    return this.sql.write(() => tokens.revokeToken(this.sql, name, by, this.now()));
  }
}
