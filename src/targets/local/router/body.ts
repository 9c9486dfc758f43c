// The request body as sent upstream: the client's stream piped through a byte counter, so a body over
// maxBodyBytes fails the upstream request while it streams, and an upstream failure never destroys the
// client's own request stream (undici destroys the body it was given when a request fails).
import { Transform, type TransformCallback } from 'node:stream';

export class BodyTooLargeError extends Error {
  readonly code = 'GL_BODY_TOO_LARGE';
  constructor(limit: number) {
    super(`request body over ${limit} bytes`);
  }
}

export class BodyLimiter extends Transform {
  private bytes = 0;
  private readonly limit: number;
  /** Set once the limit is passed: the exchange answers 413 instead of 502. */
  exceeded = false;

  constructor(limit: number) {
    super();
    this.limit = limit;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      this.exceeded = true;
      callback(new BodyTooLargeError(this.limit));
      return;
    }
    callback(null, chunk);
  }
}
