#!/usr/bin/env node
// Backup before a production release (spec.hooks.preDeploy): a failure stops the release before anything
// changes. A stand-in for a real dump (pg_dump, a volume snapshot): it writes a manifest naming what would be
// dumped into BACKUP_DIR, so the release record shows a backup was taken, of what and where.
// Usage: node backup.mjs <app> <environment> <version being replaced>
// DATABASE_URL comes from the controller's environment (declared in spec.secrets.env, so Greenlight redacts its
// value from the output it keeps); BACKUP_DIR is optional (default: the system's temporary directory).
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [app, environment, fromVersion] = process.argv.slice(2);
const database = process.env.DATABASE_URL;
if (!database) {
  console.error('DATABASE_URL is not set on the controller: no backup, so no release');
  process.exit(1);
}
const dir = process.env.BACKUP_DIR || join(tmpdir(), 'greenlight-backups');
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const file = join(dir, `${app}-${environment}-${fromVersion || 'first'}-${stamp}.json`);
// The manifest names the database without its credentials; the log line below prints the whole connection
// string, the classic leak, which Greenlight stores as [redacted:DATABASE_URL].
let where = 'an unparsable DATABASE_URL';
try {
  const url = new URL(database);
  where = `${url.protocol}//${url.host}${url.pathname}`;
} catch {
  // kept as is: the stand-in still records that it ran
}
mkdirSync(dir, { recursive: true });
writeFileSync(
  file,
  JSON.stringify({ app, environment, fromVersion: fromVersion || null, database: where }) + '\n',
);
console.log(`pg_dump --dbname=${database} (stand-in) before replacing ${fromVersion || 'nothing'}: ${file}`);
