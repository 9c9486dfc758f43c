// Where Greenlight keeps its state: --data-dir, else $GREENLIGHT_DATA_DIR, else ./.greenlight.
import { resolve } from 'node:path';

export function resolveDataDir(flag: string | undefined): string {
  return resolve(flag ?? process.env.GREENLIGHT_DATA_DIR ?? '.greenlight');
}
