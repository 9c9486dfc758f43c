// Careful reading of a value that has not been validated yet, for the rule checks that run beside the schema.

export type RawMap = Record<string, unknown>;

export function isMap(value: unknown): value is RawMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at a chain of map keys, or undefined as soon as one is missing or not a map. */
export function dig(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (!isMap(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** The keys among `names` that a map sets (present, even if empty). */
export function presentKeys(map: RawMap, names: readonly string[]): string[] {
  return names.filter((name) => map[name] !== undefined);
}

/** "a", "a and b", "a, b and c". */
export function listWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1] ?? ''}`;
}
