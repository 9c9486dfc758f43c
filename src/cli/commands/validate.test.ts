// End to end: the CLI from source validates a good and a bad spec file (exit 0 and 2; every problem on its own
// line as file:line:column: path: message), with no controller running.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { MINIMAL_SPEC } from '../../server/api/testing.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function greenlight(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

void describe('greenlight validate (end to end)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gl-validate-'));
    writeFileSync(join(dir, 'good.yaml'), MINIMAL_SPEC);
    writeFileSync(
      join(dir, 'bad.yaml'),
      MINIMAL_SPEC.replace('instances: 2', 'instances: lots').replace('setWeight: 25', 'setWeight: 250'),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  void it('exits 0 and says valid for a good spec', () => {
    const good = join(dir, 'good.yaml');
    const run = greenlight('validate', '-f', good);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), `${good}: valid (app shop, canary strategy)`);
  });

  void it('exits 2 and prints every problem as file:line:column: path: message', () => {
    const bad = join(dir, 'bad.yaml');
    const run = greenlight('validate', '-f', bad);
    assert.equal(run.status, 2);
    const lines = run.stderr.trim().split('\n');
    assert.deepEqual(lines.slice(0, 2), [
      `${bad}:9:18: spec.target.local.instances: found "lots", expected an integer from 1 to 256`,
      `${bad}:15:22: spec.strategy.canary.steps[0].setWeight: found 250, expected a number from 0 to 100`,
    ]);
    assert.match(lines[2]!, /2 problems/);
  });

  void it('exits 2 for an unknown command, with commander’s message', () => {
    const run = greenlight('deploi');
    assert.equal(run.status, 2);
    assert.match(run.stderr, /unknown command 'deploi'/);
  });
});
