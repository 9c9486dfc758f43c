// A thin layer over a better-sqlite3 connection: prepared statements cached by their text, typed row reads,
// and write transactions that take the write lock up front.
import type Database from 'better-sqlite3';

type Params = Record<string, unknown> | unknown[];

export class Sql {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(readonly db: Database.Database) {}

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  get<T>(sql: string, params: Params = []): T | undefined {
    return this.statement(sql).get(params) as T | undefined;
  }

  all<T>(sql: string, params: Params = []): T[] {
    return this.statement(sql).all(params) as T[];
  }

  iterate<T>(sql: string, params: Params = []): IterableIterator<T> {
    return this.statement(sql).iterate(params) as IterableIterator<T>;
  }

  run(sql: string, params: Params = []): Database.RunResult {
    return this.statement(sql).run(params);
  }

  /**
   * Run fn in a transaction that holds the write lock from its start (BEGIN IMMEDIATE). A deferred
   * transaction that reads and then writes fails with SQLITE_BUSY, without waiting, when another connection
   * wrote in between; immediate ones queue on busy_timeout instead.
   */
  write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Run fn on one consistent snapshot of the database. */
  read<T>(fn: () => T): T {
    return this.db.transaction(fn).deferred();
  }
}
