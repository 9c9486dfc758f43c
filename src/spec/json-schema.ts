// The published JSON Schema of greenlight.yaml, generated from the same zod schema the loader validates with.
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { appSchema } from './schema.js';

export const SCHEMA_ID = 'https://greenlight.dev/schema/app.schema.json';

/** Where the generated schema is committed. */
export const SCHEMA_FILE = fileURLToPath(new URL('../../schema/app.schema.json', import.meta.url));

export function appJsonSchema(): object {
  const generated = z.toJSONSchema(appSchema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  });
  const { $schema, title, description, ...rest } = generated;
  return { $schema, $id: SCHEMA_ID, title, description, ...rest };
}

/** Two-space JSON and a final newline (the committed file is this, formatted by Prettier). */
export function appJsonSchemaText(): string {
  return `${JSON.stringify(appJsonSchema(), null, 2)}\n`;
}
