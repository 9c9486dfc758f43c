import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { appJsonSchema, appJsonSchemaText, SCHEMA_FILE, SCHEMA_ID } from './json-schema.js';

void test('schema/app.schema.json is the generated schema (run npm run schema after changing the spec schema)', async () => {
  const config = await resolveConfig(SCHEMA_FILE);
  const generated = await format(appJsonSchemaText(), { ...config, filepath: SCHEMA_FILE });
  assert.equal(readFileSync(SCHEMA_FILE, 'utf8'), generated);
});

void test('the JSON Schema is draft 2020-12 with an $id and refuses unknown fields', () => {
  const schema = appJsonSchema() as Record<string, unknown>;
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.equal(schema.$id, SCHEMA_ID);
  assert.equal(schema.additionalProperties, false);
  assert.deepEqual(schema.required, ['apiVersion', 'kind', 'metadata', 'spec']);
});

/** Every named property, anywhere in the schema, with its path. */
function properties(node: unknown, path: string, out: [string, Record<string, unknown>][]): void {
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  const props = record.properties as Record<string, Record<string, unknown>> | undefined;
  for (const [name, child] of Object.entries(props ?? {})) {
    out.push([`${path}.${name}`, child]);
    properties(child, `${path}.${name}`, out);
  }
  for (const key of ['items', 'additionalProperties', '$defs']) {
    const child = record[key];
    if (key === '$defs') for (const [name, def] of Object.entries(child ?? {})) properties(def, name, out);
    else properties(child, `${path}[]`, out);
  }
}

void test('every field has a description for editors', () => {
  const found: [string, Record<string, unknown>][] = [];
  properties(appJsonSchema(), '', found);
  assert.ok(found.length > 60, `only ${found.length} fields found`);
  const bare = found.filter(([, child]) => typeof child.description !== 'string').map(([path]) => path);
  assert.deepEqual(bare, []);
});
