// The records file: round trip, atomic replacement, and damaged files treated as data.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { appSpec } from './fixtures/harness.js';
import { emptyRecords, loadRecords, saveRecords } from './records.js';
import type { RecordsFile } from './records.js';

void describe('records', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gl-records-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const sample: RecordsFile = {
    format: 1,
    counters: { 'shop/v1': 3 },
    versionSets: [{ app: 'shop', spec: appSpec('v1', 2), removing: false }],
    specs: { abc: appSpec('v1', 2) },
    instances: [
      {
        app: 'shop',
        version: 'v1',
        id: 'v1-3',
        pid: 1234,
        port: 40000,
        procStartTime: '99',
        startedAt: '2026-01-01T00:00:00.000Z',
        specHash: 'abc',
        logFile: '/tmp/x.log',
        restarts: 2,
      },
    ],
  };

  void it('round-trips, replacing the file without leaving a temporary one', () => {
    const path = join(dir, 'a', 'instances.json');
    saveRecords(path, sample);
    saveRecords(path, { ...sample, counters: { 'shop/v1': 4 } });
    assert.deepEqual(loadRecords(path, assert.fail), { ...sample, counters: { 'shop/v1': 4 } });
    assert.deepEqual(readdirSync(join(dir, 'a')), ['instances.json']);
  });

  void it('reads a missing file as empty, silently', () => {
    assert.deepEqual(loadRecords(join(dir, 'none.json'), assert.fail), emptyRecords());
  });

  void it('keeps a file it cannot parse aside and reports it', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{"format": 1, "instan');
    const problems: string[] = [];
    assert.deepEqual(
      loadRecords(path, (p) => problems.push(p)),
      emptyRecords(),
    );
    assert.equal(problems.length, 1);
    assert.equal(readFileSync(`${path}.corrupt`, 'utf8'), '{"format": 1, "instan');
  });

  void it('skips malformed entries and keeps the good ones', () => {
    const path = join(dir, 'partial.json');
    const raw = { ...sample, instances: [...sample.instances, { app: 'shop', pid: 'nope' }] };
    writeFileSync(path, JSON.stringify(raw));
    const problems: string[] = [];
    assert.deepEqual(loadRecords(path, (p) => problems.push(p)).instances, sample.instances);
    assert.deepEqual(problems, ['skipped a malformed instance record']);
    assert.equal(existsSync(`${path}.corrupt`), false);
  });
});
