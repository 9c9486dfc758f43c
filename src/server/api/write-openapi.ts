// Writes docs/openapi.json from the route table: `node --import tsx src/server/api/write-openapi.ts`
// (or `npm run openapi`), formatted by Prettier like the rest of the repository. The OpenAPI test fails until
// the committed file matches.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PRODUCT_VERSION } from '../../version.js';
import { API_ROUTES } from './index.js';
import { openApiDocument } from './openapi.js';

export const OPENAPI_FILE = fileURLToPath(new URL('../../../docs/openapi.json', import.meta.url));

async function write(): Promise<void> {
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(OPENAPI_FILE)) ?? {};
  const text = JSON.stringify(openApiDocument(API_ROUTES, PRODUCT_VERSION), null, 2);
  writeFileSync(OPENAPI_FILE, await prettier.format(text, { ...options, filepath: OPENAPI_FILE }));
  console.log(`wrote ${OPENAPI_FILE}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await write();
