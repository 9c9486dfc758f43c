// One instance's log: the file its stdout and stderr go to (append mode, so the process keeps writing even
// if the agent dies), a tail of it kept in memory, and copy-truncate rotation to `<file>.1` when it grows
// past its bound. The file is polled rather than piped so that nothing depends on the agent staying up.
import {
  closeSync,
  copyFileSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  truncateSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

/** More new bytes than this in one poll: skip to the end, since only the last lines are kept. */
const MAX_READ_BYTES = 256 * 1024;
/** A "line" this long without a newline is cut so that memory stays bounded. */
const MAX_LINE_CHARS = 16 * 1024;

export interface LogCaptureOptions {
  maxBytes: number;
  lines: number;
}

export class LogCapture {
  private offset = 0;
  private partial = '';
  private decoder = new StringDecoder('utf8');
  private kept: string[] = [];

  constructor(
    readonly path: string,
    private readonly opts: LogCaptureOptions,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    // Seed the memory with the end of what an earlier run (or an earlier agent) left in the file.
    if (existsSync(path)) this.read();
  }

  /** A file descriptor for a child's stdout and stderr; the caller closes its own copy after spawning. */
  openForChild(): number {
    return openSync(this.path, 'a');
  }

  /** Pick up what was written since the last poll, and rotate the file if it is over its bound. */
  poll(): void {
    this.read();
  }

  /** The last `count` complete lines (all kept lines by default). */
  lines(count = this.opts.lines): string[] {
    return count <= 0 ? [] : this.kept.slice(-Math.min(count, this.opts.lines));
  }

  private read(): void {
    this.readFrom(this.path);
    if (this.offset > this.opts.maxBytes) this.rotate();
  }

  /** Takes the lines of `path` from the current offset to its end. */
  private readFrom(path: string): void {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return;
    }
    try {
      const size = fstatSync(fd).size;
      if (size < this.offset) this.restart(0);
      let skipped = false;
      if (size - this.offset > MAX_READ_BYTES) {
        this.restart(size - MAX_READ_BYTES);
        skipped = true;
      }
      const start = this.offset;
      const buffer = Buffer.alloc(size - start);
      let got = 0;
      while (got < buffer.length) {
        const n = readSync(fd, buffer, got, buffer.length - got, start + got);
        if (n === 0) break;
        got += n;
      }
      this.offset = start + got;
      this.take(this.decoder.write(buffer.subarray(0, got)), skipped);
    } finally {
      closeSync(fd);
    }
  }

  private restart(offset: number): void {
    this.offset = offset;
    this.partial = '';
    this.decoder = new StringDecoder('utf8');
  }

  private take(text: string, dropFirst: boolean): void {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    if (dropFirst) parts.shift();
    if (this.partial.length > MAX_LINE_CHARS) {
      parts.push(this.partial);
      this.partial = '';
    }
    for (const line of parts)
      this.kept.push(line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) : line);
    if (this.kept.length > this.opts.lines * 2) this.kept = this.kept.slice(-this.opts.lines);
  }

  /**
   * Copy-truncate: the child holds the file open in append mode, so after truncation its next write lands at
   * offset 0 of the same file. What the child wrote since the last read is in the copy: the memory takes it
   * from there. Bytes written between the copy and the truncate are lost; that is the price of not needing the
   * child's cooperation.
   */
  private rotate(): void {
    const rotated = `${this.path}.1`;
    try {
      copyFileSync(this.path, rotated);
      this.readFrom(rotated);
      truncateSync(this.path, 0);
    } catch {
      return;
    }
    this.restart(0);
  }
}

/** The last `count` lines of a log file that no instance holds any more (a stopped instance). */
export function readLogTail(path: string, count: number): string[] {
  return new LogCapture(path, { maxBytes: Number.MAX_SAFE_INTEGER, lines: count }).lines(count);
}
