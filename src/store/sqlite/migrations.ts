// The SQLite schema as an ordered list of migrations. Each one is applied in its own transaction and recorded
// in schema_migrations, so migrate() is idempotent and a failed migration leaves the previous version intact.
// A database written by a newer Greenlight (a version this code does not know) is refused, never guessed at.
import type Database from 'better-sqlite3';
import { GreenlightError } from '../../errors.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const FINAL_PHASES_SQL = `('promoted', 'rolledBack', 'aborted', 'failed')`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE apps (
        name TEXT PRIMARY KEY,
        spec_revision INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE app_specs (
        app TEXT NOT NULL REFERENCES apps (name),
        revision INTEGER NOT NULL,
        spec TEXT NOT NULL CHECK (json_valid(spec)),
        source_text TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (app, revision)
      ) STRICT;

      CREATE TABLE releases (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        app TEXT NOT NULL,
        environment TEXT NOT NULL,
        version TEXT NOT NULL,
        from_version TEXT,
        kind TEXT NOT NULL,
        spec_revision INTEGER NOT NULL,
        plan TEXT NOT NULL CHECK (json_valid(plan)),
        rollback_plan TEXT NOT NULL CHECK (json_valid(rollback_plan)),
        phase TEXT NOT NULL,
        step_index INTEGER NOT NULL,
        step_started_at TEXT NOT NULL,
        paused_ms INTEGER NOT NULL,
        paused_at TEXT,
        rollback_step_index INTEGER NOT NULL,
        runtime TEXT NOT NULL CHECK (json_valid(runtime)),
        outcome_reason TEXT,
        created_by TEXT NOT NULL CHECK (json_valid(created_by)),
        reason TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        finished_at TEXT,
        generation INTEGER NOT NULL,
        FOREIGN KEY (app, spec_revision) REFERENCES app_specs (app, revision)
      ) STRICT;
      CREATE INDEX releases_by_app ON releases (app, id);
      CREATE INDEX releases_by_phase ON releases (phase);
      -- The per-app lock, enforced by the database as well: one unfinished release per app and environment.
      CREATE UNIQUE INDEX releases_one_unfinished ON releases (app, environment)
        WHERE phase NOT IN ${FINAL_PHASES_SQL};

      CREATE TABLE revisions (
        app TEXT NOT NULL,
        environment TEXT NOT NULL,
        number INTEGER NOT NULL,
        version TEXT NOT NULL,
        release_id INTEGER NOT NULL REFERENCES releases (id),
        spec_revision INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (app, environment, number)
      ) STRICT;

      CREATE TABLE locks (
        app TEXT NOT NULL,
        environment TEXT NOT NULL,
        holder TEXT NOT NULL,
        release_id INTEGER REFERENCES releases (id),
        acquired_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        PRIMARY KEY (app, environment)
      ) STRICT;
      CREATE INDEX locks_by_holder ON locks (holder);

      CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        app TEXT,
        release_id INTEGER,
        actor TEXT NOT NULL CHECK (json_valid(actor)),
        action TEXT NOT NULL,
        reason TEXT,
        data TEXT NOT NULL CHECK (json_valid(data)),
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      ) STRICT;
      CREATE INDEX events_by_app ON events (app, id);
      CREATE INDEX events_by_release ON events (release_id, id);
      -- Guards against a bug rewriting history; the hash chain is what shows deliberate tampering.
      CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
      CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

      CREATE TABLE chain_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        last_id INTEGER NOT NULL,
        last_hash TEXT NOT NULL,
        count INTEGER NOT NULL
      ) STRICT;
      INSERT INTO chain_head (id, last_id, last_hash, count) VALUES (1, 0, '${'0'.repeat(64)}', 0);

      CREATE TABLE tokens (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        environments TEXT CHECK (environments IS NULL OR json_valid(environments)),
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      ) STRICT;
      CREATE UNIQUE INDEX tokens_active_name ON tokens (name) WHERE revoked_at IS NULL;
    `,
  },
  {
    version: 2,
    name: 'release meta (commit time, emergency)',
    sql: `ALTER TABLE releases ADD COLUMN meta TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(meta));`,
  },
  {
    version: 3,
    name: 'event cursors (webhook deliveries resume after a restart)',
    sql: `CREATE TABLE cursors (name TEXT PRIMARY KEY, event_id INTEGER NOT NULL) STRICT;`,
  },
];

/** The database was written by a newer Greenlight: opening it could corrupt data this code cannot read. */
export class SchemaTooNewError extends GreenlightError {
  constructor(
    readonly path: string,
    readonly databaseVersion: number,
    readonly knownVersion: number,
  ) {
    super(
      'GL1003',
      `database ${path} has schema version ${databaseVersion}, newer than the ${knownVersion} this Greenlight ` +
        `knows; upgrade Greenlight to open it`,
      { path, databaseVersion, knownVersion },
    );
  }
}

/** The highest applied migration, 0 for a new database. */
export function schemaVersion(db: Database.Database): number {
  const table = db
    .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`)
    .get();
  if (table === undefined) return 0;
  const row = db.prepare('SELECT max(version) AS version FROM schema_migrations').get() as {
    version: number | null;
  };
  return row.version ?? 0;
}

export function assertSchemaKnown(
  db: Database.Database,
  migrations: readonly Migration[] = MIGRATIONS,
): void {
  const known = migrations.at(-1)?.version ?? 0;
  const current = schemaVersion(db);
  if (current > known) throw new SchemaTooNewError(db.name, current, known);
}

/** Apply the migrations not yet applied, in order; returns the versions applied now. */
export function migrate(db: Database.Database, now: () => Date, migrations = MIGRATIONS): number[] {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL
  ) STRICT`);
  const applied: number[] = [];
  for (const migration of migrations) {
    // Immediate: the check and the change happen under the write lock, so two processes migrating at once
    // apply each migration exactly once.
    const apply = db.transaction(() => {
      assertSchemaKnown(db, migrations);
      if (schemaVersion(db) >= migration.version) return;
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        now().toISOString(),
      );
      applied.push(migration.version);
    });
    apply.immediate();
  }
  return applied;
}
