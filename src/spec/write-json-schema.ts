// Writes schema/app.schema.json from the zod schema, formatted as the repository's Prettier formats it.
// Run: node --import tsx src/spec/write-json-schema.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { appJsonSchemaText, SCHEMA_FILE } from './json-schema.js';

const config = await resolveConfig(SCHEMA_FILE);
mkdirSync(dirname(SCHEMA_FILE), { recursive: true });
writeFileSync(SCHEMA_FILE, await format(appJsonSchemaText(), { ...config, filepath: SCHEMA_FILE }));
console.log(`wrote ${SCHEMA_FILE}`);
