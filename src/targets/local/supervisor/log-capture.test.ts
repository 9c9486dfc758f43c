// Log capture on files written by the test: partial lines, seeding from an existing file, rotation, and a
// file truncated behind its back.
import assert from 'node:assert/strict';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LogCapture, readLogTail } from './log-capture.js';

void describe('LogCapture', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gl-logs-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  void it('keeps complete lines only, and the last N of them', () => {
    const path = join(dir, 'a', 'x.log');
    const capture = new LogCapture(path, { maxBytes: 1_000_000, lines: 3 });
    appendFileSync(path, 'one\ntwo\nthr');
    capture.poll();
    assert.deepEqual(capture.lines(), ['one', 'two']);
    appendFileSync(path, 'ee\nfour\nfive\n');
    capture.poll();
    assert.deepEqual(capture.lines(), ['three', 'four', 'five']);
    assert.deepEqual(capture.lines(1), ['five']);
    assert.deepEqual(capture.lines(0), []);
  });

  void it('keeps a multi-byte character split across two polls whole', () => {
    const path = join(dir, 'utf8.log');
    const capture = new LogCapture(path, { maxBytes: 1_000_000, lines: 10 });
    const bytes = Buffer.from('blåbær\n');
    appendFileSync(path, bytes.subarray(0, 3));
    capture.poll();
    appendFileSync(path, bytes.subarray(3));
    capture.poll();
    assert.deepEqual(capture.lines(), ['blåbær']);
  });

  void it('seeds its memory from a file left by an earlier run', () => {
    const path = join(dir, 'seed.log');
    writeFileSync(path, Array.from({ length: 10 }, (_, i) => `old ${i}`).join('\n') + '\n');
    assert.deepEqual(new LogCapture(path, { maxBytes: 1_000_000, lines: 2 }).lines(), ['old 8', 'old 9']);
    assert.deepEqual(readLogTail(path, 3), ['old 7', 'old 8', 'old 9']);
  });

  void it('rotates to .1 past maxBytes (copy, then truncate) and goes on reading from the start', () => {
    const path = join(dir, 'rotate.log');
    const capture = new LogCapture(path, { maxBytes: 100, lines: 100 });
    appendFileSync(path, 'a'.repeat(60) + '\n' + 'b'.repeat(60) + '\n');
    capture.poll();
    assert.equal(statSync(path).size, 0);
    assert.equal(readFileSync(`${path}.1`, 'utf8').length, 122);
    appendFileSync(path, 'after\n');
    capture.poll();
    assert.deepEqual(capture.lines().slice(-3), ['a'.repeat(60), 'b'.repeat(60), 'after']);
    appendFileSync(path, 'c'.repeat(120) + '\n');
    capture.poll();
    assert.match(readFileSync(`${path}.1`, 'utf8'), /^after\nc+\n$/, 'one old file kept, the newest');
    assert.equal(existsSync(`${path}.2`), false);
  });

  void it('notices a file truncated by someone else', () => {
    const path = join(dir, 'truncated.log');
    const capture = new LogCapture(path, { maxBytes: 1_000_000, lines: 10 });
    appendFileSync(path, 'first line\n');
    capture.poll();
    truncateSync(path, 0);
    appendFileSync(path, 'new\n');
    capture.poll();
    assert.deepEqual(capture.lines(), ['first line', 'new']);
  });

  void it('skips ahead when far behind, keeping memory bounded', () => {
    const path = join(dir, 'flood.log');
    const capture = new LogCapture(path, { maxBytes: 100_000_000, lines: 5 });
    appendFileSync(
      path,
      Array.from({ length: 50_000 }, (_, i) => `line ${i} ${'y'.repeat(20)}`).join('\n') + '\n',
    );
    capture.poll();
    const lines = capture.lines();
    assert.equal(lines.length, 5);
    assert.match(lines.at(-1) ?? '', /^line 49999 y+$/);
  });
});
