#!/usr/bin/env node
// The greenlight command: runs the compiled CLI (built by `npm run build`, which `npm ci` runs via prepare).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/index.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('greenlight: the CLI is not built yet; run `npm run build` (npm ci does it for you).');
  process.exit(2);
}
await import(entry.href);
