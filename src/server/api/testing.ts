// A controller API in process for tests: a real SQLite store in a temporary directory, the in-memory fake
// target, a real engine on a fake clock, and one token per role.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { FakeClock } from '../../engine/clock.js';
import { Engine } from '../../engine/engine.js';
import { Operations } from '../../engine/operations.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { MemoryTarget } from '../../targets/memory/memory-target.js';
import { PRODUCT_VERSION } from '../../version.js';
import { ROLES, hashToken, type TokenRole } from '../auth.js';
import type { ControllerContext } from '../context.js';
import { ControllerMetrics } from '../metrics.js';
import { createControllerApi } from './index.js';

export interface ApiFixture {
  api: Hono;
  ctx: ControllerContext;
  store: Store;
  clock: FakeClock;
  target: MemoryTarget;
  engine: Engine;
  /** The bearer token of each role. */
  tokens: Record<TokenRole, string>;
  /** How many times the API called notify(). */
  notified: () => number;
  call(
    method: string,
    path: string,
    opts?: { token?: string | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
  close(): Promise<void>;
}

export async function startApiFixture(overrides: Partial<ControllerContext> = {}): Promise<ApiFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'gl-api-'));
  const store = openSqliteStore(join(dir, 'greenlight.db'));
  await store.migrate();
  const clock = new FakeClock();
  const target = new MemoryTarget(clock, { readyAfterMs: 0 });
  const listeners = new Set<() => void>();
  const fire = (): void => {
    for (const listener of listeners) listener();
  };
  const engine = new Engine({ store, target, clock, holder: 'test', resyncMs: 0, onChange: fire });
  await engine.start();
  const ops = new Operations({ store, engine, target, clock, holder: 'test' });
  const ctx: ControllerContext = {
    store,
    engine,
    ops,
    target,
    clock,
    agent: null,
    metrics: new ControllerMetrics(),
    version: PRODUCT_VERSION,
    onEvents: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ...overrides,
  };
  let notifications = 0;
  const api = createControllerApi(ctx, {
    notify: () => {
      notifications += 1;
      fire();
    },
  });
  const tokens = {} as Record<TokenRole, string>;
  for (const role of ROLES) {
    tokens[role] = `glt_test_${role}`;
    await store.createToken(`${role}-token`, role, null, hashToken(tokens[role]), {
      name: 'test',
      role: 'system',
    });
  }
  return {
    api,
    ctx,
    store,
    clock,
    target,
    engine,
    tokens,
    notified: () => notifications,
    call(method, path, opts = {}) {
      const token = opts.token === undefined ? tokens.admin : opts.token;
      const headers: Record<string, string> = { ...opts.headers };
      if (token !== null) headers.authorization = `Bearer ${token}`;
      if (opts.body !== undefined) headers['content-type'] = 'application/json';
      return Promise.resolve(
        api.request(path, {
          method,
          headers,
          ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
        }),
      );
    },
    async close() {
      await engine.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A minimal valid spec: a canary that pauses for a promotion halfway. */
export const MINIMAL_SPEC = `apiVersion: greenlight.dev/v1alpha1
kind: App
metadata:
  name: shop
spec:
  target:
    local:
      listen: 127.0.0.1:0
      instances: 2
      run:
        command: [node, server.js]
  strategy:
    canary:
      steps:
        - setWeight: 25
        - pause: {}
        - setWeight: 100
`;
