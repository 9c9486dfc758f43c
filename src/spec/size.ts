// Byte sizes as people write them in a spec ("16KiB", "10MiB", "512B", or a plain number of bytes).
import { InvalidInputError } from '../errors.js';

export const SIZE_PATTERN = /^(\d+)(B|KiB|MiB|GiB|KB|MB|GB)?$/;

export const SIZE_EXPECTED = 'a size like 16KiB, 10MiB or 512B';

const UNIT_BYTES: Record<string, number> = {
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  KB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
};

/** A size in a spec: a whole number of bytes, or a string with a unit. Throws InvalidInputError otherwise. */
export function parseSize(value: string | number): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return value;
    throw new InvalidInputError(`found ${value}, expected ${SIZE_EXPECTED}`, { value });
  }
  const match = SIZE_PATTERN.exec(value);
  const amount = match?.[1];
  if (match === null || amount === undefined) {
    throw new InvalidInputError(`found ${JSON.stringify(value)}, expected ${SIZE_EXPECTED}`, { value });
  }
  return Number(amount) * (UNIT_BYTES[match[2] ?? 'B'] ?? 1);
}
