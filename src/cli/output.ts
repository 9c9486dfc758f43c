import { stripVTControlCharacters } from 'node:util';
import { InvalidInputError } from '../errors.js';

// Output helpers: compact aligned tables for people, JSON for scripts; colour only on a terminal without NO_COLOR.

export type OutputFormat = 'table' | 'json';

export function outputFormat(value: unknown): OutputFormat {
  if (value === 'json' || value === 'table') return value;
  throw new InvalidInputError(`--output ${String(value)}: expected table or json`);
}

export const useColor = (): boolean => Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;

export function color(code: 'green' | 'red' | 'yellow' | 'dim' | 'bold', text: string): string {
  if (!useColor()) return text;
  const codes = { green: 32, red: 31, yellow: 33, dim: 2, bold: 1 } as const;
  return `\u001b[${codes[code]}m${text}\u001b[0m`;
}

const visibleLength = (s: string): number => stripVTControlCharacters(s).length;

/** Renders rows as aligned columns under a header row. */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => visibleLength(r[i] ?? ''))));
  return cells
    .map((r) =>
      r
        .map((cell, i) =>
          i === r.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visibleLength(cell)),
        )
        .join('  '),
    )
    .join('\n');
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
