// Migrations: applied once each and in order, a failing one rolled back whole, and a database from a newer
// Greenlight refused with a clear error.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { MIGRATIONS, SchemaTooNewError, migrate, schemaVersion } from './migrations.js';

const n = MIGRATIONS.length;
import type { Migration } from './migrations.js';
import { openSqliteStore } from './sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'gl-sqlite-migrations-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let count = 0;
const nextPath = (): string => join(dir, `m-${++count}.db`);
const clock = (): Date => new Date('2026-01-01T00:00:00.000Z');

function tables(db: Database.Database): string[] {
  return (
    db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as {
      name: string;
    }[]
  )
    .map((r) => r.name)
    .filter((name) => !name.startsWith('sqlite_'));
}

void describe('sqlite migrations', () => {
  void it('creates the schema once; running again applies nothing', () => {
    const db = new Database(nextPath());
    try {
      assert.equal(schemaVersion(db), 0);
      assert.deepEqual(
        migrate(db, clock),
        MIGRATIONS.map((m) => m.version),
      );
      assert.deepEqual(tables(db), [
        'app_specs',
        'apps',
        'chain_head',
        'cursors',
        'events',
        'locks',
        'releases',
        'revisions',
        'schema_migrations',
        'tokens',
      ]);
      assert.deepEqual(migrate(db, clock), []);
      assert.equal(schemaVersion(db), MIGRATIONS.length);
      assert.deepEqual(
        db.prepare('SELECT version, name, applied_at FROM schema_migrations').all(),
        MIGRATIONS.map((m) => ({ version: m.version, name: m.name, applied_at: '2026-01-01T00:00:00.000Z' })),
      );
    } finally {
      db.close();
    }
  });

  void it('upgrades a database of the first schema: its releases get empty meta', () => {
    const db = new Database(nextPath());
    try {
      migrate(db, clock, MIGRATIONS.slice(0, 1));
      db.pragma('foreign_keys = OFF');
      db.exec(`INSERT INTO releases (app, environment, version, kind, spec_revision, plan, rollback_plan, phase,
        step_index, step_started_at, paused_ms, rollback_step_index, runtime, created_by, created_at, updated_at,
        generation) VALUES ('shop', 'default', 'v1', 'deploy', 1, '[]', '[]', 'promoted', 0, 't', 0, 0, '{}',
        '{"name":"a","role":"admin"}', 't', 't', 1)`);
      assert.deepEqual(
        migrate(db, clock),
        MIGRATIONS.slice(1).map((m) => m.version),
      );
      assert.deepEqual(db.prepare('SELECT meta FROM releases').all(), [{ meta: '{}' }]);
    } finally {
      db.close();
    }
  });

  void it('applies only the migrations a database lacks, in order', () => {
    const db = new Database(nextPath());
    try {
      migrate(db, clock);
      const more: Migration[] = [
        ...MIGRATIONS,
        { version: n + 1, name: 'notes', sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY)' },
        { version: n + 2, name: 'note text', sql: 'ALTER TABLE notes ADD COLUMN text TEXT' },
      ];
      assert.deepEqual(migrate(db, clock, more), [n + 1, n + 2]);
      assert.ok(tables(db).includes('notes'));
      assert.equal(schemaVersion(db), n + 2);
      assert.throws(
        () => migrate(db, clock, [...more.slice(0, n + 1), { ...more[n + 1]!, version: n + 3 }]),
        new RegExp(`expected ${n + 2}`),
      );
    } finally {
      db.close();
    }
  });

  void it('rolls a failing migration back whole and records nothing for it', () => {
    const db = new Database(nextPath());
    try {
      migrate(db, clock);
      const broken: Migration = {
        version: n + 1,
        name: 'broken',
        sql: 'CREATE TABLE half (id INTEGER); INSERT INTO no_such_table VALUES (1);',
      };
      assert.throws(() => migrate(db, clock, [...MIGRATIONS, broken]), /no such table/);
      assert.equal(schemaVersion(db), n);
      assert.ok(!tables(db).includes('half'));
    } finally {
      db.close();
    }
  });

  void it('refuses a database whose schema is newer than this code, when opening and when migrating', async () => {
    const path = nextPath();
    const db = new Database(path);
    migrate(db, clock, [...MIGRATIONS, { version: n + 1, name: 'from the future', sql: 'SELECT 1' }]);
    db.close();

    assert.throws(
      () => openSqliteStore(path),
      (error: unknown) => {
        assert.ok(error instanceof SchemaTooNewError);
        assert.equal(error.code, 'GL1003');
        assert.deepEqual(error.details, { path, databaseVersion: n + 1, knownVersion: n });
        assert.match(
          error.message,
          new RegExp(`schema version ${n + 1}, newer than the ${n} this Greenlight knows; upgrade`),
        );
        return true;
      },
    );
    const again = new Database(path);
    try {
      assert.throws(() => migrate(again, clock), SchemaTooNewError);
    } finally {
      again.close();
    }
  });

  void it('openSqliteStore leaves a new file unmigrated until migrate()', async () => {
    const store = openSqliteStore(nextPath());
    try {
      assert.equal(schemaVersion(store.db), 0);
      await store.migrate();
      assert.equal(schemaVersion(store.db), n);
    } finally {
      await store.close();
    }
  });
});
