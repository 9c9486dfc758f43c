// Editing the events table of a SQLite store file the way an attacker would: through a connection of its own,
// past the append-only triggers. Tests then check that `audit verify` names the event.
import Database from 'better-sqlite3';

export function tamperEventLog(path: string, sql: string): void {
  const raw = new Database(path);
  try {
    raw.exec('DROP TRIGGER IF EXISTS events_no_update; DROP TRIGGER IF EXISTS events_no_delete;');
    raw.exec(sql);
  } finally {
    raw.close();
  }
}
