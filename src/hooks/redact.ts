// Hiding secrets in what hooks print: every occurrence of a secret value becomes `[redacted:NAME]`.
export interface Redactor {
  redact(text: string): string;
}

export interface Secret {
  name: string;
  value: string;
}

/** Values shorter than this are ignored: replacing "1" or "yes" everywhere would hide more than it protects. */
const MIN_SECRET_LENGTH = 4;

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replaces each secret value (longest first, so a value containing another is hidden whole) with its name. */
export function createRedactor(secrets: Secret[]): Redactor {
  const nameOf = new Map<string, string>();
  for (const { name, value } of secrets) {
    if (value.length >= MIN_SECRET_LENGTH && !nameOf.has(value)) nameOf.set(value, name);
  }
  if (nameOf.size === 0) return { redact: (text) => text };
  const values = [...nameOf.keys()].sort((a, b) => b.length - a.length);
  // One alternation scanned once: at each position the first (longest) matching value wins.
  const pattern = new RegExp(values.map(escapeRegExp).join('|'), 'g');
  return { redact: (text) => text.replace(pattern, (value) => `[redacted:${nameOf.get(value) ?? '?'}]`) };
}

/**
 * The variables of `env` whose name matches one of `namePatterns` (regular-expression sources, matched
 * case-insensitively anywhere in the name, e.g. "password" or "api[_-]?key").
 */
export function secretsFromEnv(env: Record<string, string>, namePatterns: string[]): Secret[] {
  const patterns = namePatterns.map((source) => new RegExp(source, 'i'));
  return Object.entries(env)
    .filter(([name]) => patterns.some((pattern) => pattern.test(name)))
    .map(([name, value]) => ({ name, value }));
}
