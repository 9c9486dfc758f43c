// API tokens on SQLite: only SHA-256 hashes are kept, names are unique among live tokens, and creating or
// revoking one is recorded in the event log in the same transaction.
import type { Actor } from '../../engine/model.js';
import { ConflictError, InvalidInputError } from '../../errors.js';
import type { TokenRecord } from '../store.js';
import { appendEvents } from './event-log.js';
import { tokenFromRow } from './rows.js';
import type { TokenRow } from './rows.js';
import type { Sql } from './sql.js';

const TOKEN_COLUMNS = 'id, name, role, environments, created_at, revoked_at';
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Call inside a write transaction. */
export function createToken(
  sql: Sql,
  token: { name: string; role: string; environments: string[] | null; tokenHash: string },
  by: Actor,
  now: string,
): TokenRecord {
  const { name, role, environments, tokenHash } = token;
  // A plain token passed by mistake would otherwise sit in the database as a usable secret.
  if (!SHA256_HEX.test(tokenHash)) {
    throw new InvalidInputError(
      'a token is stored as its SHA-256 hash (64 lowercase hex digits), never as is',
      {
        name,
      },
    );
  }
  const clash = sql.get('SELECT 1 FROM tokens WHERE (name = ? AND revoked_at IS NULL) OR token_hash = ?', [
    name,
    tokenHash,
  ]);
  if (clash)
    throw new ConflictError(`a token named ${name} exists already, or the token is not new`, { name });
  const id = Number(
    sql.run('INSERT INTO tokens (name, role, environments, token_hash, created_at) VALUES (?, ?, ?, ?, ?)', [
      name,
      role,
      environments === null ? null : JSON.stringify(environments),
      tokenHash,
      now,
    ]).lastInsertRowid,
  );
  const data = { name, role, environments };
  appendEvents(
    sql,
    [{ app: null, releaseId: null, actor: by, action: 'token.created', reason: null, data }],
    now,
  );
  return { id, name, role, environments, createdAt: now, revokedAt: null };
}

export function findToken(sql: Sql, tokenHash: string): TokenRecord | undefined {
  const row = sql.get<TokenRow>(
    `SELECT ${TOKEN_COLUMNS} FROM tokens WHERE token_hash = ? AND revoked_at IS NULL`,
    [tokenHash],
  );
  return row && tokenFromRow(row);
}

export function listTokens(sql: Sql): TokenRecord[] {
  return sql.all<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM tokens ORDER BY id`).map(tokenFromRow);
}

/** Call inside a write transaction. */
export function revokeToken(sql: Sql, name: string, by: Actor, now: string): boolean {
  const { changes } = sql.run('UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL', [
    now,
    name,
  ]);
  if (changes === 0) return false;
  appendEvents(
    sql,
    [{ app: null, releaseId: null, actor: by, action: 'token.revoked', reason: null, data: { name } }],
    now,
  );
  return true;
}
