// The committed OpenAPI document (docs/openapi.json) is the one the route table generates, and it is served.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { PRODUCT_VERSION } from '../../version.js';
import { API_ROUTES } from './index.js';
import { openApiDocument } from './openapi.js';
import { OPENAPI_FILE } from './write-openapi.js';
import { startApiFixture } from './testing.js';

void describe('OpenAPI document', () => {
  void it('equals the committed docs/openapi.json (regenerate with: node --import tsx src/server/api/write-openapi.ts)', () => {
    const committed = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as unknown;
    assert.deepEqual(committed, openApiDocument(API_ROUTES, PRODUCT_VERSION));
  });

  void it('documents every route once, with its roles', () => {
    const doc = openApiDocument(API_ROUTES, PRODUCT_VERSION) as {
      paths: Record<string, Record<string, { operationId: string; 'x-roles'?: string[] }>>;
    };
    const operations = Object.values(doc.paths).flatMap((p) => Object.values(p));
    assert.equal(operations.length, API_ROUTES.length);
    assert.equal(new Set(operations.map((o) => o.operationId)).size, API_ROUTES.length);
    assert.deepEqual(doc.paths['/v1/apps/{app}/releases']?.post?.['x-roles'], ['deployer', 'admin']);
  });

  void it('is served at /openapi.json without a token', async () => {
    const f = await startApiFixture();
    try {
      const response = await f.call('get', '/openapi.json', { token: null });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), openApiDocument(API_ROUTES, PRODUCT_VERSION));
    } finally {
      await f.close();
    }
  });
});
