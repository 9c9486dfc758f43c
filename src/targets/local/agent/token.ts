// The admin token: a random secret kept in the data directory (mode 0600), compared in constant time.
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { join } from 'node:path';
import { readFileIfExists, writeFileAtomic } from '../../../util/atomic-file.js';

export const tokenPath = (dataDir: string): string => join(dataDir, 'agent.token');

/** Reads the agent's token, creating one on first use. */
export function ensureAgentToken(dataDir: string): string {
  const existing = readFileIfExists(tokenPath(dataDir))?.trim();
  if (existing) return existing;
  const token = `gla_${randomBytes(24).toString('base64url')}`;
  writeFileAtomic(tokenPath(dataDir), `${token}\n`, 0o600);
  return token;
}

export function readAgentToken(dataDir: string): string | undefined {
  return readFileIfExists(tokenPath(dataDir))?.trim() || undefined;
}

/** Constant-time comparison (hashing first makes the lengths equal). */
export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (!presented) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(presented).digest();
  return timingSafeEqual(a, b);
}
